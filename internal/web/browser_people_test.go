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

// An agent finds a customer, reads their profile and tickets, corrects
// their name, and merges the address they also wrote from into them.
func TestBrowserCustomers(t *testing.T) {
	b := newBrowser(t)
	dsn := sqldbtest.DSN(t, sqldb.SQLite)
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.PasswordParams = sqldbtest.Cheap
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	acme, err := ts.server.Organizations.CreateOrganization(sys, &tend.OrganizationCreate{Name: "Acme Corporation",
		Domains: []string{"acme.example"}, Tier: tend.TierPriority, Notes: "Renews every March."})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ subject, name, email string }{
		{"Printer on fire", "", "ann.lee@acme.example"},
		{"Invoice 2291 is wrong", "", "ann.lee@acme.example"},
		{"Cannot sign in from home", "", "annlee1987@home.example"},
		{"Refund for order 88", "Bob Ortiz", "bob@globex.example"},
		{"Where is my parcel?", "Chidi Anagonye", "chidi.anagonye@acme.example"},
		{"A very long address", "", "someone.with.a.rather.long.address@subdomain.of.an.example.org"},
	} {
		if _, err := ts.server.Tickets.CreateTicket(sys, &tend.TicketCreate{Subject: c.subject, Body: "Hello.",
			Customer: tend.CustomerRef{Name: c.name, Email: c.email}}); err != nil {
			t.Fatal(err)
		}
	}
	ann, home := customerByEmail(t, ts, "ann.lee@acme.example"), customerByEmail(t, ts, "annlee1987@home.example")
	annURL := "/customers/" + strconv.FormatInt(ann.ID, 10)
	phone := "+44 20 7946 0000"
	if _, err := ts.server.Customers.UpdateCustomer(sys, home.ID, &tend.CustomerUpdate{Emails: &[]string{"annlee1987@home.example", "ann@old-isp.example"},
		Phone: &phone}); err != nil {
		t.Fatal(err)
	}
	// As a proved bounce of mail sent there marks it (the mail tests
	// prove that path).
	if err := sqldbtest.Exec(t, sqldb.SQLite, dsn)(`UPDATE customer_emails SET bouncing_since = 1,
		bounce_reason = '550 5.1.1 mailbox unavailable' WHERE email = 'ann@old-isp.example'`); err != nil {
		t.Fatal(err)
	}

	b.signIn(ts.URL, tend.RoleLead)
	b.do(chromedp.Click(css(`.sections a[href="/customers"]`)), chromedp.WaitVisible(css(`.people-table`)))
	if list := b.text(`.people-table tbody`); !strings.Contains(list, "ann.lee@acme.example") || !strings.Contains(list, "Acme Corporation") {
		t.Fatalf("the customer list reads %q", list)
	}
	b.screenshot("customers")

	// Searching by the start of an address.
	b.do(chromedp.SendKeys(css(`#q`), "ann"), chromedp.Submit(css(`#q`)), chromedp.WaitVisible(css(`.people-search .row a`)))
	list := b.text(`.people-table tbody`)
	if !strings.Contains(list, "ann.lee@acme.example") || !strings.Contains(list, "annlee1987@home.example") || strings.Contains(list, "bob@") {
		t.Fatalf("the customers starting with ann: %q", list)
	}

	// The profile shows the tickets, and the link to all of them.
	b.do(chromedp.Click(css(`.people-table th a[href="`+annURL+`"]`)), chromedp.WaitVisible(css(`.profile`)))
	if body := b.text(`main`); !strings.Contains(body, "Printer on fire") || !strings.Contains(body, "Invoice 2291 is wrong") ||
		!strings.Contains(body, "Acme Corporation") || strings.Contains(body, "Cannot sign in from home") {
		t.Fatalf("the profile reads %q", body)
	}
	if link := b.text(`.related a[href="/tickets?customer_id=` + strconv.FormatInt(ann.ID, 10) + `"]`); link != "All their tickets" {
		t.Fatalf("the link to all their tickets reads %q", link)
	}

	// Correct the name; a wrong address is refused beside its field and
	// what was typed stays.
	b.do(chromedp.Click(css(`a[href="`+annURL+`/edit"]`)), chromedp.WaitVisible(css(`#name`)),
		chromedp.SendKeys(css(`#name`), "Ann Lee"),
		chromedp.SetValue(css(`#emails`), "ann.lee@acme.example\nnot-an-address"),
		chromedp.Click(css(`.people-form button[type=submit]`)), chromedp.WaitVisible(css(`#emails-problem`)))
	if name, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#name`))); name != "Ann Lee" {
		t.Fatalf("after a refused save the name reads %q", name)
	}
	b.screenshot("customer-edit")
	b.do(chromedp.SetValue(css(`#emails`), "ann.lee@acme.example"),
		chromedp.Click(css(`.people-form button[type=submit]`)), chromedp.WaitVisible(css(`.notice`)))
	if h1 := b.text(`h1`); h1 != "Ann Lee" {
		t.Fatalf("after saving the heading reads %q", h1)
	}

	// Merge the home address's customer into her: the confirmation says
	// what moves, and afterwards her profile has the tickets of both.
	b.do(chromedp.SendKeys(css(`#other`), "AnnLee1987@home.example"), chromedp.Click(css(`.merge button[type=submit]`)),
		chromedp.WaitVisible(css(`.moves`)))
	if moves := b.text(`.moves`); !strings.Contains(moves, "1 ticket") || !strings.Contains(moves, "ann@old-isp.example") ||
		!strings.Contains(moves, "+44 20 7946 0000") {
		t.Fatalf("the confirmation says %q", moves)
	}
	b.screenshot("customer-merge")
	b.do(chromedp.Click(css(`button.danger`)), chromedp.WaitVisible(css(`.notice`)))
	body := b.text(`main`)
	for _, want := range []string{"Printer on fire", "Invoice 2291 is wrong", "Cannot sign in from home", "annlee1987@home.example",
		"ann@old-isp.example", "Bouncing", "550 5.1.1 mailbox unavailable", "+44 20 7946 0000", "Tickets (3)"} {
		if !strings.Contains(body, want) {
			t.Fatalf("after merging the profile lacks %q: %q", want, body)
		}
	}
	b.screenshot("customer")
	// At tablet width the merge box goes below the details.
	b.do(chromedp.EmulateViewport(800, 1000), chromedp.Reload(), chromedp.WaitVisible(css(`.profile`)))
	b.screenshot("customer-tablet")
	b.do(chromedp.EmulateViewport(1280, 900))

	// The old customer's page leads to the survivor; the organization
	// lists the survivor.
	b.do(chromedp.Navigate(ts.URL+"/customers/"+strconv.FormatInt(home.ID, 10)), chromedp.WaitVisible(css(`main`)))
	if body := b.text(`main`); !strings.Contains(body, "was merged into this one") || !strings.Contains(body, "Ann Lee") {
		t.Fatalf("the merged customer's page reads %q", body)
	}
	b.do(chromedp.Navigate(ts.URL+"/organizations"), chromedp.WaitVisible(css(`.people-table`)),
		chromedp.Click(css(`.people-table th a[href="/organizations/`+strconv.FormatInt(acme.ID, 10)+`"]`)),
		chromedp.WaitVisible(css(`.member-list`)))
	if members, tickets := b.text(`.member-list`), b.text(`.related`); !strings.Contains(members, "Ann Lee") ||
		!strings.Contains(members, "Chidi Anagonye") || !strings.Contains(tickets, "Cannot sign in from home") {
		t.Fatalf("the organization lists %q and %q", members, tickets)
	}
	b.screenshot("organization")

	// Make it a standard organization again.
	b.do(chromedp.Click(css(`a[href$="/edit"]`)), chromedp.WaitVisible(css(`#domains`)),
		chromedp.Click(css(`input[name=tier][value=standard]`)),
		chromedp.Click(css(`.people-form button[type=submit]`)), chromedp.WaitVisible(css(`.notice`)))
	if facts := b.text(`.facts`); !strings.Contains(facts, "Standard") {
		t.Fatalf("after saving the organization reads %q", facts)
	}
}

func customerByEmail(t *testing.T, ts *testServer, email string) *tend.Customer {
	t.Helper()
	list, _, err := ts.server.Customers.FindCustomers(tend.SystemContext(context.Background()), tend.CustomerFilter{Email: email})
	if err != nil || len(list) != 1 {
		t.Fatalf("the customer of %s: %v, %v", email, list, err)
	}
	return list[0]
}
