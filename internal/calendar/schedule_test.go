package calendar

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestSchedule(t *testing.T) {
	ny := func(s string) time.Time { return local(newYork, s) }
	mornings := Calendar{Location: newYork, Hours: hours(workdays, "09:00", "13:00")}
	// edited is office hours until midday on Monday 2 March 2026, mornings after.
	edited := Schedule{
		{From: ny("2026-01-01 00:00"), Calendar: officeNY},
		{From: ny("2026-03-02 12:00"), Calendar: mornings},
	}
	tests := []struct {
		name    string
		s       Schedule
		from    time.Time
		d       time.Duration
		want    time.Time
		elapsed time.Time     // Between(from, elapsed) should be
		counted time.Duration // this
	}{
		{"edited while the target runs: the time counted stays, the rest is on the new hours", edited,
			ny("2026-03-02 10:00"), 8 * time.Hour, ny("2026-03-04 10:00"), ny("2026-03-04 10:00"), 8 * time.Hour},
		{"deadline at the moment of the edit", edited,
			ny("2026-03-02 10:00"), 2 * time.Hour, ny("2026-03-02 12:00"), ny("2026-03-02 17:00"), 3 * time.Hour},
		{"started after the edit", edited,
			ny("2026-03-03 09:00"), 5 * time.Hour, ny("2026-03-04 10:00"), ny("2026-03-03 17:00"), 4 * time.Hour},
		{"before the first version, the first applies", edited,
			ny("2025-12-01 10:00"), time.Hour, ny("2025-12-01 11:00"), ny("2025-12-02 00:00"), 7 * time.Hour},
		{"edited to never open", Schedule{{From: ny("2026-01-01 00:00"), Calendar: officeNY}, {From: ny("2026-03-02 12:00"), Calendar: closed}},
			ny("2026-03-02 10:00"), 3 * time.Hour, time.Time{}, ny("2026-03-09 00:00"), 2 * time.Hour},
		{"edited to always open", Schedule{{From: ny("2026-01-01 00:00"), Calendar: officeNY}, {From: ny("2026-03-02 16:00"), Calendar: Always()}},
			ny("2026-03-02 15:00"), 3 * time.Hour, ny("2026-03-02 18:00"), ny("2026-03-02 18:00"), 3 * time.Hour},
		{"two versions from the same moment: the later applies", Schedule{{From: ny("2026-01-01 00:00"), Calendar: officeNY},
			{From: ny("2026-03-02 12:00"), Calendar: closed}, {From: ny("2026-03-02 12:00"), Calendar: mornings}},
			ny("2026-03-02 10:00"), 8 * time.Hour, ny("2026-03-04 10:00"), ny("2026-03-04 10:00"), 8 * time.Hour},
		{"nothing to wait for", edited, ny("2026-03-02 10:00"), 0, ny("2026-03-02 10:00"), ny("2026-03-02 10:00"), 0},
		{"empty", nil, ny("2026-03-02 10:00"), time.Hour, time.Time{}, ny("2026-03-09 00:00"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertTime(t, tt.s.Add(tt.from, tt.d), tt.want)
			if got := tt.s.Between(tt.from, tt.elapsed); got != tt.counted {
				t.Errorf("Between(from, %s) = %s, want %s", tt.elapsed, got, tt.counted)
			}
		})
	}
}

func TestScheduleAt(t *testing.T) {
	ny := func(s string) time.Time { return local(newYork, s) }
	mornings := Calendar{Location: newYork, Hours: hours(workdays, "09:00", "13:00")}
	s := Schedule{{From: ny("2026-01-01 00:00"), Calendar: officeNY}, {From: ny("2026-03-02 12:00"), Calendar: mornings}}
	tests := []struct {
		name string
		t    time.Time
		want Calendar
	}{
		{"before the first version", ny("2025-06-01 00:00"), officeNY},
		{"in the first", ny("2026-03-02 11:59"), officeNY},
		{"at the edit", ny("2026-03-02 12:00"), mornings},
		{"after it", ny("2027-01-01 00:00"), mornings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.At(tt.t); len(got.Hours) != len(tt.want.Hours) || got.Hours[0] != tt.want.Hours[0] {
				t.Errorf("got hours %v, want %v", got.Hours, tt.want.Hours)
			}
		})
	}
	if got := Schedule(nil).At(ny("2026-03-02 12:00")); got.AlwaysOpen || got.Hours != nil {
		t.Errorf("empty schedule: got %+v, want the zero Calendar", got)
	}
}

// TestScheduleAddBetweenInverse checks over many seeded inputs that Between
// undoes Add across edits.
func TestScheduleAddBetweenInverse(t *testing.T) {
	versions := []Calendar{
		officeNY,
		{Location: london, Hours: hours(everyDay, "22:00", "06:00"), Holidays: []Holiday{christmas}},
		allDayNY,
		Always(),
		{Location: newYork, Hours: append(hours(everyDay, "01:30", "03:00"), hours(workdays, "12:00", "13:00")...)},
	}
	rng := rand.New(rand.NewPCG(81583, 7))
	start := local(time.UTC, "2025-01-01 00:00")
	span := int64(3 * 365 * 24 * time.Hour)
	for range 500 {
		var s Schedule
		edit := start
		for range 1 + rng.IntN(4) {
			edit = edit.Add(time.Duration(rng.Int64N(span / 4)))
			s = append(s, Version{From: edit, Calendar: versions[rng.IntN(len(versions))]})
		}
		from := start.Add(time.Duration(rng.Int64N(span)))
		d := time.Duration(1 + rng.Int64N(int64(200*time.Hour)))
		got := s.Add(from, d)
		if !got.After(from) {
			t.Fatalf("Add(%s, %s) = %s, not after from", from, d, got)
		}
		if between := s.Between(from, got); between != d {
			t.Fatalf("Between(%s, Add(%s) = %s) = %s", from, d, got, between)
		}
		if before := s.Between(from, got.Add(-time.Nanosecond)); before >= d {
			t.Fatalf("Between(%s, %s - 1ns) = %s: the deadline came sooner", from, got, before)
		}
	}
}

func TestScheduleAsOf(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s := Schedule{{From: t0, Calendar: Always()}, {From: t0.Add(time.Hour), Calendar: Calendar{}}}
	tests := []struct {
		at   time.Time
		want int
	}{
		{t0.Add(-time.Hour), 1}, // the first version stands for all time before it
		{t0, 1},
		{t0.Add(30 * time.Minute), 1},
		{t0.Add(time.Hour), 2},
		{t0.Add(2 * time.Hour), 2},
	}
	for _, tt := range tests {
		if got := len(s.AsOf(tt.at)); got != tt.want {
			t.Errorf("AsOf(%s) has %d versions, want %d", tt.at.Format(time.TimeOnly), got, tt.want)
		}
	}
	// A deadline worked out before the edit that closed the calendar.
	if due := s.AsOf(t0.Add(30*time.Minute)).Add(t0, 3*time.Hour); !due.Equal(t0.Add(3 * time.Hour)) {
		t.Errorf("as of before the edit: due %s", due)
	}
}
