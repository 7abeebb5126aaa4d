package sqldb_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/jobs"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// timerDesk is a desk whose default policy promises a first response in
// a minute, with River running the timers by clock.
func timerDesk(b *testing.B, engine sqldb.Engine, clock func() time.Time) (*sqldb.DB, *sqldb.TicketService) {
	db := sqldbtest.Open(b, engine)
	tickets := sqldb.NewTicketService(db, nil)
	one := 1
	if _, err := sqldb.NewSLAPolicyService(db).UpdateSLAPolicy(system, 1, &tend.SLAPolicyPatch{Targets: &tend.Targets{FirstResponse: &one}}); err != nil {
		b.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	workers := river.NewWorkers()
	jobs.AddSLAWorkers(workers, tickets, quiet)
	q, err := jobs.Open(context.Background(), db, jobs.Config{Workers: workers, Logger: quiet, Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	db.Jobs = q
	if err := q.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { q.Stop(context.Background()) })
	return db, tickets
}

// breachesOf reads every sla_breached entry: the ticket's due time and
// when the entry was written.
func breachesOf(b *testing.B, db *sqldb.DB) (due, at []time.Time) {
	due, at, err := sqldb.SLABreaches(db)
	if err != nil {
		b.Fatal(err)
	}
	return due, at
}

// 10,000 timers due at the same moment: the time until every breach is
// recorded, once. BENCH_TIMERS sets the number.
func BenchmarkTimersDueAtOnce(b *testing.B) {
	n := envInt("BENCH_TIMERS", 10000)
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(fmt.Sprintf("%s/timers=%d", engine, n), func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				clock := &sqldbtest.Clock{}
				start := time.Now().UTC().Truncate(time.Second)
				clock.Set(start)
				db, tickets := timerDesk(b, engine, clock.Now)
				db.Now = clock.Now
				if err := sqldb.SeedOpenTickets(db, n, start); err != nil {
					b.Fatal(err)
				}
				if got, err := tickets.RecomputeSLA(system, "", true); err != nil || got != n {
					b.Fatalf("lay-out: %d, %v", got, err)
				}
				b.StartTimer()
				began := time.Now()
				clock.Set(start.Add(2 * time.Minute))
				for deadline := time.Now().Add(5 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
					if due, _ := breachesOf(b, db); len(due) >= n {
						break
					}
					if time.Now().After(deadline) {
						due, _ := breachesOf(b, db)
						b.Fatalf("%d of %d breaches in 5 minutes", len(due), n)
					}
				}
				b.ReportMetric(time.Since(began).Seconds(), "s-to-fire-all")
				b.StopTimer()
				if due, _ := breachesOf(b, db); len(due) != n {
					b.Fatalf("%d breaches for %d tickets", len(due), n)
				}
			}
		})
	}
}

// Timers in steady use, by the real clock: tickets opened at a steady
// rate, each breaching a minute later; reports how late the breaches were
// recorded. BENCH_TIMER_TICKETS sets the number (opened over a minute).
func BenchmarkTimerLateness(b *testing.B) {
	n := envInt("BENCH_TIMER_TICKETS", 300)
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(fmt.Sprintf("%s/tickets=%d", engine, n), func(b *testing.B) {
			for range b.N {
				db, tickets := timerDesk(b, engine, nil)
				gap := time.Minute / time.Duration(n)
				for i := range n {
					if _, err := tickets.CreateTicket(system, &tend.TicketCreate{Subject: fmt.Sprintf("Request %d", i),
						Customer: tend.CustomerRef{Email: fmt.Sprintf("c%d@example.com", i)}, Body: "Hello"}); err != nil {
						b.Fatal(err)
					}
					time.Sleep(gap)
				}
				for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(250 * time.Millisecond) {
					if due, _ := breachesOf(b, db); len(due) >= n {
						break
					}
					if time.Now().After(deadline) {
						b.Fatalf("breaches not all recorded in 3 minutes")
					}
				}
				due, at := breachesOf(b, db)
				late := make([]time.Duration, len(due))
				for i := range due {
					late[i] = at[i].Sub(due[i])
				}
				slices.Sort(late)
				b.ReportMetric(late[len(late)/2].Seconds(), "s-late-p50")
				b.ReportMetric(late[len(late)*99/100].Seconds(), "s-late-p99")
				b.ReportMetric(late[len(late)-1].Seconds(), "s-late-max")
			}
		})
	}
}

func envInt(name string, fallback int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return fallback
}
