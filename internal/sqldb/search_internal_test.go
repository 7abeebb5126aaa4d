package sqldb

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/tendhq/tend"
)

// On PostgreSQL a search looks at the newest rows first and then at the
// older ones; with windows of one row, every match but the newest comes
// from the second look, and none may be lost.
func TestSearchBeyondTheRecentWindow(t *testing.T) {
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
	defer func(s, m int64) { subjectSource.window, messageSource.window = s, m }(subjectSource.window, messageSource.window)
	subjectSource.window, messageSource.window = 1, 1

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
	hits, _, err := NewSearchService(db).Search(sys, "parcel", tend.SearchFilter{}, "", 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 6 {
		t.Fatalf("%d tickets found, want all 6", len(hits))
	}
	// Subject matches weigh more: the three with the word in the subject
	// come first.
	for i, h := range hits[:3] {
		if h.Ticket.Number%2 != 0 {
			t.Errorf("hit %d is ticket #%d, whose subject lacks the word", i, h.Ticket.Number)
		}
	}
}
