package mailin_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/smtpd"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// The tests in this file send their mail over SMTP on loopback, to the
// listener Tend serves, as a stranger's server would.

// listen starts the SMTP listener in front of the desk's pipeline.
func (d *desk) listen() string {
	d.t.Helper()
	srv, err := smtpd.New(smtpd.Config{Domain: "mx.acme.example", MaxMessageBytes: 32 << 20, SpoolDir: d.t.TempDir()},
		sqldb.NewMailboxService(d.db, nil), d.receiver, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		d.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		d.t.Fatal(err)
	}
	go srv.Serve(ln)
	d.t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// send sends raw from envelope sender from to rcpts, and returns the
// record of what the mail did (nil when it was refused, with the error).
func (d *desk) send(addr, from string, rcpts []string, raw string) (*tend.InboundRecord, error) {
	d.t.Helper()
	before := d.lastInbound()
	c, err := smtp.Dial(addr)
	if err != nil {
		d.t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail(from, rcpts, strings.NewReader(raw)); err != nil {
		return nil, err
	}
	c.Quit()
	rec := d.lastInbound()
	if rec == nil || before != nil && rec.ID == before.ID {
		d.t.Fatal("the listener answered 250 and recorded nothing")
	}
	return rec, nil
}

func (d *desk) mustSend(addr, from string, raw string) *tend.InboundRecord {
	d.t.Helper()
	rec, err := d.send(addr, from, []string{d.mailbox.Address}, raw)
	if err != nil {
		d.t.Fatalf("send: %v", err)
	}
	return rec
}

func (d *desk) lastInbound() *tend.InboundRecord {
	d.t.Helper()
	list, _, err := d.receiver.Inbound.FindInbound(system, tend.InboundFilter{Limit: 1})
	if err != nil {
		d.t.Fatal(err)
	}
	if len(list) == 0 {
		return nil
	}
	return list[0]
}

func (d *desk) customer(email string) *tend.Customer {
	d.t.Helper()
	list, _, err := d.customers.FindCustomers(system, tend.CustomerFilter{Email: email})
	if err != nil || len(list) != 1 {
		d.t.Fatalf("customer %s: %v, %v", email, list, err)
	}
	return list[0]
}

func (d *desk) asAgent() context.Context {
	return tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: d.agent.ID, Role: d.agent.Role})
}

// Mail with only files, with no body, or with HTML that keeps nothing is
// the customer's mail all the same.
func TestMailWithoutText(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		addr := d.listen()
		onlyFile := "From: Ola <ola@customer.example>\r\nTo: support@acme.example\r\nSubject: Scan\r\nMessage-ID: <s1@customer.example>\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/pdf\r\n" +
			"Content-Disposition: attachment; filename=\"invoice 2291.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
		empty := "From: ola@customer.example\r\nTo: support@acme.example\r\nSubject: (nothing)\r\nMessage-ID: <s2@customer.example>\r\n\r\n"
		blankHTML := "From: ola@customer.example\r\nTo: support@acme.example\r\nSubject: Blank\r\nMessage-ID: <s3@customer.example>\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><div><br></div><p>&nbsp;</p></body></html>\r\n"
		for name, raw := range map[string]string{"only a file": onlyFile, "no body": empty, "blank HTML": blankHTML} {
			rec := d.mustSend(addr, "ola@customer.example", raw)
			if rec.Outcome != tend.OutcomeCreated {
				t.Fatalf("%s: %s: %s", name, rec.Outcome, rec.Detail)
			}
			m := d.ticket(rec.TicketID).Messages[0]
			if m.Body != "" || m.BodyHTML != "" {
				t.Errorf("%s: body %q, html %q; want none", name, m.Body, m.BodyHTML)
			}
			if name == "only a file" && (len(m.Attachments) != 1 || m.Attachments[0].Name != "invoice 2291.pdf") {
				t.Errorf("the file: %+v", m.Attachments)
			}
		}
	})
}

