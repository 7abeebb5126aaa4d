package calendar

import (
	"math"
	"time"
)

const (
	minutesPerDay  = 24 * 60
	minutesPerWeek = 7 * minutesPerDay
	secondsPerDay  = 24 * 60 * 60
	// maxOffset is more than any zone has been ahead of or behind UTC.
	maxOffset = 16 * 60 * 60
)

// span is an open stretch in Unix seconds, [start, end).
type span struct{ start, end int64 }

// walk lays a calendar's open stretches out one local day at a time. Days are
// counted from 1970-01-01, and a wall-clock time is the seconds since that
// day's midnight as if the zone were UTC.
type walk struct {
	hours    []Interval
	holidays []Holiday
	zone     zone
	weekdays [7]bool // which have any hours, so that days off cost nothing
	day      int64   // the day next lays out
	buf      [8]span
}

// walkFrom returns a walk starting on the day before t's local day, whose
// night shifts may still be running at t.
func (c Calendar) walkFrom(t time.Time) walk {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	w := walk{hours: c.Hours, holidays: c.Holidays, zone: zone{loc: loc}}
	w.zone.learn(t.Unix())
	for _, in := range c.Hours {
		if in.valid() {
			w.weekdays[in.Weekday] = true
		}
	}
	w.day = localDay(t, loc) - 1
	return w
}

// next returns the open stretches of the walk's day in time order, and moves
// on to the following day. The slice is good until the next call.
func (w *walk) next() []span {
	day := w.day
	w.day++
	weekday := time.Weekday((day%7 + 11) % 7) // 1970-01-01 was a Thursday
	if !w.weekdays[weekday] {
		return nil
	}
	if onHoliday(w.holidays, time.Unix(day*secondsPerDay, 0).UTC()) {
		return nil
	}
	midnight := day * secondsPerDay
	spans := w.buf[:0]
	for _, in := range w.hours {
		if in.Weekday != weekday || !in.valid() {
			continue
		}
		end := in.End
		if end < in.Start {
			end += minutesPerDay
		}
		s := span{w.zone.instant(midnight + int64(in.Start)*60), w.zone.instant(midnight + int64(end)*60)}
		if s.end > s.start { // an interval wholly inside a skipped hour has no time
			spans = insertSorted(spans, s)
		}
	}
	return spans
}

// insertSorted adds s to spans, which are in order of start. The order of the
// hours cannot be relied on: a calendar may list them in any order, and a
// start moved on past a gap may come after a later one.
func insertSorted(spans []span, s span) []span {
	spans = append(spans, s)
	for i := len(spans) - 1; i > 0 && spans[i].start < spans[i-1].start; i-- {
		spans[i], spans[i-1] = spans[i-1], spans[i]
	}
	return spans
}

// valid reports whether the maths can use the interval; Check says why not.
func (in Interval) valid() bool {
	return in.Weekday >= time.Sunday && in.Weekday <= time.Saturday &&
		in.Start >= 0 && in.Start < minutesPerDay &&
		in.End >= 0 && in.End <= minutesPerDay && in.End != in.Start
}

// localDay returns t's date in loc, counted from 1970-01-01.
func localDay(t time.Time, loc *time.Location) int64 {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay
}

// zone turns wall-clock times into instants. It remembers the stretch between
// two changes of clocks that it last met, so most days need no look-up in the
// zone's rules.
type zone struct {
	loc    *time.Location
	offset int64 // seconds east of UTC within the stretch
	// from and until bound the instants for which wall-clock minus offset is
	// the answer.
	from, until int64
}

// instant returns the Unix time of wall in z's location.
func (z *zone) instant(wall int64) int64 {
	if u := wall - z.offset; z.from <= u && u < z.until {
		return u
	}
	u := resolve(z.loc, wall)
	z.learn(u)
	return u
}

// learn remembers the stretch that holds instant u.
func (z *zone) learn(u int64) {
	t := time.Unix(u, 0).In(z.loc)
	_, offset := t.Zone()
	start, end := t.ZoneBounds()
	z.offset = int64(offset)
	z.from, z.until = math.MinInt64, math.MaxInt64
	if !start.IsZero() {
		z.from = start.Unix()
	}
	if !end.IsZero() {
		z.until = end.Unix()
	}
	if u < z.from || u >= z.until {
		// ZoneBounds can return an end before t, late in a leap year that the
		// zone's rule string covers (golang/go#81583). Learn nothing then.
		z.from, z.until = u, u
		return
	}
	// After clocks go back, the stretch's first hour repeats wall-clock times
	// of the one before, and those belong to their first occurrence.
	if !start.IsZero() {
		if before := offsetAt(z.loc, z.from-1); before > z.offset {
			z.from += before - z.offset
		}
	}
}

// resolve returns the Unix time of wall in loc: its first occurrence when the
// clocks pass it twice, and moved on by the gap when they skip it.
// time.Date promises neither (in America/New_York it turns the skipped 02:30
// into 01:30 EST; in Europe/London the repeated 01:30 becomes the second one).
func resolve(loc *time.Location, wall int64) int64 {
	// The offsets before and after any change of clocks that could bear on
	// wall; no zone changes its clocks twice within these 32 hours.
	early, late := offsetAt(loc, wall-maxOffset), offsetAt(loc, wall+maxOffset)
	if u := wall - early; offsetAt(loc, u) == early {
		return u // the first occurrence, when there are two
	}
	if u := wall - late; offsetAt(loc, u) == late {
		return u
	}
	return wall - early // in the gap: read by the offset before it, so later by the gap
}

// offsetAt returns the seconds loc is east of UTC at Unix time u.
func offsetAt(loc *time.Location, u int64) int64 {
	_, offset := time.Unix(u, 0).In(loc).Zone()
	return int64(offset)
}
