package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tendhq/tend"
)

// company is the fictional business whose help desk the demo shows: it
// sells smart-home devices and a subscription, Halcyra Plus, to households
// and to businesses that fit out many rooms at once.
const company = "Halcyra"

type teamKey string

const (
	support   teamKey = "Support"
	billing   teamKey = "Billing"
	technical teamKey = "Technical"
)

type member struct {
	name, email string
	role        tend.Role
	teams       []teamKey
}

// staff lists the demo agents, admin first: sign-ins are printed in this
// order, and the admin's address marks a database as seeded.
var staff = []member{
	{"Maren Okafor", "admin@demo.example", tend.RoleAdmin, nil},
	{"Tomasz Reyes", "tomasz@demo.example", tend.RoleManager, nil},
	{"Priya Natarajan", "priya@demo.example", tend.RoleLead, []teamKey{support}},
	{"Jonah Whitlock", "jonah@demo.example", tend.RoleLead, []teamKey{billing}},
	{"Aiko Brennan", "aiko@demo.example", tend.RoleLead, []teamKey{technical}},
	{"Sam Castellano", "sam@demo.example", tend.RoleAgent, []teamKey{support, technical}},
	{"Lena Haugland", "lena@demo.example", tend.RoleAgent, []teamKey{support, billing}},
	{"Kwame Osei", "kwame@demo.example", tend.RoleAgent, []teamKey{technical}},
}

type teamSpec struct {
	key           teamKey
	lead, manager string // addresses in staff
}

// teams are set up in this order; the admin manages Technical herself.
var teams = []teamSpec{
	{key: support, lead: "priya@demo.example", manager: "tomasz@demo.example"},
	{key: billing, lead: "jonah@demo.example", manager: "tomasz@demo.example"},
	{key: technical, lead: "aiko@demo.example", manager: "admin@demo.example"},
}

// agent is a demo agent as created.
type agent struct {
	id          int64
	name, first string
	role        tend.Role
}

// as returns ctx acting as a.
func (a *agent) as(ctx context.Context) context.Context {
	return tend.NewContextWithPrincipal(ctx, tend.Principal{AgentID: a.id, Role: a.role})
}

// team is a demo team as created, with who works its queue.
type team struct {
	id            int64
	key           teamKey
	lead, manager *agent
	workers       []*agent // members who answer tickets, lead included
}

// desk is what set-up created and the tickets refer to.
type desk struct {
	admin     *agent
	teams     map[teamKey]*team
	customers []*customer
}

// setUp opens the help desk at the given time: staff, teams,
// organizations and the customers no address links to one.
func setUp(ctx context.Context, s Services, at time.Time) (*desk, error) {
	agents, err := createStaff(tend.NewContextWithTime(ctx, at), s)
	if err != nil {
		return nil, err
	}
	admin := agents[staff[0].email]
	teamsAt := tend.NewContextWithTime(ctx, at.Add(20*time.Minute))
	d := &desk{teams: map[teamKey]*team{}}
	for _, spec := range teams {
		t, err := createTeam(teamsAt, s, agents, spec)
		if err != nil {
			return nil, err
		}
		d.teams[spec.key] = t
	}
	d.admin = admin
	manager := agents[staff[1].email] // sets up the business accounts
	if d.customers, err = createCustomers(manager.as(tend.NewContextWithTime(ctx, at.Add(90*time.Minute))), s); err != nil {
		return nil, err
	}
	return d, nil
}

// createStaff creates the admin as Tend itself, as the first-run setup
// does, and the others as the admin. Password hashing makes this the slow
// part of set-up, yet hashing one after another is fastest: each hash
// fills 19 MiB, and several at once only fight over memory.
func createStaff(ctx context.Context, s Services) (map[string]*agent, error) {
	agents := map[string]*agent{}
	by := tend.SystemContext(ctx)
	for _, m := range staff {
		a, err := s.Agents.CreateAgent(by, &tend.AgentCreate{Name: m.name, Email: m.email, Role: m.role, Password: Password})
		if err != nil {
			return nil, fmt.Errorf("create agent %s: %w", m.email, err)
		}
		agents[m.email] = &agent{id: a.ID, name: a.Name, first: firstName(a.Name), role: a.Role}
		if len(agents) == 1 {
			by = agents[m.email].as(ctx)
		}
	}
	return agents, nil
}

func createTeam(ctx context.Context, s Services, agents map[string]*agent, spec teamSpec) (*team, error) {
	t, ids := newTeam(spec, agents)
	created, err := s.Teams.CreateTeam(agents[staff[0].email].as(ctx), &tend.TeamCreate{Name: string(spec.key),
		LeadID: &t.lead.id, ManagerID: &t.manager.id, MemberIDs: ids})
	if err != nil {
		return nil, fmt.Errorf("create team %s: %w", spec.key, err)
	}
	t.id = created.ID
	return t, nil
}

// newTeam returns the team spec describes and the ids of its members.
func newTeam(spec teamSpec, agents map[string]*agent) (*team, []int64) {
	t := &team{key: spec.key, lead: agents[spec.lead], manager: agents[spec.manager]}
	var ids []int64
	for _, m := range staff {
		if slices.Contains(m.teams, spec.key) {
			ids = append(ids, agents[m.email].id)
			t.workers = append(t.workers, agents[m.email])
		}
	}
	return t, ids
}
