package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// options returns the values of the options of the select sel.
func (b *browser) options(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`Array.from(document.querySelector(%q).options).map(o => o.value).join(",")`, sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// The ticket page offers only the statuses the workflow allows from the
// ticket's own, and says a refusal in words: a page opened before someone
// else solved the ticket may still offer what is no longer allowed.
func TestBrowserTicketOffersOnlyAllowedStatuses(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Hub offline", "ana@customer.example", "The hub is offline.")
	if _, err := ts.tickets.UpdateTicket(system, tk.ID, &tend.TicketUpdate{Status: ptr(tend.StatusPending)}); err != nil {
		t.Fatal(err)
	}
	b.signIn(ts.URL, tend.RoleAgent)
	b.within(10*time.Second, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)), chromedp.WaitVisible(css(`#composer`)))
	if got := b.options(`select#status`); got != "open,pending,on_hold,solved" {
		t.Errorf("a pending ticket's details offer the statuses %s", got)
	}
	if got := b.options(`select#send-status`); got != ",open,on_hold,solved" {
		t.Errorf("a pending ticket's reply offers to set the statuses %s", got)
	}

	// Someone solves it; this page, opened before, still offers on hold.
	if _, err := ts.tickets.UpdateTicket(system, tk.ID, &tend.TicketUpdate{Status: ptr(tend.StatusSolved)}); err != nil {
		t.Fatal(err)
	}
	b.do(
		chromedp.SendKeys(css(`#body`), "It should be back now."),
		chromedp.SetValue(css(`#send-status`), "on_hold"),
		chromedp.Click(css(`#composer button[type=submit]`)),
	)
	msg := b.waitText(`#composer-error`, "on hold", 10*time.Second)
	b.screenshot("status-refused")
	for _, raw := range []string{"status:", "on_hold", "can become open, closed"} {
		if strings.Contains(msg, raw) {
			t.Errorf("the refusal reads %q, with %q", msg, raw)
		}
	}
	if !strings.Contains(msg, "solved") || !strings.Contains(msg, "open or closed") {
		t.Errorf("the refusal reads %q; want it to say the ticket is solved and can become open or closed", msg)
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#body`))); v != "It should be back now." {
		t.Errorf("the draft was not kept: %q", v)
	}
}

// A reply held because the customer wrote again, then sent anyway, is
// sent once, and the composer is empty again: no draft, no warning, a new
// key, so that pressing Send once more sends nothing twice.
func TestBrowserHeldReplySentAnywayOnce(t *testing.T) {
	b, ts, tk := holdAReply(t)
	if label := b.text(`#composer button[type=submit]`); label != "Send anyway" {
		t.Fatalf("the held reply's button reads %q", label)
	}

	b.do(chromedp.Click(css(`#composer button[type=submit]`)))
	b.waitText(`.conversation`, "Please restart the hub.", 10*time.Second)
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelector('textarea#body').value === "" && !document.querySelector('#composer-error')`,
		chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#body`)))
		warning, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector('#composer-error') || {}).textContent || ""`))
		t.Errorf("after sending anyway the composer holds %q and says %q", v, warning)
	}
	if label := b.text(`#composer button[type=submit]`); label != "Send" {
		t.Errorf("after sending anyway the button reads %q", label)
	}
	b.screenshot("held-reply-sent")

	// Pressing Send again sends nothing more.
	b.do(chromedp.Click(css(`#composer button[type=submit]`)))
	time.Sleep(time.Second)
	got, _ := ts.tickets.FindTicketByID(system, tk.ID)
	if n := len(got.Messages); n != 3 {
		t.Fatalf("the ticket has %d messages, want 3: the reply sent once", n)
	}
}

