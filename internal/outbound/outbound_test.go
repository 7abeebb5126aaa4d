package outbound_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"
	"github.com/riverqueue/river"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/blob"
	"github.com/tendhq/tend/internal/jobs"
	"github.com/tendhq/tend/internal/mailin"
	"github.com/tendhq/tend/internal/mailtest"
	"github.com/tendhq/tend/internal/outbound"
	"github.com/tendhq/tend/internal/secret"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func reply() *tend.OutboundMail {
	return &tend.OutboundMail{
		ID: 7, Kind: "reply", MailMessageID: "tend.abc@acme.example",
		FromName: "Ana Ortiz", FromAddress: "support@acme.example", ReplyTo: "support+tok123@acme.example",
		To:      tend.MailAddress{Name: "Chloé Martin", Email: "chloe@example.org"},
		Cc:      []tend.MailAddress{{Email: "boss@example.org"}},
		Subject: "Re: Invoice missing [#42]", Text: "Hello Chloé,\n\nHere is the invoice.\n\nAna",
		Attachments: []*tend.Attachment{{Name: "invoice.pdf", ContentType: "application/pdf", SHA256: "sum1"}},
		InReplyTo:   "cust-2@example.org", References: []string{"cust-1@example.org", "cust-2@example.org"},
		Date:  time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC),
		Quote: &tend.Message{AuthorName: "Chloé Martin", Body: "Where is my <invoice>?", CreatedAt: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)},
	}
}

func content(sum string) (io.ReadCloser, error) {
	if sum != "sum1" {
		return nil, errors.New("no such content")
	}
	return io.NopCloser(strings.NewReader("%PDF-1.4 invoice")), nil
}

