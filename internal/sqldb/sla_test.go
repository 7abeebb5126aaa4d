package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/jobs"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func minutes(n int) *int { return &n }

// slaEnv is a desk whose default policy promises a first response in an
// hour, a next response in half an hour and a resolution in four hours,
// on the 24/7 calendar, with the clock in the test's hands.
type slaEnv struct {
	*env
	clock    *sqldbtest.Clock
	policies *sqldb.SLAPolicyService
	agent    *tend.Agent
}

func newSLAEnv(t *testing.T, db *sqldb.DB) *slaEnv {
	t.Helper()
	e := &slaEnv{env: newEnv(t, db), clock: sqldbtest.NewClock(db), policies: sqldb.NewSLAPolicyService(db)}
	e.agent = e.mustAgent(t, "ann", tend.RoleLead)
	targets := tend.Targets{FirstResponse: minutes(60), NextResponse: minutes(30), Resolution: minutes(240)}
	if _, err := e.policies.UpdateSLAPolicy(as(e.agent), 1, &tend.SLAPolicyPatch{Targets: &targets}); err != nil {
		t.Fatal(err)
	}
	return e
}

// target reads ticket id's target of kind as it stands.
func (e *slaEnv) target(t *testing.T, id int64, kind tend.TargetKind) *tend.SLATarget {
	t.Helper()
	tk, err := e.tickets.FindTicketByID(as(e.agent), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk.SLA.Target(kind)
}

// count counts ticket id's history entries of kind.
func (e *slaEnv) count(t *testing.T, id int64, kind tend.EventKind) int {
	t.Helper()
	events, _, err := e.tickets.FindTicketEvents(as(e.agent), id, "", 200)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

func (e *slaEnv) after(d time.Duration) time.Time { return e.clock.Now().Add(d) }

func wantDue(t *testing.T, what string, got *tend.SLATarget, want time.Time) {
	t.Helper()
	if got == nil || got.DueAt == nil || !got.DueAt.Equal(want) {
		t.Fatalf("%s: target %+v, want due %s", what, got, want.Format(time.DateTime))
	}
}

func TestSLADeadlinesFollowTheHistory(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newSLAEnv(t, db)
		actx := as(e.agent)
		start := e.clock.Now()
		tk := e.mustTicket(t, system, "Cannot print", "bob@example.com", "The tray sticks.")
		wantDue(t, "a new ticket", e.target(t, tk.ID, tend.TargetFirstResponse), start.Add(time.Hour))
		wantDue(t, "a new ticket", e.target(t, tk.ID, tend.TargetResolution), start.Add(4*time.Hour))

		// An internal note answers nobody.
		e.clock.Advance(5 * time.Minute)
		if _, err := e.tickets.AddMessage(actx, tk.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "Asked the vendor."}); err != nil {
			t.Fatal(err)
		}
		if got := e.target(t, tk.ID, tend.TargetFirstResponse); got.MetAt != nil {
			t.Fatalf("a note met the first response: %+v", got)
		}

		// Pending for 100 minutes moves every deadline by 100 minutes.
		e.clock.Advance(5 * time.Minute)
		pending := tend.StatusPending
		if _, err := e.tickets.UpdateTicket(actx, tk.ID, &tend.TicketUpdate{Status: &pending}); err != nil {
			t.Fatal(err)
		}
		paused, _ := e.tickets.FindTicketByID(actx, tk.ID)
		if !paused.SLA.Paused || paused.SLA.Target(tend.TargetFirstResponse).DueAt != nil {
			t.Fatalf("pending: %+v", paused.SLA)
		}
		e.clock.Advance(100 * time.Minute)
		if _, err := e.tickets.AddMessage(asCustomer(tk.CustomerID), tk.ID, &tend.MessageCreate{Kind: tend.KindReply, Body: "Still stuck."}); err != nil {
			t.Fatal(err)
		}
		wantDue(t, "after the customer's reply", e.target(t, tk.ID, tend.TargetFirstResponse), start.Add(160*time.Minute))
		wantDue(t, "after the customer's reply", e.target(t, tk.ID, tend.TargetResolution), start.Add(340*time.Minute))

		// The agent's public reply meets it, on time.
		e.clock.Advance(10 * time.Minute)
		if _, err := e.tickets.AddMessage(actx, tk.ID, &tend.MessageCreate{Kind: tend.KindReply, Body: "Try the rear tray."}); err != nil {
			t.Fatal(err)
		}
		first := e.target(t, tk.ID, tend.TargetFirstResponse)
		if first.MetAt == nil || !first.MetAt.Equal(e.clock.Now()) || first.BreachedAt != nil {
			t.Fatalf("first response after the reply: %+v", first)
		}
		// The customer writes again: a next response is owed in 30 minutes.
		e.clock.Advance(time.Minute)
		if _, err := e.tickets.AddMessage(asCustomer(tk.CustomerID), tk.ID, &tend.MessageCreate{Kind: tend.KindReply, Body: "No luck."}); err != nil {
			t.Fatal(err)
		}
		wantDue(t, "after the customer wrote again", e.target(t, tk.ID, tend.TargetNextResponse), e.after(30*time.Minute))

		// The customer sees none of the desk's own deadlines and warning points.
		mine, err := e.tickets.FindTicketByID(asCustomer(tk.CustomerID), tk.ID)
		if err != nil || mine.SLA != nil {
			t.Fatalf("the customer's view: %+v, %v", mine, err)
		}
		list, _, err := e.tickets.FindTickets(asCustomer(tk.CustomerID), tend.TicketFilter{})
		if err != nil || len(list) != 1 || list[0].SLA != nil {
			t.Fatalf("the customer's list: %+v, %v", list, err)
		}
	})
}

