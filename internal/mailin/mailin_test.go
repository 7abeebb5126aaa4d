package mailin_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/mailin"
	"github.com/tendhq/tend/internal/mailtest"
	"github.com/tendhq/tend/internal/outbound"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// desk is a help desk with one mailbox, receiving mail through the
// pipeline as the SMTP listener does.
type desk struct {
	t         *testing.T
	db        *sqldb.DB
	receiver  *mailin.Receiver
	tickets   *sqldb.TicketService
	customers *sqldb.CustomerService
	outbound  *sqldb.OutboundService
	mailbox   *tend.Mailbox
	agent     *tend.Agent
}

var system = tend.SystemContext(context.Background())

func newDesk(t *testing.T, db *sqldb.DB) *desk {
	t.Helper()
	p := mailtest.NewPipeline(t, db)
	team, err := sqldb.NewTeamService(db).CreateTeam(system, &tend.TeamCreate{Name: "Support"})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := sqldb.NewMailboxService(db, nil).CreateMailbox(system, &tend.MailboxCreate{Address: "support@acme.example",
		Name: "Acme Support", TeamID: &team.ID})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := sqldb.NewAgentService(db).CreateAgent(system, &tend.AgentCreate{Name: "Ana Ortiz", Email: "ana@acme.example", Role: tend.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	return &desk{t: t, db: db, tickets: p.Tickets, customers: sqldb.NewCustomerService(db), outbound: p.Outbound,
		mailbox: mb, agent: agent, receiver: p.Receiver}
}

// receive delivers raw mail to the desk's mailbox.
func (d *desk) receive(raw string) *tend.InboundRecord {
	d.t.Helper()
	rec, err := d.receiver.Receive(context.Background(), "smtp", d.mailbox.ID, []string{d.mailbox.Address}, []byte(raw))
	if err != nil {
		d.t.Fatalf("receive: %v", err)
	}
	return rec
}

func (d *desk) ticket(id *int64) *tend.Ticket {
	d.t.Helper()
	if id == nil {
		d.t.Fatal("no ticket")
	}
	t, err := d.tickets.FindTicketByID(system, *id)
	if err != nil {
		d.t.Fatal(err)
	}
	return t
}

func (d *desk) events(ticketID int64) []string {
	d.t.Helper()
	events, _, err := d.tickets.FindTicketEvents(system, ticketID, "", tend.MaxPageSize)
	if err != nil {
		d.t.Fatal(err)
	}
	var kinds []string
	for _, e := range events {
		kinds = append(kinds, string(e.Kind))
	}
	return kinds
}

// outboundFor returns the mail queued for a ticket, oldest first.
func (d *desk) outboundFor(ticketID int64) []*tend.OutboundMail {
	d.t.Helper()
	var out []*tend.OutboundMail
	for id := int64(1); id < 200; id++ {
		o, err := d.outbound.FindOutbound(context.Background(), id)
		if tend.ErrorCode(err) == tend.ENOTFOUND {
			break
		} else if err != nil {
			d.t.Fatal(err)
		}
		outbound.Write(o)
		if strings.Contains(o.Subject, fmt.Sprintf("#%d", d.ticket(&ticketID).Number)) {
			out = append(out, o)
		}
	}
	return out
}

// mail writes a plain mail; headers are "Name: value" lines.
func mail(from, subject, body string, headers ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: Acme Support <support@acme.example>\r\nSubject: %s\r\nDate: Mon, 2 Mar 2026 10:00:00 +0000\r\n", from, subject)
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return b.String()
}

func TestNewMailOpensTicketAndAcknowledges(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		rec := d.receive(mail(`"Mia Lind" <Mia@Customer.example>`, "Re: Fwd: Card never arrived",
			"My card has not arrived.\n", "Message-ID: <m1@customer.example>"))
		if rec.Outcome != tend.OutcomeCreated {
			t.Fatalf("outcome %s (%s)", rec.Outcome, rec.Detail)
		}
		tk := d.ticket(rec.TicketID)
		if tk.Channel != tend.ChannelEmail || tk.Subject != "Card never arrived" || tk.MailboxID == nil || *tk.MailboxID != d.mailbox.ID ||
			tk.TeamID == nil || tk.Status != tend.StatusNew {
			t.Fatalf("ticket = %+v", tk)
		}
		if m := tk.Messages[0]; m.AuthorName != "Mia Lind" || m.Body != "My card has not arrived." || m.AuthorType != tend.AuthorCustomer {
			t.Fatalf("message = %+v", m)
		}
		custs, _, _ := d.customers.FindCustomers(system, tend.CustomerFilter{Email: "mia@customer.example"})
		if len(custs) != 1 || custs[0].Name != "Mia Lind" {
			t.Fatalf("customer = %+v", custs)
		}
		out := d.outboundFor(tk.ID)
		if len(out) != 1 || out[0].Kind != "acknowledgement" || !out[0].AutoSubmitted || out[0].To.Email != "mia@customer.example" ||
			!strings.Contains(out[0].Text, fmt.Sprintf("#%d", tk.Number)) || out[0].InReplyTo != "m1@customer.example" {
			t.Fatalf("acknowledgement = %+v", out)
		}
	})
}

