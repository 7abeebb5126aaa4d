package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// An admin invites an agent, who follows the link signed out, chooses a
// password and lands signed in; the admin changes a role, is refused
// demoting the last admin, and deactivates an agent whose open tickets go
// to the successor chosen.
func TestBrowserAdminAgents(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())

	b.signIn(ts.URL, tend.RoleAdmin)
	b.do(chromedp.Click(css(`.sections a[href="/settings"]`)), chromedp.WaitVisible(css(`.settings-list`)),
		chromedp.Click(css(`.settings-list a[href="/settings/agents"]`)), chromedp.WaitVisible(css(`table.agents`)))

	// Invite.
	b.do(
		chromedp.SendKeys(css(`#name`), "Nia Novak"),
		chromedp.SendKeys(css(`#email`), "Nia@Staff.Example"),
		chromedp.SetValue(css(`#role`), "lead"),
		chromedp.Click(css(`.admin-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#invite-link`)),
	)
	link := b.text(`#invite-link`)
	if !strings.HasPrefix(link, ts.URL+"/invite?token=") {
		t.Fatalf("the invitation link is %q", link)
	}
	nia, _, err := ts.server.Agents.FindAgents(sys, tend.AgentFilter{Email: "nia@staff.example"})
	if err != nil || len(nia) != 1 || nia[0].Role != tend.RoleLead {
		t.Fatalf("the invited agent: %+v, %v", nia, err)
	}
	if row := b.text(`#agent-` + strID(nia[0].ID)); !strings.Contains(row, "Invited") {
		t.Fatalf("the invited agent's row reads %q", row)
	}
	b.screenshot("admin-agents")
	// At tablet width the table scrolls sideways rather than squeezing.
	b.do(chromedp.EmulateViewport(768, 1024), chromedp.Navigate(ts.URL+"/settings/agents"), chromedp.WaitVisible(css(`table.agents`)))
	b.screenshot("admin-agents-tablet")
	b.do(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(ts.URL+"/settings/agents"), chromedp.WaitVisible(css(`table.agents`)))

	// A role change, and the store's refusal to lose the last admin.
	agent := ts.agents[tend.RoleAgent]
	b.do(
		chromedp.SetValue(css(`#role-`+strID(agent.ID)), "manager"),
		chromedp.Click(css(`#agent-`+strID(agent.ID)+` .role-form button`)),
		chromedp.WaitVisible(css(`.notice`)),
	)
	if a, _ := ts.server.Agents.FindAgentByID(sys, agent.ID); a.Role != tend.RoleManager {
		t.Fatalf("after the role change the agent is %s", a.Role)
	}
	admin := ts.agents[tend.RoleAdmin]
	b.do(
		chromedp.SetValue(css(`#role-`+strID(admin.ID)), "agent"),
		chromedp.Click(css(`#agent-`+strID(admin.ID)+` .role-form button`)),
		chromedp.WaitVisible(css(`.error`)),
	)
	if msg := b.text(`.error`); !strings.Contains(msg, "last active admin") {
		t.Fatalf("demoting the last admin says %q", msg)
	}

	// Deactivate the lead, who owns two open tickets and a solved one.
	lead, heir := ts.agents[tend.RoleLead], agent
	var tickets []*tend.Ticket
	for i, status := range []tend.Status{tend.StatusOpen, tend.StatusPending, tend.StatusSolved} {
		tk, err := ts.tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Handover " + strconv.Itoa(i), Body: "Hello",
			Customer: tend.CustomerRef{Email: "zoe@example.org"}})
		if err != nil {
			t.Fatal(err)
		}
		if tk, err = ts.tickets.UpdateTicket(sys, tk.ID, &tend.TicketUpdate{OwnerID: &lead.ID, Status: &status}); err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	b.do(
		chromedp.Click(css(`#agent-`+strID(lead.ID)+` a[href$="/deactivate"]`)),
		chromedp.WaitVisible(css(`#successor_id`)),
	)
	if body := b.text(`main`); !strings.Contains(body, "2 unsolved tickets") || !strings.Contains(body, "Handover 1") ||
		strings.Contains(body, "Handover 2") {
		t.Fatalf("the deactivation page says %q", body)
	}
	b.screenshot("admin-deactivate")
	b.do(
		chromedp.SetValue(css(`#successor_id`), strID(heir.ID)),
		chromedp.Click(css(`button.danger`)),
		chromedp.WaitVisible(css(`.notice`)),
	)
	if row := b.text(`#agent-` + strID(lead.ID)); !strings.Contains(row, "Deactivated") || !strings.Contains(row, "Reactivate") {
		t.Fatalf("the deactivated agent's row reads %q", row)
	}
	for i, before := range tickets {
		tk, _ := ts.tickets.FindTicketByID(sys, before.ID)
		want := heir.ID
		if i == 2 {
			want = lead.ID // solved: left alone
		}
		if *tk.OwnerID != want {
			t.Errorf("ticket %q is owned by %d, want %d", tk.Subject, *tk.OwnerID, want)
		}
	}

	// The invitation, signed out.
	b.do(chromedp.Click(css(`.signout button`)), chromedp.WaitVisible(css(`form[action="/login"]`)))
	b.do(chromedp.Navigate(link), chromedp.WaitVisible(css(`#password`)))
	if body := b.text(`main`); !strings.Contains(body, "Welcome, Nia Novak") {
		t.Fatalf("the invitation page says %q", body)
	}
	b.screenshot("admin-invite")
	b.do(
		chromedp.SendKeys(css(`#password`), "nia's own password"),
		chromedp.SendKeys(css(`#confirm`), "a different password"),
		chromedp.Click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css(`#confirm-problem`)),
		chromedp.SendKeys(css(`#password`), "nia's own password"),
		chromedp.SendKeys(css(`#confirm`), "nia's own password"),
		chromedp.Click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css(`.signout`)),
	)
	if who, loc := b.text(`.who`), b.location(); !strings.Contains(who, "Nia Novak") || !strings.HasSuffix(loc, "/tickets") {
		t.Fatalf("after accepting, at %s as %q", loc, who)
	}
	// The link is spent.
	b.do(chromedp.Click(css(`.signout button`)), chromedp.WaitVisible(css(`form[action="/login"]`)),
		chromedp.Navigate(link), chromedp.WaitVisible(css(`.error`)))
	if msg := b.text(`.error`); !strings.Contains(msg, "used already") {
		t.Fatalf("a spent link says %q", msg)
	}
}

