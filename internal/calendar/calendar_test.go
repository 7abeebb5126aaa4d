package calendar

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var (
	christmas    = Holiday{Name: "Christmas Day", Month: time.December, Day: 25}
	memorialDay  = Holiday{Name: "Memorial Day", Month: time.May, Weekday: time.Monday, Nth: -1}
	secondMonday = Holiday{Name: "Second Monday", Month: time.January, Weekday: time.Monday, Nth: 2}
	july3        = Holiday{Name: "Independence Day observed", Year: 2026, Month: time.July, Day: 3}

	officeNY = office(newYork, christmas, memorialDay, july3)
	split    = Calendar{Location: time.UTC, Hours: append(hours(workdays, "09:00", "12:00"), hours(workdays, "12:00", "17:00")...)}
	// midnight runs Saturday's evening into Sunday's morning as two touching intervals.
	midnight = Calendar{Location: time.UTC, Hours: append(hours([]time.Weekday{time.Saturday}, "22:00", "24:00"),
		hours([]time.Weekday{time.Sunday}, "00:00", "06:00")...)}
	saturdayNight = Calendar{Location: time.UTC, Hours: hours([]time.Weekday{time.Saturday}, "22:00", "02:00")}
	nights        = Calendar{Location: time.UTC, Hours: hours(everyDay, "22:00", "06:00"), Holidays: []Holiday{christmas}}
	allDayNY      = Calendar{Location: newYork, Hours: hours(everyDay, "00:00", "24:00")}
	allDayLondon  = Calendar{Location: london, Hours: hours(everyDay, "00:00", "24:00")}
	closed        = Calendar{Location: time.UTC}
)

// sundayEarly is a calendar open on Sundays only, when both zones change
// their clocks, early in the morning.
func sundayEarly(loc *time.Location, start, end string) Calendar {
	return Calendar{Location: loc, Hours: hours([]time.Weekday{time.Sunday}, start, end)}
}

// everyMonday is a calendar open only on Mondays, each one a holiday.
func everyMonday() Calendar {
	c := Calendar{Location: time.UTC, Hours: hours([]time.Weekday{time.Monday}, "09:00", "17:00")}
	for m := time.January; m <= time.December; m++ {
		for n := 1; n <= 5; n++ {
			c.Holidays = append(c.Holidays, Holiday{Month: m, Weekday: time.Monday, Nth: n})
		}
	}
	return c
}