// Tend takes the best address it is given; with none, the ticket is kept
// all the same, unanswered, and a reply waits for an address.
func TestImperfectSenders(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		addr := d.listen()
		for _, c := range []struct{ name, header, envelope, want string }{
			// The envelope's sender comes last: From, Reply-To and Sender
			// win over the relay's.
			{"a dot after the domain", "From: Ann <ann@customer.example.>", "relay@lists.example", "ann@customer.example"},
			{"a space in the address, with a Reply-To", "From: Bo <bo smith@customer.example>\r\nReply-To: bo@customer.example", "relay@lists.example", "bo@customer.example"},
			{"no From, with a Sender", "Sender: cy@customer.example", "relay@lists.example", "cy@customer.example"},
			{"an empty From and the envelope", "From: <>", "dee@customer.example", "dee@customer.example"},
		} {
			raw := c.header + "\r\nTo: support@acme.example\r\nSubject: " + c.name + "\r\nMessage-ID: <" +
				strings.ReplaceAll(c.name, " ", ".") + "@x>\r\n\r\nHello.\r\n"
			rec := d.mustSend(addr, c.envelope, raw)
			if rec.Outcome != tend.OutcomeCreated {
				t.Fatalf("%s: %s %s", c.name, rec.Outcome, rec.Detail)
			}
			tk := d.ticket(rec.TicketID)
			if got := d.customer(c.want); got.ID != tk.CustomerID {
				t.Errorf("%s: the ticket's customer is not %s", c.name, c.want)
			}
			if out := d.outboundFor(tk.ID); len(out) != 1 || out[0].To.Email != c.want {
				t.Errorf("%s: acknowledged %+v, want once to %s", c.name, out, c.want)
			}
		}

		// No usable address anywhere: a ticket, the sender as written on
		// the message, no acknowledgement.
		raw := "From: Eli <eli@intranet>\r\nTo: support@acme.example\r\nSubject: From the office\r\nMessage-ID: <e1@intranet>\r\n\r\nHi.\r\n"
		rec := d.mustSend(addr, "eli@intranet", raw)
		if rec.Outcome != tend.OutcomeCreated || !strings.Contains(rec.Detail, "no address to reply to") {
			t.Fatalf("no usable address: %s %q", rec.Outcome, rec.Detail)
		}
		tk := d.ticket(rec.TicketID)
		if m := tk.Messages[0]; m.FromRaw != "Eli <eli@intranet>" || m.AuthorName != "Eli" {
			t.Errorf("the message shows %q from %q", m.AuthorName, m.FromRaw)
		}
		if out := d.outboundFor(tk.ID); len(out) != 0 {
			t.Errorf("acknowledged: %+v", out)
		}
		eli, err := d.customers.FindCustomerByID(system, tk.CustomerID)
		if err != nil || len(eli.Emails) != 0 || eli.RawAddress != "Eli <eli@intranet>" {
			t.Fatalf("customer %+v, %v", eli, err)
		}
		// Their next mail finds them, not a new customer.
		again := d.mustSend(addr, "eli@intranet", strings.ReplaceAll(raw, "<e1@intranet>", "<e2@intranet>"))
		if d.ticket(again.TicketID).CustomerID != eli.ID {
			t.Error("the second mail from the same sender made another customer")
		}
		// A reply is refused, saying what to do, until the customer has
		// an address.
		_, err = d.tickets.AddMessage(d.asAgent(), tk.ID, &tend.MessageCreate{Body: "We are on it."})
		if tend.ErrorCode(err) != tend.ECONFLICT || !strings.Contains(tend.ErrorMessage(err), `came from "Eli <eli@intranet>"`) ||
			!strings.Contains(tend.ErrorMessage(err), "Add an address") {
			t.Fatalf("reply to no address: %v", err)
		}
		if got := d.ticket(&tk.ID); len(got.Messages) != 1 {
			t.Errorf("the refused reply was kept: %d messages", len(got.Messages))
		}
		emails := []string{"eli@office.example"}
		if _, err := d.customers.UpdateCustomer(d.asAgent(), eli.ID, &tend.CustomerUpdate{Emails: &emails}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.tickets.AddMessage(d.asAgent(), tk.ID, &tend.MessageCreate{Body: "We are on it."}); err != nil {
			t.Fatalf("reply once the address is fixed: %v", err)
		}
		if out := d.outboundFor(tk.ID); len(out) != 1 || out[0].To.Email != "eli@office.example" {
			t.Errorf("the reply went to %+v", out)
		}
	})
}