func TestThreading(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		first := d.receive(mail("mia@customer.example", "Card never arrived", "Hello", "Message-ID: <m1@customer.example>"))
		tk := d.ticket(first.TicketID)
		ack := d.outboundFor(tk.ID)[0]

		t.Run("by Message-ID of mail Tend sent", func(t *testing.T) {
			rec := d.receive(mail("mia@customer.example", "Re: [#whatever] something else", "Thanks",
				"Message-ID: <m2@customer.example>", "In-Reply-To: <"+ack.MailMessageID+">"))
			if rec.Outcome != tend.OutcomeAdded || *rec.TicketID != tk.ID {
				t.Fatalf("%s %v: %s", rec.Outcome, rec.TicketID, rec.Detail)
			}
		})
		t.Run("by References of mail Tend received", func(t *testing.T) {
			rec := d.receive(mail("someone-else@other.example", "Fwd", "Adding my colleague",
				"Message-ID: <m3@other.example>", "References: <unknown@x.example> <m1@customer.example>"))
			if rec.Outcome != tend.OutcomeAdded || *rec.TicketID != tk.ID {
				t.Fatalf("%s %v: %s", rec.Outcome, rec.TicketID, rec.Detail)
			}
		})
		t.Run("by the reply token of the address", func(t *testing.T) {
			raw := strings.Replace(mail("mia@customer.example", "new words", "Via the reply address", "Message-ID: <m4@customer.example>"),
				"To: Acme Support <support@acme.example>", "To: "+ack.ReplyTo, 1)
			rec := d.receive(raw)
			if rec.Outcome != tend.OutcomeAdded || *rec.TicketID != tk.ID || !strings.Contains(rec.Detail, "reply address") {
				t.Fatalf("%s %v: %s", rec.Outcome, rec.TicketID, rec.Detail)
			}
		})
		t.Run("by the ticket number, from its customer", func(t *testing.T) {
			rec := d.receive(mail("MIA@customer.example", fmt.Sprintf("About [#%d] again", tk.Number), "Any news?", "Message-ID: <m5@customer.example>"))
			if rec.Outcome != tend.OutcomeAdded || *rec.TicketID != tk.ID {
				t.Fatalf("%s %v: %s", rec.Outcome, rec.TicketID, rec.Detail)
			}
		})
		t.Run("by the ticket number, from a participant", func(t *testing.T) {
			// Mia copies Pat on a reply; Pat then writes with the number.
			d.receive(mail("mia@customer.example", "Re: Card", "Adding Pat", "Message-ID: <m7@customer.example>",
				"In-Reply-To: <m1@customer.example>", "Cc: Pat <pat@partner.example>"))
			rec := d.receive(mail("pat@partner.example", fmt.Sprintf("Re: [#%d]", tk.Number), "I am the courier.", "Message-ID: <p1@partner.example>"))
			if rec.Outcome != tend.OutcomeAdded || *rec.TicketID != tk.ID {
				t.Fatalf("the participant's mail: %s %v: %s", rec.Outcome, rec.TicketID, rec.Detail)
			}
		})
		t.Run("not by the ticket number from a stranger", func(t *testing.T) {
			rec := d.receive(mail("eve@evil.example", fmt.Sprintf("Re: [#%d]", tk.Number), "Let me in", "Message-ID: <e1@evil.example>"))
			if rec.Outcome != tend.OutcomeCreated || *rec.TicketID == tk.ID {
				t.Fatalf("a stranger joined ticket #%d: %s %s", tk.Number, rec.Outcome, rec.Detail)
			}
		})
		t.Run("never by subject alone", func(t *testing.T) {
			rec := d.receive(mail("mia@customer.example", "Card never arrived", "Same words, new mail", "Message-ID: <m6@customer.example>"))
			if rec.Outcome != tend.OutcomeCreated || *rec.TicketID == tk.ID {
				t.Fatalf("threaded by subject: %s %s", rec.Outcome, rec.Detail)
			}
		})
		t.Run("the same mail twice", func(t *testing.T) {
			// As fetched again after a crash: other Received lines and
			// another transfer encoding, the same words.
			again := "Received: from relay2.example by mx.acme.example\r\n" + strings.Replace(
				mail("mia@customer.example", "Re: [#whatever] something else", "VGhhbmtz", "Message-ID: <m2@customer.example>",
					"In-Reply-To: <"+ack.MailMessageID+">"),
				"charset=utf-8\r\n", "charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n", 1)
			rec := d.receive(again)
			if rec.Outcome != tend.OutcomeDuplicate || *rec.TicketID != tk.ID {
				t.Fatalf("outcome %s: %s", rec.Outcome, rec.Detail)
			}
		})
		t.Run("the same Message-ID from the same sender with other words", func(t *testing.T) {
			rec := d.receive(mail("mia@customer.example", "Re: Card never arrived", "A second thought", "Message-ID: <m2@customer.example>"))
			if rec.Outcome != tend.OutcomeAdded || *rec.TicketID != tk.ID || rec.Detail != "threaded by same Message-ID as an earlier mail" {
				t.Fatalf("%s %v: %s", rec.Outcome, rec.TicketID, rec.Detail)
			}
		})
		t.Run("the same Message-ID from another sender", func(t *testing.T) {
			// A broken mailer or a forger cannot make the mail vanish, nor
			// join the first's ticket by that id.
			rec := d.receive(mail("eve@evil.example", "Re: [#whatever] something else", "Thanks", "Message-ID: <m2@customer.example>"))
			if rec.Outcome != tend.OutcomeCreated || *rec.TicketID == tk.ID {
				t.Fatalf("%s %v: %s", rec.Outcome, rec.TicketID, rec.Detail)
			}
		})
		got := d.ticket(&tk.ID)
		if len(got.Messages) != 8 {
			t.Fatalf("%d messages on the ticket, want 8", len(got.Messages))
		}
		// The colleague wrote to the ticket without being copied on it:
		// only addresses copied (Pat) become participants.
		if len(got.Participants) != 1 || got.Participants[0].Email != "pat@partner.example" {
			t.Fatalf("participants: %+v", got.Participants)
		}
	})
}

