package sqldb

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/calendar"
)

// slaKinds are the history entries a ticket's deadlines are folded from
// (tend.ComputeSLA); slaInputKinds, with those that can change which
// policy applies, are the entries after which a change lays them out
// again.
var (
	slaKinds = []tend.EventKind{tend.EventCreated, tend.EventStatusChanged, tend.EventMessageAdded,
		tend.EventOwnerChanged, tend.EventSpam, tend.EventMerged, tend.EventSLABreached, tend.EventSLAWarning}
	slaInputKinds = append([]tend.EventKind{tend.EventPriorityChanged, tend.EventTeamChanged, tend.EventTagsChanged,
		tend.EventFieldChanged, tend.EventCustomerMerged}, slaKinds...)
	slaKindList = func() string {
		quoted := make([]string, len(slaKinds))
		for i, k := range slaKinds {
			quoted[i] = "'" + string(k) + "'"
		}
		return strings.Join(quoted, ", ")
	}()
)

// SLATimer is the durable job that looks at a ticket when a warning
// point or deadline of its service levels comes (At). It records what is
// due then, once, under the ticket's lock; a deadline that moved since
// makes it do nothing, so a moved deadline needs no job to be removed.
type SLATimer struct {
	TicketID int64     `json:"ticket_id"`
	At       time.Time `json:"at"`
}

// Kind names the job for the queue.
func (SLATimer) Kind() string { return "sla_timer" }

// RunAt is when the job is due.
func (j SLATimer) RunAt() time.Time { return j.At }

// settleSLA lays the ticket's deadlines out again from its history and
// the change's entries, when they can have moved, and adds to the change
// the warnings and breaches now due. reason, when not empty, says why a
// recompute was asked for (a timer, an edited calendar); it is recorded
// if the deadlines moved.
func (c *change) settleSLA(ctx context.Context, reason string) error {
	if reason == "" && c.loaded.SLA != nil && !c.touchesSLA() {
		return nil
	}
	tx, t := c.tx, c.t
	var history []*tend.Event
	if tx.batch != nil && tx.batch.tickets[t.ID] == t {
		history = tx.batch.history[t.ID]
	} else {
		var err error
		history, err = queryAll(ctx, tx, scanEvent, `SELECT id, ticket_id, kind, actor_type, actor_id, data, created_at, change_id
			FROM ticket_events WHERE ticket_id = $1 AND kind IN (`+slaKindList+`) ORDER BY id`, t.ID)
		if err != nil {
			return fmt.Errorf("read history for service levels: %w", err)
		}
	}
	for _, e := range c.entries {
		typ, id := actor(e.actor)
		history = append(history, &tend.Event{TicketID: t.ID, Kind: e.data.EventKind(), ActorType: typ, ActorID: id, Data: e.data, CreatedAt: tx.now})
	}
	res, err := layOutSLA(ctx, tx, t, history)
	if err != nil {
		return err
	}
	system := tend.Principal{System: true}
	if old := c.loaded.SLA; old != nil && t.MergedIntoID == nil {
		switch {
		case old.PolicyID != res.SLA.PolicyID:
			from := old.PolicyID
			c.recordAs(system, tend.SLARecomputed{FromPolicyID: &from, FromPolicy: tx.sla.policyName(from),
				PolicyID: res.SLA.PolicyID, Policy: tx.sla.policyName(res.SLA.PolicyID), Reason: "another policy applies"})
		case reason != "" && reason != slaTimerReason && !sameDeadlines(old, &res.SLA):
			c.recordAs(system, tend.SLARecomputed{PolicyID: res.SLA.PolicyID, Policy: tx.sla.policyName(res.SLA.PolicyID), Reason: reason})
		}
	}
	for _, d := range res.Record {
		c.recordAs(system, d)
	}
	t.SLA = &res.SLA
	return nil
}

const slaTimerReason = "timer"

// touchesSLA reports whether an entry of the change can move a deadline.
func (c *change) touchesSLA() bool {
	for _, e := range c.entries {
		for _, k := range slaInputKinds {
			if e.data.EventKind() == k {
				return true
			}
		}
	}
	return false
}

// slaSetup is what deadlines are laid out by: the policies in order, the
// schedules of their calendars, and the share of a target that is at risk.
// It is read once per transaction, or taken from the cache of the last
// one read (DB.slaCache) while nothing changed since; it is not changed
// once made.
type slaSetup struct {
	gen       int64
	policies  []*tend.SLAPolicy
	schedules map[int64]calendar.Schedule
	share     float64
}

