package web

import (
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tendhq/tend"
)

// The calendar form: a name, a zone, each weekday's intervals, and the
// holidays. Adding or removing an interval or a holiday posts the form
// and shows it again with the row added or gone, saving nothing, so it
// works without scripts.

type calendarPage struct {
	basePage
	Calendar *tend.Calendar // nil for a new one
	Form     calendarForm
	Zones    []string
	Months   []time.Month
	Error    string
	Problems map[string]string
}

// Weekdays lists 0 (Sunday) to 6 for the holiday rules' select.
func (calendarPage) Weekdays() []time.Weekday {
	return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}
}

// Nths lists the nth choices of a yearly rule.
func (calendarPage) Nths() []nthChoice {
	return []nthChoice{{"1", "First"}, {"2", "Second"}, {"3", "Third"}, {"4", "Fourth"}, {"5", "Fifth"}, {"-1", "Last"}}
}

type nthChoice struct{ Value, Label string }

// calendarForm is the form as typed, shown again when it is refused.
type calendarForm struct {
	Name, TimeZone string
	Days           []dayHours
	Holidays       []holidayRow
}

type dayHours struct {
	Weekday   int
	Name      string
	Intervals []intervalRow
}

type intervalRow struct{ Start, End, Problem string }

// holidayRow is one holiday: Kind is date, yearly (a day of a month) or
// nth (the nth weekday of a month).
type holidayRow struct {
	Name, Kind, Date, Month, Day, Weekday, Nth, Problem string
	N                                                   int // from 1, for its legend
}

// commonZones are offered in the zone box's list; any IANA name is taken.
var commonZones = []string{"UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Warsaw",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo",
	"Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"}

func emptyDays() []dayHours {
	days := make([]dayHours, 0, 7)
	for _, d := range weekOrder {
		days = append(days, dayHours{Weekday: d, Name: time.Weekday(d).String()})
	}
	return days
}

func calendarFormOf(c *tend.Calendar) calendarForm {
	f := calendarForm{Name: c.Name, TimeZone: c.TimeZone, Days: emptyDays()}
	for _, h := range c.Hours {
		for i := range f.Days {
			if f.Days[i].Weekday == h.Weekday {
				f.Days[i].Intervals = append(f.Days[i].Intervals, intervalRow{Start: h.Start, End: h.End})
			}
		}
	}
	for _, h := range c.Holidays {
		row := holidayRow{Name: h.Name, Kind: "date", Date: h.Date, Nth: "1"}
		if y := h.Yearly; y != nil {
			row.Kind, row.Month, row.Day, row.Nth = "yearly", strconv.Itoa(y.Month), strconv.Itoa(y.Day), strconv.Itoa(y.Nth)
			if y.Weekday != nil {
				row.Kind, row.Day, row.Weekday = "nth", "", strconv.Itoa(*y.Weekday)
			}
		}
		f.Holidays = append(f.Holidays, row)
	}
	return f
}

// withBlanks gives each day without hours, and the holidays, an empty row
// to fill in.
func (f calendarForm) withBlanks() calendarForm {
	for i := range f.Days {
		if len(f.Days[i].Intervals) == 0 {
			f.Days[i].Intervals = []intervalRow{{}}
		}
	}
	f.Holidays = append(slices.Clone(f.Holidays), holidayRow{Kind: "date", Nth: "1", Month: "1", Weekday: "1"})
	for i := range f.Holidays {
		f.Holidays[i].N = i + 1
	}
	return f
}

// place is where hours[i] or holidays[i] of the input came from.
type place struct{ day, row int }

// readCalendarForm reads the form; hours and holidays say which row each
// entry of the input came from, so that problems are shown beside it.
func readCalendarForm(r *http.Request) (f calendarForm, in *tend.CalendarInput, hours []place, holidays []int) {
	f = calendarForm{Name: r.PostFormValue("name"), TimeZone: r.PostFormValue("time_zone"), Days: emptyDays()}
	in = &tend.CalendarInput{Name: f.Name, TimeZone: f.TimeZone, Hours: []tend.BusinessHours{}, Holidays: []tend.Holiday{}}
	for d := range f.Days {
		day := &f.Days[d]
		wd := strconv.Itoa(day.Weekday)
		starts, ends := r.PostForm["start_"+wd], r.PostForm["end_"+wd]
		for i := range max(len(starts), len(ends)) {
			row := intervalRow{Start: strings.TrimSpace(at(starts, i)), End: strings.TrimSpace(at(ends, i))}
			if row.Start == "" && row.End == "" {
				continue
			}
			day.Intervals = append(day.Intervals, row)
			hours = append(hours, place{d, len(day.Intervals) - 1})
			in.Hours = append(in.Hours, tend.BusinessHours{Weekday: day.Weekday, Start: row.Start, End: row.End})
		}
	}
	names := r.PostForm["holiday_name"]
	for i := range names {
		row := holidayRow{Name: strings.TrimSpace(names[i]), Kind: at(r.PostForm["holiday_kind"], i),
			Date: strings.TrimSpace(at(r.PostForm["holiday_date"], i)), Month: at(r.PostForm["holiday_month"], i),
			Day: strings.TrimSpace(at(r.PostForm["holiday_day"], i)), Weekday: at(r.PostForm["holiday_weekday"], i),
			Nth: at(r.PostForm["holiday_nth"], i)}
		if row.Name == "" && row.Date == "" && row.Day == "" && row.Kind != "nth" {
			continue // the empty row
		}
		h := tend.Holiday{Name: row.Name}
		switch row.Kind {
		case "yearly":
			h.Yearly = &tend.YearlyRule{Month: atoi(row.Month), Day: atoi(row.Day)}
		case "nth":
			wd := atoi(row.Weekday)
			h.Yearly = &tend.YearlyRule{Month: atoi(row.Month), Weekday: &wd, Nth: atoi(row.Nth)}
		default:
			row.Kind, h.Date = "date", row.Date
		}
		f.Holidays = append(f.Holidays, row)
		holidays = append(holidays, len(f.Holidays)-1)
		in.Holidays = append(in.Holidays, h)
	}
	return f, in, hours, holidays
}

