package sqldb_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestSLAPolicies(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		policies := sqldb.NewSLAPolicyService(db)
		lead := e.mustAgent(t, "lee", tend.RoleLead)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)

		list, err := policies.FindSLAPolicies(as(ann))
		if err != nil || len(list) != 1 || !list[0].Default || list[0].ID != 1 || list[0].CalendarID != 1 || list[0].Conditions.Tags == nil {
			t.Fatalf("policies of a new desk: %+v, %v", list, err)
		}
		if _, err := policies.FindSLAPolicies(asCustomer(1)); err == nil {
			t.Error("a customer reads the policies")
		}
		team, err := e.teams.CreateTeam(system, &tend.TeamCreate{Name: "Billing"})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := sqldb.NewFieldService(db).CreateField(system, &tend.FieldInput{Key: "plan", Label: "Plan", Type: tend.FieldChoice, Choices: []string{"Basic", "Pro"}})
		if err != nil {
			t.Fatal(err)
		}
		vip := &tend.SLAPolicyInput{Name: "Pro customers", Position: 2, CalendarID: 1,
			Conditions: tend.PolicyConditions{TeamIDs: []int64{team.ID}, Tags: []string{"Big Deal"}, Fields: map[string][]string{plan.Key: {"pro"}}},
			Targets:    tend.Targets{FirstResponse: ptr(60), Resolution: ptr(480)}}
		if _, err := policies.CreateSLAPolicy(as(ann), vip); tend.ErrorCode(err) != tend.EFORBIDDEN {
			t.Fatalf("an agent makes a policy: %v", err)
		}
		p2, err := policies.CreateSLAPolicy(as(lead), vip)
		if err != nil {
			t.Fatal(err)
		}
		if got := p2.Conditions; got.Tags[0] != "big-deal" || got.Fields["plan"][0] != "Pro" || got.Priorities == nil {
			t.Errorf("conditions as stored: %+v", got)
		}
		p1, err := policies.CreateSLAPolicy(as(lead), &tend.SLAPolicyInput{Name: "Urgent", Position: 1, CalendarID: 1,
			Conditions: tend.PolicyConditions{Priorities: []tend.Priority{tend.PriorityUrgent}}, Targets: tend.Targets{FirstResponse: ptr(30)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := policies.CreateSLAPolicy(as(lead), &tend.SLAPolicyInput{Name: "urgent", CalendarID: 1, Targets: tend.Targets{Resolution: ptr(1)}}); tend.ErrorCode(err) != tend.ECONFLICT {
			t.Errorf("a second policy named urgent: %v", err)
		}
		list, _ = policies.FindSLAPolicies(as(ann))
		if len(list) != 3 || list[0].ID != p1.ID || list[1].ID != p2.ID || !list[2].Default {
			t.Fatalf("the order tried: %v", names(list))
		}

		// The default: its name, targets and calendar change, its
		// conditions stay empty, it cannot be deleted and stays last.
		name, pos := "Everyone else", 0
		def, err := policies.UpdateSLAPolicy(as(lead), 1, &tend.SLAPolicyPatch{Name: &name, Position: &pos, Targets: &tend.Targets{Resolution: ptr(600)}})
		if err != nil || def.Name != name || def.Targets.FirstResponse != nil || *def.Targets.Resolution != 600 || !def.Default {
			t.Fatalf("the default renamed: %+v, %v", def, err)
		}
		cond := tend.PolicyConditions{Channels: []tend.Channel{tend.ChannelEmail}}
		if _, err := policies.UpdateSLAPolicy(as(lead), 1, &tend.SLAPolicyPatch{Conditions: &cond}); tend.ErrorFields(err)["conditions"] == "" {
			t.Errorf("conditions on the default: %v", err)
		}
		if err := policies.DeleteSLAPolicy(as(lead), 1); tend.ErrorCode(err) != tend.EFORBIDDEN || !strings.Contains(tend.ErrorMessage(err), "default") {
			t.Errorf("deleting the default: %v", err)
		}
		if list, _ = policies.FindSLAPolicies(as(ann)); !list[2].Default || list[2].Name != name {
			t.Errorf("after the default's edit: %v", names(list))
		}
		if err := policies.DeleteSLAPolicy(as(ann), p1.ID); tend.ErrorCode(err) != tend.EFORBIDDEN {
			t.Errorf("an agent deletes a policy: %v", err)
		}
		if err := policies.DeleteSLAPolicy(as(lead), p1.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := policies.FindSLAPolicyByID(as(ann), p1.ID); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("a deleted policy: %v", err)
		}
	})
}