// A mail that joins by the number in its subject alone cannot bring
// anyone into the conversation; its copies are only suggested.
func TestForgedSubjectNumberAddsNoOne(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		addr := d.listen()
		first := d.mustSend(addr, "mia@customer.example", mail("Mia <mia@customer.example>", "Card never arrived", "Hello", "Message-ID: <m1@customer.example>"))
		tk := d.ticket(first.TicketID)
		// Forged as from Mia, with the number anyone can read off a
		// forwarded mail, copying Eve.
		forged := mail("Mia <mia@customer.example>", fmt.Sprintf("Re: [#%d]", tk.Number), "Please send the card to Eve instead.",
			"Message-ID: <f1@evil.example>", "Cc: Eve <eve@evil.example>")
		rec := d.mustSend(addr, "eve@evil.example", forged)
		if rec.Outcome != tend.OutcomeAdded || *rec.TicketID != tk.ID {
			t.Fatalf("%s %s", rec.Outcome, rec.Detail)
		}
		got := d.ticket(&tk.ID)
		if len(got.Participants) != 0 {
			t.Fatalf("participants %+v: Eve joined", got.Participants)
		}
		events, _, _ := d.tickets.FindTicketEvents(system, tk.ID, "", tend.MaxPageSize)
		last := events[len(events)-1].Data
		if s, ok := last.(tend.ParticipantsSuggested); !ok || s.Count != 1 || !s.Unverified {
			t.Fatalf("last event %#v", last)
		}
		suggested, err := d.tickets.FindSuggestedParticipants(d.asAgent(), tk.ID)
		if err != nil || len(suggested) != 1 || suggested[0].Email != "eve@evil.example" {
			t.Fatalf("suggested %+v, %v", suggested, err)
		}
		// A stranger who knows Mia's Message-ID (anyone her mail reached)
		// joins the conversation, but brings no one into it.
		stranger := mail("Mal <mal@evil.example>", "Re: Card never arrived", "Me too; and my friend.",
			"Message-ID: <s1@evil.example>", "In-Reply-To: <m1@customer.example>", "Cc: Mal Two <mal2@evil.example>")
		if rec := d.mustSend(addr, "mal@evil.example", stranger); rec.Outcome != tend.OutcomeAdded || *rec.TicketID != tk.ID {
			t.Fatalf("the stranger's answer: %s %s", rec.Outcome, rec.Detail)
		}
		if got := d.ticket(&tk.ID); len(got.Participants) != 0 {
			t.Fatalf("participants %+v: the stranger's friend joined", got.Participants)
		}
		if suggested, _ := d.tickets.FindSuggestedParticipants(d.asAgent(), tk.ID); len(suggested) != 2 {
			t.Fatalf("suggested %+v", suggested)
		}
		if _, err := d.tickets.AddMessage(d.asAgent(), tk.ID, &tend.MessageCreate{Body: "We will send it."}); err != nil {
			t.Fatal(err)
		}
		out := d.outboundFor(tk.ID)
		if reply := out[len(out)-1]; reply.To.Email != "mia@customer.example" || len(reply.Cc) != 0 {
			t.Fatalf("the reply went to %+v and %+v", reply.To, reply.Cc)
		}
	})
}

