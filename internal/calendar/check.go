package calendar

import (
	"fmt"
	"time"
)

// Problem is one thing wrong with a calendar: the field as the API names it
// ("hours[2]", "holidays[0].yearly.day") and a message saying what to fix.
type Problem struct {
	Field, Message string
}

// problems collects what Check finds.
type problems []Problem

func (p *problems) add(field, format string, args ...any) {
	*p = append(*p, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Check returns what is wrong with c, or nil when nothing is. Hours may touch
// (one ends at 12:00 and the next starts then) but not overlap, counting the
// night shifts that run into the next day and Saturday's into Sunday.
func Check(c Calendar) []Problem {
	var p problems
	if c.Location == nil {
		p.add("time_zone", "is required: give an IANA name such as Europe/Paris or America/New_York")
	}
	for i, in := range c.Hours {
		checkInterval(&p, fmt.Sprintf("hours[%d]", i), in, c.Hours[:i])
	}
	for i, h := range c.Holidays {
		field := fmt.Sprintf("holidays[%d]", i)
		switch {
		case h.Year != 0:
			checkDate(&p, field+".date", h)
		case h.Nth == 0:
			checkYearlyDay(&p, field+".yearly", h)
		default:
			checkYearlyNth(&p, field+".yearly", h)
		}
	}
	return p
}

// checkInterval adds what is wrong with in, which comes after earlier.
func checkInterval(p *problems, field string, in Interval, earlier []Interval) {
	switch {
	case in.Weekday < time.Sunday || in.Weekday > time.Saturday:
		p.add(field+".weekday", "must be 0 (Sunday) to 6 (Saturday)")
	case in.Start < 0 || in.Start >= minutesPerDay:
		p.add(field+".start", "must be 00:00 to 23:59")
	case in.End < 0 || in.End > minutesPerDay:
		p.add(field+".end", "must be 00:00 to 24:00")
	case in.Start == in.End:
		p.add(field, "starts and ends at %s; an interval needs a length", clock(in.Start))
	default:
		for _, other := range earlier {
			if other.valid() && overlap(in, other) {
				p.add(field, "overlaps %s", describe(other))
				return
			}
		}
	}
}

// overlap reports whether a and b share any time, round the week.
func overlap(a, b Interval) bool {
	aStart, aEnd := a.weekMinutes()
	bStart, bEnd := b.weekMinutes()
	for _, shift := range [...]int{-minutesPerWeek, 0, minutesPerWeek} {
		if aStart < bEnd+shift && bStart+shift < aEnd {
			return true
		}
	}
	return false
}

// weekMinutes places in on the week as minutes from Sunday 00:00. The end
// passes the end of the week when Saturday's night shift runs into Sunday.
func (in Interval) weekMinutes() (start, end int) {
	start = int(in.Weekday)*minutesPerDay + in.Start
	end = int(in.Weekday)*minutesPerDay + in.End
	if in.End < in.Start {
		end += minutesPerDay
	}
	return start, end
}

// describe reads in as a person would write it: "Monday 09:00–12:00".
func describe(in Interval) string {
	return fmt.Sprintf("%s %s–%s", in.Weekday, clock(in.Start), clock(in.End))
}

// clock writes minutes since midnight as HH:MM.
func clock(minutes int) string {
	return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}

func checkDate(p *problems, field string, h Holiday) {
	switch {
	case h.Month < time.January || h.Month > time.December:
		p.add(field, "month must be 1 to 12")
	case h.Day < 1 || h.Day > daysIn(h.Year, h.Month):
		p.add(field, "day %d does not occur in %s %d", h.Day, h.Month, h.Year)
	}
}

func checkYearlyDay(p *problems, field string, h Holiday) {
	switch {
	case h.Month < time.January || h.Month > time.December:
		p.add(field+".month", "must be 1 to 12")
	case h.Day < 1 || h.Day > 31:
		p.add(field+".day", "must be 1 to 31")
	case h.Day > daysIn(2000, h.Month): // a leap year, so 29 February is allowed
		p.add(field+".day", "%d does not occur in %s", h.Day, h.Month)
	}
}

func checkYearlyNth(p *problems, field string, h Holiday) {
	if h.Month < time.January || h.Month > time.December {
		p.add(field+".month", "must be 1 to 12")
	}
	if h.Weekday < time.Sunday || h.Weekday > time.Saturday {
		p.add(field+".weekday", "must be 0 (Sunday) to 6 (Saturday)")
	}
	if h.Nth < -5 || h.Nth > 5 {
		p.add(field+".nth", "must be 1 to 5, or -1 to -5 counting from the end of the month")
	}
	if h.Day != 0 {
		p.add(field, "give a day of the month, or a weekday and nth, not both")
	}
}
