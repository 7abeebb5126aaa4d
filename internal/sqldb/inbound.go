package sqldb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tendhq/tend"
)

// InboundService implements tend.InboundService.
type InboundService struct {
	db      *DB
	tickets *TicketService
	outbox  *Outbox
}

// NewInboundService returns the inbound mail service of db. It stores
// attachments as tickets does, and queues acknowledgements in outbox.
func NewInboundService(db *DB, tickets *TicketService, outbox *Outbox) *InboundService {
	return &InboundService{db: db, tickets: tickets, outbox: outbox}
}

var _ tend.InboundService = (*InboundService)(nil)

// Deliver records everything an inbound mail causes, in one transaction.
// Only Tend itself (the mail pipeline) and admins retrying a quarantined
// mail may deliver.
func (s *InboundService) Deliver(ctx context.Context, m *tend.InboundMail, replace int64) (*tend.InboundRecord, error) {
	if _, err := tend.Require(ctx, tend.PermManageSettings); err != nil {
		return nil, err
	}
	var msg *newMessage
	if m.Problem == "" && m.Kind == tend.MailHuman {
		var err error
		if msg, err = s.tickets.prepareMessage(m.Text, m.HTML, m.Attachments); err != nil {
			if tend.ErrorCode(err) == tend.EINTERNAL {
				return nil, err
			}
			// A mail Tend cannot take (too large a file, say) is kept for an
			// admin, not refused: it was already accepted.
			m.Problem = tend.ErrorMessage(err)
		} else {
			msg.quotedText, msg.quotedHTML = m.QuotedText, sanitizeIfAny(m.QuotedHTML)
		}
	}
	var rec *tend.InboundRecord
	var notices []tend.TicketChange
	err := s.db.write(ctx, func(tx *Tx) (err error) {
		d := &delivery{s: s, tx: tx, m: m, msg: msg}
		if err := d.run(ctx); err != nil {
			return err
		}
		notices = d.notices
		rec, err = d.record(ctx, replace)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.tickets.notify(notices...)
	return rec, nil
}

// delivery is one inbound mail being delivered in a transaction: the
// store gathers the facts (facts), the domain decides (tend.DecideMail),
// and the store carries the decision out (apply).
type delivery struct {
	s   *InboundService
	tx  *Tx
	m   *tend.InboundMail
	msg *newMessage

	decision tend.MailDecision
	detail   string
	notices  []tend.TicketChange
	bounced  bouncedMail // for a bounce: what it reports on

	mb *tend.Mailbox // read by mailbox
}

// mailbox returns the mailbox the mail came to, read once: threading and
// a new ticket both need it.
func (d *delivery) mailbox(ctx context.Context) (*tend.Mailbox, error) {
	if d.mb == nil {
		mb, err := findMailbox(ctx, d.tx, "id = $1", d.m.MailboxID)
		if err != nil {
			return nil, err
		}
		d.mb = mb
	}
	return d.mb, nil
}

func (d *delivery) run(ctx context.Context) error {
	f, err := d.facts(ctx)
	if err != nil {
		return err
	}
	d.decision = tend.DecideMail(f)
	d.detail = d.decision.Detail
	return d.apply(ctx)
}

// bouncedMail is the mail of Tend's that a bounce names.
type bouncedMail struct {
	ticketID   int64
	outboundID *int64
	messageID  *int64
}

// facts gathers what the decision needs. The ticket the mail would join
// is locked, and its status read under the lock, so that it cannot close
// or change before the decision is applied; no other ticket is locked.
func (d *delivery) facts(ctx context.Context) (tend.MailFacts, error) {
	m, tx := d.m, d.tx
	f := tend.MailFacts{Problem: m.Problem, Kind: m.Kind, KindReason: m.KindReason, Imported: m.Source == "import"}
	if f.Problem != "" {
		return f, nil
	}
	if m.MessageID != "" {
		var ticketID int64
		err := tx.queryRow(ctx, `SELECT ticket_id FROM mail_ids WHERE message_id = $1`, m.MessageID).Scan(&ticketID)
		if err == nil {
			f.SeenBefore = &ticketID
			return f, nil
		} else if !errors.Is(err, errNoRows) {
			return f, err
		}
	}
	if m.FromEmail != "" {
		own, err := d.isMailboxAddress(ctx, tend.NormalizeEmail(m.FromEmail))
		if err != nil {
			return f, err
		}
		f.FromOwnAddress = own
	}
	switch m.Kind {
	case tend.MailBounce:
		if m.OriginalMessageID != "" {
			b := &d.bounced
			err := tx.queryRow(ctx, `SELECT i.ticket_id, o.id, o.message_id FROM mail_ids i
				LEFT JOIN outbound_mail o ON o.mail_message_id = i.message_id WHERE i.message_id = $1`, m.OriginalMessageID).
				Scan(&b.ticketID, &b.outboundID, &b.messageID)
			if err == nil {
				f.BounceOf = &b.ticketID
			} else if !errors.Is(err, errNoRows) {
				return f, err
			}
		}
		return f, nil
	case tend.MailBulk:
		return f, nil
	}
	var err error
	if f.Thread, err = d.threading(ctx); err != nil {
		return f, err
	}
	if chosen, _ := f.Thread.Choose(); chosen != nil {
		t, err := lockTicket(ctx, tx, chosen.TicketID)
		if err != nil {
			return f, err
		}
		chosen.Status = t.Status
	}
	if m.Kind != tend.MailHuman {
		return f, nil
	}
	if f.SenderBouncing, err = isBouncing(ctx, tx, m.FromEmail); err != nil || d.s.outbox == nil {
		return f, err // without an outbox (AckLimit 0), nothing is acknowledged
	}
	f.AckLimit = d.s.outbox.AckLimit
	f.AcksSent, err = d.s.outbox.recentAcknowledgements(ctx, tx, tend.NormalizeEmail(m.FromEmail))
	return f, err
}

// apply carries out the decision.
func (d *delivery) apply(ctx context.Context) error {
	switch dec := d.decision; dec.Outcome {
	case tend.OutcomeBounce:
		return d.bounce(ctx)
	case tend.OutcomeAutoReply:
		return d.autoReply(ctx, *dec.Ticket)
	case tend.OutcomeAdded:
		return d.join(ctx, *dec.Ticket)
	case tend.OutcomeCreated:
		return d.newTicket(ctx)
	}
	return nil // failed, duplicate, ignored: only the record
}

// record writes the inbound record: a new one, or the retried one.
func (d *delivery) record(ctx context.Context, replace int64) (*tend.InboundRecord, error) {
	m, tx := d.m, d.tx
	detail := strings.ToValidUTF8(d.detail, "?")
	outcome, ticketID := d.decision.Outcome, d.decision.Ticket
	var id int64
	if replace != 0 {
		n, err := tx.exec(ctx, `UPDATE inbound_mail SET outcome = $2, ticket_id = $3, detail = $4, message_id = $5,
			sender = $6, subject = $7, updated_at = $8 WHERE id = $1`,
			replace, string(outcome), ticketID, detail, m.MessageID, m.FromEmail, clip(m.Subject, 500), tx.now)
		if err != nil {
			return nil, err
		} else if n == 0 {
			return nil, notFound("Inbound mail", replace)
		}
		id = replace
	} else {
		var mailbox *int64
		if m.MailboxID != 0 {
			mailbox = &m.MailboxID
		}
		err := tx.queryRow(ctx, `INSERT INTO inbound_mail (mailbox_id, source, message_id, sender, subject, raw_sha256,
			size, outcome, ticket_id, detail, received_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
			RETURNING id`, mailbox, m.Source, m.MessageID, m.FromEmail, clip(m.Subject, 500), m.RawSHA256, m.Size,
			string(outcome), ticketID, detail, tx.now).Scan(&id)
		if err != nil {
			return nil, fmt.Errorf("record inbound mail: %w", err)
		}
	}
	return findInbound(ctx, tx, id)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// newTicket opens a ticket with the mail, as the mailbox's team's, and
// acknowledges it if the decision says so. A follow-up to a closed ticket
// is noted in the closed one's history.
func (d *delivery) newTicket(ctx context.Context) error {
	m, tx, dec := d.m, d.tx, d.decision
	mb, err := d.mailbox(ctx)
	if err != nil {
		return err
	}
	var previousID *int64
	if dec.FollowUpOf != nil {
		previousID = &dec.FollowUpOf.TicketID
	}
	subject := tend.CleanMailSubject(m.Subject)
	c := &tend.TicketCreate{Subject: subject, Customer: tend.CustomerRef{Email: m.FromEmail, Name: m.FromName},
		Priority: tend.PriorityNormal, Channel: tend.ChannelEmail, TeamID: mb.TeamID}
	d.msg.kind, d.msg.authorType = tend.KindReply, tend.AuthorCustomer
	t, err := createTicket(ctx, tx, tend.Principal{System: true}, c, d.msg, origin{mailboxID: &mb.ID, previousID: previousID})
	if err != nil {
		return err
	}
	d.decision.Ticket, d.detail = &t.ID, dec.Describe(t.Number)
	if err := d.afterMessage(ctx, t, t.Messages[0].ID, tx.addEvent); err != nil {
		return err
	}
	d.notices = append(d.notices, tend.TicketChange{TicketID: t.ID, Kind: tend.EventCreated, Channel: t.Channel})
	if dec.FollowUpOf != nil {
		if err := tx.addEvent(ctx, tend.Principal{System: true}, dec.FollowUpOf.TicketID,
			tend.FollowUpCreated{TicketID: t.ID, Number: t.Number}); err != nil {
			return err
		}
	}
	if !dec.Acknowledge {
		return nil
	}
	return d.s.outbox.queueAcknowledgement(ctx, tx, t, mb, tend.NormalizeEmail(m.FromEmail))
}

// join adds the mail to the ticket it answers, as a reply from its
// sender, who may be the ticket's customer or someone copied on its mail.
func (d *delivery) join(ctx context.Context, ticketID int64) error {
	tx := d.tx
	customerID, _, err := findOrCreateCustomer(ctx, tx, tend.CustomerRef{Email: d.m.FromEmail, Name: d.m.FromName})
	if err != nil {
		return err
	}
	// Tend makes the change, which the sender is the author of: the
	// sender may be a participant, not the ticket's customer.
	c, err := changeTicket(ctx, tx, tend.Principal{System: true}, ticketID, nil)
	if err != nil {
		return err
	}
	c.p = tend.Principal{CustomerID: customerID}
	d.msg.kind, d.msg.authorType, d.msg.authorID = tend.KindReply, tend.AuthorCustomer, &customerID
	msg, err := c.addMessage(ctx, d.msg, nil, tend.ChannelEmail)
	if err != nil {
		return err
	}
	record := func(ctx context.Context, p tend.Principal, _ int64, data tend.EventData) error {
		c.recordAs(p, data)
		return nil
	}
	if err := d.afterMessage(ctx, c.t, msg.ID, record); err != nil {
		return err
	}
	if err := c.commit(ctx); err != nil {
		return err
	}
	d.notices = append(d.notices, c.notices...)
	return nil
}

// afterMessage records the mail's Message-ID for threading its answers,
// and makes the addresses it copied participants, noting them in the
// history through record.
func (d *delivery) afterMessage(ctx context.Context, t *tend.Ticket, messageID int64,
	record func(context.Context, tend.Principal, int64, tend.EventData) error) error {
	tx, m := d.tx, d.m
	if err := d.recordMessageID(ctx, t.ID); err != nil {
		return err
	}
	customerEmails, err := queryAll(ctx, tx, scanString, `SELECT email FROM customer_emails WHERE customer_id = $1`, t.CustomerID)
	if err != nil {
		return err
	}
	added := 0
	for _, a := range append(append([]tend.MailAddress{}, m.To...), m.Cc...) {
		email := tend.NormalizeEmail(a.Email)
		if !tend.ValidEmail(email) || email == tend.NormalizeEmail(m.FromEmail) || slices.Contains(customerEmails, email) {
			continue
		}
		if isMailbox, err := d.isMailboxAddress(ctx, email); err != nil {
			return err
		} else if isMailbox {
			continue
		}
		n, err := tx.exec(ctx, `INSERT INTO ticket_participants (ticket_id, email, name) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, t.ID, email, clip(a.Name, 200))
		if err != nil {
			return err
		}
		added += int(n)
	}
	if added == 0 {
		return nil
	}
	return record(ctx, tend.Principal{System: true}, t.ID, tend.ParticipantsAdded{MessageID: &messageID, Count: added})
}

// recordMessageID keeps the mail's Message-ID with the ticket it went to:
// the same mail delivered again is then a duplicate, and answers to it
// thread there.
func (d *delivery) recordMessageID(ctx context.Context, ticketID int64) error {
	if d.m.MessageID == "" {
		return nil
	}
	_, err := d.tx.exec(ctx, `INSERT INTO mail_ids (message_id, ticket_id, direction, created_at) VALUES ($1, $2, 'in', $3)`,
		d.m.MessageID, ticketID, d.tx.now)
	return err
}

func scanString(r row) (s string, err error) { return s, r.Scan(&s) }

// isMailboxAddress reports whether email is one of Tend's own addresses,
// plus addresses included, which never become participants.
func (d *delivery) isMailboxAddress(ctx context.Context, email string) (bool, error) {
	at := strings.LastIndexByte(email, '@')
	base := email
	if plus := strings.IndexByte(email, '+'); plus > 0 && plus < at {
		base = email[:plus] + email[at:]
	}
	var n int
	err := d.tx.queryRow(ctx, `SELECT COUNT(*) FROM mailboxes WHERE address = $1`, base).Scan(&n)
	return n > 0, err
}

func isBouncing(ctx context.Context, tx *Tx, email string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM customer_emails WHERE email = $1 AND bouncing_since IS NOT NULL`,
		tend.NormalizeEmail(email)).Scan(&n)
	return n > 0, err
}

// threading finds the tickets a mail may answer: by the Message-IDs it
// refers to, by the reply token of an address it was sent to, and by a
// ticket number in the subject when the sender belongs to that ticket.
// None is locked here: facts locks the one chosen, so that a mail never
// holds locks on several tickets in an order of its own.
func (d *delivery) threading(ctx context.Context) (tend.Threading, error) {
	m, tx := d.m, d.tx
	var th tend.Threading
	candidate := func(id int64) (*tend.ThreadCandidate, error) {
		c := &tend.ThreadCandidate{TicketID: id}
		var status string
		err := tx.queryRow(ctx, `SELECT number, status FROM tickets WHERE id = $1`, id).Scan(&c.Number, &status)
		c.Status = tend.Status(status)
		return c, err
	}
	refs := append(slices.Clone(m.InReplyTo), reversed(m.References)...)
	if len(refs) > 0 {
		var a args
		found, err := queryAll(ctx, tx, scanPair[string], `SELECT ticket_id, message_id FROM mail_ids
			WHERE message_id IN (`+list(&a, refs)+`)`, a...)
		if err != nil {
			return th, err
		}
	refs:
		for _, ref := range refs {
			for _, f := range found {
				if f.value == ref {
					if th.ByMessageID, err = candidate(f.id); err != nil {
						return th, err
					}
					break refs
				}
			}
		}
	}
	mb, err := d.mailbox(ctx)
	if err != nil {
		return th, err
	}
	for _, addr := range d.addressedTo() {
		if token, ok := tend.ReplyToken(addr, mb.Address); ok {
			var id int64
			err := tx.queryRow(ctx, `SELECT id FROM tickets WHERE reply_token = $1`, token).Scan(&id)
			if err == nil {
				if th.ByReplyAddress, err = candidate(id); err != nil {
					return th, err
				}
				break
			} else if !errors.Is(err, errNoRows) {
				return th, err
			}
		}
	}
	if n, ok := tend.TicketNumberInSubject(m.Subject); ok {
		var id int64
		err := tx.queryRow(ctx, `SELECT t.id FROM tickets t WHERE t.number = $1 AND (
			EXISTS (SELECT 1 FROM customer_emails e WHERE e.customer_id = t.customer_id AND e.email = $2)
			OR EXISTS (SELECT 1 FROM ticket_participants p WHERE p.ticket_id = t.id AND p.email = $2))`,
			n, tend.NormalizeEmail(m.FromEmail)).Scan(&id)
		if err == nil {
			if th.BySubjectNumber, err = candidate(id); err != nil {
				return th, err
			}
		} else if !errors.Is(err, errNoRows) {
			return th, err
		}
	}
	return th, nil
}

// addressedTo lists every address the mail was sent to: the envelope's and
// the header's.
func (d *delivery) addressedTo() []string {
	out := slices.Clone(d.m.Recipients)
	for _, a := range append(slices.Clone(d.m.To), d.m.Cc...) {
		out = append(out, a.Email)
	}
	return out
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// bounce records a delivery failure on the ticket whose mail bounced, and
// marks permanently failing addresses as bouncing.
func (d *delivery) bounce(ctx context.Context) error {
	m, tx := d.m, d.tx
	ticketID, outboundID, messageID := d.bounced.ticketID, d.bounced.outboundID, d.bounced.messageID
	if m.PermanentFailure {
		for _, email := range m.FailedRecipients {
			if _, err := tx.exec(ctx, `UPDATE customer_emails SET bouncing_since = $2, bounce_reason = $3
				WHERE email = $1 AND bouncing_since IS NULL`, tend.NormalizeEmail(email), tx.now, clip(m.KindReason, 500)); err != nil {
				return err
			}
		}
	}
	if ticketID == 0 {
		return nil
	}
	if err := d.recordMessageID(ctx, ticketID); err != nil {
		return err
	}
	if outboundID != nil {
		if _, err := tx.exec(ctx, `UPDATE outbound_mail SET status = 'failed', last_error = $2 WHERE id = $1`,
			*outboundID, clip(m.KindReason, 1000)); err != nil {
			return err
		}
	}
	if messageID != nil {
		if _, err := tx.exec(ctx, `UPDATE messages SET delivery = 'failed', delivery_error = $2 WHERE id = $1`,
			*messageID, "Bounced: "+clip(m.KindReason, 900)); err != nil {
			return err
		}
	}
	return tx.addEvent(ctx, tend.Principal{System: true}, ticketID, tend.Bounced{OutboundID: outboundID, MessageID: messageID,
		Failed: len(m.FailedRecipients), Permanent: m.PermanentFailure, Reason: m.KindReason})
}

// autoReply records an automatic reply on the ticket it answers; it is
// never answered, and opens nothing.
func (d *delivery) autoReply(ctx context.Context, ticketID int64) error {
	if err := d.recordMessageID(ctx, ticketID); err != nil {
		return err
	}
	return d.tx.addEvent(ctx, tend.Principal{System: true}, ticketID, tend.AutoReplied{Reason: d.m.KindReason})
}

const inboundColumns = `id, mailbox_id, source, message_id, sender, subject, raw_sha256, size, outcome, ticket_id, detail,
	received_at, updated_at`

func scanInbound(r row) (*tend.InboundRecord, error) {
	i := &tend.InboundRecord{}
	var outcome string
	err := r.Scan(&i.ID, &i.MailboxID, &i.Source, &i.MessageID, &i.Sender, &i.Subject, &i.RawSHA256, &i.Size,
		&outcome, &i.TicketID, &i.Detail, &i.ReceivedAt, &i.UpdatedAt)
	i.Outcome = tend.InboundOutcome(outcome)
	return i, err
}

func findInbound(ctx context.Context, q *Tx, id int64) (*tend.InboundRecord, error) {
	i, err := scanInbound(q.queryRow(ctx, `SELECT `+inboundColumns+` FROM inbound_mail WHERE id = $1`, id))
	if errors.Is(err, errNoRows) {
		return nil, notFound("Inbound mail", id)
	}
	return i, err
}

// FindInboundByID returns ENOTFOUND if there is no such record; admins
// only.
func (s *InboundService) FindInboundByID(ctx context.Context, id int64) (*tend.InboundRecord, error) {
	if _, err := tend.Require(ctx, tend.PermManageSettings); err != nil {
		return nil, err
	}
	var i *tend.InboundRecord
	err := s.db.read(ctx, func(q *Tx) (err error) {
		i, err = findInbound(ctx, q, id)
		return err
	})
	return i, err
}

// FindInbound returns inbound records, newest first; admins only.
func (s *InboundService) FindInbound(ctx context.Context, f tend.InboundFilter) ([]*tend.InboundRecord, string, error) {
	if _, err := tend.Require(ctx, tend.PermManageSettings); err != nil {
		return nil, "", err
	}
	if err := f.Validate(); err != nil {
		return nil, "", err
	}
	var a args
	where := []string{"1 = 1"}
	if f.Outcome != nil {
		where = append(where, "outcome = "+a.add(string(*f.Outcome)))
	}
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor, false)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "id < "+a.add(c.id))
	}
	limit := pageSize(f.Limit)
	var list []*tend.InboundRecord
	err := s.db.read(ctx, func(q *Tx) (err error) {
		list, err = queryAll(ctx, q, scanInbound, `SELECT `+inboundColumns+` FROM inbound_mail WHERE `+
			strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT `+a.add(limit+1), a...)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	list, next := pageOf(list, limit, func(i *tend.InboundRecord) cursor { return cursor{id: i.ID} })
	return list, next, nil
}
