package sqldb_test

import (
	"context"
	"sync"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// jobCounter stands in for the job queue: it counts what is queued.
type jobCounter struct {
	mu   sync.Mutex
	jobs []sqldb.Job
}

func (j *jobCounter) Enqueue(ctx context.Context, tx *sqldb.Tx, job sqldb.Job) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.jobs = append(j.jobs, job)
	return nil
}

func (j *jobCounter) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.jobs)
}

// An agent opens a ticket for a caller: the body is the customer's, the
// history names the agent, nothing is mailed.
func TestOpenTicketForCaller(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		queue := &jobCounter{}
		e.tickets.Outbox = sqldb.NewOutbox(db, queue)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)
		ctx := as(ann)
		bob, err := e.customers.CreateCustomer(ctx, &tend.CustomerCreate{Name: "Bob Stone", Emails: []string{"bob@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range []tend.Channel{tend.ChannelPhone, tend.ChannelWalkIn} {
			tk, err := e.tickets.CreateTicket(ctx, &tend.TicketCreate{Subject: "Card blocked", CustomerID: &bob.ID,
				Body: "Bob says his card was refused at a shop.", Channel: ch})
			if err != nil {
				t.Fatalf("%s: %v", ch, err)
			}
			if tk.CustomerID != bob.ID || tk.Channel != ch || tk.Status != tend.StatusNew || tk.FirstRespondedAt != nil || tk.OwnerID != nil {
				t.Errorf("%s: ticket = %+v", ch, tk)
			}
			m := tk.Messages[0]
			if m.AuthorType != tend.AuthorCustomer || *m.AuthorID != bob.ID || m.AuthorName != "Bob Stone" || m.Delivery != "" {
				t.Errorf("%s: first message = %+v", ch, m)
			}
			events, _, err := e.tickets.FindTicketEvents(ctx, tk.ID, "", 0)
			if err != nil || len(events) != 1 {
				t.Fatalf("%s: events = %v, %v", ch, events, err)
			}
			c, ok := events[0].Data.(tend.TicketCreated)
			if !ok || events[0].ActorType != tend.AuthorAgent || *events[0].ActorID != ann.ID || c.Channel != ch ||
				c.CustomerID != bob.ID || c.MailboxID != nil {
				t.Errorf("%s: created = %+v by %v %v", ch, events[0].Data, events[0].ActorType, events[0].ActorID)
			}
		}
		// A new caller, by address and name.
		tk, err := e.tickets.CreateTicket(ctx, &tend.TicketCreate{Subject: "Lost PIN",
			Customer: tend.CustomerRef{Email: "Cleo@Example.com", Name: "Cleo"}, Body: "Forgot the PIN.", Channel: tend.ChannelWalkIn})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Messages[0].AuthorName != "Cleo" {
			t.Errorf("new customer's message by %q", tk.Messages[0].AuthorName)
		}
		if queue.count() != 0 {
			t.Errorf("%d mails queued for tickets opened for callers", queue.count())
		}
	})
}