func TestSLABreachRecordedOnce(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newSLAEnv(t, db)
		start := e.clock.Now()
		tk := e.mustTicket(t, system, "Cannot print", "bob@example.com", "The tray sticks.")

		// Open pages hear of what the timers record.
		var told []tend.TicketChange
		e.tickets.Notify = func(c tend.TicketChange) { told = append(told, c) }

		// At 75% of the hour the warning is due; the timer records it once.
		e.clock.Advance(46 * time.Minute)
		for range 2 {
			if _, err := e.tickets.SettleSLA(system, tk.ID, start.Add(45*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.count(t, tk.ID, tend.EventSLAWarning); n != 1 {
			t.Fatalf("%d warnings, want 1", n)
		}
		if len(told) != 1 || told[0].TicketID != tk.ID {
			t.Fatalf("listeners heard %+v of the warning, want one change of ticket %d", told, tk.ID)
		}
		// A timer that wakes too early, by the database's clock, is told to wait.
		wait, err := e.tickets.SettleSLA(system, tk.ID, start.Add(time.Hour))
		if err != nil || wait != 14*time.Minute {
			t.Fatalf("early timer: wait %s, %v; want 14m", wait, err)
		}
		e.clock.Advance(15 * time.Minute)
		for range 3 {
			if _, err := e.tickets.SettleSLA(system, tk.ID, start.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.count(t, tk.ID, tend.EventSLABreached); n != 1 {
			t.Fatalf("%d breaches after three timers, want 1", n)
		}
		// Met later, it stays breached, and nothing is recorded again.
		if _, err := e.tickets.AddMessage(as(e.agent), tk.ID, &tend.MessageCreate{Kind: tend.KindReply, Body: "Sorry for the wait."}); err != nil {
			t.Fatal(err)
		}
		first := e.target(t, tk.ID, tend.TargetFirstResponse)
		if first.MetAt == nil || first.BreachedAt == nil || !first.BreachedAt.Equal(start.Add(time.Hour)) {
			t.Fatalf("met late: %+v", first)
		}
		if n := e.count(t, tk.ID, tend.EventSLABreached); n != 1 {
			t.Fatalf("%d breaches after the late reply, want 1", n)
		}
	})
}

func TestSLARecomputedOnAnotherPolicy(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newSLAEnv(t, db)
		actx := as(e.agent)
		urgent, err := e.policies.CreateSLAPolicy(actx, &tend.SLAPolicyInput{Name: "Urgent", Position: 1, CalendarID: 1,
			Conditions: tend.PolicyConditions{Priorities: []tend.Priority{tend.PriorityUrgent}}, Targets: tend.Targets{FirstResponse: minutes(15)}})
		if err != nil {
			t.Fatal(err)
		}
		start := e.clock.Now()
		tk := e.mustTicket(t, system, "Site down", "bob@example.com", "Nothing loads.")
		wantDue(t, "a normal ticket", e.target(t, tk.ID, tend.TargetFirstResponse), start.Add(time.Hour))

		// Raised to urgent ten minutes in: as if urgent from the start, 5 minutes are left.
		e.clock.Advance(10 * time.Minute)
		p := tend.PriorityUrgent
		got, err := e.tickets.UpdateTicket(actx, tk.ID, &tend.TicketUpdate{Priority: &p})
		if err != nil {
			t.Fatal(err)
		}
		if got.SLA.PolicyID != urgent.ID {
			t.Fatalf("policy %d, want %d", got.SLA.PolicyID, urgent.ID)
		}
		wantDue(t, "raised to urgent", got.SLA.Target(tend.TargetFirstResponse), start.Add(15*time.Minute))
		if got.SLA.Target(tend.TargetResolution) != nil {
			t.Errorf("the urgent policy has no resolution target, got %+v", got.SLA)
		}
		if n := e.count(t, tk.ID, tend.EventSLARecomputed); n != 1 {
			t.Fatalf("%d sla_recomputed entries, want 1", n)
		}
		// The entry keeps the policies' names, for a history read after
		// either is deleted.
		events, _, err := e.tickets.FindTicketEvents(actx, tk.ID, "", 200)
		if err != nil {
			t.Fatal(err)
		}
		named := 0
		for _, ev := range events {
			if d, ok := ev.Data.(tend.SLARecomputed); ok {
				named++
				if d.Policy != "Urgent" || d.FromPolicy != "Default" {
					t.Errorf("sla_recomputed names %q in place of %q", d.Policy, d.FromPolicy)
				}
			}
		}
		if named != 1 {
			t.Errorf("%d sla_recomputed entries read back", named)
		}
	})
}

func TestSLAReopenGetsGrace(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newSLAEnv(t, db)
		actx := as(e.agent)
		tk := e.mustTicket(t, system, "Invoice wrong", "bob@example.com", "Twice charged.")
		e.clock.Advance(10 * time.Minute)
		if _, err := e.tickets.AddMessage(actx, tk.ID, &tend.MessageCreate{Kind: tend.KindReply, Body: "Refunded."}); err != nil {
			t.Fatal(err)
		}
		// Solved late: the resolution target is breached, recorded by the change.
		e.clock.Advance(5 * time.Hour)
		solved := tend.StatusSolved
		if _, err := e.tickets.UpdateTicket(actx, tk.ID, &tend.TicketUpdate{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, tk.ID, tend.EventSLABreached); n != 1 {
			t.Fatalf("%d breaches after solving late, want 1", n)
		}
		// A day later the customer writes back: the ticket reopens with 30
		// minutes' grace (the next response target), not a breach at once.
		e.clock.Advance(24 * time.Hour)
		if _, err := e.tickets.AddMessage(asCustomer(tk.CustomerID), tk.ID, &tend.MessageCreate{Kind: tend.KindReply, Body: "Charged again."}); err != nil {
			t.Fatal(err)
		}
		wantDue(t, "the reopened resolution", e.target(t, tk.ID, tend.TargetResolution), e.after(30*time.Minute))
		wantDue(t, "the fresh next response", e.target(t, tk.ID, tend.TargetNextResponse), e.after(30*time.Minute))
		if n := e.count(t, tk.ID, tend.EventSLABreached); n != 1 {
			t.Fatalf("%d breaches after the reopen, want 1", n)
		}
	})
}

