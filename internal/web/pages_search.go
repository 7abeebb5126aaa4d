package web

import (
	"html/template"
	"net/http"
	"strconv"

	"github.com/tendhq/tend"
)

// The search page: full-text over subjects and messages, best first, with
// the matching words marked, narrowed by status, owner and team.

type searchPage struct {
	basePage
	Hits     []searchRow
	Status   string // "", "unsolved" or a status
	Owner    string // "", "me", "none" or an agent id
	Team     string // "", "none" or a team id
	Statuses []tend.Status
	Agents   []*tend.Agent
	Teams    []*tend.Team
	Searched bool
	Error    string
	// Next and First are the URLs of the next page of results and of the
	// first, when there are others.
	Next, First string
}

type searchRow struct {
	ticketRow
	Matched tend.SearchMatch
	Snippet template.HTML
}

// searchPage serves GET /search?q=...&status=...&owner=...&team=...&cursor=...
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	page := searchPage{basePage: s.base(w, r, "Search", agent), Status: q.Get("status"), Owner: q.Get("owner"),
		Team: q.Get("team"), Statuses: tend.Statuses}
	page.Query = q.Get("q")
	st, err := s.staff(ctx)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	page.Agents, page.Teams = st.agents, st.teams
	status := http.StatusOK
	if page.Query != "" {
		page.Searched = true
		f, problem := searchFilter(page.Status, page.Owner, page.Team, agent)
		var hits []*tend.SearchHit
		var next string
		if problem != "" {
			page.Error, status = problem, http.StatusBadRequest
		} else if hits, next, err = s.Search.Search(ctx, page.Query, f, q.Get("cursor"), tend.MaxSearchResults); err != nil {
			if tend.ErrorCode(err) != tend.EINVALID {
				s.pageError(w, r, agent, err)
				return
			}
			page.Error, status = formProblem(err), http.StatusBadRequest
		}
		tickets := make([]*tend.Ticket, len(hits))
		for i, h := range hits {
			tickets[i] = h.Ticket
		}
		rows, err := s.ticketRowsWith(ctx, tickets, st)
		if err != nil {
			s.pageError(w, r, agent, err)
			return
		}
		for i, h := range hits {
			// SnippetHTML is escaped text with <mark> around the matches,
			// made by the store.
			page.Hits = append(page.Hits, searchRow{ticketRow: rows[i], Matched: h.Matched, Snippet: template.HTML(h.SnippetHTML)})
		}
		page.Next, page.First = pageLinks(r.URL, next)
		page.Title = "Search: " + page.Query
	}
	if page.Nav, err = s.nav(ctx, agent, ""); err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	s.render(w, status, "search", page)
}

// searchFilter reads the search page's filters; problem says what is
// wrong with them.
func searchFilter(status, owner, team string, agent *tend.Agent) (f tend.SearchFilter, problem string) {
	switch status {
	case "":
	case "unsolved":
		f.Statuses = tend.UnsolvedStatuses
	default:
		if !tend.Status(status).Valid() {
			return f, "Choose a status from the list."
		}
		f.Statuses = []tend.Status{tend.Status(status)}
	}
	id := func(v string) (*int64, bool) {
		switch v {
		case "":
			return nil, true
		case "none":
			zero := int64(0)
			return &zero, true
		case "me":
			return &agent.ID, true
		}
		n, err := strconv.ParseInt(v, 10, 64)
		return &n, err == nil && n > 0
	}
	var ok bool
	if f.OwnerID, ok = id(owner); !ok {
		return f, "Choose an owner from the list."
	}
	if f.TeamID, ok = id(team); !ok || team == "me" {
		return f, "Choose a team from the list."
	}
	return f, ""
}
