package sqldb_test

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// A list sorted by the next deadline pages through every ticket once, in
// order, both ways, over no status, one and several: the tickets with a
// running target by deadline and id, then those without one (solved,
// pending) by id, last either way.
func TestTicketListByDeadline(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		clock := sqldbtest.NewClock(db)
		ann := e.mustAgent(t, "Ann", tend.RoleAgent)
		var all []*tend.Ticket
		for i := range 17 {
			tk := e.mustTicket(t, as(ann), fmt.Sprintf("Ticket %d", i), fmt.Sprintf("c%d@example.com", i%4), "body")
			var st tend.Status
			switch {
			case i%5 == 1:
				st = tend.StatusSolved
			case i%5 == 3:
				st = tend.StatusPending
			case i%3 == 0:
				st = tend.StatusOpen
			}
			if st != "" {
				if _, err := e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{Status: &st}); err != nil {
					t.Fatal(err)
				}
			}
			if i == 6 || i == 7 {
				// Answered, so its next deadline is the resolution's.
				if _, err := e.tickets.AddMessage(as(ann), tk.ID, &tend.MessageCreate{Kind: tend.KindReply, Body: "On it"}); err != nil {
					t.Fatal(err)
				}
			}
			// Two tickets share a deadline: the id breaks the tie.
			if i != 9 {
				clock.Advance(7 * time.Minute)
			}
		}
		for i := range 17 {
			tk, err := e.tickets.FindTicketByID(as(ann), int64(i+1))
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, tk)
		}
		withDue := 0
		for _, tk := range all {
			if tk.SLA.Deadline() != nil {
				withDue++
			}
		}
		if withDue < 8 || withDue == len(all) {
			t.Fatalf("%d of %d tickets have a deadline: the test needs both kinds", withDue, len(all))
		}
		filters := map[string][]tend.Status{
			"every status": nil,
			"new":          {tend.StatusNew},
			"several":      {tend.StatusNew, tend.StatusOpen, tend.StatusPending, tend.StatusSolved},
		}
		for _, sort := range []tend.TicketSort{tend.SortDueAsc, tend.SortDueDesc} {
			for name, sts := range filters {
				t.Run(string(sort)+" "+name, func(t *testing.T) {
					sorted := slices.Clone(all)
					slices.SortFunc(sorted, func(a, b *tend.Ticket) int {
						da, db := a.SLA.Deadline(), b.SLA.Deadline()
						if (da == nil) != (db == nil) {
							if da == nil {
								return 1
							}
							return -1
						}
						c := cmp.Compare(a.ID, b.ID)
						if da != nil {
							c = cmp.Or(da.Compare(*db), c)
						}
						if sort.Descending() {
							return -c
						}
						return c
					})
					var want, got []int64
					for _, tk := range sorted {
						if len(sts) == 0 || slices.Contains(sts, tk.Status) {
							want = append(want, tk.ID)
						}
					}
					f := tend.TicketFilter{Sort: sort, Statuses: sts, Limit: 3}
					for pages := 0; ; pages++ {
						page, next, err := e.tickets.FindTickets(as(ann), f)
						if err != nil {
							t.Fatal(err)
						}
						for _, tk := range page {
							got = append(got, tk.ID)
						}
						if next == "" || pages > 20 {
							break
						}
						f.Cursor = next
					}
					if !slices.Equal(got, want) {
						t.Errorf("\n got %v\nwant %v", got, want)
					}
				})
			}
		}
		// A cursor of another order is refused.
		_, next, err := e.tickets.FindTickets(as(ann), tend.TicketFilter{Sort: tend.SortPriorityAsc, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = e.tickets.FindTickets(as(ann), tend.TicketFilter{Sort: tend.SortDueAsc, Cursor: next})
		wantCode(t, err, tend.EINVALID)
		_, next, _ = e.tickets.FindTickets(as(ann), tend.TicketFilter{Sort: tend.SortCreatedAsc, Limit: 2})
		_, _, err = e.tickets.FindTickets(as(ann), tend.TicketFilter{Sort: tend.SortDueDesc, Cursor: next})
		wantCode(t, err, tend.EINVALID)
	})
}