func TestSLAMergeEndsTargets(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newSLAEnv(t, db)
		actx := as(e.agent)
		keep := e.mustTicket(t, system, "Login fails", "bob@example.com", "Locked out.")
		dup := e.mustTicket(t, system, "Login fails again", "bob@example.com", "Still locked out.")
		if _, err := e.tickets.MergeTicket(actx, dup.ID, keep.ID); err != nil {
			t.Fatal(err)
		}
		merged, _ := e.tickets.FindTicketByID(actx, dup.ID)
		if d := merged.SLA.Deadline(); d != nil {
			t.Fatalf("the merged ticket still has a deadline: %+v", merged.SLA)
		}
		e.clock.Advance(2 * time.Hour)
		if _, err := e.tickets.SettleSLA(system, dup.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, dup.ID, tend.EventSLABreached); n != 0 {
			t.Fatalf("the merged ticket breached %d times", n)
		}
		if _, err := e.tickets.SettleSLA(system, keep.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n := e.count(t, keep.ID, tend.EventSLABreached); n != 1 {
			t.Fatalf("the kept ticket breached %d times, want 1", n)
		}
	})
}

func TestSLACalendarEditAppliesFromTheEdit(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newSLAEnv(t, db)
		actx := as(e.agent)
		calendars := sqldb.NewCalendarService(db)
		weekdays := func(start, end string) []tend.BusinessHours {
			var h []tend.BusinessHours
			for d := 1; d <= 5; d++ {
				h = append(h, tend.BusinessHours{Weekday: d, Start: start, End: end})
			}
			return h
		}
		office, err := calendars.CreateCalendar(actx, &tend.CalendarInput{Name: "Office", TimeZone: "UTC", Hours: weekdays("09:00", "17:00")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.policies.UpdateSLAPolicy(actx, 1, &tend.SLAPolicyPatch{CalendarID: &office.ID,
			Targets: &tend.Targets{FirstResponse: minutes(120)}}); err != nil {
			t.Fatal(err)
		}
		// Tuesday 09:00: two business hours is 11:00.
		start := e.clock.Now()
		tk := e.mustTicket(t, system, "Cannot print", "bob@example.com", "The tray sticks.")
		wantDue(t, "on office hours", e.target(t, tk.ID, tend.TargetFirstResponse), start.Add(2*time.Hour))

		// At 10:00 the office opens at 10:30 from now on: the hour counted
		// stays, and the other is laid out from 10:30.
		e.clock.Advance(time.Hour)
		hours := weekdays("10:30", "17:00")
		if _, err := calendars.UpdateCalendar(actx, office.ID, &tend.CalendarPatch{Hours: &hours}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.tickets.RecomputeSLA(system, "the calendar changed", false); err != nil {
			t.Fatal(err)
		}
		wantDue(t, "after the edit", e.target(t, tk.ID, tend.TargetFirstResponse), start.Add(150*time.Minute))
		if n := e.count(t, tk.ID, tend.EventSLARecomputed); n != 1 {
			t.Fatalf("%d sla_recomputed entries, want 1", n)
		}
	})
}

// Spam is put away, not resolved: no target of it is met.
func TestSLASpamMeetsNothing(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newSLAEnv(t, db)
		tk := e.mustTicket(t, system, "Cheap pills", "spam@example.com", "Buy now.")
		e.clock.Advance(5 * time.Minute)
		if _, err := e.tickets.MarkSpam(as(e.agent), tk.ID, true); err != nil {
			t.Fatal(err)
		}
		got, err := e.tickets.FindTicketByID(as(e.agent), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range got.SLA.Targets {
			if target.MetAt != nil {
				t.Errorf("%s met at %s by marking spam", target.Kind, target.MetAt)
			}
		}
	})
}