func TestRepliesToSolvedAndClosedTickets(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		agent := tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: d.agent.ID, Role: d.agent.Role})
		first := d.receive(mail("kim@customer.example", "Login fails", "Cannot sign in", "Message-ID: <k1@customer.example>"))
		id := *first.TicketID
		solved := tend.StatusSolved
		if _, err := d.tickets.AddMessage(agent, id, &tend.MessageCreate{Body: "Reset it for you.", Status: &solved}); err != nil {
			t.Fatal(err)
		}
		rec := d.receive(mail("kim@customer.example", "Re: Login fails", "Still failing", "Message-ID: <k2@customer.example>",
			"In-Reply-To: <k1@customer.example>"))
		tk := d.ticket(&id)
		if rec.Outcome != tend.OutcomeAdded || tk.Status != tend.StatusOpen || tk.ReopenCount != 1 {
			t.Fatalf("after a reply to the solved ticket: %s, status %s, reopens %d", rec.Outcome, tk.Status, tk.ReopenCount)
		}
		for _, st := range []tend.Status{tend.StatusSolved, tend.StatusClosed} {
			if _, err := d.tickets.UpdateTicket(agent, id, &tend.TicketUpdate{Status: &st}); err != nil {
				t.Fatal(err)
			}
		}
		rec = d.receive(mail("kim@customer.example", "Re: Login fails", "It broke again", "Message-ID: <k3@customer.example>",
			"In-Reply-To: <k2@customer.example>"))
		follow := d.ticket(rec.TicketID)
		if rec.Outcome != tend.OutcomeCreated || follow.ID == id || follow.PreviousTicketID == nil || *follow.PreviousTicketID != id {
			t.Fatalf("a reply to the closed ticket: %s, ticket %+v", rec.Outcome, follow)
		}
		if closed := d.ticket(&id); closed.Status != tend.StatusClosed || len(closed.Messages) != 3 {
			t.Fatalf("the closed ticket changed: %s, %d messages", closed.Status, len(closed.Messages))
		}
		if ev := d.events(id); ev[len(ev)-1] != string(tend.EventFollowUpCreated) {
			t.Fatalf("events of the closed ticket: %v", ev)
		}
	})
}

