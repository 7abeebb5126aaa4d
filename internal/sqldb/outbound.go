package sqldb

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// Enqueuer puts durable jobs in a write transaction, so that a job exists
// exactly when the change that causes it commits.
type Enqueuer interface {
	Enqueue(ctx context.Context, tx *Tx, job Job) error
}

// Job is a durable job's arguments.
type Job interface {
	Kind() string
}

// Outbox queues the mail that changes cause, in their transactions.
type Outbox struct {
	db   *DB
	Jobs Enqueuer
	// AckLimit is how many acknowledgements one address may get in
	// AckWindow: two systems that answer each other cannot loop.
	// AllAckLimit is how many the desk sends in all in AckWindow, so that
	// mail forged from many addresses cannot make Tend a source of
	// backscatter; 0 sets no such limit.
	AckLimit    int
	AllAckLimit int
	AckWindow   time.Duration
}

// NewOutbox returns the outbox of db, queueing jobs with jobs.
func NewOutbox(db *DB, jobs Enqueuer) *Outbox {
	return &Outbox{db: db, Jobs: jobs, AckLimit: 3, AllAckLimit: 2000, AckWindow: time.Hour}
}

// newToken returns a random token for reply addresses and Message-IDs:
// lower-case letters and digits, which survive any mail system.
func newToken(bytes int) string {
	b := make([]byte, bytes)
	rand.Read(b)
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// queueReply queues the mail of a staff reply: to the ticket's customer,
// copying its participants, from the ticket's mailbox; or to those of
// them chosen (chosenTo, chosenCc), and never anyone else. Without a
// mailbox, or with nobody to write to, nothing is queued and the reason
// is kept on the message.
func (o *Outbox) queueReply(ctx context.Context, tx *Tx, t *tend.Ticket, m *tend.Message, chosenTo *string, chosenCc *[]string) error {
	mb, err := mailboxFor(ctx, tx, t)
	if err != nil || mb == nil {
		return err // no mailbox: replies stay in Tend
	}
	to, cc, err := recipients(ctx, tx, t)
	if err != nil {
		return err
	}
	if to, cc, err = chooseRecipients(ctx, tx, t, to, cc, chosenTo, chosenCc); err != nil {
		return err
	}
	if to == "" && len(cc) == 0 {
		if err := refuseUnreachable(ctx, tx, t); err != nil {
			return err
		}
	}
	if to == "" {
		_, err := tx.exec(ctx, `UPDATE messages SET delivery = 'failed', delivery_error = $2 WHERE id = $1`,
			m.ID, "Not mailed: every address of the customer bounces.")
		m.Delivery, m.DeliveryError = "failed", "Not mailed: every address of the customer bounces."
		return err
	}
	if err := o.queue(ctx, tx, t, mb, "reply", &m.ID, to, cc); err != nil {
		return err
	}
	m.Delivery = "queued"
	_, err = tx.exec(ctx, `UPDATE messages SET delivery = 'queued' WHERE id = $1`, m.ID)
	return err
}

// chooseRecipients narrows the usual recipients to those the author
// chose: To one of the customer's addresses, Cc some of the participants
// (an address that bounces stays out). Anyone else is refused, naming
// them: a reply goes only to the people of the ticket.
func chooseRecipients(ctx context.Context, tx *Tx, t *tend.Ticket, to string, cc []string, chosenTo *string, chosenCc *[]string) (string, []string, error) {
	if chosenTo != nil {
		want := tend.NormalizeEmail(*chosenTo)
		var ok, bouncing bool
		err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customer_emails WHERE customer_id = $1 AND email = $2),
			EXISTS (SELECT 1 FROM customer_emails WHERE customer_id = $1 AND email = $2 AND bouncing_since IS NOT NULL)`,
			t.CustomerID, want).Scan(&ok, &bouncing)
		switch {
		case err != nil:
			return "", nil, err
		case !ok:
			return "", nil, tend.FieldError(tend.EINVALID, "to", "the address %s is not the ticket's customer's; a reply goes to the customer and the people copied", want)
		case bouncing:
			return "", nil, tend.FieldError(tend.EINVALID, "to", "mail to the address %s bounces; choose another of the customer's", want)
		}
		to = want
	}
	if chosenCc != nil {
		all, err := findParticipants(ctx, tx, t.ID)
		if err != nil {
			return "", nil, err
		}
		var out []string
		for _, e := range *chosenCc {
			e = tend.NormalizeEmail(e)
			if !slices.ContainsFunc(all, func(a tend.MailAddress) bool { return a.Email == e }) {
				var theirs bool
				if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customer_emails WHERE customer_id = $1 AND email = $2)`,
					t.CustomerID, e).Scan(&theirs); err != nil {
					return "", nil, err
				} else if theirs {
					return "", nil, tend.FieldError(tend.EINVALID, "cc", "the address %s is the customer's own; choose it as To instead", e)
				}
				return "", nil, tend.FieldError(tend.EINVALID, "cc", "the address %s is not copied on this ticket; add them to the conversation first", e)
			}
			if slices.Contains(cc, e) && !slices.Contains(out, e) && e != to {
				out = append(out, e)
			}
		}
		cc = out
	}
	return to, cc, nil
}

