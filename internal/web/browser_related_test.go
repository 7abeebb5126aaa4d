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

// An agent merges a duplicate from its page: they land on the ticket
// kept, with both messages; the duplicate says where it went, and the
// customer was mailed nothing for it. Then they link a related ticket.
func TestBrowserMergeAndLink(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	mb, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "support@acme.example", Name: "Acme Support"})
	if err != nil {
		t.Fatal(err)
	}
	receive := func(raw string) *tend.Ticket { return ts.deliver(t, mb, raw) }
	keep := receive("From: Mia <mia@customer.example>\nTo: support@acme.example\nSubject: Card never arrived\nMessage-ID: <m1@customer.example>\n\nIt has been two weeks.\n")
	dup := receive("From: Mia <mia@customer.example>\nTo: support@acme.example\nSubject: Where is my card?\nMessage-ID: <m2@customer.example>\n\nStill nothing!\n")
	related := receive("From: Bo <bo@other.example>\nTo: support@acme.example\nSubject: Cards late for everyone?\nMessage-ID: <b1@other.example>\n\nMine too.\n")
	outbound := sqldb.NewOutboundService(db)
	mailed := func() int {
		n := 0
		for id := int64(1); id < 50; id++ {
			if _, err := outbound.FindOutbound(context.Background(), id); err == nil {
				n++
			}
		}
		return n
	}
	before := mailed()

	b.signIn(ts.URL, tend.RoleAgent)
	number := func(n int64) string { return strconv.FormatInt(n, 10) }
	b.do(chromedp.Navigate(ts.URL+"/tickets/"+number(dup.Number)), chromedp.WaitVisible(css(`.merge-form`)),
		chromedp.SendKeys(css(`#merge-number`), number(keep.Number)),
		chromedp.Click(css(`.merge-form input[name=confirm]`)),
		chromedp.Click(css(`.merge-form button[type=submit]`)),
	)
	// The duplicate's page has the same panels: wait for the address.
	for deadline := time.Now().Add(10 * time.Second); !strings.HasSuffix(b.location(), "/tickets/"+number(keep.Number)); time.Sleep(25 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after merging, the page is %s, want the ticket kept", b.location())
		}
	}
	b.do(chromedp.WaitVisible(css(`#related-title`)))
	if conv := b.text(`#conversation`); !strings.Contains(conv, "It has been two weeks.") || !strings.Contains(conv, "Still nothing!") {
		t.Fatalf("the kept ticket's conversation reads %q", conv)
	}
	b.do(chromedp.Navigate(ts.URL+"/tickets/"+number(dup.Number)), chromedp.WaitVisible(css(`.notice.merged`)))
	if notice := b.text(`.notice.merged`); !strings.Contains(notice, "Merged into #"+number(keep.Number)) {
		t.Fatalf("the duplicate says %q", notice)
	}
	if status := b.text(`.ticket-head .badge`); !strings.Contains(status, "Closed") {
		t.Errorf("the duplicate is %q, want Closed", status)
	}
	if n := mailed(); n != before {
		t.Errorf("the merge mailed %d times", n-before)
	}
	b.screenshot("merged-duplicate")

	b.do(chromedp.Navigate(ts.URL+"/tickets/"+number(keep.Number)), chromedp.WaitVisible(css(`#link-number`)),
		chromedp.SendKeys(css(`#link-number`), "#"+number(related.Number)),
		chromedp.Click(css(`.related-form:not(.merge-form) button[type=submit]`)),
		chromedp.WaitVisible(css(`.related .links`)),
	)
	if links := b.text(`.related .links`); !strings.Contains(links, "Cards late for everyone?") {
		t.Fatalf("related tickets read %q", links)
	}
	b.do(chromedp.Navigate(ts.URL+"/tickets/"+number(related.Number)), chromedp.WaitVisible(css(`.related .links`)))
	if links := b.text(`.related .links`); !strings.Contains(links, "#"+number(keep.Number)) {
		t.Fatalf("the link is not both ways: %q", links)
	}
	// A number that names no ticket says so.
	b.do(chromedp.SendKeys(css(`#link-number`), "999999"), chromedp.Click(css(`.related-form:not(.merge-form) button[type=submit]`)),
		chromedp.WaitVisible(css(`section.card.narrow`)))
	if body := b.text(`section.card.narrow`); !strings.Contains(body, "#999999 does not exist") {
		t.Errorf("linking an unknown ticket reads %q", body)
	}
}
