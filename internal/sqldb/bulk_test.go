package sqldb_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestBulkUpdateTickets(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		ana := e.mustAgent(t, "ana", tend.RoleAgent)
		ctx := as(bo)
		var ids []int64
		for i := range 5 {
			ids = append(ids, e.mustTicket(t, ctx, fmt.Sprintf("Question %d", i), "dana@example.com", "Help").ID)
		}
		// One is closed already: it cannot be given a status.
		closed := ids[2]
		for _, s := range []tend.Status{tend.StatusSolved, tend.StatusClosed} {
			if _, err := e.tickets.UpdateTicket(ctx, closed, &tend.TicketUpdate{Status: &s}); err != nil {
				t.Fatal(err)
			}
		}
		pending := tend.StatusPending
		high := tend.PriorityHigh
		asked := append(slices.Clone(ids), 999999, ids[0])
		results, err := e.tickets.BulkUpdateTickets(ctx, &tend.TicketBulkUpdate{IDs: asked,
			Update: &tend.TicketUpdate{Status: &pending, Priority: &high, OwnerID: &ana.ID, AddTags: []string{"Cards"}}})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range results {
			got = append(got, fmt.Sprintf("%d:%s", r.ID, r.Result))
		}
		want := []string{}
		for _, id := range ids {
			r := tend.BulkChanged
			if id == closed {
				r = tend.BulkRefused
			}
			want = append(want, fmt.Sprintf("%d:%s", id, r))
		}
		want = append(want, "999999:refused")
		if !slices.Equal(got, want) {
			t.Fatalf("results %v, want %v (in the order asked, each once)", got, want)
		}
		if c := tend.ErrorCode(results[2].Err); c != tend.ECONFLICT {
			t.Errorf("closed ticket refused with %v, want ECONFLICT", results[2].Err)
		}
		if c := tend.ErrorCode(results[5].Err); c != tend.ENOTFOUND {
			t.Errorf("unknown ticket refused with %v, want ENOTFOUND", results[5].Err)
		}
		for _, id := range ids {
			tk, err := e.tickets.FindTicketByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if id == closed {
				if tk.Priority != tend.PriorityNormal || tk.OwnerID != nil && *tk.OwnerID == ana.ID {
					t.Errorf("the refused ticket changed: %+v", tk)
				}
				continue
			}
			if tk.Status != tend.StatusPending || tk.Priority != high || tk.OwnerID == nil || *tk.OwnerID != ana.ID || !slices.Equal(tk.Tags, []string{"cards"}) {
				t.Errorf("ticket %d = %s %s owner %v tags %v", id, tk.Status, tk.Priority, tk.OwnerID, tk.Tags)
			}
			events, _, _ := e.tickets.FindTicketEvents(ctx, id, "", 50)
			var kinds []tend.EventKind
			for _, ev := range events[1:] {
				kinds = append(kinds, ev.Kind)
			}
			if !slices.Contains(kinds, tend.EventPriorityChanged) || !slices.Contains(kinds, tend.EventOwnerChanged) || !slices.Contains(kinds, tend.EventTagsChanged) {
				t.Errorf("ticket %d's history records %v", id, kinds)
			}
		}

		t.Run("the same change again changes nothing", func(t *testing.T) {
			results, err := e.tickets.BulkUpdateTickets(ctx, &tend.TicketBulkUpdate{IDs: ids[:2], Update: &tend.TicketUpdate{Priority: &high}})
			if err != nil || results[0].Result != tend.BulkUnchanged || results[1].Result != tend.BulkUnchanged {
				t.Fatalf("results %+v, %v", results, err)
			}
		})

		t.Run("a retry with the same key gets the first answer", func(t *testing.T) {
			low := tend.PriorityLow
			b := func() *tend.TicketBulkUpdate {
				return &tend.TicketBulkUpdate{IDs: ids[:2], Update: &tend.TicketUpdate{Priority: &low}, IdempotencyKey: "bulk-1"}
			}
			first, err := e.tickets.BulkUpdateTickets(ctx, b())
			if err != nil || first[0].Result != tend.BulkChanged {
				t.Fatalf("first: %+v, %v", first, err)
			}
			again, err := e.tickets.BulkUpdateTickets(ctx, b())
			if err != nil || again[0].Result != tend.BulkChanged || again[0].Version != first[0].Version {
				t.Fatalf("retry answered %+v, %v; want the first answer %+v", again, err, first)
			}
			events, _, _ := e.tickets.FindTicketEvents(ctx, ids[0], "", 50)
			n := 0
			for _, ev := range events {
				if d, ok := ev.Data.(tend.PriorityChanged); ok && d.To == low {
					n++
				}
			}
			if n != 1 {
				t.Errorf("the retry changed the priority %d times", n)
			}
			other := b()
			other.IDs = ids[1:3]
			_, err = e.tickets.BulkUpdateTickets(ctx, other)
			wantCode(t, err, tend.ECONFLICT)
		})

		t.Run("bad input changes nothing", func(t *testing.T) {
			many := make([]int64, tend.MaxBulkTickets+1)
			for i := range many {
				many[i] = int64(i + 1)
			}
			cases := []struct {
				field string
				b     *tend.TicketBulkUpdate
			}{
				{"ids", &tend.TicketBulkUpdate{Update: &tend.TicketUpdate{Priority: &high}}},
				{"ids", &tend.TicketBulkUpdate{IDs: many, Update: &tend.TicketUpdate{Priority: &high}}},
				{"update", &tend.TicketBulkUpdate{IDs: ids}},
				{"update.priority", &tend.TicketBulkUpdate{IDs: ids, Update: &tend.TicketUpdate{Priority: ptr(tend.Priority("asap"))}}},
				{"update.owner_id", &tend.TicketBulkUpdate{IDs: ids, Update: &tend.TicketUpdate{OwnerID: ptr(int64(424242))}}},
				{"update.team_id", &tend.TicketBulkUpdate{IDs: ids, Update: &tend.TicketUpdate{TeamID: ptr(int64(424242))}}},
			}
			for _, c := range cases {
				_, err := e.tickets.BulkUpdateTickets(ctx, c.b)
				wantCode(t, err, tend.EINVALID)
				if tend.ErrorFields(err)[c.field] == "" {
					t.Errorf("%s: no problem named in %v", c.field, err)
				}
			}
			if tk, _ := e.tickets.FindTicketByID(ctx, ids[0]); tk.Priority != tend.PriorityLow {
				t.Errorf("a refused bulk change left priority %s", tk.Priority)
			}
			_, err := e.tickets.BulkUpdateTickets(asCustomer(1), &tend.TicketBulkUpdate{IDs: ids, Update: &tend.TicketUpdate{Priority: &high}})
			wantCode(t, err, tend.EFORBIDDEN)
		})
	})
}