// The at-risk filter holds the tickets past a target's warning point or
// its deadline, by time alone (before any timer records it), and leaves
// them once the target is met; with a holder, only the tickets the agent
// owns or their teams have.
func TestTicketsAtRisk(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		clock := sqldbtest.NewClock(db)
		ann, bo := e.mustAgent(t, "Ann", tend.RoleAgent), e.mustAgent(t, "Bo", tend.RoleAgent)
		support, err := e.teams.CreateTeam(system, &tend.TeamCreate{Name: "Support", MemberIDs: []int64{ann.ID}})
		if err != nil {
			t.Fatal(err)
		}
		billing, err := e.teams.CreateTeam(system, &tend.TeamCreate{Name: "Billing", MemberIDs: []int64{bo.ID}})
		if err != nil {
			t.Fatal(err)
		}
		open := func(subject string, owner, team *int64) *tend.Ticket {
			t.Helper()
			tk := e.mustTicket(t, system, subject, "cy@example.com", "Help")
			if owner != nil || team != nil {
				if _, err := e.tickets.UpdateTicket(system, tk.ID, &tend.TicketUpdate{OwnerID: owner, TeamID: team}); err != nil {
					t.Fatal(err)
				}
			}
			return tk
		}
		owned := open("Ann's", &ann.ID, nil)
		teams := open("Support's", nil, &support.ID)
		others := open("Bo's", &bo.ID, &billing.ID)
		nobody := open("Nobody's", nil, nil)
		clock.Advance(10 * time.Hour)
		later := open("Ann's, later", &ann.ID, &billing.ID)

		find := func(f tend.TicketFilter) []int64 {
			t.Helper()
			list, _, err := e.tickets.FindTickets(as(ann), f)
			if err != nil {
				t.Fatal(err)
			}
			n, err := e.tickets.CountTickets(as(ann), f)
			if err != nil {
				t.Fatal(err)
			}
			ids := []int64{}
			for _, tk := range list {
				ids = append(ids, tk.ID)
			}
			if n != len(ids) {
				t.Errorf("counted %d, listed %v", n, ids)
			}
			slices.Sort(ids)
			return ids
		}
		want := func(what string, f tend.TicketFilter, tickets ...*tend.Ticket) {
			t.Helper()
			ids := []int64{}
			for _, tk := range tickets {
				ids = append(ids, tk.ID)
			}
			if got := find(f); !slices.Equal(got, ids) {
				t.Errorf("%s: got %v, want %v", what, got, ids)
			}
		}
		atRisk := tend.TicketFilter{AtRisk: true}
		mine := tend.TicketFilter{AtRisk: true, HolderID: &ann.ID, Statuses: []tend.Status{tend.StatusNew, tend.StatusOpen, tend.StatusOnHold}}
		want("at 10 h", atRisk)
		// 75% of the first response's 24 hours.
		clock.Advance(8 * time.Hour)
		want("at 18 h", atRisk, owned, teams, others, nobody)
		want("mine or my teams' at 18 h", mine, owned, teams)
		want("any holder's", tend.TicketFilter{HolderID: &ann.ID}, owned, teams, later)
		// Past the deadline, before any timer: still there.
		clock.Advance(7 * time.Hour)
		want("breached", atRisk, owned, teams, others, nobody)
		if _, err := e.tickets.AddMessage(as(ann), owned.ID, &tend.MessageCreate{Kind: tend.KindReply, Body: "Sorry for the wait"}); err != nil {
			t.Fatal(err)
		}
		solved := tend.StatusSolved
		if _, err := e.tickets.UpdateTicket(as(ann), teams.ID, &tend.TicketUpdate{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		// Answered late, or solved unanswered: the breach is history, not work.
		want("answered late", atRisk, others, nobody)
		want("mine or my teams' open ones", mine)
		clock.Advance(10 * time.Hour)
		want("the later one's turn", mine, later)
	})
}
