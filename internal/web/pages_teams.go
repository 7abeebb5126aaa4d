package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/tendhq/tend"
)

// Settings → Teams: teams with their lead, manager and members.

type teamsPage struct {
	basePage
	Teams  []teamRow
	Agents []*tend.Agent // who can be chosen: the active, and whoever holds a place now
	Form   teamForm
	Notice string
	Error  string
}

type teamRow struct {
	*tend.Team
	Lead, Manager string
	Members       []string
}

// teamForm is a team's values in the create and edit forms.
type teamForm struct {
	ID                int64
	Name              string
	LeadID, ManagerID int64
	Members           map[int64]bool
	Fields            map[string]string
}

var teamNotices = map[string]string{
	"created": "The team was created.",
	"saved":   "The team was saved.",
}

func (s *Server) teamsSettings(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "Teams")
	if !ok {
		return
	}
	page := teamsPage{basePage: s.base(w, r, "Teams", agent), Notice: teamNotices[r.URL.Query().Get("done")]}
	s.renderTeams(w, r, ctx, http.StatusOK, &page)
}

// teamChoices returns the agents a team form offers: the active ones, and
// inactive ones the form already names so that saving keeps them.
func teamChoices(agents []*tend.Agent, f teamForm) []*tend.Agent {
	var out []*tend.Agent
	for _, a := range agents {
		if a.Active || a.ID == f.LeadID || a.ID == f.ManagerID || f.Members[a.ID] {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b *tend.Agent) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return out
}

func (s *Server) renderTeams(w http.ResponseWriter, r *http.Request, ctx context.Context, status int, page *teamsPage) {
	agents, err := s.allAgents(ctx)
	var teams []*tend.Team
	if err == nil {
		teams, err = s.Teams.FindTeams(ctx)
	}
	if err != nil {
		s.pageError(w, r, page.Agent, err)
		return
	}
	names := agentsByID(agents)
	name := func(id *int64) string {
		if id == nil || names[*id] == nil {
			return ""
		}
		return names[*id].Name
	}
	for _, t := range teams {
		row := teamRow{Team: t, Lead: name(t.LeadID), Manager: name(t.ManagerID)}
		for _, id := range t.MemberIDs {
			row.Members = append(row.Members, name(&id))
		}
		page.Teams = append(page.Teams, row)
	}
	page.Agents = teamChoices(agents, page.Form)
	s.render(w, status, "teams", page)
}

// readTeamForm reads the posted team form; ids that do not parse are
// EINVALID, with the form's other values kept to show again.
func readTeamForm(r *http.Request) (teamForm, error) {
	f := teamForm{Name: strings.TrimSpace(r.PostFormValue("name")), Members: map[int64]bool{}}
	ids := newFormIDs(r)
	f.LeadID, f.ManagerID = ids.one("lead_id", "an agent"), ids.one("manager_id", "an agent")
	for _, id := range ids.all("member_ids", "agents") {
		f.Members[id] = true
	}
	return f, ids.err()
}

// memberIDs returns the form's members in id order.
func (f teamForm) memberIDs() []int64 {
	ids := []int64{}
	for id, on := range f.Members {
		if on {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// teamFields are the fields of the team form that show their problems.
var teamFields = []string{"name", "lead_id", "manager_id", "member_ids"}

func (s *Server) createTeamForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Teams")
	if !ok {
		return
	}
	form, err := readTeamForm(r)
	if err == nil {
		_, err = s.Teams.CreateTeam(ctx, &tend.TeamCreate{Name: form.Name, LeadID: tend.OptionalID(form.LeadID),
			ManagerID: tend.OptionalID(form.ManagerID), MemberIDs: form.memberIDs()})
	}
	if err != nil {
		form.Fields = tend.ErrorFields(err)
		page := teamsPage{basePage: s.base(w, r, "Teams", agent), Form: form, Error: formProblem(err, teamFields...)}
		s.renderTeams(w, r, ctx, httpStatus(err), &page)
		return
	}
	http.Redirect(w, r, "/settings/teams?done=created", http.StatusSeeOther)
}

type teamPage struct {
	basePage
	Agents []*tend.Agent
	Form   teamForm
	Error  string
}

// teamFormOf is the edit form of t as it is.
func teamFormOf(t *tend.Team) teamForm {
	f := teamForm{ID: t.ID, Name: t.Name, Members: map[int64]bool{}}
	if t.LeadID != nil {
		f.LeadID = *t.LeadID
	}
	if t.ManagerID != nil {
		f.ManagerID = *t.ManagerID
	}
	for _, id := range t.MemberIDs {
		f.Members[id] = true
	}
	return f
}

// teamOf reads the team the path names, and every agent.
func (s *Server) teamOf(ctx context.Context, r *http.Request) (*tend.Team, []*tend.Agent, error) {
	id, err := pathID(r, "team")
	if err != nil {
		return nil, nil, err
	}
	team, err := s.Teams.FindTeamByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	agents, err := s.allAgents(ctx)
	return team, agents, err
}

func (s *Server) teamEditPage(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "Team")
	if !ok {
		return
	}
	team, agents, err := s.teamOf(ctx, r)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	form := teamFormOf(team)
	s.render(w, http.StatusOK, "team", teamPage{basePage: s.base(w, r, team.Name, agent), Agents: teamChoices(agents, form), Form: form})
}

func (s *Server) updateTeamForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Team")
	if !ok {
		return
	}
	team, agents, err := s.teamOf(ctx, r)
	if err != nil {
		s.formError(w, r, agent, err, "/settings/teams")
		return
	}
	form, err := readTeamForm(r)
	was := teamFormOf(team)
	form.ID = team.ID
	if err == nil {
		u := &tend.TeamUpdate{Name: &form.Name, MemberIDs: new(form.memberIDs())}
		// Send only what changed: a lead deactivated since keeps their place
		// until someone is chosen instead, rather than failing every save.
		if form.LeadID != was.LeadID {
			u.LeadID = &form.LeadID
		}
		if form.ManagerID != was.ManagerID {
			u.ManagerID = &form.ManagerID
		}
		_, err = s.Teams.UpdateTeam(ctx, team.ID, u)
	}
	if err != nil {
		form.Fields = tend.ErrorFields(err)
		s.render(w, httpStatus(err), "team", teamPage{basePage: s.base(w, r, team.Name, agent),
			Agents: teamChoices(agents, form), Form: form, Error: formProblem(err, teamFields...)})
		return
	}
	http.Redirect(w, r, "/settings/teams?done=saved", http.StatusSeeOther)
}
