package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// unclosedMarkup opens a link it never closes and closes boxes it never
// opened: shown as sent, the rest of the ticket page would be a link to
// the sender's site, outside the message's own box.
const unclosedMarkup = `<p>Dear support, please see <a href="https://evil.example/win">our offer` +
	`</div></div></li></ol><p>More text</p><li><b>Ana Agent, Reply:</b> a spoofed entry</li>` +
	`<dt><table><div><div><div><dd>x</table><p>after a table</p>`

// Mail, API messages and HTML stored before Tend mended it all stay
// inside their own message: nothing after them is part of their link.
func TestBrowserUnclosedMarkupStaysInItsMessage(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	mb, err := ts.server.Mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: "help@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	raw := "From: Eve <eve@attacker.example>\r\nTo: help@acme.example\r\nSubject: An offer\r\n" +
		"Message-ID: <unclosed-1@attacker.example>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/html; charset=utf-8\r\n\r\n" + unclosedMarkup + "\r\n"
	rec, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, []string{mb.Address}, []byte(raw))
	if err != nil || rec.TicketID == nil {
		t.Fatalf("receive: %v %+v", err, rec)
	}
	tk, err := ts.tickets.FindTicketByID(system, *rec.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	// The same markup through the API, as a note.
	ts.as(tend.RoleAgent, "POST", fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID),
		map[string]any{"kind": "note", "body_html": unclosedMarkup}).want(t, 201)
	// And as stored by a Tend that did not mend markup yet.
	stored, err := ts.tickets.AddMessage(system, tk.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "placeholder"})
	if err != nil {
		t.Fatal(err)
	}
	direct, err := db.JobPool()
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close()
	if _, err := direct.ExecContext(context.Background(), `UPDATE messages SET body_html = ? WHERE id = ?`, unclosedMarkup, stored.ID); err != nil {
		t.Fatal(err)
	}
	ts.as(tend.RoleAgent, "POST", fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID),
		map[string]any{"kind": "note", "body": "A plain note after them all."}).want(t, 201)

	b.signIn(ts.URL, tend.RoleAgent)
	b.within(10*time.Second, chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number)), chromedp.WaitVisible(css(`.conversation`)))
	b.screenshot("unclosed-markup")

	type layout struct {
		Messages     int  `json:"messages"`
		Links        int  `json:"links"`
		LinksInside  int  `json:"linksInside"`
		LinkedAfter  int  `json:"linkedAfter"`
		ComposerLink bool `json:"composerLink"`
		ControlsLink bool `json:"controlsLink"`
		LastInList   bool `json:"lastInList"`
		Stray        int  `json:"stray"`
		FilesOutside int  `json:"filesOutside"`
	}
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[layout](`(() => {
		const evil = [...document.querySelectorAll('a[href*="evil.example"]')];
		const msgs = [...document.querySelectorAll('.conversation > li.msg')];
		const last = msgs[msgs.length - 1];
		return {
			messages: msgs.length,
			links: evil.length,
			// every link from the markup is inside a message's body
			linksInside: evil.filter(a => a.closest('.msg .body')).length,
			// elements outside the message bodies that sit inside such a link
			linkedAfter: [...document.querySelectorAll('body *')].filter(e => !e.closest('.msg .body') && e.closest('a[href*="evil.example"]')).length,
			composerLink: !!document.querySelector('#composer').closest('a'),
			controlsLink: !!document.querySelector('form.controls').closest('a'),
			lastInList: !!last && last.parentElement.matches('ol.conversation') && last.textContent.includes('A plain note after them all.'),
			// entries of the conversation that are not messages, and message boxes left by what they hold
			stray: document.querySelectorAll('.conversation > :not(li.msg), .conversation > li.msg > :not(header, .body, details, ul)').length,
			filesOutside: [...document.querySelectorAll('.conversation ul.files')].filter(u => !u.parentElement.matches('li.msg')).length,
		};
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got.Messages != 4 || got.Links < 3 || got.LinksInside != got.Links || got.LinkedAfter != 0 || got.ComposerLink || got.ControlsLink ||
		!got.LastInList || got.Stray != 0 || got.FilesOutside != 0 {
		html, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('.conversation').outerHTML`))
		t.Fatalf("the markup reached outside its message: %+v\n%s", got, html)
	}
	// The last message is not a link: clicking it leaves the page where it is.
	b.do(chromedp.Click(css(`.conversation > li.msg:last-child .body`)))
	time.Sleep(200 * time.Millisecond)
	if loc := b.location(); loc != fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number) {
		t.Fatalf("clicking the note after the mail went to %s", loc)
	}
}