func TestAdd(t *testing.T) {
	utc := func(s string) time.Time { return local(time.UTC, s) }
	ny := func(s string) time.Time { return local(newYork, s) }
	tests := []struct {
		name string
		c    Calendar
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"within a day", officeNY, ny("2026-03-02 10:00"), 2 * time.Hour, ny("2026-03-02 12:00")},
		{"into the next day", officeNY, ny("2026-03-02 16:00"), 2 * time.Hour, ny("2026-03-03 10:00")},
		{"before opening", officeNY, ny("2026-03-02 07:00"), time.Hour, ny("2026-03-02 10:00")},
		{"at the weekend", officeNY, ny("2026-02-28 12:00"), time.Hour, ny("2026-03-02 10:00")},
		{"after Friday's closing", officeNY, ny("2026-02-27 18:00"), 30 * time.Minute, ny("2026-03-02 09:30")},
		{"deadline at the end of an interval", officeNY, ny("2026-03-02 09:00"), 8 * time.Hour, ny("2026-03-02 17:00")},
		{"nothing to wait for outside hours", officeNY, ny("2026-02-28 12:00"), 0, ny("2026-02-28 12:00")},
		{"nothing to wait for inside hours", officeNY, ny("2026-03-02 10:00"), 0, ny("2026-03-02 10:00")},
		{"negative", officeNY, ny("2026-02-28 12:00"), -time.Hour, ny("2026-02-28 12:00")},
		{"seconds kept", officeNY, ny("2026-03-02 10:00:30.5"), time.Hour, ny("2026-03-02 11:00:30.5")},
		{"an hour of business time is not an hour of minutes", officeNY, ny("2026-03-02 16:59:30"), time.Minute, ny("2026-03-03 09:00:30")},

		{"touching intervals are continuous", split, utc("2026-03-02 11:00"), 2 * time.Hour, utc("2026-03-02 13:00")},
		{"deadline where intervals touch", split, utc("2026-03-02 11:00"), time.Hour, utc("2026-03-02 12:00")},
		{"touching over midnight", midnight, utc("2026-03-07 23:00"), 2 * time.Hour, utc("2026-03-08 01:00")},

		{"overnight into Sunday", saturdayNight, utc("2026-03-07 23:00"), 2 * time.Hour, utc("2026-03-08 01:00")},
		{"overnight, from Sunday morning", saturdayNight, utc("2026-03-08 01:00"), 2 * time.Hour, utc("2026-03-14 23:00")},
		{"overnight, deadline at its end", saturdayNight, utc("2026-03-07 21:00"), 4 * time.Hour, utc("2026-03-08 02:00")},

		{"dated holiday", officeNY, ny("2026-07-02 16:00"), 2 * time.Hour, ny("2026-07-06 10:00")},
		{"yearly 25 December", officeNY, ny("2026-12-24 16:00"), 2 * time.Hour, ny("2026-12-28 10:00")},
		{"yearly 25 December, another year", officeNY, ny("2025-12-24 16:00"), 2 * time.Hour, ny("2025-12-26 10:00")},
		{"last Monday of May", officeNY, ny("2026-05-22 16:00"), 2 * time.Hour, ny("2026-05-26 10:00")},
		{"second Monday of January", office(newYork, secondMonday), ny("2026-01-09 16:00"), 2 * time.Hour, ny("2026-01-13 10:00")},
		{"first Monday of January is no holiday", office(newYork, secondMonday), ny("2026-01-02 16:00"), 2 * time.Hour, ny("2026-01-05 10:00")},
		{"night shift from the evening before a holiday runs into it", nights, utc("2026-12-24 23:00"), 7 * time.Hour, utc("2026-12-25 06:00")},
		{"night shift starting on a holiday is off", nights, utc("2026-12-24 23:00"), 8 * time.Hour, utc("2026-12-26 23:00")},

		{"New York: a shift across spring forward", sundayEarly(newYork, "00:00", "06:00"),
			instant("2026-03-08 00:00 -0500"), 5 * time.Hour, instant("2026-03-08 06:00 -0400")},
		{"New York: an interval starting in the gap starts after it", sundayEarly(newYork, "02:30", "05:00"),
			instant("2026-03-08 00:00 -0500"), time.Hour, instant("2026-03-08 04:30 -0400")},
		{"New York: office hours over the weekend clocks spring forward", officeNY,
			instant("2026-03-06 16:00 -0500"), 2 * time.Hour, instant("2026-03-09 10:00 -0400")},
		{"New York: 24 hours a day across spring forward", allDayNY,
			instant("2026-03-07 12:00 -0500"), 47 * time.Hour, instant("2026-03-09 12:00 -0400")},
		{"New York: a shift across fall back", sundayEarly(newYork, "00:00", "06:00"),
			instant("2026-11-01 00:00 -0400"), 7 * time.Hour, instant("2026-11-01 06:00 -0500")},
		{"New York: an interval starting at a repeated time starts at the first", sundayEarly(newYork, "01:30", "03:00"),
			instant("2026-10-31 12:00 -0400"), 30 * time.Minute, instant("2026-11-01 01:00 -0500")},
		{"New York: 24 hours a day across fall back", allDayNY,
			instant("2026-10-31 12:00 -0400"), 49 * time.Hour, instant("2026-11-02 12:00 -0500")},
		{"London: a shift across spring forward", sundayEarly(london, "00:00", "04:00"),
			instant("2026-03-29 00:00 +0000"), 3 * time.Hour, instant("2026-03-29 04:00 +0100")},
		{"London: an interval starting in the gap starts after it", sundayEarly(london, "01:30", "03:00"),
			instant("2026-03-28 12:00 +0000"), 15 * time.Minute, instant("2026-03-29 02:45 +0100")},
		{"London: 24 hours a day across spring forward", allDayLondon,
			instant("2026-03-28 12:00 +0000"), 47 * time.Hour, instant("2026-03-30 12:00 +0100")},
		{"London: a shift across fall back", sundayEarly(london, "00:00", "04:00"),
			instant("2026-10-25 00:00 +0100"), 5 * time.Hour, instant("2026-10-25 04:00 +0000")},
		{"London: an interval starting at a repeated time starts at the first", sundayEarly(london, "01:30", "03:00"),
			instant("2026-10-24 12:00 +0100"), 45 * time.Minute, instant("2026-10-25 01:15 +0000")},
		{"London: 24 hours a day across fall back", allDayLondon,
			instant("2026-10-24 12:00 +0100"), 49 * time.Hour, instant("2026-10-26 12:00 +0000")},

		{"far ahead, in the last day of a leap year (golang/go#81583)", officeNY,
			ny("2040-12-28 16:00"), 3 * time.Hour, ny("2040-12-31 11:00")},
		{"far ahead, over the end of a leap year", officeNY, ny("2040-12-28 16:00"), 10 * time.Hour, ny("2041-01-01 10:00")},
		{"far ahead, 24 hours a day over the end of a leap year", allDayNY,
			ny("2040-12-30 12:00"), 48 * time.Hour, ny("2041-01-01 12:00")},

		{"always open", Always(), utc("2026-02-28 12:00"), 30 * time.Hour, utc("2026-03-01 18:00")},
		{"no hours never comes", closed, utc("2026-03-02 10:00"), time.Minute, time.Time{}},
		{"every working day a holiday never comes", everyMonday(), utc("2026-03-02 10:00"), time.Minute, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertTime(t, tt.c.Add(tt.from, tt.d), tt.want)
		})
	}
}