// policyName is the name of policy id, "" when there is none now.
func (s *slaSetup) policyName(id int64) string {
	for _, p := range s.policies {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

// slaSetupOf returns the setup for tx. fresh reads it from the database
// whatever the cache holds, as a recompute after an edit must.
func slaSetupOf(ctx context.Context, tx *Tx, fresh bool) (*slaSetup, error) {
	if tx.sla != nil {
		return tx.sla, nil
	}
	gen := tx.db.slaGen.Load()
	if c := tx.db.slaCache.Load(); c != nil && c.gen == gen && !fresh {
		tx.sla = c
		return c, nil
	}
	policies, err := findSLAPolicies(ctx, tx)
	if err != nil {
		return nil, err
	}
	share, err := warnShare(ctx, tx)
	if err != nil {
		return nil, err
	}
	s := &slaSetup{gen: gen, policies: policies, schedules: map[int64]calendar.Schedule{}, share: share}
	for _, p := range policies {
		if _, ok := s.schedules[p.CalendarID]; ok {
			continue
		}
		if s.schedules[p.CalendarID], err = calendarSchedule(ctx, tx, p.CalendarID); err != nil {
			return nil, err
		}
	}
	tx.sla = s
	tx.db.slaCache.Store(s)
	return s, nil
}

// writeSLASetup is write for a change to the service-level setup: the
// cache of the setup read before it, or while it was written, is dropped.
func (db *DB) writeSLASetup(ctx context.Context, fn func(tx *Tx) error) error {
	db.slaGen.Add(1)
	defer db.slaGen.Add(1)
	return db.write(ctx, fn)
}

// layOutSLA computes t's service levels from history: the policy that
// applies to t as it is now, counted on its calendar's schedule.
func layOutSLA(ctx context.Context, tx *Tx, t *tend.Ticket, history []*tend.Event) (tend.SLAResult, error) {
	setup, err := slaSetupOf(ctx, tx, tx.batch != nil)
	if err != nil {
		return tend.SLAResult{}, err
	}
	policies := setup.policies
	var tier tend.Tier
	if t.OrganizationID != nil && tx.batch != nil {
		tier = tx.batch.tiers[*t.OrganizationID]
	} else if t.OrganizationID != nil {
		var s string
		if err := tx.queryRow(ctx, `SELECT tier FROM organizations WHERE id = $1`, *t.OrganizationID).Scan(&s); err != nil {
			return tend.SLAResult{}, fmt.Errorf("organization tier: %w", err)
		}
		tier = tend.Tier(s)
	}
	policy := tend.ChoosePolicy(policies, t, tier)
	if policy == nil {
		return tend.SLAResult{}, fmt.Errorf("no default service-level policy")
	}
	schedule := setup.schedules[policy.CalendarID]
	return tend.ComputeSLA(tend.SLAInput{Policy: policy, Schedule: schedule, History: history, Now: tx.now, WarnShare: setup.share}), nil
}

// warnShare reads the share of a target after which it is at risk.
func warnShare(ctx context.Context, q *Tx) (float64, error) {
	v, err := getSetting(ctx, q, "sla_warn_percent")
	if err != nil || v == "" {
		return tend.DefaultWarnShare, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return tend.DefaultWarnShare, nil
	}
	return float64(n) / 100, nil
}

// sameDeadlines reports whether a and b promise the same.
func sameDeadlines(a, b *tend.TicketSLA) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.PolicyID != b.PolicyID || a.Paused != b.Paused || len(a.Targets) != len(b.Targets) {
		return false
	}
	for i, x := range a.Targets {
		y := b.Targets[i]
		if x.Kind != y.Kind || x.Cycle != y.Cycle || x.Warned != y.Warned || !sameInstant(x.DueAt, y.DueAt) ||
			!sameInstant(x.MetAt, y.MetAt) || !sameInstant(x.BreachedAt, y.BreachedAt) || !sameInstant(x.WarnAt, y.WarnAt) {
			return false
		}
	}
	return true
}

// slaColumns are the values of the tickets' sla columns for s.
func slaColumns(s *tend.TicketSLA) (text *string, due, risk, wake *time.Time) {
	if s == nil {
		return nil, nil, nil, nil
	}
	str := encodeSLA(s)
	return &str, s.Deadline(), s.RiskAt(), s.WakeAt()
}

// SLATimerHorizon is how far ahead timer jobs are queued: a wake-up
// sooner than this gets its job from the change that sets it, a later one
// from the sweep that runs every SLASweepInterval.
const (
	SLATimerHorizon  = time.Hour
	SLASweepInterval = time.Minute
)

// scheduleSLATimer queues the ticket's timer job for its next wake-up,
// if it comes within the horizon and no job already queued comes sooner:
// that one finds what is due, or nothing, and queues the next (a timer's
// own change, c.timerAt, passes the turn on). So a deadline that moves
// later queues nothing. It reports whether the ticket's timer moved.
func (c *change) scheduleSLATimer(ctx context.Context) (bool, error) {
	t := c.t
	if t.SLA == nil {
		return false, nil
	}
	var was *time.Time
	if c.loaded.SLA != nil {
		was = c.loaded.SLA.TimerAt
	}
	queued := was
	if c.timerAt != nil && queued != nil && queued.Equal(*c.timerAt) {
		queued = nil // this is that job
	}
	t.SLA.TimerAt = queued
	wake := t.SLA.WakeAt()
	// A wake-up beyond the horizon is queued later by the sweep
	// (QueueDueTimers), from ticket_sla.wake_at, which this change writes:
	// most changes then queue no job at all.
	near := wake != nil && wake.Before(c.tx.now.Add(SLATimerHorizon))
	if near && (queued == nil || wake.Before(*queued)) && c.tx.db.Jobs != nil {
		job := SLATimer{TicketID: t.ID, At: *wake}
		if c.tx.batch != nil {
			c.tx.batch.jobs = append(c.tx.batch.jobs, job)
		} else if err := c.tx.db.Jobs.Enqueue(ctx, c.tx, job); err != nil {
			return false, err
		}
		t.SLA.TimerAt = wake
	}
	return !sameInstant(was, t.SLA.TimerAt), nil
}

func sameInstant(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }

// settleNewTicket lays out the deadlines of a ticket just created, whose
// history is its creation.
func settleNewTicket(ctx context.Context, tx *Tx, t *tend.Ticket, created *tend.Event) error {
	res, err := layOutSLA(ctx, tx, t, []*tend.Event{created})
	if err != nil {
		return err
	}
	for _, d := range res.Record {
		if err := tx.addEvent(ctx, tend.Principal{System: true}, t.ID, d); err != nil {
			return err
		}
	}
	t.SLA = &res.SLA
	c := &change{tx: tx, t: t}
	if _, err := c.scheduleSLATimer(ctx); err != nil {
		return err
	}
	return saveSLA(ctx, tx, t)
}

// saveSLA writes the ticket's service levels.
func saveSLA(ctx context.Context, tx *Tx, t *tend.Ticket) error {
	if tx.batch != nil && t.SLA != nil {
		tx.batch.slas = append(tx.batch.slas, t)
		return nil
	}
	if t.SLA == nil {
		_, err := tx.exec(ctx, `DELETE FROM ticket_sla WHERE ticket_id = $1`, t.ID)
		return err
	}
	text, due, risk, wake := slaColumns(t.SLA)
	_, err := tx.exec(ctx, `INSERT INTO ticket_sla (ticket_id, policy_id, sla, due_at, risk_at, wake_at, timer_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`+upsertSLA,
		t.ID, t.SLA.PolicyID, *text, due, risk, wake, t.SLA.TimerAt)
	if err != nil {
		return fmt.Errorf("save service levels: %w", err)
	}
	return nil
}

// scanSLA reads the sla column.
func scanSLA(text *string) (*tend.TicketSLA, error) {
	if text == nil || *text == "" {
		return nil, nil
	}
	return decodeSLA(*text)
}

// SettleSLA is the timer's look at ticket id, woken for at: it records
// the warnings and breaches due now, once, under the ticket's lock, and
// lays out the next. It returns how long to wait when at has not yet come
// by the database's clock, and the ticket still wants a look then.
func (s *TicketService) SettleSLA(ctx context.Context, id int64, at time.Time) (wait time.Duration, err error) {
	var notices []tend.TicketChange
	err = s.db.write(ctx, func(tx *Tx) error {
		wait = 0
		if tx.now.Before(at) {
			// Woken early by River's clock: nothing is due yet.
			wait = at.Sub(tx.now)
			return nil
		}
		c, err := changeTicket(ctx, tx, tend.Principal{System: true}, id, nil)
		if err != nil {
			return err
		}
		c.slaReason, c.timerAt = slaTimerReason, &at
		if err := c.commit(ctx); err != nil {
			return err
		}
		notices = c.notices
		return nil
	})
	if err == nil {
		s.notify(notices...)
	}
	return wait, err
}

// SLARecompute is the durable job that lays out again the deadlines of
// every open ticket after a calendar or policy changed, in batches.
type SLARecompute struct {
	Reason string `json:"reason"`
}

// Kind names the job for the queue.
func (SLARecompute) Kind() string { return "sla_recompute" }

// queueSLARecompute asks, in the transaction of the edit, for the open
// tickets' deadlines to be laid out again.
func queueSLARecompute(ctx context.Context, tx *Tx, reason string) error {
	if tx.db.Jobs == nil {
		return nil
	}
	return tx.db.Jobs.Enqueue(ctx, tx, SLARecompute{Reason: reason})
}

// slaBatch is how many tickets one transaction of a recompute lays out.
const slaBatch = 500

// RecomputeSLA lays out again the deadlines of every open ticket, or of
// every open ticket without any yet when onlyMissing, for reason. It
// returns how many tickets it looked at.
func (s *TicketService) RecomputeSLA(ctx context.Context, reason string, onlyMissing bool) (int, error) {
	// In id order, through the table itself: by the index on status, each
	// batch would read every open ticket to sort them by id.
	where := `status || '' IN ('new', 'open', 'pending', 'on_hold') AND merged_into_id IS NULL`
	if onlyMissing {
		where += ` AND NOT EXISTS (SELECT 1 FROM ticket_sla ts WHERE ts.ticket_id = tickets.id)`
	}
	// On PostgreSQL two batches go at once: while the server writes one,
	// Tend lays out the next. SQLite has one writer.
	workers := 1
	if s.db.engine == Postgres {
		workers = 2
	}
	batches := make(chan []int64)
	var n atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(batches)
		for after := int64(0); ; {
			var ids []int64
			err := s.db.read(gctx, func(q *Tx) (err error) {
				ids, err = queryAll(gctx, q, scanID, `SELECT id FROM tickets WHERE `+where+` AND id > $1 ORDER BY id LIMIT $2`, after, slaBatch)
				return err
			})
			if err != nil || len(ids) == 0 {
				return err
			}
			select {
			case batches <- ids:
			case <-gctx.Done():
				return gctx.Err()
			}
			if len(ids) < slaBatch {
				return nil
			}
			after = ids[len(ids)-1]
		}
	})
	for range workers {
		g.Go(func() error {
			for ids := range batches {
				if err := s.recomputeBatch(gctx, ids, reason); err != nil {
					return err
				}
				n.Add(int64(len(ids)))
			}
			return nil
		})
	}
	err := g.Wait()
	return int(n.Load()), err
}