// An agent opens a ticket by writing to the customer: the body is the
// agent's reply, mailed from the chosen mailbox, and the first response.
func TestOpenTicketByMail(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		queue := &jobCounter{}
		e.tickets.Outbox = sqldb.NewOutbox(db, queue)
		mailboxes := sqldb.NewMailboxService(db, nil)
		if _, err := mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: "help@desk.example", Name: "Help"}); err != nil {
			t.Fatal(err)
		}
		sales, err := mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: "sales@desk.example", Name: "Sales"})
		if err != nil {
			t.Fatal(err)
		}
		ann := e.mustAgent(t, "ann", tend.RoleAgent)
		ctx := as(ann)
		create := func() *tend.TicketCreate {
			return &tend.TicketCreate{Subject: "Your renewal", Customer: tend.CustomerRef{Email: "dee@example.com", Name: "Dee"},
				Body: "Your plan renews next week; shall we keep it?", MailboxID: &sales.ID, IdempotencyKey: "k1"}
		}
		tk, err := e.tickets.CreateTicket(ctx, create())
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != tend.ChannelEmail || tk.MailboxID == nil || *tk.MailboxID != sales.ID || tk.FirstRespondedAt == nil ||
			tk.Status != tend.StatusOpen || tk.OwnerID == nil || *tk.OwnerID != ann.ID {
			t.Errorf("ticket = %+v", tk)
		}
		m := tk.Messages[0]
		if len(tk.Messages) != 1 || m.AuthorType != tend.AuthorAgent || *m.AuthorID != ann.ID || m.Kind != tend.KindReply || m.Delivery != "queued" {
			t.Errorf("first message = %+v", m)
		}
		if queue.count() != 1 {
			t.Errorf("%d mails queued, want 1", queue.count())
		}
		events, _, err := e.tickets.FindTicketEvents(ctx, tk.ID, "", 0)
		if err != nil || len(events) < 2 {
			t.Fatalf("events = %v, %v", events, err)
		}
		c, ok := events[0].Data.(tend.TicketCreated)
		if !ok || c.MailboxID == nil || *c.MailboxID != sales.ID || c.MessageID != m.ID || *events[0].ActorID != ann.ID {
			t.Errorf("first entry = %+v", events[0].Data)
		}
		for _, ev := range events {
			if ev.ChangeID == "" || ev.ChangeID != events[0].ChangeID {
				t.Errorf("entry %s is not of the one change that opened the ticket", ev.Kind)
			}
		}

		// A double submission opens one ticket and sends one mail.
		again, err := e.tickets.CreateTicket(ctx, create())
		if err != nil || again.ID != tk.ID {
			t.Fatalf("repeat = %+v, %v", again, err)
		}
		if queue.count() != 1 {
			t.Errorf("%d mails queued after a repeat, want 1", queue.count())
		}
	})
}

func TestOpenTicketRefusals(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		e.tickets.Outbox = sqldb.NewOutbox(db, &jobCounter{})
		mb, err := sqldb.NewMailboxService(db, nil).CreateMailbox(system, &tend.MailboxCreate{Address: "help@desk.example"})
		if err != nil {
			t.Fatal(err)
		}
		ann := e.mustAgent(t, "ann", tend.RoleAgent)
		ctx := as(ann)
		bob, err := e.customers.CreateCustomer(ctx, &tend.CustomerCreate{Name: "Bob", Emails: []string{"bob@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, field string
			in          tend.TicketCreate
		}{
			{"unknown customer", "customer_id", tend.TicketCreate{CustomerID: ptr(int64(999))}},
			{"customer id not an id", "customer_id", tend.TicketCreate{CustomerID: ptr(int64(-1))}},
			{"customer twice", "customer", tend.TicketCreate{CustomerID: &bob.ID, Customer: tend.CustomerRef{Email: "x@example.com"}}},
			{"no customer", "customer.email", tend.TicketCreate{Channel: tend.ChannelPhone}},
			{"new customer without address", "customer.email", tend.TicketCreate{Customer: tend.CustomerRef{Name: "Only A Name"}, Channel: tend.ChannelPhone}},
			{"unknown mailbox", "mailbox_id", tend.TicketCreate{CustomerID: &bob.ID, MailboxID: ptr(int64(999))}},
			{"mailbox for a call", "mailbox_id", tend.TicketCreate{CustomerID: &bob.ID, MailboxID: &mb.ID, Channel: tend.ChannelPhone}},
			{"unknown channel", "channel", tend.TicketCreate{CustomerID: &bob.ID, Channel: "fax"}},
			{"the desk's own address", "customer.email", tend.TicketCreate{Customer: tend.CustomerRef{Email: "Help+x@Desk.example"}, Channel: tend.ChannelPhone}},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := c.in
				in.Subject, in.Body = "Help", "Words"
				_, err := e.tickets.CreateTicket(ctx, &in)
				wantCode(t, err, tend.EINVALID)
				if tend.ErrorFields(err)[c.field] == "" {
					t.Errorf("no problem for %s in %v", c.field, err)
				}
			})
		}
		if n, err := e.tickets.CountTickets(ctx, tend.TicketFilter{}); err != nil || n != 0 {
			t.Errorf("refused input left %d tickets, %v", n, err)
		}
		_, err = e.tickets.CreateTicket(asCustomer(bob.ID), &tend.TicketCreate{Subject: "x", CustomerID: &bob.ID, Body: "b", Channel: tend.ChannelPhone})
		wantCode(t, err, tend.EFORBIDDEN)
		_, err = e.tickets.CreateTicket(system, &tend.TicketCreate{Subject: "x", CustomerID: &bob.ID, Body: "b", MailboxID: &mb.ID})
		wantCode(t, err, tend.EINVALID)
	})
}
