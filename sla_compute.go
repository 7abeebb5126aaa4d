package tend

import (
	"time"

	"github.com/tendhq/tend/internal/calendar"
)

// DefaultWarnShare is the share of a target after which it is at risk.
const DefaultWarnShare = 0.75

// DefaultGrace is the grace a reopened ticket's resolution target gets,
// already past, when its policy has no response target to take it from.
const DefaultGrace = time.Hour

// SLAInput is what a ticket's deadlines are computed from.
type SLAInput struct {
	Policy   *SLAPolicy
	Schedule calendar.Schedule
	// History is the ticket's history, oldest first, with the entries of
	// the change being made (at Now) at its end.
	History []*Event
	Now     time.Time
	// WarnShare is the share of a target after which it is at risk, 0 to 1.
	WarnShare float64
}

// SLAResult is where the ticket stands, and the warnings and breaches
// now due that its history does not yet hold.
type SLAResult struct {
	SLA    TicketSLA
	Record []EventData
}

// ComputeSLA folds a ticket's history into its targets, as if the policy
// had applied from the start. Every target starts when the ticket is
// created; the clocks count business time on the calendar's schedule,
// and stop while the ticket is pending (waiting on the customer) or
// marked spam.
//
//   - first response and next response are met by a public reply from
//     staff, never a note or anything Tend sends by itself; next response
//     starts with a customer message once the ticket has been answered;
//   - periodic update is met by the same replies, each starting the next;
//   - resolution is met by solving (or closing); a reopen resumes it with
//     the business time already used, and a target already past gets the
//     next response target's length as grace, so a reopen never breaches
//     at once;
//   - assignment is met when the ticket has an owner;
//   - solving stops every target; a merge into another ticket ends them.
//
// A target met after its deadline is breached; a breach recorded in the
// history stays, even if the target was met later or the policy is now
// kinder.
func ComputeSLA(in SLAInput) SLAResult {
	f := slaFold{in: in, clocks: map[TargetKind]*slaClock{}, recorded: map[slaCycle]bool{}, warned: map[slaCycle]bool{}}
	for _, e := range in.History {
		f.apply(e)
	}
	return f.result()
}

type slaCycle struct {
	kind  TargetKind
	cycle int
}

// slaClock is one round of one target.
type slaClock struct {
	kind  TargetKind
	cycle int
	// budget is the business time this round may use, warnBefore how much
	// of it is left when it is at risk.
	budget, warnBefore time.Duration
	used               time.Duration // counted before since
	since              *time.Time    // the clock runs from since; nil while paused
	active             bool          // neither met nor ended
	due                *time.Time    // fixed when the round stops
	met, breached      *time.Time
	stoppedAt          *time.Time
	// spent is the business time used in the rounds before this one (the
	// resolution target's, carried over a reopen).
	spent time.Duration
}

type slaFold struct {
	in       SLAInput
	clocks   map[TargetKind]*slaClock
	recorded map[slaCycle]bool
	warned   map[slaCycle]bool
	status   Status
	spam     bool
	answered bool
	merged   bool
}

func (f *slaFold) paused() bool { return f.status == StatusPending || f.spam }

func (f *slaFold) length(k TargetKind) time.Duration { return f.in.Policy.Targets.length(k) }

// start begins a new round of k at at, with budget to use.
func (f *slaFold) start(k TargetKind, at time.Time, budget, scale time.Duration) {
	if f.length(k) == 0 || f.merged {
		return
	}
	prev := f.clocks[k]
	c := &slaClock{kind: k, cycle: 1, budget: budget, active: true}
	if prev != nil {
		c.cycle = prev.cycle + 1
		c.spent = prev.spent + prev.used
	}
	c.warnBefore = time.Duration(float64(scale) * (1 - f.in.WarnShare))
	if !f.paused() {
		c.since = &at
	}
	f.clocks[k] = c
}

// count stops the running clock c at at, counting its business time and
// noting a deadline that passed before then.
func (f *slaFold) count(c *slaClock, at time.Time) {
	if c.since == nil {
		return
	}
	left := c.budget - c.used
	c.used += f.in.Schedule.Between(*c.since, at)
	if c.used > c.budget && c.breached == nil {
		due := f.in.Schedule.AsOf(at).Add(*c.since, left)
		c.breached = &due
	}
	c.since = nil
}

// stop ends the round of k at at, met or not.
func (f *slaFold) stop(k TargetKind, at time.Time, met bool) {
	c := f.clocks[k]
	if c == nil || !c.active {
		return
	}
	if c.since != nil {
		// As the calendar stood when the round stopped: a later edit
		// does not move a deadline already met or missed.
		due := f.in.Schedule.AsOf(at).Add(*c.since, c.budget-c.used)
		c.due = &due
	}
	f.count(c, at)
	if c.breached != nil {
		c.due = c.breached
	}
	c.active = false
	c.stoppedAt = &at
	if met {
		c.met = &at
	}
}

// meet meets k at at: its running round, or one that the same change
// stopped a moment before (solved as it was assigned or answered), whose
// entries come in the order the change wrote them.
func (f *slaFold) meet(k TargetKind, at time.Time) {
	c := f.clocks[k]
	if c != nil && !c.active && c.met == nil && c.stoppedAt != nil && c.stoppedAt.Equal(at) {
		c.met = &at
		return
	}
	f.stop(k, at, true)
}

func (f *slaFold) setPaused(at time.Time, change func()) {
	was := f.paused()
	change()
	now := f.paused()
	if was == now {
		return
	}
	for _, c := range f.clocks {
		if !c.active {
			continue
		}
		if now {
			f.count(c, at)
		} else if c.breached == nil {
			c.since = &at
		}
	}
}

