package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tendhq/tend"
	"golang.org/x/sync/singleflight"
)

// Views: the sidebar of ticket lists every agent works from, with live
// counts, and the list page that shows one of them.

// workStatuses are the statuses of tickets that wait on the team.
var workStatuses = []tend.Status{tend.StatusNew, tend.StatusOpen, tend.StatusOnHold}

// view is a named ticket list.
type view struct {
	Key, Name string
	Filter    tend.TicketFilter
	// Counted views show how many tickets they hold; a view of solved
	// tickets grows for ever, and a count of it tells nobody anything.
	Counted bool
	// savedID and query are a saved view's id and filter.
	savedID int64
	query   url.Values
}

// viewLink is a view as the sidebar shows it.
type viewLink struct {
	Key, Name, URL string
	Count          int
	Counted        bool
	Current        bool
	// Broken is a saved view whose filter no longer reads.
	Broken bool
}

type viewNav struct {
	Views []viewLink
	Saved []viewLink
}

// builtinViews are the views every agent has: their own work, what of
// theirs and their teams' is at risk, the unassigned queue, each of their
// teams, and the whole desk by status.
func builtinViews(agent *tend.Agent, teams []*tend.Team) []view {
	me, none := agent.ID, int64(0)
	views := []view{
		{Key: "mine", Name: "My open tickets", Filter: tend.TicketFilter{OwnerID: &me, Statuses: workStatuses}, Counted: true},
		// At risk of missing a service-level target or past one, of the
		// agent or their teams, the soonest deadline first.
		{Key: "at-risk", Name: "At risk", Filter: tend.TicketFilter{AtRisk: true, HolderID: &me, Statuses: workStatuses,
			Sort: tend.SortDueAsc}, Counted: true},
		{Key: "unassigned", Name: "Unassigned", Filter: tend.TicketFilter{OwnerID: &none, Statuses: workStatuses}, Counted: true},
	}
	for _, t := range teams {
		for _, id := range agent.TeamIDs {
			if id == t.ID {
				views = append(views, view{Key: "team-" + strconv.FormatInt(id, 10), Name: t.Name,
					Filter: tend.TicketFilter{TeamID: &id, Statuses: workStatuses}, Counted: true})
			}
		}
	}
	return append(views,
		view{Key: "open", Name: "All open", Filter: tend.TicketFilter{Statuses: workStatuses}, Counted: true},
		view{Key: "pending", Name: "Pending", Filter: tend.TicketFilter{Statuses: []tend.Status{tend.StatusPending}}, Counted: true},
		view{Key: "solved", Name: "Recently solved", Filter: tend.TicketFilter{Statuses: []tend.Status{tend.StatusSolved}}},
		view{Key: "spam", Name: "Spam", Filter: tend.TicketFilter{Spam: true}},
	)
}

// savedViews turns an agent's saved filters into views.
func savedViews(saved []*tend.SavedView) []view {
	views := make([]view, 0, len(saved))
	for _, sv := range saved {
		f, err := savedFilter(sv.Query())
		if err != nil {
			continue // a filter that no longer parses (a deleted team) shows nothing rather than everything
		}
		views = append(views, view{Key: "saved-" + strconv.FormatInt(sv.ID, 10), Name: sv.Name, Filter: f, Counted: true,
			savedID: sv.ID, query: sv.Query()})
	}
	return views
}

// countCache keeps view counts until a ticket changes, so that every page
// of the workspace does not count the desk again. Counts older than
// maxAge are taken again all the same, for changes made by another
// process (tend mail import).
type countCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string]countEntry
	// taking makes the pages that miss the same count at once share one
	// query: after a change, every open page asks.
	taking singleflight.Group
}

type countEntry struct {
	n   int
	gen uint64
	at  time.Time
	// tick is the minute of the server's clock a count that time alone
	// changes (At risk) was taken in; zero for the others.
	tick time.Time
}

const maxCountAge = 30 * time.Second

// changed forgets every count.
func (c *countCache) changed() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
}

func (c *countCache) get(key string, tick time.Time) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	return e.n, ok && e.gen == c.gen && time.Since(e.at) < maxCountAge && e.tick.Equal(tick)
}

// put records a count taken at generation gen, in the minute tick; a
// count taken while a ticket changed is not kept.
func (c *countCache) put(key string, n int, gen uint64, tick time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]countEntry{}
	}
	if gen == c.gen {
		c.entries[key] = countEntry{n: n, gen: gen, at: time.Now(), tick: tick}
	}
}