func names(list []*tend.SLAPolicy) []string {
	var out []string
	for _, p := range list {
		out = append(out, fmt.Sprintf("%s (%d)", p.Name, p.Position))
	}
	return out
}

// Every bad policy of the issue is refused, naming what to fix, and
// nothing is written.
func TestSLAPolicyBadInput(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		policies := sqldb.NewSLAPolicyService(db)
		lead := e.mustAgent(t, "lee", tend.RoleLead)
		if _, err := sqldb.NewFieldService(db).CreateField(system, &tend.FieldInput{Key: "plan", Label: "Plan", Type: tend.FieldChoice, Choices: []string{"Basic", "Pro"}}); err != nil {
			t.Fatal(err)
		}
		good, err := policies.CreateSLAPolicy(as(lead), &tend.SLAPolicyInput{Name: "Good", CalendarID: 1, Targets: tend.Targets{FirstResponse: ptr(60)}})
		if err != nil {
			t.Fatal(err)
		}
		one := tend.Targets{FirstResponse: ptr(60)}
		cases := []struct {
			name   string
			in     tend.SLAPolicyInput
			field  string
			saying string
		}{
			{"no target", tend.SLAPolicyInput{}, "targets", "at least one"},
			{"a negative target", tend.SLAPolicyInput{Targets: tend.Targets{Resolution: ptr(-5)}}, "targets.resolution", "positive"},
			{"a zero target", tend.SLAPolicyInput{Targets: tend.Targets{Assignment: ptr(0)}}, "targets.assignment", "positive"},
			{"over a year", tend.SLAPolicyInput{Targets: tend.Targets{NextResponse: ptr(tend.MaxTargetMinutes + 1)}}, "targets.next_response", "a year"},
			{"an unknown team", tend.SLAPolicyInput{Targets: one, Conditions: tend.PolicyConditions{TeamIDs: []int64{99}}}, "conditions.team_ids", "team 99 does not exist"},
			{"an unknown organization", tend.SLAPolicyInput{Targets: one, Conditions: tend.PolicyConditions{OrganizationIDs: []int64{42}}}, "conditions.organization_ids", "organization 42 does not exist"},
			{"an unknown calendar", tend.SLAPolicyInput{Targets: one, CalendarID: 77}, "calendar_id", "calendar 77 does not exist"},
			{"no calendar", tend.SLAPolicyInput{Targets: one, CalendarID: -1}, "calendar_id", "required"},
			{"a bad tag", tend.SLAPolicyInput{Targets: one, Conditions: tend.PolicyConditions{Tags: []string{"vip/gold"}}}, "conditions.tags", "vip/gold"},
			{"a bad priority", tend.SLAPolicyInput{Targets: one, Conditions: tend.PolicyConditions{Priorities: []tend.Priority{"asap"}}}, "conditions.priorities", "asap"},
			{"a bad tier", tend.SLAPolicyInput{Targets: one, Conditions: tend.PolicyConditions{Tiers: []tend.Tier{"gold"}}}, "conditions.tiers", "gold"},
			{"a bad channel", tend.SLAPolicyInput{Targets: one, Conditions: tend.PolicyConditions{Channels: []tend.Channel{"pigeon"}}}, "conditions.channels", "pigeon"},
			{"an unknown field", tend.SLAPolicyInput{Targets: one, Conditions: tend.PolicyConditions{Fields: map[string][]string{"colour": {"red"}}}}, "conditions.fields.colour", "not a field"},
			{"a value no choice", tend.SLAPolicyInput{Targets: one, Conditions: tend.PolicyConditions{Fields: map[string][]string{"plan": {"Gold"}}}}, "conditions.fields.plan", "Gold"},
			{"a field without values", tend.SLAPolicyInput{Targets: one, Conditions: tend.PolicyConditions{Fields: map[string][]string{"plan": {}}}}, "conditions.fields.plan", "at least one"},
			{"a position out of range", tend.SLAPolicyInput{Targets: one, Position: -1}, "position", "0 to"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := c.in
				in.Name = "Bad " + c.name
				if in.CalendarID == 0 {
					in.CalendarID = 1
				}
				before, _ := sqldb.CountRows(db, "sla_policies")
				_, err := policies.CreateSLAPolicy(as(lead), &in)
				if got := tend.ErrorFields(err)[c.field]; tend.ErrorCode(err) != tend.EINVALID || !strings.Contains(got, c.saying) {
					t.Fatalf("create: %v; want %s saying %q", err, c.field, c.saying)
				}
				patch := &tend.SLAPolicyPatch{Name: &in.Name, Position: &in.Position, CalendarID: &in.CalendarID, Conditions: &in.Conditions, Targets: &in.Targets}
				if _, err := policies.UpdateSLAPolicy(as(lead), good.ID, patch); tend.ErrorFields(err)[c.field] == "" {
					t.Fatalf("update: %v; want %s", err, c.field)
				}
				if after, _ := sqldb.CountRows(db, "sla_policies"); after != before {
					t.Fatalf("%d policies after the refusal, %d before", after, before)
				}
			})
		}
		if got, _ := policies.FindSLAPolicyByID(as(lead), good.ID); got.Name != "Good" || *got.Targets.FirstResponse != 60 || got.CalendarID != 1 {
			t.Errorf("Good after the refused edits: %+v", got)
		}
	})
}

