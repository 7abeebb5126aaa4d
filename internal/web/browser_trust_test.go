package web_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// An agent sees whom a reply goes to and narrows it, adds someone a
// forged mail only suggested, marks spam, and an admin lifts the block;
// a customer with no address to write to says so before a reply is typed.
func TestBrowserMailTrust(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	mb, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "support@acme.example", Name: "Acme Support"})
	if err != nil {
		t.Fatal(err)
	}
	receive := func(raw string) *tend.InboundRecord {
		t.Helper()
		rec, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, []string{mb.Address}, []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
		if err != nil || rec.TicketID == nil {
			t.Fatalf("receive: %+v, %v", rec, err)
		}
		return rec
	}
	first := receive("From: Mia <mia@customer.example>\nTo: support@acme.example\nCc: Pat <pat@partner.example>\n" +
		"Subject: Card never arrived\nMessage-ID: <m1@customer.example>\n\nHello, it has been two weeks.\n")
	tk, err := ts.server.Tickets.FindTicketByID(sys, *first.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	receive(fmt.Sprintf("From: Mia <mia@customer.example>\nTo: support@acme.example\nCc: Eve <eve@evil.example>\n"+
		"Subject: Re: [#%d]\nMessage-ID: <f1@evil.example>\n\nSend it to Eve.\n", tk.Number))
	spam := receive("From: Sal <sal@spam.example>\nTo: support@acme.example\nSubject: Cheap watches\nMessage-ID: <w1@spam.example>\n\nBuy.\n")
	spamTicket, _ := ts.server.Tickets.FindTicketByID(sys, *spam.TicketID)
	unreachable := receive("From: Eli <eli@intranet>\nTo: support@acme.example\nSubject: From the office\nMessage-ID: <e1@intranet>\n\nHi.\n")
	eliTicket, _ := ts.server.Tickets.FindTicketByID(sys, *unreachable.TicketID)

	b.signIn(ts.URL, tend.RoleAgent)
	page := ts.URL + "/tickets/" + strconv.FormatInt(tk.Number, 10)
	b.do(chromedp.Navigate(page), chromedp.WaitVisible(css(`#recipients`)))
	if to := b.text(`#recipients .to`); !strings.Contains(to, "mia@customer.example") {
		t.Fatalf("the reply goes to %q", to)
	}
	if cc := b.text(`#recipients .cc`); !strings.Contains(cc, "pat@partner.example") || strings.Contains(cc, "eve@") {
		t.Fatalf("the reply copies %q", cc)
	}
	if people := b.text(`#people`); !strings.Contains(people, "eve@evil.example") || !strings.Contains(people, "not added") {
		t.Fatalf("the people panel reads %q", people)
	}
	b.screenshot("mail-trust-ticket")

	// Leave Pat out of this one reply.
	b.do(
		chromedp.Click(css(`#recipients input[value="pat@partner.example"]`)),
		chromedp.SendKeys(css(`#body`), "We are sending a new card to you."),
		chromedp.Click(css(`#composer button[type=submit]`)),
		chromedp.WaitVisible(css(`.msg.by-agent`)),
	)
	outbound := sqldb.NewOutboundService(db)
	var reply *tend.OutboundMail
	for id := int64(1); id < 10; id++ {
		if o, err := outbound.FindOutbound(context.Background(), id); err == nil && o.Kind == "reply" {
			reply = o
		}
	}
	if reply == nil || reply.To.Email != "mia@customer.example" || len(reply.Cc) != 0 {
		t.Fatalf("the reply went to %+v", reply)
	}

	// Eve was only suggested; the agent decides she belongs after all.
	b.do(chromedp.Navigate(page), chromedp.WaitVisible(css(`.suggested button`)),
		chromedp.Click(css(`.suggested button`)), chromedp.WaitVisible(css(`.notice`)))
	if people := b.text(`.participants`); !strings.Contains(people, "eve@evil.example") || !strings.Contains(people, "pat@partner.example") {
		t.Fatalf("after adding, copied: %q", people)
	}

	// Spam: solved and closed by Tend, its sender blocked, nothing mailed.
	b.do(chromedp.Navigate(ts.URL+"/tickets/"+strconv.FormatInt(spamTicket.Number, 10)), chromedp.WaitVisible(css(`.spam-form button`)),
		chromedp.Click(css(`.spam-form button`)), chromedp.WaitVisible(css(`.badge.spam`)))
	if notice := b.text(`.notice`); !strings.Contains(notice, "Nothing was mailed") {
		t.Fatalf("notice %q", notice)
	}
	if meta := b.text(`.ticket-head .meta`); !strings.Contains(meta, "Closed") {
		t.Fatalf("the spam ticket reads %q", meta)
	}
	b.do(chromedp.Navigate(ts.URL+"/tickets?view=spam"), chromedp.WaitVisible(css(`main`)))
	if list := b.text(`main`); !strings.Contains(list, "Cheap watches") {
		t.Fatalf("the Spam view lacks the ticket: %q", list)
	}
	b.do(chromedp.Navigate(ts.URL+"/tickets?view=open"), chromedp.WaitVisible(css(`main`)))
	if list := b.text(`main`); strings.Contains(list, "Cheap watches") {
		t.Fatal("the spam is in the queue")
	}
	blocked, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, []string{mb.Address},
		[]byte("From: Sal <sal@spam.example>\r\nTo: support@acme.example\r\nSubject: Cheaper watches\r\nMessage-ID: <w2@spam.example>\r\n\r\nBuy!\r\n"))
	if err != nil || blocked.Outcome != tend.OutcomeIgnored || blocked.Detail != "the sender sal@spam.example is blocked" {
		t.Fatalf("mail from the blocked sender: %+v, %v", blocked, err)
	}

	// No address to write to: said in the customer panel and the composer.
	b.do(chromedp.Navigate(ts.URL+"/tickets/"+strconv.FormatInt(eliTicket.Number, 10)), chromedp.WaitVisible(css(`.no-reply`)))
	if warn := b.text(`#recipients`); !strings.Contains(warn, `came from "Eli <eli@intranet>"`) {
		t.Fatalf("the composer says %q", warn)
	}
	if msg := b.text(`.msg`); !strings.Contains(msg, "sent as Eli <eli@intranet>") {
		t.Fatalf("the message reads %q", msg)
	}

	// The admin sees the block and lifts it.
	b2 := newBrowser(t)
	b2.signIn(ts.URL, tend.RoleAdmin)
	b2.do(chromedp.Navigate(ts.URL+"/settings/blocked"), chromedp.WaitVisible(css(`table.blocked`)))
	if row := b2.text(`table.blocked tbody`); !strings.Contains(row, "sal@spam.example") || !strings.Contains(row, "#"+strconv.FormatInt(spamTicket.Number, 10)) {
		t.Fatalf("blocked: %q", row)
	}
	b2.do(chromedp.SendKeys(css(`#pattern`), "localhost"), chromedp.Click(css(`form.inline-form button`)), chromedp.WaitVisible(css(`#pattern-problem`)))
	b2.do(chromedp.Click(css(`table.blocked button`)), chromedp.WaitVisible(css(`.notice`)))
	if body := b2.text(`main`); !strings.Contains(body, "Nobody is blocked") {
		t.Fatalf("after unblocking: %q", body)
	}
	b2.screenshot("blocked-senders")
}
