package web

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// Settings → Service levels: the business calendars and the policies
// whose targets count in them. Team leads and above manage them (the
// promises a team makes are its lead's); agents are told they may not.

func (s *Server) serviceLevelRoutes(mux *http.ServeMux, forms func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("GET /settings/service-levels", s.serviceLevels)
	mux.HandleFunc("GET /settings/service-levels/calendars/new", s.calendarNew)
	mux.Handle("POST /settings/service-levels/calendars", forms(s.calendarCreate))
	mux.HandleFunc("GET /settings/service-levels/calendars/{id}", s.calendarEdit)
	mux.Handle("POST /settings/service-levels/calendars/{id}", forms(s.calendarUpdate))
	mux.Handle("POST /settings/service-levels/calendars/{id}/delete", forms(s.calendarDelete))
	mux.HandleFunc("GET /settings/service-levels/policies/new", s.policyNew)
	mux.Handle("POST /settings/service-levels/policies", forms(s.policyCreate))
	mux.HandleFunc("GET /settings/service-levels/policies/{id}", s.policyEdit)
	mux.Handle("POST /settings/service-levels/policies/{id}", forms(s.policyUpdate))
	mux.Handle("POST /settings/service-levels/policies/{id}/delete", forms(s.policyDelete))
	for _, noun := range []string{"calendars", "policies"} {
		mux.HandleFunc("GET /settings/service-levels/"+noun+"/{id}/delete", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/settings/service-levels/"+noun+"/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
		})
	}
}

// serviceLevelPage is staffPage for the service-level pages: others than
// leads and above are told they may not.
func (s *Server) serviceLevelPage(w http.ResponseWriter, r *http.Request, title string) (*tend.Agent, context.Context, bool) {
	return s.permittedPage(w, r, title, tend.PermManageServiceLevels, "Only team leads and above manage service levels.")
}

// serviceLevelForm is serviceLevelPage for form posts, with the CSRF check.
func (s *Server) serviceLevelForm(w http.ResponseWriter, r *http.Request, title string) (*tend.Agent, context.Context, bool) {
	agent, ctx, ok := s.serviceLevelPage(w, r, title)
	return agent, ctx, ok && s.formChecked(w, r, agent)
}

type serviceLevelsPage struct {
	basePage
	Calendars []calendarRow
	Policies  []policyRow
	Notice    string
}

type calendarRow struct {
	*tend.Calendar
	Hours, Holidays string
}

type policyRow struct {
	*tend.SLAPolicy
	Calendar, Conditions, Targets string
}

var serviceLevelNotices = map[string]string{
	"calendar-created": "Calendar added.",
	"calendar-updated": "Calendar saved: its hours apply from now on, and open tickets' deadlines are laid out again.",
	"calendar-deleted": "Calendar deleted.",
	"policy-created":   "Policy added: open tickets' deadlines are laid out again.",
	"policy-updated":   "Policy saved: open tickets' deadlines are laid out again.",
	"policy-deleted":   "Policy deleted.",
}

// serviceLevels serves GET /settings/service-levels.
func (s *Server) serviceLevels(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.serviceLevelPage(w, r, "Service levels")
	if !ok {
		return
	}
	cals, err := s.Calendars.FindCalendars(ctx)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	policies, err := s.SLAPolicies.FindSLAPolicies(ctx)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	teams, _ := s.Teams.FindTeams(ctx)
	fields, _ := s.Fields.FindFields(ctx)
	orgName := func(id int64) string {
		if o, err := s.Organizations.FindOrganizationByID(ctx, id); err == nil {
			return o.Name
		}
		return fmt.Sprintf("organization %d", id)
	}
	page := &serviceLevelsPage{basePage: s.base(w, r, "Service levels", agent), Notice: serviceLevelNotices[r.URL.Query().Get("done")]}
	names := map[int64]string{}
	for _, c := range cals {
		names[c.ID] = c.Name
		page.Calendars = append(page.Calendars, calendarRow{Calendar: c, Hours: hoursInWords(c), Holidays: holidaysInWords(c.Holidays)})
	}
	for _, p := range policies {
		page.Policies = append(page.Policies, policyRow{SLAPolicy: p, Calendar: names[p.CalendarID],
			Conditions: conditionsInWords(&p.Conditions, teams, fields, orgName), Targets: targetsInWords(&p.Targets)})
	}
	s.render(w, http.StatusOK, "service_levels", page)
}