func TestCopiesBecomeParticipantsAndReceiveReplies(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		raw := strings.Replace(mail("lee@customer.example", "Team access", "Please add my team", "Message-ID: <l1@customer.example>"),
			"To: Acme Support <support@acme.example>\r\n",
			"To: Acme Support <support@acme.example>, \"Boss\" <Boss@Customer.example>\r\nCc: it@customer.example, support+x@acme.example\r\n", 1)
		rec := d.receive(raw)
		tk := d.ticket(rec.TicketID)
		if len(tk.Participants) != 2 || tk.Participants[0].Email != "boss@customer.example" || tk.Participants[1].Email != "it@customer.example" {
			t.Fatalf("participants = %+v", tk.Participants)
		}
		agent := tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: d.agent.ID, Role: d.agent.Role})
		m, err := d.tickets.AddMessage(agent, tk.ID, &tend.MessageCreate{Body: "Added all three of you."})
		if err != nil {
			t.Fatal(err)
		}
		if m.Delivery != "queued" {
			t.Fatalf("delivery = %q", m.Delivery)
		}
		out := d.outboundFor(tk.ID)
		reply := out[len(out)-1]
		if reply.Kind != "reply" || reply.To.Email != "lee@customer.example" || len(reply.Cc) != 2 || reply.FromName != "Ana Ortiz" ||
			reply.FromAddress != "support@acme.example" || reply.InReplyTo != "l1@customer.example" || !strings.HasPrefix(reply.ReplyTo, "support+") {
			t.Fatalf("reply mail = %+v", reply)
		}
		if reply.Quote == nil || reply.Quote.Body != "Please add my team" {
			t.Fatalf("quote = %+v", reply.Quote)
		}
	})
}

func TestBouncesAndAutomaticMailNeverOpenTickets(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		first := d.receive(mail("gone@customer.example", "Question", "Hello", "Message-ID: <g1@customer.example>"))
		tk := d.ticket(first.TicketID)
		agent := tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: d.agent.ID, Role: d.agent.Role})
		reply, err := d.tickets.AddMessage(agent, tk.ID, &tend.MessageCreate{Body: "Here is the answer."})
		if err != nil {
			t.Fatal(err)
		}
		out := d.outboundFor(tk.ID)
		sent := out[len(out)-1]

		bounce := dsn("gone@customer.example", sent.MailMessageID)
		rec := d.receive(bounce)
		if rec.Outcome != tend.OutcomeBounce || rec.TicketID == nil || *rec.TicketID != tk.ID {
			t.Fatalf("bounce: %s %v %s", rec.Outcome, rec.TicketID, rec.Detail)
		}
		got := d.ticket(&tk.ID)
		var m *tend.Message
		for _, msg := range got.Messages {
			if msg.ID == reply.ID {
				m = msg
			}
		}
		if m.Delivery != "failed" || !strings.HasPrefix(m.DeliveryError, "Bounced") {
			t.Fatalf("the bounced reply shows %q %q", m.Delivery, m.DeliveryError)
		}
		custs, _, _ := d.customers.FindCustomers(system, tend.CustomerFilter{Email: "gone@customer.example"})
		if len(custs[0].Bouncing) != 1 {
			t.Fatalf("customer bouncing = %+v", custs[0].Bouncing)
		}
		if ev := d.events(tk.ID); ev[len(ev)-1] != string(tend.EventBounced) {
			t.Fatalf("events %v", ev)
		}

		vacation := mail("kim@customer.example", "Out of office", "I am away until Monday.",
			"Auto-Submitted: auto-replied", "Message-ID: <v1@customer.example>", "In-Reply-To: <"+sent.MailMessageID+">")
		if rec := d.receive(vacation); rec.Outcome != tend.OutcomeAutoReply || *rec.TicketID != tk.ID {
			t.Fatalf("vacation: %s %s", rec.Outcome, rec.Detail)
		}
		bulk := mail("news@shop.example", "Our spring sale", "Buy now", "Precedence: bulk", "Message-ID: <n1@shop.example>")
		if rec := d.receive(bulk); rec.Outcome != tend.OutcomeIgnored || rec.TicketID != nil {
			t.Fatalf("bulk: %s", rec.Outcome)
		}
		daemon := mail("MAILER-DAEMON@mx.example", "Undelivered Mail Returned to Sender", "Sorry", "Message-ID: <d1@mx.example>")
		if rec := d.receive(daemon); rec.Outcome == tend.OutcomeCreated || rec.Outcome == tend.OutcomeAdded {
			t.Fatalf("mailer-daemon: %s", rec.Outcome)
		}
		if got := d.ticket(&tk.ID); len(got.Messages) != len(tk.Messages)+1 {
			t.Fatalf("automatic mail became messages: %d", len(got.Messages))
		}
		// Nothing automatic was answered: the only mail queued are the
		// acknowledgement of the first mail and the reply.
		if out := d.outboundFor(tk.ID); len(out) != 2 {
			t.Fatalf("%d mails queued, want 2", len(out))
		}
		list, _, _ := d.tickets.FindTickets(system, tend.TicketFilter{})
		if len(list) != 1 {
			t.Fatalf("%d tickets, want 1", len(list))
		}
	})
}