// One mail to thousands makes at most 10 participants, and a ticket has
// at most 25.
func TestParticipantCaps(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		addr := d.listen()
		var to []string
		for i := range 5000 {
			to = append(to, fmt.Sprintf("p%d@many.example", i))
		}
		raw := "From: Lee <lee@customer.example>\r\nTo: support@acme.example,\r\n " + strings.Join(to, ",\r\n ") +
			"\r\nSubject: To everyone\r\nMessage-ID: <all@customer.example>\r\n\r\nHello all.\r\n"
		rec := d.mustSend(addr, "lee@customer.example", raw)
		if rec.Outcome != tend.OutcomeCreated {
			t.Fatalf("%s %s", rec.Outcome, rec.Detail)
		}
		tk := d.ticket(rec.TicketID)
		if len(tk.Participants) != tend.MaxParticipantsFromMail || tk.Participants[0].Email != "p0@many.example" {
			t.Fatalf("%d participants, want the first %d", len(tk.Participants), tend.MaxParticipantsFromMail)
		}
		suggested, err := d.tickets.FindSuggestedParticipants(d.asAgent(), tk.ID)
		if err != nil || len(suggested) != 200 {
			t.Fatalf("%d suggested, %v; want the first 200 kept", len(suggested), err)
		}
		// Two more mails copying 10 new people each fill the ticket to 25.
		for i, start := range []int{100, 200} {
			var cc []string
			for j := range 10 {
				cc = append(cc, fmt.Sprintf("q%d@more.example", start+j))
			}
			d.mustSend(addr, "lee@customer.example", mail("lee@customer.example", "Re: To everyone", "More", fmt.Sprintf("Message-ID: <more%d@x>", i),
				"In-Reply-To: <all@customer.example>", "Cc: "+strings.Join(cc, ", ")))
		}
		if got := d.ticket(&tk.ID); len(got.Participants) != tend.MaxParticipants {
			t.Fatalf("%d participants, want %d", len(got.Participants), tend.MaxParticipants)
		}
		if _, err := d.tickets.AddMessage(d.asAgent(), tk.ID, &tend.MessageCreate{Body: "Answered."}); err != nil {
			t.Fatal(err)
		}
		out := d.outboundFor(tk.ID)
		if reply := out[len(out)-1]; len(reply.Cc) != tend.MaxParticipants {
			t.Fatalf("the reply copied %d", len(reply.Cc))
		}
	})
}

// A bounce changes something only when it proves it is about mail Tend
// sent, and only for that mail's recipients.
func TestForgedBouncesSilenceNoOne(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		addr := d.listen()
		first := d.mustSend(addr, "mia@customer.example", mail("mia@customer.example", "Question", "Hello", "Message-ID: <q1@customer.example>"))
		tk := d.ticket(first.TicketID)
		ack := d.outboundFor(tk.ID)[0]
		bouncing := func() int { return len(d.customer("mia@customer.example").Bouncing) }
		history := len(d.events(tk.ID))

		for name, b := range map[string]struct{ rcpt, failing, quoted string }{
			"quoting Mia's own mail":                                  {d.mailbox.Address, "mia@customer.example", "q1@customer.example"},
			"quoting nothing Tend sent":                               {d.mailbox.Address, "mia@customer.example", "never@x.example"},
			"quoting Tend's mail, failing someone it was not sent to": {d.mailbox.Address, "ben@customer.example", ack.MailMessageID},
			"to a return path with a made-up signature":               {strings.Replace(ack.ReturnPath, ".", ".9", 1), "mia@customer.example", "x@y"},
		} {
			rec, err := d.send(addr, "", []string{b.rcpt}, strings.Replace(dsn(b.failing, b.quoted), "bounce1@", name[:5]+"@", 1))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if rec.Outcome != tend.OutcomeBounce || rec.TicketID != nil || !strings.Contains(rec.Detail, "nothing changed") {
				t.Errorf("%s: %s %v %q", name, rec.Outcome, rec.TicketID, rec.Detail)
			}
			if bouncing() != 0 {
				t.Fatalf("%s: Mia is marked bouncing", name)
			}
		}
		if len(d.events(tk.ID)) != history {
			t.Errorf("events %v: a forged bounce reached the history", d.events(tk.ID))
		}

		// To the acknowledgement's own return path, which only Mia's
		// server has seen: proved, whatever it quotes.
		if !strings.HasPrefix(ack.ReturnPath, "support+b.") {
			t.Fatalf("return path %q", ack.ReturnPath)
		}
		rec, err := d.send(addr, "", []string{ack.ReturnPath}, strings.Replace(dsn("mia@customer.example", "rewritten@relay"), "bounce1@", "real@", 1))
		if err != nil || rec.Outcome != tend.OutcomeBounce || rec.TicketID == nil || *rec.TicketID != tk.ID {
			t.Fatalf("the real bounce: %+v, %v", rec, err)
		}
		if bouncing() != 1 {
			t.Fatal("the real bounce did not mark Mia bouncing")
		}
		// Mia writes again: her address works.
		d.mustSend(addr, "mia@customer.example", mail("mia@customer.example", "Re: Question", "I am back", "Message-ID: <q2@customer.example>",
			"In-Reply-To: <"+ack.MailMessageID+">"))
		if bouncing() != 0 {
			t.Fatal("the mark stayed after Mia wrote in")
		}
	})
}

