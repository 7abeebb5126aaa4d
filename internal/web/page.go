package web

import (
	"bytes"
	"context"
	"html/template"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tendhq/tend"
)

// What every page shares: the layout's data, rendering, signed-in and
// admin-only pages, forms (their CSRF token, ids and refusals) and errors.

// basePage is what the layout shows on every page.
type basePage struct {
	Title   string
	Product string
	CSS     string
	JS      string
	CSRF    string
	Agent   *tend.Agent
	Admin   bool // the agent may change settings
	// SettingsLink: the agent may open some settings (admins all, team
	// leads and managers the service levels).
	SettingsLink bool
	// Section is the part of the workspace the page belongs to: tickets,
	// customers, organizations or settings.
	Section string
	// Nav is the sidebar of views, on ticket pages only.
	Nav *viewNav
	// Query is the search box's text.
	Query string
	// Live names the live updates the page follows (see live.go): empty
	// for none.
	Live string
	// Unread counts the agent's unread notifications, for the bell; 100
	// stands for more.
	Unread int
	// Zone is where the page's reader reads times (agentZone); nil is
	// UTC.
	Zone *time.Location
}

// location is the zone the page writes its times in.
func (b basePage) location() *time.Location { return b.Zone }

// zoneCookie holds the browser's IANA time zone, which the script sets
// from Intl: the zone of an agent who has not chosen one.
const zoneCookie = "tz"

// agentZone is the zone an agent's pages write times in: the one they
// chose, else their browser's (the zone cookie, if it names one), else
// UTC. A zone that does not load is passed over.
func agentZone(r *http.Request, agent *tend.Agent) *time.Location {
	if agent != nil && agent.TimeZone != "" {
		if loc, err := tend.LoadTimeZone(agent.TimeZone); err == nil && loc != nil {
			return loc
		}
	}
	if loc := browserZone(r); loc != nil {
		return loc
	}
	return time.UTC
}

// browserZone is the zone the browser's cookie names, or nil.
func browserZone(r *http.Request) *time.Location {
	c, err := r.Cookie(zoneCookie)
	if err != nil {
		return nil
	}
	loc, err := tend.LoadTimeZone(c.Value)
	if err != nil {
		return nil
	}
	return loc
}

// pagesFor returns the pages that write times in the zone data's page
// is read in.
func (s *Server) pagesFor(data any) map[string]*template.Template {
	if z, ok := data.(interface{ location() *time.Location }); ok {
		return s.pages.in(z.location())
	}
	return s.pages.byName
}

type messagePage struct {
	basePage
	Message string
	Back    string // where to go from here, if anywhere
}

func (s *Server) base(w http.ResponseWriter, r *http.Request, title string, agent *tend.Agent) basePage {
	name := "Tend"
	if st, err := s.Settings.FindSettings(tend.SystemContext(r.Context())); err == nil {
		name = st.Name
	}
	section, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if section == "search" {
		section = "tickets"
	}
	b := basePage{Title: title, Product: name, CSS: s.pages.css.url, JS: s.pages.js.url, CSRF: s.csrfToken(w, r), Agent: agent,
		Admin: agent != nil && agent.Role.Can(tend.PermManageSettings), Section: section, Zone: agentZone(r, agent),
		SettingsLink: agent != nil && (agent.Role.Can(tend.PermManageSettings) || agent.Role.Can(tend.PermManageServiceLevels))}
	if agent != nil && s.Notifications != nil {
		if n, err := s.Notifications.CountUnread(agentContext(r.Context(), agent)); err == nil {
			b.Unread = n
		}
	}
	return b
}

// render writes a page; it renders into a buffer first so that a template
// error becomes a clean 500, not half a page.
func (s *Server) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	t := s.pagesFor(data)[name]
	if t == nil {
		s.Logger.Error("render page: no such template", "page", name)
		http.Error(w, "An internal error occurred.", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.Logger.Error("render page", "page", name, "err", err)
		http.Error(w, "An internal error occurred.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// pathID reads the {id} of the path; a malformed one is a noun that does
// not exist.
func pathID(r *http.Request, noun string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, tend.Errorf(tend.ENOTFOUND, "There is no such %s.", noun)
	}
	return id, nil
}

// staffPage returns the signed-in agent and a context acting as them, or
// sends the browser to sign in.
func (s *Server) staffPage(w http.ResponseWriter, r *http.Request) (*tend.Agent, context.Context, bool) {
	agent := s.sessionAgent(r)
	if agent == nil {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(returnTo(r)), http.StatusSeeOther)
		return nil, nil, false
	}
	return agent, agentContext(r.Context(), agent), true
}

// returnTo is where to go back to after signing in: the page itself, or
// for a form post, the page the form was on.
func returnTo(r *http.Request) string {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return r.URL.RequestURI()
	}
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && ref.Path != "" {
		return ref.RequestURI()
	}
	return "/"
}

// adminPage is staffPage for pages only admins may use; others are told
// so.
func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, title string) (*tend.Agent, context.Context, bool) {
	return s.permittedPage(w, r, title, tend.PermManageSettings, "Only admins manage the settings.")
}