// Two people change a ticket's details at once. Changes to different
// fields both stay; a change to the same field is not lost either way:
// the page shows what the other person made it beside the agent's own
// choice, which saving again applies.
func TestBrowserDetailsMergeAndShowConflicts(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Invoice twice", "ida@customer.example", "I got two invoices.")
	team, err := ts.server.Teams.CreateTeam(system, &tend.TeamCreate{Name: "Billing"})
	if err != nil {
		t.Fatal(err)
	}
	lead := asAgent(ts.agents[tend.RoleLead])
	b.signIn(ts.URL, tend.RoleAgent)
	b.within(10*time.Second, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)), chromedp.WaitVisible(css(`#composer`)))

	// The agent starts on the tags and the team; the lead raises the
	// priority meanwhile.
	b.do(chromedp.SendKeys(css(`#tags`), "billing"), chromedp.SetValue(css(`#team_id`), strID(team.ID)))
	if _, err := ts.tickets.UpdateTicket(lead, tk.ID, &tend.TicketUpdate{Priority: ptr(tend.PriorityHigh)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // the live refresh must leave the agent's edit alone
	b.do(chromedp.Click(css(`.controls button[type=submit]`)))
	b.waitText(`main`, "The ticket was updated.", 10*time.Second)
	got, _ := ts.tickets.FindTicketByID(system, tk.ID)
	if got.Priority != tend.PriorityHigh || strings.Join(got.Tags, ",") != "billing" || got.TeamID == nil || *got.TeamID != team.ID {
		t.Fatalf("after both changes: priority %s, tags %v, team %v", got.Priority, got.Tags, got.TeamID)
	}

	// Now both change the priority: the agent to low, the lead to urgent.
	b.do(chromedp.SetValue(css(`#priority`), "low"))
	if _, err := ts.tickets.UpdateTicket(lead, tk.ID, &tend.TicketUpdate{Priority: ptr(tend.PriorityUrgent)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	b.do(chromedp.Click(css(`.controls button[type=submit]`)))
	note := b.waitText(`#priority-problem`, "Urgent", 10*time.Second)
	b.screenshot("details-conflict")
	if !strings.Contains(note, "Low") {
		t.Errorf("beside the priority: %q; want both Urgent (theirs) and Low (the agent's)", note)
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#priority`))); v != "low" {
		t.Errorf("the agent's choice was not kept: the priority reads %q", v)
	}
	if got, _ := ts.tickets.FindTicketByID(system, tk.ID); got.Priority != tend.PriorityUrgent {
		t.Fatalf("a clash saved the agent's priority: %s", got.Priority)
	}
	// Saving again makes it the agent's.
	b.do(chromedp.Click(css(`.controls button[type=submit]`)))
	b.waitText(`main`, "The ticket was updated.", 10*time.Second)
	if got, _ := ts.tickets.FindTicketByID(system, tk.ID); got.Priority != tend.PriorityLow {
		t.Fatalf("after saving again the priority is %s, want low", got.Priority)
	}
}

// Details changed and not saved are not lost to a reply without a word:
// Send first says which are unsaved, and sends only when pressed again;
// they stay on the page after it, and saving them keeps a draft.
func TestBrowserReplySaysDetailsAreUnsaved(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Camera offline", "sol@customer.example", "The garden camera went offline.")
	b.signIn(ts.URL, tend.RoleAgent)
	b.within(10*time.Second, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)), chromedp.WaitVisible(css(`#composer`)))

	b.do(
		chromedp.SetValue(css(`#priority`), "high"),
		chromedp.SendKeys(css(`#tags`), "camera"),
		chromedp.SendKeys(css(`#body`), "Hi Sol, please power-cycle it once."),
		chromedp.Click(css(`#composer button[type=submit]`)),
	)
	say := b.waitText(`#unsaved-details`, "not saved", 5*time.Second)
	b.screenshot("unsaved-details")
	if !strings.Contains(say, "priority") || !strings.Contains(say, "tags") {
		t.Errorf("the warning reads %q; want it to name the priority and the tags", say)
	}
	if got, _ := ts.tickets.FindTicketByID(system, tk.ID); len(got.Messages) != 1 {
		t.Fatalf("the reply was sent (%d messages) before the page said the details are unsaved", len(got.Messages))
	}

	// Sent anyway, the reply goes; the details stay as the agent left them.
	b.do(chromedp.Click(css(`#composer button[type=submit]`)))
	b.waitText(`.conversation`, "power-cycle it once", 10*time.Second)
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#priority`))); v != "high" {
		t.Errorf("after sending, the unsaved priority reads %q", v)
	}
	if got, _ := ts.tickets.FindTicketByID(system, tk.ID); got.Priority != tend.PriorityNormal || len(got.Messages) != 2 {
		t.Fatalf("after sending: priority %s, %d messages", got.Priority, len(got.Messages))
	}

	// Saving the details keeps a draft being written. The composer empties
	// when the send's answer arrives, which may come after the reply
	// shows: the new draft is begun once it has.
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.querySelector('textarea#body').value === ""`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("the composer did not empty after sending: %v", err)
	}
	b.do(chromedp.SendKeys(css(`#body`), "One more thing"), chromedp.Click(css(`.controls button[type=submit]`)))
	b.waitText(`main`, "The ticket was updated.", 10*time.Second)
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#body`))); v != "One more thing" {
		t.Errorf("saving the details left the draft %q", v)
	}
	if got, _ := ts.tickets.FindTicketByID(system, tk.ID); got.Priority != tend.PriorityHigh || strings.Join(got.Tags, ",") != "camera" {
		t.Fatalf("after saving: priority %s, tags %v", got.Priority, got.Tags)
	}
}

// holdAReply has an agent write a reply while the customer writes again,
// and send it: the page holds it. It returns the browser on the held
// reply's page.
func holdAReply(t *testing.T) (*browser, *testServer, *tend.Ticket) {
	t.Helper()
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Door sensor offline", "noor@customer.example", "The door sensor went offline.")
	b.signIn(ts.URL, tend.RoleAgent)
	b.within(10*time.Second, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)), chromedp.WaitVisible(css(`#composer`)))
	if _, err := ts.tickets.AddMessage(system, tk.ID, &tend.MessageCreate{FromCustomer: true, Body: "It came back by itself."}); err != nil {
		t.Fatal(err)
	}
	b.waitText(`.conversation`, "It came back by itself.", 5*time.Second)
	b.do(chromedp.SendKeys(css(`#body`), "Please restart the hub."), chromedp.Click(css(`#composer button[type=submit]`)))
	b.waitText(`#composer-error`, "The customer wrote again", 10*time.Second)
	return b, ts, tk
}
