package sqldb_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// Lists sorted by priority, owner and team page through every ticket in
// order, each once, in both directions, over one status, several (merged
// per status) and none; ties are broken by id.
func TestTicketListSorts(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.mustAgent(t, "Ana", tend.RoleAdmin)
		// Names whose order is the same in every collation.
		owners := []*tend.Agent{e.mustAgent(t, "Cy", tend.RoleAgent), e.mustAgent(t, "Bo", tend.RoleAgent), admin}
		var teams []*tend.Team
		for _, name := range []string{"Support", "Billing"} {
			tm, err := e.teams.CreateTeam(as(admin), &tend.TeamCreate{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			teams = append(teams, tm)
		}
		clock := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }

		priorities := []tend.Priority{tend.PriorityNormal, tend.PriorityUrgent, tend.PriorityLow, tend.PriorityHigh, tend.PriorityNormal}
		statuses := []tend.Status{tend.StatusOpen, tend.StatusPending, tend.StatusOpen, tend.StatusSolved}
		var all []*tend.Ticket
		for i := range 37 {
			tk := e.mustTicket(t, as(admin), fmt.Sprintf("Ticket %d", i), fmt.Sprintf("c%d@example.com", i%5), "body")
			u := &tend.TicketUpdate{Priority: &priorities[i%len(priorities)], Status: &statuses[i%len(statuses)]}
			if i%4 != 0 {
				u.OwnerID = ptr(owners[i%len(owners)].ID)
			}
			if i%3 != 0 {
				u.TeamID = ptr(teams[i%len(teams)].ID)
			}
			tk, err := e.tickets.UpdateTicket(as(admin), tk.ID, u)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, tk)
		}
		ownerName := func(tk *tend.Ticket) string {
			if tk.OwnerID == nil {
				return ""
			}
			return owners[slices.IndexFunc(owners, func(a *tend.Agent) bool { return a.ID == *tk.OwnerID })].Name
		}
		teamName := func(tk *tend.Ticket) string {
			if tk.TeamID == nil {
				return ""
			}
			return teams[slices.IndexFunc(teams, func(tm *tend.Team) bool { return tm.ID == *tk.TeamID })].Name
		}
		keys := map[string]func(a, b *tend.Ticket) int{
			"priority": func(a, b *tend.Ticket) int { return cmp.Compare(a.Priority.Rank(), b.Priority.Rank()) },
			"owner":    func(a, b *tend.Ticket) int { return strings.Compare(ownerName(a), ownerName(b)) },
			"team":     func(a, b *tend.Ticket) int { return strings.Compare(teamName(a), teamName(b)) },
		}
		filters := map[string][]tend.Status{
			"every status": nil,
			"open":         {tend.StatusOpen},
			"unsolved":     {tend.StatusOpen, tend.StatusPending},
		}
		for _, sort := range []tend.TicketSort{tend.SortPriorityDesc, tend.SortPriorityAsc, tend.SortOwnerAsc,
			tend.SortOwnerDesc, tend.SortTeamAsc, tend.SortTeamDesc} {
			for name, sts := range filters {
				t.Run(string(sort)+" "+name, func(t *testing.T) {
					var want []int64
					sorted := slices.Clone(all)
					slices.SortFunc(sorted, func(a, b *tend.Ticket) int {
						c := cmp.Or(keys[sort.Key()](a, b), cmp.Compare(a.ID, b.ID))
						if sort.Descending() {
							return -c
						}
						return c
					})
					for _, tk := range sorted {
						if len(sts) == 0 || slices.Contains(sts, tk.Status) {
							want = append(want, tk.ID)
						}
					}
					var got []int64
					f := tend.TicketFilter{Sort: sort, Statuses: sts, Limit: 4}
					for pages := 0; ; pages++ {
						page, next, err := e.tickets.FindTickets(as(admin), f)
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
		// A cursor of one order is not one of another.
		_, next, err := e.tickets.FindTickets(as(admin), tend.TicketFilter{Sort: tend.SortOwnerAsc, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = e.tickets.FindTickets(as(admin), tend.TicketFilter{Sort: tend.SortUpdatedDesc, Cursor: next})
		wantCode(t, err, tend.EINVALID)
		_, next, _ = e.tickets.FindTickets(as(admin), tend.TicketFilter{Sort: tend.SortCreatedAsc, Limit: 2})
		_, _, err = e.tickets.FindTickets(as(admin), tend.TicketFilter{Sort: tend.SortTeamDesc, Cursor: next})
		wantCode(t, err, tend.EINVALID)
	})
}

// A list's previews are each ticket's latest public message, never an
// internal note, read for a page of tickets at once; staff only.
func TestTicketPreviews(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "Bo", tend.RoleAgent)
		first := e.mustTicket(t, as(bo), "Refund", "ann@example.com", "Hello,\n\nmy order never came.\n\n-- \nAnn")
		replied := e.mustTicket(t, as(bo), "Invoice", "cy@example.com", "The invoice is wrong")
		add := func(tk *tend.Ticket, m *tend.MessageCreate) {
			t.Helper()
			if _, err := e.tickets.AddMessage(as(bo), tk.ID, m); err != nil {
				t.Fatal(err)
			}
		}
		add(replied, &tend.MessageCreate{Kind: tend.KindReply, Body: "We sent a corrected one.\nBo"})
		add(replied, &tend.MessageCreate{Kind: tend.KindNote, Body: "Internal: customer is on the old plan"})
		noted := e.mustTicket(t, as(bo), "Noted", "di@example.com", "Please call me")
		add(noted, &tend.MessageCreate{Kind: tend.KindNote, Body: "Called, no answer"})
		add(noted, &tend.MessageCreate{Kind: tend.KindReply, Body: "Thanks, I will try again", FromCustomer: true})
		add(noted, &tend.MessageCreate{Kind: tend.KindNote, Body: "Second note"})
		long := e.mustTicket(t, as(bo), "Long", "ed@example.com", strings.Repeat("a long line ", 3000))

		got, err := e.tickets.FindTicketPreviews(as(bo), []int64{first.ID, replied.ID, noted.ID, long.ID, replied.ID, 999999})
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]tend.TicketPreview{
			first.ID:   {TicketID: first.ID, AuthorType: tend.AuthorCustomer, Text: "Hello, my order never came. -- Ann"},
			replied.ID: {TicketID: replied.ID, AuthorType: tend.AuthorAgent, Text: "We sent a corrected one. Bo"},
			noted.ID:   {TicketID: noted.ID, AuthorType: tend.AuthorCustomer, Text: "Thanks, I will try again"},
			long.ID:    {TicketID: long.ID, AuthorType: tend.AuthorCustomer, Text: tend.PreviewText(strings.Repeat("a long line ", 100))},
		}
		if len(got) != len(want) {
			t.Errorf("previews of %d tickets, want %d: %+v", len(got), len(want), got)
		}
		for id, w := range want {
			if got[id] != w {
				t.Errorf("ticket %d: got %+v, want %+v", id, got[id], w)
			}
		}
		if none, err := e.tickets.FindTicketPreviews(as(bo), nil); err != nil || len(none) != 0 {
			t.Errorf("no ids: %v, %v", none, err)
		}
		_, err = e.tickets.FindTicketPreviews(asCustomer(first.CustomerID), []int64{first.ID})
		wantCode(t, err, tend.EFORBIDDEN)
	})
}
