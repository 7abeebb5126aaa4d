package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/tendhq/tend"
)

// The ticket list, where agents spend their day, and the staff names its
// rows show.

// ticketRow is a ticket as a list shows it.
type ticketRow struct {
	ID, Number int64
	Subject    string
	Customer   string
	Status     tend.Status
	Priority   tend.Priority
	Owner      string
	Team       string
	UpdatedAt  time.Time
	// Preview is the start of the latest public message, on the ticket
	// list; ByStaff says staff wrote it.
	Preview string
	ByStaff bool
	// Deadline is the ticket's earliest deadline passed and unmet, else
	// its next one; nil for none.
	Deadline *deadlineView
}

type ticketListPage struct {
	basePage
	Heading   string
	ViewKey   string
	Rows      []ticketRow
	Next      string // URL of the next page, if any
	First     string // URL of the first page, when not on it
	SortLinks map[string]sortLink
	// The filter form.
	Filter    url.Values
	Problems  map[string]string
	Agents    []*tend.Agent
	Teams     []*tend.Team
	Statuses  []tend.Status
	Fields    []*tend.Field
	CanSave   bool
	SavedID   int64 // the saved view shown, to offer deleting it
	FilterRaw string
	// The name the save form was sent with, and its problem, when the
	// view was not saved.
	SaveName, SaveProblem string
	Notice                string
	Error                 string
	// BulkKey makes the bulk form's submission once only, however often
	// it is sent; Back is the list to return to.
	BulkKey, Back string
	// NowISO is when the deadlines' words were written, for the script.
	NowISO string
}

// refusedView is a view that was not saved: its name, the problem with
// it, what the page says above and the status it answers with.
type refusedView struct {
	name, problem, said string
	status              int
}

// sortLink is a column heading that sorts a list.
type sortLink struct {
	URL     string
	Current string // "ascending", "descending" or ""
	// The heading: its class, its label, and the rest of the label for
	// those who do not see the column.
	Class, Label, Hidden string
}

// ticketList serves GET /tickets: a view (?view=mine), or a filter of the
// agent's own (?status=open&priority=high), a page at a time.
func (s *Server) ticketList(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	if renamed, ok := renamedFilter(r.URL.Query()); ok {
		http.Redirect(w, r, r.URL.Path+"?"+renamed.Encode(), http.StatusMovedPermanently)
		return
	}
	s.showTicketList(w, r, agent, ctx, r.URL, nil)
}

// showTicketList renders the list at u; refused, when not nil, is a view
// that could not be saved from it, shown in its form.
func (s *Server) showTicketList(w http.ResponseWriter, r *http.Request, agent *tend.Agent, ctx context.Context, u *url.URL, refused *refusedView) {
	q := u.Query()
	page := ticketListPage{basePage: s.base(w, r, "Tickets", agent), Filter: q, Statuses: tend.Statuses,
		BulkKey: rand.Text(), Back: r.URL.RequestURI()}
	page.Live = "list"
	page.Notice = cmp.Or(listNotices[q.Get("done")], bulkNotice(q.Get("done")))

	builtin, saved, err := s.agentViews(ctx, agent)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	var f tend.TicketFilter
	switch {
	case hasFilter(q):
		f, err = listFilter(q)
		page.Problems = tend.ErrorFields(err)
		page.Heading, page.CanSave = "Filtered tickets", err == nil
		page.FilterRaw = filterQuery(q).Encode()
		if err != nil {
			page.Error = problemsSaid(err, "No tickets are listed: correct the filter where it is marked below.", filterFormFields)
		}
	default:
		key := q.Get("view")
		if key == "" {
			key = "mine"
		}
		i := slices.IndexFunc(append(builtin, saved...), func(v view) bool { return v.Key == key })
		if i < 0 {
			s.render(w, http.StatusNotFound, "message", messagePage{basePage: page.basePage, Message: "There is no such view."})
			return
		}
		v := append(builtin, saved...)[i]
		f, page.Heading, page.ViewKey = v.Filter, v.Name, v.Key
		if i >= len(builtin) {
			page.SavedID = saved[i-len(builtin)].savedID
			page.Filter = saved[i-len(builtin)].query
		}
	}
	page.Title = page.Heading
	// A view may have an order of its own (At risk: the next deadline
	// first); the headings' choice comes before it.
	if q.Get("sort") != "" || f.Sort == "" {
		f.Sort = tend.TicketSort(q.Get("sort"))
	}
	if f.Sort == "" {
		f.Sort = tend.SortUpdatedDesc
	} else if !f.Sort.Valid() && page.Error == "" {
		page.Error = fmt.Sprintf("%q is not a way to sort this list; choose one of the column headings.", q.Get("sort"))
		f.Sort = tend.SortUpdatedDesc
	}
	f.Cursor = q.Get("cursor")
	st, err := s.staff(ctx)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	page.Agents, page.Teams = st.agents, st.teams
	if page.Fields, err = s.Fields.FindFields(ctx); err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	status := http.StatusOK
	if page.Error == "" {
		list, next, err := s.Tickets.FindTickets(ctx, f)
		if err != nil {
			if tend.ErrorCode(err) != tend.EINVALID {
				s.pageError(w, r, agent, err)
				return
			}
			page.Error, status = formProblem(err), http.StatusBadRequest
		}
		page.NowISO = isoMilli(s.Clock.Now())
		if page.Rows, err = s.ticketRowsWith(ctx, list, st); err == nil {
			err = s.addPreviews(ctx, page.Rows)
		}
		if err != nil {
			s.pageError(w, r, agent, err)
			return
		}
		page.Next, page.First = pageLinks(u, next)
	} else {
		status = http.StatusBadRequest
	}
	page.SortLinks = sortLinks(u, f.Sort)
	if q.Get("fragment") == "list" {
		s.renderFragment(w, "tickets", "ticketTable", page)
		return
	}
	if page.Nav, err = s.navOf(ctx, agent, builtin, saved, page.ViewKey); err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	if refused != nil {
		page.SaveName, page.SaveProblem, page.Error, status = refused.name, refused.problem, refused.said, refused.status
	}
	s.render(w, status, "tickets", page)
}

