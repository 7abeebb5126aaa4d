package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tendhq/tend"
)

// CreateTicket finds or creates the customer by address and records the
// ticket, its first message and its history in one transaction.
func (s *TicketService) CreateTicket(ctx context.Context, c *tend.TicketCreate) (*tend.Ticket, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	reqHash := requestHash(c)
	if len(c.Attachments) > 0 && c.TeamID != nil {
		// Refuse before storing any file.
		if err := s.db.read(ctx, func(q *Tx) error { return checkTeam(ctx, q, *c.TeamID) }); err != nil {
			return nil, err
		}
	}
	if c.Outbound() && p.AgentID == 0 {
		return nil, tend.FieldError(tend.EINVALID, "mailbox_id", "a ticket opened by mail to the customer is an agent's reply; sign in as an agent to write it")
	}
	msg, err := s.prepareMessage(c.Body, c.BodyHTML, c.Attachments, false)
	if err != nil {
		return nil, err
	}
	msg.kind, msg.authorType = tend.KindReply, tend.AuthorCustomer
	if c.Outbound() {
		msg.authorType, msg.authorID = tend.AuthorAgent, &p.AgentID
	}

	var t *tend.Ticket
	created := false
	err = s.db.write(ctx, func(tx *Tx) error {
		if c.IdempotencyKey != "" {
			prior, _, err := claimIdempotencyKey(ctx, tx, p, c.IdempotencyKey, reqHash)
			if err != nil {
				return err
			} else if prior != 0 {
				t, err = findTicket(ctx, tx, "t.id = $1", prior)
				if err == nil {
					t.Messages, err = findMessages(ctx, tx, prior, true)
				}
				return err
			}
		}
		from, err := chosenOrigin(ctx, tx, c)
		if err != nil {
			return err
		}
		if c.Outbound() {
			t, err = openByMail(ctx, tx, p, c, msg, from, s.Outbox)
		} else {
			t, err = createTicket(ctx, tx, p, c, msg, from)
		}
		if err != nil {
			return err
		}
		if len(c.Fields) > 0 {
			if t, err = setNewTicketFields(ctx, tx, p, t, c.Fields); err != nil {
				return err
			}
		}
		created = true
		if c.IdempotencyKey != "" {
			return recordIdempotencyKey(ctx, tx, p, c.IdempotencyKey, t.ID, 0)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if created {
		s.notify(tend.TicketChange{TicketID: t.ID, Kind: tend.EventCreated, Channel: t.Channel})
	}
	return t, nil
}

// origin says where a ticket comes from beyond its channel: the mailbox
// mail about it goes through, and the closed ticket it follows up.
type origin struct {
	mailboxID  *int64
	previousID *int64
	// customerID, when set, is the customer, found otherwise than by
	// address (mail with no usable sender).
	customerID int64
	orgID      *int64
	spam       bool
}

// chosenOrigin checks the customer and mailbox that c names by id: the
// customer is held (shared) until the transaction ends, as
// findOrCreateCustomer holds one found by address, so that a merge waits.
func chosenOrigin(ctx context.Context, tx *Tx, c *tend.TicketCreate) (origin, error) {
	var from origin
	if c.CustomerID != nil {
		var merged *int64
		err := tx.queryRow(ctx, `SELECT organization_id, merged_into_id FROM customers WHERE id = $1`+tx.db.forShare(),
			*c.CustomerID).Scan(&from.orgID, &merged)
		switch {
		case errors.Is(err, errNoRows):
			return from, tend.FieldError(tend.EINVALID, "customer_id", "customer %d does not exist", *c.CustomerID)
		case err != nil:
			return from, fmt.Errorf("find customer: %w", err)
		case merged != nil:
			return from, tend.FieldError(tend.EINVALID, "customer_id", "customer %d was merged into customer %d; choose that one", *c.CustomerID, *merged)
		}
		from.customerID = *c.CustomerID
	}
	if c.MailboxID != nil {
		if _, err := findMailbox(ctx, tx, "id = $1", *c.MailboxID); tend.ErrorCode(err) == tend.ENOTFOUND {
			return from, tend.FieldError(tend.EINVALID, "mailbox_id", "mailbox %d does not exist", *c.MailboxID)
		} else if err != nil {
			return from, err
		}
		from.mailboxID = c.MailboxID
	}
	return from, nil
}

// openByMail opens a ticket whose first message is the agent's reply:
// the ticket is inserted, then the reply goes through the change path
// like any other, which records the first response and queues its mail
// from the chosen mailbox. Its history begins with the ticket's creation.
func openByMail(ctx context.Context, tx *Tx, p tend.Principal, c *tend.TicketCreate, msg *newMessage, from origin, outbox *Outbox) (*tend.Ticket, error) {
	t, err := insertTicket(ctx, tx, c, from)
	if err != nil {
		return nil, err
	}
	ch, err := changeTicket(ctx, tx, p, t.ID, outbox)
	if err != nil {
		return nil, err
	}
	m, err := ch.addMessage(ctx, msg, nil, "")
	if err != nil {
		return nil, err
	}
	created := historyEntry{p, tend.TicketCreated{Number: t.Number, Subject: t.Subject, Status: t.Status,
		Priority: t.Priority, Channel: t.Channel, CustomerID: t.CustomerID, TeamID: t.TeamID, Tags: nonNil(t.Tags),
		MessageID: m.ID, MailboxID: from.mailboxID}}
	ch.entries = append([]historyEntry{created}, ch.entries...)
	if err := ch.commit(ctx); err != nil {
		return nil, err
	}
	ch.t.Messages = []*tend.Message{m}
	return ch.t, nil
}

// setNewTicketFields sets the custom fields a new ticket was opened with,
// in a change after its creation, as an agent setting them at once would.
func setNewTicketFields(ctx context.Context, tx *Tx, p tend.Principal, t *tend.Ticket, fields tend.FieldValues) (*tend.Ticket, error) {
	ch, err := changeTicket(ctx, tx, p, t.ID, nil)
	if err != nil {
		return nil, err
	}
	if err := ch.update(ctx, &tend.TicketUpdate{Fields: fields}); err != nil {
		return nil, err
	}
	if err := ch.commit(ctx); err != nil {
		return nil, err
	}
	ch.t.Messages = t.Messages
	return ch.t, nil
}

func nonNil(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}

func createTicket(ctx context.Context, tx *Tx, p tend.Principal, c *tend.TicketCreate, msg *newMessage, from origin) (*tend.Ticket, error) {
	t, err := insertTicket(ctx, tx, c, from)
	if err != nil {
		return nil, err
	}
	customerID := t.CustomerID
	msg.authorID = &customerID
	name, err := authorName(ctx, tx, tend.AuthorCustomer, &customerID)
	if err != nil {
		return nil, err
	}
	m, err := insertMessage(ctx, tx, t.ID, msg, name)
	if err != nil {
		return nil, err
	}
	t.Messages = []*tend.Message{m}
	created := tend.TicketCreated{Number: t.Number, Subject: t.Subject, Status: t.Status,
		Priority: t.Priority, Channel: t.Channel, CustomerID: t.CustomerID, TeamID: t.TeamID, Tags: nonNil(t.Tags), MessageID: m.ID}
	if err := tx.addEvent(ctx, p, t.ID, created); err != nil {
		return nil, err
	}
	typ, id := actor(p)
	return t, settleNewTicket(ctx, tx, t, &tend.Event{TicketID: t.ID, Kind: tend.EventCreated, ActorType: typ, ActorID: id, Data: created, CreatedAt: tx.now})
}

// insertTicket finds or creates the customer, unless from names one, and
// inserts the new ticket with its tags.
func insertTicket(ctx context.Context, tx *Tx, c *tend.TicketCreate, from origin) (*tend.Ticket, error) {
	customerID, orgID := from.customerID, from.orgID
	var err error
	if customerID == 0 {
		if customerID, orgID, err = findOrCreateCustomer(ctx, tx, c.Customer); err != nil {
			return nil, err
		}
	}
	if c.TeamID != nil {
		if err := checkTeam(ctx, tx, *c.TeamID); err != nil {
			return nil, err
		}
	}
	t := &tend.Ticket{Subject: c.Subject, Status: tend.StatusNew, Priority: c.Priority, Channel: c.Channel,
		CustomerID: customerID, OrganizationID: orgID, TeamID: c.TeamID, Tags: c.Tags, Version: 1,
		CreatedAt: tx.now, UpdatedAt: tx.now, MailboxID: from.mailboxID, PreviousTicketID: from.previousID,
		Spam: from.spam}
	// Every ticket gets a reply token at once, so that mail about it can
	// carry it in the Reply-To address however the ticket began.
	err = tx.queryRow(ctx, `INSERT INTO tickets (number, subject, status, priority, channel, customer_id,
		organization_id, team_id, tags, version, created_at, updated_at, mailbox_id, previous_ticket_id, reply_token, spam)
		VALUES (`+tx.db.nextTicketNumber()+`, $1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9, $10, $11, $12, $13) RETURNING id, number`,
		t.Subject, string(t.Status), string(t.Priority), string(t.Channel), t.CustomerID, t.OrganizationID,
		t.TeamID, strings.Join(t.Tags, " "), tx.now, t.MailboxID, t.PreviousTicketID, newToken(10), t.Spam).Scan(&t.ID, &t.Number)
	if err != nil {
		return nil, fmt.Errorf("insert ticket: %w", err)
	}
	if err := insertTags(ctx, tx, t.ID, t.Tags); err != nil {
		return nil, err
	}
	return t, nil
}

func insertTags(ctx context.Context, tx *Tx, ticketID int64, tags []string) error {
	for _, tag := range tags {
		if _, err := tx.exec(ctx, `INSERT INTO ticket_tags (tag, ticket_id) VALUES ($1, $2)`, tag, ticketID); err != nil {
			return fmt.Errorf("insert tag: %w", err)
		}
	}
	return nil
}
