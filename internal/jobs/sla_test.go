package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/jobs"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// The timers the change path schedules run on River by the server's one
// clock: moved past a deadline, the breach is recorded by the timer; moved
// past the days a solved ticket waits, it is closed.
func TestTimersRunByTheServersClock(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		sys := tend.SystemContext(ctx)
		clock := sqldbtest.NewClock(db)
		tickets := sqldb.NewTicketService(db, nil)
		one := 1
		if _, err := sqldb.NewSLAPolicyService(db).UpdateSLAPolicy(sys, 1, &tend.SLAPolicyPatch{
			Targets: &tend.Targets{FirstResponse: &one, Resolution: &one}}); err != nil {
			t.Fatal(err)
		}
		startTimers(t, db, tickets, clock)

		open, err := tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Late", Customer: tend.CustomerRef{Email: "bob@example.com"}, Body: "Hello?"})
		if err != nil {
			t.Fatal(err)
		}
		solved, err := tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Done", Customer: tend.CustomerRef{Email: "cy@example.com"}, Body: "Thanks"})
		if err != nil {
			t.Fatal(err)
		}
		status := tend.StatusSolved
		if _, err := tickets.UpdateTicket(sys, solved.ID, &tend.TicketUpdate{Status: &status}); err != nil {
			t.Fatal(err)
		}
		// Nothing is due before the clock moves.
		time.Sleep(300 * time.Millisecond)
		if got := countKind(t, tickets, open.ID, tend.EventSLABreached); got != 0 {
			t.Fatalf("%d breaches before the deadline", got)
		}
		clock.Advance(2 * time.Minute)
		waitFor(t, "the breach", func() bool { return countKind(t, tickets, open.ID, tend.EventSLABreached) == 2 })
		clock.Advance(7 * 24 * time.Hour)
		waitFor(t, "the solved ticket to close", func() bool {
			tk, err := tickets.FindTicketByID(sys, solved.ID)
			return err == nil && tk.Status == tend.StatusClosed
		})
		time.Sleep(300 * time.Millisecond)
		if got := countKind(t, tickets, open.ID, tend.EventSLABreached); got != 2 {
			t.Fatalf("%d breaches of first response and resolution, want 2", got)
		}
	})
}

func countKind(t *testing.T, tickets *sqldb.TicketService, id int64, kind tend.EventKind) int {
	t.Helper()
	events, _, err := tickets.FindTicketEvents(tend.SystemContext(context.Background()), id, "", 200)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20s for %s", what)
		}
	}
}

// A wake-up beyond the horizon gets its timer job from the sweep once it
// comes within it, not from the change that set it.
func TestSweepQueuesFarTimers(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		sys := tend.SystemContext(ctx)
		clock := sqldbtest.NewClock(db)
		tickets := sqldb.NewTicketService(db, nil)
		three := 180
		if _, err := sqldb.NewSLAPolicyService(db).UpdateSLAPolicy(sys, 1, &tend.SLAPolicyPatch{
			Targets: &tend.Targets{FirstResponse: &three}}); err != nil {
			t.Fatal(err)
		}
		startTimers(t, db, tickets, clock)
		tk, err := tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Later", Customer: tend.CustomerRef{Email: "bob@example.com"}, Body: "Hello?"})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := tickets.QueueDueTimers(sys); err != nil || n != 0 {
			t.Fatalf("a warning 135 minutes away was queued now: %d, %v", n, err)
		}
		clock.Advance(90 * time.Minute)
		if n, err := tickets.QueueDueTimers(sys); err != nil || n != 1 {
			t.Fatalf("the warning 45 minutes away: queued %d, %v; want 1", n, err)
		}
		if n, err := tickets.QueueDueTimers(sys); err != nil || n != 0 {
			t.Fatalf("queued again: %d, %v", n, err)
		}
		clock.Advance(50 * time.Minute)
		waitFor(t, "the warning", func() bool { return countKind(t, tickets, tk.ID, tend.EventSLAWarning) == 1 })
		// The warning's timer queued the deadline's, 40 minutes away.
		clock.Advance(41 * time.Minute)
		waitFor(t, "the breach", func() bool { return countKind(t, tickets, tk.ID, tend.EventSLABreached) == 1 })
	})
}

// startTimers runs the timers' workers on River by clock, as the server
// does, until the test ends.
func startTimers(t *testing.T, db *sqldb.DB, tickets *sqldb.TicketService, clock *sqldbtest.Clock) {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	workers := river.NewWorkers()
	jobs.AddSLAWorkers(workers, tickets, quiet)
	q, err := jobs.Open(ctx, db, jobs.Config{Workers: workers, Logger: quiet, PollInterval: 50 * time.Millisecond, Clock: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	db.Jobs = q
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background()) })
}