// filterFormFields are the fields of the filter form, where their problems
// are shown.
var filterFormFields = []string{"status", "priority", "owner_id", "team_id", "channel", "at_risk", "tag", "customer_id", "organization_id"}

var listNotices = map[string]string{
	"saved":   "The view was saved; it is in the sidebar.",
	"deleted": "The view was deleted.",
}

// withParam returns u's path and query with key set to value, or removed
// when value is empty; a new sort or filter starts at the first page.
func withParam(u *url.URL, key, value string) string {
	q := u.Query()
	q.Del("fragment")
	if key != "cursor" {
		q.Del("cursor")
	}
	if value == "" {
		q.Del(key)
	} else {
		q.Set(key, value)
	}
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Encode()
}

// sortLinks returns, for the sortable columns, the link that sorts by
// them: the other way round if they are the current order. Times and
// priorities sort the greatest first at the first click, names A to Z,
// deadlines the soonest first.
func sortLinks(u *url.URL, current tend.TicketSort) map[string]sortLink {
	link := func(first, second tend.TicketSort, class, label, hidden string) sortLink {
		l := sortLink{URL: withParam(u, "sort", string(first)), Class: class, Label: label, Hidden: hidden}
		switch current {
		case first, second:
			l.Current = "ascending"
			if current.Descending() {
				l.Current = "descending"
			}
			if current == first {
				l.URL = withParam(u, "sort", string(second))
			}
		}
		return l
	}
	return map[string]sortLink{
		"updated":  link(tend.SortUpdatedDesc, tend.SortUpdatedAsc, "activity", "Last activity", ""),
		"created":  link(tend.SortCreatedDesc, tend.SortCreatedAsc, "num", "#", " (ticket number)"),
		"priority": link(tend.SortPriorityDesc, tend.SortPriorityAsc, "priority", "Priority", ""),
		"owner":    link(tend.SortOwnerAsc, tend.SortOwnerDesc, "owner", "Owner", ""),
		"team":     link(tend.SortTeamAsc, tend.SortTeamDesc, "team", "Team", ""),
		"due":      link(tend.SortDueAsc, tend.SortDueDesc, "deadline", "Next deadline", ""),
	}
}

// addPreviews sets each row's preview, read for the whole page at once.
func (s *Server) addPreviews(ctx context.Context, rows []ticketRow) error {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	previews, err := s.Tickets.FindTicketPreviews(ctx, ids)
	if err != nil {
		return err
	}
	for i, r := range rows {
		p := previews[r.ID]
		rows[i].Preview, rows[i].ByStaff = p.Text, p.AuthorType == tend.AuthorAgent
	}
	return nil
}

// staff is every agent and team, for names and choices, read once per
// page.
type staff struct {
	agents []*tend.Agent
	teams  []*tend.Team
	agent  map[int64]*tend.Agent
	team   map[int64]*tend.Team
}

// staff reads every agent and team.
func (s *Server) staff(ctx context.Context) (*staff, error) {
	agents, err := s.allAgents(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := s.Teams.FindTeams(ctx)
	if err != nil {
		return nil, err
	}
	st := &staff{agents: agents, teams: teams, agent: agentsByID(agents), team: make(map[int64]*tend.Team, len(teams))}
	for _, t := range teams {
		st.team[t.ID] = t
	}
	return st, nil
}

// agentName is the name of the agent with id, or a stand-in for one the
// list lacks.
func (st *staff) agentName(id int64) string {
	if a := st.agent[id]; a != nil {
		return a.Name
	}
	return "agent " + strconv.FormatInt(id, 10)
}

// ticketRows joins the names a list shows to its tickets.
func (s *Server) ticketRows(ctx context.Context, list []*tend.Ticket) ([]ticketRow, error) {
	st, err := s.staff(ctx)
	if err != nil {
		return nil, err
	}
	return s.ticketRowsWith(ctx, list, st)
}

// ticketRowsWith is ticketRows for a page that has read the staff already.
func (s *Server) ticketRowsWith(ctx context.Context, list []*tend.Ticket, st *staff) ([]ticketRow, error) {
	ids := make([]int64, 0, len(list))
	for _, t := range list {
		ids = append(ids, t.CustomerID)
	}
	customers, err := s.Customers.FindCustomersByIDs(ctx, slices.Compact(slices.Sorted(slices.Values(ids))))
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, c := range customers {
		names[c.ID] = c.Name
		if c.Name == "" && len(c.Emails) > 0 {
			names[c.ID] = c.Emails[0]
		}
	}
	rows := make([]ticketRow, len(list))
	now := s.Clock.Now()
	for i, t := range list {
		rows[i] = ticketRow{ID: t.ID, Number: t.Number, Subject: t.Subject, Customer: names[t.CustomerID],
			Status: t.Status, Priority: t.Priority, UpdatedAt: t.UpdatedAt, Deadline: nextDeadline(t.SLA, now)}
		if t.OwnerID != nil {
			rows[i].Owner = st.agentName(*t.OwnerID)
		}
		if t.TeamID != nil && st.team[*t.TeamID] != nil {
			rows[i].Team = st.team[*t.TeamID].Name
		}
	}
	return rows, nil
}
