package calendar

import "time"

// Version is a calendar as it was from From on.
type Version struct {
	From     time.Time
	Calendar Calendar
}

// Schedule is a calendar's versions, oldest first. Each applies from its From
// until the next one's; the first applies to all time before it as well. An
// empty Schedule is never open.
type Schedule []Version

// Add returns the instant at which d of business time has passed after from,
// each stretch counted by the version that applies to it: editing a calendar
// keeps the time already counted and lays the rest out on the new hours. It
// returns from for a d of zero or less, and the zero Time when the deadline
// never comes.
func (s Schedule) Add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	loc := from.Location()
	for i := s.index(from); i < len(s); i++ {
		var until time.Time
		if i+1 < len(s) {
			until = s[i+1].From
			if !until.After(from) {
				continue // a version replaced at the moment it began
			}
		}
		counted, at, met := s[i].Calendar.count(from, until, d)
		if met {
			return at.In(loc)
		}
		d -= counted
		from = until
	}
	return time.Time{}
}

// Between returns the business time in [from, to), each stretch counted by
// the version that applies to it, or 0 when to is not after from.
func (s Schedule) Between(from, to time.Time) time.Duration {
	var total time.Duration
	for i := s.index(from); i < len(s) && to.After(from); i++ {
		end := to
		if i+1 < len(s) && s[i+1].From.Before(to) {
			end = s[i+1].From
		}
		total += s[i].Calendar.Between(from, end)
		if end.After(from) {
			from = end
		}
	}
	return total
}

// At returns the calendar that applies at t: the zero Calendar, which is never
// open, when s is empty.
func (s Schedule) At(t time.Time) Calendar {
	if len(s) == 0 {
		return Calendar{}
	}
	return s[s.index(t)].Calendar
}

// index returns the version that applies at t; 0 when s is empty.
func (s Schedule) index(t time.Time) int {
	i := len(s) - 1
	for i > 0 && s[i].From.After(t) {
		i--
	}
	return max(i, 0)
}

// AsOf returns the schedule as it was known at t: without the versions
// made after t. A deadline worked out then stays what it was, whatever the
// calendar became later.
func (s Schedule) AsOf(t time.Time) Schedule {
	n := len(s)
	for n > 1 && s[n-1].From.After(t) {
		n--
	}
	return s[:n]
}
