package sqldb_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/password"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// BenchmarkCreateTicket creates tickets through the service from 16
// goroutines, each for a new or returning customer, as the API does.
func BenchmarkCreateTicket(b *testing.B) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			db := sqldbtest.Open(b, engine)
			e := newEnv(b, db)
			agent, err := e.agents.CreateAgent(system, &tend.AgentCreate{Name: "Bo", Email: "bo@example.com", Role: tend.RoleAgent})
			if err != nil {
				b.Fatal(err)
			}
			ctx := as(agent)
			var n atomic.Int64
			b.SetParallelism(8) // 16 goroutines on 2 CPUs
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					_, err := e.tickets.CreateTicket(ctx, &tend.TicketCreate{
						Subject:  fmt.Sprintf("My card has not arrived yet %d", i),
						Customer: tend.CustomerRef{Email: fmt.Sprintf("c%d@example.com", i%5000)},
						Body:     "I ordered a replacement card two weeks ago and it still has not arrived. Can you check where it is?",
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
		})
	}
}

// BenchmarkSignIn is what a sign-in costs the store: the attempt counted
// and forgiven around the password check, against the password check
// alone, at the cost Tend hashes passwords with in production.
func BenchmarkSignIn(b *testing.B) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			db := sqldbtest.Open(b, engine)
			db.PasswordParams = password.Default
			e := newEnv(b, db)
			if _, err := e.agents.CreateAgent(system, &tend.AgentCreate{Name: "Bo", Email: "bo@example.com", Role: tend.RoleAgent,
				Password: "long enough password"}); err != nil {
				b.Fatal(err)
			}
			attempts := sqldb.NewAttempts(db)
			b.Run("attempt counted and forgiven", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					keys := []sqldb.Attempted{{Key: fmt.Sprintf("bo from 192.0.2.%d", i%200), Limit: tend.SignInLimit},
						{Key: fmt.Sprintf("from 192.0.2.%d", i%200), Limit: tend.SignInFromLimit}}
					at, err := attempts.Begin(context.Background(), "sign-ins", keys...)
					if err != nil {
						b.Fatal(err)
					}
					if err := attempts.Forgive(context.Background(), at); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("whole sign-in", func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					ctx := tend.NewContextWithSource(context.Background(), fmt.Sprintf("192.0.2.%d", i%200))
					if _, err := e.agents.Authenticate(ctx, "bo@example.com", "long enough password"); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkBulkUpdate200 changes 200 tickets in one bulk request: their
// priority, their owner and a tag, alternating so that each round changes
// every ticket.
func BenchmarkBulkUpdate200(b *testing.B) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			db := sqldbtest.Open(b, engine)
			e := newEnv(b, db)
			bo := e.mustAgent(b, "bo", tend.RoleAgent)
			ana := e.mustAgent(b, "ana", tend.RoleAgent)
			ctx := as(bo)
			ids := make([]int64, 200)
			for i := range ids {
				ids[i] = e.mustTicket(b, ctx, fmt.Sprintf("Bulk ticket %d", i), fmt.Sprintf("c%d@example.com", i%50), "Where is my card?").ID
			}
			owners := []int64{bo.ID, ana.ID}
			priorities := []tend.Priority{tend.PriorityHigh, tend.PriorityLow}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				results, err := e.tickets.BulkUpdateTickets(ctx, &tend.TicketBulkUpdate{IDs: ids, Update: &tend.TicketUpdate{
					Priority: &priorities[i%2], OwnerID: &owners[i%2], AddTags: []string{fmt.Sprintf("round-%d", i)}}})
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range results {
					if r.Result != tend.BulkChanged {
						b.Fatalf("ticket %d: %s %v", r.ID, r.Result, r.Err)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/bulk")
		})
	}
}
