package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/tendhq/tend"

	"github.com/tendhq/tend/internal/calendar"
)

// CalendarSchedule reads every version of calendar id, as the deadlines
// count by them.
func CalendarSchedule(db *DB, id int64) (s calendar.Schedule, err error) {
	ctx := context.Background()
	err = db.read(ctx, func(q *Tx) error {
		s, err = calendarSchedule(ctx, q, id)
		return err
	})
	return s, err
}

// PutUnderPolicy files tickets under policy policyID behind the change
// path's back, for tests of what refuses to delete a policy in use.
func PutUnderPolicy(db *DB, policyID int64, ticketIDs ...int64) error {
	ctx := context.Background()
	return db.write(ctx, func(tx *Tx) error {
		for _, id := range ticketIDs {
			if _, err := tx.exec(ctx, `INSERT INTO ticket_sla (ticket_id, policy_id, sla) VALUES ($2, $1, $3)
				ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id`,
				policyID, id, fmt.Sprintf(`{"policy_id":%d,"paused":false,"targets":[]}`, policyID)); err != nil {
				return err
			}
		}
		return nil
	})
}

// CountRows counts the rows of table.
func CountRows(db *DB, table string) (n int, err error) {
	ctx := context.Background()
	err = db.read(ctx, func(q *Tx) error {
		return q.queryRow(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	})
	return n, err
}

// PolicyOf returns the policy ticket id is filed under.
func PolicyOf(db *DB, ticketID int64) (id int64, err error) {
	ctx := context.Background()
	err = db.read(ctx, func(q *Tx) error {
		return q.queryRow(ctx, `SELECT policy_id FROM ticket_sla WHERE ticket_id = $1`, ticketID).Scan(&id)
	})
	return id, err
}

// SeedOpenTickets inserts n new tickets of one customer and fifty
// organizations, each with its
// creation in the history and no service levels yet, created at at: the
// data a recompute benchmark lays out.
func SeedOpenTickets(db *DB, n int, at time.Time) error {
	ctx := context.Background()
	return db.write(ctx, func(tx *Tx) error {
		var customer int64
		if err := tx.queryRow(ctx, `INSERT INTO customers (name, created_at, updated_at) VALUES ('Bench', $1, $1) RETURNING id`, at).Scan(&customer); err != nil {
			return err
		}
		series := `WITH RECURSIVE s (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $3) SELECT i FROM s`
		if db.engine == Postgres {
			series = `SELECT generate_series(1, $3::int) AS i`
		}
		base := `SELECT COALESCE(MAX(number), 999) FROM tickets`
		var first int64
		if err := tx.queryRow(ctx, base).Scan(&first); err != nil {
			return err
		}
		// Fifty organizations, one in five of the priority tier, take the
		// tickets in turn.
		const orgs = 50
		prefix := fmt.Sprintf("bench %d-", first)
		if _, err := tx.exec(ctx, `INSERT INTO organizations (name, name_key, tier, created_at, updated_at)
			SELECT $1 || i, $1 || i, CASE WHEN i % 5 = 0 THEN 'priority' ELSE 'standard' END, $2, $2 FROM (`+series+`) s`,
			prefix, at, orgs); err != nil {
			return err
		}
		var firstOrg int64
		if err := tx.queryRow(ctx, `SELECT MIN(id) FROM organizations WHERE name_key LIKE $1`, prefix+"%").Scan(&firstOrg); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO tickets (number, subject, status, priority, channel, customer_id, organization_id, tags, version,
			created_at, updated_at, reply_token)
			SELECT $4 + i, 'Bench ' || i, 'new', 'normal', 'email', $1, $5 + i % `+strconv.Itoa(orgs)+`, '', 1, $2, $2, 'bench' || ($4 + i)
			FROM (`+series+`) s`, customer, at, n, first, firstOrg); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO ticket_events (ticket_id, kind, actor_type, data, created_at, change_id)
			SELECT id, 'created', 'system', '{"status":"new","priority":"normal","channel":"email"}', created_at, '' FROM tickets WHERE number > $1`, first)
		return err
	})
}

// SLABreaches returns each sla_breached entry's deadline and when it was
// recorded.
func SLABreaches(db *DB) (due, at []time.Time, err error) {
	ctx := context.Background()
	err = db.read(ctx, func(q *Tx) error {
		events, err := queryAll(ctx, q, scanEvent, `SELECT id, ticket_id, kind, actor_type, actor_id, data, created_at, change_id
			FROM ticket_events WHERE kind = 'sla_breached' ORDER BY id`)
		for _, e := range events {
			due = append(due, e.Data.(tend.SLABreached).DueAt)
			at = append(at, e.CreatedAt)
		}
		return err
	})
	return due, at, err
}