// businessTime writes business minutes as people say them: "30 min",
// "4 h", "1 h 30 min", "3 days" (of 24 business hours).
func businessTime(m int) string {
	switch {
	case m >= 1440 && m%1440 == 0:
		if m == 1440 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", m/1440)
	case m >= 60 && m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	case m > 60:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	return fmt.Sprintf("%d min", m)
}

// targetsInWords: "First response 4 h · Resolution 3 days".
func targetsInWords(t *tend.Targets) string {
	var said []string
	for _, k := range tend.TargetKinds {
		if m := t.Minutes(k); m != nil {
			said = append(said, k.Label()+" "+businessTime(*m))
		}
	}
	return strings.Join(said, " · ")
}

// channelWord names a channel as people write it: "API", "walk-in".
func channelWord(c tend.Channel) string {
	switch c {
	case tend.ChannelAPI:
		return "API"
	case tend.ChannelWalkIn:
		return "walk-in"
	}
	return string(c)
}

// conditionsInWords: "priority urgent or high; organization Acme or
// Globex; Plan Gold". Organizations are named up to three, by orgName.
func conditionsInWords(c *tend.PolicyConditions, teams []*tend.Team, fields []*tend.Field, orgName func(int64) string) string {
	var said []string
	add := func(what string, values []string) {
		if len(values) > 0 {
			said = append(said, what+" "+strings.Join(values, " or "))
		}
	}
	add("priority", stringsOf(c.Priorities))
	add("tier", stringsOf(c.Tiers))
	var channels []string
	for _, ch := range c.Channels {
		channels = append(channels, channelWord(ch))
	}
	add("channel", channels)
	var teamNames []string
	for _, id := range c.TeamIDs {
		name := fmt.Sprintf("team %d", id)
		for _, t := range teams {
			if t.ID == id {
				name = t.Name
			}
		}
		teamNames = append(teamNames, name)
	}
	add("team", teamNames)
	var orgs []string
	for i, id := range c.OrganizationIDs {
		if i == 3 {
			orgs = append(orgs, fmt.Sprintf("%d more", len(c.OrganizationIDs)-3))
			break
		}
		orgs = append(orgs, orgName(id))
	}
	add("organization", orgs)
	add("tagged", c.Tags)
	for _, key := range slices.Sorted(maps.Keys(c.Fields)) {
		label := key
		for _, f := range fields {
			if f.Key == key {
				label = f.Label
			}
		}
		add(label, c.Fields[key])
	}
	if len(said) == 0 {
		return "every ticket"
	}
	return strings.Join(said, "; ")
}

func stringsOf[S ~string](list []S) []string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = strings.ReplaceAll(string(v), "_", " ")
	}
	return out
}

// weekOrder is the order pages show weekdays in, Monday first.
var weekOrder = []int{1, 2, 3, 4, 5, 6, 0}

// hoursInWords groups days of the same hours: "Mon–Fri 09:00–17:00".
func hoursInWords(c *tend.Calendar) string {
	if c.Builtin {
		return "Open at all hours"
	}
	type group struct{ first, last, hours string }
	var groups []group
	for _, d := range weekOrder {
		var spans []string
		for _, h := range c.Hours {
			if h.Weekday == d {
				spans = append(spans, h.Start+"–"+h.End)
			}
		}
		day := time.Weekday(d).String()[:3]
		hours := strings.Join(spans, ", ")
		if n := len(groups); n > 0 && groups[n-1].hours == hours {
			groups[n-1].last = day
			continue
		}
		groups = append(groups, group{day, day, hours})
	}
	var said []string
	for _, g := range groups {
		if g.hours == "" {
			continue
		}
		days := g.first
		if g.last != g.first {
			days += "–" + g.last
		}
		said = append(said, days+" "+g.hours)
	}
	return strings.Join(said, " · ")
}

var nthWords = map[int]string{1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second to last"}

// holidayInWords: "Christmas (25 December)".
func holidayInWords(h tend.Holiday) string {
	when := h.Date
	if y := h.Yearly; y != nil {
		month := time.Month(y.Month).String()
		switch {
		case y.Weekday != nil:
			when = fmt.Sprintf("%s %s of %s", nthWords[y.Nth], time.Weekday(*y.Weekday), month)
		default:
			when = fmt.Sprintf("%d %s", y.Day, month)
		}
	}
	if h.Name == "" {
		return when
	}
	return h.Name + " (" + when + ")"
}

func holidaysInWords(list []tend.Holiday) string {
	said := make([]string, len(list))
	for i, h := range list {
		said[i] = holidayInWords(h)
	}
	return strings.Join(said, ", ")
}

// idFromPath reads {id}, answering when it is no id.
func (s *Server) idFromPath(w http.ResponseWriter, r *http.Request, agent *tend.Agent, noun string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.pageError(w, r, agent, tend.Errorf(tend.ENOTFOUND, "%q is not a %s's id.", r.PathValue("id"), noun))
		return 0, false
	}
	return id, true
}