// Mail from the desk's own address is refused while it arrives.
func TestMailFromOwnAddressIsRefused(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		addr := d.listen()
		before := d.lastInbound()
		_, err := d.send(addr, "support@acme.example", []string{d.mailbox.Address},
			mail("Acme Support <support@acme.example>", "Loop", "Hello me", "Message-ID: <loop@acme.example>"))
		var smtpErr *smtp.SMTPError
		if !errors.As(err, &smtpErr) || smtpErr.Code != 550 || !strings.Contains(smtpErr.Message, "own addresses") {
			t.Fatalf("sent: %v; want 550 saying why", err)
		}
		if d.lastInbound() != before {
			t.Fatal("the refused mail was recorded")
		}
		list, _, _ := d.tickets.FindTickets(system, tend.TicketFilter{})
		if len(list) != 0 {
			t.Fatalf("%d tickets", len(list))
		}
	})
}

// Mail the upstream filter calls spam opens a ticket in the Spam view,
// unanswered; the desk acknowledges only so many in an hour; a sender
// failing DMARC cannot join by number, nor see their subject repeated.
func TestSpamFlagAcknowledgementCapAndDMARC(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		addr := d.listen()
		rec := d.mustSend(addr, "x@spam.example", mail("x@spam.example", "Cheap watches", "Buy", "Message-ID: <w1@spam.example>",
			"X-Spam-Flag: YES", "X-Spam-Status: Yes, score=9.1"))
		if rec.Outcome != tend.OutcomeCreated {
			t.Fatalf("%s %s", rec.Outcome, rec.Detail)
		}
		if tk := d.ticket(rec.TicketID); !tk.Spam || len(d.outboundFor(tk.ID)) != 0 {
			t.Fatalf("spam %v, acknowledged %d", tk.Spam, len(d.outboundFor(tk.ID)))
		}
		queue, _, _ := d.tickets.FindTickets(system, tend.TicketFilter{})
		if len(queue) != 0 {
			t.Fatalf("the spam is in the queue: %d tickets", len(queue))
		}
		spam, _, _ := d.tickets.FindTickets(system, tend.TicketFilter{Spam: true})
		if len(spam) != 1 {
			t.Fatalf("%d tickets in the Spam view", len(spam))
		}
		open := []tend.Status{tend.StatusNew, tend.StatusOpen}
		for _, c := range []struct {
			f    tend.TicketFilter
			want int
		}{{tend.TicketFilter{}, 0}, {tend.TicketFilter{Statuses: open}, 0}, {tend.TicketFilter{Spam: true}, 1},
			{tend.TicketFilter{Spam: true, Statuses: open}, 1}, {tend.TicketFilter{Number: &spam[0].Number}, 1}} {
			if n, err := d.tickets.CountTickets(system, c.f); err != nil || n != c.want {
				t.Errorf("CountTickets(%+v) = %d, %v; want %d", c.f, n, err, c.want)
			}
		}

		d.receiver.Inbound.(*sqldb.InboundService).TrustedAuthHosts = []string{"mx.acme.example"}
		first := d.mustSend(addr, "mia@customer.example", mail("mia@customer.example", "Question", "Hello", "Message-ID: <q1@customer.example>",
			"Authentication-Results: mx.acme.example; dmarc=pass header.from=customer.example"))
		tk := d.ticket(first.TicketID)
		forged := d.mustSend(addr, "mia@customer.example", mail("Mia <mia@customer.example>", fmt.Sprintf("Re: [#%d] Click here", tk.Number), "Hi",
			"Message-ID: <q2@evil.example>", "Authentication-Results: mx.acme.example; spf=fail smtp.mailfrom=customer.example; dmarc=fail header.from=customer.example",
			"Authentication-Results: evil.example; dmarc=pass"))
		if forged.Outcome != tend.OutcomeCreated || *forged.TicketID == tk.ID {
			t.Fatalf("failing DMARC, joined by number: %s %s", forged.Outcome, forged.Detail)
		}
		acks := d.outboundFor(*forged.TicketID)
		if len(acks) != 1 || strings.Contains(acks[0].Subject+acks[0].Text, "Click here") || !strings.Contains(acks[0].Subject, "Your request") {
			t.Fatalf("the acknowledgement repeats the forged subject: %+v", acks)
		}

		// The desk's share of acknowledgements in an hour.
		d.tickets.Outbox.AllAckLimit = 3
		var acked int
		for i := range 3 {
			from := fmt.Sprintf("s%d@senders.example", i)
			rec := d.mustSend(addr, from, mail(from, "Hello", "Hi", fmt.Sprintf("Message-ID: <h%d@x>", i)))
			acked += len(d.outboundFor(*rec.TicketID))
			if i == 2 && rec.Detail != "no acknowledgement: the desk sent its 3 this hour" {
				t.Errorf("detail %q", rec.Detail)
			}
		}
		if acked != 1 {
			t.Fatalf("%d acknowledged, want 1 (the desk had sent 2 of its 3)", acked)
		}
	})
}

