package sqldb

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// A change is one change to one ticket, made in a write transaction: the
// only way a ticket's fields, messages and workflow move once it exists.
// (History entries that only report on a ticket's mail, a bounce or an
// automatic reply, and the mailbox a ticket's mail goes through, are
// written beside it: they change nothing the workflow decides.) changeTicket locks the
// ticket and hands the change to the caller, whose steps (update, message,
// record) apply the domain's workflow to the ticket; commit then saves the
// ticket, records the history, and runs the side effects that must commit
// with it (the mail a reply sends). What listeners hear after the commit
// is collected in notices.
type change struct {
	tx *Tx
	p  tend.Principal // the actor of the history entries
	t  *tend.Ticket

	// outbox mails staff replies; nil sends nothing (tests, imports).
	outbox *Outbox

	loaded  tend.Ticket // as locked, to tell what to write back
	entries []historyEntry
	replies []*tend.Message
	notices []tend.TicketChange
	// to and cc choose the recipients of the replies (tend.MessageCreate).
	to *string
	cc *[]string
	// notes are the bodies of the internal notes added, for @mentions.
	notes []string
	// fieldDefs are the custom fields, read when the ticket is locked.
	fieldDefs *[]*tend.Field
	// handOver marks the hand-over of a ticket from an agent being
	// deactivated (tend.ChangeFacts.HandOver).
	handOver bool
	// slaReason asks for the deadlines to be laid out again whatever the
	// change holds: a timer woke, or a calendar or policy was edited.
	slaReason string
	// timerAt, for a timer's change, is when that timer was due.
	timerAt *time.Time
}

type historyEntry struct {
	actor tend.Principal
	data  tend.EventData
}

