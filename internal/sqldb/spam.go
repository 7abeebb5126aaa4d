package sqldb

import (
	"context"
	"errors"
	"slices"

	"github.com/tendhq/tend"
)

// MarkSpam marks ticket id spam or not, through the one change path. Spam
// is solved and closed by Tend, and the customer's addresses are blocked,
// so that nothing more from them is answered or opened; not spam lifts
// the mark and the blocks this ticket made. Nothing is mailed either way.
func (s *TicketService) MarkSpam(ctx context.Context, id int64, spam bool) (*tend.Ticket, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	var c *change
	err = s.db.write(ctx, func(tx *Tx) error {
		if c, err = changeTicket(ctx, tx, p, id, nil); err != nil {
			return err
		}
		blocked := false
		if spam && !c.t.Spam {
			if blocked, err = blockCustomer(ctx, tx, p, c.t); err != nil {
				return err
			}
		} else if !spam && c.t.Spam {
			if _, err := tx.exec(ctx, `DELETE FROM blocked_senders WHERE ticket_id = $1`, id); err != nil {
				return err
			}
		}
		system, marked, err := c.t.ApplySpam(spam, blocked, tx.now)
		if err != nil {
			return err
		}
		// The spam entry first: what it does to the status follows from it
		// (and the service levels read a resolution that follows spam as
		// no resolution).
		c.record(marked...)
		for _, e := range system {
			c.recordAs(tend.Principal{System: true}, e)
		}
		c.notices = append(c.notices, tend.TicketChange{TicketID: id, Kind: tend.EventSpam, Channel: c.t.Channel})
		return c.commit(ctx)
	})
	if err != nil {
		return nil, err
	}
	s.notify(c.notices...)
	return c.t, nil
}

// blockCustomer blocks the addresses of t's customer, and reports whether
// any was newly blocked. The desk's own addresses are never blocked.
func blockCustomer(ctx context.Context, tx *Tx, p tend.Principal, t *tend.Ticket) (bool, error) {
	emails, err := queryAll(ctx, tx, scanString, `SELECT email FROM customer_emails WHERE customer_id = $1`, t.CustomerID)
	if err != nil {
		return false, err
	}
	blocked := false
	for _, email := range emails {
		n, err := tx.exec(ctx, `INSERT INTO blocked_senders (pattern, ticket_id, created_by, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (pattern) DO NOTHING`, email, t.ID, agentID(p), tx.now)
		if err != nil {
			return false, err
		}
		blocked = blocked || n > 0
	}
	return blocked, nil
}

func agentID(p tend.Principal) *int64 {
	if p.AgentID == 0 {
		return nil
	}
	return &p.AgentID
}

// FindSuggestedParticipants returns the addresses copied on the ticket's
// mail that await an agent.
func (s *TicketService) FindSuggestedParticipants(ctx context.Context, ticketID int64) ([]*tend.SuggestedParticipant, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var list []*tend.SuggestedParticipant
	err := s.db.read(ctx, func(q *Tx) error {
		if _, err := findTicket(ctx, q, "t.id = $1", ticketID); errors.Is(err, errNoRows) {
			return ticketNotFound(ticketID)
		} else if err != nil {
			return err
		}
		var err error
		list, err = queryAll(ctx, q, func(r row) (*tend.SuggestedParticipant, error) {
			p := &tend.SuggestedParticipant{}
			return p, r.Scan(&p.Email, &p.Name, &p.MessageID, &p.CreatedAt)
		}, `SELECT email, name, message_id, created_at FROM suggested_participants WHERE ticket_id = $1
			ORDER BY created_at, email`, ticketID)
		return err
	})
	return list, err
}

// maxAddedAtOnce bounds one request that adds participants.
const maxAddedAtOnce = 50