// LayOutMissingSLA lays out, once, the open tickets that have no service
// levels: those from before them. Every ticket made since gets its own
// when it is created, so later starts skip the scan of every ticket.
func (s *TicketService) LayOutMissingSLA(ctx context.Context) (int, error) {
	var done string
	if err := s.db.read(ctx, func(q *Tx) (err error) { done, err = getSetting(ctx, q, "sla_laid_out"); return err }); err != nil || done != "" {
		return 0, err
	}
	n, err := s.RecomputeSLA(ctx, "", true)
	if err != nil {
		return n, err
	}
	return n, s.db.write(ctx, func(tx *Tx) error { return setSetting(ctx, tx, "sla_laid_out", "1") })
}

// recomputeBatch lays out again the deadlines of tickets ids that are
// still open, in one transaction.
func (s *TicketService) recomputeBatch(ctx context.Context, ids []int64, reason string) error {
	return s.db.write(ctx, func(tx *Tx) error {
		if err := startBatch(ctx, tx, ids); err != nil {
			return err
		}
		for _, id := range ids {
			t, ok := tx.batch.tickets[id]
			if !ok || !t.Status.Unsolved() || t.MergedIntoID != nil {
				continue // gone, or solved since it was listed
			}
			c, err := changeTicket(ctx, tx, tend.Principal{System: true}, id, nil)
			if err != nil {
				return err
			}
			c.slaReason = reason
			if err := c.commit(ctx); err != nil {
				return err
			}
		}
		return flushBatch(ctx, tx)
	})
}