// permittedPage is staffPage for pages that need perm; others are told
// refusal.
func (s *Server) permittedPage(w http.ResponseWriter, r *http.Request, title string, perm tend.Permission, refusal string) (*tend.Agent, context.Context, bool) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return nil, nil, false
	}
	if !agent.Role.Can(perm) {
		s.render(w, http.StatusForbidden, "message", messagePage{basePage: s.base(w, r, title, agent), Message: refusal})
		return nil, nil, false
	}
	return agent, ctx, true
}

// adminForm is adminPage for form posts: it also bounds the body and
// checks the form's CSRF token.
func (s *Server) adminForm(w http.ResponseWriter, r *http.Request, title string) (*tend.Agent, context.Context, bool) {
	agent, ctx, ok := s.adminPage(w, r, title)
	return agent, ctx, ok && s.formChecked(w, r, agent)
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
	s.render(w, status, "message", messagePage{basePage: s.base(w, r, "Not done", agent), Message: formProblem(err), Back: back})
}

// pageError answers a page whose data could not be read.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, agent *tend.Agent, err error) {
	status := httpStatus(err)
	if status >= 500 {
		s.Logger.Error("page", "path", r.URL.Path, "err", err)
	}
	s.render(w, status, "message", messagePage{basePage: s.base(w, r, "Not found", agent), Message: formProblem(err)})
}

// renderFragment writes one template of a page alone, for pages that
// refresh part of themselves.
func (s *Server) renderFragment(w http.ResponseWriter, page, name string, data any) {
	var b strings.Builder
	t := s.pagesFor(data)[page]
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

// formProblem is what a refused form says above its fields. The domain
// writes a problem with a field's name first ("email: ann@example.com
// already belongs to a staff member"), which suits the API, whose answer
// lists the fields; a page shows each problem beside its field instead,
// for the fields in shown, and says the others here in words.
func formProblem(err error, shown ...string) string {
	return problemsSaid(err, "Nothing was saved: correct what is marked below.", shown)
}

// problemsSaid is formProblem with another first sentence for when some
// problems are marked beside their fields.
func problemsSaid(err error, marked string, shown []string) string {
	fields := tend.ErrorFields(err)
	if len(fields) == 0 {
		return tend.ErrorMessage(err)
	}
	var said []string
	beside := false
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		if slices.Contains(shown, field) {
			beside = true
		} else {
			said = append(said, fieldSentence(field, fields[field]))
		}
	}
	if beside {
		said = append([]string{marked}, said...)
	}
	return strings.Join(said, " ")
}

// fieldSentence writes a field's problem as a sentence: "is required"
// becomes "The name is required.", "choose who takes over" "Choose who
// takes over."
func fieldSentence(field, problem string) string {
	s := problem
	for _, verb := range []string{"is ", "are ", "must ", "may ", "needs ", "can ", "goes ", "has "} {
		if strings.HasPrefix(problem, verb) {
			s = fieldWords(field) + " " + problem
			break
		}
	}
	first, size := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(first)) + s[size:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// fieldWords names a form's field as a sentence does.
func fieldWords(field string) string {
	if w, ok := fieldNames[field]; ok {
		return w
	}
	w := strings.TrimSuffix(strings.TrimSuffix(field, "_ids"), "_id")
	return "the " + strings.NewReplacer("_", " ", ".", " ", "imap", "IMAP").Replace(w)
}

var fieldNames = map[string]string{
	"body":             "the message",
	"base_url":         "the help desk's address",
	"emails":           "the email addresses",
	"member_ids":       "the members",
	"successor_id":     "who takes over",
	"agent_id":         "who the token acts as",
	"current_password": "your current password",
	"q":                "the search",
}

// formIDs reads the ids a posted form chose. An empty field is no choice
// (0); a field that is not an id is a problem to show beside it, never
// read as 0: "lead_id=abc" must not clear a team's lead, nor
// "agent_id=abc" make a token for the caller.
type formIDs struct {
	form     func(name string) []string
	problems tend.Problems
}

func newFormIDs(r *http.Request) *formIDs {
	r.PostFormValue("") // parses the form, as reading any field does
	return &formIDs{form: func(name string) []string { return r.PostForm[name] }, problems: tend.Problems{}}
}

// one reads an optional id, where "" and "0" (a select's "none") are no
// choice; what names the choice in the message, as in "an agent".
func (f *formIDs) one(name, what string) int64 {
	v := ""
	switch vs := f.form(name); len(vs) {
	case 0:
	case 1:
		v = strings.TrimSpace(vs[0])
	default:
		f.problems.Add(name, "choose %s once, not %d times", what, len(vs))
		return 0
	}
	if v == "" || v == "0" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		f.problems.Add(name, "%q is not one of the choices; choose %s from the list", v, what)
		return 0
	}
	return id
}

// all reads a field that may repeat, each value an id.
func (f *formIDs) all(name, what string) []int64 {
	var ids []int64
	for _, v := range f.form(name) {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			f.problems.Add(name, "%q is not one of the choices; choose %s from the list", v, what)
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// err returns EINVALID naming each field that was not an id, or nil.
func (f *formIDs) err() error { return f.problems.Err() }
