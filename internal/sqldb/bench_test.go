package sqldb_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/tendhq/tend"
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