// A recompute of more tickets than one batch holds (on PostgreSQL two
// batches go at once) lays out each ticket once, on the new hours.
func TestSLARecomputeInBatches(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newSLAEnv(t, db)
		const n = 1201
		start := e.clock.Now() // Tuesday 09:00 UTC
		if err := sqldb.SeedOpenTickets(db, n, start); err != nil {
			t.Fatal(err)
		}
		if got, err := e.tickets.RecomputeSLA(system, "", true); err != nil || got != n {
			t.Fatalf("first lay-out: %d, %v; want %d", got, err, n)
		}
		wantDue(t, "around the clock", e.target(t, n, tend.TargetFirstResponse), start.Add(time.Hour))

		var mornings []tend.BusinessHours
		for d := 1; d <= 5; d++ {
			mornings = append(mornings, tend.BusinessHours{Weekday: d, Start: "09:00", End: "09:30"})
		}
		office, err := sqldb.NewCalendarService(db).CreateCalendar(as(e.agent), &tend.CalendarInput{Name: "Mornings", TimeZone: "UTC", Hours: mornings})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.policies.UpdateSLAPolicy(as(e.agent), 1, &tend.SLAPolicyPatch{CalendarID: &office.ID}); err != nil {
			t.Fatal(err)
		}
		// The priority tier's tickets come under a policy of their own, which
		// the recompute finds by their organizations.
		vip, err := e.policies.CreateSLAPolicy(as(e.agent), &tend.SLAPolicyInput{Name: "Priority", Position: 1, CalendarID: 1,
			Conditions: tend.PolicyConditions{Tiers: []tend.Tier{tend.TierPriority}}, Targets: tend.Targets{FirstResponse: minutes(15)}})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.tickets.RecomputeSLA(system, "the policy changed", false); err != nil || got != n {
			t.Fatalf("recompute: %d, %v; want %d", got, err, n)
		}
		orgs := sqldb.NewOrganizationService(db)
		vips := 0
		for id := int64(1); id <= n; id++ {
			tk, err := e.tickets.FindTicketByID(as(e.agent), id)
			if err != nil || tk.OrganizationID == nil {
				t.Fatalf("ticket %d: %+v, %v", id, tk, err)
			}
			org, err := orgs.FindOrganizationByID(as(e.agent), *tk.OrganizationID)
			if err != nil {
				t.Fatal(err)
			}
			if want := org.Tier == tend.TierPriority; (tk.SLA.PolicyID == vip.ID) != want {
				t.Fatalf("ticket %d of a %s organization is under policy %d", id, org.Tier, tk.SLA.PolicyID)
			}
			if tk.SLA.PolicyID == vip.ID {
				vips++
				wantDue(t, fmt.Sprintf("priority ticket %d", id), tk.SLA.Target(tend.TargetFirstResponse), start.Add(15*time.Minute))
			} else if id%100 == 1 || id > n-3 {
				// Half an hour on Tuesday, the other half on Wednesday.
				wantDue(t, fmt.Sprintf("ticket %d on mornings", id), tk.SLA.Target(tend.TargetFirstResponse), start.Add(24*time.Hour+30*time.Minute))
			}
		}
		if vips == 0 {
			t.Fatal("no ticket of the priority tier")
		}
		if got, err := sqldb.CountRows(db, "ticket_events WHERE kind = 'sla_recomputed'"); err != nil || got != n {
			t.Fatalf("%d sla_recomputed entries, %v; want one per ticket, %d", got, err, n)
		}
	})
}

