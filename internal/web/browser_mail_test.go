package web_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/mailin"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// signIn signs the browser in as the staff member of role.
func (b *browser) signIn(url string, role tend.Role) {
	b.t.Helper()
	b.do(
		chromedp.Navigate(url+"/login"),
		chromedp.WaitVisible(css(`#email`)),
		chromedp.SendKeys(css(`#email`), string(role)+"@staff.example"),
		chromedp.SendKeys(css(`#password`), "long enough password"),
		chromedp.Click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css(`.signout`)),
	)
}

// An admin adds a support address, sets up fetching over IMAP, sees mail
// that could not be delivered and runs it through again.
func TestBrowserMailSettings(t *testing.T) {
	b := newBrowser(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	if _, err := ts.server.Teams.CreateTeam(sys, &tend.TeamCreate{Name: "Billing"}); err != nil {
		t.Fatal(err)
	}

	b.signIn(ts.URL, tend.RoleAdmin)
	b.do(chromedp.Click(css(`.sections a[href="/settings"]`)), chromedp.WaitVisible(css(`.settings-list`)),
		chromedp.Click(css(`.settings-list a[href="/settings/mail"]`)), chromedp.WaitVisible(css(`#address`)))
	if body := b.text(`main`); !strings.Contains(body, "No address yet") || !strings.Contains(body, "Nothing in quarantine") {
		t.Fatalf("an empty mail page says %q", body)
	}
	b.do(
		chromedp.SendKeys(css(`#address`), "Billing@Acme.example"),
		chromedp.SendKeys(css(`#name`), "Acme Billing"),
		chromedp.SetValue(css(`#team_id`), "1"),
		chromedp.Click(css(`.mailbox-form button[type=submit]`)),
		chromedp.WaitVisible(css(`.notice`)),
	)
	if table := b.text(`table`); !strings.Contains(table, "billing@acme.example") || !strings.Contains(table, "SMTP") {
		t.Fatalf("after adding, the addresses read %q", table)
	}

	// The same address twice is refused, said beside the address, and the
	// form keeps what was typed.
	b.do(
		chromedp.SendKeys(css(`#address`), "billing@acme.example"),
		chromedp.Click(css(`.mailbox-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#address-problem`)),
	)
	typed, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#address`)))
	if msg := b.text(`#address-problem`); !strings.Contains(msg, "billing@acme.example is a mailbox already") || typed != "billing@acme.example" {
		t.Fatalf("a duplicate address: beside it %q, form keeps %q", msg, typed)
	}

	// Fetch from an IMAP account instead; the secret is never shown back.
	b.do(
		chromedp.Click(css(`td a[href^="/settings/mail/"]`)),
		chromedp.WaitVisible(css(`details.imap summary`)),
		chromedp.Click(css(`details.imap summary`)),
		chromedp.WaitVisible(css(`#imap_host`)),
		chromedp.SendKeys(css(`#imap_host`), "imap.acme.example"),
		chromedp.SendKeys(css(`#imap_username`), "billing"),
		chromedp.SendKeys(css(`#imap_secret`), "hunter2-secret"),
		chromedp.Click(css(`.mailbox-form button[type=submit]`)),
		chromedp.WaitVisible(css(`.notice`)),
	)
	if table := b.text(`table`); !strings.Contains(table, "IMAP billing at imap.acme.example:993, INBOX") || !strings.Contains(table, "Not fetched yet") {
		t.Fatalf("after setting up IMAP, the addresses read %q", table)
	}
	b.do(chromedp.Click(css(`td a[href^="/settings/mail/"]`)), chromedp.WaitVisible(css(`#imap_host`)))
	if secret, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#imap_secret`))); secret != "" {
		t.Fatalf("the edit form shows the stored secret %q", secret)
	}
	// The signature: an unknown placeholder is named and kept; then saved.
	b.do(chromedp.SendKeys(css(`#signature`), "{{agent.nmae}}, Acme Billing"),
		chromedp.Click(css(`.mailbox-form button[type=submit]`)), chromedp.WaitVisible(css(`#signature-problem`)))
	if p := b.text(`#signature-problem`); !strings.Contains(p, "{{agent.nmae}}") {
		t.Errorf("the signature's refusal says %q", p)
	}
	b.do(chromedp.SetValue(css(`#signature`), "{{agent.name}}, Acme Billing"), chromedp.SetValue(css(`#imap_secret`), "hunter2-secret"),
		chromedp.Click(css(`.mailbox-form button[type=submit]`)), chromedp.WaitVisible(css(`.notice`)))
	if mbs, _ := ts.server.Mailboxes.FindMailboxes(sys); len(mbs) != 1 || mbs[0].Signature != "{{agent.name}}, Acme Billing" {
		t.Errorf("the saved mailbox: %+v", mbs)
	}
	b.do(chromedp.Click(css(`td a[href^="/settings/mail/"]`)), chromedp.WaitVisible(css(`#signature`)))
	b.screenshot("mailbox-edit")

	// A mail whose file was over the limit of the time is quarantined; with
	// the server's larger limit, retrying delivers it.
	strict := sqldb.NewTicketService(db, ts.blobs)
	strict.MaxAttachmentSize = 1 << 10
	strict.Outbox = ts.tickets.Outbox
	receiver := &mailin.Receiver{Inbound: sqldb.NewInboundService(db, strict, strict.Outbox), Blobs: ts.blobs,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	raw := "From: Zoë <zoe@example.org>\r\nTo: billing@acme.example\r\nSubject: Invoice <script>alert(1)</script>\r\n" +
		"Message-ID: <big@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nSee the scan.\r\n--b\r\nContent-Type: application/pdf; name=scan.pdf\r\n" +
		"Content-Disposition: attachment; filename=scan.pdf\r\n\r\n" + strings.Repeat("%PDF scan data\r\n", 200) + "--b--\r\n"
	rec, err := receiver.Receive(context.Background(), "smtp", 1, []string{"billing@acme.example"}, []byte(raw))
	if err != nil || rec.Outcome != tend.OutcomeFailed {
		t.Fatalf("the large mail: %+v, %v; want it quarantined", rec, err)
	}
	b.do(chromedp.Navigate(ts.URL+"/settings/mail"), chromedp.WaitVisible(css(`#quarantine + p + table`)))
	row := b.text(`#inbound-` + strconv.FormatInt(rec.ID, 10))
	if !strings.Contains(row, "zoe@example.org") || !strings.Contains(row, "Invoice <script>alert(1)</script>") || !strings.Contains(row, "scan.pdf") {
		t.Fatalf("the quarantine row reads %q", row)
	}
	b.screenshot("mail-settings")
	b.do(chromedp.Click(css(`#inbound-`+strconv.FormatInt(rec.ID, 10)+` button`)), chromedp.WaitVisible(css(`.notice`)))
	if body := b.text(`main`); !strings.Contains(body, "Nothing in quarantine") || !strings.Contains(b.text(`#recent + table`), "created") {
		t.Fatalf("after retrying: %q", body)
	}
	after, err := ts.server.Inbound.FindInboundByID(sys, rec.ID)
	if err != nil || after.Outcome != tend.OutcomeCreated || after.TicketID == nil {
		t.Fatalf("the retried mail: %+v, %v", after, err)
	}
}