func at(list []string, i int) string {
	if i < len(list) {
		return list[i]
	}
	return ""
}

// atoi reads a number of the form; one that is none reads as 0, which
// the rules refuse with a message saying what is allowed.
func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

// rowEdit applies the form's add and remove buttons; it reports whether
// one was pressed.
func rowEdit(r *http.Request, f *calendarForm) bool {
	if wd := r.PostFormValue("add_interval"); wd != "" {
		for i := range f.Days {
			if strconv.Itoa(f.Days[i].Weekday) == wd {
				if len(f.Days[i].Intervals) == 0 {
					f.Days[i].Intervals = append(f.Days[i].Intervals, intervalRow{})
				}
				f.Days[i].Intervals = append(f.Days[i].Intervals, intervalRow{})
			}
		}
		return true
	}
	if v := r.PostFormValue("remove_interval"); v != "" {
		wd, n, _ := strings.Cut(v, ":")
		for i := range f.Days {
			if k := atoi(n); strconv.Itoa(f.Days[i].Weekday) == wd && k >= 0 && k < len(f.Days[i].Intervals) {
				f.Days[i].Intervals = append(f.Days[i].Intervals[:k], f.Days[i].Intervals[k+1:]...)
			}
		}
		return true
	}
	if r.PostFormValue("add_holiday") != "" {
		return true // withBlanks adds the empty row
	}
	if v := r.PostFormValue("remove_holiday"); v != "" {
		if k := atoi(v); k >= 0 && k < len(f.Holidays) {
			f.Holidays = append(f.Holidays[:k], f.Holidays[k+1:]...)
		}
		return true
	}
	return false
}

var rowProblem = regexp.MustCompile(`^(hours|holidays)\[(\d+)\]`)

// placeProblems puts each problem of a row beside it, and returns the
// fields shown so.
func placeProblems(f *calendarForm, problems map[string]string, hours []place, holidays []int) []string {
	shown := []string{"name", "time_zone", "hours", "holidays"}
	for _, field := range slices.Sorted(maps.Keys(problems)) {
		m := rowProblem.FindStringSubmatch(field)
		if m == nil {
			continue
		}
		i := atoi(m[2])
		text := sentence(problems[field])
		if part := rowParts[strings.TrimPrefix(strings.TrimPrefix(field, m[0]), ".")]; part != "" {
			text = part + ": " + text
		}
		var row *string
		switch {
		case m[1] == "hours" && i < len(hours):
			row = &f.Days[hours[i].day].Intervals[hours[i].row].Problem
		case m[1] == "holidays" && i < len(holidays):
			row = &f.Holidays[holidays[i]].Problem
		default:
			continue
		}
		if *row != "" {
			*row += " "
		}
		*row += text
		shown = append(shown, field)
	}
	return shown
}

// rowParts names the parts of a row as its form labels them.
var rowParts = map[string]string{"start": "Start", "end": "End", "weekday": "Day", "name": "Name", "date": "Date",
	"yearly": "Rule", "yearly.month": "Month", "yearly.day": "Day", "yearly.weekday": "Weekday", "yearly.nth": "Which"}