func TestAddKeepsTheLocationOfFrom(t *testing.T) {
	from := local(time.UTC, "2026-03-02 15:00")
	if got := officeNY.Add(from, time.Hour).Location(); got != time.UTC {
		t.Errorf("location %s, want UTC", got)
	}
}

func TestBetween(t *testing.T) {
	utc := func(s string) time.Time { return local(time.UTC, s) }
	ny := func(s string) time.Time { return local(newYork, s) }
	tests := []struct {
		name     string
		c        Calendar
		from, to time.Time
		want     time.Duration
	}{
		{"to before from", officeNY, ny("2026-03-02 12:00"), ny("2026-03-02 10:00"), 0},
		{"empty range", officeNY, ny("2026-03-02 12:00"), ny("2026-03-02 12:00"), 0},
		{"a working week", officeNY, ny("2026-03-02 00:00"), ny("2026-03-09 00:00"), 40 * time.Hour},
		{"overnight", officeNY, ny("2026-03-02 10:30"), ny("2026-03-03 09:30"), 7 * time.Hour},
		{"a weekend", officeNY, ny("2026-02-28 00:00"), ny("2026-03-02 00:00"), 0},
		{"seconds", officeNY, ny("2026-03-02 16:59:30"), ny("2026-03-03 09:00:30"), time.Minute},
		{"Christmas week", officeNY, ny("2026-12-21 00:00"), ny("2026-12-28 00:00"), 32 * time.Hour},
		{"last Monday of May", officeNY, ny("2026-05-25 00:00"), ny("2026-05-26 00:00"), 0},
		{"touching intervals", split, utc("2026-03-02 11:00"), utc("2026-03-02 13:00"), 2 * time.Hour},
		{"touching over midnight", midnight, utc("2026-03-07 00:00"), utc("2026-03-09 00:00"), 8 * time.Hour},
		{"overnight into Sunday", saturdayNight, utc("2026-03-07 00:00"), utc("2026-03-09 00:00"), 4 * time.Hour},
		{"overnight, from Sunday morning", saturdayNight, utc("2026-03-08 01:00"), utc("2026-03-09 00:00"), time.Hour},
		{"night shifts around a holiday", nights, utc("2026-12-24 00:00"), utc("2026-12-27 00:00"), 16 * time.Hour},

		{"New York: a shift across spring forward", sundayEarly(newYork, "00:00", "06:00"),
			ny("2026-03-07 00:00"), ny("2026-03-09 00:00"), 5 * time.Hour},
		{"New York: an interval starting in the gap", sundayEarly(newYork, "02:30", "05:00"),
			ny("2026-03-07 00:00"), ny("2026-03-09 00:00"), 90 * time.Minute},
		{"New York: 24 hours a day across spring forward", allDayNY,
			ny("2026-03-07 12:00"), ny("2026-03-09 12:00"), 47 * time.Hour},
		{"New York: a shift across fall back", sundayEarly(newYork, "00:00", "06:00"),
			ny("2026-10-31 00:00"), ny("2026-11-02 00:00"), 7 * time.Hour},
		{"New York: an interval starting at a repeated time", sundayEarly(newYork, "01:30", "03:00"),
			ny("2026-10-31 00:00"), ny("2026-11-02 00:00"), 150 * time.Minute},
		{"New York: 24 hours a day across fall back", allDayNY,
			ny("2026-10-31 12:00"), ny("2026-11-02 12:00"), 49 * time.Hour},
		{"London: a shift across spring forward", sundayEarly(london, "00:00", "04:00"),
			local(london, "2026-03-28 00:00"), local(london, "2026-03-30 00:00"), 3 * time.Hour},
		{"London: 24 hours a day across fall back", allDayLondon,
			local(london, "2026-10-24 12:00"), local(london, "2026-10-26 12:00"), 49 * time.Hour},

		{"always open", Always(), utc("2026-03-02 11:00"), utc("2026-03-03 13:00"), 26 * time.Hour},
		{"no hours", closed, utc("2026-03-02 11:00"), utc("2029-03-02 11:00"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Between(tt.from, tt.to); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	utc := func(s string) time.Time { return local(time.UTC, s) }
	ny := func(s string) time.Time { return local(newYork, s) }
	tests := []struct {
		name string
		c    Calendar
		t    time.Time
		want bool
	}{
		{"inside", officeNY, ny("2026-03-02 12:00"), true},
		{"at opening", officeNY, ny("2026-03-02 09:00"), true},
		{"at closing", officeNY, ny("2026-03-02 17:00"), false},
		{"a second before closing", officeNY, ny("2026-03-02 16:59:59"), true},
		{"before opening", officeNY, ny("2026-03-02 08:59"), false},
		{"weekend", officeNY, ny("2026-02-28 12:00"), false},
		{"holiday", officeNY, ny("2026-12-25 12:00"), false},
		{"the same moment seen from UTC", officeNY, utc("2026-03-02 14:30"), true},
		{"overnight, on Sunday", saturdayNight, utc("2026-03-08 01:30"), true},
		{"overnight, after it", saturdayNight, utc("2026-03-08 02:00"), false},
		{"night shift from the evening before a holiday", nights, utc("2026-12-25 05:00"), true},
		{"night shift starting on a holiday", nights, utc("2026-12-25 23:00"), false},
		{"always", Always(), utc("2026-02-28 03:00"), true},
		{"no hours", closed, utc("2026-03-02 12:00"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.Open(tt.t); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLocalTime pins down the wall-clock times that time.Date gets "wrong" for
// us: with a cold zone cache, and warmed by instants on either side.
func TestLocalTime(t *testing.T) {
	tests := []struct {
		name string
		loc  *time.Location
		wall string
		want time.Time
	}{
		{"New York: ordinary", newYork, "2026-03-02 09:00", instant("2026-03-02 09:00 -0500")},
		{"New York: skipped", newYork, "2026-03-08 02:30", instant("2026-03-08 03:30 -0400")},
		{"New York: the start of the gap", newYork, "2026-03-08 02:00", instant("2026-03-08 03:00 -0400")},
		{"New York: the end of the gap", newYork, "2026-03-08 03:00", instant("2026-03-08 03:00 -0400")},
		{"New York: repeated", newYork, "2026-11-01 01:30", instant("2026-11-01 01:30 -0400")},
		{"New York: first after the repeat", newYork, "2026-11-01 02:00", instant("2026-11-01 02:00 -0500")},
		{"London: skipped", london, "2026-03-29 01:30", instant("2026-03-29 02:30 +0100")},
		{"London: repeated", london, "2026-10-25 01:30", instant("2026-10-25 01:30 +0100")},
		{"London: repeated, first minute", london, "2026-10-25 01:00", instant("2026-10-25 01:00 +0100")},
		{"UTC", time.UTC, "2026-10-25 01:30", instant("2026-10-25 01:30 +0000")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wall := local(time.UTC, tt.wall).Unix()
			want := tt.want.Unix()
			if got := resolve(tt.loc, wall); got != want {
				t.Errorf("resolve: got %s", time.Unix(got, 0).In(tt.loc))
			}
			for _, warm := range []int64{want - 2*secondsPerDay, want - 3600, want, want + 3600, want + 2*secondsPerDay} {
				z := zone{loc: tt.loc}
				z.learn(warm)
				if got := z.instant(wall); got != want {
					t.Errorf("warmed at %s: got %s", time.Unix(warm, 0).In(tt.loc), time.Unix(got, 0).In(tt.loc))
				}
			}
		})
	}
}

// TestAddBetweenInverse checks over many seeded inputs that Between undoes
// Add, and that Add's answer is the first instant with d counted.
func TestAddBetweenInverse(t *testing.T) {
	calendars := map[string]Calendar{
		"office New York":     officeNY,
		"office London":       office(london, christmas, memorialDay),
		"nights London":       {Location: london, Hours: hours(everyDay, "22:00", "06:00"), Holidays: []Holiday{christmas}},
		"24 hours New York":   allDayNY,
		"early Sunday NY":     {Location: newYork, Hours: append(hours(everyDay, "01:30", "03:00"), hours(everyDay, "06:00", "06:30")...)},
		"touching split":      split,
		"overlapping London":  {Location: london, Hours: append(hours(workdays, "09:00", "17:00"), hours(workdays, "12:00", "02:00")...)},
		"always":              Always(),
		"Saturday night UTC":  saturdayNight,
		"short days New York": {Location: newYork, Hours: hours(workdays, "00:00", "00:01")},
	}
	rng := rand.New(rand.NewPCG(2026, 3))
	start := local(time.UTC, "2025-01-01 00:00")
	for name, c := range calendars {
		t.Run(name, func(t *testing.T) {
			for range 300 {
				from := start.Add(time.Duration(rng.Int64N(int64(3 * 365 * 24 * time.Hour))))
				d := time.Duration(1 + rng.Int64N(int64(300*time.Hour)))
				if rng.IntN(2) == 0 {
					d = d.Truncate(time.Minute) + time.Minute
				}
				got := c.Add(from, d)
				if !got.After(from) {
					t.Fatalf("Add(%s, %s) = %s, not after from", from, d, got)
				}
				if between := c.Between(from, got); between != d {
					t.Fatalf("Between(%s, Add(%s) = %s) = %s", from, d, got, between)
				}
				if before := c.Between(from, got.Add(-time.Nanosecond)); before >= d {
					t.Fatalf("Between(%s, %s - 1ns) = %s: the deadline came sooner", from, got, before)
				}
			}
		})
	}
}

func TestAlways(t *testing.T) {
	c := Always()
	if !c.AlwaysOpen || c.Location != time.UTC {
		t.Fatalf("Always() = %+v", c)
	}
	from := local(newYork, "2026-03-07 12:00")
	assertTime(t, c.Add(from, 48*time.Hour), from.Add(48*time.Hour))
	if got := c.Between(from, from.Add(90*time.Minute)); got != 90*time.Minute {
		t.Errorf("Between = %s, want 1h30m", got)
	}
	if problems := Check(c); problems != nil {
		t.Errorf("Check = %v", problems)
	}
}

func ExampleCalendar_Add() {
	c := Calendar{
		Location: newYork,
		Hours:    hours(workdays, "09:00", "17:00"),
		Holidays: []Holiday{{Name: "Christmas Day", Month: time.December, Day: 25}},
	}
	from := time.Date(2026, time.December, 24, 16, 0, 0, 0, newYork)
	fmt.Println(c.Add(from, 2*time.Hour))
	// Output: 2026-12-28 10:00:00 -0500 EST
}