// Each mail in testdata/accept is one a person could read, and becomes a
// ticket as such.
func TestAcceptedFixtures(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		addr := d.listen()
		for _, c := range []struct {
			file     string
			customer string // the address the ticket's customer has; "" for none
			subject  string
			body     string
			files    []string
			spam     bool
			acked    bool
		}{
			{"only-a-file.eml", "ola@customer.example", "Scan of the invoice", "", []string{"invoice 2291 (March).pdf"}, false, true},
			{"empty-body.eml", "ola@customer.example", "(no subject)", "", nil, false, true},
			{"blank-html.eml", "ola@customer.example", "Sent from my phone", "", nil, false, true},
			{"from-trailing-dot.eml", "ann@customer.example", "Trailing dot", "My mailer adds a dot.", nil, false, true},
			{"from-space-reply-to.eml", "bo@customer.example", "Space in the address", "Hello.", nil, false, true},
			{"no-from-sender.eml", "cy@customer.example", "No From at all", "Hello.", nil, false, true},
			{"from-no-usable-address.eml", "", "From the office network", "Hi, this is Eli.", nil, false, false},
			{"spam-flagged.eml", "sal@spam.example", "Cheap watches", "Buy now.", nil, true, false},
		} {
			t.Run(c.file, func(t *testing.T) {
				raw, err := os.ReadFile(filepath.Join("testdata", "accept", c.file))
				if err != nil {
					t.Fatal(err)
				}
				// The envelope's sender is a list's, used only when the mail
				// gives none; a mail from an office network has its own.
				envelope := "relay@lists.example"
				if c.customer == "" {
					envelope = "eli@intranet"
				}
				rec := d.mustSend(addr, envelope, string(raw))
				if rec.Outcome != tend.OutcomeCreated {
					t.Fatalf("%s: %s", rec.Outcome, rec.Detail)
				}
				tk := d.ticket(rec.TicketID)
				m := tk.Messages[0]
				var files []string
				for _, a := range m.Attachments {
					files = append(files, a.Name)
				}
				if tk.Subject != c.subject || m.Body != c.body || strings.Join(files, "|") != strings.Join(c.files, "|") || tk.Spam != c.spam {
					t.Errorf("ticket %q, body %q, files %q, spam %v", tk.Subject, m.Body, files, tk.Spam)
				}
				customer, err := d.customers.FindCustomerByID(system, tk.CustomerID)
				if err != nil {
					t.Fatal(err)
				}
				if got := strings.Join(customer.Emails, " "); got != c.customer {
					t.Errorf("the customer's addresses are %q, want %q", got, c.customer)
				}
				if acked := len(d.outboundFor(tk.ID)) > 0; acked != c.acked {
					t.Errorf("acknowledged %v, want %v", acked, c.acked)
				}
			})
		}
	})
}

