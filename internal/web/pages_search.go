package web

import (
	"html/template"
	"net/http"
	"slices"

	"github.com/tendhq/tend"
)

// The search page: full-text over subjects and messages, best first, with
// the matching words marked.

type searchPage struct {
	basePage
	Hits     []searchRow
	Status   string // "", "open" (new, open, pending, on hold) or a status
	Statuses []tend.Status
	Searched bool
	Error    string
}

type searchRow struct {
	ticketRow
	Snippet template.HTML
}

// searchPage serves GET /search?q=...&status=...
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	page := searchPage{basePage: s.base(w, r, "Search", agent), Status: q.Get("status"), Statuses: allStatuses}
	page.Query = q.Get("q")
	status := http.StatusOK
	if page.Query != "" {
		page.Searched = true
		hits, err := s.Search.Search(ctx, page.Query, tend.MaxSearchResults)
		if err != nil {
			if tend.ErrorCode(err) != tend.EINVALID {
				s.pageError(w, r, agent, err)
				return
			}
			page.Error, status = tend.ErrorMessage(err), http.StatusBadRequest
		}
		hits = slices.DeleteFunc(hits, func(h *tend.SearchHit) bool { return !statusMatches(page.Status, h.Ticket.Status) })
		tickets := make([]*tend.Ticket, len(hits))
		for i, h := range hits {
			tickets[i] = h.Ticket
		}
		rows, err := s.ticketRows(ctx, tickets)
		if err != nil {
			s.pageError(w, r, agent, err)
			return
		}
		for i, h := range hits {
			// SnippetHTML is escaped text with <mark> around the matches,
			// made by the store.
			page.Hits = append(page.Hits, searchRow{ticketRow: rows[i], Snippet: template.HTML(h.SnippetHTML)})
		}
		page.Title = "Search: " + page.Query
	}
	var err error
	if page.Nav, err = s.nav(ctx, agent, ""); err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	s.render(w, status, "search", page)
}

// statusMatches reports whether a ticket in status st passes the search
// page's status filter.
func statusMatches(filter string, st tend.Status) bool {
	switch filter {
	case "":
		return true
	case "unsolved":
		return st != tend.StatusSolved && st != tend.StatusClosed
	}
	return string(st) == filter
}