func TestComposeWritesAThreadedReply(t *testing.T) {
	data, err := outbound.Compose(reply(), content)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := outbound.Compose(reply(), content)
	if !bytes.Equal(data, again) {
		t.Error("composing the same mail twice gave different bytes; a retry would send a different mail")
	}
	env, err := enmime.ReadEnvelope(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for header, want := range map[string]string{
		"From":        `"Ana Ortiz" <support@acme.example>`,
		"To":          `Chloé Martin <chloe@example.org>`,
		"Cc":          `<boss@example.org>`,
		"Reply-To":    `"Ana Ortiz" <support+tok123@acme.example>`,
		"Subject":     "Re: Invoice missing [#42]",
		"Message-Id":  "<tend.abc@acme.example>",
		"In-Reply-To": "<cust-2@example.org>",
		"References":  "<cust-1@example.org> <cust-2@example.org>",
	} {
		if got := env.GetHeader(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if env.GetHeader("Auto-Submitted") != "" {
		t.Error("a reply by a person is marked Auto-Submitted")
	}
	if !strings.Contains(env.Text, "Here is the invoice.") || !strings.Contains(env.Text, "> Where is my <invoice>?") {
		t.Errorf("text part lacks the reply or the quote:\n%s", env.Text)
	}
	if !strings.Contains(env.HTML, "<p>Hello Chloé,</p>") || !strings.Contains(env.HTML, "Where is my &lt;invoice&gt;?") {
		t.Errorf("HTML part lacks the reply or escapes badly:\n%s", env.HTML)
	}
	if len(env.Attachments) != 1 || env.Attachments[0].FileName != "invoice.pdf" ||
		string(env.Attachments[0].Content) != "%PDF-1.4 invoice" {
		t.Errorf("attachments = %+v", env.Attachments)
	}

	ack := reply()
	ack.AutoSubmitted, ack.Quote, ack.Attachments = true, nil, nil
	data, err = outbound.Compose(ack, content)
	if err != nil {
		t.Fatal(err)
	}
	env, _ = enmime.ReadEnvelope(bytes.NewReader(data))
	if env.GetHeader("Auto-Submitted") != "auto-replied" {
		t.Errorf("automatic mail has Auto-Submitted %q", env.GetHeader("Auto-Submitted"))
	}

	missing := reply()
	missing.Attachments[0].SHA256 = "gone"
	if _, err := outbound.Compose(missing, content); err == nil || !strings.Contains(err.Error(), "invoice.pdf") {
		t.Errorf("an attachment that cannot be read gave %v, want an error naming it", err)
	}
}

func TestOutboxWritesEachMailOnce(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	box := outbound.Outbox{Dir: dir}
	ctx := context.Background()
	for range 2 {
		if err := box.Send(ctx, "support@acme.example", []string{"chloe@example.org"}, "tend.abc@acme.example", []byte("Subject: hi\r\n\r\nbody\r\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := box.Send(ctx, "support@acme.example", []string{"chloe@example.org"}, "../escape/x@acme.example", []byte("x")); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != ".._escape_x@acme.example.eml tend.abc@acme.example.eml" {
		t.Errorf("outbox holds %v", names)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "tend.abc@acme.example.eml"))
	// The envelope's sender heads the file, as where bounces would go.
	if string(data) != "Return-Path: <support@acme.example>\r\nSubject: hi\r\n\r\nbody\r\n" {
		t.Errorf("outbox file = %q", data)
	}
}

func TestRelayUsesStartTLSAndAuth(t *testing.T) {
	sink, err := mailtest.Start(mailtest.Options{
		TLS:      &tls.Config{Certificates: []tls.Certificate{mailtest.SelfSigned(t, "relay.example")}},
		Username: "tend", Password: "s3cret",
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	ctx := context.Background()
	data := []byte("Message-ID: <m1@acme.example>\r\nSubject: hi\r\n\r\nbody\r\n")
	relay := outbound.Relay{Addr: sink.Addr, Username: "tend", Password: "s3cret", InsecureTLS: true, Timeout: 5 * time.Second}
	if err := relay.Send(ctx, "support@acme.example", []string{"a@example.org", "b@example.org"}, "m1@acme.example", data); err != nil {
		t.Fatal(err)
	}
	got := sink.Received()
	if len(got) != 1 || got[0].MessageID != "m1@acme.example" || strings.Join(got[0].To, ",") != "a@example.org,b@example.org" ||
		got[0].From != "support@acme.example" {
		t.Fatalf("sink received %+v", got)
	}

	relay.Password = "wrong"
	err = relay.Send(ctx, "support@acme.example", []string{"a@example.org"}, "m2@acme.example", data)
	var perm *outbound.PermanentError
	if err == nil || errors.As(err, &perm) || !strings.Contains(err.Error(), "log in to relay") {
		t.Errorf("a refused login gave %v, want a temporary error that names the login", err)
	}

	relay.Password = "s3cret"
	sink.FailWith(451)
	err = relay.Send(ctx, "support@acme.example", []string{"a@example.org"}, "m3@acme.example", data)
	if err == nil || errors.As(err, &perm) {
		t.Errorf("a 451 reply gave %v, want a temporary error", err)
	}
	sink.FailWith(550)
	err = relay.Send(ctx, "support@acme.example", []string{"a@example.org"}, "m4@acme.example", data)
	if !errors.As(err, &perm) {
		t.Errorf("a 550 reply gave %v, want a permanent error", err)
	}
}

func TestRelayInsistsOnTLSAwayFromThisMachine(t *testing.T) {
	plain, err := mailtest.Start(mailtest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	// A loopback relay without TLS is fine: mail does not leave the machine.
	relay := outbound.Relay{Addr: plain.Addr, Timeout: 5 * time.Second}
	if err := relay.Send(context.Background(), "s@acme.example", []string{"a@example.org"}, "m@acme.example", []byte("Subject: x\r\n\r\nx\r\n")); err != nil {
		t.Fatalf("loopback relay without TLS: %v", err)
	}
	// The same server under a name that is not loopback must be refused.
	_, port, _ := strings.Cut(plain.Addr, ":")
	relay.Addr = "localhost.localdomain.invalid:" + port
	err = relay.Send(context.Background(), "s@acme.example", []string{"a@example.org"}, "m@acme.example", []byte("x"))
	if err == nil {
		t.Fatal("sent to a relay that is not on this machine without TLS")
	}
}

// desk is a help desk whose mail is sent by River workers through a relay.
type desk struct {
	t        *testing.T
	db       *sqldb.DB
	tickets  *sqldb.TicketService
	receiver *mailin.Receiver
	mailbox  *tend.Mailbox
	agent    context.Context
	agents   *sqldb.AgentService
}

// deskBaseURL is the address the desk is started with (tend serve
// --base-url), which invitation links start with.
const deskBaseURL = "https://tend.acme.example"

func newDesk(t *testing.T, db *sqldb.DB, transport outbound.Transport) *desk {
	t.Helper()
	ctx := tend.SystemContext(context.Background())
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	store := sqldb.NewOutboundService(db)
	workers := river.NewWorkers()
	river.AddWorker(workers, &outbound.Sender{Store: store, Transport: transport, Logger: quiet, Retry: []time.Duration{100 * time.Millisecond},
		Content: func(sum string) (io.ReadCloser, error) { return blobs.Get(sum) }})
	river.AddWorker(workers, &outbound.NotificationSender{Store: sqldb.NewNotificationService(db), Transport: transport, Logger: quiet})
	agents := sqldb.NewAgentService(db)
	agents.Secrets, err = secret.New([]byte(strings.Repeat("k", secret.KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	river.AddWorker(workers, &outbound.InvitationSender{Store: agents, Transport: transport, Logger: quiet, BaseURL: deskBaseURL})
	jobs.AddSLAWorkers(workers, sqldb.NewTicketService(db, blobs), quiet)
	queue, err := jobs.Open(ctx, db, jobs.Config{Workers: workers, Logger: quiet, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		queue.Stop(stop)
	})
	tickets := sqldb.NewTicketService(db, blobs)
	tickets.Outbox = sqldb.NewOutbox(db, queue)
	db.Jobs = queue
	mb, err := sqldb.NewMailboxService(db, nil).CreateMailbox(ctx, &tend.MailboxCreate{Address: "support@acme.example", Name: "Acme Support"})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := agents.CreateAgent(ctx, &tend.AgentCreate{Name: "Ana Ortiz", Email: "ana@acme.example", Role: tend.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	return &desk{t: t, db: db, tickets: tickets, mailbox: mb, agents: agents,
		agent:    tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: agent.ID, Role: agent.Role}),
		receiver: &mailin.Receiver{Inbound: sqldb.NewInboundService(db, tickets, tickets.Outbox), Blobs: blobs, Logger: quiet}}
}

// request has a customer write in, and returns the new ticket.
func (d *desk) request(from, subject string) *tend.Ticket {
	d.t.Helper()
	raw := "From: " + from + "\r\nTo: support@acme.example\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.org>\r\n\r\nPlease help.\r\n"
	rec, err := d.receiver.Receive(context.Background(), "smtp", d.mailbox.ID, []string{d.mailbox.Address}, []byte(raw))
	if err != nil || rec.TicketID == nil {
		d.t.Fatalf("receive: %v, %+v", err, rec)
	}
	t, err := d.tickets.FindTicketByID(d.agent, *rec.TicketID)
	if err != nil {
		d.t.Fatal(err)
	}
	return t
}

func (d *desk) reply(ticketID int64, body string) *tend.Message {
	d.t.Helper()
	m, err := d.tickets.AddMessage(d.agent, ticketID, &tend.MessageCreate{Body: body})
	if err != nil {
		d.t.Fatal(err)
	}
	return m
}

// message waits until the delivery of a message is no longer queued.
func (d *desk) delivered(ticketID, messageID int64) *tend.Message {
	d.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		t, err := d.tickets.FindTicketByID(d.agent, ticketID)
		if err != nil {
			d.t.Fatal(err)
		}
		for _, m := range t.Messages {
			if m.ID == messageID && m.Delivery != "queued" {
				return m
			}
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("message %d still queued after 20s", messageID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRepliesAreMailedOnceAndThreaded(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		sink, err := mailtest.Start(mailtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		d := newDesk(t, db, outbound.Relay{Addr: sink.Addr, Timeout: 5 * time.Second})
		ticket := d.request("Chloé Martin <chloe@example.org>", "Invoice missing")
		m := d.reply(ticket.ID, "Here it is.")
		if m.Delivery != "queued" {
			t.Errorf("a new reply's delivery = %q, want queued", m.Delivery)
		}
		if got := d.delivered(ticket.ID, m.ID); got.Delivery != "sent" {
			t.Fatalf("delivery = %q (%s)", got.Delivery, got.DeliveryError)
		}
		waitFor(t, "two mails", func() bool { return len(sink.Received()) >= 2 })
		time.Sleep(300 * time.Millisecond) // nothing more may arrive
		got := sink.Received()
		if len(got) != 2 {
			t.Fatalf("sink received %d mails, want the acknowledgement and the reply", len(got))
		}
		var ack, rep *enmime.Envelope
		for _, r := range got {
			env, err := enmime.ReadEnvelope(bytes.NewReader(r.Data))
			if err != nil {
				t.Fatal(err)
			}
			if env.GetHeader("Auto-Submitted") != "" {
				ack = env
			} else {
				rep = env
			}
			if r.From != "support@acme.example" || len(r.To) != 1 || r.To[0] != "chloe@example.org" {
				t.Errorf("envelope from %s to %v", r.From, r.To)
			}
		}
		if ack == nil || rep == nil {
			t.Fatal("want one acknowledgement and one reply")
		}
		number := "#" + strconv.FormatInt(ticket.Number, 10)
		if !strings.Contains(ack.GetHeader("Subject"), number) || !strings.Contains(ack.Text, number) {
			t.Errorf("acknowledgement does not name %s: %q\n%s", number, ack.GetHeader("Subject"), ack.Text)
		}
		if rep.GetHeader("From") != `"Ana Ortiz" <support@acme.example>` {
			t.Errorf("reply From = %q, want the agent's name at the mailbox", rep.GetHeader("From"))
		}
		if rep.GetHeader("In-Reply-To") != "<Invoice.missing@example.org>" {
			t.Errorf("reply In-Reply-To = %q", rep.GetHeader("In-Reply-To"))
		}
		if !strings.HasPrefix(rep.GetHeader("Reply-To"), `"Ana Ortiz" <support+`) {
			t.Errorf("reply Reply-To = %q, want the plus address with the ticket's token", rep.GetHeader("Reply-To"))
		}
		if !strings.Contains(rep.Text, "Here it is.") || !strings.Contains(rep.Text, "> Please help.") {
			t.Errorf("reply text:\n%s", rep.Text)
		}

		// The customer answers the reply: it threads by In-Reply-To into the
		// same ticket even with another subject.
		answer := "From: chloe@example.org\r\nTo: support@acme.example\r\nSubject: thanks\r\nMessage-ID: <a2@example.org>\r\n" +
			"In-Reply-To: " + rep.GetHeader("Message-Id") + "\r\n\r\nGot it.\r\n"
		rec, err := d.receiver.Receive(context.Background(), "smtp", d.mailbox.ID, []string{d.mailbox.Address}, []byte(answer))
		if err != nil || rec.TicketID == nil || *rec.TicketID != ticket.ID || rec.Outcome != tend.OutcomeAdded {
			t.Errorf("the answer to the reply went to %+v (%v), want ticket %d", rec, err, ticket.ID)
		}
	})
}

func TestTemporaryFailuresAreRetried(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		sink, err := mailtest.Start(mailtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		sink.FailWith(451)
		d := newDesk(t, db, outbound.Relay{Addr: sink.Addr, Timeout: 5 * time.Second})
		ticket := d.request("chloe@example.org", "Retry please")
		m := d.reply(ticket.ID, "Answer one.")
		outbox := sqldb.NewOutboundService(db)
		// Both mails are tried and fail; they stay queued.
		waitFor(t, "a failed attempt", func() bool {
			o, err := outbox.FindOutbound(context.Background(), 2)
			return err == nil && o.Attempts >= 1
		})
		if got, _ := d.tickets.FindTicketByID(d.agent, ticket.ID); got.Messages[len(got.Messages)-1].Delivery != "queued" {
			t.Errorf("after a 451 the reply's delivery = %q, want queued", got.Messages[len(got.Messages)-1].Delivery)
		}
		sink.FailWith(0)
		if got := d.delivered(ticket.ID, m.ID); got.Delivery != "sent" {
			t.Fatalf("after the relay recovered: delivery = %q (%s)", got.Delivery, got.DeliveryError)
		}
		waitFor(t, "both mails", func() bool { return len(sink.Received()) >= 2 })
		time.Sleep(300 * time.Millisecond)
		if n := len(sink.Received()); n != 2 {
			t.Errorf("sink received %d mails, want 2", n)
		}
	})
}

func TestPermanentFailuresShowOnTheMessageAndTicket(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		sink, err := mailtest.Start(mailtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		sink.FailWith(550)
		d := newDesk(t, db, outbound.Relay{Addr: sink.Addr, Timeout: 5 * time.Second})
		ticket := d.request("chloe@example.org", "Refused")
		m := d.reply(ticket.ID, "You will not get this.")
		got := d.delivered(ticket.ID, m.ID)
		if got.Delivery != "failed" || !strings.Contains(got.DeliveryError, "550") {
			t.Fatalf("delivery = %q (%s), want failed with the relay's answer", got.Delivery, got.DeliveryError)
		}
		failures := func() int {
			events, _, err := d.tickets.FindTicketEvents(d.agent, ticket.ID, "", tend.MaxPageSize)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, e := range events {
				if e.Kind == tend.EventDeliveryFailed {
					n++
				}
			}
			return n
		}
		// The acknowledgement and the reply each failed once, for good;
		// the acknowledgement's worker may record it after the reply's.
		waitFor(t, "two delivery failures", func() bool { return failures() >= 2 })
		time.Sleep(300 * time.Millisecond)
		if n := failures(); n != 2 {
			t.Errorf("ticket history has %d delivery failures, want 2", n)
		}
	})
}

// BenchmarkSendToSink queues b.N acknowledgements, then times River's
// workers composing and sending them all through a relay on loopback
// until the sink has every one, and reports mails per second.
func BenchmarkSendToSink(b *testing.B) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			db := sqldbtest.Open(b, engine)
			ctx := tend.SystemContext(context.Background())
			blobs, err := blob.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			inserter, err := jobs.Open(ctx, db, jobs.Config{})
			if err != nil {
				b.Fatal(err)
			}
			tickets := sqldb.NewTicketService(db, blobs)
			tickets.Outbox = sqldb.NewOutbox(db, inserter)
			tickets.Outbox.AckLimit = b.N
			mb, err := sqldb.NewMailboxService(db, nil).CreateMailbox(ctx, &tend.MailboxCreate{Address: "support@acme.example", Name: "Acme Support"})
			if err != nil {
				b.Fatal(err)
			}
			receiver := &mailin.Receiver{Inbound: sqldb.NewInboundService(db, tickets, tickets.Outbox), Blobs: blobs, Logger: quiet}
			for i := range b.N {
				raw := fmt.Sprintf("From: Customer %d <c%d@example.org>\r\nTo: support@acme.example\r\nSubject: Question %d\r\n"+
					"Message-ID: <q%d@example.org>\r\n\r\nA question about my order %d.\r\n", i, i%500, i, i, i)
				if _, err := receiver.Receive(ctx, "smtp", mb.ID, []string{mb.Address}, []byte(raw)); err != nil {
					b.Fatal(err)
				}
			}
			sink, err := mailtest.Start(mailtest.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer sink.Close()
			workers := river.NewWorkers()
			river.AddWorker(workers, &outbound.Sender{Store: sqldb.NewOutboundService(db), Logger: quiet,
				Transport: outbound.Relay{Addr: sink.Addr, Timeout: 10 * time.Second},
				Content:   func(sum string) (io.ReadCloser, error) { return blobs.Get(sum) }})
			jobs.AddSLAWorkers(workers, sqldb.NewTicketService(db, blobs), quiet)
			queue, err := jobs.Open(ctx, db, jobs.Config{Workers: workers, Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			if err := queue.Start(ctx); err != nil {
				b.Fatal(err)
			}
			for len(sink.Received()) < b.N {
				time.Sleep(time.Millisecond)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
			stop, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			queue.Stop(stop)
		})
	}
}

// After the customer is merged into another, a reply on the ticket goes
// to the address the customer wrote from on it, not the kept customer's
// first address.
func TestRepliesGoToTheAddressLastUsedOnTheTicket(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		sink, err := mailtest.Start(mailtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		d := newDesk(t, db, outbound.Relay{Addr: sink.Addr, Timeout: 5 * time.Second})
		work := d.request("Ann Lee <ann@work.example>", "Invoice question")
		home := d.request("Ann Lee <ann@home.example>", "Parcel question")
		if _, err := sqldb.NewCustomerService(db).MergeCustomers(tend.SystemContext(context.Background()), home.CustomerID, work.CustomerID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "two acknowledgements", func() bool { return len(sink.Received()) >= 2 })
		for _, c := range []struct {
			ticket *tend.Ticket
			want   string
		}{{home, "ann@home.example"}, {work, "ann@work.example"}} {
			before := len(sink.Received())
			m := d.reply(c.ticket.ID, "We are on it.")
			if got := d.delivered(c.ticket.ID, m.ID); got.Delivery != "sent" {
				t.Fatalf("delivery = %q (%s)", got.Delivery, got.DeliveryError)
			}
			waitFor(t, "the reply", func() bool { return len(sink.Received()) > before })
			r := sink.Received()[before]
			if len(r.To) != 1 || r.To[0] != c.want {
				t.Errorf("reply on #%d went to %v, want %s, the address the customer wrote from on it", c.ticket.Number, r.To, c.want)
			}
		}
	})
}

// An agent who chose mail for customers' replies gets one, over SMTP,
// when the customer writes again on their ticket: from the support
// address, marked as generated so that nobody answers it automatically.
func TestNotificationIsMailed(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		sink, err := mailtest.Start(mailtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		d := newDesk(t, db, outbound.Relay{Addr: sink.Addr, Timeout: 5 * time.Second})
		notes := sqldb.NewNotificationService(db)
		if err := notes.SetNotifyByEmail(d.agent, []tend.NotificationKind{tend.NotifyCustomerReplied}); err != nil {
			t.Fatal(err)
		}
		tk := d.request("Ann Lee <ann@work.example>", "Invoice question")
		me := tend.PrincipalFromContext(d.agent).AgentID
		if _, err := d.tickets.UpdateTicket(d.agent, tk.ID, &tend.TicketUpdate{OwnerID: &me}); err != nil {
			t.Fatal(err)
		}
		// The mail says when, in the agent's own time zone.
		tokyo := "Asia/Tokyo"
		if _, err := sqldb.NewAgentService(db).UpdateAgent(d.agent, me, &tend.AgentUpdate{TimeZone: &tokyo}); err != nil {
			t.Fatal(err)
		}
		raw := "From: Ann Lee <ann@work.example>\r\nTo: support@acme.example\r\nSubject: Re: Invoice question\r\nMessage-ID: <again@example.org>\r\n" +
			"In-Reply-To: <Invoice.question@example.org>\r\n\r\nAny news?\r\n"
		if _, err := d.receiver.Receive(context.Background(), "smtp", d.mailbox.ID, []string{d.mailbox.Address}, []byte(raw)); err != nil {
			t.Fatal(err)
		}
		var mail *mailtest.Received
		waitFor(t, "the notification", func() bool {
			for _, m := range sink.Received() {
				if len(m.To) == 1 && m.To[0] == "ana@acme.example" {
					mail = &m
					return true
				}
			}
			return false
		})
		text := string(mail.Data)
		number := strconv.FormatInt(tk.Number, 10)
		for _, want := range []string{"Auto-Submitted: auto-generated", "From: \"Acme Support\" <support@acme.example>",
			"Subject: Ann Lee replied on #" + number + ": Invoice question", "/tickets/" + number, " JST."} {
			if !strings.Contains(text, want) {
				t.Errorf("the notification lacks %q:\n%s", want, text)
			}
		}
		if mail.From != "support@acme.example" {
			t.Errorf("its envelope sender is %q", mail.From)
		}
	})
}

// An admin invites someone and ticks the mail: the mail reaches them over
// SMTP from the support address, marked as generated, with a link on the
// desk's --base-url that lets them set a password; once the relay has it,
// the sealed secret is gone from the database.
func TestInvitationIsMailed(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		sink, err := mailtest.Start(mailtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		d := newDesk(t, db, outbound.Relay{Addr: sink.Addr, Timeout: 5 * time.Second})
		sys := tend.SystemContext(context.Background())
		// The address under Settings → General is not what the link uses:
		// the one Tend was started with comes first.
		if _, err := sqldb.NewSettingsService(db).UpdateSettings(sys, &tend.Settings{Name: "Acme", BaseURL: "https://help.acme.example"}); err != nil {
			t.Fatal(err)
		}
		admin, err := d.agents.CreateAgent(sys, &tend.AgentCreate{Name: "Ada Admin", Email: "ada@acme.example", Role: tend.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		asAdmin := tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: admin.ID, Role: admin.Role})
		nia, err := d.agents.CreateAgent(asAdmin, &tend.AgentCreate{Name: "Nia Park", Email: "nia@staff.example", Role: tend.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		made, err := d.agents.CreateInvitation(asAdmin, nia.ID, true)
		if err != nil || made.MailedTo != "nia@staff.example" {
			t.Fatalf("%+v, %v", made, err)
		}
		var mail *mailtest.Received
		waitFor(t, "the invitation", func() bool {
			for _, m := range sink.Received() {
				if len(m.To) == 1 && m.To[0] == "nia@staff.example" {
					mail = &m
					return true
				}
			}
			return false
		})
		if mail.From != "support@acme.example" {
			t.Errorf("its envelope sender is %q", mail.From)
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(mail.Data))
		if err != nil {
			t.Fatal(err)
		}
		if got := env.GetHeader("Subject"); got != "You are invited to Acme's help desk" {
			t.Errorf("subject %q", got)
		}
		if got := env.GetHeader("Auto-Submitted"); got != "auto-generated" {
			t.Errorf("Auto-Submitted: %q", got)
		}
		if got := env.GetHeader("From"); got != `"Acme Support" <support@acme.example>` {
			t.Errorf("From: %q", got)
		}
		prefix := deskBaseURL + "/invite?token="
		at := strings.Index(env.Text, prefix)
		if at < 0 || !strings.Contains(env.Text, "Ada Admin invited you") {
			t.Fatalf("the mail lacks the link or its sender:\n%s", env.Text)
		}
		token := strings.Fields(env.Text[at+len(prefix):])[0]
		if token != made.Secret {
			t.Errorf("the mailed token %q is not the invitation's", token)
		}
		// The invitation stands, unspent, but keeps nothing to mail any
		// more: the sealed secret is gone.
		hash := sha256.Sum256([]byte(token))
		waitFor(t, "the sealed secret to go", func() bool {
			_, err := d.agents.FindInvitationMail(sys, hex.EncodeToString(hash[:]), "")
			return tend.ErrorCode(err) == tend.ENOTFOUND
		})
		if a, err := d.agents.CheckInvitation(context.Background(), token); err != nil || a.ID != nia.ID {
			t.Fatalf("the link before use: %v, %v", a, err)
		}
		if _, err := d.agents.AcceptInvitation(context.Background(), token, "a long enough password"); err != nil {
			t.Errorf("the mailed link: %v", err)
		}
		time.Sleep(300 * time.Millisecond) // nothing more may arrive
		n := 0
		for _, m := range sink.Received() {
			if m.To[0] == "nia@staff.example" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("Nia got %d mails, want 1", n)
		}
	})
}

// An admin writes the mailbox's acknowledgement and signature; the mail
// sent over SMTP carries them, filled in for the ticket. An unknown
// placeholder is refused and nothing changes.
func TestMailboxTextsAreSent(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		sink, err := mailtest.Start(mailtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		d := newDesk(t, db, outbound.Relay{Addr: sink.Addr, Timeout: 5 * time.Second})
		mailboxes := sqldb.NewMailboxService(db, nil)
		sys := tend.SystemContext(context.Background())
		bad := "Hi {{customer.nickname}}"
		if _, err := mailboxes.UpdateMailbox(sys, d.mailbox.ID, &tend.MailboxUpdate{Signature: &bad}); tend.ErrorCode(err) != tend.EINVALID ||
			!strings.Contains(tend.ErrorFields(err)["signature"], "{{customer.nickname}}") {
			t.Fatalf("an unknown placeholder: %v", err)
		}
		ack, sig := "Hello {{customer.first_name}},\n\nwe have your request as #{{ticket.number}}.", "{{agent.name}}\nAcme Support"
		mb, err := mailboxes.UpdateMailbox(sys, d.mailbox.ID, &tend.MailboxUpdate{Acknowledgement: &ack, Signature: &sig})
		if err != nil || mb.Acknowledgement != ack || mb.Signature != sig {
			t.Fatalf("after the update: %+v, %v", mb, err)
		}
		tk := d.request("Ann Lee <ann@work.example>", "Invoice question")
		d.reply(tk.ID, "Here is your invoice.")
		waitFor(t, "the acknowledgement and the reply", func() bool { return len(sink.Received()) >= 2 })
		number := strconv.FormatInt(tk.Number, 10)
		var texts []string
		for _, m := range sink.Received() {
			texts = append(texts, string(m.Data))
		}
		all := strings.Join(texts, "\n=====\n")
		for _, want := range []string{"Hello Ann,", "we have your request as #" + number + ".", "Here is your invoice.", "-- \r\nAna Ortiz\r\nAcme Support"} {
			if !strings.Contains(all, want) {
				t.Errorf("the mail lacks %q:\n%s", want, all)
			}
		}
	})
}

// The acknowledgement of a new request names when the first answer is
// due by its policy, in the calendar's zone when the customer gave none.
func TestAcknowledgementNamesTheFirstResponseDeadline(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		sink, err := mailtest.Start(mailtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		d := newDesk(t, db, outbound.Relay{Addr: sink.Addr, Timeout: 5 * time.Second})
		ticket := d.request("Chloé Martin <chloe@example.org>", "Card missing")
		first := ticket.SLA.Target(tend.TargetFirstResponse)
		if first == nil || first.DueAt == nil {
			t.Fatalf("no first response deadline: %+v", ticket.SLA)
		}
		waitFor(t, "the acknowledgement", func() bool { return len(sink.Received()) >= 1 })
		env, err := enmime.ReadEnvelope(bytes.NewReader(sink.Received()[0].Data))
		if err != nil {
			t.Fatal(err)
		}
		want := "We will answer by " + first.DueAt.UTC().Format("Monday 2 January 2006, 15:04") + " (UTC time)."
		if !strings.Contains(strings.Join(strings.Fields(env.Text), " "), want) {
			t.Errorf("acknowledgement lacks %q:\n%s", want, env.Text)
		}
	})
}
