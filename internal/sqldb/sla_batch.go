package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// A changeBatch lets one transaction make the same change to many
// tickets (a recompute of their service levels) at the cost of a few
// statements rather than a few per ticket: what the changes read is read
// for all of them at once, and what they write is written together when
// the batch is flushed. Each ticket still goes through the change path,
// which decides what is written; only the reading and writing are pooled.
type changeBatch struct {
	tickets map[int64]*tend.Ticket  // locked, with their field values
	history map[int64][]*tend.Event // the entries tend.ComputeSLA folds
	fields  []*tend.Field

	events []batchEvent
	slas   []*tend.Ticket
	jobs   []Job
}

type batchEvent struct {
	ticketID int64
	actor    tend.Principal
	data     tend.EventData
	changeID string
}

// startBatch locks tickets ids and reads what their changes need.
func startBatch(ctx context.Context, tx *Tx, ids []int64) error {
	b := &changeBatch{tickets: map[int64]*tend.Ticket{}, history: map[int64][]*tend.Event{}}
	// The ids are numbers, written into the statement: SQLite looks up
	// each numbered parameter by a walk of the others.
	in := idList(ids)
	tickets, err := queryAll(ctx, tx, scanTicket, `SELECT `+ticketColumns+` FROM `+ticketFrom+` WHERE t.id IN (`+in+`) ORDER BY t.id`+
		tx.db.forUpdateOf("t"))
	if err != nil {
		return fmt.Errorf("lock tickets: %w", err)
	}
	if b.fields, err = findFields(ctx, tx); err != nil {
		return err
	}
	if err := loadValuesOf(ctx, tx, b.fields, tickets...); err != nil {
		return err
	}
	for _, t := range tickets {
		b.tickets[t.ID] = t
	}
	events, err := queryAll(ctx, tx, scanEvent, `SELECT id, ticket_id, kind, actor_type, actor_id, data, created_at, change_id
		FROM ticket_events WHERE ticket_id IN (`+in+`) AND kind IN (`+slaKindList+`) ORDER BY ticket_id, id`)
	if err != nil {
		return fmt.Errorf("read history for service levels: %w", err)
	}
	for _, e := range events {
		b.history[e.TicketID] = append(b.history[e.TicketID], e)
	}
	tx.batch = b
	return nil
}

func idList(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

// flushBatch writes what the batch's changes recorded and ends the batch.
func flushBatch(ctx context.Context, tx *Tx) error {
	b := tx.batch
	tx.batch = nil
	if b == nil {
		return nil
	}
	// Rows per statement: SQLite finds each numbered parameter by a walk
	// of the others, so a statement of thousands costs more than several.
	const rows = 64
	for start := 0; start < len(b.events); start += rows {
		var a args
		var values []string
		for _, e := range b.events[start:min(start+rows, len(b.events))] {
			data, err := json.Marshal(e.data)
			if err != nil {
				return err
			}
			typ, id := actor(e.actor)
			values = append(values, "("+a.add(e.ticketID)+", "+a.add(string(e.data.EventKind()))+", "+a.add(string(typ))+", "+
				a.add(id)+", "+a.add(string(data))+", "+a.add(tx.now)+", "+a.add(e.changeID)+")")
		}
		if _, err := tx.exec(ctx, `INSERT INTO ticket_events (ticket_id, kind, actor_type, actor_id, data, created_at, change_id)
			VALUES `+strings.Join(values, ", "), a...); err != nil {
			return fmt.Errorf("add events: %w", err)
		}
	}
	for start := 0; start < len(b.slas); start += rows {
		var a args
		var values []string
		for _, t := range b.slas[start:min(start+rows, len(b.slas))] {
			text, due, risk, wake := slaColumns(t.SLA)
			values = append(values, "("+a.add(t.ID)+", "+a.add(t.SLA.PolicyID)+", "+a.add(*text)+", "+
				a.add(due)+", "+a.add(risk)+", "+a.add(wake)+", "+a.add(t.SLA.TimerAt)+")")
		}
		if _, err := tx.exec(ctx, `INSERT INTO ticket_sla (ticket_id, policy_id, sla, due_at, risk_at, wake_at, timer_at) VALUES `+
			strings.Join(values, ", ")+` ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id, sla = excluded.sla,
			due_at = excluded.due_at, risk_at = excluded.risk_at, wake_at = excluded.wake_at, timer_at = excluded.timer_at`, a...); err != nil {
			return fmt.Errorf("save service levels: %w", err)
		}
	}
	return enqueueMany(ctx, tx, b.jobs)
}

// enqueueMany queues jobs in tx, in one statement where the queue can.
func enqueueMany(ctx context.Context, tx *Tx, jobs []Job) error {
	if len(jobs) == 0 || tx.db.Jobs == nil {
		return nil
	}
	if many, ok := tx.db.Jobs.(interface {
		EnqueueMany(ctx context.Context, tx *Tx, jobs []Job) error
	}); ok {
		return many.EnqueueMany(ctx, tx, jobs)
	}
	for _, j := range jobs {
		if err := tx.db.Jobs.Enqueue(ctx, tx, j); err != nil {
			return err
		}
	}
	return nil
}
