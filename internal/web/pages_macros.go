package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// Macros: the page where staff keep their canned replies, and the
// composer's picker, which inserts one into a reply.

func (s *Server) macroRoutes(mux *http.ServeMux, forms func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("GET /macros", s.macroList)
	mux.HandleFunc("GET /macros/new", s.macroNew)
	mux.Handle("POST /macros", forms(s.macroCreate))
	mux.HandleFunc("GET /macros/pick", s.macroPick)
	mux.HandleFunc("GET /macros/{id}", s.macroEdit)
	mux.Handle("POST /macros/{id}", forms(s.macroUpdate))
	mux.Handle("POST /macros/{id}/delete", forms(s.macroDelete))
	mux.HandleFunc("GET /macros/{id}/delete", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/macros/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
	})
	mux.Handle("POST /tickets/{number}/macro", forms(s.macroInsert))
}

type macrosPage struct {
	basePage
	Macros []macroRow
	Q      string
	Notice string
}

type macroRow struct {
	*tend.Macro
	Scope    string // in words: "Personal", "Team Billing", "Shared"
	Does     []string
	Editable bool
}

type macroForm struct {
	basePage
	Macro        *tend.Macro // nil for a new one
	Name, Body   string
	Scope        tend.MacroScope
	TeamID       int64
	Actions      macroFormActions
	Teams        []*tend.Team
	Scopes       []tend.MacroScope // those the agent may create
	Statuses     []tend.Status
	Priorities   []tend.Priority
	Placeholders []string
	Error        string
	Problems     map[string]string
}

// macroFormActions are the actions as the form shows them.
type macroFormActions struct {
	Status, Priority    string
	AddTags, RemoveTags string
	TeamID              int64
	Note                string
}

var macroNotices = map[string]string{
	"created": "Macro saved. Insert it from a ticket's composer: Macros, or Alt+M.",
	"updated": "Macro saved.",
	"deleted": "Macro deleted.",
}

// teamNames returns the name of each team by id.
func (s *Server) teamNames(r *http.Request, agent *tend.Agent) ([]*tend.Team, map[int64]string) {
	teams, err := s.Teams.FindTeams(agentContext(r.Context(), agent))
	names := map[int64]string{}
	if err != nil {
		s.Logger.Error("teams for macros", "err", err)
		return nil, names
	}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	return teams, names
}

// macroScopeWords says a macro's scope as the page shows it.
func macroScopeWords(m *tend.Macro, teams map[int64]string) string {
	switch m.Scope {
	case tend.MacroTeam:
		if m.TeamID != nil {
			return "Team " + teams[*m.TeamID]
		}
		return "Team"
	case tend.MacroShared:
		return "Shared"
	}
	return "Personal"
}

// macroDoes says in words what a macro does besides its reply.
func macroDoes(a tend.MacroActions, teams map[int64]string) []string {
	var does []string
	if a.Status != nil {
		does = append(does, "sets status "+label(*a.Status))
	}
	if a.Priority != nil {
		does = append(does, "sets priority "+label(*a.Priority))
	}
	tags := func(verb string, list []string) {
		switch len(list) {
		case 0:
		case 1:
			does = append(does, verb+" tag "+list[0])
		default:
			does = append(does, verb+" tags "+strings.Join(list, ", "))
		}
	}
	tags("adds", a.AddTags)
	tags("removes", a.RemoveTags)
	if a.TeamID != nil {
		name := teams[*a.TeamID]
		if name == "" {
			name = "#" + strconv.FormatInt(*a.TeamID, 10)
		}
		does = append(does, "moves it to team "+name)
	}
	if a.Note != "" {
		does = append(does, "adds an internal note")
	}
	return does
}

// canEditMacro reports whether agent may change m, as the service decides.
func canEditMacro(agent *tend.Agent, m *tend.Macro, teams []*tend.Team) bool {
	var lead *int64
	if m.TeamID != nil {
		for _, t := range teams {
			if t.ID == *m.TeamID {
				lead = t.LeadID
			}
		}
	}
	return tend.CanEditMacro(principal(agent), m.Scope, m.OwnerID, lead)
}

// macroList serves GET /macros: the macros the agent may use, most used
// first, searched by q.
func (s *Server) macroList(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, err := s.Macros.FindMacros(ctx, tend.MacroFilter{Q: q, Limit: 500})
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	teams, names := s.teamNames(r, agent)
	page := &macrosPage{basePage: s.base(w, r, "Macros", agent), Q: q, Notice: macroNotices[r.URL.Query().Get("done")]}
	for _, m := range list {
		page.Macros = append(page.Macros, macroRow{Macro: m, Scope: macroScopeWords(m, names),
			Does: macroDoes(m.Actions, names), Editable: canEditMacro(agent, m, teams)})
	}
	s.render(w, http.StatusOK, "macros", page)
}

