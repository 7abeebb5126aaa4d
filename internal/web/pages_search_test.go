package web_test

import (
	"fmt"
	"html"
	"net/http"
	"regexp"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// The search page links to the next page of results until the last.
func TestSearchPageHasNextPage(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		const n = 2*tend.MaxSearchResults + 3
		for i := range n {
			ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": fmt.Sprint("Refund ", i),
				"customer": map[string]string{"email": "p@example.com"}, "body": "Please refund it."}).want(t, http.StatusCreated)
		}
		sc := newStaffClient(t, ts, tend.RoleAgent)
		hit := regexp.MustCompile(`<li class="hit">\s*<a href="/tickets/(\d+)"`)
		next := regexp.MustCompile(`<a href="([^"]+)" rel="next">Next page</a>`)
		seen, pages := map[string]bool{}, 0
		for path := "/search?q=refund&status=unsolved"; path != ""; pages++ {
			status, body := sc.get(path)
			if status != http.StatusOK || pages > 5 {
				t.Fatalf("%s: %d, page %d", path, status, pages+1)
			}
			for _, m := range hit.FindAllStringSubmatch(body, -1) {
				if seen[m[1]] {
					t.Errorf("page %d shows #%s again", pages+1, m[1])
				}
				seen[m[1]] = true
			}
			path = ""
			if m := next.FindStringSubmatch(body); m != nil {
				path = html.UnescapeString(m[1])
			}
		}
		if len(seen) != n || pages != 3 {
			t.Errorf("%d tickets on %d pages, want %d on 3", len(seen), pages, n)
		}
	})
}
