package sqldb

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// InboundService implements tend.InboundService.
type InboundService struct {
	db      *DB
	tickets *TicketService
	outbox  *Outbox
	// Signer proves the return paths of Tend's mail (tend.BounceAddress);
	// without one, a bounce proves itself only by quoting a Message-ID.
	Signer Signer
	// TrustedAuthHosts are the authentication service ids (RFC 8601) of
	// the upstream servers whose Authentication-Results Tend believes.
	TrustedAuthHosts []string
}

// Signer signs values with a key only Tend has.
type Signer interface {
	Sign(purpose, value string) string
}

// bounceSignature is the signature in the return path of outbound mail id.
func bounceSignature(s Signer, id int64) string {
	return s.Sign("bounce", strconv.FormatInt(id, 10))
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
		if msg, err = s.tickets.prepareMessage(m.Text, m.HTML, m.Attachments, true); err != nil {
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
	if msg != nil {
		msg.fromRaw = m.FromRaw
	}
	err := s.db.write(ctx, func(tx *Tx) (err error) {
		d := &delivery{s: s, tx: tx, m: m, msg: msg}
		if err := d.run(ctx); err != nil {
			return err
		}
		if d.decision.Outcome == tend.OutcomeRefused {
			return tend.Errorf(tend.EFORBIDDEN, "Refused: %s.", d.decision.Detail)
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
	earlier  *tend.EarlierMail

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

// bouncedMail is the mail of Tend's that a bounce proved to be about.
type bouncedMail struct {
	tend.BouncedMail
	recipients []string // whom that mail went to
	messageID  *int64   // the reply it carried
}

// facts gathers what the decision needs. The ticket the mail would join
// is locked, and its status read under the lock, so that it cannot close
// or change before the decision is applied; no other ticket is locked.
func (d *delivery) facts(ctx context.Context) (tend.MailFacts, error) {
	m, tx := d.m, d.tx
	f := tend.MailFacts{Problem: m.Problem, Kind: m.Kind, KindReason: m.KindReason, Imported: m.Source == "import",
		OverSMTP: m.Arriving, SpamFlagged: m.SpamFlagged, NoReplyAddress: m.FromEmail == ""}
	if f.Problem != "" {
		return f, nil
	}
	var err error
	if d.earlier, err = d.earlierMail(ctx); err != nil {
		return f, err
	}
	f.Earlier = d.earlier
	if e := f.Earlier; e != nil && e.SameSender && e.SameContent {
		return f, nil
	}
	from := tend.NormalizeEmail(m.FromEmail)
	if from != "" {
		if f.FromOwnAddress, err = isDeskAddress(ctx, tx, from); err != nil {
			return f, err
		}
		if f.Blocked, err = blockedReason(ctx, tx, from); err != nil {
			return f, err
		}
		if len(d.s.TrustedAuthHosts) > 0 {
			f.Auth = tend.ReadAuthenticationResults(m.AuthenticationResults, d.s.TrustedAuthHosts, from[strings.LastIndexByte(from, '@')+1:])
		}
	}
	switch m.Kind {
	case tend.MailBounce:
		if ok, err := d.findBounced(ctx); err != nil {
			return f, err
		} else if ok {
			f.BounceOf = &d.bounced.BouncedMail
		}
		return f, nil
	case tend.MailBulk:
		return f, nil
	}
	if f.Thread, err = d.threading(ctx); err != nil {
		return f, err
	}
	if f.Auth.DMARC {
		f.Thread.BySubjectNumber = nil // not looked at: DecideMail drops it
	}
	if chosen, _ := f.Thread.Choose(); chosen != nil {
		t, err := lockTicket(ctx, tx, chosen.TicketID)
		if err != nil {
			return f, err
		}
		chosen.Status = t.Status
		if from != "" {
			err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customer_emails WHERE customer_id = $1 AND email = $2)
				OR EXISTS (SELECT 1 FROM ticket_participants WHERE ticket_id = $3 AND email = $2)`,
				t.CustomerID, from, t.ID).Scan(&f.SenderKnown)
			if err != nil {
				return f, err
			}
		}
	}
	if m.Kind != tend.MailHuman || from == "" {
		return f, nil
	}
	if f.SenderBouncing, err = isBouncing(ctx, tx, from); err != nil || d.s.outbox == nil {
		return f, err // without an outbox (AckLimit 0), nothing is acknowledged
	}
	f.AckLimit, f.AllAckLimit = d.s.outbox.AckLimit, d.s.outbox.AllAckLimit
	if f.AcksSent, err = d.s.outbox.recentAcknowledgements(ctx, tx, from); err != nil {
		return f, err
	}
	f.AllAcksSent, err = d.s.outbox.recentAcknowledgements(ctx, tx, "")
	return f, err
}

// senderKey is who a mail is from, for telling whether two mails with one
// Message-ID are from the same sender: the address, or the From as
// written when there was no usable address.
func (d *delivery) senderKey() string {
	if d.m.FromEmail != "" {
		return tend.NormalizeEmail(d.m.FromEmail)
	}
	return "raw:" + d.m.FromRaw
}

// earlierMail returns what is known of the first mail with this mail's
// Message-ID, nil if there was none. Mail Tend sent is never the same
// mail as one received; rows kept before senders and content were
// recorded are compared by Message-ID alone, as then.
func (d *delivery) earlierMail(ctx context.Context) (*tend.EarlierMail, error) {
	if d.m.MessageID == "" {
		return nil, nil
	}
	var e tend.EarlierMail
	var direction, sender, sum string
	err := d.tx.queryRow(ctx, `SELECT ticket_id, direction, sender, content_sha256 FROM mail_ids WHERE message_id = $1`,
		d.m.MessageID).Scan(&e.TicketID, &direction, &sender, &sum)
	switch {
	case errors.Is(err, errNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	case direction == "out":
	case sender == "" && sum == "":
		e.SameSender, e.SameContent = true, true
	default:
		e.SameSender, e.SameContent = sender == d.senderKey(), sum == d.m.ContentSHA256
	}
	return &e, nil
}

// blockedReason says why mail from email is ignored, "" if it is not.
// A blocked domain blocks its subdomains too: mail.spam.example is
// spam.example's.
func blockedReason(ctx context.Context, tx *Tx, email string) (string, error) {
	candidates := []string{email}
	for domain := email[strings.LastIndexByte(email, '@')+1:]; strings.Contains(domain, "."); {
		candidates = append(candidates, "@"+domain)
		_, domain, _ = strings.Cut(domain, ".")
	}
	var a args
	patterns, err := queryAll(ctx, tx, scanString, `SELECT pattern FROM blocked_senders WHERE pattern IN (`+list(&a, candidates)+`)`, a...)
	switch {
	case err != nil || len(patterns) == 0:
		return "", err
	case slices.Contains(patterns, email):
		return "the sender " + email + " is blocked", nil
	}
	return "the domain " + strings.TrimPrefix(patterns[0], "@") + " is blocked", nil
}

// findBounced finds the mail of Tend's a bounce is about, and reports
// whether the bounce proves it: it came to that mail's signed return path,
// or (from a relay that rewrites return paths) it quotes that mail's
// Message-ID and names one of its recipients as failing.
func (d *delivery) findBounced(ctx context.Context) (bool, error) {
	m, tx, b := d.m, d.tx, &d.bounced
	read := func(where string, arg any) (bool, error) {
		var to, cc string
		err := tx.queryRow(ctx, `SELECT id, ticket_id, message_id, to_address, cc_addresses FROM outbound_mail WHERE `+where, arg).
			Scan(&b.OutboundID, &b.TicketID, &b.messageID, &to, &cc)
		if errors.Is(err, errNoRows) {
			return false, nil
		}
		b.recipients = append([]string{to}, strings.Fields(cc)...)
		return err == nil, err
	}
	if d.s.Signer != nil {
		mb, err := d.mailbox(ctx)
		if err != nil {
			return false, err
		}
		for _, rcpt := range m.Recipients {
			id, sig, ok := tend.ReadBounceAddress(rcpt, mb.Address)
			if ok && hmac.Equal([]byte(sig), []byte(bounceSignature(d.s.Signer, id))) {
				b.ByReturnAddress = true
				return read("id = $1", id)
			}
		}
	}
	if m.OriginalMessageID == "" {
		return false, nil
	}
	if found, err := read("mail_message_id = $1", m.OriginalMessageID); !found || err != nil {
		return false, err
	}
	for _, failed := range m.FailedRecipients {
		if slices.Contains(b.recipients, tend.NormalizeEmail(failed)) {
			return true, nil
		}
	}
	return false, nil
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
	sender := m.FromEmail
	if sender == "" {
		sender = clip(m.FromRaw, 500) // as written, for the admin's list
	}
	var id int64
	if replace != 0 {
		// Only a mail still in quarantine is delivered again: of two
		// retries (a double click, two admins) the second finds it
		// delivered, and everything it did rolls back.
		n, err := tx.exec(ctx, `UPDATE inbound_mail SET outcome = $2, ticket_id = $3, detail = $4, message_id = $5,
			sender = $6, subject = $7, updated_at = $8 WHERE id = $1 AND outcome = 'failed'`,
			replace, string(outcome), ticketID, detail, m.MessageID, sender, clip(m.Subject, 500), tx.now)
		if err != nil {
			return nil, err
		} else if n == 0 {
			if _, err := findInbound(ctx, tx, replace); err != nil {
				return nil, err
			}
			return nil, tend.Errorf(tend.ECONFLICT, "Inbound mail %d is no longer in quarantine: it was delivered meanwhile.", replace)
		}
		id = replace
	} else {
		var mailbox *int64
		if m.MailboxID != 0 {
			mailbox = &m.MailboxID
		}
		err := tx.queryRow(ctx, `INSERT INTO inbound_mail (mailbox_id, source, message_id, sender, subject, raw_sha256,
			size, outcome, ticket_id, detail, received_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
			RETURNING id`, mailbox, m.Source, m.MessageID, sender, clip(m.Subject, 500), m.RawSHA256, m.Size,
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
	c := &tend.TicketCreate{Subject: subject, Customer: tend.CustomerRef{Email: tend.NormalizeEmail(m.FromEmail), Name: m.FromName},
		Priority: tend.PriorityNormal, Channel: tend.ChannelEmail, TeamID: mb.TeamID}
	from := origin{mailboxID: &mb.ID, previousID: previousID, spam: dec.Spam}
	if m.FromEmail == "" {
		if from.customerID, from.orgID, err = findOrCreateUnreachable(ctx, tx, m.FromRaw, m.FromName); err != nil {
			return err
		}
	}
	d.msg.kind, d.msg.authorType = tend.KindReply, tend.AuthorCustomer
	t, err := createTicket(ctx, tx, tend.Principal{System: true}, c, d.msg, from)
	if err != nil {
		return err
	}
	d.decision.Ticket, d.detail = &t.ID, dec.Describe(t.Number)
	if err := d.afterMessage(ctx, t, t.Messages[0].ID, tx.addEvent); err != nil {
		return err
	}
	if dec.Spam {
		if err := tx.addEvent(ctx, tend.Principal{System: true}, t.ID, tend.SpamMarked{Spam: true, ByFilter: true}); err != nil {
			return err
		}
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
	return d.s.outbox.queueAcknowledgement(ctx, tx, t, mb, tend.NormalizeEmail(m.FromEmail), dec.QuoteSubject)
}

// findOrCreateUnreachable returns the customer who writes from raw, a
// sender with no address Tend can write to: the one made for their first
// such mail, or a new one. They have no address until an agent gives them
// one, and replies to them are refused until then.
func findOrCreateUnreachable(ctx context.Context, tx *Tx, raw, name string) (int64, *int64, error) {
	raw = clip(raw, 500)
	var id int64
	var orgID *int64
	var err error
	if raw == "" {
		// Nothing to know them by (a mail with no header at all, made a
		// ticket by hand): a customer of their own. Every customer with an
		// address has raw_address '', so it must never be looked up.
		raw = "(no sender)"
	} else {
		err = tx.queryRow(ctx, `SELECT id, organization_id FROM customers WHERE raw_address = $1 AND merged_into_id IS NULL
			ORDER BY id LIMIT 1`, raw).Scan(&id, &orgID)
		if err == nil || !errors.Is(err, errNoRows) {
			return id, orgID, err
		}
	}
	if name == "" {
		name = raw
	}
	if id, orgID, err = insertCustomer(ctx, tx, clip(name, 200), "", "", nil, ""); err != nil {
		return 0, nil, err
	}
	_, err = tx.exec(ctx, `UPDATE customers SET raw_address = $2 WHERE id = $1`, id, raw)
	return id, orgID, err
}

// join adds the mail to the ticket it answers, as a reply from its
// sender, who may be the ticket's customer or someone copied on its mail.
func (d *delivery) join(ctx context.Context, ticketID int64) error {
	tx := d.tx
	var customerID int64
	var err error
	if d.m.FromEmail == "" {
		customerID, _, err = findOrCreateUnreachable(ctx, tx, d.m.FromRaw, d.m.FromName)
	} else {
		customerID, _, err = findOrCreateCustomer(ctx, tx, tend.CustomerRef{Email: tend.NormalizeEmail(d.m.FromEmail), Name: d.m.FromName})
	}
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
// clears a bouncing mark from the sender's address (it writes, so it
// works), and makes the addresses it copied participants, up to the caps
// and only for mail that proved it belongs (MailDecision.Participants);
// the rest are suggested to an agent. Both are noted in the history
// through record.
func (d *delivery) afterMessage(ctx context.Context, t *tend.Ticket, messageID int64,
	record func(context.Context, tend.Principal, int64, tend.EventData) error) error {
	tx, m := d.tx, d.m
	if err := d.recordMessageID(ctx, t.ID); err != nil {
		return err
	}
	from := tend.NormalizeEmail(m.FromEmail)
	if from != "" {
		if _, err := tx.exec(ctx, `UPDATE customer_emails SET bouncing_since = NULL, bounce_reason = ''
			WHERE email = $1 AND bouncing_since IS NOT NULL`, from); err != nil {
			return err
		}
	}
	copied, existing, err := d.newCopies(ctx, t)
	if err != nil {
		return err
	}
	add, suggest := tend.PlanParticipants(copied, existing, d.decision.Participants)
	for _, a := range add {
		if _, err := tx.exec(ctx, `INSERT INTO ticket_participants (ticket_id, email, name) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, t.ID, a.Email, clip(a.Name, 200)); err != nil {
			return err
		}
	}
	suggested := 0
	for _, a := range suggest[:min(len(suggest), maxSuggestions)] {
		n, err := tx.exec(ctx, `INSERT INTO suggested_participants (ticket_id, email, name, message_id, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, t.ID, a.Email, clip(a.Name, 200), messageID, tx.now)
		if err != nil {
			return err
		}
		suggested += int(n)
	}
	if len(add) > 0 {
		if err := record(ctx, tend.Principal{System: true}, t.ID, tend.ParticipantsAdded{MessageID: &messageID, Count: len(add)}); err != nil {
			return err
		}
	}
	if len(suggest) > 0 {
		return record(ctx, tend.Principal{System: true}, t.ID, tend.ParticipantsSuggested{MessageID: messageID,
			Count: len(suggest), Kept: suggested, Unverified: !d.decision.Participants})
	}
	return nil
}

// maxSuggestions bounds the suggestions one mail leaves: a mail to 5,000
// addresses leaves the first 200 for an agent to look at, not 5,000 rows.
const maxSuggestions = 200

// newCopies returns the addresses the mail was sent or copied to that are
// new to the ticket: not its sender, not the customer's, not Tend's own,
// not a participant already; each once, in the mail's order. It returns
// how many participants the ticket has too.
func (d *delivery) newCopies(ctx context.Context, t *tend.Ticket) ([]tend.MailAddress, int, error) {
	tx, m := d.tx, d.m
	participants, err := findParticipants(ctx, tx, t.ID)
	if err != nil {
		return nil, 0, err
	}
	known, err := queryAll(ctx, tx, scanString, `SELECT email FROM customer_emails WHERE customer_id = $1`, t.CustomerID)
	if err != nil {
		return nil, 0, err
	}
	for _, p := range participants {
		known = append(known, p.Email)
	}
	known = append(known, tend.NormalizeEmail(m.FromEmail))
	var out []tend.MailAddress
	for _, a := range append(slices.Clone(m.To), m.Cc...) {
		email := tend.NormalizeEmail(a.Email)
		if !tend.ValidEmail(email) || slices.Contains(known, email) {
			continue
		}
		known = append(known, email)
		if desk, err := isDeskAddress(ctx, tx, email); err != nil {
			return nil, 0, err
		} else if desk {
			continue
		}
		out = append(out, tend.MailAddress{Name: a.Name, Email: email})
	}
	return out, len(participants), nil
}

// recordMessageID keeps the mail's Message-ID with the ticket it went to,
// its sender and a hash of its content: the same mail delivered again is
// then a duplicate, and answers to it thread there. A second mail with the
// id keeps the first's record.
func (d *delivery) recordMessageID(ctx context.Context, ticketID int64) error {
	if d.m.MessageID == "" {
		return nil
	}
	_, err := d.tx.exec(ctx, `INSERT INTO mail_ids (message_id, ticket_id, direction, sender, content_sha256, created_at)
		VALUES ($1, $2, 'in', $3, $4, $5) ON CONFLICT (message_id) DO NOTHING`,
		d.m.MessageID, ticketID, clip(d.senderKey(), 500), d.m.ContentSHA256, d.tx.now)
	return err
}

func scanString(r row) (s string, err error) { return s, r.Scan(&s) }

// isDeskAddress reports whether email is one of the desk's mailboxes,
// plus addresses included (support+anything@), mended of a trailing dot.
func isDeskAddress(ctx context.Context, tx *Tx, email string) (bool, error) {
	email = strings.TrimRight(tend.NormalizeEmail(email), ".")
	at := strings.LastIndexByte(email, '@')
	base := email
	if plus := strings.IndexByte(email, '+'); plus > 0 && plus < at {
		base = email[:plus] + email[at:]
	}
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM mailboxes WHERE address = $1`, base).Scan(&n)
	return n > 0, err
}

func isBouncing(ctx context.Context, tx *Tx, email string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM customer_emails WHERE email = $1 AND bouncing_since IS NOT NULL`,
		tend.NormalizeEmail(email)).Scan(&n)
	return n > 0, err
}

// threading finds the tickets a mail may answer: by an earlier mail of
// the sender's with the same Message-ID, by the Message-IDs it refers to, by the reply token of an address it was sent to, and by a
// ticket number in the subject when the sender belongs to that ticket.
// None is locked here: facts locks the one chosen, so that a mail never
// holds locks on several tickets in an order of its own.
func (d *delivery) threading(ctx context.Context) (tend.Threading, error) {
	m, tx := d.m, d.tx
	var th tend.Threading
	candidate := func(id int64) (*tend.ThreadCandidate, error) {
		// Mail answering a duplicate joins the ticket it was merged into.
		id, err := mergedInto(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		c := &tend.ThreadCandidate{TicketID: id}
		var status string
		err = tx.queryRow(ctx, `SELECT number, status FROM tickets WHERE id = $1`, id).Scan(&c.Number, &status)
		c.Status = tend.Status(status)
		return c, err
	}
	if e := d.earlier; e != nil && e.SameSender {
		var err error
		if th.BySameMessageID, err = candidate(e.TicketID); err != nil {
			return th, err
		}
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
	if n, ok := tend.TicketNumberInSubject(m.Subject); ok && m.FromEmail != "" {
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

// bounce records a delivery failure that proved to be about mail Tend
// sent, on that mail's ticket, and marks those of the mail's recipients
// that fail for good as bouncing; a bounce that proves nothing changes
// nothing, so that a forged one cannot silence a customer.
func (d *delivery) bounce(ctx context.Context) error {
	m, tx, b := d.m, d.tx, &d.bounced
	if d.decision.Ticket == nil {
		return nil
	}
	failed := 0
	for _, email := range m.FailedRecipients {
		email = tend.NormalizeEmail(email)
		if !slices.Contains(b.recipients, email) {
			continue // not a recipient of that mail: the report cannot speak for it
		}
		failed++
		if !m.PermanentFailure {
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE customer_emails SET bouncing_since = $2, bounce_reason = $3
			WHERE email = $1 AND bouncing_since IS NULL`, email, tx.now, clip(m.KindReason, 500)); err != nil {
			return err
		}
	}
	if err := d.recordMessageID(ctx, b.TicketID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `UPDATE outbound_mail SET status = 'failed', last_error = $2 WHERE id = $1`,
		b.OutboundID, clip(m.KindReason, 1000)); err != nil {
		return err
	}
	if b.messageID != nil {
		if _, err := tx.exec(ctx, `UPDATE messages SET delivery = 'failed', delivery_error = $2 WHERE id = $1`,
			*b.messageID, "Bounced: "+clip(m.KindReason, 900)); err != nil {
			return err
		}
	}
	return tx.addEvent(ctx, tend.Principal{System: true}, b.TicketID, tend.Bounced{OutboundID: &b.OutboundID, MessageID: b.messageID,
		Failed: failed, Permanent: m.PermanentFailure, Reason: m.KindReason})
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