// newMacroForm is the form with the choices the agent has.
func (s *Server) newMacroForm(w http.ResponseWriter, r *http.Request, agent *tend.Agent, title string) *macroForm {
	teams, _ := s.teamNames(r, agent)
	f := &macroForm{basePage: s.base(w, r, title, agent), Scope: tend.MacroPersonal, Teams: teams,
		Statuses: tend.Statuses, Priorities: tend.Priorities, Placeholders: tend.Placeholders}
	p := principal(agent)
	for _, sc := range tend.MacroScopes {
		switch {
		case sc == tend.MacroPersonal, sc == tend.MacroShared && tend.CanEditMacro(p, sc, nil, nil):
			f.Scopes = append(f.Scopes, sc)
		case sc == tend.MacroTeam:
			for _, t := range teams {
				if tend.CanEditMacro(p, sc, nil, t.LeadID) {
					f.Scopes = append(f.Scopes, sc)
					break
				}
			}
		}
	}
	return f
}

// macroNew serves GET /macros/new.
func (s *Server) macroNew(w http.ResponseWriter, r *http.Request) {
	agent, _, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	s.render(w, http.StatusOK, "macro", s.newMacroForm(w, r, agent, "New macro"))
}

// macroEdit serves GET /macros/{id}.
func (s *Server) macroEdit(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	if m, f := s.macroOfPath(ctx, w, r, agent); m != nil {
		s.render(w, http.StatusOK, "macro", f)
	}
}

// macroOfPath finds the macro {id} of the path, and its form filled in;
// nil when it has shown why there is none.
func (s *Server) macroOfPath(ctx context.Context, w http.ResponseWriter, r *http.Request, agent *tend.Agent) (*tend.Macro, *macroForm) {
	id, err := pathID(r, "macro")
	var m *tend.Macro
	if err == nil {
		m, err = s.Macros.FindMacroByID(ctx, id)
	}
	if err != nil {
		s.pageError(w, r, agent, err)
		return nil, nil
	}
	f := s.newMacroForm(w, r, agent, m.Name)
	f.fill(m)
	return m, f
}

func (f *macroForm) fill(m *tend.Macro) {
	f.Macro, f.Name, f.Body, f.Scope = m, m.Name, m.Body, m.Scope
	if m.TeamID != nil {
		f.TeamID = *m.TeamID
	}
	a := m.Actions
	f.Actions = macroFormActions{AddTags: strings.Join(a.AddTags, ", "), RemoveTags: strings.Join(a.RemoveTags, ", "), Note: a.Note}
	if a.Status != nil {
		f.Actions.Status = string(*a.Status)
	}
	if a.Priority != nil {
		f.Actions.Priority = string(*a.Priority)
	}
	if a.TeamID != nil {
		f.Actions.TeamID = *a.TeamID
	}
}

// readMacroForm reads the form's fields into f and returns the actions.
func (f *macroForm) read(r *http.Request) (tend.MacroActions, error) {
	f.Name, f.Body = r.PostFormValue("name"), r.PostFormValue("body")
	f.Scope = tend.MacroScope(r.PostFormValue("scope"))
	f.Actions = macroFormActions{Status: r.PostFormValue("status"), Priority: r.PostFormValue("priority"),
		AddTags: r.PostFormValue("add_tags"), RemoveTags: r.PostFormValue("remove_tags"), Note: r.PostFormValue("note")}
	ids := newFormIDs(r)
	f.TeamID = ids.one("team_id", "a team")
	f.Actions.TeamID = ids.one("move_team_id", "a team")
	if err := ids.err(); err != nil {
		return tend.MacroActions{}, err
	}
	var a tend.MacroActions
	if f.Actions.Status != "" {
		st := tend.Status(f.Actions.Status)
		a.Status = &st
	}
	if f.Actions.Priority != "" {
		pr := tend.Priority(f.Actions.Priority)
		a.Priority = &pr
	}
	a.AddTags, a.RemoveTags = splitTags(f.Actions.AddTags), splitTags(f.Actions.RemoveTags)
	if f.Actions.TeamID != 0 {
		a.TeamID = &f.Actions.TeamID
	}
	a.Note = f.Actions.Note
	return a, nil
}

// macroCreate serves POST /macros.
func (s *Server) macroCreate(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	f := s.newMacroForm(w, r, agent, "New macro")
	a, err := f.read(r)
	if err == nil {
		c := &tend.MacroCreate{Name: f.Name, Body: f.Body, Actions: a, Scope: f.Scope}
		if f.Scope == tend.MacroTeam && f.TeamID != 0 {
			c.TeamID = &f.TeamID
		}
		_, err = s.Macros.CreateMacro(ctx, c)
	}
	if err != nil {
		f.refused(err)
		s.render(w, httpStatus(err), "macro", f)
		return
	}
	http.Redirect(w, r, "/macros?done=created", http.StatusSeeOther)
}