// Laying out again the deadlines of 100,000 open tickets after their
// calendar's hours changed: each ticket's deadlines move, so each gets a
// history entry, new service levels and a timer job. BENCH_SLA_TICKETS
// sets the number.
func BenchmarkRecomputeSLA(b *testing.B) {
	n := 100000
	if v := os.Getenv("BENCH_SLA_TICKETS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(fmt.Sprintf("%s/tickets=%d", engine, n), func(b *testing.B) {
			db := sqldbtest.Open(b, engine)
			clock := sqldbtest.NewClock(db)
			// The timers go into River, as they do in the server.
			queue, err := jobs.Open(context.Background(), db, jobs.Config{})
			if err != nil {
				b.Fatal(err)
			}
			db.Jobs = queue
			weekdays := func(start, end string) *[]tend.BusinessHours {
				var h []tend.BusinessHours
				for d := 1; d <= 5; d++ {
					h = append(h, tend.BusinessHours{Weekday: d, Start: start, End: end})
				}
				return &h
			}
			calendars, policies := sqldb.NewCalendarService(db), sqldb.NewSLAPolicyService(db)
			office, err := calendars.CreateCalendar(system, &tend.CalendarInput{Name: "Office", TimeZone: "Europe/Paris", Hours: *weekdays("09:00", "17:00")})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := policies.UpdateSLAPolicy(system, 1, &tend.SLAPolicyPatch{CalendarID: &office.ID}); err != nil {
				b.Fatal(err)
			}
			if err := sqldb.SeedOpenTickets(db, n, clock.Now()); err != nil {
				b.Fatal(err)
			}
			tickets := sqldb.NewTicketService(db, nil)
			if got, err := tickets.RecomputeSLA(system, "", true); err != nil || got != n {
				b.Fatalf("first lay-out: %d, %v", got, err)
			}
			// A live database has planner statistics: autovacuum takes them
			// within a minute of a change this large.
			if err := db.Analyze(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				clock.Advance(time.Minute)
				hours := weekdays("09:00", "13:00")
				if i%2 == 1 {
					hours = weekdays("09:00", "17:00")
				}
				if _, err := calendars.UpdateCalendar(system, office.ID, &tend.CalendarPatch{Hours: hours}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if got, err := tickets.RecomputeSLA(system, "the calendar changed", false); err != nil || got != n {
					b.Fatalf("recompute: %d, %v", got, err)
				}
			}
			b.StopTimer()
			one, _ := tickets.FindTicketByID(system, 1)
			if events, _, _ := tickets.FindTicketEvents(system, one.ID, "", 10); len(events) < 2 || events[len(events)-1].Kind != tend.EventSLARecomputed {
				b.Fatalf("the recompute recorded nothing: %+v", events)
			}
		})
	}
}

