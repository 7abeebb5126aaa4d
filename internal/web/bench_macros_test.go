package web_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// BenchmarkMacroPicker measures the composer's picker over 2,000 macros
// (1,000 shared, 600 of five teams, 400 personal of four agents): the
// server's time for GET /macros/pick as an agent in two of the teams
// types, as p50 and p95 over b.N searches, each a word or a word and the
// start of another, through the whole handler.
func BenchmarkMacroPicker(b *testing.B) {
	words := strings.Fields(`refund card charge twice invoice address delivery late broken password reset account
		login export report cancel upgrade plan discount shipping return label tracking order damaged replace
		warranty receipt tax VAT bank transfer payment failed declined expired renewal subscription trial`)
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			ts := newTestServer(b, sqldbtest.Open(b, engine))
			rng := rand.New(rand.NewPCG(1, 2))
			text := func(n int) string {
				var t []string
				for range n {
					t = append(t, words[rng.IntN(len(words))])
				}
				return strings.Join(t, " ")
			}
			agent := ts.agents[tend.RoleAgent]
			var teams []int64
			for i := range 5 {
				members := []int64{}
				if i < 2 {
					members = append(members, agent.ID)
				}
				team, err := ts.server.Teams.CreateTeam(system, &tend.TeamCreate{Name: fmt.Sprintf("Team %d", i), MemberIDs: members})
				if err != nil {
					b.Fatal(err)
				}
				teams = append(teams, team.ID)
			}
			owners := []*tend.Agent{agent, ts.agents[tend.RoleLead], ts.agents[tend.RoleManager], ts.agents[tend.RoleAdmin]}
			for i := range 2000 {
				c := &tend.MacroCreate{Name: text(3) + fmt.Sprintf(" %d", i),
					Body: "Hello {{customer.first_name}}, " + text(60) + " {{agent.name}}", Scope: tend.MacroShared}
				ctx := asAgent(ts.agents[tend.RoleAdmin])
				switch {
				case i >= 1600:
					c.Scope, ctx = tend.MacroPersonal, asAgent(owners[i%4])
				case i >= 1000:
					c.Scope, c.TeamID = tend.MacroTeam, &teams[i%5]
				}
				if _, err := ts.server.Macros.CreateMacro(ctx, c); err != nil {
					b.Fatal(err)
				}
			}
			cookie := signInCookie(b, ts, tend.RoleAgent)
			var times []time.Duration
			var found int
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				q := words[i%len(words)]
				if i%2 == 1 {
					next := words[(i*7)%len(words)]
					q += " " + next[:1+i%len(next)]
				}
				r := httptest.NewRequest("GET", "/macros/pick?q="+url.QueryEscape(q), nil)
				r.AddCookie(cookie)
				w := httptest.NewRecorder()
				start := time.Now()
				ts.handler.ServeHTTP(w, r)
				times = append(times, time.Since(start))
				if w.Code != http.StatusOK {
					b.Fatalf("GET /macros/pick?q=%s: %d %s", q, w.Code, w.Body.String())
				}
				found += strings.Count(w.Body.String(), `"id":`)
			}
			b.StopTimer()
			slices.Sort(times)
			ms := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000 }
			b.ReportMetric(ms(0.5), "p50-ms")
			b.ReportMetric(ms(0.95), "p95-ms")
			b.ReportMetric(float64(found)/float64(len(times)), "macros/answer")
		})
	}
}
