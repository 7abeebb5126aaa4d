package sqldb

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/tendhq/tend"
)

// On PostgreSQL a search walks the newest rows first, then walks on or
// asks the index for the rest; with looks of a row or two, most matches
// come from the later looks, and none may be lost.
func TestSearchBeyondTheFirstLook(t *testing.T) {
	base := os.Getenv("TEND_TEST_POSTGRES_URL")
	if base == "" {
		t.Skip("PostgreSQL tests skipped: set TEND_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test to run them")
	}
	ctx := context.Background()
	dsn, err := CreateSchema(ctx, base, fmt.Sprintf("tend_test_window_%d", os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	defer DropSchema(ctx, base, fmt.Sprintf("tend_test_window_%d", os.Getpid()))
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	defer func(first, most int64) { pgFirstLook, pgMaxWalk = first, most }(pgFirstLook, pgMaxWalk)

	sys := tend.SystemContext(ctx)
	tickets := NewTicketService(db, nil)
	for i := range 6 {
		subject := fmt.Sprint("Question ", i)
		if i%2 == 0 {
			subject = fmt.Sprint("Parcel question ", i)
		}
		if _, err := tickets.CreateTicket(sys, &tend.TicketCreate{Subject: subject, Customer: tend.CustomerRef{Email: "w@example.com"},
			Body: fmt.Sprint("Where is my parcel number ", i, "?")}); err != nil {
			t.Fatal(err)
		}
	}
	defer func(n int) { searchBatch = n }(searchBatch)
	for _, look := range []struct {
		first, most int64
		batch       int
	}{{1, 1, 500}, {1, 100, 500}, {1, 4, 3}, {2, 2, 3}, {1, 100, 4}} {
		pgFirstLook, pgMaxWalk, searchBatch = look.first, look.most, look.batch
		hits, _, err := NewSearchService(db).Search(sys, "parcel", tend.SearchFilter{}, "", 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 6 {
			t.Fatalf("%+v: %d tickets found, want all 6", look, len(hits))
		}
		// Subject matches weigh more: the three with the word in the
		// subject come first.
		for i, h := range hits[:3] {
			if h.Ticket.Number%2 != 0 {
				t.Errorf("hit %d is ticket #%d, whose subject lacks the word", i, h.Ticket.Number)
			}
		}
	}
}
