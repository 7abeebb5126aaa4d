package sqldb

import (
	"context"
	"errors"

	"github.com/tendhq/tend"
)

// MergeTicket merges ticket id, a duplicate, into ticket intoID, through
// the one change path of each: the duplicate's messages, its mail's
// Message-IDs and its participants move to the ticket kept, and Tend
// solves and closes the duplicate. Nothing is mailed: the customer has
// heard of both already. The customer of a duplicate from someone else
// joins the kept ticket's conversation, so that they keep hearing of it.
// It returns the ticket kept.
func (s *TicketService) MergeTicket(ctx context.Context, id, intoID int64) (*tend.Ticket, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	if id == intoID {
		return nil, tend.FieldError(tend.EINVALID, "into_id", "a ticket cannot be merged into itself; choose the ticket to keep")
	}
	var dup, keep *change
	err = s.db.write(ctx, func(tx *Tx) error {
		if dup, keep, err = lockPair(ctx, tx, p, id, intoID, "into_id"); err != nil {
			return err
		}
		system, err := dup.t.ApplyMerge(keep.t, tx.now)
		if err != nil {
			return err
		}
		moved, err := tx.exec(ctx, `UPDATE messages SET ticket_id = $1 WHERE ticket_id = $2`, keep.t.ID, dup.t.ID)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE mail_ids SET ticket_id = $1 WHERE ticket_id = $2`, keep.t.ID, dup.t.ID); err != nil {
			return err
		}
		if err := mergeParticipants(ctx, tx, dup.t, keep.t); err != nil {
			return err
		}
		dup.record(tend.TicketMerged{IntoID: keep.t.ID, IntoNumber: keep.t.Number, Messages: int(moved)})
		for _, d := range system {
			dup.recordAs(tend.Principal{System: true}, d)
		}
		keep.record(tend.TicketMergedIn{FromID: dup.t.ID, FromNumber: dup.t.Number, Messages: int(moved)})
		keep.t.UpdatedAt = tx.now
		keep.t.Version++
		for _, c := range []*change{dup, keep} {
			c.notices = append(c.notices, tend.TicketChange{TicketID: c.t.ID, Kind: c.entries[0].data.EventKind(), Channel: c.t.Channel})
			if err := c.commit(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.notify(dup.notices...)
	s.notify(keep.notices...)
	return s.FindTicketByID(ctx, keep.t.ID)
}

// lockPair locks two tickets for one change to both, in the order of
// their ids, so that two such changes never wait on each other. Ticket b
// is named in the request's body, as field.
func lockPair(ctx context.Context, tx *Tx, p tend.Principal, a, b int64, field string) (*change, *change, error) {
	first, second := a, b
	if b < a {
		first, second = b, a
	}
	c1, err := changeTicket(ctx, tx, p, first, nil)
	if err != nil {
		return nil, nil, pairNotFound(err, first == b, field)
	}
	c2, err := changeTicket(ctx, tx, p, second, nil)
	if err != nil {
		return nil, nil, pairNotFound(err, second == b, field)
	}
	if first == a {
		return c1, c2, nil
	}
	return c2, c1, nil
}

// pairNotFound says which ticket of a pair is missing: the other one is
// named in the request's body, not its path, and gets a field.
func pairNotFound(err error, other bool, field string) error {
	if other && tend.ErrorCode(err) == tend.ENOTFOUND {
		return tend.FieldError(tend.ENOTFOUND, field, "%s", tend.ErrorMessage(err))
	}
	return err
}

// mergeParticipants copies the duplicate's conversation to the ticket
// kept: its participants, the ones suggested, and its customer if that is
// someone else, as far as the kept ticket has room; the rest are
// suggested there, for an agent to add.
func mergeParticipants(ctx context.Context, tx *Tx, dup, keep *tend.Ticket) error {
	people, err := findParticipants(ctx, tx, dup.ID)
	if err != nil {
		return err
	}
	if dup.CustomerID != keep.CustomerID {
		c, err := findCustomerByID(ctx, tx, dup.CustomerID)
		if err != nil {
			return err
		}
		if len(c.Emails) > 0 {
			people = append([]tend.MailAddress{{Email: c.Emails[0], Name: c.Name}}, people...)
		}
	}
	keepCustomer, err := findCustomerByID(ctx, tx, keep.CustomerID)
	if err != nil {
		return err
	}
	var have int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM ticket_participants WHERE ticket_id = $1`, keep.ID).Scan(&have); err != nil {
		return err
	}
	for _, a := range people {
		if isCustomerEmail(keepCustomer, a.Email) {
			continue
		}
		if have < tend.MaxParticipants {
			n, err := tx.exec(ctx, `INSERT INTO ticket_participants (ticket_id, email, name) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, keep.ID, a.Email, a.Name)
			if err != nil {
				return err
			}
			have += int(n)
			continue
		}
		if _, err := tx.exec(ctx, `INSERT INTO suggested_participants (ticket_id, email, name, created_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, keep.ID, a.Email, a.Name, tx.now); err != nil {
			return err
		}
	}
	_, err = tx.exec(ctx, `INSERT INTO suggested_participants (ticket_id, email, name, message_id, created_at)
		SELECT $1, s.email, s.name, s.message_id, s.created_at FROM suggested_participants s WHERE s.ticket_id = $2
		AND NOT EXISTS (SELECT 1 FROM ticket_participants p WHERE p.ticket_id = $1 AND p.email = s.email)
		ON CONFLICT DO NOTHING`, keep.ID, dup.ID)
	return err
}

func isCustomerEmail(c *tend.Customer, email string) bool {
	for _, e := range c.Emails {
		if e == email {
			return true
		}
	}
	return false
}

// mergedInto returns the ticket kept for ticket id: id itself unless it
// was merged, following merges made one after the other.
func mergedInto(ctx context.Context, tx *Tx, id int64) (int64, error) {
	return tend.MergeInto(id, func(id int64) (*int64, error) {
		var into *int64
		err := tx.queryRow(ctx, `SELECT merged_into_id FROM tickets WHERE id = $1`, id).Scan(&into)
		if errors.Is(err, errNoRows) {
			return nil, nil
		}
		return into, err
	}, 20)
}

// LinkTickets links two related tickets, both ways; linking them again
// changes nothing. It returns ticket id.
func (s *TicketService) LinkTickets(ctx context.Context, id, otherID int64) (*tend.Ticket, error) {
	return s.changeLink(ctx, id, otherID, true)
}

// UnlinkTickets removes the link between two tickets, both ways.
func (s *TicketService) UnlinkTickets(ctx context.Context, id, otherID int64) (*tend.Ticket, error) {
	return s.changeLink(ctx, id, otherID, false)
}

func (s *TicketService) changeLink(ctx context.Context, id, otherID int64, link bool) (*tend.Ticket, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	if id == otherID {
		return nil, tend.FieldError(tend.EINVALID, "ticket_id", "a ticket cannot be linked to itself")
	}
	var a, b *change
	err = s.db.write(ctx, func(tx *Tx) error {
		if a, b, err = lockPair(ctx, tx, p, id, otherID, "ticket_id"); err != nil {
			return err
		}
		linked, err := findLinks(ctx, tx, a.t.ID)
		if err != nil {
			return err
		}
		already := false
		for _, l := range linked {
			already = already || l.ID == b.t.ID
		}
		if already == link {
			return nil
		}
		if link {
			for _, c := range []*change{a, b} {
				if err := checkLinkRoom(ctx, tx, c.t); err != nil {
					return err
				}
			}
			if _, err := tx.exec(ctx, `INSERT INTO ticket_links (ticket_id, linked_id, created_at) VALUES ($1, $2, $3), ($2, $1, $3)`,
				a.t.ID, b.t.ID, tx.now); err != nil {
				return err
			}
		} else if _, err := tx.exec(ctx, `DELETE FROM ticket_links WHERE (ticket_id = $1 AND linked_id = $2)
			OR (ticket_id = $2 AND linked_id = $1)`, a.t.ID, b.t.ID); err != nil {
			return err
		}
		for _, pair := range [][2]*change{{a, b}, {b, a}} {
			c, other := pair[0], pair[1]
			var d tend.EventData = tend.TicketLinked{TicketID: other.t.ID, Number: other.t.Number}
			if !link {
				d = tend.TicketUnlinked{TicketID: other.t.ID, Number: other.t.Number}
			}
			c.record(d)
			c.notices = append(c.notices, tend.TicketChange{TicketID: c.t.ID, Kind: d.EventKind(), Channel: c.t.Channel})
			if err := c.commit(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.notify(a.notices...)
	s.notify(b.notices...)
	return s.FindTicketByID(ctx, id)
}

func checkLinkRoom(ctx context.Context, tx *Tx, t *tend.Ticket) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM ticket_links WHERE ticket_id = $1`, t.ID).Scan(&n); err != nil {
		return err
	} else if n >= tend.MaxLinks {
		return tend.Errorf(tend.ECONFLICT, "Ticket #%d has %d related tickets already, the most it can have; remove a link first.", t.Number, n)
	}
	return nil
}

// findLinks returns the tickets linked to ticket id, by number.
func findLinks(ctx context.Context, q *Tx, id int64) ([]tend.TicketLink, error) {
	return queryAll(ctx, q, func(r row) (l tend.TicketLink, err error) {
		var status string
		err = r.Scan(&l.ID, &l.Number, &l.Subject, &status)
		l.Status = tend.Status(status)
		return l, err
	}, `SELECT t.id, t.number, t.subject, t.status FROM ticket_links l JOIN tickets t ON t.id = l.linked_id
		WHERE l.ticket_id = $1 ORDER BY t.number`, id)
}