// Teams: create one with a lead, manager and members, then edit it.
func TestBrowserAdminTeams(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	lead, manager, agent := ts.agents[tend.RoleLead], ts.agents[tend.RoleManager], ts.agents[tend.RoleAgent]

	b.signIn(ts.URL, tend.RoleAdmin)
	b.do(chromedp.Navigate(ts.URL+"/settings/teams"), chromedp.WaitVisible(css(`#name`)))
	if body := b.text(`main`); !strings.Contains(body, "No team yet") {
		t.Fatalf("an empty teams page says %q", body)
	}
	b.do(
		chromedp.SendKeys(css(`#name`), "Billing"),
		chromedp.SetValue(css(`#lead_id`), strID(lead.ID)),
		chromedp.SetValue(css(`#manager_id`), strID(manager.ID)),
		chromedp.Click(css(`input[name=member_ids][value="`+strID(agent.ID)+`"]`)),
		chromedp.Click(css(`input[name=member_ids][value="`+strID(lead.ID)+`"]`)),
		chromedp.Click(css(`.admin-form button[type=submit]`)),
		chromedp.WaitVisible(css(`.notice`)),
	)
	row := b.text(`table.teams tbody tr`)
	for _, want := range []string{"Billing", lead.Name, manager.Name, agent.Name} {
		if !strings.Contains(row, want) {
			t.Fatalf("the team's row %q lacks %q", row, want)
		}
	}
	// The same name again is refused beside the field, keeping the input.
	b.do(
		chromedp.SendKeys(css(`#name`), "billing"),
		chromedp.Click(css(`.admin-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#name-problem`)),
	)
	b.screenshot("admin-teams")

	b.do(chromedp.Click(css(`table.teams a[href^="/settings/teams/"]`)), chromedp.WaitVisible(css(`form[action^="/settings/teams/"]`)))
	b.do(
		chromedp.SetValue(css(`#name`), "Billing and refunds"),
		chromedp.SetValue(css(`#lead_id`), "0"),
		chromedp.Click(css(`input[name=member_ids][value="`+strID(agent.ID)+`"]`)),
		chromedp.Click(css(`.admin-form button[type=submit]`)),
		chromedp.WaitVisible(css(`.notice`)),
	)
	teams, _ := ts.server.Teams.FindTeams(tend.SystemContext(context.Background()))
	if len(teams) != 1 || teams[0].Name != "Billing and refunds" || teams[0].LeadID != nil ||
		*teams[0].ManagerID != manager.ID || len(teams[0].MemberIDs) != 1 || teams[0].MemberIDs[0] != lead.ID {
		t.Fatalf("after editing: %+v", teams)
	}
}

