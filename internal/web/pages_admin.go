package web

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// Settings for admins: agents (invitations, roles, deactivation with a
// handover of open tickets), teams and API tokens. Mail has its own file.
// Invited agents set their password at /invite, signed out.

func (s *Server) adminRoutes(mux *http.ServeMux, forms func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("GET /settings/agents", s.agentsSettings)
	mux.Handle("POST /settings/agents", forms(s.inviteAgentForm))
	mux.Handle("POST /settings/agents/{id}/role", forms(s.agentRoleForm))
	mux.Handle("POST /settings/agents/{id}/invitation", forms(s.newInvitationForm))
	mux.HandleFunc("GET /settings/agents/{id}/deactivate", s.deactivateAgentPage)
	mux.Handle("POST /settings/agents/{id}/deactivate", forms(s.deactivateAgentForm))
	mux.Handle("POST /settings/agents/{id}/reactivate", forms(s.reactivateAgentForm))
	mux.HandleFunc("GET /invite", s.invitationPage)
	mux.Handle("POST /invite", forms(s.acceptInvitationForm))
	mux.HandleFunc("GET /settings/teams", s.teamsSettings)
	mux.Handle("POST /settings/teams", forms(s.createTeamForm))
	mux.HandleFunc("GET /settings/teams/{id}", s.teamEditPage)
	mux.Handle("POST /settings/teams/{id}", forms(s.updateTeamForm))
	mux.HandleFunc("GET /settings/tokens", s.tokensSettings)
	mux.Handle("POST /settings/tokens", forms(s.createTokenForm))
	mux.Handle("POST /settings/tokens/{id}/revoke", forms(s.revokeTokenForm))
}

// adminForm is adminPage for form posts: it also bounds the body and
// checks the form's CSRF token.
func (s *Server) adminForm(w http.ResponseWriter, r *http.Request, title string) (*tend.Agent, context.Context, bool) {
	agent, ctx, ok := s.adminPage(w, r, title)
	if !ok {
		return nil, nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if !checkCSRF(r) {
		s.render(w, http.StatusForbidden, "message", messagePage{basePage: s.base(w, r, "Form expired", agent),
			Message: "The form expired. Go back, reload the page and try again."})
		return nil, nil, false
	}
	return agent, ctx, true
}

// adminPathID reads the {id} of the path; a malformed one is a page not found.
func adminPathID(r *http.Request, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, tend.Errorf(tend.ENOTFOUND, "There is no such %s.", what)
	}
	return id, nil
}

// allAgents reads every agent, active or not, in id order.
func (s *Server) allAgents(ctx context.Context) ([]*tend.Agent, error) {
	var all []*tend.Agent
	f := tend.AgentFilter{Limit: tend.MaxPageSize}
	for {
		list, next, err := s.Agents.FindAgents(ctx, f)
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
		if next == "" {
			return all, nil
		}
		f.Cursor = next
	}
}

// agentsByID indexes agents by id.
func agentsByID(agents []*tend.Agent) map[int64]*tend.Agent {
	m := make(map[int64]*tend.Agent, len(agents))
	for _, a := range agents {
		m[a.ID] = a
	}
	return m
}

// Agents.

type agentsPage struct {
	basePage
	Rows    []agentRow
	Roles   []tend.Role
	Form    inviteForm
	Invited *invitedLink
	// RetryInvite is the agent whose invitation could not be made, to
	// offer trying again.
	RetryInvite int64
	Notice      string
	Error       string
}

type agentRow struct {
	*tend.Agent
	Teams      []string
	Self       bool
	Invitation *tend.Invitation
	Expired    bool
	ExpiresIn  string // how long the invitation has left, as people say it
}

// inviteForm is what the invitation form was sent with.
type inviteForm struct {
	Name, Email string
	Role        tend.Role
	Fields      map[string]string // problems by field
}

// invitedLink is an invitation just made: its secret is in URL and is
// shown this once.
type invitedLink struct {
	Name, Email, URL string
	Expires          time.Time
}

var agentNotices = map[string]string{
	"role":        "The role was saved.",
	"deactivated": "The agent was deactivated; their unsolved tickets now belong to the agent you chose.",
	"reactivated": "The agent was reactivated and can sign in again.",
}

func (s *Server) agentsSettings(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "Agents")
	if !ok {
		return
	}
	page := agentsPage{basePage: s.base(w, r, "Agents", agent), Form: inviteForm{Role: tend.RoleAgent},
		Notice: agentNotices[r.URL.Query().Get("done")]}
	s.renderAgents(w, r, ctx, http.StatusOK, &page)
}

