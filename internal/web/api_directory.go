package web

import (
	"cmp"
	"fmt"
	"net/http"

	"github.com/tendhq/tend"
)

// The people and structure around tickets: customers, organizations,
// agents, teams, tokens, settings and the audit log.

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := tend.CustomerFilter{Q: q.str("q"), Email: q.str("email"), OrganizationID: q.id("organization_id", false),
		Cursor: q.str("cursor"), Limit: q.limit(tend.MaxPageSize)}
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, next, err := s.Customers.FindCustomers(r.Context(), f)
	respondList(s, w, r, list, next, err)
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) {
	var in tend.CustomerCreate
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	c, err := s.Customers.CreateCustomer(r.Context(), &in)
	respondCreated(s, w, r, c, "customers", idOf(c, func(c *tend.Customer) int64 { return c.ID }), err)
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		c, err := s.Customers.FindCustomerByID(r.Context(), id)
		respond(s, w, r, c, err)
	}
}

type customerPatch struct {
	Name           *string    `json:"name"`
	FirstName      *string    `json:"first_name"`
	Emails         *[]string  `json:"emails"`
	Phone          *string    `json:"phone"`
	OrganizationID nullableID `json:"organization_id"`
	Notes          *string    `json:"notes"`
	TimeZone       *string    `json:"time_zone"`
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in customerPatch
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	c, err := s.Customers.UpdateCustomer(r.Context(), id, &tend.CustomerUpdate{Name: in.Name, FirstName: in.FirstName, Emails: in.Emails,
		Phone: in.Phone, OrganizationID: in.OrganizationID.ptr(), Notes: in.Notes, TimeZone: in.TimeZone})
	respond(s, w, r, c, err)
}

func (s *Server) listOrganizations(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := tend.OrganizationFilter{Q: q.str("q"), Domain: q.str("domain"), Cursor: q.str("cursor"), Limit: q.limit(tend.MaxPageSize)}
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, next, err := s.Organizations.FindOrganizations(r.Context(), f)
	respondList(s, w, r, list, next, err)
}

func (s *Server) createOrganization(w http.ResponseWriter, r *http.Request) {
	var in tend.OrganizationCreate
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	o, err := s.Organizations.CreateOrganization(r.Context(), &in)
	respondCreated(s, w, r, o, "organizations", idOf(o, func(o *tend.Organization) int64 { return o.ID }), err)
}

func (s *Server) getOrganization(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		o, err := s.Organizations.FindOrganizationByID(r.Context(), id)
		respond(s, w, r, o, err)
	}
}

func (s *Server) updateOrganization(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in tend.OrganizationUpdate
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	o, err := s.Organizations.UpdateOrganization(r.Context(), id, &in)
	respond(s, w, r, o, err)
}

func (s *Server) listAgents(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := tend.AgentFilter{Active: q.boolean("active"), TeamID: q.id("team_id", false), Email: q.str("email"),
		Cursor: q.str("cursor"), Limit: q.limit(tend.MaxPageSize)}
	if v := q.str("role"); v != "" {
		role := tend.Role(v)
		if !role.Valid() {
			q.problems.Add("role", "must be one of agent, lead, manager, admin")
		}
		f.Role = &role
	}
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, next, err := s.Agents.FindAgents(r.Context(), f)
	respondList(s, w, r, list, next, err)
}

func (s *Server) createAgent(w http.ResponseWriter, r *http.Request) {
	var in tend.AgentCreate
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	a, err := s.Agents.CreateAgent(r.Context(), &in)
	respondCreated(s, w, r, a, "agents", idOf(a, func(a *tend.Agent) int64 { return a.ID }), err)
}

func (s *Server) getAgent(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		a, err := s.Agents.FindAgentByID(r.Context(), id)
		respond(s, w, r, a, err)
	}
}

func (s *Server) updateAgent(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in tend.AgentUpdate
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	a, err := s.Agents.UpdateAgent(r.Context(), id, &in)
	respond(s, w, r, a, err)
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	teams, err := s.Teams.FindTeams(r.Context())
	respondList(s, w, r, teams, "", err)
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) {
	var in tend.TeamCreate
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	t, err := s.Teams.CreateTeam(r.Context(), &in)
	respondCreated(s, w, r, t, "teams", idOf(t, func(t *tend.Team) int64 { return t.ID }), err)
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		t, err := s.Teams.FindTeamByID(r.Context(), id)
		respond(s, w, r, t, err)
	}
}

