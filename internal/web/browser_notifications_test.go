package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// An agent with the ticket list open hears at once, on the bell, that a
// lead gave them a ticket and then mentioned them in a note; the list
// behind the bell says so, and opening the ticket reads them.
func TestBrowserNotificationsArriveLive(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	tk, err := ts.server.Tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Router keeps rebooting", Customer: tend.CustomerRef{Email: "ida@customer.example", Name: "Ida"}, Body: "Every ten minutes."})
	if err != nil {
		t.Fatal(err)
	}
	agent, lead := ts.agents[tend.RoleAgent], ts.agents[tend.RoleLead]
	asLead := tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: lead.ID, Role: lead.Role})
	number := strconv.FormatInt(tk.Number, 10)

	b.signIn(ts.URL, tend.RoleAgent)
	b.within(10*time.Second, chromedp.WaitVisible(css(`table.tickets`)), chromedp.WaitVisible(css(`body[data-following="yes"]`)))
	if count := b.text(`#bell`); strings.Contains(count, "unread") {
		t.Fatalf("before anything happened the bell reads %q", count)
	}

	if _, err := ts.server.Tickets.UpdateTicket(asLead, tk.ID, &tend.TicketUpdate{OwnerID: &agent.ID}); err != nil {
		t.Fatal(err)
	}
	b.waitText(`#bell-count`, "1", 5*time.Second)
	if _, err := ts.server.Tickets.AddMessage(asLead, tk.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "@agent the customer is a reseller, be kind."}); err != nil {
		t.Fatal(err)
	}
	b.waitText(`#bell-count`, "2", 5*time.Second)
	b.screenshot("bell")

	b.do(chromedp.Click(css(`a#bell`)), chromedp.WaitVisible(css(`ul.notifications`)))
	list := b.text(`ul.notifications`)
	for _, want := range []string{lead.Name + " mentioned you on #" + number, lead.Name + " assigned #" + number + " to you", "Router keeps rebooting"} {
		if !strings.Contains(list, want) {
			t.Errorf("the notifications read %q, without %q", list, want)
		}
	}
	b.screenshot("notifications")
	b.do(chromedp.Click(css(`ul.notifications li a`)), chromedp.WaitVisible(css(`#composer`)))
	if loc := b.location(); !strings.HasSuffix(loc, "/tickets/"+number) {
		t.Fatalf("the notification opened %s", loc)
	}
	if hidden, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("#bell-count").hidden`)); !hidden {
		t.Errorf("after opening the ticket the bell still reads %q", b.text(`#bell`))
	}
	if n, err := ts.server.Notifications.CountUnread(tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: agent.ID, Role: agent.Role})); err != nil || n != 0 {
		t.Errorf("after opening the ticket, %d unread (%v)", n, err)
	}

	// Following a ticket of someone else's: its customer's reply rings.
	other, err := ts.server.Tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Invoice copy", Customer: tend.CustomerRef{Email: "jo@customer.example"}, Body: "Please send it again."})
	if err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate(ts.URL+"/tickets/"+strconv.FormatInt(other.Number, 10)), chromedp.WaitVisible(css(`.follow-form button`)),
		chromedp.Click(css(`.follow-form button`)), chromedp.WaitVisible(css(`.notice`)))
	if btn := b.text(`.follow-form button`); !strings.Contains(btn, "Following") {
		t.Fatalf("after following, the button reads %q", btn)
	}
	b.do(chromedp.Navigate(ts.URL+"/tickets"), chromedp.WaitVisible(css(`body[data-following="yes"]`)))
	if _, err := ts.server.Tickets.AddMessage(tend.NewContextWithPrincipal(context.Background(), tend.Principal{CustomerID: other.CustomerID}), other.ID,
		&tend.MessageCreate{Body: "Still waiting."}); err != nil {
		t.Fatal(err)
	}
	b.waitText(`#bell-count`, "1", 5*time.Second)
}