// A subject, a name and a file name written raw in a legacy charset, as
// some mailers still send them, arrive readable over SMTP.
func TestLegacyCharsetHeadersOverSMTP(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		addr := d.listen()
		for _, c := range []struct {
			charset             string
			enc                 encoding.Encoding
			subject, name, file string
		}{
			{"gb2312", simplifiedchinese.GBK, "发票 问题", "王 小明", "年度 报告 2026.pdf"},
			{"shift_jis", japanese.ShiftJIS, "見積書 の件", "山田 太郎", "ソフト 見積書 表.pdf"},
			{"koi8-r", charmap.KOI8R, "Счёт за май", "Иван Петров", "Отчёт за май.docx"},
		} {
			t.Run(c.charset, func(t *testing.T) {
				raw := func(s string) string {
					b, err := c.enc.NewEncoder().String(s)
					if err != nil {
						t.Fatal(err)
					}
					return b
				}
				mail := "From: " + raw(c.name) + " <sender-" + c.charset + "@customer.example>\r\nTo: support@acme.example\r\n" +
					"Subject: " + raw(c.subject) + "\r\nMessage-ID: <" + c.charset + "@customer.example>\r\nMIME-Version: 1.0\r\n" +
					"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=" + c.charset +
					"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + raw(c.subject) + "\r\n--b\r\nContent-Type: application/octet-stream; name=\"" +
					raw(c.file) + "\"\r\nContent-Disposition: attachment; filename=\"" + raw(c.file) + "\"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--b--\r\n"
				rec := d.mustSend(addr, "sender-"+c.charset+"@customer.example", mail)
				tk := d.ticket(rec.TicketID)
				m := tk.Messages[0]
				if tk.Subject != c.subject || m.AuthorName != c.name || m.Body != c.subject || len(m.Attachments) != 1 || m.Attachments[0].Name != c.file {
					t.Fatalf("subject %q, from %q, body %q, files %+v", tk.Subject, m.AuthorName, m.Body, m.Attachments)
				}
			})
		}
	})
}

// Bytes that are no mail are kept in quarantine as they came, not read as
// a mail whose first line was a header.
func TestNoMailOverSMTPIsQuarantined(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		addr := d.listen()
		rec := d.mustSend(addr, "someone@example.com", "this is not a mail at all, no header here\r\n\r\nJust words.\r\n")
		if rec.Outcome != tend.OutcomeFailed || rec.TicketID != nil {
			t.Fatalf("%s %v: %s", rec.Outcome, rec.TicketID, rec.Detail)
		}
	})
}
