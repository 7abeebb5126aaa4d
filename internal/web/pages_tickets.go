package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sanitize"
)

// The ticket list and the ticket page, where agents spend their day.

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
	CanSave   bool
	SavedID   int64 // the saved view shown, to offer deleting it
	FilterRaw string
	Notice    string
	Error     string
}

type sortLink struct {
	URL     string
	Current string // "ascending", "descending" or ""
}

// ticketList serves GET /tickets: a view (?view=mine), or a filter of the
// agent's own (?status=open&priority=high), a page at a time.
func (s *Server) ticketList(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	page := ticketListPage{basePage: s.base(w, r, "Tickets", agent), Filter: q, Statuses: tend.Statuses}
	page.Live = "list"
	page.Notice = listNotices[q.Get("done")]

	builtin, saved, err := s.agentViews(ctx, agent)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	var f tend.TicketFilter
	switch {
	case hasFilter(q):
		f, page.Problems, err = parseTicketFilter(q)
		page.Heading, page.CanSave = "Filtered tickets", err == nil
		page.FilterRaw = filterQuery(q).Encode()
		if err != nil {
			page.Error = "Fix the filter: " + strings.Join(sortedValues(page.Problems), "; ")
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
	f.Sort = tend.TicketSort(q.Get("sort"))
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
	status := http.StatusOK
	if page.Error == "" {
		list, next, err := s.Tickets.FindTickets(ctx, f)
		if err != nil {
			if tend.ErrorCode(err) != tend.EINVALID {
				s.pageError(w, r, agent, err)
				return
			}
			page.Error, status = tend.ErrorMessage(err), http.StatusBadRequest
		}
		if page.Rows, err = s.ticketRowsWith(ctx, list, st); err != nil {
			s.pageError(w, r, agent, err)
			return
		}
		page.Next, page.First = pageLinks(r.URL, next)
	} else {
		status = http.StatusBadRequest
	}
	page.SortLinks = sortLinks(r.URL, f.Sort)
	if r.URL.Query().Get("fragment") == "list" {
		s.renderFragment(w, "tickets", "ticketTable", page)
		return
	}
	if page.Nav, err = s.navOf(ctx, agent, builtin, saved, page.ViewKey); err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	s.render(w, status, "tickets", page)
}

var listNotices = map[string]string{
	"saved":   "The view was saved; it is in the sidebar.",
	"deleted": "The view was deleted.",
}

// filterQuery keeps only the filter's parameters of q.
func filterQuery(q url.Values) url.Values {
	out := url.Values{}
	for _, k := range filterKeys {
		for _, v := range q[k] {
			if v != "" {
				out.Add(k, v)
			}
		}
	}
	return out
}

func sortedValues(m map[string]string) []string {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k + " " + m[k]
	}
	return out
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
// them: the other way round if they are the current order.
func sortLinks(u *url.URL, current tend.TicketSort) map[string]sortLink {
	link := func(asc, desc tend.TicketSort) sortLink {
		switch current {
		case desc:
			return sortLink{URL: withParam(u, "sort", string(asc)), Current: "descending"}
		case asc:
			return sortLink{URL: withParam(u, "sort", string(desc)), Current: "ascending"}
		}
		return sortLink{URL: withParam(u, "sort", string(desc))}
	}
	return map[string]sortLink{
		"updated": link(tend.SortUpdatedAsc, tend.SortUpdatedDesc),
		"created": link(tend.SortCreatedAsc, tend.SortCreatedDesc),
	}
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
	for i, t := range list {
		rows[i] = ticketRow{ID: t.ID, Number: t.Number, Subject: t.Subject, Customer: names[t.CustomerID],
			Status: t.Status, Priority: t.Priority, UpdatedAt: t.UpdatedAt}
		if t.OwnerID != nil {
			rows[i].Owner = st.agentName(*t.OwnerID)
		}
		if t.TeamID != nil && st.team[*t.TeamID] != nil {
			rows[i].Team = st.team[*t.TeamID].Name
		}
	}
	return rows, nil
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
		_, _, err = parseTicketFilter(q)
	}
	if err != nil {
		s.formError(w, r, agent, err, "/tickets?"+r.PostFormValue("filter"))
		return
	}
	v, err := s.SavedViews.CreateSavedView(ctx, &tend.SavedViewCreate{Name: r.PostFormValue("name"), Filter: filterQuery(q).Encode()})
	if err != nil {
		s.formError(w, r, agent, err, "/tickets?"+r.PostFormValue("filter"))
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

// staffForm is staffPage for form posts: it also checks the CSRF token.
func (s *Server) staffForm(w http.ResponseWriter, r *http.Request) (*tend.Agent, context.Context, bool) {
	agent, ctx, ok := s.staffPage(w, r)
	return agent, ctx, ok && s.formChecked(w, r, agent)
}

// formChecked bounds a form's body and checks its CSRF token, telling the
// agent when it has expired.
func (s *Server) formChecked(w http.ResponseWriter, r *http.Request, agent *tend.Agent) bool {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodySize)
	if !checkCSRF(r) {
		s.render(w, http.StatusForbidden, "message", messagePage{basePage: s.base(w, r, "Form expired", agent),
			Message: "The form expired. Go back, reload the page and try again."})
		return false
	}
	return true
}

// formError shows why a form was refused, with a way back.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, agent *tend.Agent, err error, back string) {
	status := httpStatus(err)
	if status >= 500 {
		s.Logger.Error("form", "path", r.URL.Path, "err", err)
	}
	s.render(w, status, "message", messagePage{basePage: s.base(w, r, "Not done", agent), Message: tend.ErrorMessage(err), Back: back})
}

// pageError answers a page whose data could not be read.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, agent *tend.Agent, err error) {
	status := httpStatus(err)
	if status >= 500 {
		s.Logger.Error("page", "path", r.URL.Path, "err", err)
	}
	s.render(w, status, "message", messagePage{basePage: s.base(w, r, "Not found", agent), Message: tend.ErrorMessage(err)})
}

