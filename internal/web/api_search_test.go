package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

type searchResults struct {
	Items      []tend.SearchHit `json:"items"`
	NextCursor *string          `json:"next_cursor"`
}

// The API finds a ticket by its number and a customer's tickets by their
// address or full name, before anything that merely has those words.
func TestSearchByNumberAddressAndNameOverHTTP(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		create := func(email, name, body string) tend.Ticket {
			t.Helper()
			var tk tend.Ticket
			ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": "Help",
				"customer": map[string]string{"email": email, "name": name}, "body": body}).want(t, http.StatusCreated).decode(t, &tk)
			return tk
		}
		ann := create("ann@example.com", "Ann Lee", "My card is lost.")
		numbered := create("cy@example.com", "Cy", "Nothing to see.")
		create("bo@example.com", "Bo", fmt.Sprintf("Ann Lee wrote ann@example.com about ticket %d.", numbered.Number))
		for _, c := range []struct {
			q     string
			want  tend.Ticket
			words bool // another ticket has the query's words
		}{
			{fmt.Sprint(numbered.Number), numbered, true},
			{fmt.Sprint("#", numbered.Number), numbered, true},
			{"Ann@Example.com", ann, false}, // PostgreSQL reads an address in text as one word
			{"ann lee", ann, true},
		} {
			var res searchResults
			ts.as(tend.RoleAgent, "GET", "/api/v1/search?q="+url.QueryEscape(c.q), nil).want(t, http.StatusOK).decode(t, &res)
			if len(res.Items) == 0 || res.Items[0].Ticket.ID != c.want.ID || res.Items[0].Matched == tend.MatchWords {
				t.Errorf("search %q = %+v; want ticket %d first", c.q, res.Items, c.want.ID)
			}
			if c.words && (len(res.Items) != 2 || res.Items[1].Matched != tend.MatchWords) {
				t.Errorf("search %q = %+v; want then the ticket with those words", c.q, res.Items)
			}
		}
	})
}

// Search pages on through every match with next_cursor, as lists do.
func TestSearchPagesOverHTTP(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		const n = 2*tend.MaxSearchResults + 7
		want := map[int64]bool{}
		for i := range n {
			var tk tend.Ticket
			ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": fmt.Sprint("Refund ", i),
				"customer": map[string]string{"email": fmt.Sprintf("c%d@example.com", i%9)}, "body": "Please refund my order."}).want(t, http.StatusCreated).decode(t, &tk)
			want[tk.ID] = true
		}
		seen := map[int64]bool{}
		path, pages := "/api/v1/search?q=refund&limit=50", 0
		for {
			var res searchResults
			ts.as(tend.RoleAgent, "GET", path, nil).want(t, http.StatusOK).decode(t, &res)
			pages++
			for _, h := range res.Items {
				if seen[h.Ticket.ID] {
					t.Errorf("page %d repeats ticket %d", pages, h.Ticket.ID)
				}
				seen[h.Ticket.ID] = true
			}
			if res.NextCursor == nil {
				break
			}
			if pages > n {
				t.Fatal("no end to the pages")
			}
			path = "/api/v1/search?q=refund&limit=50&cursor=" + url.QueryEscape(*res.NextCursor)
		}
		if len(seen) != n || pages != 3 {
			t.Errorf("%d tickets in %d pages, want %d in 3", len(seen), pages, n)
		}
		for id := range want {
			if !seen[id] {
				t.Errorf("ticket %d never found", id)
			}
		}
		p := ts.as(tend.RoleAgent, "GET", "/api/v1/search?q=refund&cursor=nonsense", nil).want(t, http.StatusBadRequest).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "cursor" {
			t.Errorf("a cursor that is not one: %+v", p)
		}
	})
}