// refuseUnreachable refuses a reply to a customer who has no address at
// all (their mail came from one Tend cannot write to), rather than keep
// a reply nobody will read.
func refuseUnreachable(ctx context.Context, tx *Tx, t *tend.Ticket) error {
	var addresses int
	var raw string
	err := tx.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM customer_emails WHERE customer_id = c.id), c.raw_address
		FROM customers c WHERE c.id = $1`, t.CustomerID).Scan(&addresses, &raw)
	if err != nil || addresses > 0 {
		return err
	}
	if raw != "" {
		return tend.Errorf(tend.ECONFLICT, "The customer has no address to reply to: their mail came from %q. "+
			"Add an address to the customer, then send the reply.", raw)
	}
	return tend.Errorf(tend.ECONFLICT, "The customer has no address to reply to. Add an address to the customer, then send the reply.")
}

// queueAcknowledgement queues the automatic "we have your request" for a
// ticket that mail opened; quoteSubject says whether it may repeat the
// mail's subject.
func (o *Outbox) queueAcknowledgement(ctx context.Context, tx *Tx, t *tend.Ticket, mb *tend.Mailbox, to string, quoteSubject bool) error {
	if err := o.queue(ctx, tx, t, mb, "acknowledgement", nil, to, nil); err != nil {
		return err
	}
	if quoteSubject {
		return nil
	}
	_, err := tx.exec(ctx, `UPDATE outbound_mail SET quote_subject = $2 WHERE id = (SELECT MAX(id) FROM outbound_mail
		WHERE ticket_id = $1 AND kind = 'acknowledgement')`, t.ID, false)
	return err
}

// recentAcknowledgements counts the acknowledgements to address in
// AckWindow, of the AckLimit allowed; to anyone when address is "".
func (o *Outbox) recentAcknowledgements(ctx context.Context, tx *Tx, address string) (int, error) {
	var recent int
	since := tx.now.Add(-o.AckWindow)
	if address == "" {
		// A count over an index, stopped at the limit.
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM outbound_mail WHERE kind = 'acknowledgement'
			AND created_at > $1 LIMIT $2) recent`, since, o.AllAckLimit).Scan(&recent)
		return recent, err
	}
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM outbound_mail WHERE to_address = $1 AND kind = 'acknowledgement'
		AND created_at > $2`, address, since).Scan(&recent)
	return recent, err
}

// queue records one outbound mail, its Message-ID for threading the
// answers, and the job that sends it.
func (o *Outbox) queue(ctx context.Context, tx *Tx, t *tend.Ticket, mb *tend.Mailbox, kind string, messageID *int64, to string, cc []string) error {
	if o.Jobs == nil {
		return errors.New("queue mail: no job queue")
	}
	if t.MailboxID == nil {
		// Answers to this mail come back to this mailbox.
		if _, err := tx.exec(ctx, `UPDATE tickets SET mailbox_id = $2 WHERE id = $1`, t.ID, mb.ID); err != nil {
			return err
		}
		t.MailboxID = &mb.ID
	}
	mailID := "tend." + newToken(15) + mb.Address[strings.LastIndexByte(mb.Address, '@'):]
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO outbound_mail (ticket_id, message_id, mailbox_id, kind, mail_message_id, to_address,
		cc_addresses, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		t.ID, messageID, mb.ID, kind, mailID, to, strings.Join(cc, " "), tx.now).Scan(&id)
	if err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	if _, err := tx.exec(ctx, `INSERT INTO mail_ids (message_id, ticket_id, direction, created_at) VALUES ($1, $2, 'out', $3)`,
		mailID, t.ID, tx.now); err != nil {
		return err
	}
	return o.Jobs.Enqueue(ctx, tx, tend.SendMail{OutboundID: id})
}

// recipients returns whom mail about a ticket goes to: the address the
// customer last wrote from on the ticket, or else their first address,
// whichever does not bounce; and the participants that do not bounce.
func recipients(ctx context.Context, tx *Tx, t *tend.Ticket) (string, []string, error) {
	addresses, err := queryAll(ctx, tx, scanString, `SELECT email FROM customer_emails WHERE customer_id = $1
		AND bouncing_since IS NULL ORDER BY position`, t.CustomerID)
	if err != nil {
		return "", nil, err
	}
	to := ""
	if len(addresses) > 0 {
		to = addresses[0]
		senders, err := queryAll(ctx, tx, scanString, `SELECT sender FROM inbound_mail WHERE ticket_id = $1
			AND outcome IN ('created', 'added') ORDER BY id DESC LIMIT 20`, t.ID)
		if err != nil {
			return "", nil, err
		}
		for _, s := range senders {
			if s = tend.NormalizeEmail(s); slices.Contains(addresses, s) {
				to = s
				break
			}
		}
	}
	cc, err := queryAll(ctx, tx, scanString,
		`SELECT p.email FROM ticket_participants p WHERE p.ticket_id = $1 AND NOT EXISTS
			(SELECT 1 FROM customer_emails e WHERE e.email = p.email AND e.bouncing_since IS NOT NULL)
		ORDER BY p.email`, t.ID)
	if err != nil {
		return "", nil, err
	}
	// Never the desk itself, whatever was stored before it was refused.
	var out []string
	for _, e := range cc {
		if desk, err := isDeskAddress(ctx, tx, e); err != nil {
			return "", nil, err
		} else if !desk && e != to {
			out = append(out, e)
		}
	}
	if desk, err := isDeskAddress(ctx, tx, to); err != nil {
		return "", nil, err
	} else if desk {
		to = ""
	}
	return to, out, nil
}

// OutboundService is what the mail sender needs of the database.
type OutboundService struct {
	db *DB
	// Signer signs each mail's return path (tend.BounceAddress), so that
	// its bounces prove what they are about; without one, mail goes out
	// with the mailbox's address as its return path.
	Signer Signer
}

// NewOutboundService returns the outbound service of db.
func NewOutboundService(db *DB) *OutboundService { return &OutboundService{db: db} }

// FindOutbound returns what outbound mail id is about: its recipients,
// its ticket, the reply it carries and the mail it answers. What it says
// is the outbound package's to write.
func (s *OutboundService) FindOutbound(ctx context.Context, id int64) (*tend.OutboundMail, error) {
	o := &tend.OutboundMail{ID: id}
	err := s.db.read(ctx, func(q *Tx) error {
		var ticketID, mailboxID int64
		var messageID *int64
		var cc, token string
		var quoteSubject bool
		err := q.queryRow(ctx, `SELECT o.kind, o.mail_message_id, o.to_address, o.cc_addresses, o.status, o.attempts,
			o.created_at, o.ticket_id, o.message_id, o.mailbox_id, t.number, t.subject, COALESCE(t.reply_token, ''),
			o.quote_subject FROM outbound_mail o JOIN tickets t ON t.id = o.ticket_id WHERE o.id = $1`, id).Scan(
			&o.Kind, &o.MailMessageID, &o.To.Email, &cc, &o.Status, &o.Attempts, &o.Date, &ticketID, &messageID,
			&mailboxID, &o.TicketNumber, &o.TicketSubject, &token, &quoteSubject)
		if !quoteSubject {
			o.TicketSubject = ""
		}
		if errors.Is(err, errNoRows) {
			return notFound("Outbound mail", id)
		} else if err != nil {
			return err
		}
		if err := s.names(ctx, q, o, ticketID, strings.Fields(cc)); err != nil {
			return err
		}
		mb, err := findMailbox(ctx, q, "id = $1", mailboxID)
		if err != nil {
			return err
		}
		o.FromName, o.FromAddress, o.ReturnPath = mb.Name, mb.Address, mb.Address
		o.Signature, o.Acknowledgement = mb.Signature, mb.Acknowledgement
		if s.Signer != nil {
			o.ReturnPath = tend.BounceAddress(mb.Address, id, bounceSignature(s.Signer, id))
		}
		if token != "" {
			o.ReplyTo = tend.PlusAddress(mb.Address, token)
		}
		if o.Thread, err = queryAll(ctx, q, scanThreadID, `SELECT message_id, direction FROM mail_ids
			WHERE ticket_id = $1 AND message_id <> $2 ORDER BY created_at DESC, message_id LIMIT 20`, ticketID, o.MailMessageID); err != nil {
			return err
		}
		if messageID == nil {
			if err := answerBy(ctx, q, o, ticketID); err != nil {
				return err
			}
			return s.values(ctx, q, o, ticketID, 0)
		}
		if o.Reply, err = findMessage(ctx, q, *messageID); err != nil {
			return err
		}
		var author int64
		if o.Reply.AuthorType == tend.AuthorAgent && o.Reply.AuthorID != nil {
			author = *o.Reply.AuthorID
		}
		if err := s.values(ctx, q, o, ticketID, author); err != nil {
			return err
		}
		quote, err := scanMessage(q.queryRow(ctx, `SELECT `+messageColumns+messageJoins+` WHERE m.ticket_id = $1
			AND m.id < $2 AND m.kind = 'reply' AND m.author_type = 'customer' ORDER BY m.id DESC LIMIT 1`, ticketID, *messageID))
		if err == nil {
			o.Quote = quote
		} else if !errors.Is(err, errNoRows) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// values fills in what the mailbox texts' placeholders stand for, when it
// has any, as the reply's author (0: none) writes.
func (s *OutboundService) values(ctx context.Context, q *Tx, o *tend.OutboundMail, ticketID, author int64) error {
	if o.Signature == "" && o.Acknowledgement == "" {
		return nil
	}
	t, err := findTicket(ctx, q, "t.id = $1", ticketID)
	if err != nil {
		return err
	}
	o.Values, err = placeholderValues(ctx, q, t, author)
	return err
}

func scanThreadID(r row) (id tend.ThreadID, err error) {
	var direction string
	err = r.Scan(&id.MessageID, &direction)
	id.Inbound = direction == "in"
	return id, err
}

// names fills in the names that go with the recipients' addresses: the
// customer's own, and the participants' as their mail gave them.
func (s *OutboundService) names(ctx context.Context, q *Tx, o *tend.OutboundMail, ticketID int64, cc []string) error {
	err := q.queryRow(ctx, `SELECT c.name FROM customer_emails e JOIN customers c ON c.id = e.customer_id
		WHERE e.email = $1`, o.To.Email).Scan(&o.To.Name)
	if err != nil && !errors.Is(err, errNoRows) {
		return err
	}
	participants, err := findParticipants(ctx, q, ticketID)
	if err != nil {
		return err
	}
	for _, email := range cc {
		a := tend.MailAddress{Email: email}
		if i := slices.IndexFunc(participants, func(p tend.MailAddress) bool { return p.Email == email }); i >= 0 {
			a.Name = participants[i].Name
		}
		o.Cc = append(o.Cc, a)
	}
	return nil
}

// MarkSent records that outbound mail id was handed over for delivery.
func (s *OutboundService) MarkSent(ctx context.Context, id int64) error {
	return s.db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `UPDATE outbound_mail SET status = 'sent', sent_at = $2, attempts = attempts + 1,
			last_error = '' WHERE id = $1`, id, tx.now); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE messages SET delivery = 'sent', delivery_error = ''
			WHERE id = (SELECT message_id FROM outbound_mail WHERE id = $1)`, id)
		return err
	})
}

