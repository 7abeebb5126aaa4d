package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
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
	tiers   map[int64]tend.Tier     // of the tickets' organizations
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
	b := &changeBatch{tickets: map[int64]*tend.Ticket{}, history: map[int64][]*tend.Event{}, tiers: map[int64]tend.Tier{}}
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
	var orgs []int64
	for _, t := range tickets {
		b.tickets[t.ID] = t
		if t.OrganizationID != nil {
			orgs = append(orgs, *t.OrganizationID)
		}
	}
	if len(orgs) > 0 {
		type orgTier struct {
			id   int64
			tier string
		}
		tiers, err := queryAll(ctx, tx, func(r row) (o orgTier, err error) { return o, r.Scan(&o.id, &o.tier) },
			`SELECT id, tier FROM organizations WHERE id IN (`+idList(orgs)+`)`)
		if err != nil {
			return fmt.Errorf("organization tiers: %w", err)
		}
		for _, o := range tiers {
			b.tiers[o.id] = tend.Tier(o.tier)
		}
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
	if err := insertEvents(ctx, tx, b.events); err != nil {
		return fmt.Errorf("add events: %w", err)
	}
	if err := upsertSLAs(ctx, tx, b.slas); err != nil {
		return fmt.Errorf("save service levels: %w", err)
	}
	return enqueueMany(ctx, tx, b.jobs)
}

// rowsPerStatement is how many rows one SQLite insert writes: SQLite
// finds each numbered parameter by a walk of the others, so the cost of a
// statement grows with the square of its rows.
const rowsPerStatement = 16

func insertEvents(ctx context.Context, tx *Tx, events []batchEvent) error {
	rows := make([][]any, len(events))
	for i, e := range events {
		data, err := json.Marshal(e.data)
		if err != nil {
			return err
		}
		typ, id := actor(e.actor)
		rows[i] = []any{e.ticketID, string(e.data.EventKind()), string(typ), id, string(data), tx.now, e.changeID}
	}
	columns := []string{"ticket_id", "kind", "actor_type", "actor_id", "data", "created_at", "change_id"}
	if pg, ok := tx.native.(pgx.Tx); ok {
		_, err := pg.CopyFrom(ctx, pgx.Identifier{"ticket_events"}, columns, pgx.CopyFromRows(rows))
		return err
	}
	return insertValues(ctx, tx, `INSERT INTO ticket_events (`+strings.Join(columns, ", ")+`) VALUES `, rows, "")
}

// insertValues runs insert (up to VALUES) with rows, then tail, in
// statements of rowsPerStatement rows.
func insertValues(ctx context.Context, tx *Tx, insert string, rows [][]any, tail string) error {
	for start := 0; start < len(rows); start += rowsPerStatement {
		var a args
		var values []string
		for _, r := range rows[start:min(start+rowsPerStatement, len(rows))] {
			values = append(values, "("+list(&a, r)+")")
		}
		if _, err := tx.exec(ctx, insert+strings.Join(values, ", ")+tail, a...); err != nil {
			return err
		}
	}
	return nil
}

const upsertSLA = ` ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id, sla = excluded.sla,
	due_at = excluded.due_at, risk_at = excluded.risk_at, wake_at = excluded.wake_at, timer_at = excluded.timer_at`

// upsertSLAs saves the service levels of tickets: on PostgreSQL in one
// statement of arrays, on SQLite in a few of rows.
func upsertSLAs(ctx context.Context, tx *Tx, tickets []*tend.Ticket) error {
	if len(tickets) == 0 {
		return nil
	}
	if _, ok := tx.native.(pgx.Tx); ok {
		n := len(tickets)
		ids, policies, texts := make([]int64, n), make([]int64, n), make([]string, n)
		var times [4][]pgtype.Timestamptz
		for i := range times {
			times[i] = make([]pgtype.Timestamptz, n)
		}
		for i, t := range tickets {
			text, due, risk, wake := slaColumns(t.SLA)
			ids[i], policies[i], texts[i] = t.ID, t.SLA.PolicyID, *text
			for j, at := range []*time.Time{due, risk, wake, t.SLA.TimerAt} {
				if at != nil {
					times[j][i] = pgtype.Timestamptz{Time: *at, Valid: true}
				}
			}
		}
		_, err := tx.exec(ctx, `INSERT INTO ticket_sla (ticket_id, policy_id, sla, due_at, risk_at, wake_at, timer_at)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[])`+upsertSLA,
			ids, policies, texts, times[0], times[1], times[2], times[3])
		return err
	}
	rows := make([][]any, len(tickets))
	for i, t := range tickets {
		text, due, risk, wake := slaColumns(t.SLA)
		rows[i] = []any{t.ID, t.SLA.PolicyID, *text, due, risk, wake, t.SLA.TimerAt}
	}
	return insertValues(ctx, tx, `INSERT INTO ticket_sla (ticket_id, policy_id, sla, due_at, risk_at, wake_at, timer_at) VALUES `, rows, upsertSLA)
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
