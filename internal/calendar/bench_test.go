package calendar

import (
	"testing"
	"time"
)

// The benchmarks use office hours in New York with a few holidays, and
// targets that start late on a Friday, so that each crosses a weekend.
var (
	benchCalendar = office(newYork, christmas, memorialDay, july3, secondMonday)
	benchFrom     = local(newYork, "2026-03-06 15:30")
	sink          time.Time
)

func BenchmarkAdd(b *testing.B) {
	for b.Loop() {
		sink = benchCalendar.Add(benchFrom, 8*time.Hour)
	}
}

// BenchmarkAddMonth lays out a target of 30 working days.
func BenchmarkAddMonth(b *testing.B) {
	for b.Loop() {
		sink = benchCalendar.Add(benchFrom, 30*8*time.Hour)
	}
}

// BenchmarkBetween counts the business time in 30 days.
func BenchmarkBetween(b *testing.B) {
	to := benchFrom.AddDate(0, 0, 30)
	var d time.Duration
	for b.Loop() {
		d = benchCalendar.Between(benchFrom, to)
	}
	_ = d
}

// BenchmarkScheduleAdd lays out a target across an edit made while it runs.
func BenchmarkScheduleAdd(b *testing.B) {
	s := Schedule{
		{From: local(newYork, "2026-01-01 00:00"), Calendar: benchCalendar},
		{From: local(newYork, "2026-03-09 12:00"), Calendar: Calendar{Location: newYork, Hours: hours(workdays, "09:00", "13:00")}},
	}
	for b.Loop() {
		sink = s.Add(benchFrom, 8*time.Hour)
	}
}
