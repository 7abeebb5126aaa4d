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

// searchAll pages through a search, limit hits a page, and returns the
// tickets in the order found.
func searchAll(t *testing.T, e *env, ctx context.Context, q string, f tend.SearchFilter, limit int) []int64 {
	t.Helper()
	var ids []int64
	cursor := ""
	for pages := 0; ; pages++ {
		hits, next, err := e.search.Search(ctx, q, f, cursor, limit)
		if err != nil {
			t.Fatalf("search %q, page %d: %v", q, pages+1, err)
		}
		if len(hits) > limit {
			t.Fatalf("search %q, page %d: %d hits, more than %d", q, pages+1, len(hits), limit)
		}
		for _, h := range hits {
			ids = append(ids, h.Ticket.ID)
		}
		if next == "" {
			return ids
		}
		if pages > 200 {
			t.Fatalf("search %q does not end", q)
		}
		cursor = next
	}
}

// Paging goes through every match once, across the batches in which word
// matches are ranked, whatever the page size.
func TestSearchPagesThroughEveryMatch(t *testing.T) {
	defer sqldb.SetSearchBatch(3)()
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "Bo", tend.RoleAgent)
		ctx := as(bo)
		var all, solved []int64
		var first *tend.Ticket
		for i := range 23 {
			subject := fmt.Sprint("Question ", i)
			if i%3 == 0 {
				subject = fmt.Sprint("Refund question ", i)
			}
			tk := e.mustTicket(t, ctx, subject, fmt.Sprintf("c%d@example.com", i%4), fmt.Sprint("Please refund order ", i, "."))
			if i == 0 {
				first = tk
			}
			if i%2 == 0 {
				// More matches for the same ticket, in later messages.
				if _, err := e.tickets.AddMessage(ctx, tk.ID, &tend.MessageCreate{Body: "The refund is on its way."}); err != nil {
					t.Fatal(err)
				}
			}
			if i%5 == 0 {
				st := tend.StatusSolved
				if _, err := e.tickets.UpdateTicket(ctx, tk.ID, &tend.TicketUpdate{Status: &st}); err != nil {
					t.Fatal(err)
				}
				solved = append(solved, tk.ID)
			}
			all = append(all, tk.ID)
		}
		e.mustTicket(t, ctx, "Unrelated", "x@example.com", "Nothing here.")
		// The oldest ticket's newest message is the newest match of all:
		// it comes in the first batch, and only there.
		if _, err := e.tickets.AddMessage(ctx, first.ID, &tend.MessageCreate{Body: "Refund sent today."}); err != nil {
			t.Fatal(err)
		}

		for _, limit := range []int{1, 2, 5, 50} {
			got := searchAll(t, e, ctx, "refund", tend.SearchFilter{}, limit)
			if !sameSet(got, all) {
				t.Errorf("limit %d: found %v, want each of %v once", limit, got, all)
			}
			if i := slices.Index(got, first.ID); i < 0 || i >= 6 {
				t.Errorf("limit %d: the ticket with the newest match is at %d of %v, want it in the first batch", limit, i, got)
			}
		}
		if got := searchAll(t, e, ctx, "refund", tend.SearchFilter{Statuses: []tend.Status{tend.StatusSolved}}, 2); !sameSet(got, solved) {
			t.Errorf("solved: found %v, want %v", got, solved)
		}
		if got := searchAll(t, e, ctx, "nowhere", tend.SearchFilter{}, 5); len(got) != 0 {
			t.Errorf("a word in no ticket finds %v", got)
		}
		_, _, err := e.search.Search(ctx, "refund", tend.SearchFilter{}, "bm90IGEgY3Vyc29y", 5)
		wantCode(t, err, tend.EINVALID)

		// A customer pages through their own tickets only, without notes.
		mine := e.mustTicket(t, ctx, "Refund for me", "me@example.com", "A refund, please.")
		e.mustTicket(t, ctx, "Refund for me too", "me@example.com", "Another refund.")
		if _, err := e.tickets.AddMessage(ctx, mine.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "Internal: refund approved"}); err != nil {
			t.Fatal(err)
		}
		me := asCustomer(mine.CustomerID)
		if got := searchAll(t, e, me, "refund", tend.SearchFilter{}, 1); len(got) != 2 {
			t.Errorf("the customer pages through %v, want their 2 tickets", got)
		}
		if got := searchAll(t, e, me, "approved", tend.SearchFilter{}, 1); len(got) != 0 {
			t.Errorf("the customer finds a note: %v", got)
		}
	})
}

// The tickets a query names and those its words match page on together.
func TestSearchPagesFromNamedToWords(t *testing.T) {
	defer sqldb.SetSearchBatch(2)()
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "Bo", tend.RoleAgent)
		ctx := as(bo)
		var hers, words []int64
		for i := range 5 {
			tk, err := e.tickets.CreateTicket(ctx, &tend.TicketCreate{Subject: fmt.Sprint("Hers ", i), Body: "Hello.",
				Customer: tend.CustomerRef{Email: "ann@example.com", Name: "Ann Lee"}})
			if err != nil {
				t.Fatal(err)
			}
			hers = append([]int64{tk.ID}, hers...) // newest first
			words = append(words, e.mustTicket(t, ctx, fmt.Sprint("About Ann Lee ", i), fmt.Sprintf("o%d@example.com", i), "Ann Lee called.").ID)
		}
		// One of hers also has the words: it comes once, as hers, and first
		// now, by its activity.
		if _, err := e.tickets.AddMessage(ctx, hers[2], &tend.MessageCreate{Body: "Ann Lee here."}); err != nil {
			t.Fatal(err)
		}
		hers = []int64{hers[2], hers[0], hers[1], hers[3], hers[4]}
		for _, limit := range []int{1, 2, 3, 4, 5, 6, 20} {
			got := searchAll(t, e, ctx, "Ann Lee", tend.SearchFilter{}, limit)
			if len(got) != 10 || !slices.Equal(got[:5], hers) || !sameSet(got[5:], words) {
				t.Errorf("limit %d: %v; want %v, then %v in any order", limit, got, hers, words)
			}
		}
	})
}

func sameSet(got, want []int64) bool {
	return len(got) == len(want) && !slices.ContainsFunc(want, func(id int64) bool { return !slices.Contains(got, id) }) &&
		len(slices.Compact(slices.Sorted(slices.Values(got)))) == len(got)
}
