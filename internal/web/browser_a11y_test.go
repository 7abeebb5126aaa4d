package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// axeInstall is how the tests get axe-core, which is never committed.
const axeInstall = "npm install --no-save --no-package-lock --prefix internal/web/testdata/axe axe-core@4.10.3"

// axeSource returns axe-core's axe.min.js: from TEND_TEST_AXE, or where
// axeInstall puts it. Without it the test is skipped with the command
// that installs it, except in CI, where that is a failure.
func axeSource(t *testing.T) string {
	t.Helper()
	path := os.Getenv("TEND_TEST_AXE")
	if path == "" {
		path = filepath.Join("testdata", "axe", "node_modules", "axe-core", "axe.min.js")
	}
	src, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the accessibility test needs axe-core (%v): run %s from the repository's root, or set TEND_TEST_AXE to an axe.min.js", err, axeInstall)
		}
		t.Skipf("accessibility test skipped: run %s from the repository's root, or set TEND_TEST_AXE to an axe.min.js", axeInstall)
	}
	return string(src)
}

// axeViolation is a rule a page breaks, as axe-core reports it.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	Targets []struct {
		Target  []string `json:"target"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

// axeRules are the rules pages are held to: WCAG 2.1, levels A and AA.
const axeRun = `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
	.then(r => r.violations.filter(v => v.impact === "critical" || v.impact === "serious")
		.map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map(n => ({target: n.target.map(String), summary: n.failureSummary}))})))`

// checkAccessible runs axe-core over the page open in b and fails the
// test for each critical or serious violation.
func checkAccessible(t *testing.T, b *browser, axe, page string) {
	t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("%s: load axe-core: %v", page, err)
	}
	found, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: run axe-core: %v", page, err)
	}
	for _, v := range found {
		for _, n := range v.Targets {
			t.Errorf("%s: %s (%s) at %s: %s\n  %s", page, v.ID, v.Impact, strings.Join(n.Target, " "), v.Help,
				strings.ReplaceAll(n.Summary, "\n", "\n  "))
		}
	}
}

// Every page a signed-in agent reaches from the navigation, over a desk
// with something on each, passes axe-core's WCAG 2.1 A and AA rules with
// no critical or serious violation; so does signing in.
func TestBrowserAccessibility(t *testing.T) {
	axe := axeSource(t)
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	admin := ts.agents[tend.RoleAdmin]
	asAdmin := tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: admin.ID, Role: admin.Role})

	team, err := ts.server.Teams.CreateTeam(sys, &tend.TeamCreate{Name: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	org, err := ts.server.Organizations.CreateOrganization(sys, &tend.OrganizationCreate{Name: "Acme Corporation",
		Domains: []string{"acme.example"}, Tier: tend.TierPriority, Notes: "Renews every March."})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "help@acme.example", Name: "Acme help"})
	if err != nil {
		t.Fatal(err)
	}
	var ticket *tend.Ticket
	for i, p := range []tend.Priority{tend.PriorityUrgent, tend.PriorityHigh, tend.PriorityNormal, tend.PriorityLow} {
		tk, err := ts.server.Tickets.CreateTicket(sys, &tend.TicketCreate{Subject: fmt.Sprintf("Invoice %d is charged twice", 2290+i),
			Customer: tend.CustomerRef{Name: "Ann Lee", Email: "ann.lee@acme.example"}, Body: "Hello,\n\nthe invoice is charged twice.\nAnn"})
		if err != nil {
			t.Fatal(err)
		}
		u := &tend.TicketUpdate{Priority: &p, AddTags: []string{"billing"}}
		if i%2 == 0 {
			u.TeamID, u.OwnerID = &team.ID, &admin.ID
		}
		if tk, err = ts.server.Tickets.UpdateTicket(sys, tk.ID, u); err != nil {
			t.Fatal(err)
		}
		ticket = tk
	}
	for _, m := range []*tend.MessageCreate{
		{Kind: tend.KindReply, Body: "We refunded the second charge.\nadmin person"},
		{Kind: tend.KindNote, Body: "Refund reference 8812."},
		{Kind: tend.KindReply, Body: "Thank you!", FromCustomer: true},
	} {
		if _, err := ts.server.Tickets.AddMessage(asAdmin, ticket.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	customer := ticket.CustomerID
	macro, err := ts.server.Macros.CreateMacro(asAdmin, &tend.MacroCreate{Name: "Refund on its way", Scope: tend.MacroShared,
		Body: "Hello {{customer.first_name}}, the refund for #{{ticket.number}} is on its way."})
	if err != nil {
		t.Fatal(err)
	}

	b.do(chromedp.EmulateViewport(1366, 768))
	b.do(chromedp.Navigate(ts.URL+"/login"), chromedp.WaitVisible(css(`#email`)))
	checkAccessible(t, b, axe, "/login")
	b.signIn(ts.URL, tend.RoleAdmin)

	// A saved view, made as an agent makes one.
	b.do(chromedp.Navigate(ts.URL+"/tickets?priority=urgent"), chromedp.WaitVisible(css(`#view-name`)),
		chromedp.SendKeys(css(`#view-name`), "Urgent billing"), chromedp.Click(css(`.save-view button`)),
		chromedp.WaitVisible(css(`.notice`)))

	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	pages := []string{
		"/tickets", "/tickets?priority=urgent", "/tickets?priority=soon", "/tickets?sort=-priority",
		"/tickets/" + id(ticket.Number), "/search?q=invoice",
		"/customers", "/customers/" + id(customer), "/customers/new", "/customers/" + id(customer) + "/edit",
		"/organizations", "/organizations/" + id(org.ID), "/organizations/new", "/organizations/" + id(org.ID) + "/edit",
		"/settings", "/settings/general", "/settings/agents", "/settings/agents/" + id(ts.agents[tend.RoleAgent].ID) + "/deactivate",
		"/settings/teams", "/settings/teams/" + id(team.ID),
		"/settings/tokens", "/settings/mail", "/settings/mail/" + id(mb.ID), "/settings/blocked",
		"/macros", "/macros/new", "/macros/" + id(macro.ID), "/profile",
		"/settings/service-levels/calendars/new", "/settings/service-levels/policies/new", "/settings/service-levels/policies/1",
	}
	// And every page the navigation leads to: the sections, the views,
	// the settings.
	navLinks := func(path string) []string {
		t.Helper()
		b.do(chromedp.Navigate(ts.URL+path), chromedp.WaitVisible(css(`main`)))
		links, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(
			"header a, nav a, .views a, .settings-list a")].map(a => a.getAttribute("href"))`))
		if err != nil {
			t.Fatal(err)
		}
		return links
	}
	for _, l := range append(navLinks("/tickets"), navLinks("/settings")...) {
		if l, _, _ = strings.Cut(l, "#"); strings.HasPrefix(l, "/") && l != "/" && !slices.Contains(pages, l) {
			pages = append(pages, l)
		}
	}
	for _, p := range pages {
		b.do(chromedp.Navigate(ts.URL+p), chromedp.WaitVisible(css(`main`)))
		checkAccessible(t, b, axe, p)
	}
	t.Logf("checked %d pages: %s", len(pages), strings.Join(pages, " "))

	// A row chosen from the keyboard, and the list of shortcuts.
	b.do(chromedp.Navigate(ts.URL+"/tickets?view=open"), chromedp.WaitVisible(css(`tr.ticket-row`)),
		chromedp.KeyEvent("j"), chromedp.WaitVisible(css(`tr.ticket-row.selected`)))
	checkAccessible(t, b, axe, "/tickets?view=open, a row chosen")
	b.do(chromedp.KeyEvent("?"), chromedp.WaitVisible(css(`dialog#shortcuts`)))
	checkAccessible(t, b, axe, "/tickets?view=open, the shortcuts")
	// The composer's macro picker.
	b.do(chromedp.Navigate(ts.URL+"/tickets/"+id(ticket.Number)), chromedp.WaitVisible(css(`#composer`)),
		chromedp.Focus(css(`#body`)), chromedp.KeyEvent("m", chromedp.KeyModifiers(chromedp.ModifierAlt)))
	b.within(10*time.Second, chromedp.WaitVisible(css(`#macro-q`)))
	b.waitText(`#macro-options`, "Refund on its way", 5*time.Second)
	checkAccessible(t, b, axe, "/tickets/"+id(ticket.Number)+", the macro picker")
	// A narrow screen lays the pages out otherwise.
	b.do(chromedp.EmulateViewport(600, 900))
	for _, p := range []string{"/tickets", "/tickets/" + id(ticket.Number), "/customers/" + id(customer)} {
		b.do(chromedp.Navigate(ts.URL+p), chromedp.WaitVisible(css(`main`)))
		checkAccessible(t, b, axe, p+" at 600 pixels")
	}
}
