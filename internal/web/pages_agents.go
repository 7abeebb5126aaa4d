package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tendhq/tend"
)

// Settings → Agents: the staff list, invitations, roles, and deactivation
// with a handover of open tickets. Invited agents set their password at
// /invite, signed out.

// invitationForms remembers, for a while, which invitation forms made a
// link: the browser sends a form again when its answer is reloaded, and a
// second link would make the one just mailed useless. The link itself is
// not kept: it is shown once.
type invitationForms struct {
	mu   sync.Mutex
	made map[string]madeInvitation
}

type madeInvitation struct {
	name, mailedTo string
	at             time.Time
}

// invitationFormsFor is how long a form's answer may be reloaded.
const invitationFormsFor = time.Hour

func (f *invitationForms) remember(key string, m madeInvitation) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.made == nil {
		f.made = map[string]madeInvitation{}
	}
	for k, old := range f.made {
		if m.at.Sub(old.at) > invitationFormsFor {
			delete(f.made, k)
		}
	}
	f.made[key] = m
}

func (f *invitationForms) find(key string) (madeInvitation, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.made[key]
	return m, ok && time.Since(m.at) <= invitationFormsFor
}

// sentAgain answers a form that made a link already, and reports whether
// it did.
func (s *Server) sentAgain(w http.ResponseWriter, r *http.Request, ctx context.Context, page *agentsPage) bool {
	key := r.PostFormValue("key")
	m, ok := s.invitations.find(key)
	if key == "" || !ok {
		return false
	}
	page.Notice = "This form made " + m.name + "'s link already"
	if m.mailedTo != "" {
		page.Notice += " and mailed it to " + m.mailedTo
	}
	page.Notice += "; sending it again made no other. For a new link, use New link."
	s.renderAgents(w, r, ctx, http.StatusOK, page)
	return true
}

type agentsPage struct {
	basePage
	// Key marks the page's invitation forms, sent once.
	Key     string
	Rows    []agentRow
	Roles   []tend.Role
	Teams   []*tend.Team // for the invitation's teams
	Form    inviteForm
	Invited *invitedLink
	// RetryInvite is the agent whose invitation could not be made, to
	// offer trying again, and RetryMail whether to mail that one.
	RetryInvite int64
	RetryMail   bool
	// CanMail says the desk has a mailbox to mail invitations from: the
	// forms then offer it, ticked.
	CanMail bool
	// NoAddress says Tend does not know its address, which invitation
	// links need.
	NoAddress bool
	Notice    string
	Error     string
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
	TeamIDs     []int64           // the teams they join
	Mail        bool              // mail them the link
	Sent        bool              // the form was sent, so Mail is the admin's
	Fields      map[string]string // problems by field
}

// InTeam reports whether the form puts them in team id.
func (f inviteForm) InTeam(id int64) bool { return slices.Contains(f.TeamIDs, id) }

// invitedLink is an invitation just made: its secret is in URL and is
// shown this once.
type invitedLink struct {
	Name, Email, URL string
	Expires          time.Time
	// MailedTo is where the link is being mailed; NotMailed why it is
	// not, when mailing it was asked.
	MailedTo, NotMailed string
}

var agentNotices = map[string]string{
	"role":        "The role was saved.",
	"deactivated": "The agent was deactivated; their unsolved tickets now belong to the agent you chose.",
	"reactivated": "The agent was reactivated and can sign in again. Their old API tokens stay revoked; make new ones if they need them.",
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
	page.Roles, page.Key = tend.Roles, rand.Text()
	if _, err := s.baseURL(ctx); tend.ErrorCode(err) == tend.ECONFLICT {
		page.NoAddress = true
	}
	agents, err := s.allAgents(ctx)
	if err == nil {
		page.CanMail, err = s.canMailInvitations(ctx)
	}
	if !page.Form.Sent {
		page.Form.Mail = page.CanMail
	}
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
	page.Teams = teams
	teamNames := map[int64]string{}
	for _, t := range teams {
		teamNames[t.ID] = t.Name
	}
	invited := map[int64]*tend.Invitation{}
	for _, i := range invitations {
		invited[i.AgentID] = i
	}
	now := s.Clock.Now()
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

// canMailInvitations reports whether the desk has a mailbox with an
// address to mail invitations from.
func (s *Server) canMailInvitations(ctx context.Context) (bool, error) {
	list, err := s.Mailboxes.FindMailboxes(ctx)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(list, func(m *tend.Mailbox) bool { return m.Address != "" }), nil
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
		Role: tend.Role(r.PostFormValue("role")), Mail: r.PostFormValue("mail") != "", Sent: true}
	ids := newFormIDs(r)
	form.TeamIDs = ids.all("team_ids", "a team")
	page := agentsPage{basePage: s.base(w, r, "Agents", agent), Form: form}
	if s.sentAgain(w, r, ctx, &page) {
		return
	}
	// Without its own address Tend cannot make the link; nobody is added
	// who could not be sent one.
	err := ids.err()
	if err == nil {
		_, err = s.baseURL(ctx)
	}
	var invited *tend.Agent
	if err == nil {
		invited, err = s.Agents.CreateAgent(ctx, &tend.AgentCreate{Name: form.Name, Email: form.Email, Role: form.Role, TeamIDs: form.TeamIDs})
	}
	if err != nil {
		page.Error, page.Form.Fields = formProblem(err, "name", "email", "role", "team_ids"), tend.ErrorFields(err)
		s.renderAgents(w, r, ctx, httpStatus(err), &page)
		return
	}
	page.Form = inviteForm{Role: tend.RoleAgent}
	s.showInvitation(w, r, ctx, &page, invited, form.Mail)
}

