package mailin_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// withFile writes a mail from Zoë with text and one PDF of size bytes.
func withFile(messageID string, size int) string {
	return "From: Zoë <zoe@example.org>\r\nTo: support@acme.example\r\nSubject: Invoice 7\r\n" +
		"Message-ID: <" + messageID + ">\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nSee the scan of invoice 7.\r\n--b\r\nContent-Type: application/pdf; name=scan.pdf\r\n" +
		"Content-Disposition: attachment; filename=scan.pdf\r\n\r\n" + strings.Repeat("x", size) + "\r\n--b--\r\n"
}

// notAdmin acts as the desk's agent, who may not touch the quarantine.
func notAdmin(d *desk) context.Context {
	return tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: d.agent.ID, Role: d.agent.Role})
}

func TestRawGivesBackTheMailAsReceived(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		raw := mail("fine@customer.example", "Fine", "A readable mail", "Message-ID: <raw1@customer.example>")
		rec := d.receive(raw)
		got, f, err := d.receiver.Raw(system, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if got.ID != rec.ID || !bytes.Equal(b, []byte(raw)) {
			t.Fatalf("raw of %d: record %d, bytes %q", rec.ID, got.ID, b)
		}
		if _, _, err := d.receiver.Raw(notAdmin(d), rec.ID); tend.ErrorCode(err) != tend.EFORBIDDEN {
			t.Fatalf("an agent reading raw mail: %v", err)
		}
		if _, _, err := d.receiver.Raw(system, rec.ID+100); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Fatalf("raw of no mail: %v", err)
		}
	})
}

// A mail whose file is over the limit becomes a ticket without the file,
// which the text names; once the limit allows it, with the file. Only
// quarantined mail can be taken, and only once.
func TestTakeAsTicket(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		d.tickets.MaxAttachmentSize = 1 << 10
		rec := d.receive(withFile("big1@example.org", 4<<10))
		if rec.Outcome != tend.OutcomeFailed {
			t.Fatalf("a mail with too large a file: %+v", rec)
		}
		if _, err := d.receiver.TakeAsTicket(notAdmin(d), rec.ID); tend.ErrorCode(err) != tend.EFORBIDDEN {
			t.Fatalf("an agent taking a mail: %v", err)
		}

		taken, err := d.receiver.TakeAsTicket(system, rec.ID)
		if err != nil || taken.ID != rec.ID || taken.Outcome != tend.OutcomeCreated {
			t.Fatalf("take: %+v, %v", taken, err)
		}
		tk := d.ticket(taken.TicketID)
		m := tk.Messages[0]
		if tk.Subject != "Invoice 7" || !strings.Contains(m.Body, "See the scan of invoice 7.") || !strings.Contains(m.Body, "scan.pdf") ||
			len(m.Attachments) != 0 || m.AuthorType != tend.AuthorCustomer {
			t.Fatalf("the ticket: %q by %s, %q with %d files", tk.Subject, m.AuthorType, m.Body, len(m.Attachments))
		}
		if _, err := d.receiver.TakeAsTicket(system, rec.ID); tend.ErrorCode(err) != tend.ECONFLICT ||
			!strings.Contains(tend.ErrorMessage(err), "no longer in quarantine") {
			t.Fatalf("taking it again: %v", err)
		}

		kept := d.receive(withFile("big2@example.org", 4<<10))
		d.tickets.MaxAttachmentSize = 1 << 20
		taken, err = d.receiver.TakeAsTicket(system, kept.ID)
		if err != nil || taken.Outcome != tend.OutcomeCreated {
			t.Fatalf("take under a larger limit: %+v, %v", taken, err)
		}
		if m := d.ticket(taken.TicketID).Messages[0]; len(m.Attachments) != 1 || m.Attachments[0].Name != "scan.pdf" {
			t.Fatalf("under a larger limit the file is kept: %+v", m.Attachments)
		}
	})
}

// Two takes at once, as from a double click, make one ticket.
func TestTakeAsTicketOnce(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		d.tickets.MaxAttachmentSize = 1 << 10
		rec := d.receive(withFile("twice@example.org", 4<<10))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = d.receiver.TakeAsTicket(system, rec.ID)
			}()
		}
		wg.Wait()
		codes := []string{tend.ErrorCode(errs[0]), tend.ErrorCode(errs[1])}
		if !(codes[0] == "" && codes[1] == tend.ECONFLICT || codes[0] == tend.ECONFLICT && codes[1] == "") {
			t.Fatalf("two takes at once: %v", errs)
		}
		list, _, err := d.tickets.FindTickets(system, tend.TicketFilter{})
		if err != nil || len(list) != 1 {
			t.Fatalf("%d tickets, %v; want one", len(list), err)
		}
	})
}

// Bytes that are no mail at all become a ticket too, titled as unreadable
// and holding what arrived.
//
// This needs mail without a usable sender to be deliverable (a customer
// with no reply address): until the store takes such mail, Deliver
// refuses the empty From and this test fails there.
func TestTakeUnreadableMailAsTicket(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		rec := d.receive("\x00\x01 this is not a mail \xff")
		if rec.Outcome != tend.OutcomeFailed {
			t.Fatalf("not a mail: %+v", rec)
		}
		taken, err := d.receiver.TakeAsTicket(system, rec.ID)
		if err != nil || taken.Outcome != tend.OutcomeCreated {
			t.Fatalf("take: %+v, %v", taken, err)
		}
		tk := d.ticket(taken.TicketID)
		if body := tk.Messages[0].Body; tk.Subject != "(unreadable mail)" || !strings.Contains(body, "this is not a mail") ||
			strings.Contains(body, "\x00") {
			t.Fatalf("the ticket: %q, %q", tk.Subject, body)
		}
	})
}
