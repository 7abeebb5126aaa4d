package calendar

import "time"

// onHoliday reports whether date, a midnight in UTC standing for a local
// date, is one of holidays.
func onHoliday(holidays []Holiday, date time.Time) bool {
	if len(holidays) == 0 {
		return false
	}
	y, m, d := date.Date()
	weekday := date.Weekday()
	for _, h := range holidays {
		if h.falls(y, m, d, weekday) {
			return true
		}
	}
	return false
}

// falls reports whether h falls on the date y-m-d, a weekday.
func (h Holiday) falls(y int, m time.Month, d int, weekday time.Weekday) bool {
	switch {
	case h.Month != m:
		return false
	case h.Year != 0:
		return h.Year == y && h.Day == d
	case h.Nth == 0:
		return h.Day == d
	case h.Weekday != weekday:
		return false
	case h.Nth > 0:
		return (d-1)/7+1 == h.Nth
	default:
		return (daysIn(y, m)-d)/7+1 == -h.Nth
	}
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