type teamPatch struct {
	Name      *string    `json:"name"`
	LeadID    nullableID `json:"lead_id"`
	ManagerID nullableID `json:"manager_id"`
	MemberIDs *[]int64   `json:"member_ids"`
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in teamPatch
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	t, err := s.Teams.UpdateTeam(r.Context(), id, &tend.TeamUpdate{Name: in.Name, LeadID: in.LeadID.ptr(),
		ManagerID: in.ManagerID.ptr(), MemberIDs: in.MemberIDs})
	respond(s, w, r, t, err)
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	agentID := q.id("agent_id", false)
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	var id int64
	if agentID != nil {
		id = *agentID
	}
	tokens, err := s.Tokens.FindTokens(r.Context(), id)
	respondList(s, w, r, tokens, "", err)
}

// createdToken is the one response that shows a token's secret.
type createdToken struct {
	Token  *tend.Token `json:"token"`
	Secret string      `json:"secret"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	var in tend.TokenCreate
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	tok, secret, err := s.Tokens.CreateToken(r.Context(), &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, http.StatusCreated, createdToken{Token: tok, Secret: secret})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	if err := s.Tokens.RevokeToken(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) {
	st, err := s.Settings.FindSettings(r.Context())
	respond(s, w, r, s.inForce(st), err)
}

// inForce is the settings as Tend applies them: with --base-url, that
// address, whatever is stored.
func (s *Server) inForce(st *tend.Settings) *tend.Settings {
	if st != nil && s.BaseURL != "" {
		st.BaseURL = s.BaseURL
	}
	return st
}

// settingsPatch is the body of PATCH /settings: fields left out keep
// their values.
type settingsPatch struct {
	Name           *string `json:"name"`
	BaseURL        *string `json:"base_url"`
	SLAWarnPercent *int    `json:"sla_warn_percent"`
	AutoCloseDays  *int    `json:"auto_close_days"`
}

func (s *Server) updateSettings(w http.ResponseWriter, r *http.Request) {
	var in settingsPatch
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	st, err := s.Settings.FindSettings(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Name != nil {
		st.Name = *in.Name
	}
	if in.BaseURL != nil {
		// Those who may change settings hear why this one cannot be;
		// the rest hear that they may not.
		if s.BaseURL != "" && tend.NormalizeBaseURL(*in.BaseURL) != s.BaseURL &&
			tend.PrincipalFromContext(r.Context()).Can(tend.PermManageSettings) {
			s.writeError(w, r, tend.FieldError(tend.ECONFLICT, "base_url",
				"is set when Tend starts (--base-url or TEND_BASE_URL); change it there"))
			return
		}
		if s.BaseURL == "" {
			st.BaseURL = *in.BaseURL
		}
	}
	// 0 would read as the default (tend.Settings.Normalize): refused here.
	if in.SLAWarnPercent != nil {
		st.SLAWarnPercent = cmp.Or(*in.SLAWarnPercent, -1)
	}
	if in.AutoCloseDays != nil {
		st.AutoCloseDays = cmp.Or(*in.AutoCloseDays, -1)
	}
	st, err = s.Settings.UpdateSettings(r.Context(), st)
	respond(s, w, r, s.inForce(st), err)
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	limit, cursor := q.limit(tend.MaxPageSize), q.str("cursor")
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	entries, next, err := s.Audit.FindAuditEntries(r.Context(), cursor, limit)
	respondList(s, w, r, entries, next, err)
}

func respond[T any](s *Server, w http.ResponseWriter, r *http.Request, v T, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, v)
}

func respondList[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T, next string, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, newPage(items, next))
}

func respondCreated[T any](s *Server, w http.ResponseWriter, r *http.Request, v T, collection string, id int64, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/%s/%d", apiPrefix, collection, id))
	s.writeJSON(w, http.StatusCreated, v)
}

// idOf returns v's id, or 0 when v is nil (the call failed).
func idOf[T any](v *T, id func(*T) int64) int64 {
	if v == nil {
		return 0
	}
	return id(v)
}
