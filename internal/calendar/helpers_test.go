package calendar

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests do not depend on the machine's zone files
)

var (
	newYork = mustLoadLocation("America/New_York")
	london  = mustLoadLocation("Europe/London")
)

var (
	workdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	everyDay = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
)

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// hours returns the interval start–end ("09:00", "17:00") on each of days.
func hours(days []time.Weekday, start, end string) []Interval {
	var out []Interval
	for _, d := range days {
		out = append(out, Interval{Weekday: d, Start: minutes(start), End: minutes(end)})
	}
	return out
}

func minutes(hhmm string) int {
	if hhmm == "24:00" {
		return minutesPerDay
	}
	t, err := time.Parse("15:04", hhmm)
	if err != nil {
		panic(err)
	}
	return t.Hour()*60 + t.Minute()
}

// local reads "2006-01-02 15:04[:05.999]" in loc. Keep to wall-clock times
// that occur once; write the others with instant.
func local(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", s, loc)
	if err != nil {
		t, err = time.ParseInLocation("2006-01-02 15:04", s, loc)
	}
	if err != nil {
		panic(err)
	}
	return t
}

// instant reads "2006-01-02 15:04 -0700".
func instant(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04 -0700", s)
	if err != nil {
		panic(err)
	}
	return t
}

func office(loc *time.Location, holidays ...Holiday) Calendar {
	return Calendar{Location: loc, Hours: hours(workdays, "09:00", "17:00"), Holidays: holidays}
}

func assertTime(t *testing.T, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("got %s, want %s", got, want)
	}
}