// A policy open tickets are under cannot be deleted; the refusal says how
// many, and which.
func TestSLAPolicyDeleteInUse(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		policies := sqldb.NewSLAPolicyService(db)
		lead := e.mustAgent(t, "lee", tend.RoleLead)
		p, err := policies.CreateSLAPolicy(as(lead), &tend.SLAPolicyInput{Name: "Phone", CalendarID: 1,
			Conditions: tend.PolicyConditions{Channels: []tend.Channel{tend.ChannelPhone}}, Targets: tend.Targets{FirstResponse: ptr(60)}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		var tickets []*tend.Ticket
		for i := range 12 {
			tk := e.mustTicket(t, as(lead), fmt.Sprintf("Call %d", i), "cy@example.com", "They rang")
			ids, tickets = append(ids, tk.ID), append(tickets, tk)
		}
		if err := sqldb.PutUnderPolicy(db, p.ID, ids...); err != nil {
			t.Fatal(err)
		}
		err = policies.DeleteSLAPolicy(as(lead), p.ID)
		msg := tend.ErrorMessage(err)
		if tend.ErrorCode(err) != tend.ECONFLICT || !strings.Contains(msg, "12 open tickets") ||
			!strings.Contains(msg, fmt.Sprintf("#%d,", tickets[0].Number)) || !strings.Contains(msg, "and 2 more") ||
			strings.Contains(msg, fmt.Sprintf("#%d", tickets[11].Number)) {
			t.Fatalf("deleting a policy in use: %v", err)
		}
		if _, err := policies.FindSLAPolicyByID(as(lead), p.ID); err != nil {
			t.Fatalf("after the refusal: %v", err)
		}
		// Solved, they hold nothing up.
		solved := tend.StatusSolved
		for _, tk := range tickets {
			if _, err := e.tickets.UpdateTicket(as(lead), tk.ID, &tend.TicketUpdate{Status: &solved}); err != nil {
				t.Fatal(err)
			}
		}
		if err := sqldb.PutUnderPolicy(db, p.ID, ids...); err != nil {
			t.Fatal(err)
		}
		if err := policies.DeleteSLAPolicy(as(lead), p.ID); err != nil {
			t.Fatal(err)
		}
		// Their service levels keep naming it, as their history does.
		if got, err := sqldb.PolicyOf(db, ids[0]); err != nil || got != p.ID {
			t.Errorf("a solved ticket of the deleted policy is under policy %d, %v; want %d", got, err, p.ID)
		}
	})
}