func TestLinkTickets(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		ctx := as(bo)
		a := e.mustTicket(t, ctx, "Outage in the north", "ann@example.com", "No service")
		b := e.mustTicket(t, ctx, "No signal", "ben@example.com", "Nothing works")
		got, err := e.tickets.LinkTickets(ctx, a.ID, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Links) != 1 || got.Links[0].Number != b.Number || got.Links[0].Subject != "No signal" {
			t.Fatalf("links of #%d = %+v", a.Number, got.Links)
		}
		other, _ := e.tickets.FindTicketByID(ctx, b.ID)
		if len(other.Links) != 1 || other.Links[0].ID != a.ID {
			t.Fatalf("links of #%d = %+v, want the link both ways", b.Number, other.Links)
		}
		// Again: nothing more, in the links or the history.
		if _, err := e.tickets.LinkTickets(ctx, b.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		count := func(id int64, kind tend.EventKind) int {
			events, _, _ := e.tickets.FindTicketEvents(ctx, id, "", 50)
			n := 0
			for _, ev := range events {
				if ev.Kind == kind {
					n++
				}
			}
			return n
		}
		if count(a.ID, tend.EventLinked) != 1 || count(b.ID, tend.EventLinked) != 1 {
			t.Errorf("linked entries: %d and %d, want one on each", count(a.ID, tend.EventLinked), count(b.ID, tend.EventLinked))
		}
		if got, err = e.tickets.UnlinkTickets(ctx, b.ID, a.ID); err != nil || len(got.Links) != 0 {
			t.Fatalf("after unlinking: %+v, %v", got.Links, err)
		}
		if a2, _ := e.tickets.FindTicketByID(ctx, a.ID); len(a2.Links) != 0 || count(a.ID, tend.EventUnlinked) != 1 {
			t.Errorf("#%d still links %+v", a.Number, a2.Links)
		}
		_, err = e.tickets.LinkTickets(ctx, a.ID, a.ID)
		wantCode(t, err, tend.EINVALID)
		_, err = e.tickets.LinkTickets(ctx, a.ID, 999999)
		wantCode(t, err, tend.ENOTFOUND)
		if tend.ErrorFields(err)["ticket_id"] == "" {
			t.Errorf("the unknown ticket is not named as ticket_id: %v", err)
		}
		_, err = e.tickets.LinkTickets(asCustomer(a.CustomerID), a.ID, b.ID)
		wantCode(t, err, tend.EFORBIDDEN)
		// A customer reads their ticket without its links to others'.
		if mine, err := e.tickets.FindTicketByID(asCustomer(a.CustomerID), a.ID); err != nil || mine.Links != nil {
			t.Errorf("customer's read: links %+v, %v", mine.Links, err)
		}
	})
}