// showInvitation makes a new invitation for invited, mailed to them with
// mail, and renders the agents page with its link. The link is built on
// the help desk's own address (Server.baseURL): the admin may send it on,
// and the Host of the admin's request is not what the invited person must
// trust.
func (s *Server) showInvitation(w http.ResponseWriter, r *http.Request, ctx context.Context, page *agentsPage, invited *tend.Agent, mail bool) {
	base, err := s.baseURL(ctx)
	var made *tend.NewInvitation
	if err == nil {
		made, err = s.Agents.CreateInvitation(ctx, invited.ID, mail)
	}
	if err != nil {
		page.Error = invited.Name + " has no invitation link: " + formProblem(err)
		page.RetryInvite, page.RetryMail = invited.ID, mail
		s.renderAgents(w, r, ctx, httpStatus(err), page)
		return
	}
	page.Invited = &invitedLink{Name: invited.Name, Email: invited.Email, URL: tend.InvitationURL(base, made.Secret),
		Expires: made.ExpiresAt, MailedTo: made.MailedTo, NotMailed: made.NotMailed}
	if key := r.PostFormValue("key"); key != "" {
		s.invitations.remember(key, madeInvitation{name: invited.Name, mailedTo: made.MailedTo, at: time.Now()})
	}
	s.renderAgents(w, r, ctx, http.StatusOK, page)
}

// newInvitationForm replaces an agent's invitation link, for one that
// expired or went astray.
func (s *Server) newInvitationForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Agents")
	if !ok {
		return
	}
	id, err := pathID(r, "agent")
	var invited *tend.Agent
	if err == nil {
		invited, err = s.Agents.FindAgentByID(ctx, id)
	}
	if err != nil {
		s.formError(w, r, agent, err, "/settings/agents")
		return
	}
	page := agentsPage{basePage: s.base(w, r, "Agents", agent), Form: inviteForm{Role: tend.RoleAgent}}
	if s.sentAgain(w, r, ctx, &page) {
		return
	}
	s.showInvitation(w, r, ctx, &page, invited, r.PostFormValue("mail") != "")
}

func (s *Server) agentRoleForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Agents")
	if !ok {
		return
	}
	id, err := pathID(r, "agent")
	if err == nil {
		role := tend.Role(r.PostFormValue("role"))
		_, err = s.Agents.UpdateAgent(ctx, id, &tend.AgentUpdate{Role: &role})
	}
	if err != nil {
		page := agentsPage{basePage: s.base(w, r, "Agents", agent), Form: inviteForm{Role: tend.RoleAgent},
			Error: formProblem(err)}
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
	id, err := pathID(r, "agent")
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

// deactivatePageOf reads what the deactivation page of agent id shows.
func (s *Server) deactivatePageOf(ctx context.Context, w http.ResponseWriter, r *http.Request, agent *tend.Agent) (*deactivatePage, error) {
	id, err := pathID(r, "agent")
	if err != nil {
		return nil, err
	}
	target, err := s.Agents.FindAgentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	page := &deactivatePage{basePage: s.base(w, r, "Deactivate "+target.Name, agent), Target: target}
	f := tend.TicketFilter{OwnerID: &id, Statuses: tend.UnsolvedStatuses, Sort: tend.SortUpdatedDesc, Limit: 10}
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
		if a.Assignable() && a.ID != id {
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
	ids := newFormIDs(r)
	page.Successor = ids.one("successor_id", "who takes over")
	err = ids.err()
	if err == nil {
		_, err = s.Agents.DeactivateAgent(ctx, page.Target.ID, page.Successor)
	}
	if err != nil {
		if httpStatus(err) >= 500 {
			s.Logger.Error("deactivate agent", "agent_id", page.Target.ID, "err", err)
		}
		page.Error, page.Problem = formProblem(err, "successor_id"), tend.ErrorFields(err)["successor_id"]
		s.render(w, httpStatus(err), "agent_deactivate", page)
		return
	}
	http.Redirect(w, r, "/settings/agents?done=deactivated", http.StatusSeeOther)
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
		page.Error, page.Fields = formProblem(err, "password", "confirm"), tend.ErrorFields(err)
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
