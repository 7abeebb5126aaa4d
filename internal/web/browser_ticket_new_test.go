package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/riverqueue/river"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/outbound"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// visible reports whether the element sel is shown.
func (b *browser) visible(sel string) bool {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.offsetParent !== null; })()`, sel)))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// sendQueued sends every queued mail into the outbox folder dir, as the
// server's mail worker does, and returns how many it sent.
func sendQueued(t *testing.T, db *sqldb.DB, dir string) int {
	t.Helper()
	store := sqldb.NewOutboundService(db)
	sender := &outbound.Sender{Store: store, Transport: outbound.Outbox{Dir: dir}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	sent := 0
	for id := int64(1); ; id++ {
		o, err := store.FindOutbound(context.Background(), id)
		if tend.ErrorCode(err) == tend.ENOTFOUND {
			return sent
		} else if err != nil {
			t.Fatal(err)
		}
		if o.Status != "queued" {
			continue
		}
		if err := sender.Work(context.Background(), &river.Job[tend.SendMail]{Args: tend.SendMail{OutboundID: id}}); err != nil {
			t.Fatal(err)
		}
		sent++
	}
}

// A ticket opened from the web for a caller: the agent finds the customer
// as they type, chooses Phone call and lands on the new ticket, whose
// history names the agent and the call. Nothing is mailed, and a double
// click opens one ticket.
func TestBrowserTicketForCaller(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	bob, err := ts.server.Customers.CreateCustomer(sys, &tend.CustomerCreate{Name: "Bob Stone", Emails: []string{"bob@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.server.Customers.CreateCustomer(sys, &tend.CustomerCreate{Name: "Bobbie Other", Emails: []string{"bobbie@example.com"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "help@desk.example", Name: "Help"}); err != nil {
		t.Fatal(err)
	}
	b.signIn(ts.URL, tend.RoleAgent)
	b.do(chromedp.Navigate(ts.URL+"/tickets"), chromedp.Click(css(`a.new-ticket`)), chromedp.WaitVisible(css(`form#new-ticket`)))
	if mb := b.visible(`#mailbox-field`); mb {
		t.Error("the mailbox shows for a phone call")
	}
	b.do(chromedp.SendKeys(css(`#customer-q`), "Bob St"),
		chromedp.WaitVisible(css(`#customer-results li[role=option]`)))
	if got := b.text(`#customer-results`); !strings.Contains(got, "Bob Stone <bob@example.com>") || strings.Contains(got, "Bobbie") {
		t.Errorf("searching Bob St offers %q", got)
	}
	b.screenshot("new-ticket-search")
	b.do(chromedp.Click(css(`#customer-results li[role=option]`)), chromedp.WaitVisible(css(`#customer-chosen`)))
	if got := b.text(`#customer-chosen-label`); got != "Bob Stone <bob@example.com>" {
		t.Errorf("chosen: %q", got)
	}
	b.do(chromedp.SendKeys(css(`#subject`), "Card refused at the shop"),
		chromedp.SendKeys(css(`#body`), "Bob called: his card was refused twice today."),
		chromedp.SetValue(css(`#priority`), "high"))
	b.screenshot("new-ticket-phone")
	// Two clicks before the first answer arrives.
	b.do(chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector("form#new-ticket button[type=submit]"); s.click(); s.click(); })()`),
		chromedp.WaitVisible(css(`#history`)))
	if loc := b.location(); !regexp.MustCompile(`/tickets/\d+$`).MatchString(loc) {
		t.Fatalf("after opening the ticket at %s", loc)
	}
	tickets, _, err := ts.server.Tickets.FindTickets(sys, tend.TicketFilter{CustomerID: &bob.ID})
	if err != nil || len(tickets) != 1 {
		t.Fatalf("a double click opened %d tickets, %v", len(tickets), err)
	}
	tk, err := ts.server.Tickets.FindTicketByID(sys, tickets[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if tk.Channel != tend.ChannelPhone || tk.Priority != tend.PriorityHigh || tk.FirstRespondedAt != nil ||
		tk.Messages[0].AuthorType != tend.AuthorCustomer || tk.Messages[0].Delivery != "" {
		t.Errorf("ticket = %+v, first message %+v", tk, tk.Messages[0])
	}
	agent := ts.agents[tend.RoleAgent]
	if got := b.text(`#conversation .taken-by`); got != "taken on the phone by "+agent.Name {
		t.Errorf("the first message says %q", got)
	}
	b.do(chromedp.Navigate(b.location()+"?history=1"), chromedp.WaitVisible(css(`#history`)))
	if h := b.text(`#history`); !strings.Contains(h, agent.Name) || !strings.Contains(h, "opened the ticket for a phone call from Bob Stone") {
		t.Errorf("history reads %q", h)
	}
	b.screenshot("new-ticket-phone-opened")
	if n := sendQueued(t, db, t.TempDir()); n != 0 {
		t.Errorf("%d mails for a phone call", n)
	}
}

// A ticket opened by mail to a customer who has not written yet: a new
// customer, the mailbox chosen; a mistake shows the form again with what
// was typed. The agent's words go out from that mailbox and count as the
// first response.
func TestBrowserTicketByMail(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	if _, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "help@desk.example", Name: "Help"}); err != nil {
		t.Fatal(err)
	}
	sales, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "sales@desk.example", Name: "Sales"})
	if err != nil {
		t.Fatal(err)
	}
	b.signIn(ts.URL, tend.RoleAgent)
	b.do(chromedp.Navigate(ts.URL+"/tickets/new"), chromedp.WaitVisible(css(`form#new-ticket`)),
		chromedp.SendKeys(css(`#name`), "Dee Park"), chromedp.SendKeys(css(`#email`), "dee@example.com"),
		chromedp.Click(css(`input[name=channel][value=email]`)), chromedp.WaitVisible(css(`#mailbox_id`)),
		chromedp.SendKeys(css(`#subject`), "Your renewal"),
		chromedp.SendKeys(css(`#body`), "Hello Dee, your plan renews next week."),
		chromedp.Click(css(`form#new-ticket button[type=submit]`)), chromedp.WaitVisible(css(`#mailbox_id-problem`)))
	if got := b.text(`#mailbox_id-problem`); !strings.Contains(got, "choose the mailbox") {
		t.Errorf("without a mailbox: %q", got)
	}
	subject, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#subject`)))
	email, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#email`)))
	if subject != "Your renewal" || email != "dee@example.com" || !b.visible(`#mailbox-field`) {
		t.Errorf("the refused form kept subject %q, email %q", subject, email)
	}
	if ts.countTickets() != 0 {
		t.Fatal("a refused form opened a ticket")
	}
	b.screenshot("new-ticket-mail-refused")
	b.do(chromedp.SetValue(css(`#mailbox_id`), fmt.Sprint(sales.ID)),
		chromedp.Click(css(`form#new-ticket button[type=submit]`)), chromedp.WaitVisible(css(`#history`)))
	list, _, err := ts.server.Tickets.FindTickets(sys, tend.TicketFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("%d tickets, %v", len(list), err)
	}
	tk := list[0]
	if tk.Channel != tend.ChannelEmail || tk.FirstRespondedAt == nil || tk.MailboxID == nil || *tk.MailboxID != sales.ID {
		t.Errorf("ticket = %+v", tk)
	}
	b.do(chromedp.Navigate(b.location()+"?history=1"), chromedp.WaitVisible(css(`#history`)))
	if h := b.text(`#history`); !strings.Contains(h, "opened the ticket by mail to Dee Park") {
		t.Errorf("history reads %q", h)
	}
	b.screenshot("new-ticket-mail-opened")
	dir := filepath.Join(t.TempDir(), "outbox")
	if n := sendQueued(t, db, dir); n != 1 {
		t.Fatalf("%d mails sent, want 1", n)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("outbox holds %v", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	mail := string(raw)
	if !regexp.MustCompile(`(?m)^From: .*sales@desk\.example`).MatchString(mail) || !strings.Contains(mail, "To: ") ||
		!strings.Contains(mail, "dee@example.com") || !strings.Contains(mail, "your plan renews next week") {
		t.Errorf("the mail:\n%s", mail)
	}
}
