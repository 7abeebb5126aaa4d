package web_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// A browser shows the address a form was posted to, and a reload or a
// visit there asks for it again: every form of the pages posts to an
// address that also answers GET with a page, or a way to one, and never
// "Method Not Allowed".
func TestEveryFormsAddressAnswersGET(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Lock jammed", "ida@customer.example", "The smart lock is jammed.")
	if _, err := ts.server.Teams.CreateTeam(system, &tend.TeamCreate{Name: "Billing"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.server.Mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: "help@acme.example"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.server.Organizations.CreateOrganization(system, &tend.OrganizationCreate{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	sc := newStaffClient(t, ts, tend.RoleAdmin)
	follow := &http.Client{Jar: sc.c.Jar}

	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v %v", files, err)
	}
	form := regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]+)"`)
	actions := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range form.FindAllSubmatch(b, -1) {
			a := regexp.MustCompile(`\{\{if [^}]*\}\}|\{\{end\}\}`).ReplaceAllString(string(m[1]), "")
			id := "1"
			if strings.Contains(a, "Ticket.Number") {
				id = fmt.Sprint(tk.Number)
			}
			actions[regexp.MustCompile(`\{\{[^}]*\}\}`).ReplaceAllString(a, id)] = true
		}
	}
	if len(actions) < 20 {
		t.Fatalf("found only %d form addresses: %v", len(actions), actions)
	}
	for path := range actions {
		resp, err := follow.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusMethodNotAllowed || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: %d %s %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), strings.TrimSpace(string(body)))
		}
	}
}

// A reply held because the customer wrote again lands on a page that a
// reload, or a visit to its address, shows again with the draft kept.
func TestBrowserHeldReplyCanBeReloaded(t *testing.T) {
	b, ts, tk := holdAReply(t)
	held := b.location()

	check := func(how string) {
		t.Helper()
		if main := b.text(`main`); strings.Contains(main, "Method Not Allowed") {
			t.Fatalf("after %s the page at %s reads %q", how, b.location(), main)
		}
		b.waitText(`#composer-error`, "The customer wrote again", 5*time.Second)
		if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#body`))); v != "Please restart the hub." {
			t.Errorf("after %s the draft reads %q", how, v)
		}
	}
	b.within(10*time.Second, chromedp.Reload(), chromedp.WaitVisible(css(`main`)))
	check("a reload")
	b.within(10*time.Second, chromedp.Navigate(held), chromedp.WaitVisible(css(`main`)))
	check("a visit to " + held)
	if got, _ := ts.tickets.FindTicketByID(system, tk.ID); len(got.Messages) != 2 {
		t.Errorf("the ticket has %d messages, want 2: the held reply is not sent", len(got.Messages))
	}
}
