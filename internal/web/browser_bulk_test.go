package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// An agent ticks twenty tickets in a list and sets them pending: nineteen
// change, and the one the workflow refuses (solved cannot become pending)
// is named with the reason. Shift-click ticks a range.
func TestBrowserBulkChange(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	var solved *tend.Ticket
	for i := range 20 {
		tk, err := ts.server.Tickets.CreateTicket(sys, &tend.TicketCreate{Subject: fmt.Sprintf("Bulk question %d", i),
			Customer: tend.CustomerRef{Email: "bulk@example.com"}, Body: "Help"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 12 {
			st := tend.StatusSolved
			if tk, err = ts.server.Tickets.UpdateTicket(sys, tk.ID, &tend.TicketUpdate{Status: &st}); err != nil {
				t.Fatal(err)
			}
			solved = tk
		}
	}
	b.signIn(ts.URL, tend.RoleAgent)
	list := ts.URL + "/tickets?status=new&status=solved"
	b.do(chromedp.Navigate(list), chromedp.WaitVisible(css(`#pick-all`)))

	// Shift-click ticks the rows between.
	b.do(chromedp.Click(css(`tr.ticket-row:nth-child(2) td.pick input`)),
		// A click with Shift held, as the browser sends it.
		chromedp.Evaluate[chromedp.Void](`document.querySelector("tr.ticket-row:nth-child(6) td.pick input").dispatchEvent(
			new MouseEvent("click", {bubbles: true, cancelable: true, shiftKey: true}))`))
	if got := b.text(`#bulk-count`); got != "5 tickets selected." {
		t.Fatalf("after a shift-click the bar reads %q", got)
	}

	b.do(chromedp.Click(css(`#pick-all`)))
	if got := b.text(`#bulk-count`); got != "20 tickets selected." {
		t.Fatalf("after ticking the page the bar reads %q", got)
	}
	b.do(chromedp.SetValue(css(`#b-status`), "pending"), chromedp.SetValue(css(`#b-add`), "batch"),
		chromedp.Click(css(`form#bulk button[type=submit]`)), chromedp.WaitVisible(css(`ul.bulk-refused`)))
	if h := b.text(`h1`); h != "Changed 19 tickets; 1 not changed" {
		t.Errorf("the answer reads %q", h)
	}
	if why := b.text(`ul.bulk-refused`); !strings.Contains(why, fmt.Sprintf("#%d", solved.Number)) || !strings.Contains(why, "cannot become pending") {
		t.Errorf("the refusal reads %q", why)
	}
	b.screenshot("bulk-answer")

	pending, _, err := ts.server.Tickets.FindTickets(sys, tend.TicketFilter{Statuses: []tend.Status{tend.StatusPending}, Tag: "batch", Limit: 50})
	if err != nil || len(pending) != 19 {
		t.Fatalf("%d tickets pending and tagged, %v", len(pending), err)
	}
	events, _, _ := ts.server.Tickets.FindTicketEvents(sys, pending[0].ID, "", 50)
	if kinds := fmt.Sprint(kindsOf(events)); !strings.Contains(kinds, "status_changed") || !strings.Contains(kinds, "tags_changed") {
		t.Errorf("a changed ticket's history: %s", kinds)
	}

	// Reloading the answer sends the form again: it answers the same and
	// changes nothing more.
	b.do(chromedp.Reload(), chromedp.WaitVisible(css(`ul.bulk-refused`)))
	if h := b.text(`h1`); h != "Changed 19 tickets; 1 not changed" {
		t.Errorf("after a reload the answer reads %q", h)
	}
	after, _, _ := ts.server.Tickets.FindTicketEvents(sys, pending[0].ID, "", 50)
	if len(after) != len(events) {
		t.Errorf("the reload added %d history entries", len(after)-len(events))
	}
}

func kindsOf(events []*tend.Event) []tend.EventKind {
	out := make([]tend.EventKind, len(events))
	for i, e := range events {
		out[i] = e.Kind
	}
	return out
}
