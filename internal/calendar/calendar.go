// Package calendar is the business-time maths behind service-level deadlines:
// the instant at which some working time has passed, and how much working time
// lies between two instants, by weekly hours, holidays and a time zone.
package calendar

import (
	"math"
	"time"
)

// Interval is one stretch of work: local wall-clock minutes since midnight on
// Weekday. An End before Start runs into the next day (a night shift; Saturday
// 22:00–02:00 runs into Sunday). End may be 1440, which is 24:00. An End equal
// to Start is no interval.
type Interval struct {
	Weekday    time.Weekday
	Start, End int
}

// Holiday is a day without work. With a Year it is that one date. Without, it
// comes every year: on Month and Day, or when Nth is set, on the Nth Weekday of
// Month (1 to 5), counting from the end of the month when Nth is negative (-1
// is the last).
type Holiday struct {
	Name    string
	Year    int
	Month   time.Month
	Day     int
	Weekday time.Weekday
	Nth     int
}

// Calendar is when a team works. Hours are wall-clock times in Location, and a
// holiday removes the intervals that start on its date: a night shift from the
// evening before still runs into it.
//
// A wall-clock time that a change of clocks skips is moved on by the gap (02:30
// on the night New York springs forward is 03:30), and one the clocks pass
// twice is the first of the two.
//
// Check says whether a calendar holds together. The maths does not fail on one
// that does not: it counts overlapping intervals once, leaves out the others
// Check rejects, and reads a nil Location as UTC.
type Calendar struct {
	Location   *time.Location
	Hours      []Interval
	Holidays   []Holiday
	AlwaysOpen bool
}

// Always returns the calendar that is open at all hours.
func Always() Calendar {
	return Calendar{Location: time.UTC, AlwaysOpen: true}
}

// Add returns the instant at which d of business time has passed after from,
// in from's location. Time outside the hours does not count, so a positive d
// from outside them starts at the next opening, and a deadline that falls at
// the end of an interval is that end. A d of zero or less returns from.
//
// Add returns the zero Time when the deadline never comes: the calendar has no
// hours, or is closed for three years on end.
func (c Calendar) Add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	_, at, met := c.count(from, time.Time{}, d)
	if !met {
		return time.Time{}
	}
	return at.In(from.Location())
}

// Between returns the business time in [from, to), or 0 when to is not after
// from. For a positive d, Between(from, c.Add(from, d)) is d. It takes time in
// proportion to the days between.
func (c Calendar) Between(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	counted, _, _ := c.count(from, to, math.MaxInt64)
	return counted
}

// Open reports whether t falls within the hours.
func (c Calendar) Open(t time.Time) bool {
	if c.AlwaysOpen {
		return true
	}
	sec := t.Unix()
	w := c.walkFrom(t)
	// Only intervals starting on t's local day, or the day before, can hold t.
	for range 2 {
		for _, s := range w.next() {
			if s.start <= sec && sec < s.end {
				return true
			}
		}
	}
	return false
}

const (
	// maxClosedDays is how long Add looks for an opening before it decides
	// the deadline never comes.
	maxClosedDays = 3*366 + 1
	// maxDays bounds a walk with no end: a little more than the longest
	// Duration. A walk with an end is bounded by it.
	maxDays = 300 * 366
)

// count is the one walk behind Add, Between and Schedule, so that they agree
// to the nanosecond. It counts c's open time from from on until need has been
// counted, or until the walk reaches until (the zero Time: no end). It returns
// the time counted and, when need was met, the instant it was.
func (c Calendar) count(from, until time.Time, need time.Duration) (counted time.Duration, at time.Time, met bool) {
	bounded := !until.IsZero()
	if c.AlwaysOpen {
		if bounded && until.Sub(from) < need {
			return max(until.Sub(from), 0), time.Time{}, false
		}
		return need, from.Add(need), true
	}
	if len(c.Hours) == 0 {
		return 0, time.Time{}, false
	}

	w := c.walkFrom(from)
	lastDay := w.day + maxDays
	if bounded {
		lastDay = localDay(until, w.zone.loc)
	}
	lastOpenDay := w.day
	cursor := from
	for w.day <= lastDay {
		if !bounded && w.day-lastOpenDay > maxClosedDays {
			break
		}
		spans := w.next()
		if len(spans) > 0 {
			lastOpenDay = w.day
		}
		for _, s := range spans {
			start, end := time.Unix(s.start, 0), time.Unix(s.end, 0)
			if start.Before(cursor) {
				start = cursor // overlapping intervals count once
			}
			if bounded && end.After(until) {
				end = until
			}
			if !end.After(start) {
				continue
			}
			if piece := end.Sub(start); piece < need-counted {
				counted += piece
				cursor = end
				continue
			}
			return need, start.Add(need - counted), true
		}
	}
	return counted, time.Time{}, false
}