// MarkFailed records a failed attempt to send outbound mail id; with final
// set, it gives up: the message and the ticket's history say so.
func (s *OutboundService) MarkFailed(ctx context.Context, id int64, reason string, final bool) error {
	reason = strings.ToValidUTF8(reason, "?")
	if len(reason) > 1000 {
		reason = reason[:1000]
	}
	return s.db.write(ctx, func(tx *Tx) error {
		status := "queued"
		if final {
			status = "failed"
		}
		if _, err := tx.exec(ctx, `UPDATE outbound_mail SET status = $2, attempts = attempts + 1, last_error = $3
			WHERE id = $1`, id, status, reason); err != nil {
			return err
		}
		if !final {
			return nil
		}
		var ticketID int64
		var messageID *int64
		if err := tx.queryRow(ctx, `SELECT ticket_id, message_id FROM outbound_mail WHERE id = $1`, id).
			Scan(&ticketID, &messageID); err != nil {
			return err
		}
		if messageID != nil {
			if _, err := tx.exec(ctx, `UPDATE messages SET delivery = 'failed', delivery_error = $2 WHERE id = $1`,
				*messageID, reason); err != nil {
				return err
			}
		}
		return tx.addEvent(ctx, tend.Principal{System: true}, ticketID,
			tend.DeliveryFailed{OutboundID: id, MessageID: messageID, Reason: reason})
	})
}

