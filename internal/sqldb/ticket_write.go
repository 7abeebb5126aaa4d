package sqldb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/tendhq/tend"
)

func checkTeam(ctx context.Context, tx *Tx, id int64) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM teams WHERE id = $1`, id).Scan(&n); err != nil {
		return err
	} else if n == 0 {
		return tend.FieldError(tend.EINVALID, "team_id", "team %d does not exist", id)
	}
	return nil
}

// checkActiveAgent returns EINVALID, naming field, unless id is an active
// agent. The agent stays active until the transaction ends: deactivation
// (which locks the agent first) waits for it, and then hands over what it
// was given.
func checkActiveAgent(ctx context.Context, tx *Tx, field string, id int64) error {
	var active bool
	var name string
	err := tx.queryRow(ctx, `SELECT active, name FROM agents WHERE id = $1`+tx.db.forShare(), id).Scan(&active, &name)
	if errors.Is(err, errNoRows) {
		return tend.FieldError(tend.EINVALID, field, "agent %d does not exist", id)
	} else if err != nil {
		return err
	} else if !active {
		return tend.FieldError(tend.EINVALID, field, "%s is deactivated; choose an active agent", name)
	}
	return nil
}

// checkAssignable is checkActiveAgent for who is given tickets (an owner,
// a successor): they must also have accepted their invitation, since
// until then they cannot sign in to see what they were given.
func checkAssignable(ctx context.Context, tx *Tx, field string, id int64) error {
	if err := checkActiveAgent(ctx, tx, field, id); err != nil {
		return err
	}
	var invited bool
	var name string
	if err := tx.queryRow(ctx, `SELECT `+agentInvited+`, a.name FROM agents a WHERE a.id = $1`, id).Scan(&invited, &name); err != nil {
		return err
	}
	if invited {
		return tend.FieldError(tend.EINVALID, field, "%s has not accepted their invitation yet; choose someone who has", name)
	}
	return nil
}

// UpdateTicket applies u under a row lock. It returns ESTALE if u.Version
// is set and the ticket has moved on, and ECONFLICT for a status change
// the workflow does not allow.
func (s *TicketService) UpdateTicket(ctx context.Context, id int64, u *tend.TicketUpdate) (*tend.Ticket, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var c *change
	err = s.db.write(ctx, func(tx *Tx) error {
		if c, err = changeTicket(ctx, tx, p, id, nil); err != nil {
			return err
		}
		if u.Version != nil && *u.Version != c.t.Version {
			return tend.Errorf(tend.ESTALE, "Ticket #%d has changed since version %d (it is at version %d now); reload it and apply your change again.",
				c.t.Number, *u.Version, c.t.Version)
		}
		if err := c.update(ctx, u); err != nil {
			return err
		}
		return c.commit(ctx)
	})
	if err != nil {
		return nil, err
	}
	s.notify(c.notices...)
	return c.t, nil
}

// AddMessage adds a reply or note and moves the ticket along (see
// tend.Ticket.ApplyMessage). Customers may only reply to their own
// tickets, and may not set a status. A reply that says which message its
// author saw last is refused while a newer one from the customer is
// unread.
func (s *TicketService) AddMessage(ctx context.Context, ticketID int64, c *tend.MessageCreate) (*tend.Message, error) {
	p, err := tend.RequireSignedIn(ctx)
	if err != nil {
		return nil, err
	}
	c.Normalize()
	if p.IsCustomer() {
		if c.Kind == tend.KindNote || c.Status != nil {
			return nil, tend.Errorf(tend.EFORBIDDEN, "Customers may reply, but not write internal notes or set a status.")
		}
		c.FromCustomer = true
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	// A retry that saw more messages is still the same request.
	same := *c
	same.SeenMessageID = nil
	reqHash := requestHash(struct {
		TicketID int64
		Message  *tend.MessageCreate
	}{ticketID, &same})
	if len(c.Attachments) > 0 {
		// Refuse before storing any file.
		if err := s.db.read(ctx, func(q *Tx) error {
			t, err := findTicket(ctx, q, "t.id = $1", ticketID)
			if errors.Is(err, errNoRows) || (err == nil && !canSee(p, t)) {
				return ticketNotFound(ticketID)
			}
			return err
		}); err != nil {
			return nil, err
		}
	}
	msg, err := s.prepareMessage(c.Body, c.BodyHTML, c.Attachments, false)
	if err != nil {
		return nil, err
	}
	msg.kind = c.Kind
	switch {
	case c.FromCustomer:
		msg.authorType = tend.AuthorCustomer
	case p.AgentID != 0:
		msg.authorType, msg.authorID = tend.AuthorAgent, &p.AgentID
	default:
		msg.authorType = tend.AuthorSystem
	}

	var m *tend.Message
	var ch *change
	err = s.db.write(ctx, func(tx *Tx) error {
		if c.IdempotencyKey != "" {
			_, prior, err := claimIdempotencyKey(ctx, tx, p, c.IdempotencyKey, reqHash)
			if err != nil {
				return err
			} else if prior != 0 {
				m, err = findMessage(ctx, tx, prior)
				return err
			}
		}
		if ch, err = changeTicket(ctx, tx, p, ticketID, s.Outbox); err != nil {
			return err
		}
		if c.SeenMessageID != nil && c.Kind == tend.KindReply && msg.authorType == tend.AuthorAgent {
			if err := checkSeen(ctx, tx, ch.t, *c.SeenMessageID); err != nil {
				return err
			}
		}
		if msg.authorType == tend.AuthorCustomer {
			msg.authorID = &ch.t.CustomerID
		}
		ch.to, ch.cc = c.To, c.Cc
		status, afterMessage := c.Status, func() error { return nil }
		if c.MacroID != nil {
			if status, afterMessage, err = s.composerMacro(ctx, tx, ch, *c.MacroID, status, c.Kind); err != nil {
				return err
			}
		}
		if m, err = ch.addMessage(ctx, msg, status, ""); err != nil {
			return err
		}
		if err := afterMessage(); err != nil {
			return err
		}
		if err := ch.commit(ctx); err != nil {
			return err
		}
		if c.IdempotencyKey != "" {
			return recordIdempotencyKey(ctx, tx, p, c.IdempotencyKey, ch.t.ID, m.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if ch != nil {
		s.notify(ch.notices...)
	}
	return m, nil
}

// checkSeen refuses a reply written before the customer's newest
// messages, returning those messages with the refusal.
func checkSeen(ctx context.Context, tx *Tx, t *tend.Ticket, seen int64) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM messages WHERE id = $1 AND ticket_id = $2`, seen, t.ID).Scan(&n); err != nil {
		return err
	} else if n == 0 {
		return tend.FieldError(tend.EINVALID, "seen_message_id", "message %d is not on ticket #%d", seen, t.Number)
	}
	ids, err := queryAll(ctx, tx, scanID, `SELECT id FROM messages WHERE ticket_id = $1 AND id > $2
		AND author_type = 'customer' ORDER BY id`, t.ID, seen)
	if err != nil || len(ids) == 0 {
		return err
	}
	unread := make([]*tend.Message, len(ids))
	for i, id := range ids {
		if unread[i], err = findMessage(ctx, tx, id); err != nil {
			return err
		}
	}
	return tend.CustomerWroteSince(t.Number, unread)
}