// sentence writes a problem as a sentence of its own, so that two beside
// one row read apart: "Must be 1 to 12."
func sentence(s string) string {
	first, size := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(first)) + s[size:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// renderCalendar shows the calendar form; err's problems are put beside
// the rows that hours and holidays say they came from.
func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, agent *tend.Agent, c *tend.Calendar, f calendarForm,
	status int, err error, hours []place, holidays []int) {
	title := "New calendar"
	if c != nil {
		title = c.Name
	}
	page := &calendarPage{basePage: s.base(w, r, title, agent), Calendar: c, Zones: commonZones,
		Months: []time.Month{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}
	if err != nil {
		page.Problems = tend.ErrorFields(err)
		page.Error = formProblem(err, placeProblems(&f, page.Problems, hours, holidays)...)
	}
	page.Form = f.withBlanks()
	s.render(w, status, "calendar", page)
}

// calendarNew serves GET /settings/service-levels/calendars/new.
func (s *Server) calendarNew(w http.ResponseWriter, r *http.Request) {
	agent, _, ok := s.serviceLevelPage(w, r, "New calendar")
	if !ok {
		return
	}
	zone := "UTC"
	if loc := agentZone(r, agent); loc != nil {
		zone = loc.String()
	}
	f := calendarForm{TimeZone: zone, Days: emptyDays()}
	for i := range f.Days {
		if wd := f.Days[i].Weekday; wd >= 1 && wd <= 5 {
			f.Days[i].Intervals = []intervalRow{{Start: "09:00", End: "17:00"}}
		}
	}
	s.renderCalendar(w, r, agent, nil, f, http.StatusOK, nil, nil, nil)
}

// calendarSave reads the form and makes or changes the calendar; on a
// refusal, or a row added or removed, it shows the form again.
func (s *Server) calendarSave(w http.ResponseWriter, r *http.Request, c *tend.Calendar) {
	agent, ctx, ok := s.serviceLevelForm(w, r, "Calendar")
	if !ok {
		return
	}
	f, in, hours, holidays := readCalendarForm(r)
	if rowEdit(r, &f) {
		s.renderCalendar(w, r, agent, c, f, http.StatusOK, nil, nil, nil)
		return
	}
	var err error
	done := "calendar-created"
	if c == nil {
		_, err = s.Calendars.CreateCalendar(ctx, in)
	} else {
		done = "calendar-updated"
		_, err = s.Calendars.UpdateCalendar(ctx, c.ID, &tend.CalendarPatch{UpdatedAt: formTime(r, "updated_at"), Name: &in.Name,
			TimeZone: &in.TimeZone, Hours: &in.Hours, Holidays: &in.Holidays})
	}
	if err != nil {
		s.renderCalendar(w, r, agent, c, f, httpStatus(err), err, hours, holidays)
		return
	}
	http.Redirect(w, r, "/settings/service-levels?done="+done, http.StatusSeeOther)
}

// calendarCreate serves POST /settings/service-levels/calendars.
func (s *Server) calendarCreate(w http.ResponseWriter, r *http.Request) { s.calendarSave(w, r, nil) }

// calendarByPath reads the calendar the path names, answering when there
// is none.
func (s *Server) calendarByPath(w http.ResponseWriter, r *http.Request) (*tend.Agent, *tend.Calendar, bool) {
	agent, ctx, ok := s.serviceLevelPage(w, r, "Calendar")
	if !ok {
		return nil, nil, false
	}
	id, ok := s.idFromPath(w, r, agent, "calendar")
	if !ok {
		return nil, nil, false
	}
	c, err := s.Calendars.FindCalendarByID(ctx, id)
	if err != nil {
		s.pageError(w, r, agent, err)
		return nil, nil, false
	}
	return agent, c, true
}

// calendarEdit serves GET /settings/service-levels/calendars/{id}.
func (s *Server) calendarEdit(w http.ResponseWriter, r *http.Request) {
	if agent, c, ok := s.calendarByPath(w, r); ok {
		s.renderCalendar(w, r, agent, c, calendarFormOf(c), http.StatusOK, nil, nil, nil)
	}
}

// calendarUpdate serves POST /settings/service-levels/calendars/{id}.
func (s *Server) calendarUpdate(w http.ResponseWriter, r *http.Request) {
	if _, c, ok := s.calendarByPath(w, r); ok {
		s.calendarSave(w, r, c)
	}
}

// calendarDelete serves POST /settings/service-levels/calendars/{id}/delete.
func (s *Server) calendarDelete(w http.ResponseWriter, r *http.Request) {
	_, c, ok := s.calendarByPath(w, r)
	if !ok {
		return
	}
	agent, ctx, ok := s.serviceLevelForm(w, r, c.Name)
	if !ok {
		return
	}
	if err := s.Calendars.DeleteCalendar(ctx, c.ID); err != nil {
		s.renderCalendar(w, r, agent, c, calendarFormOf(c), httpStatus(err), err, nil, nil)
		return
	}
	http.Redirect(w, r, "/settings/service-levels?done=calendar-deleted", http.StatusSeeOther)
}

// formTime reads an instant a form carries as it was given to it
// (RFC 3339); nil when absent or unreadable.
func formTime(r *http.Request, name string) *time.Time {
	t, err := time.Parse(time.RFC3339Nano, r.PostFormValue(name))
	if err != nil {
		return nil
	}
	return &t
}
