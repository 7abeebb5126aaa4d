package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// fieldPrefix finds a problem written as the API writes it, the field's
// name first: "email: ... already belongs", "successor_id: ...", at the
// start of a text (see textOf).
var fieldPrefix = regexp.MustCompile(`(?m)^\s*(name|email|emails|role|password|confirm|base_url|address|imap\.[a-z]+|team_id|lead_id|` +
	`manager_id|member_ids|agent_id|successor_id|domains|tier|notes|phone|organization|organization_id|filter|status|priority|` +
	`owner_id|customer_id|channel|tag|number|q|body|kind|version|last_message_id|from_id): `)

// textOf returns the text of an HTML page's main element, unescaped,
// without its tags.
func textOf(page string) string {
	if i := strings.Index(page, "<main"); i >= 0 {
		page = page[i:]
	}
	if i := strings.Index(page, "</main>"); i >= 0 {
		page = page[:i]
	}
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, "\n"))
}

// Every form that is refused says why in words: a problem with a field
// is shown beside the field, and nowhere is it written with the field's
// name in front as the API writes it ("email: ... already belongs").
func TestFormRefusalsAreInWords(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	agent := ts.agents[tend.RoleAgent]
	team, err := ts.server.Teams.CreateTeam(system, &tend.TeamCreate{Name: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.server.Teams.CreateTeam(system, &tend.TeamCreate{Name: "Hardware"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.server.Organizations.CreateOrganization(system, &tend.OrganizationCreate{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.server.Mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: "help@acme.example"}); err != nil {
		t.Fatal(err)
	}
	tk := newTicket(t, ts, "Card declined", "mia@customer.example", "It was declined twice.")
	if _, err := ts.tickets.UpdateTicket(system, tk.ID, &tend.TicketUpdate{OwnerID: &agent.ID}); err != nil {
		t.Fatal(err)
	}
	invited, err := ts.server.Agents.CreateAgent(system, &tend.AgentCreate{Name: "New person", Email: "new@staff.example", Role: tend.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	invitation, err := ts.server.Agents.CreateInvitation(asAgent(ts.agents[tend.RoleAdmin]), invited.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	sc := newStaffClient(t, ts, tend.RoleAdmin)
	f := ticketForm(t, sc.c, ts, tk.Number)
	// A refused form of the ticket page redirects to the page that says
	// why; the others answer with it.
	follow := &http.Client{Jar: sc.c.Jar}

	for _, c := range []struct {
		name, method, path string
		form               url.Values
		says               string // in words, somewhere on the page
	}{
		{"inviting an agent", "POST", "/settings/agents", url.Values{"name": {"Twin"}, "email": {"agent@staff.example"}, "role": {"agent"}},
			"agent@staff.example already belongs to a staff member"},
		{"a new team", "POST", "/settings/teams", url.Values{"name": {"Billing"}}, `a team named "Billing" exists already`},
		{"a team renamed", "POST", fmt.Sprintf("/settings/teams/%d", team.ID), url.Values{"name": {"Hardware"}}, `a team named "Hardware" exists already`},
		{"a token", "POST", "/settings/tokens", url.Values{"name": {""}, "agent_id": {strID(agent.ID)}}, "is required"},
		{"the general settings", "POST", "/settings/general", url.Values{"name": {""}, "base_url": {ts.URL}}, "must be between 1 and 100 characters"},
		{"a mail address", "POST", "/settings/mail", url.Values{"address": {"help@acme.example"}}, "help@acme.example is a mailbox already"},
		{"a mail address's IMAP port", "POST", "/settings/mail", url.Values{"address": {"sales@acme.example"}, "imap_host": {"imap.acme.example"},
			"imap_port": {"70000"}, "imap_security": {"tls"}, "imap_auth": {"password"}, "imap_username": {"u"}, "imap_secret": {"p"}}, "must be between 1 and 65535"},
		{"a deactivation", "POST", fmt.Sprintf("/settings/agents/%d/deactivate", agent.ID), url.Values{}, "choose who takes over"},
		{"a role", "POST", fmt.Sprintf("/settings/agents/%d/role", agent.ID), url.Values{"role": {"boss"}}, "must be one of agent, lead, manager, admin"},
		{"a new customer", "POST", "/customers", url.Values{"emails": {"not an address"}}, "is not an email address"},
		{"a new organization", "POST", "/organizations", url.Values{"name": {"Acme"}}, `an organization named "Acme" exists already`},
		{"a saved view", "POST", "/tickets/views", url.Values{"name": {strings.Repeat("v", 61)}, "filter": {"status=open"}}, "keep it to 60 characters"},
		{"a ticket list's filter", "GET", "/tickets?status=shipped", nil, `"shipped" is not a status`},
		{"a search", "GET", "/search?q=%21%21", nil, "at least one word"},
		{"a reply", "POST", fmt.Sprintf("/tickets/%d/messages", tk.Number), url.Values{"kind": {"reply"}, "body": {" "},
			"last_message_id": {f["last_message_id"]}, "idempotency_key": {"k1"}}, "is required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var status int
			var body string
			if c.method == "GET" {
				status, body = sc.get(c.path)
			} else {
				c.form.Set("csrf", sc.csrf)
				status, body = fetchPage(t, follow, "POST", ts.URL+c.path, c.form)
			}
			text := textOf(body)
			if status < 400 || !strings.Contains(text, c.says) {
				t.Fatalf("%s %s: %d, want a refusal saying %q:\n%s", c.method, c.path, status, c.says, text)
			}
			if m := fieldPrefix.FindStringSubmatch(text); m != nil {
				t.Errorf("%s %s names a field as the API does, %q:\n%s", c.method, c.path, m[1]+": ", text)
			}
		})
	}

	// Signed out: the invitation and the first admin's setup.
	t.Run("an invitation", func(t *testing.T) {
		c, csrf := signInClient(t, ts)
		status, body := fetchPage(t, c, "POST", ts.URL+"/invite", url.Values{"csrf": {csrf}, "token": {invitation.Secret},
			"password": {"short"}, "confirm": {"short"}})
		text := textOf(body)
		if status != http.StatusBadRequest || !strings.Contains(text, "must be at least") || fieldPrefix.MatchString(text) {
			t.Fatalf("POST /invite: %d\n%s", status, text)
		}
	})
	t.Run("the setup", func(t *testing.T) {
		bare := newBareServer(t, sqldbtest.Open(t, sqldb.SQLite))
		secret, err := bare.server.Setup.NewSetupToken(system)
		if err != nil {
			t.Fatal(err)
		}
		c, csrf := signInClient(t, bare)
		status, body := fetchPage(t, c, "POST", bare.URL+"/setup", url.Values{"csrf": {csrf}, "token": {secret},
			"name": {"Ana"}, "email": {"ana@example.com"}, "password": {"short"}, "base_url": {bare.URL}})
		text := textOf(body)
		if status != http.StatusBadRequest || !strings.Contains(text, "must be at least") || fieldPrefix.MatchString(text) {
			t.Fatalf("POST /setup: %d\n%s", status, text)
		}
	})
}

// In the browser: inviting someone whose address a colleague has says so
// beside the address, in words.
func TestBrowserInviteRefusalInWords(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	b.signIn(ts.URL, tend.RoleAdmin)
	b.do(chromedp.Navigate(ts.URL+"/settings/agents"), chromedp.WaitVisible(css(`#email`)),
		chromedp.SendKeys(css(`#name`), "Twin"), chromedp.SendKeys(css(`#email`), "agent@staff.example"),
		chromedp.Click(css(`form.admin-form button[type=submit]`)), chromedp.WaitVisible(css(`#email-problem`)))
	if beside := b.text(`#email-problem`); !strings.Contains(beside, "agent@staff.example already belongs to a staff member") {
		t.Errorf("beside the address: %q", beside)
	}
	if top := b.text(`main .error`); strings.Contains(top, "email:") {
		t.Errorf("above the form: %q", top)
	}
	b.screenshot("invite-refused")
}