// renderAgents fills in the list of the agents page and renders it.
func (s *Server) renderAgents(w http.ResponseWriter, r *http.Request, ctx context.Context, status int, page *agentsPage) {
	page.Roles = tend.Roles
	agents, err := s.allAgents(ctx)
	var teams []*tend.Team
	var invitations []*tend.Invitation
	if err == nil {
		if teams, err = s.Teams.FindTeams(ctx); err == nil {
			invitations, err = s.Agents.FindInvitations(ctx)
		}
	}
	if err != nil {
		s.pageError(w, r, page.Agent, err)
		return
	}
	teamNames := map[int64]string{}
	for _, t := range teams {
		teamNames[t.ID] = t.Name
	}
	invited := map[int64]*tend.Invitation{}
	for _, i := range invitations {
		invited[i.AgentID] = i
	}
	now := time.Now()
	page.Rows = page.Rows[:0]
	for _, a := range agents {
		row := agentRow{Agent: a, Self: a.ID == page.Agent.ID}
		for _, id := range a.TeamIDs {
			row.Teams = append(row.Teams, teamNames[id])
		}
		if i := invited[a.ID]; i != nil && a.Active {
			row.Invitation, row.Expired, row.ExpiresIn = i, i.Expired(now), timeLeft(i.ExpiresAt.Sub(now))
		}
		page.Rows = append(page.Rows, row)
	}
	// Active staff first, each group by name.
	slices.SortStableFunc(page.Rows, func(a, b agentRow) int {
		if a.Active != b.Active {
			if a.Active {
				return -1
			}
			return 1
		}
		return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	s.render(w, status, "agents", page)
}

// timeLeft writes a duration to come, rounded to the unit people would
// use: a link made a minute ago has 7 days left, not 6.
func timeLeft(d time.Duration) string {
	switch {
	case d >= 36*time.Hour:
		return plural(int((d+12*time.Hour)/(24*time.Hour)), "day")
	case d >= 90*time.Minute:
		return plural(int((d+30*time.Minute)/time.Hour), "hour")
	}
	return plural(max(1, int(d/time.Minute)), "minute")
}

// invitationURL is the link that spends secret.
func (s *Server) invitationURL(r *http.Request, secret string) string {
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/invite?token=" + url.QueryEscape(secret)
}

// inviteAgentForm adds an agent without a password and shows the link with
// which they choose one. The link is in the answer to the post only, never
// in a URL the browser keeps.
func (s *Server) inviteAgentForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Agents")
	if !ok {
		return
	}
	form := inviteForm{Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")),
		Role: tend.Role(r.PostFormValue("role"))}
	page := agentsPage{basePage: s.base(w, r, "Agents", agent), Form: form}
	invited, err := s.Agents.CreateAgent(ctx, &tend.AgentCreate{Name: form.Name, Email: form.Email, Role: form.Role})
	if err != nil {
		page.Error, page.Form.Fields = tend.ErrorMessage(err), tend.ErrorFields(err)
		s.renderAgents(w, r, ctx, httpStatus(err), &page)
		return
	}
	page.Form = inviteForm{Role: tend.RoleAgent}
	s.showInvitation(w, r, ctx, &page, invited)
}

// showInvitation makes a new invitation for invited and renders the agents
// page with its link.
func (s *Server) showInvitation(w http.ResponseWriter, r *http.Request, ctx context.Context, page *agentsPage, invited *tend.Agent) {
	secret, err := s.Agents.CreateInvitation(ctx, invited.ID)
	if err != nil {
		page.Error = invited.Name + " has no invitation link: " + tend.ErrorMessage(err)
		page.RetryInvite = invited.ID
		s.renderAgents(w, r, ctx, httpStatus(err), page)
		return
	}
	page.Invited = &invitedLink{Name: invited.Name, Email: invited.Email, URL: s.invitationURL(r, secret),
		Expires: time.Now().Add(tend.InvitationTTL)}
	s.renderAgents(w, r, ctx, http.StatusOK, page)
}

// newInvitationForm replaces an agent's invitation link, for one that
// expired or went astray.
func (s *Server) newInvitationForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Agents")
	if !ok {
		return
	}
	id, err := adminPathID(r, "agent")
	var invited *tend.Agent
	if err == nil {
		invited, err = s.Agents.FindAgentByID(ctx, id)
	}
	if err != nil {
		s.formError(w, r, agent, err, "/settings/agents")
		return
	}
	page := agentsPage{basePage: s.base(w, r, "Agents", agent), Form: inviteForm{Role: tend.RoleAgent}}
	s.showInvitation(w, r, ctx, &page, invited)
}

