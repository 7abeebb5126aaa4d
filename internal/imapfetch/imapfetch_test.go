package imapfetch_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/imapfetch"
	"github.com/tendhq/tend/internal/mailtest"
	"github.com/tendhq/tend/internal/secret"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

var system = tend.SystemContext(context.Background())

type fetchDesk struct {
	t         *testing.T
	mailboxes *sqldb.MailboxService
	inbound   *sqldb.InboundService
	poller    *imapfetch.Poller
	server    *mailtest.Dovecot
}

func newFetchDesk(t *testing.T, db *sqldb.DB, server *mailtest.Dovecot) *fetchDesk {
	t.Helper()
	p := mailtest.NewPipeline(t, db)
	box, err := secret.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mailboxes := sqldb.NewMailboxService(db, box)
	return &fetchDesk{t: t, mailboxes: mailboxes, inbound: p.Inbound, server: server,
		poller: &imapfetch.Poller{Mailboxes: mailboxes, Interval: time.Minute, MaxMessageBytes: 1 << 20, Logger: quiet,
			Receiver: p.Receiver}}
}

func (d *fetchDesk) mailbox(address, user, auth, secret, folder, done string) *tend.Mailbox {
	d.t.Helper()
	mb, err := d.mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: address, IMAP: &tend.IMAPInput{
		Host: d.server.Host, Port: d.server.Port, Security: "none", Username: user, Auth: auth, Secret: secret,
		Folder: folder, DoneFolder: done}})
	if err != nil {
		d.t.Fatal(err)
	}
	return mb
}

func (d *fetchDesk) poll(mb *tend.Mailbox) *tend.Mailbox {
	d.t.Helper()
	d.poller.Poll(context.Background(), mb.ID)
	mb, err := d.mailboxes.FindMailboxByID(system, mb.ID)
	if err != nil {
		d.t.Fatal(err)
	}
	return mb
}

func (d *fetchDesk) records() []*tend.InboundRecord {
	d.t.Helper()
	recs, _, err := d.inbound.FindInbound(system, tend.InboundFilter{Limit: tend.MaxPageSize})
	if err != nil {
		d.t.Fatal(err)
	}
	return recs
}