func (f *slaFold) apply(e *Event) {
	at := e.CreatedAt
	switch d := e.Data.(type) {
	case TicketCreated:
		f.status = d.Status
		for _, k := range []TargetKind{TargetFirstResponse, TargetPeriodicUpdate, TargetResolution, TargetAssignment} {
			f.start(k, at, f.length(k), f.length(k))
		}
	case MessageAdded:
		if d.Kind != KindReply {
			return
		}
		switch {
		case d.AuthorType == AuthorAgent && e.ActorType != AuthorSystem:
			f.answered = true
			f.meet(TargetFirstResponse, at)
			f.meet(TargetNextResponse, at)
			f.meet(TargetPeriodicUpdate, at)
			if f.status.Unsolved() {
				f.start(TargetPeriodicUpdate, at, f.length(TargetPeriodicUpdate), f.length(TargetPeriodicUpdate))
			}
		case d.AuthorType == AuthorCustomer:
			f.awaitAnswer(at)
		}
	case StatusChanged:
		f.setPaused(at, func() { f.status = d.To })
		switch {
		case !d.To.Unsolved():
			// Spam is put away, not resolved (the spam entry comes first).
			f.stop(TargetResolution, at, !f.spam)
			for _, k := range []TargetKind{TargetFirstResponse, TargetNextResponse, TargetPeriodicUpdate, TargetAssignment} {
				f.stop(k, at, false)
			}
		case !d.From.Unsolved():
			f.reopen(at)
		}
	case OwnerChanged:
		if d.To != nil {
			f.meet(TargetAssignment, at)
		}
	case SpamMarked:
		f.setPaused(at, func() { f.spam = d.Spam })
	case TicketMerged:
		for _, k := range TargetKinds {
			f.stop(k, at, false)
		}
		f.merged = true
	case SLABreached:
		f.recorded[slaCycle{d.Target, d.Cycle}] = true
		if c := f.clocks[d.Target]; c != nil && c.cycle == d.Cycle && c.breached == nil {
			// The time until the entry counts as used: a reopen reads it
			// to give grace rather than a fresh target.
			f.count(c, at)
			due := d.DueAt
			c.breached = &due
		}
	case SLAWarning:
		f.warned[slaCycle{d.Target, d.Cycle}] = true
	}
}

// awaitAnswer starts the next response target at a customer message,
// once the ticket has had its first answer, unless a message before it
// still waits.
func (f *slaFold) awaitAnswer(at time.Time) {
	if !f.answered || !f.status.Unsolved() {
		return
	}
	if c := f.clocks[TargetNextResponse]; c != nil && c.active {
		return
	}
	f.start(TargetNextResponse, at, f.length(TargetNextResponse), f.length(TargetNextResponse))
}

// reopen resumes the resolution target with the business time already
// used, and starts fresh response and update targets.
func (f *slaFold) reopen(at time.Time) {
	f.answered = true
	f.start(TargetNextResponse, at, f.length(TargetNextResponse), f.length(TargetNextResponse))
	f.start(TargetPeriodicUpdate, at, f.length(TargetPeriodicUpdate), f.length(TargetPeriodicUpdate))
	length := f.length(TargetResolution)
	if length == 0 {
		return
	}
	var spent time.Duration
	if c := f.clocks[TargetResolution]; c != nil {
		spent = c.spent + c.used
	}
	if spent < length {
		f.start(TargetResolution, at, length-spent, length)
		return
	}
	grace := f.length(TargetNextResponse)
	if grace == 0 {
		grace = f.length(TargetFirstResponse)
	}
	if grace == 0 {
		grace = DefaultGrace
	}
	f.start(TargetResolution, at, grace, grace)
}

func (f *slaFold) result() SLAResult {
	now := f.in.Now
	r := SLAResult{SLA: TicketSLA{PolicyID: f.in.Policy.ID, Paused: f.paused(), Targets: []SLATarget{}}}
	anyActive := false
	for _, k := range TargetKinds {
		c := f.clocks[k]
		if c == nil {
			continue
		}
		t := SLATarget{Kind: k, Cycle: c.cycle, MetAt: c.met, DueAt: c.due, Ended: !c.active && c.met == nil}
		if c.active {
			anyActive = true
			if c.since != nil && c.breached == nil {
				due := f.in.Schedule.Add(*c.since, c.budget-c.used)
				if !due.IsZero() {
					t.DueAt = &due
					if !now.Before(due) {
						c.breached = &due
					} else {
						warn := f.in.Schedule.Add(*c.since, max(0, c.budget-c.used-c.warnBefore))
						t.WarnAt = &warn
					}
				}
			}
		}
		if c.breached != nil {
			t.BreachedAt, t.DueAt, t.WarnAt = c.breached, c.breached, nil
		}
		if !c.active && c.met == nil && c.breached == nil {
			continue // stopped unmet in time: no promise left to show
		}
		r.SLA.Targets = append(r.SLA.Targets, t)

		key := slaCycle{k, c.cycle}
		fresh := c.active || (c.stoppedAt != nil && c.stoppedAt.Equal(now))
		switch {
		case c.breached != nil && !f.recorded[key] && fresh:
			r.Record = append(r.Record, SLABreached{Target: k, Cycle: c.cycle, DueAt: *c.breached})
		case t.WarnAt != nil && !now.Before(*t.WarnAt) && !f.warned[key] && !f.recorded[key]:
			r.Record = append(r.Record, SLAWarning{Target: k, Cycle: c.cycle, DueAt: *t.DueAt})
			f.warned[key] = true
		}
		last := &r.SLA.Targets[len(r.SLA.Targets)-1]
		last.Warned = f.warned[key]
	}
	r.SLA.Paused = r.SLA.Paused && anyActive
	return r
}