// dsn writes a delivery status notification about the mail with
// messageID to rcpt.
func dsn(rcpt, messageID string) string {
	return strings.ReplaceAll(`From: Mail Delivery System <MAILER-DAEMON@mx.acme.example>
To: support@acme.example
Subject: Undelivered Mail Returned to Sender
Date: Mon, 2 Mar 2026 10:05:00 +0000
Message-ID: <bounce1@mx.acme.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system. Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example

Final-Recipient: rfc822; `+rcpt+`
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--B
Content-Type: text/rfc822-headers

From: support@acme.example
To: `+rcpt+`
Subject: Re: Question
Message-ID: <`+messageID+`>

--B--
`, "\n", "\r\n")
}

func TestAcknowledgementsAreRateLimited(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		var acked int
		for i := range 5 {
			rec := d.receive(mail("loop@robot.example", fmt.Sprintf("Request %d", i), "Hi", fmt.Sprintf("Message-ID: <r%d@robot.example>", i)))
			acked += len(d.outboundFor(*rec.TicketID))
		}
		if acked != 3 {
			t.Fatalf("%d acknowledgements to one address within the hour, want 3", acked)
		}
		// The limit is per address: someone else is still answered.
		rec := d.receive(mail("person@customer.example", "Request", "Hi", "Message-ID: <p1@customer.example>"))
		if n := len(d.outboundFor(*rec.TicketID)); n != 1 {
			t.Fatalf("another address got %d acknowledgements after the first hit its limit, want 1", n)
		}
	})
}

func TestQuotedHistoryIsKeptApart(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		rec := d.receive(mail("q@customer.example", "Quoting", "Yes, that worked.\n\nOn Mon, 2 Mar 2026 at 10:00, Acme Support <support@acme.example> wrote:\n> Try turning it off and on.\n> Ana\n",
			"Message-ID: <q1@customer.example>"))
		m := d.ticket(rec.TicketID).Messages[0]
		if m.Body != "Yes, that worked." || !strings.Contains(m.Quoted, "> Try turning it off and on.") {
			t.Fatalf("body %q, quoted %q", m.Body, m.Quoted)
		}
	})
}

func TestUnreadableMailIsQuarantined(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		d := newDesk(t, db)
		rec := d.receive("\x00\x01 this is not a mail")
		if rec.Outcome != tend.OutcomeFailed || rec.Detail == "" || rec.RawSHA256 == "" {
			t.Fatalf("record = %+v", rec)
		}
		again, err := d.receiver.Retry(system, rec.ID)
		if err != nil || again.ID != rec.ID || again.Outcome != tend.OutcomeFailed {
			t.Fatalf("retry = %+v, %v", again, err)
		}
		ok := d.receive(mail("fine@customer.example", "Fine", "A readable mail", "Message-ID: <f1@customer.example>"))
		if _, err := d.receiver.Retry(system, ok.ID); tend.ErrorCode(err) != tend.ECONFLICT {
			t.Fatalf("retrying a delivered mail: %v", err)
		}
	})
}

// Names in mail are kept on one line, however they were encoded: a name
// is never refused, which would set the mail aside, but a line break in
// it cannot reach a header or a page.
func TestNamesFromMailAreOneLine(t *testing.T) {
	raw := "From: =?utf-8?q?Eve=0D=0ABcc=3A_all=40example=2Ecom?= <eve@example.com>\r\n" +
		"To: help@acme.example\r\nCc: =?utf-8?q?Ben=E2=80=AEgnp=2Eexe?= <ben@example.com>\r\nSubject: Hello\r\n\r\nHi.\r\n"
	m := mailin.Read([]byte(raw))
	if m.Problem != "" || m.FromName != "Eve Bcc: all@example.com" || len(m.Cc) != 1 || m.Cc[0].Name != "Bengnp.exe" {
		t.Fatalf("read From %q, Cc %+v, problem %q", m.FromName, m.Cc, m.Problem)
	}
}