// Two people editing one policy: the second, who read it before the
// first saved, is refused rather than undoing the first's change.
func TestSLAPolicyStaleEdit(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newSLAEnv(t, db)
		actx := as(e.agent)
		read, err := e.policies.FindSLAPolicyByID(actx, 1)
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		name := "Standard"
		if _, err := e.policies.UpdateSLAPolicy(actx, 1, &tend.SLAPolicyPatch{UpdatedAt: &read.UpdatedAt, Name: &name}); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Second)
		other := "Everyone"
		_, err = e.policies.UpdateSLAPolicy(actx, 1, &tend.SLAPolicyPatch{UpdatedAt: &read.UpdatedAt, Name: &other})
		wantCode(t, err, tend.ESTALE)
		if got, _ := e.policies.FindSLAPolicyByID(actx, 1); got.Name != "Standard" {
			t.Fatalf("name %q after the stale edit, want Standard", got.Name)
		}
	})
}

// Open tickets from before service levels are laid out at the first
// start after the upgrade, and later starts do not look again.
func TestSLALayOutMissingOnce(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newSLAEnv(t, db)
		if err := sqldb.SeedOpenTickets(db, 3, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n, err := e.tickets.LayOutMissingSLA(system); err != nil || n != 3 {
			t.Fatalf("first start: laid out %d, %v; want 3", n, err)
		}
		if tk := e.target(t, 1, tend.TargetFirstResponse); tk == nil || tk.DueAt == nil {
			t.Fatalf("ticket 1 after the first start: %+v", tk)
		}
		if err := sqldb.SeedOpenTickets(db, 2, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n, err := e.tickets.LayOutMissingSLA(system); err != nil || n != 0 {
			t.Fatalf("second start: laid out %d, %v; want 0", n, err)
		}
	})
}