// changeTicket locks ticket id for a change by p. The ticket is
// ENOTFOUND unless p may see it.
func changeTicket(ctx context.Context, tx *Tx, p tend.Principal, id int64, outbox *Outbox) (*change, error) {
	t, err := lockTicket(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !canSee(p, t) {
		return nil, ticketNotFound(id)
	}
	c := &change{tx: tx, p: p, t: t, outbox: outbox}
	if tx.batch != nil && tx.batch.tickets[id] == t {
		// Read with the batch, values and all.
		c.fieldDefs = &tx.batch.fields
	} else {
		// The fields are read once for the change: its values, its checks
		// and what it writes back.
		fields, err := c.fields(ctx)
		if err != nil {
			return nil, err
		}
		if err := loadValuesOf(ctx, tx, fields, t); err != nil {
			return nil, err
		}
	}
	c.loaded = *t
	c.loaded.Fields = maps.Clone(t.Fields)
	return c, nil
}

// record adds history entries by the change's actor.
func (c *change) record(data ...tend.EventData) {
	for _, d := range data {
		c.entries = append(c.entries, historyEntry{c.p, d})
	}
}

// recordAs adds a history entry by someone other than the change's actor:
// Tend itself, noting what a customer's mail brought with it.
func (c *change) recordAs(actor tend.Principal, data tend.EventData) {
	c.entries = append(c.entries, historyEntry{actor, data})
}

// update applies u through the workflow, after checking that the owner
// and team it names exist.
func (c *change) update(ctx context.Context, u *tend.TicketUpdate) error {
	if u.OwnerID != nil {
		if err := checkAssignable(ctx, c.tx, "owner_id", *u.OwnerID); err != nil {
			return err
		}
	}
	if u.TeamID != nil && *u.TeamID != 0 {
		if err := checkTeam(ctx, c.tx, *u.TeamID); err != nil {
			return err
		}
	}
	var set []tend.EventData
	if len(u.Fields) > 0 {
		fields, err := c.fields(ctx)
		if err != nil {
			return err
		}
		if set, err = c.t.ApplyFields(fields, u.Fields); err != nil {
			return err
		}
	}
	changes, err := c.t.ApplyUpdate(c.p, u, c.tx.now)
	if err != nil {
		return err
	}
	if len(set) > 0 && len(changes) == 0 {
		c.t.UpdatedAt = c.tx.now
		c.t.Version++
	}
	changes = append(set, changes...)
	c.record(changes...)
	if len(changes) > 0 {
		c.notices = append(c.notices, tend.TicketChange{TicketID: c.t.ID, Kind: changes[0].EventKind(), Channel: c.t.Channel})
	}
	return nil
}

// fields reads the desk's custom fields, once per change.
func (c *change) fields(ctx context.Context) ([]*tend.Field, error) {
	if c.fieldDefs == nil {
		fields, err := findFields(ctx, c.tx)
		if err != nil {
			return nil, err
		}
		c.fieldDefs = &fields
	}
	return *c.fieldDefs, nil
}

// checkSolvable refuses a change in which someone solves the ticket while
// a required field has no value, or clears one on a solved ticket. Tend's
// own moves (a merge, spam) solve without asking.
func (c *change) checkSolvable(ctx context.Context) error {
	solved := false
	var cleared []string
	for _, e := range c.entries {
		switch d := e.data.(type) {
		case tend.StatusChanged:
			solved = solved || (d.To == tend.StatusSolved && !e.actor.System)
		case tend.FieldChanged:
			if d.To == "" && !e.actor.System {
				cleared = append(cleared, d.Key)
			}
		}
	}
	if !solved && len(cleared) == 0 {
		return nil
	}
	fields, err := c.fields(ctx)
	if err != nil {
		return err
	}
	if solved {
		return c.t.MissingFields(fields)
	}
	return c.t.ClearedRequired(fields, cleared)
}

// addMessage adds msg, whose author is set, through the workflow, with an
// explicit status from staff if any. A staff reply is mailed when the
// change commits.
func (c *change) addMessage(ctx context.Context, msg *newMessage, status *tend.Status, channel tend.Channel) (*tend.Message, error) {
	changes, err := c.t.ApplyMessage(c.p, msg.authorType, msg.kind, status, c.tx.now)
	if err != nil {
		return nil, err
	}
	name, err := authorName(ctx, c.tx, msg.authorType, msg.authorID)
	if err != nil {
		return nil, err
	}
	m, err := insertMessage(ctx, c.tx, c.t.ID, msg, name)
	if err != nil {
		return nil, err
	}
	c.record(tend.MessageAdded{MessageID: m.ID, Kind: m.Kind, AuthorType: m.AuthorType, AuthorID: m.AuthorID,
		Attachments: len(m.Attachments), Channel: channel})
	c.record(changes...)
	if m.Kind == tend.KindReply && m.AuthorType == tend.AuthorAgent {
		c.replies = append(c.replies, m)
	}
	if m.Kind == tend.KindNote {
		c.notes = append(c.notes, m.Body)
	}
	c.notices = append(c.notices, tend.TicketChange{TicketID: c.t.ID, Kind: tend.EventMessageAdded, Channel: c.t.Channel, MessageID: m.ID})
	return m, nil
}

// commit writes back what the steps changed, records their history and
// queues the mail they send.
func (c *change) commit(ctx context.Context) error {
	tx, t := c.tx, c.t
	if err := c.checkSolvable(ctx); err != nil {
		return err
	}
	if err := c.settleSLA(ctx, c.slaReason); err != nil {
		return err
	}
	if t.Version != c.loaded.Version || t.CustomerID != c.loaded.CustomerID {
		if err := saveTicket(ctx, tx, t); err != nil {
			return err
		}
	}
	if err := c.scheduleAutoClose(ctx); err != nil {
		return err
	}
	// The service levels are Tend's own bookkeeping: the ticket's version
	// stays, so that nobody's open page goes stale because a deadline
	// passed.
	timerMoved, err := c.scheduleSLATimer(ctx)
	if err != nil {
		return err
	}
	if moved := !sameDeadlines(c.loaded.SLA, t.SLA); timerMoved || moved {
		if err := saveSLA(ctx, tx, t); err != nil {
			return err
		}
		if moved && len(c.notices) == 0 {
			// Open pages show the deadlines: a timer's warning or breach
			// is news to them.
			c.notices = append(c.notices, tend.TicketChange{TicketID: t.ID, Kind: tend.EventSLARecomputed, Channel: t.Channel})
		}
	}
	if !slices.Equal(t.Tags, c.loaded.Tags) {
		if _, err := tx.exec(ctx, `DELETE FROM ticket_tags WHERE ticket_id = $1`, t.ID); err != nil {
			return err
		}
		if err := insertTags(ctx, tx, t.ID, t.Tags); err != nil {
			return err
		}
	}
	fields, err := c.fields(ctx)
	if err != nil {
		return err
	}
	if err := saveFieldValues(ctx, tx, fields, t, c.loaded.Fields); err != nil {
		return err
	}
	// One id for every entry of this change, so that history reads them
	// as one step.
	changeID := ""
	if len(c.entries) > 0 {
		changeID = newToken(10)
	}
	for _, e := range c.entries {
		if tx.batch != nil {
			tx.batch.events = append(tx.batch.events, batchEvent{t.ID, e.actor, e.data, changeID})
		} else if err := tx.addChangeEvent(ctx, e.actor, t.ID, e.data, changeID); err != nil {
			return err
		}
	}
	told, err := c.notifyChange(ctx)
	if err != nil {
		return err
	}
	if len(told) > 0 {
		if len(c.notices) == 0 {
			c.notices = append(c.notices, tend.TicketChange{TicketID: t.ID, Kind: c.entries[0].data.EventKind(), Channel: t.Channel})
		}
		c.notices[0].Notified = told
	}
	if c.outbox != nil {
		for _, m := range c.replies {
			if err := c.outbox.queueReply(ctx, tx, t, m, c.to, c.cc); err != nil {
				return err
			}
		}
	}
	return nil
}

// saveTicket writes back the fields that the workflow changes.
func saveTicket(ctx context.Context, tx *Tx, t *tend.Ticket) error {
	_, err := tx.exec(ctx, `UPDATE tickets SET subject = $2, status = $3, priority = $4, owner_id = $5, team_id = $6,
		tags = $7, reopen_count = $8, version = $9, updated_at = $10, first_responded_at = $11, solved_at = $12,
		closed_at = $13, customer_id = $14, organization_id = $15, spam = $16, merged_into_id = $17 WHERE id = $1`,
		t.ID, t.Subject, string(t.Status), string(t.Priority), t.OwnerID, t.TeamID, tagText(t.Tags),
		t.ReopenCount, t.Version, t.UpdatedAt, t.FirstRespondedAt, t.SolvedAt, t.ClosedAt, t.CustomerID, t.OrganizationID, t.Spam,
		t.MergedIntoID)
	if err != nil {
		return fmt.Errorf("save ticket: %w", err)
	}
	return nil
}

func tagText(tags []string) string { return strings.Join(tags, " ") }