func (s *Server) agentRoleForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Agents")
	if !ok {
		return
	}
	id, err := adminPathID(r, "agent")
	if err == nil {
		role := tend.Role(r.PostFormValue("role"))
		_, err = s.Agents.UpdateAgent(ctx, id, &tend.AgentUpdate{Role: &role})
	}
	if err != nil {
		page := agentsPage{basePage: s.base(w, r, "Agents", agent), Form: inviteForm{Role: tend.RoleAgent},
			Error: tend.ErrorMessage(err)}
		s.renderAgents(w, r, ctx, httpStatus(err), &page)
		return
	}
	http.Redirect(w, r, "/settings/agents?done=role", http.StatusSeeOther)
}

func (s *Server) reactivateAgentForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Agents")
	if !ok {
		return
	}
	id, err := adminPathID(r, "agent")
	if err == nil {
		_, err = s.Agents.UpdateAgent(ctx, id, &tend.AgentUpdate{Active: new(true)})
	}
	if err != nil {
		s.formError(w, r, agent, err, "/settings/agents")
		return
	}
	http.Redirect(w, r, "/settings/agents?done=reactivated", http.StatusSeeOther)
}

// The deactivation page asks who takes over the agent's unsolved tickets.

type deactivatePage struct {
	basePage
	Target     *tend.Agent
	Successors []*tend.Agent
	Open       []*tend.Ticket // the first few of them
	OpenCount  int
	Successor  int64
	Problem    string // beside the successor field
	Error      string
}

// unsolvedStatuses lists the statuses of tickets that still need their owner.
func unsolvedStatuses() []tend.Status {
	return slices.DeleteFunc(slices.Clone(tend.Statuses), func(st tend.Status) bool { return !st.Unsolved() })
}

// deactivatePageOf reads what the deactivation page of agent id shows.
func (s *Server) deactivatePageOf(ctx context.Context, w http.ResponseWriter, r *http.Request, agent *tend.Agent) (*deactivatePage, error) {
	id, err := adminPathID(r, "agent")
	if err != nil {
		return nil, err
	}
	target, err := s.Agents.FindAgentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	page := &deactivatePage{basePage: s.base(w, r, "Deactivate "+target.Name, agent), Target: target}
	f := tend.TicketFilter{OwnerID: &id, Statuses: unsolvedStatuses(), Sort: tend.SortUpdatedDesc, Limit: 10}
	if page.OpenCount, err = s.Tickets.CountTickets(ctx, f); err != nil {
		return nil, err
	}
	if page.Open, _, err = s.Tickets.FindTickets(ctx, f); err != nil {
		return nil, err
	}
	agents, err := s.allAgents(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range agents {
		if a.Active && a.ID != id {
			page.Successors = append(page.Successors, a)
		}
	}
	slices.SortFunc(page.Successors, func(a, b *tend.Agent) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	return page, nil
}

func (s *Server) deactivateAgentPage(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "Deactivate")
	if !ok {
		return
	}
	page, err := s.deactivatePageOf(ctx, w, r, agent)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	s.render(w, http.StatusOK, "agent_deactivate", page)
}

func (s *Server) deactivateAgentForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Deactivate")
	if !ok {
		return
	}
	page, err := s.deactivatePageOf(ctx, w, r, agent)
	if err != nil {
		s.formError(w, r, agent, err, "/settings/agents")
		return
	}
	page.Successor, _ = strconv.ParseInt(r.PostFormValue("successor_id"), 10, 64)
	// Which tickets move, so that pages showing them hear of it. Read
	// before the change; a ticket that changes in between is told about
	// needlessly or not at all, and is right on its next load either way.
	moving := s.ownedUnsolved(ctx, page.Target.ID)
	if _, err := s.Agents.DeactivateAgent(ctx, page.Target.ID, page.Successor); err != nil {
		if httpStatus(err) >= 500 {
			s.Logger.Error("deactivate agent", "agent_id", page.Target.ID, "err", err)
		}
		page.Error, page.Problem = tend.ErrorMessage(err), tend.ErrorFields(err)["successor_id"]
		s.render(w, httpStatus(err), "agent_deactivate", page)
		return
	}
	for _, t := range moving {
		s.TicketChanged(tend.TicketChange{TicketID: t.ID, Kind: tend.EventOwnerChanged, Channel: t.Channel})
	}
	http.Redirect(w, r, "/settings/agents?done=deactivated", http.StatusSeeOther)
}

