package web_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// The ticket page shows its deadlines in words, and the At risk view
// fills as the clock passes 75% of a target: both follow the ticket's
// next change live, without a reload, and the script moves the words on
// from the server's clock.
func TestBrowserDeadlines(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	clock := sqldbtest.NewClock(db)
	ts := newTestServer(t, db)
	agent := ts.agents[tend.RoleAgent]
	tk := newTicket(t, ts, "Boiler pressure low", "mia@customer.example", "It reads 0.5 bar.")
	if _, err := ts.tickets.UpdateTicket(system, tk.ID, &tend.TicketUpdate{OwnerID: &agent.ID}); err != nil {
		t.Fatal(err)
	}
	touch := func(tag string) {
		t.Helper()
		if _, err := ts.tickets.UpdateTicket(system, tk.ID, &tend.TicketUpdate{AddTags: []string{tag}}); err != nil {
			t.Fatal(err)
		}
	}
	b.signIn(ts.URL, tend.RoleAgent)

	b.do(chromedp.Navigate(ts.URL+"/tickets?view=at-risk"), chromedp.WaitVisible(css(`body[data-following="yes"]`)))
	b.waitText(`div#ticket-list`, "No tickets here.", 5*time.Second)
	b.waitText(`nav.views a[href="/tickets?view=at-risk"]`, "0", 5*time.Second)
	clock.Advance(18*time.Hour + 10*time.Minute)
	touch("checked")
	b.waitText(`div#ticket-list`, "Boiler pressure low", 5*time.Second)
	b.waitText(`tr.ticket-row td.deadline`, "due in 5 h 50 min", 5*time.Second)
	b.waitText(`nav.views a[href="/tickets?view=at-risk"]`, "1", 5*time.Second)

	b.do(chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)), chromedp.WaitVisible(css(`body[data-following="yes"]`)))
	b.waitText(`section#sla`, "First response due in 5 h 50 min (at risk)", 5*time.Second)
	b.screenshot("deadlines-at-risk")
	// Past the deadline, the next change shows the breach.
	clock.Advance(6 * time.Hour)
	touch("late")
	b.waitText(`section#sla`, "First response breached 10 min ago", 5*time.Second)
	// The words move on as time passes, between changes too.
	// (Twenty minutes on, as the browser sees it; a page comes back.)
	b.do(chromedp.Evaluate[chromedp.Void](`(() => { const sla = document.querySelector("section#sla");
		sla.dataset.seen = String(Number(sla.dataset.seen) - 20*60000); window.dispatchEvent(new Event("focus")); })()`))
	b.waitText(`section#sla`, "First response breached 30 min ago", 2*time.Second)
}