// FindReplyRecipients returns whom a staff reply to the ticket would be
// mailed to, as queueReply decides; staff only.
func (s *TicketService) FindReplyRecipients(ctx context.Context, ticketID int64) (*tend.ReplyRecipients, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	r := &tend.ReplyRecipients{Addresses: []string{}, Cc: []tend.MailAddress{}}
	err := s.db.read(ctx, func(q *Tx) error {
		t, err := findTicket(ctx, q, "t.id = $1", ticketID)
		if errors.Is(err, errNoRows) {
			return ticketNotFound(ticketID)
		} else if err != nil {
			return err
		}
		mb, err := mailboxFor(ctx, q, t)
		if err != nil || mb == nil {
			return err
		}
		r.Mailed = true
		to, cc, err := recipients(ctx, q, t)
		if err != nil {
			return err
		}
		r.To = to
		if r.Addresses, err = queryAll(ctx, q, scanString, `SELECT email FROM customer_emails WHERE customer_id = $1
			AND bouncing_since IS NULL ORDER BY position`, t.CustomerID); err != nil {
			return err
		}
		all, err := findParticipants(ctx, q, t.ID)
		if err != nil {
			return err
		}
		for _, a := range all {
			if slices.Contains(cc, a.Email) {
				r.Cc = append(r.Cc, a)
			}
		}
		if to == "" && len(cc) == 0 {
			if err := refuseUnreachable(ctx, q, t); err != nil && tend.ErrorCode(err) == tend.ECONFLICT {
				r.Unreachable = tend.ErrorMessage(err)
			} else if err != nil {
				return err
			}
		}
		if r.Addresses == nil {
			r.Addresses = []string{}
		}
		return nil
	})
	return r, err
}

