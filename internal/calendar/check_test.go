package calendar

import (
	"slices"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	at := func(day time.Weekday, start, end string) Interval {
		return Interval{Weekday: day, Start: minutes(start), End: minutes(end)}
	}
	withHours := func(in ...Interval) Calendar { return Calendar{Location: time.UTC, Hours: in} }
	withHolidays := func(h ...Holiday) Calendar { return Calendar{Location: time.UTC, Holidays: h} }
	tests := []struct {
		name string
		c    Calendar
		want []Problem
	}{
		{"office hours and holidays", officeNY, nil},
		{"always", Always(), nil},
		{"no time zone", Calendar{Hours: hours(workdays, "09:00", "17:00")},
			[]Problem{{"time_zone", "is required: give an IANA name such as Europe/Paris or America/New_York"}}},
		{"overlap", withHours(at(time.Monday, "09:00", "12:00"), at(time.Monday, "11:00", "13:00")),
			[]Problem{{"hours[1]", "overlaps Monday 09:00–12:00"}}},
		{"the same interval twice", withHours(at(time.Monday, "09:00", "12:00"), at(time.Tuesday, "09:00", "12:00"), at(time.Monday, "09:00", "12:00")),
			[]Problem{{"hours[2]", "overlaps Monday 09:00–12:00"}}},
		{"one inside another", withHours(at(time.Monday, "09:00", "17:00"), at(time.Monday, "10:00", "11:00")),
			[]Problem{{"hours[1]", "overlaps Monday 09:00–17:00"}}},
		{"touching is no overlap", withHours(at(time.Monday, "09:00", "12:00"), at(time.Monday, "12:00", "17:00")), nil},
		{"touching over midnight is no overlap", withHours(at(time.Saturday, "22:00", "24:00"), at(time.Sunday, "00:00", "06:00")), nil},
		{"a night shift touching the next morning is no overlap", withHours(at(time.Monday, "22:00", "02:00"), at(time.Tuesday, "02:00", "09:00")), nil},
		{"a full day", withHours(at(time.Monday, "00:00", "24:00"), at(time.Tuesday, "00:00", "24:00")), nil},
		{"zero length", withHours(at(time.Monday, "09:00", "09:00")),
			[]Problem{{"hours[0]", "starts and ends at 09:00; an interval needs a length"}}},
		{"a night shift overlapping the next day", withHours(at(time.Tuesday, "01:00", "05:00"), at(time.Monday, "22:00", "02:00")),
			[]Problem{{"hours[1]", "overlaps Tuesday 01:00–05:00"}}},
		{"Saturday night overlapping Sunday morning", withHours(at(time.Saturday, "22:00", "02:00"), at(time.Sunday, "01:00", "03:00")),
			[]Problem{{"hours[1]", "overlaps Saturday 22:00–02:00"}}},
		{"Sunday morning overlapped by Saturday night", withHours(at(time.Sunday, "01:00", "03:00"), at(time.Saturday, "22:00", "02:00")),
			[]Problem{{"hours[1]", "overlaps Sunday 01:00–03:00"}}},
		{"out of range", withHours(Interval{Weekday: 7, Start: 0, End: 60}, Interval{Weekday: 1, Start: 1440, End: 60}, Interval{Weekday: 1, Start: 0, End: 1441}),
			[]Problem{
				{"hours[0].weekday", "must be 0 (Sunday) to 6 (Saturday)"},
				{"hours[1].start", "must be 00:00 to 23:59"},
				{"hours[2].end", "must be 00:00 to 24:00"},
			}},

		{"dated", withHolidays(july3, Holiday{Year: 2028, Month: time.February, Day: 29}), nil},
		{"dated, bad month", withHolidays(Holiday{Year: 2026, Month: 13, Day: 1}),
			[]Problem{{"holidays[0].date", "month must be 1 to 12"}}},
		{"dated, 29 February not in a leap year", withHolidays(Holiday{Year: 2027, Month: time.February, Day: 29}),
			[]Problem{{"holidays[0].date", "day 29 does not occur in February 2027"}}},
		{"yearly", withHolidays(christmas, Holiday{Month: time.February, Day: 29}), nil},
		{"yearly, bad month", withHolidays(Holiday{Month: 0, Day: 1}),
			[]Problem{{"holidays[0].yearly.month", "must be 1 to 12"}}},
		{"yearly, bad day", withHolidays(Holiday{Month: time.May, Day: 0}),
			[]Problem{{"holidays[0].yearly.day", "must be 1 to 31"}}},
		{"yearly, 31 April", withHolidays(Holiday{Month: time.April, Day: 31}),
			[]Problem{{"holidays[0].yearly.day", "31 does not occur in April"}}},
		{"yearly, 30 February", withHolidays(Holiday{Month: time.February, Day: 30}),
			[]Problem{{"holidays[0].yearly.day", "30 does not occur in February"}}},
		{"nth", withHolidays(memorialDay, secondMonday, Holiday{Month: time.March, Weekday: time.Sunday, Nth: 5}), nil},
		{"nth too large", withHolidays(Holiday{Month: time.May, Weekday: time.Monday, Nth: 6}),
			[]Problem{{"holidays[0].yearly.nth", "must be 1 to 5, or -1 to -5 counting from the end of the month"}}},
		{"nth too small", withHolidays(Holiday{Month: time.May, Weekday: time.Monday, Nth: -6}),
			[]Problem{{"holidays[0].yearly.nth", "must be 1 to 5, or -1 to -5 counting from the end of the month"}}},
		{"nth, bad month and weekday", withHolidays(Holiday{Month: 13, Weekday: 7, Nth: 1}),
			[]Problem{
				{"holidays[0].yearly.month", "must be 1 to 12"},
				{"holidays[0].yearly.weekday", "must be 0 (Sunday) to 6 (Saturday)"},
			}},
		{"nth and a day", withHolidays(Holiday{Month: time.May, Day: 4, Weekday: time.Monday, Nth: 1}),
			[]Problem{{"holidays[0].yearly", "give a day of the month, or a weekday and nth, not both"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Check(tt.c); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestHolidayFalls(t *testing.T) {
	tests := []struct {
		name string
		h    Holiday
		date string
		want bool
	}{
		{"dated", july3, "2026-07-03", true},
		{"dated, another year", july3, "2027-07-03", false},
		{"yearly", christmas, "2031-12-25", true},
		{"yearly, another day", christmas, "2031-12-24", false},
		{"last Monday of May 2026", memorialDay, "2026-05-25", true},
		{"a Monday a week before", memorialDay, "2026-05-18", false},
		{"last Monday of May 2027", memorialDay, "2027-05-31", true},
		{"second Monday of January 2026", secondMonday, "2026-01-12", true},
		{"first Monday of January 2026", secondMonday, "2026-01-05", false},
		{"fifth Sunday of March 2026", Holiday{Month: time.March, Weekday: time.Sunday, Nth: 5}, "2026-03-29", true},
		{"second to last Friday of February 2028", Holiday{Month: time.February, Weekday: time.Friday, Nth: -2}, "2028-02-18", true},
		{"29 February in a leap year", Holiday{Month: time.February, Day: 29}, "2028-02-29", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			date := local(time.UTC, tt.date+" 00:00")
			y, m, d := date.Date()
			if got := tt.h.falls(y, m, d, date.Weekday()); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
