package tend

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tendhq/tend/internal/calendar"
)

// AlwaysCalendar is the name of the built-in calendar that is open at all
// hours. It cannot be changed or deleted, so a policy always has one.
const AlwaysCalendar = "Always"

// Calendar is when a team works: the business hours that service-level
// deadlines count in. Editing one applies from the moment of the edit
// (see calendar.Schedule).
type Calendar struct {
	ID       int64           `json:"id"`
	Name     string          `json:"name"`
	TimeZone string          `json:"time_zone"`
	Hours    []BusinessHours `json:"hours"`
	Holidays []Holiday       `json:"holidays"`
	// Builtin marks Always.
	Builtin   bool      `json:"builtin"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// BusinessHours is one stretch of work on a weekday (0 = Sunday), in local
// wall-clock time "HH:MM". An End before Start runs into the next day.
type BusinessHours struct {
	Weekday int    `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// Holiday is a day off: a Date ("2026-12-25"), or a Yearly rule.
type Holiday struct {
	Name   string      `json:"name"`
	Date   string      `json:"date,omitempty"`
	Yearly *YearlyRule `json:"yearly,omitempty"`
}

// YearlyRule is a holiday every year: a fixed day of a month, or the Nth
// weekday of a month (Nth -1 is the last).
type YearlyRule struct {
	Month   int  `json:"month"`
	Day     int  `json:"day,omitempty"`
	Weekday *int `json:"weekday,omitempty"`
	Nth     int  `json:"nth,omitempty"`
}

// CalendarInput is a new calendar, or the whole of an edited one.
type CalendarInput struct {
	Name     string          `json:"name"`
	TimeZone string          `json:"time_zone"`
	Hours    []BusinessHours `json:"hours"`
	Holidays []Holiday       `json:"holidays"`
}

// CalendarPatch changes a calendar; nil fields are left as they are.
type CalendarPatch struct {
	// UpdatedAt, when given, is the calendar's updated_at as the caller
	// read it: a change made since by someone else is not overwritten.
	UpdatedAt *time.Time       `json:"updated_at"`
	Name      *string          `json:"name"`
	TimeZone  *string          `json:"time_zone"`
	Hours     *[]BusinessHours `json:"hours"`
	Holidays  *[]Holiday       `json:"holidays"`
}

// Apply returns the input that results from patching c.
func (p *CalendarPatch) Apply(c *Calendar) CalendarInput {
	in := CalendarInput{Name: c.Name, TimeZone: c.TimeZone, Hours: c.Hours, Holidays: c.Holidays}
	if p.Name != nil {
		in.Name = *p.Name
	}
	if p.TimeZone != nil {
		in.TimeZone = *p.TimeZone
	}
	if p.Hours != nil {
		in.Hours = *p.Hours
	}
	if p.Holidays != nil {
		in.Holidays = *p.Holidays
	}
	return in
}

// Normalize trims the name and zone and gives empty lists.
func (in *CalendarInput) Normalize() {
	in.Name = strings.Join(strings.Fields(in.Name), " ")
	in.TimeZone = strings.TrimSpace(in.TimeZone)
	if in.Hours == nil {
		in.Hours = []BusinessHours{}
	}
	if in.Holidays == nil {
		in.Holidays = []Holiday{}
	}
	for i := range in.Hours {
		in.Hours[i].Start, in.Hours[i].End = twoDigitHour(in.Hours[i].Start), twoDigitHour(in.Hours[i].End)
	}
	for i := range in.Holidays {
		in.Holidays[i].Name = strings.TrimSpace(in.Holidays[i].Name)
		in.Holidays[i].Date = strings.TrimSpace(in.Holidays[i].Date)
	}
}

// Validate returns EINVALID naming each field that is wrong.
func (in *CalendarInput) Validate() error {
	p := Problems{}
	validateName(p, "name", in.Name)
	if strings.EqualFold(in.Name, AlwaysCalendar) {
		p.Add("name", "%s is the built-in calendar's name; choose another", AlwaysCalendar)
	}
	if len(in.Hours) == 0 {
		p.Add("hours", "give at least one interval of business hours, such as Monday 09:00 to 17:00; without any, no deadline ever comes")
	}
	if len(in.Hours) > 100 {
		p.Add("hours", "may hold at most 100 intervals")
	}
	if len(in.Holidays) > 500 {
		p.Add("holidays", "may hold at most 500 holidays")
	}
	for i, h := range in.Holidays {
		if len(h.Name) > 100 {
			p.Add(fmt.Sprintf("holidays[%d].name", i), "must be at most 100 characters")
		}
	}
	c, _ := in.maths(p)
	if len(p) == 0 && c.Add(time.Now(), time.Minute).IsZero() {
		p.Add("holidays", "leave no business hours in the next three years, so no deadline would ever come; remove some")
	}
	return p.Err()
}

// maths converts the input for the calendar maths, adding to p what
// cannot be read or does not hold together.
func (in *CalendarInput) maths(p Problems) (calendar.Calendar, error) {
	var c calendar.Calendar
	if in.TimeZone == "" {
		p.Add("time_zone", "is required: give an IANA name such as Europe/Paris or America/New_York")
	}
	c.Location = validateTimeZone(p, "time_zone", in.TimeZone)
	for i, h := range in.Hours {
		field := fmt.Sprintf("hours[%d]", i)
		start, ok1 := clockMinutes(h.Start)
		end, ok2 := clockMinutes(h.End)
		if !ok1 {
			p.Add(field+".start", "%q is not a time of day; write it as HH:MM, such as 09:00", h.Start)
		}
		if !ok2 {
			p.Add(field+".end", "%q is not a time of day; write it as HH:MM, such as 17:30", h.End)
		}
		if h.Weekday < 0 || h.Weekday > 6 {
			p.Add(field+".weekday", "must be 0 (Sunday) to 6 (Saturday)")
		}
		if start == 1440 {
			p.Add(field+".start", "24:00 is the end of a day; an interval starts at 23:59 at the latest")
		}
		// What could not be read is out of range for calendar.Check, whose
		// own word on it gives way to the one above (Problems keeps the
		// first), and which it leaves out when it looks for overlaps.
		if !ok1 {
			start = -1
		}
		if !ok2 {
			end = -1
		}
		c.Hours = append(c.Hours, calendar.Interval{Weekday: time.Weekday(h.Weekday), Start: start, End: end})
	}
	for i, h := range in.Holidays {
		field := fmt.Sprintf("holidays[%d]", i)
		unread := true // what calendar.Check would misread, refused here
		var ch calendar.Holiday
		ch.Name = h.Name
		switch {
		case h.Date != "" && h.Yearly != nil:
			p.Add(field, "give a date or a yearly rule, not both")
		case h.Date != "":
			d, err := time.Parse("2006-01-02", h.Date)
			if err != nil {
				p.Add(field+".date", "%q is not a date; write it as YYYY-MM-DD, such as 2026-12-25", h.Date)
			}
			ch.Year, ch.Month, ch.Day = d.Date()
			unread = err != nil
		case h.Yearly != nil:
			// Checked further by calendar.Check, whose word on a field
			// refused here gives way to this one.
			unread = false
			ch.Month, ch.Day, ch.Nth = time.Month(h.Yearly.Month), h.Yearly.Day, h.Yearly.Nth
			if h.Yearly.Weekday != nil {
				ch.Weekday = time.Weekday(*h.Yearly.Weekday)
				if *h.Yearly.Weekday < 0 || *h.Yearly.Weekday > 6 {
					p.Add(field+".yearly.weekday", "must be 0 (Sunday) to 6 (Saturday)")
				}
				if h.Yearly.Day != 0 {
					p.Add(field+".yearly", "give a day of the month, or a weekday and nth, not both")
				}
			} else if h.Yearly.Nth != 0 {
				p.Add(field+".yearly.weekday", "an nth rule needs a weekday, 0 (Sunday) to 6 (Saturday)")
			}
		default:
			p.Add(field, "give a date (YYYY-MM-DD) or a yearly rule")
		}
		if unread {
			// A plain date stands in for calendar.Check, so that it adds
			// no second word on it.
			ch = calendar.Holiday{Name: h.Name, Year: 2000, Month: time.January, Day: 1}
		}
		c.Holidays = append(c.Holidays, ch)
	}
	for _, problem := range calendar.Check(c) {
		p.Add(problem.Field, "%s", problem.Message)
	}
	return c, p.Err()
}

// twoDigitHour writes "9:00" as "09:00", the form the calendar keeps.
func twoDigitHour(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 4 && s[1] == ':' && s[0] >= '0' && s[0] <= '9' {
		return "0" + s
	}
	return s
}

// clockMinutes reads "HH:MM" as minutes since midnight; "24:00" is 1440.
func clockMinutes(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	var h, m int
	if _, err := fmt.Sscanf(s, "%2d:%2d", &h, &m); err != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// Maths returns the calendar for the calendar maths.
func (c *Calendar) Maths() (calendar.Calendar, error) {
	if c.Builtin {
		return calendar.Always(), nil
	}
	in := CalendarInput{Name: c.Name, TimeZone: c.TimeZone, Hours: c.Hours, Holidays: c.Holidays}
	return in.maths(Problems{})
}

// CalendarVersion is a calendar as it was from From on.
type CalendarVersion struct {
	From     time.Time
	Calendar Calendar
}

// Schedule returns the maths of a calendar's versions, oldest first.
func Schedule(versions []CalendarVersion) (calendar.Schedule, error) {
	s := make(calendar.Schedule, 0, len(versions))
	for _, v := range versions {
		m, err := v.Calendar.Maths()
		if err != nil {
			return nil, fmt.Errorf("calendar %d as of %s: %w", v.Calendar.ID, v.From, err)
		}
		s = append(s, calendar.Version{From: v.From, Calendar: m})
	}
	return s, nil
}

// CalendarService manages calendars. Leads and above change them; all
// staff read them.
type CalendarService interface {
	FindCalendars(ctx context.Context) ([]*Calendar, error)
	FindCalendarByID(ctx context.Context, id int64) (*Calendar, error)
	CreateCalendar(ctx context.Context, in *CalendarInput) (*Calendar, error)
	// UpdateCalendar applies from now on: business time already counted
	// stays, and the open tickets' deadlines are laid out again.
	UpdateCalendar(ctx context.Context, id int64, patch *CalendarPatch) (*Calendar, error)
	// DeleteCalendar refuses while a policy uses the calendar.
	DeleteCalendar(ctx context.Context, id int64) error
	// Deadline and BusinessMinutes answer by the calendar as it is now.
	Deadline(ctx context.Context, id int64, from time.Time, minutes int) (time.Time, error)
	BusinessMinutes(ctx context.Context, id int64, from, to time.Time) (int, error)
}