// answerBy fills in when an acknowledgement can promise the first answer:
// the ticket's first response deadline while it runs, in the customer's
// time zone if they gave one, else in its calendar's.
func answerBy(ctx context.Context, q *Tx, o *tend.OutboundMail, ticketID int64) error {
	var sla *string
	var customerZone, calendarZone string
	err := q.queryRow(ctx, `SELECT ts.sla, c.time_zone, COALESCE((SELECT v.time_zone FROM calendar_versions v
		WHERE v.calendar_id = p.calendar_id ORDER BY v.valid_from DESC LIMIT 1), '')
		FROM tickets t JOIN customers c ON c.id = t.customer_id
		LEFT JOIN ticket_sla ts ON ts.ticket_id = t.id LEFT JOIN sla_policies p ON p.id = ts.policy_id
		WHERE t.id = $1`, ticketID).Scan(&sla, &customerZone, &calendarZone)
	if err != nil {
		return fmt.Errorf("answer-by time: %w", err)
	}
	s, err := scanSLA(sla)
	if err != nil {
		return err
	}
	first := s.Target(tend.TargetFirstResponse)
	if first == nil || !first.Running() {
		return nil
	}
	loc, err := tend.LoadTimeZone(customerZone)
	if customerZone == "" || err != nil {
		loc, _ = tend.LoadTimeZone(calendarZone)
	}
	o.AnswerBy, o.AnswerZone = first.DueAt, loc
	return nil
}
