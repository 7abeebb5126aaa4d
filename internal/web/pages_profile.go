package web

import (
	"net/http"

	"github.com/tendhq/tend"
)

// The agent's own profile: their name and the time zone their pages
// write times in.

type profilePage struct {
	basePage
	Name, TimeZone string
	// Browser is the zone the browser says it is in, suggested when the
	// agent has chosen none.
	Browser string
	Fields  map[string]string
	Notice  string
	Error   string
}

func (s *Server) profileRoutes(mux *http.ServeMux, forms func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("GET /profile", s.profileForm)
	mux.Handle("POST /profile", forms(s.saveProfile))
}

func (s *Server) profilePageOf(w http.ResponseWriter, r *http.Request, agent *tend.Agent) *profilePage {
	page := &profilePage{basePage: s.base(w, r, "Your profile", agent), Name: agent.Name, TimeZone: agent.TimeZone}
	if loc := browserZone(r); loc != nil {
		page.Browser = loc.String()
	}
	return page
}

// profileForm serves GET /profile.
func (s *Server) profileForm(w http.ResponseWriter, r *http.Request) {
	agent, _, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	page := s.profilePageOf(w, r, agent)
	if r.URL.Query().Get("done") == "saved" {
		page.Notice = "Saved."
	}
	s.render(w, http.StatusOK, "profile", page)
}

// saveProfile serves POST /profile.
func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	name, zone := r.PostFormValue("name"), r.PostFormValue("time_zone")
	if _, err := s.Agents.UpdateAgent(ctx, agent.ID, &tend.AgentUpdate{Name: &name, TimeZone: &zone}); err != nil {
		page := s.profilePageOf(w, r, agent)
		page.Name, page.TimeZone = name, zone
		page.Fields, page.Error = tend.ErrorFields(err), formProblem(err, "name", "time_zone")
		s.render(w, httpStatus(err), "profile", page)
		return
	}
	http.Redirect(w, r, "/profile?done=saved", http.StatusSeeOther)
}