// ownedUnsolved returns the unsolved tickets an agent owns, as far as they
// can be read.
func (s *Server) ownedUnsolved(ctx context.Context, id int64) []*tend.Ticket {
	var all []*tend.Ticket
	f := tend.TicketFilter{OwnerID: &id, Statuses: unsolvedStatuses(), Limit: tend.MaxPageSize}
	for {
		list, next, err := s.Tickets.FindTickets(ctx, f)
		if err != nil {
			s.Logger.Warn("list tickets to hand over", "agent_id", id, "err", err)
			return all
		}
		all = append(all, list...)
		if next == "" {
			return all
		}
		f.Cursor = next
	}
}

// The invitation link: signed out, the secret is the proof.

type invitePage struct {
	basePage
	Valid       bool
	Token       string
	Name, Email string
	MinPassword int
	Fields      map[string]string
	Error       string
}

func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	page := invitePage{basePage: s.base(w, r, "Join", nil), Token: token, MinPassword: tend.MinPasswordLength}
	invited, err := s.Agents.CheckInvitation(r.Context(), token)
	if err != nil {
		page.Error = tend.ErrorMessage(err)
		s.render(w, httpStatus(err), "invite", page)
		return
	}
	page.Valid, page.Name, page.Email = true, invited.Name, invited.Email
	s.render(w, http.StatusOK, "invite", page)
}

func (s *Server) acceptInvitationForm(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	token := r.PostFormValue("token")
	page := invitePage{basePage: s.base(w, r, "Join", nil), Token: token, MinPassword: tend.MinPasswordLength}
	if !checkCSRF(r) {
		page.Error = "The form expired. Please open the invitation link again."
		s.render(w, http.StatusForbidden, "invite", page)
		return
	}
	invited, err := s.Agents.CheckInvitation(r.Context(), token)
	if err != nil {
		page.Error = tend.ErrorMessage(err)
		s.render(w, httpStatus(err), "invite", page)
		return
	}
	page.Valid, page.Name, page.Email = true, invited.Name, invited.Email
	password := r.PostFormValue("password")
	if password != r.PostFormValue("confirm") {
		page.Fields = map[string]string{"confirm": "does not match the password"}
		page.Error = "The two passwords differ; type the same one twice."
		s.render(w, http.StatusBadRequest, "invite", page)
		return
	}
	agent, err := s.Agents.AcceptInvitation(r.Context(), token, password)
	if err != nil {
		page.Error, page.Fields = tend.ErrorMessage(err), tend.ErrorFields(err)
		page.Valid = tend.ErrorCode(err) == tend.EINVALID
		s.render(w, httpStatus(err), "invite", page)
		return
	}
	s.Logger.Info("invitation accepted", "agent_id", agent.ID)
	if err := s.startSession(w, r, agent); err != nil {
		s.Logger.Error("start session", "err", err)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/tickets", http.StatusSeeOther)
}

// Teams.

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

// readTeamForm reads the posted team form.
func readTeamForm(r *http.Request) teamForm {
	f := teamForm{Name: strings.TrimSpace(r.PostFormValue("name")), Members: map[int64]bool{}}
	f.LeadID, _ = strconv.ParseInt(r.PostFormValue("lead_id"), 10, 64)
	f.ManagerID, _ = strconv.ParseInt(r.PostFormValue("manager_id"), 10, 64)
	for _, v := range r.PostForm["member_ids"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			f.Members[id] = true
		}
	}
	return f
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

func (s *Server) createTeamForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Teams")
	if !ok {
		return
	}
	form := readTeamForm(r)
	_, err := s.Teams.CreateTeam(ctx, &tend.TeamCreate{Name: form.Name, LeadID: tend.OptionalID(form.LeadID),
		ManagerID: tend.OptionalID(form.ManagerID), MemberIDs: form.memberIDs()})
	if err != nil {
		form.Fields = tend.ErrorFields(err)
		page := teamsPage{basePage: s.base(w, r, "Teams", agent), Form: form, Error: tend.ErrorMessage(err)}
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
	id, err := adminPathID(r, "team")
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
	form, was := readTeamForm(r), teamFormOf(team)
	form.ID = team.ID
	u := &tend.TeamUpdate{Name: &form.Name, MemberIDs: new(form.memberIDs())}
	// Send only what changed: a lead deactivated since keeps their place
	// until someone is chosen instead, rather than failing every save.
	if form.LeadID != was.LeadID {
		u.LeadID = &form.LeadID
	}
	if form.ManagerID != was.ManagerID {
		u.ManagerID = &form.ManagerID
	}
	if _, err := s.Teams.UpdateTeam(ctx, team.ID, u); err != nil {
		form.Fields = tend.ErrorFields(err)
		s.render(w, httpStatus(err), "team", teamPage{basePage: s.base(w, r, team.Name, agent),
			Agents: teamChoices(agents, form), Form: form, Error: tend.ErrorMessage(err)})
		return
	}
	http.Redirect(w, r, "/settings/teams?done=saved", http.StatusSeeOther)
}

// API tokens.

type tokensPage struct {
	basePage
	Active  []tokenRow
	Revoked []tokenRow
	Agents  []*tend.Agent // who a new token may be for
	Form    tokenForm
	Created *newTokenNotice
	Notice  string
	Error   string
}

type tokenRow struct {
	*tend.Token
	Owner string
}

type tokenForm struct {
	Name    string
	AgentID int64
	Fields  map[string]string
}

// newTokenNotice is a token just made, with its secret, shown this once.
type newTokenNotice struct {
	Name, Owner, Secret string
}

var tokenNotices = map[string]string{"revoked": "The token was revoked; requests with it are refused from now on."}

func (s *Server) tokensSettings(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "API tokens")
	if !ok {
		return
	}
	page := tokensPage{basePage: s.base(w, r, "API tokens", agent), Form: tokenForm{AgentID: agent.ID},
		Notice: tokenNotices[r.URL.Query().Get("done")]}
	s.renderTokens(w, r, ctx, http.StatusOK, &page)
}

