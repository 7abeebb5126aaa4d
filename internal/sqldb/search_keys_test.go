package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// Agents search for a ticket's number, a customer's address or their full
// name first: each finds its tickets, first, among what the caller sees.
func TestSearchByNumberAddressAndName(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "Bo", tend.RoleAgent)
		ctx := as(bo)
		create := func(subject, email, name, body string) *tend.Ticket {
			t.Helper()
			tk, err := e.tickets.CreateTicket(ctx, &tend.TicketCreate{Subject: subject, Body: body,
				Customer: tend.CustomerRef{Email: email, Name: name}})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		annFirst := create("Card not arrived", "ann@example.com", "Ann Lee", "Where is my card?")
		annSecond := create("Refund please", "Ann@Example.com", "", "I want my money back.")
		other := create("Question", "bob@example.com", "Bob Stone", "Is this about ann or lee? Neither.")
		numbered := create("Another one", "cy@example.com", "Cy", "Nothing to see.")
		// Its number written in another ticket: the number is a word too.
		mentions := create("Follow-up", "cy@example.com", "Cy", fmt.Sprintf("About ticket %d, which is still open.", numbered.Number))

		ids := func(ctx context.Context, q string) []int64 {
			t.Helper()
			hits, _, err := e.search.Search(ctx, q, tend.SearchFilter{}, "", 20)
			if err != nil {
				t.Fatalf("search %q: %v", q, err)
			}
			var out []int64
			for _, h := range hits {
				out = append(out, h.Ticket.ID)
			}
			return out
		}
		for _, q := range []string{fmt.Sprint(numbered.Number), fmt.Sprintf("#%d", numbered.Number), fmt.Sprintf(" #%d ", numbered.Number)} {
			got := ids(ctx, q)
			if len(got) == 0 || got[0] != numbered.ID {
				t.Errorf("%q = %v; want ticket %d first", q, got, numbered.ID)
			}
			if !slices.Contains(got, mentions.ID) {
				t.Errorf("%q = %v; want also ticket %d, whose text has the number", q, got, mentions.ID)
			}
		}
		anns := []int64{annSecond.ID, annFirst.ID}
		for _, q := range []string{"ann@example.com", "ANN@example.COM", "Ann Lee", "  ann   LEE "} {
			got := ids(ctx, q)
			if len(got) < 2 || !slices.Equal(got[:2], anns) {
				t.Errorf("%q = %v; want Ann's tickets %v first, newest first", q, got, anns)
			}
		}
		// Bob's message has both of Ann's names as words: it comes after
		// her own tickets, and only once.
		if got := ids(ctx, "Ann Lee"); !slices.Equal(got, append(anns, other.ID)) {
			t.Errorf("Ann Lee = %v; want %v", got, append(anns, other.ID))
		}
		if got := ids(ctx, "Ann"); slices.Contains(got, annFirst.ID) {
			t.Errorf("Ann = %v: a part of a name is not a name", got)
		}

		// A customer finds only their own tickets, whatever they ask for.
		bob := asCustomer(other.CustomerID)
		for _, q := range []string{"ann@example.com", "Ann Lee", fmt.Sprint(annFirst.Number)} {
			if got := ids(bob, q); slices.ContainsFunc(got, func(id int64) bool { return id != other.ID }) {
				t.Errorf("customer Bob searching %q finds %v", q, got)
			}
		}
		if got := ids(asCustomer(annFirst.CustomerID), "ann@example.com"); !slices.Equal(got, anns) {
			t.Errorf("Ann searching her own address = %v, want %v", got, anns)
		}

		// The search page's filters apply to these too.
		solved := tend.StatusSolved
		if _, err := e.tickets.UpdateTicket(ctx, annFirst.ID, &tend.TicketUpdate{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		hits, _, err := e.search.Search(ctx, "ann@example.com", tend.SearchFilter{Statuses: tend.UnsolvedStatuses}, "", 20)
		if err != nil || len(hits) != 1 || hits[0].Ticket.ID != annSecond.ID {
			t.Errorf("unsolved tickets of ann@example.com = %v, %v; want only %d", hits, err, annSecond.ID)
		}
	})
}