// SLASweep is the periodic job that queues the timer jobs of the
// wake-ups coming within the horizon that have none yet.
type SLASweep struct{}

// Kind names the job for the queue.
func (SLASweep) Kind() string { return "sla_sweep" }

// QueueDueTimers queues a timer job for each ticket whose next wake-up
// comes within the horizon and has no job queued for it or before it, and
// returns how many it queued.
func (s *TicketService) QueueDueTimers(ctx context.Context) (int, error) {
	n := 0
	for {
		var due []SLATimer
		err := s.db.write(ctx, func(tx *Tx) (err error) {
			due, err = queryAll(ctx, tx, func(r row) (j SLATimer, err error) { return j, r.Scan(&j.TicketID, &j.At) },
				`SELECT ticket_id, wake_at FROM ticket_sla WHERE wake_at < $1 AND (timer_at IS NULL OR timer_at > wake_at)
				ORDER BY wake_at LIMIT 500`, tx.now.Add(SLATimerHorizon))
			if err != nil || len(due) == 0 || tx.db.Jobs == nil {
				return err
			}
			jobs := make([]Job, len(due))
			for i, j := range due {
				jobs[i] = j
				if _, err := tx.exec(ctx, `UPDATE ticket_sla SET timer_at = $2 WHERE ticket_id = $1`, j.TicketID, j.At); err != nil {
					return err
				}
			}
			return enqueueMany(ctx, tx, jobs)
		})
		if err != nil {
			return n, err
		}
		n += len(due)
		if len(due) < 500 {
			return n, nil
		}
	}
}