// authorName returns the name a message by this author shows: an agent's
// name, or a customer's name or, without one, their first address.
func authorName(ctx context.Context, tx *Tx, typ tend.AuthorType, id *int64) (string, error) {
	if id == nil {
		return "", nil
	}
	var name string
	var err error
	switch typ {
	case tend.AuthorAgent:
		err = tx.queryRow(ctx, `SELECT name FROM agents WHERE id = $1`, *id).Scan(&name)
	case tend.AuthorCustomer:
		err = tx.queryRow(ctx, `SELECT `+customerName+` FROM customers c WHERE c.id = $1`, *id).Scan(&name)
	}
	if err != nil {
		return "", fmt.Errorf("author name: %w", err)
	}
	return name, nil
}

func (s *TicketService) notify(changes ...tend.TicketChange) {
	if s.Notify == nil {
		return
	}
	for _, c := range changes {
		s.Notify(c)
	}
}

// principalKey names p in the idempotency table.
func principalKey(p tend.Principal) string {
	switch {
	case p.AgentID != 0:
		return "agent:" + strconv.FormatInt(p.AgentID, 10)
	case p.CustomerID != 0:
		return "customer:" + strconv.FormatInt(p.CustomerID, 10)
	}
	return "system"
}

func requestHash(v any) string {
	b, _ := json.Marshal(v)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// claimIdempotencyKey records key for a request about to be carried out.
// If a committed request holds the key already, it returns what that one
// created, or ECONFLICT if it was a different request. A concurrent request
// with the same key waits on the key's row until the first commits.
func claimIdempotencyKey(ctx context.Context, tx *Tx, p tend.Principal, key, hash string) (ticketID, messageID int64, err error) {
	if len(key) > 200 {
		return 0, 0, tend.Errorf(tend.EINVALID, "Idempotency-Key: must be at most 200 characters")
	}
	n, err := tx.exec(ctx, `INSERT INTO idempotency_keys (principal, key, request_hash, ticket_id, created_at)
		VALUES ($1, $2, $3, 0, $4) ON CONFLICT DO NOTHING`, principalKey(p), key, hash, tx.now)
	if err != nil || n == 1 {
		return 0, 0, err
	}
	var priorHash string
	var msgID *int64
	err = tx.queryRow(ctx, `SELECT request_hash, ticket_id, message_id FROM idempotency_keys WHERE principal = $1 AND key = $2`,
		principalKey(p), key).Scan(&priorHash, &ticketID, &msgID)
	if err != nil {
		return 0, 0, err
	}
	if priorHash != hash {
		return 0, 0, tend.Errorf(tend.ECONFLICT, "Idempotency-Key %q was used for a different request; use a new key for a new request.", key)
	}
	if msgID != nil {
		messageID = *msgID
	}
	return ticketID, messageID, nil
}

func recordIdempotencyKey(ctx context.Context, tx *Tx, p tend.Principal, key string, ticketID, messageID int64) error {
	var msg *int64
	if messageID != 0 {
		msg = &messageID
	}
	_, err := tx.exec(ctx, `UPDATE idempotency_keys SET ticket_id = $3, message_id = $4 WHERE principal = $1 AND key = $2`,
		principalKey(p), key, ticketID, msg)
	return err
}
