package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// fetchPage fetches path with c and returns the status and body.
func fetchPage(t *testing.T, c *http.Client, method, path string, form url.Values) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodGet {
		resp, err = c.Get(path)
	} else {
		resp, err = c.PostForm(path, form)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Every admin page and form refuses staff of other roles, and forms
// without their CSRF token change nothing.
func TestAdminPagesAreForAdmins(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	team, err := ts.server.Teams.CreateTeam(sys, &tend.TeamCreate{Name: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	agent, teamID := strID(ts.agents[tend.RoleAgent].ID), strID(team.ID)
	gets := []string{"/settings/general", "/settings/agents", "/settings/agents/" + agent + "/deactivate", "/settings/teams",
		"/settings/teams/" + teamID, "/settings/tokens"}
	posts := map[string]url.Values{
		"/settings/general":                         {"name": {"Eve's desk"}, "base_url": {"https://evil.example"}},
		"/settings/agents":                          {"name": {"Eve"}, "email": {"eve@staff.example"}, "role": {"admin"}},
		"/settings/agents/" + agent + "/role":       {"role": {"admin"}},
		"/settings/agents/" + agent + "/invitation": {},
		"/settings/agents/" + agent + "/deactivate": {"successor_id": {"0"}},
		"/settings/agents/" + agent + "/reactivate": {},
		"/settings/teams":                           {"name": {"Eve's team"}},
		"/settings/teams/" + teamID:                 {"name": {"Renamed"}},
		"/settings/tokens":                          {"name": {"Eve's"}, "agent_id": {agent}},
		"/settings/tokens/1/revoke":                 {},
	}

	for _, role := range []tend.Role{tend.RoleManager, tend.RoleAgent} {
		c, csrf := signInClient(t, ts)
		signIn(t, c, ts, csrf, string(role)+"@staff.example", "long enough password")
		for _, path := range gets {
			if status, body := fetchPage(t, c, http.MethodGet, ts.URL+path, nil); status != http.StatusForbidden || !strings.Contains(body, "Only admins") {
				t.Errorf("%s: GET %s = %d", role, path, status)
			}
		}
		for path, form := range posts {
			form.Set("csrf", csrf)
			if status, _ := fetchPage(t, c, http.MethodPost, ts.URL+path, form); status != http.StatusForbidden {
				t.Errorf("%s: POST %s = %d", role, path, status)
			}
		}
	}
	// Signed out, the pages send the browser to sign in.
	c, _ := signInClient(t, ts)
	if status, _ := fetchPage(t, c, http.MethodGet, ts.URL+"/settings/agents", nil); status != http.StatusSeeOther {
		t.Errorf("signed out: GET /settings/agents = %d", status)
	}
	// An admin's form without its token is refused.
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "admin@staff.example", "long enough password")
	for path, form := range posts {
		form.Del("csrf")
		if status, _ := fetchPage(t, c, http.MethodPost, ts.URL+path, form); status != http.StatusForbidden {
			t.Errorf("admin without CSRF token: POST %s = %d", path, status)
		}
	}
	if a, _ := ts.server.Agents.FindAgentByID(sys, ts.agents[tend.RoleAgent].ID); a.Role != tend.RoleAgent || !a.Active {
		t.Fatalf("refused forms changed the agent: %+v", a)
	}
	if tm, _ := ts.server.Teams.FindTeamByID(sys, team.ID); tm.Name != "Billing" {
		t.Fatalf("refused forms renamed the team to %q", tm.Name)
	}
}

// Deactivation refuses what the store refuses, and says why beside the
// field; invitation links that cannot be used say why.
func TestAdminRefusals(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	lead := ts.agents[tend.RoleLead]
	tk, err := ts.tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Waiting", Body: "Hello", Customer: tend.CustomerRef{Email: "zoe@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.tickets.UpdateTicket(sys, tk.ID, &tend.TicketUpdate{OwnerID: &lead.ID}); err != nil {
		t.Fatal(err)
	}
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "admin@staff.example", "long enough password")

	status, body := fetchPage(t, c, http.MethodPost, ts.URL+"/settings/agents/"+strID(lead.ID)+"/deactivate",
		url.Values{"csrf": {csrf}, "successor_id": {"0"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="successor-problem"`) || !strings.Contains(body, "1 unsolved ticket;") {
		t.Errorf("deactivating without a successor: %d\n%s", status, body)
	}
	admin := ts.agents[tend.RoleAdmin]
	status, body = fetchPage(t, c, http.MethodPost, ts.URL+"/settings/agents/"+strID(admin.ID)+"/deactivate",
		url.Values{"csrf": {csrf}, "successor_id": {strID(lead.ID)}})
	if status != http.StatusConflict || !strings.Contains(body, "cannot deactivate yourself") {
		t.Errorf("deactivating oneself: %d\n%s", status, body)
	}
	if a, _ := ts.server.Agents.FindAgentByID(sys, lead.ID); !a.Active {
		t.Fatal("a refused deactivation deactivated the lead")
	}

	// An invitation to a team that does not exist adds nobody.
	status, body = fetchPage(t, c, http.MethodPost, ts.URL+"/settings/agents",
		url.Values{"csrf": {csrf}, "name": {"Nia"}, "email": {"nia@staff.example"}, "role": {"agent"}, "team_ids": {"999"}})
	if status != http.StatusBadRequest || !strings.Contains(body, `id="teams-problem"`) || !strings.Contains(body, `value="nia@staff.example"`) {
		t.Errorf("inviting to team 999: %d\n%s", status, body)
	}
	if found, _, _ := ts.server.Agents.FindAgents(sys, tend.AgentFilter{Email: "nia@staff.example"}); len(found) != 0 {
		t.Fatalf("a refused invitation added %+v", found)
	}
	billing, err := ts.server.Teams.CreateTeam(sys, &tend.TeamCreate{Name: "Billing"})
	if err != nil {
		t.Fatal(err)
	}

	// Invite into a team, then spend the link twice.
	status, body = fetchPage(t, c, http.MethodPost, ts.URL+"/settings/agents",
		url.Values{"csrf": {csrf}, "name": {"Nia"}, "email": {"nia@staff.example"}, "role": {"agent"}, "team_ids": {strID(billing.ID)}})
	if found, _, _ := ts.server.Agents.FindAgents(sys, tend.AgentFilter{Email: "nia@staff.example"}); len(found) != 1 || !slices.Equal(found[0].TeamIDs, []int64{billing.ID}) {
		t.Errorf("the invited agent is %+v, want a member of Billing", found)
	}
	m := regexp.MustCompile(`/invite\?token=([A-Za-z0-9_-]+)`).FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		t.Fatalf("inviting: %d\n%s", status, body)
	}
	fresh, freshCSRF := signInClient(t, ts)
	for _, tc := range []struct {
		token, password string
		status          int
		says            string
	}{
		{"nonsense", "nia's own password", http.StatusUnauthorized, "not valid"},
		{m[1], "short", http.StatusBadRequest, "at least 10 characters"},
		{m[1], "nia's own password", http.StatusSeeOther, ""},
		{m[1], "nia's own password", http.StatusUnauthorized, "used already"},
	} {
		status, body := fetchPage(t, fresh, http.MethodPost, ts.URL+"/invite",
			url.Values{"csrf": {freshCSRF}, "token": {tc.token}, "password": {tc.password}, "confirm": {tc.password}})
		if status != tc.status || !strings.Contains(body, tc.says) {
			t.Errorf("accepting %q with %q: %d\n%s", tc.token, tc.password, status, body)
		}
	}
	if status, body := fetchPage(t, fresh, http.MethodGet, ts.URL+"/invite", nil); status != http.StatusUnauthorized || !strings.Contains(body, "not valid") {
		t.Errorf("GET /invite without a token: %d\n%s", status, body)
	}
}