func (f *macroForm) refused(err error) {
	f.Error, f.Problems = formProblem(err), tend.ErrorFields(err)
	// The form's names for the fields the service names.
	for from, to := range map[string]string{"actions.status": "status", "actions.priority": "priority",
		"actions.add_tags": "add_tags", "actions.remove_tags": "remove_tags", "actions.team_id": "move_team_id", "actions.note": "note"} {
		if v, ok := f.Problems[from]; ok {
			f.Problems[to] = v
		}
	}
}

// macroUpdate serves POST /macros/{id}.
func (s *Server) macroUpdate(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	m, f := s.macroOfPath(ctx, w, r, agent)
	if m == nil {
		return
	}
	a, err := f.read(r)
	f.Scope = m.Scope // a macro keeps its scope
	if err == nil {
		_, err = s.Macros.UpdateMacro(ctx, m.ID, &tend.MacroUpdate{Name: &f.Name, Body: &f.Body, Actions: &a})
	}
	if err != nil {
		f.refused(err)
		s.render(w, httpStatus(err), "macro", f)
		return
	}
	http.Redirect(w, r, "/macros?done=updated", http.StatusSeeOther)
}

// macroDelete serves POST /macros/{id}/delete.
func (s *Server) macroDelete(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "macro")
	if err == nil {
		err = s.Macros.DeleteMacro(ctx, id)
	}
	if err != nil {
		s.formError(w, r, agent, err, "/macros")
		return
	}
	http.Redirect(w, r, "/macros?done=deleted", http.StatusSeeOther)
}

// pickedMacro is one macro as the composer's picker lists it.
type pickedMacro struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Scope   string   `json:"scope"`
	Preview string   `json:"preview"`
	Does    []string `json:"does"`
}

// macroPick serves GET /macros/pick?q=: the picker's matches, most used
// first, as JSON.
func (s *Server) macroPick(w http.ResponseWriter, r *http.Request) {
	agent := s.sessionAgent(r)
	if agent == nil {
		s.writeError(w, r, tend.Errorf(tend.EUNAUTHORIZED, "Sign in again to use macros."))
		return
	}
	list, err := s.Macros.FindMacros(agentContext(r.Context(), agent), tend.MacroFilter{Q: r.URL.Query().Get("q"), Limit: 20})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, names := s.teamNames(r, agent)
	picks := make([]pickedMacro, 0, len(list))
	for _, m := range list {
		picks = append(picks, pickedMacro{ID: m.ID, Name: m.Name, Scope: macroScopeWords(m, names),
			Preview: firstWords(m.Body, 120), Does: macroDoes(m.Actions, names)})
	}
	s.writeJSON(w, http.StatusOK, picks)
}

// firstWords returns text on one line, cut at a word within n bytes.
func firstWords(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if len(text) <= n {
		return text
	}
	cut := text[:n]
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.ToValidUTF8(cut, "") + "…"
}

// insertedMacro is a macro rendered for the composer.
type insertedMacro struct {
	ID   int64    `json:"id"`
	Name string   `json:"name"`
	Body string   `json:"body"`
	Does []string `json:"does"`
}

// macroInsert serves POST /tickets/{number}/macro, macro_id=: the macro's text
// with the ticket's placeholders filled, for the composer, counted as one
// use. Its actions apply when the reply is sent (macro_id on the reply).
func (s *Server) macroInsert(w http.ResponseWriter, r *http.Request) {
	agent := s.sessionAgent(r)
	if agent == nil {
		s.writeError(w, r, tend.Errorf(tend.EUNAUTHORIZED, "Sign in again to use macros."))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodySize)
	if !checkCSRF(r) {
		s.writeError(w, r, tend.Errorf(tend.EFORBIDDEN, "The page expired; reload it and insert the macro again."))
		return
	}
	ctx := agentContext(r.Context(), agent)
	number, ok := ticketNumber(r)
	id, err := strconv.ParseInt(r.PostFormValue("macro_id"), 10, 64)
	if err != nil || id <= 0 {
		err = tend.FieldError(tend.EINVALID, "macro_id", "name the macro to insert by its id")
	} else if !ok {
		err = tend.Errorf(tend.ENOTFOUND, "There is no such ticket.")
	}
	var t *tend.Ticket
	if err == nil {
		t, err = s.Tickets.FindTicketByNumber(ctx, number)
	}
	var res *tend.MacroResult
	if err == nil {
		res, err = s.Macros.ApplyMacro(ctx, t.ID, id, &tend.MacroApply{Insert: true})
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, names := s.teamNames(r, agent)
	s.writeJSON(w, http.StatusOK, insertedMacro{ID: res.Macro.ID, Name: res.Macro.Name, Body: res.Body, Does: macroDoes(res.Actions, names)})
}