func (c *countCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// count returns how many tickets a view holds. Views whose filter names
// the agent ("mine", "at-risk") are cached per agent. A ticket comes
// into a view of tickets at risk by time alone, so such a count is kept
// for the minute of the server's clock it was taken in at most.
func (s *Server) count(ctx context.Context, agent *tend.Agent, v view) (int, error) {
	key := v.Key
	if v.Key == "mine" || v.Key == "at-risk" || strings.HasPrefix(v.Key, "saved-") {
		key += "/" + strconv.FormatInt(agent.ID, 10)
	}
	var tick time.Time
	if v.Filter.AtRisk {
		tick = s.Clock.Now().Truncate(time.Minute)
	}
	if n, ok := s.counts.get(key, tick); ok {
		return n, nil
	}
	n, err, _ := s.counts.taking.Do(key, func() (any, error) {
		gen := s.counts.generation()
		n, err := s.Tickets.CountTickets(ctx, v.Filter)
		if err == nil {
			s.counts.put(key, n, gen, tick)
		}
		return n, err
	})
	if err != nil {
		return 0, err
	}
	return n.(int), nil
}

// agentViews returns the agent's views, built in and saved.
func (s *Server) agentViews(ctx context.Context, agent *tend.Agent) (builtin, saved []view, err error) {
	teams, err := s.Teams.FindTeams(ctx)
	if err != nil {
		return nil, nil, err
	}
	// A session's agent comes without their teams; the teams list has
	// the members.
	member := *agent
	member.TeamIDs = nil
	for _, t := range teams {
		if slices.Contains(t.MemberIDs, agent.ID) {
			member.TeamIDs = append(member.TeamIDs, t.ID)
		}
	}
	agent = &member
	mine, err := s.SavedViews.FindSavedViews(ctx)
	if err != nil {
		return nil, nil, err
	}
	return builtinViews(agent, teams), savedViews(mine), nil
}

// nav builds the sidebar of the agent's views, marking current.
func (s *Server) nav(ctx context.Context, agent *tend.Agent, current string) (*viewNav, error) {
	builtin, saved, err := s.agentViews(ctx, agent)
	if err != nil {
		return nil, err
	}
	return s.navOf(ctx, agent, builtin, saved, current)
}

// navOf builds the sidebar of views read already.
func (s *Server) navOf(ctx context.Context, agent *tend.Agent, builtin, saved []view, current string) (*viewNav, error) {
	var err error
	links := func(views []view) ([]viewLink, error) {
		out := make([]viewLink, len(views))
		for i, v := range views {
			out[i] = viewLink{Key: v.Key, Name: v.Name, URL: "/tickets?view=" + v.Key, Counted: v.Counted, Current: v.Key == current}
			if v.Counted {
				out[i].Count, err = s.count(ctx, agent, v)
				if tend.ErrorCode(err) == tend.EINVALID {
					// A saved filter the desk no longer reads (a custom
					// field deleted since) shows why when opened; the
					// other views stay.
					out[i].Counted, out[i].Broken, err = false, true, nil
				}
				if err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	}
	nav := &viewNav{}
	if nav.Views, err = links(builtin); err != nil {
		return nil, err
	}
	if nav.Saved, err = links(saved); err != nil {
		return nil, err
	}
	return nav, nil
}

// viewCounts answers the sidebar's counts as JSON, for live updates.
func (s *Server) viewCounts(w http.ResponseWriter, r *http.Request) {
	agent := s.sessionAgent(r)
	if agent == nil {
		http.Error(w, "Sign in first.", http.StatusUnauthorized)
		return
	}
	ctx := agentContext(r.Context(), agent)
	nav, err := s.nav(ctx, agent, "")
	if err != nil {
		s.Logger.Error("view counts", "err", err)
		http.Error(w, "An internal error occurred.", http.StatusInternalServerError)
		return
	}
	counts := map[string]int{}
	for _, l := range append(nav.Views, nav.Saved...) {
		if l.Counted {
			counts[l.Key] = l.Count
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	jsonEncode(w, counts)
}

// agentContext acts as agent.
func agentContext(ctx context.Context, agent *tend.Agent) context.Context {
	return tend.NewContextWithPrincipal(ctx, principal(agent))
}

// principal is who a signed-in agent acts as.
func principal(agent *tend.Agent) tend.Principal {
	return tend.Principal{AgentID: agent.ID, Role: agent.Role}
}

// saveView serves POST /tickets/views: keep the current filter as a view.
func (s *Server) saveView(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	// The filter is read as the list reads it, so that a view is never
	// saved that the sidebar cannot show.
	q, err := url.ParseQuery(r.PostFormValue("filter"))
	if err != nil {
		err = tend.FieldError(tend.EINVALID, "filter", "is not a list's filter; save the view from the list it shows")
	} else if !hasFilter(q) {
		err = tend.FieldError(tend.EINVALID, "filter", "choose at least one filter to save")
	} else {
		var f tend.TicketFilter
		if f, err = listFilter(q); err == nil && len(f.Fields) > 0 {
			// The store alone knows the desk's fields.
			_, err = s.Tickets.CountTickets(ctx, f)
		}
	}
	if err != nil {
		s.formError(w, r, agent, err, "/tickets?"+r.PostFormValue("filter"))
		return
	}
	name := r.PostFormValue("name")
	v, err := s.SavedViews.CreateSavedView(ctx, &tend.SavedViewCreate{Name: name, Filter: filterQuery(q).Encode()})
	if err != nil {
		// Shown again on the list it was saved from, the name kept and
		// its problem beside it.
		if httpStatus(err) >= 500 {
			s.Logger.Error("save view", "err", err)
		}
		s.showTicketList(w, r, agent, ctx, &url.URL{Path: "/tickets", RawQuery: filterQuery(q).Encode()}, &refusedView{name: name,
			problem: tend.ErrorFields(err)["name"], said: problemsSaid(err, "The view was not saved: correct its name.", []string{"name"}),
			status: httpStatus(err)})
		return
	}
	http.Redirect(w, r, "/tickets?view=saved-"+strconv.FormatInt(v.ID, 10)+"&done=saved", http.StatusSeeOther)
}

// deleteView serves POST /tickets/views/{id}/delete.
func (s *Server) deleteView(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "view")
	if err == nil {
		err = s.SavedViews.DeleteSavedView(ctx, id)
	}
	if err != nil {
		s.formError(w, r, agent, err, "/tickets")
		return
	}
	http.Redirect(w, r, "/tickets?done=deleted", http.StatusSeeOther)
}
