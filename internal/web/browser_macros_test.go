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

// An agent writes a macro, inserts it into a reply with Alt+M, edits the
// text and sends: the reply reads as edited with the placeholders
// filled, the macro's actions applied with it in one change, and the
// customer is mailed once.
func TestBrowserMacroInsertedByShortcut(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	mb, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "support@acme.example", Name: "Acme Support"})
	if err != nil {
		t.Fatal(err)
	}
	tk := ts.deliver(t, mb, "From: Mia Wong <mia@customer.example>\nTo: support@acme.example\nSubject: Charged twice\nMessage-ID: <m1@customer.example>\n\nMy card was charged twice.\n")
	number := strconv.FormatInt(tk.Number, 10)

	b.signIn(ts.URL, tend.RoleAgent)
	// An unknown placeholder is refused, named, and what was typed stays.
	b.do(chromedp.Click(css(`.sections a[href="/macros"]`)), chromedp.WaitVisible(css(`a.button[href="/macros/new"]`)),
		chromedp.Click(css(`a.button[href="/macros/new"]`)), chromedp.WaitVisible(css(`#name`)),
		chromedp.SendKeys(css(`#name`), "Refund on its way"),
		chromedp.SendKeys(css(`#body`), "Hello {{customer.firstname}}, the refund for #{{ticket.number}} is on its way."),
		chromedp.SetValue(css(`#status`), "pending"),
		chromedp.SendKeys(css(`#add_tags`), "Refund"),
		chromedp.SendKeys(css(`#note`), "Refund promised by {{agent.name}}"),
		chromedp.Click(css(`.people-actions button[type=submit]`)),
		chromedp.WaitVisible(css(`#body-problem`)),
	)
	if p := b.text(`#body-problem`); !strings.Contains(p, "{{customer.firstname}}") || !strings.Contains(p, "{{customer.first_name}}") {
		t.Errorf("the refusal reads %q; want the unknown placeholder and the known ones", p)
	}
	if kept, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#add_tags`))); kept != "Refund" {
		t.Errorf("after the refusal, the tags read %q", kept)
	}
	b.do(chromedp.SetValue(css(`#body`), "Hello {{customer.first_name}}, the refund for #{{ticket.number}} is on its way."),
		chromedp.Click(css(`.people-actions button[type=submit]`)), chromedp.WaitVisible(css(`.notice`)))
	if list := b.text(`table.macros`); !strings.Contains(list, "Refund on its way") || !strings.Contains(list, "sets status Pending") {
		t.Fatalf("the macros read %q", list)
	}

	agent := ts.agents[tend.RoleAgent]
	if _, err := ts.server.Macros.CreateMacro(tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: agent.ID, Role: agent.Role}),
		&tend.MacroCreate{Name: "Greeting", Body: "Hello {{customer.first_name}}!"}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate(ts.URL+"/tickets/"+number), chromedp.WaitVisible(css(`#composer`)),
		chromedp.Focus(css(`#body`)),
		chromedp.KeyEvent("m", chromedp.KeyModifiers(chromedp.ModifierAlt)),
	)
	b.within(10*time.Second, chromedp.WaitVisible(css(`#macro-q`)))
	// Typed as key events: SendKeys reads the input's attributes while
	// chromedp's event loop writes them (the picker sets aria attributes
	// as it opens), a data race inside chromedp that -race reports.
	b.do(chromedp.Focus(css(`#macro-q`)), chromedp.KeyEvent("refund"))
	b.waitText(`#macro-pick-status`, "1 macro", 5*time.Second)
	if opts := b.text(`#macro-options`); !strings.Contains(opts, "Refund on its way") || strings.Contains(opts, "Greeting") {
		t.Fatalf("after typing refund the picker lists %q", opts)
	}
	b.screenshot("macro-picker")
	b.do(chromedp.KeyEvent("\r", chromedp.KeyModifiers()))
	b.waitText(`#macro-chosen`, "sets status Pending", 5*time.Second)
	body, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#body`)))
	want := "Hello Mia, the refund for #" + number + " is on its way."
	if body != want {
		t.Fatalf("the composer holds %q, want %q", body, want)
	}
	// The agent adds to the text, then sends with a double click.
	b.do(chromedp.SendKeys(css(`#body`), " Kind regards."),
		chromedp.DoubleClick(css(`#composer button[type=submit]`)),
	)
	b.waitText(`#conversation`, want+" Kind regards.", 10*time.Second)
	b.waitText(`.ticket-head .meta`, "Pending", 10*time.Second)
	b.screenshot("macro-sent")
	if chosen := b.text(`#macro-chosen`); chosen != "" {
		t.Errorf("after sending, the composer still names a macro: %q", chosen)
	}

	got, err := ts.server.Tickets.FindTicketByID(sys, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	var replies, notes int
	for _, m := range got.Messages {
		switch {
		case m.Kind == tend.KindReply && m.AuthorType == tend.AuthorAgent:
			replies++
		case m.Kind == tend.KindNote:
			notes++
			if !strings.HasPrefix(m.Body, "Refund promised by ") {
				t.Errorf("the note reads %q", m.Body)
			}
		}
	}
	if replies != 1 || notes != 1 || got.Status != tend.StatusPending || !strings.Contains(strings.Join(got.Tags, ","), "refund") {
		t.Errorf("after one send: %d replies, %d notes, status %s, tags %v", replies, notes, got.Status, got.Tags)
	}
	events, _, err := ts.server.Tickets.FindTicketEvents(sys, tk.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1].ChangeID
	var step []string
	for _, e := range events {
		if e.ChangeID == last {
			step = append(step, string(e.Kind))
		}
	}
	if last == "" || len(step) < 3 {
		t.Errorf("the send recorded one change of %v", step)
	}
	outbound := sqldb.NewOutboundService(db)
	mailed := 0
	for id := int64(1); id < 20; id++ {
		if o, err := outbound.FindOutbound(context.Background(), id); err == nil && o.Kind == "reply" {
			mailed++
		}
	}
	if mailed != 1 {
		t.Errorf("the customer was mailed %d replies, want one", mailed)
	}
	if m, err := ts.server.Macros.FindMacros(tend.NewContextWithPrincipal(context.Background(), tend.Principal{System: true}), tend.MacroFilter{Q: "refund"}); err != nil || len(m) != 1 || m[0].UsageCount != 1 {
		t.Errorf("macros after one use: %+v, %v", m, err)
	}
}
