package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// A form field that should hold an id but holds something else is refused
// with a message beside it, and nothing is written: it is never read as
// "none" (clearing a team's lead and members), as "me" (a token for the
// caller) or as "no check" (a stale version, an unseen message).
func TestFormsRefuseMalformedIDs(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	lead, agent := ts.agents[tend.RoleLead], ts.agents[tend.RoleAgent]
	team, err := ts.server.Teams.CreateTeam(sys, &tend.TeamCreate{Name: "Billing", LeadID: &lead.ID, MemberIDs: []int64{lead.ID, agent.ID}})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "help@acme.example", TeamID: &team.ID})
	if err != nil {
		t.Fatal(err)
	}
	tk := newTicket(t, ts, "Card declined", "mia@example.com", "It was declined twice.")
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "admin@staff.example", "long enough password")
	// A refused form of the ticket page redirects to the page that says
	// why; the others answer with it.
	follow := &http.Client{Jar: c.Jar}
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		form.Set("csrf", csrf)
		return fetchPage(t, follow, http.MethodPost, ts.URL+path, form)
	}
	teamPath, ticketPath := fmt.Sprintf("/settings/teams/%d", team.ID), fmt.Sprintf("/tickets/%d", tk.Number)

	for _, f := range []struct {
		name, path string
		form       url.Values
		says       string
	}{
		{"a team's lead", teamPath, url.Values{"name": {"Billing"}, "lead_id": {"abc"}, "member_ids": {strID(lead.ID), strID(agent.ID)}},
			`&#34;abc&#34; is not one of the choices; choose an agent from the list`},
		{"a team's manager", teamPath, url.Values{"name": {"Billing"}, "lead_id": {strID(lead.ID)}, "manager_id": {"1e3"},
			"member_ids": {strID(lead.ID), strID(agent.ID)}}, `choose an agent from the list`},
		{"a team's members", teamPath, url.Values{"name": {"Billing"}, "lead_id": {strID(lead.ID)}, "member_ids": {"abc"}},
			`choose agents from the list`},
		{"a new team's lead", "/settings/teams", url.Values{"name": {"Sales"}, "lead_id": {"abc"}}, `choose an agent from the list`},
		{"a lead chosen twice", teamPath, url.Values{"name": {"Billing"}, "lead_id": {strID(lead.ID), "abc"},
			"member_ids": {strID(lead.ID), strID(agent.ID)}}, `choose an agent once, not 2 times`},
		{"a token's agent", "/settings/tokens", url.Values{"name": {"sync"}, "agent_id": {"abc"}}, `choose a staff member from the list`},
		{"a token without an agent", "/settings/tokens", url.Values{"name": {"sync"}}, `choose who the token acts as`},
		{"a mail address's team", fmt.Sprintf("/settings/mail/%d", mb.ID), url.Values{"address": {"help@acme.example"}, "team_id": {"abc"}},
			`choose a team from the list`},
		{"a new mail address's team", "/settings/mail", url.Values{"address": {"sales@acme.example"}, "team_id": {"x"}},
			`choose a team from the list`},
		{"a successor", fmt.Sprintf("/settings/agents/%d/deactivate", agent.ID), url.Values{"successor_id": {"abc"}},
			`choose who takes over from the list`},
		{"a ticket's version", ticketPath, url.Values{"version": {"abc"}, "priority": {"urgent"}},
			`which version of the ticket it shows`},
		{"the last message seen", ticketPath + "/messages", url.Values{"kind": {"reply"}, "body": {"Sorry about that."},
			"last_message_id": {"abc"}}, `does not say which messages its page showed`},
		{"a view's filter", "/tickets/views", url.Values{"name": {"Broken"}, "filter": {"status=%zz"}}, `is not a list&#39;s filter`},
		{"a ticket's owner", ticketPath, url.Values{"owner_id": {"-1"}, "priority": {"urgent"}}, `choose an agent from the list`},
		{"a ticket's team", ticketPath, url.Values{"team_id": {"abc"}, "priority": {"urgent"}}, `choose a team from the list`},
		{"the customer to merge", fmt.Sprintf("/customers/%d/merge", tk.CustomerID), url.Values{"from_id": {"abc"}},
			`choose a customer from the list`},
	} {
		t.Run(f.name, func(t *testing.T) {
			status, body := post(f.path, f.form)
			if status != http.StatusBadRequest || !strings.Contains(body, f.says) {
				t.Fatalf("POST %s: %d, want 400 saying %q\n%.3000s", f.path, status, f.says, body)
			}
		})
	}

	// Nothing was written.
	got, err := ts.server.Teams.FindTeamByID(sys, team.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.LeadID == nil || *got.LeadID != lead.ID || got.ManagerID != nil || !slices.Equal(slices.Sorted(slices.Values(got.MemberIDs)), slices.Sorted(slices.Values([]int64{lead.ID, agent.ID}))) {
		t.Errorf("the team changed: lead %v, manager %v, members %v", got.LeadID, got.ManagerID, got.MemberIDs)
	}
	if teams, _ := ts.server.Teams.FindTeams(sys); len(teams) != 1 {
		t.Errorf("%d teams, want 1", len(teams))
	}
	if tokens, _ := ts.server.Tokens.FindTokens(sys, ts.agents[tend.RoleAdmin].ID); len(tokens) != 1 {
		t.Errorf("the admin has %d tokens, want the 1 they had", len(tokens))
	}
	if m, _ := ts.server.Mailboxes.FindMailboxByID(sys, mb.ID); m.TeamID == nil || *m.TeamID != team.ID {
		t.Errorf("the mail address's team is %v", m.TeamID)
	}
	if list, _ := ts.server.Mailboxes.FindMailboxes(sys); len(list) != 1 {
		t.Errorf("%d mail addresses, want 1", len(list))
	}
	if a, _ := ts.server.Agents.FindAgentByID(sys, agent.ID); !a.Active {
		t.Error("the agent was deactivated")
	}
	after, _ := ts.tickets.FindTicketByID(sys, tk.ID)
	if after.Priority != tk.Priority || after.Version != tk.Version || len(after.Messages) != 1 {
		t.Errorf("the ticket changed: priority %s, version %d, %d messages", after.Priority, after.Version, len(after.Messages))
	}
	ctx := tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: ts.agents[tend.RoleAdmin].ID, Role: tend.RoleAdmin})
	if views, _ := ts.server.SavedViews.FindSavedViews(ctx); len(views) != 0 {
		t.Errorf("%d views were saved", len(views))
	}

	// Paths with ids that are not ids are pages that do not exist.
	for _, path := range []string{"/settings/mail/abc", "/settings/mail/inbound/abc/retry"} {
		if status, _ := post(path, url.Values{"address": {"help@acme.example"}}); status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, status)
		}
	}
}