// API tokens: create one for another agent, see its secret once, use it,
// revoke it.
func TestBrowserAdminTokens(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	agent := ts.agents[tend.RoleAgent]

	b.signIn(ts.URL, tend.RoleAdmin)
	b.do(chromedp.Navigate(ts.URL+"/settings/tokens"), chromedp.WaitVisible(css(`#name`)))
	// Every staff member's test token is listed.
	for _, a := range ts.agents {
		if row := b.text(`table.tokens tbody`); !strings.Contains(row, a.Name) {
			t.Fatalf("the token of %s is not listed: %q", a.Name, row)
		}
	}
	b.do(
		chromedp.SendKeys(css(`#name`), "CRM sync"),
		chromedp.SetValue(css(`#agent_id`), strID(agent.ID)),
		chromedp.Click(css(`.admin-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#new-token`)),
	)
	secret := b.text(`#new-token`)
	if !strings.HasPrefix(secret, "tend_") {
		t.Fatalf("the new token reads %q", secret)
	}
	b.screenshot("admin-tokens")
	ts.request("GET", "/api/v1/tickets", secret, nil).want(t, 200)

	// It is not shown again.
	b.do(chromedp.Navigate(ts.URL+"/settings/tokens"), chromedp.WaitVisible(css(`table.tokens`)))
	if body := b.text(`main`); strings.Contains(body, secret) || !strings.Contains(body, "CRM sync") {
		t.Fatalf("the tokens page later: %q", body)
	}
	b.do(
		chromedp.Click(css(`table.tokens tbody tr:first-child details summary`)),
		chromedp.WaitVisible(css(`table.tokens tbody tr:first-child button.danger`)),
	)
	b.screenshot("admin-token-revoke")
	b.do(
		chromedp.Click(css(`table.tokens tbody tr:first-child button.danger`)),
		chromedp.WaitVisible(css(`.notice`)),
	)
	ts.request("GET", "/api/v1/tickets", secret, nil).want(t, 401)
	if revoked := b.text(`details.revoked`); !strings.Contains(revoked, "Revoked tokens (1)") {
		t.Fatalf("the revoked list reads %q", revoked)
	}
}

func strID(n int64) string { return strconv.FormatInt(n, 10) }

// An admin sets the help desk's address under Settings → General; a wrong
// one is marked beside its field and nothing is saved. Invitation links
// follow the address saved.
func TestBrowserAdminGeneral(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	b.signIn(ts.URL, tend.RoleAdmin)
	b.do(chromedp.Navigate(ts.URL+"/settings"), chromedp.WaitVisible(css(`.settings-list`)))
	b.do(chromedp.Click(css(`a[href="/settings/general"]`)), chromedp.WaitVisible(css(`#base_url`)))
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#base_url`))); v != ts.URL {
		t.Fatalf("the address field reads %q, want %s", v, ts.URL)
	}
	b.do(
		chromedp.SetValue(css(`#base_url`), "https://help.acme.example/desk"),
		chromedp.Click(css(`.admin-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#base-url-problem`)),
	)
	if msg := b.text(`#base-url-problem`); !strings.Contains(msg, "scheme and host alone") {
		t.Fatalf("a wrong address says %q", msg)
	}
	b.screenshot("admin-general-problem")
	b.do(
		chromedp.SetValue(css(`#base_url`), "https://help.acme.example"),
		chromedp.Click(css(`.admin-form button[type=submit]`)),
		chromedp.WaitVisible(css(`.notice`)),
	)
	b.screenshot("admin-general")
	b.do(
		chromedp.Navigate(ts.URL+"/settings/agents"),
		chromedp.WaitVisible(css(`table.agents`)),
		chromedp.SendKeys(css(`#name`), "Noor Haddad"),
		chromedp.SendKeys(css(`#email`), "noor@staff.example"),
		chromedp.Click(css(`.admin-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#invite-link`)),
	)
	if link := b.text(`#invite-link`); !strings.HasPrefix(link, "https://help.acme.example/invite?token=") {
		t.Fatalf("the invitation link is %q", link)
	}
}