// account is an IMAP session on the test server, as the customer's mail
// arriving there and as a person looking at the folder.
func account(t *testing.T, server *mailtest.Dovecot, user, password string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(server.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

func appendMail(t *testing.T, c *imapclient.Client, folder, raw string) {
	t.Helper()
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write([]byte(raw)); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

func customerMail(n int, from string) string {
	return fmt.Sprintf("From: %s\nTo: support@acme.example\nSubject: Request %d\nMessage-ID: <req-%d@example.org>\n\nHelp with %d, please.\n",
		from, n, n, n)
}

// seen returns the UIDs of folder's messages flagged \Seen, and how many
// messages the folder holds.
func seen(t *testing.T, c *imapclient.Client, folder string) (seenUIDs []imap.UID, total int) {
	t.Helper()
	sel, err := c.Select(folder, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil, 0
	}
	var all imap.SeqSet
	all.AddRange(1, sel.NumMessages)
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		for _, f := range m.Flags {
			if f == imap.FlagSeen {
				seenUIDs = append(seenUIDs, m.UID)
			}
		}
	}
	return seenUIDs, len(msgs)
}

func TestIMAPFetchesEachMessageOnceAndQuarantinesBadOnes(t *testing.T) {
	server := mailtest.StartDovecot(t, mailtest.DovecotAccount{User: "support", Password: "pw-support"})
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		user := "support"
		d := newFetchDesk(t, db, server)
		c := account(t, server, user, "pw-support")
		// Each engine's run starts from a new folder.
		folder := "Support-" + t.Name()[strings.LastIndexByte(t.Name(), '/')+1:]
		if err := c.Create(folder, nil).Wait(); err != nil {
			t.Fatal(err)
		}
		mb := d.mailbox("support@acme.example", user, "password", "pw-support", folder, "")
		appendMail(t, c, folder, customerMail(1, "Chloé <chloe@example.org>"))
		// A sender with no usable address still makes a ticket; only bytes
		// that are no mail at all are quarantined.
		appendMail(t, c, folder, "this is no mail at all\n\njust words\n")
		appendMail(t, c, folder, customerMail(3, "ben@example.org"))

		mb = d.poll(mb)
		if mb.IMAP.LastError != "" || mb.IMAP.LastSuccessAt == nil {
			t.Fatalf("after a good poll: last error %q, last success %v", mb.IMAP.LastError, mb.IMAP.LastSuccessAt)
		}
		recs := d.records()
		outcomes := map[tend.InboundOutcome]int{}
		for _, r := range recs {
			outcomes[r.Outcome]++
		}
		if len(recs) != 3 || outcomes[tend.OutcomeCreated] != 2 || outcomes[tend.OutcomeFailed] != 1 {
			t.Fatalf("first poll gave %v, want two tickets and one quarantined mail", outcomes)
		}
		if s, total := seen(t, c, folder); len(s) != 3 || total != 3 {
			t.Errorf("after fetching, %d of %d messages are marked seen, want all 3 (the quarantined one is kept in Tend)", len(s), total)
		}

		// Nothing new: nothing fetched again, even though a person marks a
		// message unread.
		var first imap.UIDSet
		first.AddNum(1)
		c.Store(first, &imap.StoreFlags{Op: imap.StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
		d.poll(mb)
		if n := len(d.records()); n != 3 {
			t.Fatalf("a second poll with no new mail made %d records, want 3", n)
		}
		appendMail(t, c, folder, customerMail(4, "dana@example.org"))
		mb = d.poll(mb)
		recs = d.records()
		if len(recs) != 4 || recs[0].Subject != "Request 4" || recs[0].Outcome != tend.OutcomeCreated {
			t.Fatalf("after one new mail: %d records, newest %+v", len(recs), recs[0])
		}
		if mb.IMAP.LastUID != 4 || mb.IMAP.UIDValidity == 0 {
			t.Errorf("mailbox remembers UIDVALIDITY %d and last UID %d", mb.IMAP.UIDValidity, mb.IMAP.LastUID)
		}

		// The folder is recreated, so its UIDs start over: Tend reads it
		// again, and the Message-IDs it has seen stay single.
		c.Unselect().Wait()
		if err := c.Rename(folder, folder+"-old", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		if err := c.Create(folder, nil).Wait(); err != nil {
			t.Fatal(err)
		}
		appendMail(t, c, folder, customerMail(4, "dana@example.org"))
		appendMail(t, c, folder, customerMail(5, "eve@example.org"))
		mb2 := d.poll(mb)
		if mb2.IMAP.UIDValidity == mb.IMAP.UIDValidity {
			t.Fatal("the recreated folder kept its UIDVALIDITY; the test proves nothing")
		}
		outcomes = map[tend.InboundOutcome]int{}
		for _, r := range d.records() {
			outcomes[r.Outcome]++
		}
		if outcomes[tend.OutcomeCreated] != 4 || outcomes[tend.OutcomeDuplicate] != 1 {
			t.Errorf("after UIDVALIDITY changed: %v, want request 5 new and request 4 a duplicate", outcomes)
		}
	})
}

func TestIMAPMovesFetchedMailAndReportsFailures(t *testing.T) {
	server := mailtest.StartDovecot(t,
		mailtest.DovecotAccount{User: "help", Password: "pw-help", Token: "ya29.good-token"})
	d := newFetchDesk(t, sqldbtest.Open(t, sqldb.SQLite), server)
	c := account(t, server, "help", "pw-help")
	if err := c.Create("Done", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	appendMail(t, c, "INBOX", customerMail(1, "chloe@example.org"))
	appendMail(t, c, "INBOX", customerMail(2, "ben@example.org"))

	mb := d.mailbox("help@acme.example", "help", "xoauth2", "ya29.expired", "INBOX", "Done")
	mb = d.poll(mb)
	if !strings.Contains(mb.IMAP.LastError, "XOAUTH2") || mb.IMAP.LastErrorAt == nil || mb.IMAP.LastSuccessAt != nil {
		t.Fatalf("a refused token shows last error %q at %v, last success %v", mb.IMAP.LastError, mb.IMAP.LastErrorAt, mb.IMAP.LastSuccessAt)
	}
	if _, total := seen(t, c, "INBOX"); total != 2 {
		t.Fatalf("a failed poll touched the folder: %d messages left", total)
	}

	token := "ya29.good-token"
	if _, err := d.mailboxes.UpdateMailbox(system, mb.ID, &tend.MailboxUpdate{IMAP: &tend.IMAPInput{
		Host: server.Host, Port: server.Port, Security: "none", Username: "help", Auth: "xoauth2", Secret: token,
		Folder: "INBOX", DoneFolder: "Done"}}); err != nil {
		t.Fatal(err)
	}
	mb = d.poll(mb)
	if mb.IMAP.LastError != "" || mb.IMAP.LastSuccessAt == nil {
		t.Fatalf("with a good token: last error %q", mb.IMAP.LastError)
	}
	if n := len(d.records()); n != 2 {
		t.Errorf("%d records, want 2", n)
	}
	if _, total := seen(t, c, "INBOX"); total != 0 {
		t.Errorf("%d messages left in INBOX, want them moved", total)
	}
	if _, total := seen(t, c, "Done"); total != 2 {
		t.Errorf("%d messages in Done, want 2", total)
	}

	if _, err := d.mailboxes.UpdateMailbox(system, mb.ID, &tend.MailboxUpdate{IMAP: &tend.IMAPInput{
		Host: server.Host, Port: 1 /* nothing listens */, Security: "none", Username: "help", Auth: "xoauth2", Secret: token,
		Folder: "INBOX"}}); err != nil {
		t.Fatal(err)
	}
	mb = d.poll(mb)
	if !strings.Contains(mb.IMAP.LastError, "connect to 127.0.0.1") || mb.IMAP.LastSuccessAt == nil {
		t.Errorf("an unreachable server shows last error %q and keeps last success %v", mb.IMAP.LastError, mb.IMAP.LastSuccessAt)
	}
}

// A message over the size limit is not fetched: it stays in the account,
// unseen, and the mail after it still arrives.
func TestIMAPLeavesMailOverTheLimit(t *testing.T) {
	server := mailtest.StartDovecot(t, mailtest.DovecotAccount{User: "support", Password: "pw-support"})
	d := newFetchDesk(t, sqldbtest.Open(t, sqldb.SQLite), server)
	c := account(t, server, "support", "pw-support")
	mb := d.mailbox("support@acme.example", "support", "password", "pw-support", "INBOX", "")
	d.poller.MaxMessageBytes = 2000
	appendMail(t, c, "INBOX", customerMail(1, "ann@example.org")+strings.Repeat("A long attachment line.\n", 200))
	appendMail(t, c, "INBOX", customerMail(2, "ben@example.org"))

	mb = d.poll(mb)
	recs := d.records()
	if len(recs) != 1 || recs[0].Subject != "Request 2" {
		t.Fatalf("after polling, Tend has %d mails (%+v), want only the small one", len(recs), recs)
	}
	if s, total := seen(t, c, "INBOX"); len(s) != 1 || total != 2 {
		t.Errorf("%d of %d messages are marked seen, want only the small one", len(s), total)
	}
	if mb.IMAP.LastError != "" {
		t.Errorf("the large message was recorded as an error: %q", mb.IMAP.LastError)
	}
}