// AddParticipants adds addresses to the ticket's conversation: they
// receive its replies from then on. An address that is the customer's,
// the desk's own, or a participant already is skipped; the ticket holds
// at most tend.MaxParticipants.
func (s *TicketService) AddParticipants(ctx context.Context, ticketID int64, emails []string) (*tend.Ticket, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	problems := tend.Problems{}
	var clean []string
	for _, e := range emails {
		e = tend.NormalizeEmail(e)
		if !tend.ValidEmail(e) {
			problems.Add("emails", "%q is not an email address", e)
		} else if !slices.Contains(clean, e) {
			clean = append(clean, e)
		}
	}
	switch {
	case len(clean) == 0 && len(problems) == 0:
		problems.Add("emails", "name at least one address")
	case len(clean) > maxAddedAtOnce:
		problems.Add("emails", "at most %d at once", maxAddedAtOnce)
	}
	if err := problems.Err(); err != nil {
		return nil, err
	}
	var c *change
	err = s.db.write(ctx, func(tx *Tx) error {
		if c, err = changeTicket(ctx, tx, p, ticketID, nil); err != nil {
			return err
		}
		var have int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM ticket_participants WHERE ticket_id = $1`, ticketID).Scan(&have); err != nil {
			return err
		}
		added := 0
		for _, email := range clean {
			if desk, err := isDeskAddress(ctx, tx, email); err != nil {
				return err
			} else if desk {
				return tend.FieldError(tend.EINVALID, "emails", "the address %s is this desk's own; copying it would mail the desk itself", email)
			}
			var theirs bool
			err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM customer_emails WHERE customer_id = $2 AND email = $1)`,
				email, c.t.CustomerID).Scan(&theirs)
			if err != nil {
				return err
			}
			if theirs {
				continue // the customer's own: mail goes to them anyway
			}
			var name string
			if err := tx.queryRow(ctx, `SELECT name FROM suggested_participants WHERE ticket_id = $1 AND email = $2`,
				ticketID, email).Scan(&name); err != nil && !errors.Is(err, errNoRows) {
				return err
			}
			n, err := tx.exec(ctx, `INSERT INTO ticket_participants (ticket_id, email, name) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, ticketID, email, name)
			if err != nil {
				return err
			}
			added += int(n)
			if _, err := tx.exec(ctx, `DELETE FROM suggested_participants WHERE ticket_id = $1 AND email = $2`, ticketID, email); err != nil {
				return err
			}
		}
		if have+added > tend.MaxParticipants {
			return tend.FieldError(tend.ECONFLICT, "emails", "a ticket has at most %d people copied; it has %d, and these would make %d. Remove someone first",
				tend.MaxParticipants, have, have+added)
		}
		if added == 0 {
			return tend.FieldError(tend.ECONFLICT, "emails", "every address given is in the conversation already, as the customer's or as copied")
		}
		c.t.Version++
		c.record(tend.ParticipantsAdded{Count: added})
		c.notices = append(c.notices, tend.TicketChange{TicketID: ticketID, Kind: tend.EventParticipants, Channel: c.t.Channel})
		return c.commit(ctx)
	})
	if err != nil {
		return nil, err
	}
	s.notify(c.notices...)
	return s.FindTicketByID(ctx, ticketID)
}

// RemoveParticipant takes email out of the ticket's conversation: it
// receives no more of its replies.
func (s *TicketService) RemoveParticipant(ctx context.Context, ticketID int64, email string) (*tend.Ticket, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	email = tend.NormalizeEmail(email)
	var c *change
	err = s.db.write(ctx, func(tx *Tx) error {
		if c, err = changeTicket(ctx, tx, p, ticketID, nil); err != nil {
			return err
		}
		n, err := tx.exec(ctx, `DELETE FROM ticket_participants WHERE ticket_id = $1 AND email = $2`, ticketID, email)
		if err != nil {
			return err
		} else if n == 0 {
			return tend.Errorf(tend.ENOTFOUND, "%s is not in the conversation of ticket #%d.", email, c.t.Number)
		}
		c.t.Version++
		c.record(tend.ParticipantRemoved{Count: 1})
		c.notices = append(c.notices, tend.TicketChange{TicketID: ticketID, Kind: tend.EventParticipantRemoved, Channel: c.t.Channel})
		return c.commit(ctx)
	})
	if err != nil {
		return nil, err
	}
	s.notify(c.notices...)
	return s.FindTicketByID(ctx, ticketID)
}

// BlockedSenderService implements tend.BlockedSenderService.
type BlockedSenderService struct {
	db *DB
}

// NewBlockedSenderService returns the blocked senders of db.
func NewBlockedSenderService(db *DB) *BlockedSenderService { return &BlockedSenderService{db: db} }

var _ tend.BlockedSenderService = (*BlockedSenderService)(nil)

// FindBlockedSenders returns every blocked sender, newest first.
func (s *BlockedSenderService) FindBlockedSenders(ctx context.Context) ([]*tend.BlockedSender, error) {
	if _, err := tend.Require(ctx, tend.PermManageSettings); err != nil {
		return nil, err
	}
	var list []*tend.BlockedSender
	err := s.db.read(ctx, func(q *Tx) (err error) {
		list, err = queryAll(ctx, q, scanBlockedSender, `SELECT `+blockedColumns+` ORDER BY b.created_at DESC, b.pattern`)
		return err
	})
	return list, err
}

const blockedColumns = `b.pattern, b.ticket_id, t.number, b.created_by, b.created_at FROM blocked_senders b
	LEFT JOIN tickets t ON t.id = b.ticket_id`

func scanBlockedSender(r row) (*tend.BlockedSender, error) {
	b := &tend.BlockedSender{}
	return b, r.Scan(&b.Pattern, &b.TicketID, &b.TicketNumber, &b.CreatedBy, &b.CreatedAt)
}

// BlockSender blocks an address or a domain.
func (s *BlockedSenderService) BlockSender(ctx context.Context, pattern string) (*tend.BlockedSender, error) {
	p, err := tend.Require(ctx, tend.PermManageSettings)
	if err != nil {
		return nil, err
	}
	if pattern, err = tend.BlockPattern(pattern); err != nil {
		return nil, err
	}
	var b *tend.BlockedSender
	err = s.db.write(ctx, func(tx *Tx) error {
		var own bool
		if err := tx.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM mailboxes WHERE address = $1 OR address LIKE '%' || $1)`,
			pattern).Scan(&own); err != nil {
			return err
		}
		if own {
			return tend.FieldError(tend.EINVALID, "pattern", "%s is this desk's own address or domain: mail from the desk's addresses is refused already, and blocking its domain would block your own people", pattern)
		}
		n, err := tx.exec(ctx, `INSERT INTO blocked_senders (pattern, created_by, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (pattern) DO NOTHING`, pattern, agentID(p), tx.now)
		if err != nil {
			return err
		} else if n == 0 {
			return tend.FieldError(tend.ECONFLICT, "pattern", "%s is blocked already", pattern)
		}
		if err := tx.audit(ctx, p, "sender.blocked", "blocked_sender", 0, map[string]any{"pattern": pattern}); err != nil {
			return err
		}
		b, err = scanBlockedSender(tx.queryRow(ctx, `SELECT `+blockedColumns+` WHERE b.pattern = $1`, pattern))
		return err
	})
	return b, err
}

// UnblockSender lifts a block.
func (s *BlockedSenderService) UnblockSender(ctx context.Context, pattern string) error {
	p, err := tend.Require(ctx, tend.PermManageSettings)
	if err != nil {
		return err
	}
	if pattern, err = tend.BlockPattern(pattern); err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *Tx) error {
		n, err := tx.exec(ctx, `DELETE FROM blocked_senders WHERE pattern = $1`, pattern)
		if err != nil {
			return err
		} else if n == 0 {
			return tend.Errorf(tend.ENOTFOUND, "%s is not blocked.", pattern)
		}
		return tx.audit(ctx, p, "sender.unblocked", "blocked_sender", 0, map[string]any{"pattern": pattern})
	})
}