// renderFragment writes one template of a page alone, for pages that
// refresh part of themselves.
func (s *Server) renderFragment(w http.ResponseWriter, page, name string, data any) {
	var b strings.Builder
	t := s.pages.byName[page]
	if t == nil {
		s.Logger.Error("render fragment: no such template", "page", page)
		http.Error(w, "An internal error occurred.", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&b, name, data); err != nil {
		s.Logger.Error("render fragment", "page", page, "fragment", name, "err", err)
		http.Error(w, "An internal error occurred.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, b.String())
}

// The ticket page.

type ticketPage struct {
	basePage
	Ticket       *tend.Ticket
	Customer     *tend.Customer
	Organization *tend.Organization
	Others       []ticketRow // the customer's other tickets
	Messages     []messageView
	Agents       []*tend.Agent
	Teams        []*tend.Team
	staff        *staff
	OwnerName    string
	// OwnerUnlisted is an owner the form does not offer: deactivated.
	OwnerUnlisted bool
	Statuses      []tend.Status
	Priorities    []tend.Priority
	Present       []presentAgent // other agents with the ticket open
	Events        []eventView
	EventsNext    string
	ShowHistory   bool
	LastID        int64 // the newest message, as the composer saw it
	Draft         draft
	Notice        string
	Error         string
	Problems      map[string]string
	NewSince      int64 // messages after this id are new to the writer
}

type draft struct {
	Kind   tend.MessageKind
	Body   string
	Status string
	// Key makes sending the same form twice (a double click, a retry
	// after a lost answer) add the message once.
	Key string
}

// messageView is a message as the conversation shows it.
type messageView struct {
	*tend.Message
	HTML       template.HTML // the sanitised HTML body, if any
	QuotedHTML template.HTML
	Images     []*tend.Attachment
	Files      []*tend.Attachment
	New        bool
}

var ticketNotices = map[string]string{
	"replied":  "Your reply was added.",
	"noted":    "Your note was added.",
	"updated":  "The ticket was updated.",
	"assigned": "The ticket is yours.",
}

// ticketNumber reads {number} from the path.
func ticketNumber(r *http.Request) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(r.PathValue("number"), "#"), 10, 64)
	return n, err == nil && n > 0
}

// ticketShow serves GET /tickets/{number}.
func (s *Server) ticketShow(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	number, ok := ticketNumber(r)
	if !ok {
		s.render(w, http.StatusNotFound, "message", messagePage{basePage: s.base(w, r, "Not found", agent), Message: "There is no such ticket."})
		return
	}
	page, err := s.ticketPageOf(ctx, w, r, agent, number)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	page.Notice = ticketNotices[r.URL.Query().Get("done")]
	if r.URL.Query().Get("history") == "1" {
		page.ShowHistory = true
		events, next, err := s.Tickets.FindTicketEvents(ctx, page.Ticket.ID, r.URL.Query().Get("after"), 200)
		if err != nil {
			s.pageError(w, r, agent, err)
			return
		}
		page.EventsNext = next
		for _, e := range events {
			page.Events = append(page.Events, describeEvent(e, page.staff))
		}
	}
	fragment := r.URL.Query().Get("fragment")
	if fragment == "conversation" {
		s.renderFragment(w, "ticket", "conversation", page)
		return
	}
	// A page's refresh of itself (?fragment=page) leaves presence to its
	// heartbeats, which say whether its agent is viewing or typing.
	if fragment == "" {
		s.live.setPresence(page.Ticket.ID, agent, "viewing")
	}
	page.Present = others(s.live.present(page.Ticket.ID), agent.ID)
	s.render(w, http.StatusOK, "ticket", page)
}

func others(present []presentAgent, me int64) []presentAgent {
	return slices.DeleteFunc(present, func(p presentAgent) bool { return p.ID == me })
}

// ticketPageOf reads what the ticket page shows.
func (s *Server) ticketPageOf(ctx context.Context, w http.ResponseWriter, r *http.Request, agent *tend.Agent, number int64) (*ticketPage, error) {
	t, err := s.Tickets.FindTicketByNumber(ctx, number)
	if err != nil {
		return nil, err
	}
	page := &ticketPage{basePage: s.base(w, r, "#"+strconv.FormatInt(t.Number, 10)+" "+t.Subject, agent), Ticket: t,
		Statuses: tend.Statuses, Priorities: tend.Priorities, Draft: draft{Kind: tend.KindReply, Key: rand.Text()}}
	page.Live = "ticket=" + strconv.FormatInt(t.ID, 10)
	if page.Customer, err = s.Customers.FindCustomerByID(ctx, t.CustomerID); err != nil {
		return nil, err
	}
	if t.OrganizationID != nil {
		if page.Organization, err = s.Organizations.FindOrganizationByID(ctx, *t.OrganizationID); err != nil && tend.ErrorCode(err) != tend.ENOTFOUND {
			return nil, err
		}
	}
	if page.staff, err = s.staff(ctx); err != nil {
		return nil, err
	}
	page.Agents, page.Teams = page.staff.agents, page.staff.teams
	if t.OwnerID != nil {
		// The owner stays chosen in the form even when they cannot be
		// chosen anew (deactivated), so that saving other fields does not
		// hand the ticket to whoever is listed first.
		owner := page.staff.agent[*t.OwnerID]
		page.OwnerName, page.OwnerUnlisted = page.staff.agentName(*t.OwnerID), owner == nil || !owner.Active
	}
	others, _, err := s.Tickets.FindTickets(ctx, tend.TicketFilter{CustomerID: &t.CustomerID, Limit: 11})
	if err != nil {
		return nil, err
	}
	others = slices.DeleteFunc(others, func(o *tend.Ticket) bool { return o.ID == t.ID })
	if page.Others, err = s.ticketRowsWith(ctx, others[:min(len(others), 10)], page.staff); err != nil {
		return nil, err
	}
	for _, m := range t.Messages {
		page.Messages = append(page.Messages, viewMessage(m))
		page.LastID = max(page.LastID, m.ID)
	}
	return page, nil
}

// viewMessage prepares a message for the conversation. BodyHTML was
// sanitised when it was stored, before anything could show it. Inline
// parts of HTML mail are shown where the HTML refers to them (cid:) and
// not listed again.
func viewMessage(m *tend.Message) messageView {
	// Written again, HTML stored before sanitising closed every element
	// and dropped names is mended here.
	body, quoted := sanitize.Fragment(m.BodyHTML), sanitize.Fragment(m.QuotedHTML)
	v := messageView{Message: m}
	for _, a := range m.Attachments {
		if a.ContentID != "" {
			ref := `"cid:` + html.EscapeString(a.ContentID) + `"`
			if strings.Contains(body, ref) || strings.Contains(quoted, ref) {
				src := `"/attachments/` + strconv.FormatInt(a.ID, 10) + `"`
				body, quoted = strings.ReplaceAll(body, ref, src), strings.ReplaceAll(quoted, ref, src)
				continue
			}
		}
		if previewTypes[a.ContentType] {
			v.Images = append(v.Images, a)
		} else {
			v.Files = append(v.Files, a)
		}
	}
	v.HTML, v.QuotedHTML = template.HTML(body), template.HTML(quoted)
	return v
}

// previewTypes are the images shown in the conversation.
var previewTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// ticketReply serves POST /tickets/{number}/messages: a reply or a note,
// with attachments, and optionally a new status. When the customer wrote
// again after the page was loaded, it shows the new message first and
// asks to confirm, keeping the draft.
func (s *Server) ticketReply(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	number, ok := ticketNumber(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	back := "/tickets/" + strconv.FormatInt(number, 10)
	r.Body = http.MaxBytesReader(w, r.Body, 4*s.MaxAttachmentSize+s.MaxBodySize)
	if err := r.ParseMultipartForm(1 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.formError(w, r, agent, tend.Errorf(tend.ETOOLARGE, "The attachments are too large: together they may be at most %d MB, each at most %d MB.",
				(4*s.MaxAttachmentSize)>>20, s.MaxAttachmentSize>>20), back)
			return
		}
		s.formError(w, r, agent, tend.Errorf(tend.EINVALID, "The form could not be read: %v", err), back)
		return
	}
	if !checkCSRF(r) {
		s.render(w, http.StatusForbidden, "message", messagePage{basePage: s.base(w, r, "Form expired", agent),
			Message: "The form expired. Go back, reload the page and send again; copy your text first."})
		return
	}
	d := draft{Kind: tend.MessageKind(r.PostFormValue("kind")), Body: r.PostFormValue("body"), Status: r.PostFormValue("status"),
		Key: r.PostFormValue("idempotency_key")}
	var files []*multipart.FileHeader
	if r.MultipartForm != nil {
		for _, fh := range r.MultipartForm.File["attachments"] {
			if fh.Size > 0 || fh.Filename != "" {
				files = append(files, fh)
			}
		}
	}
	// refuse shows the ticket again with the draft kept and why it was
	// not sent. A browser cannot refill chosen files, so it says so.
	refuse := func(status int, msg string, problems map[string]string, newSince int64) {
		page, err := s.ticketPageOf(ctx, w, r, agent, number)
		if err != nil {
			s.pageError(w, r, agent, err)
			return
		}
		fresh := page.Draft.Key
		page.Draft, page.Error, page.Problems, page.NewSince = d, msg, problems, newSince
		if page.Draft.Key == "" {
			page.Draft.Key = fresh
		}
		if len(files) > 0 {
			page.Error += " Attach your files again before you send."
		}
		for i := range page.Messages {
			page.Messages[i].New = newSince > 0 && page.Messages[i].ID > newSince
		}
		s.render(w, status, "ticket", page)
	}
	t, err := s.Tickets.FindTicketByNumber(ctx, number)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	// The form says the newest message its page showed; a customer message
	// after it holds the reply until the agent has seen it. The page that
	// says so shows the new message and carries its id, so sending from it
	// goes through unless the customer wrote yet again. A form that does
	// not say (not from this page) is not held.
	ids := newFormIDs(r)
	seen := ids.one("last_message_id", "a message")
	if err := ids.err(); err != nil {
		refuse(http.StatusBadRequest, "This form does not say which messages its page showed; reload the page and send again.", nil, 0)
		return
	}
	if d.Kind == tend.KindReply && seen > 0 {
		for _, m := range t.Messages {
			if m.ID > seen && m.AuthorType == tend.AuthorCustomer {
				refuse(http.StatusConflict, "The customer wrote again while you were writing. Read their new message, then send your reply if it still fits.", nil, seen)
				return
			}
		}
	}
	c := &tend.MessageCreate{Kind: d.Kind, Body: d.Body, IdempotencyKey: d.Key}
	if d.Status != "" {
		st := tend.Status(d.Status)
		c.Status = &st
	}
	for _, fh := range files {
		in, err := readUpload(fh, s.MaxAttachmentSize)
		if err != nil {
			refuse(httpStatus(err), tend.ErrorMessage(err), nil, 0)
			return
		}
		c.Attachments = append(c.Attachments, in)
	}
	if _, err := s.Tickets.AddMessage(ctx, t.ID, c); err != nil {
		if tend.ErrorCode(err) == tend.EINTERNAL {
			s.Logger.Error("add message", "ticket", t.ID, "err", err)
		}
		refuse(httpStatus(err), tend.ErrorMessage(err), tend.ErrorFields(err), 0)
		return
	}
	s.live.setPresence(t.ID, agent, "viewing")
	done := "replied"
	if d.Kind == tend.KindNote {
		done = "noted"
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
}

// ticketUpdate serves POST /tickets/{number}: owner, team, priority,
// status and tags, refused if the ticket changed since the page was read.
func (s *Server) ticketUpdate(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	number, ok := ticketNumber(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	back := "/tickets/" + strconv.FormatInt(number, 10)
	t, err := s.Tickets.FindTicketByNumber(ctx, number)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	u, err := readTicketForm(r, t, agent)
	if err != nil {
		s.formError(w, r, agent, err, back)
		return
	}
	if u.Empty() {
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	if _, err := s.Tickets.UpdateTicket(ctx, t.ID, u); err != nil {
		if tend.ErrorCode(err) == tend.ESTALE {
			err = tend.Errorf(tend.ESTALE, "Someone changed this ticket while you had it open. Reload it to see the change, then make yours again.")
		}
		s.formError(w, r, agent, err, back)
		return
	}
	done := "updated"
	if r.PostFormValue("take") != "" {
		done = "assigned"
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
}

// readTicketForm turns the ticket page's controls into an update of what
// changed. "take" assigns the ticket to the agent.
func readTicketForm(r *http.Request, t *tend.Ticket, agent *tend.Agent) (*tend.TicketUpdate, error) {
	u := &tend.TicketUpdate{}
	if v := r.PostFormValue("version"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return nil, tend.FieldError(tend.EINVALID, "version", "this form does not say which version of the ticket it shows; reload the page and try again")
		}
		u.Version = &n
	}
	if r.PostFormValue("take") != "" {
		u.OwnerID = &agent.ID
		return u, nil
	}
	form := r.PostForm
	if form.Has("status") && tend.Status(form.Get("status")) != t.Status {
		st := tend.Status(form.Get("status"))
		u.Status = &st
	}
	if form.Has("priority") && tend.Priority(form.Get("priority")) != t.Priority {
		p := tend.Priority(form.Get("priority"))
		u.Priority = &p
	}
	ids := newFormIDs(r)
	// No owner chosen ("Nobody yet", or a deactivated owner kept) changes
	// nothing; "No team" (0) clears the team.
	if id := ids.one("owner_id", "an agent"); id != 0 && (t.OwnerID == nil || *t.OwnerID != id) {
		u.OwnerID = &id
	}
	if form.Has("team_id") {
		if id := ids.one("team_id", "a team"); (t.TeamID == nil && id != 0) || (t.TeamID != nil && *t.TeamID != id) {
			u.TeamID = &id
		}
	}
	if err := ids.err(); err != nil {
		return nil, err
	}
	if form.Has("tags") {
		tags := []string{}
		for _, tag := range strings.Split(form.Get("tags"), ",") {
			if tag = strings.TrimSpace(tag); tag != "" {
				tags = append(tags, tag)
			}
		}
		if !slices.Equal(normalizedTags(tags), t.Tags) {
			u.Tags = &tags
		}
	}
	return u, nil
}

func normalizedTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t = tend.NormalizeTag(t); t != "" {
			out = append(out, t)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(out)))
}

// ticketPresence serves POST /presence/{ticket} from the ticket page's
// script: state is viewing, typing or left.
func (s *Server) ticketPresence(w http.ResponseWriter, r *http.Request) {
	agent := s.sessionAgent(r)
	if agent == nil {
		http.Error(w, "Sign in first.", http.StatusUnauthorized)
		return
	}
	if !checkCSRF(r) {
		http.Error(w, "The page expired; reload it.", http.StatusForbidden)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("ticket"), 10, 64)
	if err != nil || id <= 0 {
		// 0 is what list pages follow: presence there would reach them all.
		http.Error(w, "There is no such ticket.", http.StatusNotFound)
		return
	}
	state := r.PostFormValue("state")
	if state != "viewing" && state != "typing" && state != "left" {
		http.Error(w, "state must be viewing, typing or left.", http.StatusBadRequest)
		return
	}
	// Every agent may see every ticket; an id that is no ticket only
	// records presence nobody reads, forgotten within presenceTTL.
	s.live.setPresence(id, agent, state)
	w.WriteHeader(http.StatusNoContent)
}

// attachmentPage serves GET /attachments/{id} to signed-in staff, as the
// API does to tokens.
func (s *Server) attachmentPage(w http.ResponseWriter, r *http.Request) {
	agent := s.sessionAgent(r)
	if agent == nil {
		http.Error(w, "Sign in first.", http.StatusUnauthorized)
		return
	}
	s.getAttachment(w, r.WithContext(agentContext(r.Context(), agent)))
}

// readUpload reads a file from a form, within max bytes.
func readUpload(fh *multipart.FileHeader, max int64) (*tend.AttachmentInput, error) {
	if fh.Size > max {
		return nil, tend.Errorf(tend.ETOOLARGE, "%s is %d MB; an attachment may be at most %d MB.", fh.Filename, fh.Size>>20, max>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	typ := fh.Header.Get("Content-Type")
	if typ == "" {
		typ = http.DetectContentType(data)
	}
	return &tend.AttachmentInput{Name: fh.Filename, ContentType: typ, Data: data}, nil
}
