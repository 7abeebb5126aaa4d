package sqldb_test

import (
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// A search narrowed by status, owner or team finds the matches that pass,
// ranked as ever, and none that do not.
func TestSearchFiltered(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "Bo", tend.RoleAgent)
		team, err := e.teams.CreateTeam(system, &tend.TeamCreate{Name: "Billing"})
		if err != nil {
			t.Fatal(err)
		}
		subjects := []string{"Refund for order 1", "Refund for order 2", "Refund for order 3"}
		var ids []int64
		for _, s := range subjects {
			tk, err := e.tickets.CreateTicket(system, &tend.TicketCreate{Subject: s, Body: "Please refund it.",
				Customer: tend.CustomerRef{Email: "ann@example.com"}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tk.ID)
		}
		solved := tend.StatusSolved
		if _, err := e.tickets.UpdateTicket(system, ids[0], &tend.TicketUpdate{OwnerID: &bo.ID, Status: &solved}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.tickets.UpdateTicket(system, ids[1], &tend.TicketUpdate{TeamID: &team.ID}); err != nil {
			t.Fatal(err)
		}
		none := int64(0)
		for _, c := range []struct {
			name string
			f    tend.SearchFilter
			want []int64
		}{
			{"all", tend.SearchFilter{}, ids},
			{"solved", tend.SearchFilter{Statuses: []tend.Status{tend.StatusSolved}}, ids[:1]},
			{"new", tend.SearchFilter{Statuses: []tend.Status{tend.StatusNew}}, ids[1:]},
			{"Bo's", tend.SearchFilter{OwnerID: &bo.ID}, ids[:1]},
			{"unassigned", tend.SearchFilter{OwnerID: &none}, ids[1:]},
			{"the team's", tend.SearchFilter{TeamID: &team.ID}, ids[1:2]},
			{"no team, not solved", tend.SearchFilter{TeamID: &none, Statuses: []tend.Status{tend.StatusNew}}, ids[2:]},
		} {
			hits, _, err := e.search.Search(as(bo), "refund", c.f, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for _, h := range hits {
				got[h.Ticket.ID] = true
			}
			if len(got) != len(c.want) {
				t.Errorf("%s: %d hits, want %d", c.name, len(got), len(c.want))
			}
			for _, id := range c.want {
				if !got[id] {
					t.Errorf("%s: ticket %d missing", c.name, id)
				}
			}
		}
	})
}
