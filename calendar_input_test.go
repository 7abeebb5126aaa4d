package tend_test

import (
	"strings"
	"testing"

	"github.com/tendhq/tend"
)

func TestCalendarInputProblemsAtOnce(t *testing.T) {
	wd := 1
	var never []tend.Holiday
	for m := 1; m <= 12; m++ {
		for _, n := range []int{1, 2, 3, 4, -1} {
			never = append(never, tend.Holiday{Name: "closed", Yearly: &tend.YearlyRule{Month: m, Weekday: &wd, Nth: n}})
		}
	}
	for _, c := range []struct {
		name string
		in   tend.CalendarInput
		want []string // each a field and words of its problem
	}{
		{"every problem in one answer", tend.CalendarInput{Name: "", TimeZone: "Mars/Olympus",
			Hours:    []tend.BusinessHours{{Weekday: 1, Start: "09:00", End: "12:00"}, {Weekday: 1, Start: "11:00", End: "13:00"}, {Weekday: 2, Start: "nine", End: "17:00"}},
			Holidays: []tend.Holiday{{Name: "x", Date: "2026-13-01"}}},
			[]string{"name: ", "time_zone: ", "hours[1]: overlaps Monday 09:00–12:00", `hours[2].start: "nine" is not a time of day`, "holidays[0].date: "}},
		{"one word per field", tend.CalendarInput{Name: "Office", TimeZone: "UTC",
			Hours: []tend.BusinessHours{{Weekday: 1, Start: "9", End: "x"}}},
			[]string{`hours[0].start: "9" is not`, `hours[0].end: "x" is not`}},
		{"a yearly rule wrong in three ways", tend.CalendarInput{Name: "Office", TimeZone: "UTC",
			Hours:    []tend.BusinessHours{{Weekday: 1, Start: "09:00", End: "17:00"}},
			Holidays: []tend.Holiday{{Name: "x", Yearly: &tend.YearlyRule{Month: 0, Weekday: ptr(9), Nth: 7}}}},
			[]string{"holidays[0].yearly.weekday: must be 0", "holidays[0].yearly.month: must be 1 to 12", "holidays[0].yearly.nth: must be 1 to 5"}},
		{"neither a date nor a rule", tend.CalendarInput{Name: "Office", TimeZone: "UTC",
			Hours: []tend.BusinessHours{{Weekday: 1, Start: "09:00", End: "17:00"}}, Holidays: []tend.Holiday{{Name: "x"}}},
			[]string{"holidays[0]: give a date"}},
		{"an hour of one digit", tend.CalendarInput{Name: "Office", TimeZone: "UTC",
			Hours: []tend.BusinessHours{{Weekday: 1, Start: "9:00", End: "17:30"}}}, nil},
		{"holidays on every open day", tend.CalendarInput{Name: "Mondays", TimeZone: "UTC",
			Hours: []tend.BusinessHours{{Weekday: 1, Start: "09:00", End: "17:00"}}, Holidays: never},
			[]string{"holidays: leave no business hours"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			in.Normalize()
			err := in.Validate()
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			msg := tend.ErrorMessage(err)
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q does not say %q", msg, w)
				}
			}
			if got := len(tend.ErrorFields(err)); got != len(c.want) {
				t.Errorf("%d problems, want %d: %s", got, len(c.want), msg)
			}
		})
	}
}