// renderTokens lists every agent's tokens, newest first, and renders the
// page.
func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, ctx context.Context, status int, page *tokensPage) {
	agents, err := s.allAgents(ctx)
	if err != nil {
		s.pageError(w, r, page.Agent, err)
		return
	}
	var rows []tokenRow
	for _, a := range agents {
		tokens, err := s.Tokens.FindTokens(ctx, a.ID)
		if err != nil {
			s.pageError(w, r, page.Agent, err)
			return
		}
		for _, t := range tokens {
			rows = append(rows, tokenRow{Token: t, Owner: a.Name})
		}
		if a.Active {
			page.Agents = append(page.Agents, a)
		}
	}
	slices.SortFunc(rows, func(a, b tokenRow) int { return cmp.Compare(b.ID, a.ID) })
	page.Active, page.Revoked = nil, nil
	for _, row := range rows {
		if row.RevokedAt == nil {
			page.Active = append(page.Active, row)
		} else {
			page.Revoked = append(page.Revoked, row)
		}
	}
	slices.SortFunc(page.Agents, func(a, b *tend.Agent) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
	s.render(w, status, "tokens", page)
}

// createTokenForm makes a token and shows its secret in the answer to the
// post: the only time anyone sees it.
func (s *Server) createTokenForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "API tokens")
	if !ok {
		return
	}
	form := tokenForm{Name: strings.TrimSpace(r.PostFormValue("name"))}
	form.AgentID, _ = strconv.ParseInt(r.PostFormValue("agent_id"), 10, 64)
	page := tokensPage{basePage: s.base(w, r, "API tokens", agent), Form: form}
	tok, secret, err := s.Tokens.CreateToken(ctx, &tend.TokenCreate{AgentID: form.AgentID, Name: form.Name})
	if err != nil {
		page.Error, page.Form.Fields = tend.ErrorMessage(err), tend.ErrorFields(err)
		s.renderTokens(w, r, ctx, httpStatus(err), &page)
		return
	}
	owner := agent.Name
	if tok.AgentID != agent.ID {
		if a, err := s.Agents.FindAgentByID(ctx, tok.AgentID); err == nil {
			owner = a.Name
		}
	}
	page.Created = &newTokenNotice{Name: tok.Name, Owner: owner, Secret: secret}
	page.Form = tokenForm{AgentID: agent.ID}
	s.renderTokens(w, r, ctx, http.StatusOK, &page)
}

func (s *Server) revokeTokenForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "API tokens")
	if !ok {
		return
	}
	id, err := adminPathID(r, "token")
	if err == nil {
		err = s.Tokens.RevokeToken(ctx, id)
	}
	if err != nil {
		s.formError(w, r, agent, err, "/settings/tokens")
		return
	}
	http.Redirect(w, r, "/settings/tokens?done=revoked", http.StatusSeeOther)
}
