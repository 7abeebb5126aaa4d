package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/tendhq/tend"
)

func (s *Server) listCalendars(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.Calendars.FindCalendars(r.Context())
	respondList(s, w, r, list, "", err)
}

func (s *Server) createCalendar(w http.ResponseWriter, r *http.Request) {
	var in tend.CalendarInput
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	c, err := s.Calendars.CreateCalendar(r.Context(), &in)
	respondCreated(s, w, r, c, "calendars", idOf(c, func(c *tend.Calendar) int64 { return c.ID }), err)
}

func (s *Server) getCalendar(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		c, err := s.Calendars.FindCalendarByID(r.Context(), id)
		respond(s, w, r, c, err)
	}
}

func (s *Server) updateCalendar(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var patch tend.CalendarPatch
	if !s.decode(w, r, &patch, s.MaxBodySize) {
		return
	}
	c, err := s.Calendars.UpdateCalendar(r.Context(), id, &patch)
	respond(s, w, r, c, err)
}

func (s *Server) deleteCalendar(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	if err := s.Calendars.DeleteCalendar(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// instant reads a required RFC 3339 time.
func (q *query) instant(name string) time.Time {
	v := q.str(name)
	if v == "" {
		q.problems.Add(name, "is required: an RFC 3339 time such as 2026-12-01T09:00:00Z")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		q.problems.Add(name, "%q is not an RFC 3339 time; write it as 2026-12-01T09:00:00Z or 2026-12-01T10:00:00+01:00 (a + is %%2B in a URL)", v)
	}
	return t
}

// calendarDeadline serves GET /calendars/{id}/deadline?from=&minutes=.
func (s *Server) calendarDeadline(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	from := q.instant("from")
	minutes := 0
	switch v := q.str("minutes"); {
	case v == "":
		q.problems.Add("minutes", "is required: the business minutes to add, 0 to %d", tend.MaxTargetMinutes)
	default:
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > tend.MaxTargetMinutes {
			q.problems.Add("minutes", "must be a whole number of business minutes, 0 to %d (a year)", tend.MaxTargetMinutes)
		}
		minutes = n
	}
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	due, err := s.Calendars.Deadline(r.Context(), id, from, minutes)
	respond(s, w, r, &struct {
		DueAt time.Time `json:"due_at"`
	}{due}, err)
}

// calendarBusinessMinutes serves GET /calendars/{id}/business-minutes?from=&to=.
func (s *Server) calendarBusinessMinutes(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	from, to := q.instant("from"), q.instant("to")
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	n, err := s.Calendars.BusinessMinutes(r.Context(), id, from, to)
	respond(s, w, r, &struct {
		Minutes int `json:"minutes"`
	}{n}, err)
}
