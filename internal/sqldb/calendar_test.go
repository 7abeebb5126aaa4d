package sqldb_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/calendar"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// weekdays returns Monday to Friday from start to end.
func weekdays(start, end string) []tend.BusinessHours {
	var h []tend.BusinessHours
	for d := 1; d <= 5; d++ {
		h = append(h, tend.BusinessHours{Weekday: d, Start: start, End: end})
	}
	return h
}

func TestCalendars(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		sqldbtest.NewClock(db)
		e := newEnv(t, db)
		cals := sqldb.NewCalendarService(db)
		lead := e.mustAgent(t, "lee", tend.RoleLead)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)

		list, err := cals.FindCalendars(as(ann))
		if err != nil || len(list) != 1 || list[0].Name != tend.AlwaysCalendar || !list[0].Builtin || list[0].ID != 1 {
			t.Fatalf("calendars of a new desk: %+v, %v", list, err)
		}
		if _, err := cals.FindCalendars(asCustomer(1)); err == nil {
			t.Error("a customer reads the calendars")
		}
		office := &tend.CalendarInput{Name: "Paris office", TimeZone: "Europe/Paris", Hours: weekdays("09:00", "17:00"),
			Holidays: []tend.Holiday{{Name: "Christmas", Date: "2026-12-25"},
				{Name: "Last Monday of May", Yearly: &tend.YearlyRule{Month: 5, Weekday: ptr(1), Nth: -1}}}}
		if _, err := cals.CreateCalendar(as(ann), office); tend.ErrorCode(err) != tend.EFORBIDDEN {
			t.Fatalf("an agent makes a calendar: %v", err)
		}
		c, err := cals.CreateCalendar(as(lead), office)
		if err != nil {
			t.Fatal(err)
		}
		if c.Builtin || c.TimeZone != "Europe/Paris" || len(c.Hours) != 5 || len(c.Holidays) != 2 || c.Holidays[1].Yearly.Nth != -1 {
			t.Fatalf("created: %+v", c)
		}
		if got, err := cals.FindCalendarByID(as(ann), c.ID); err != nil || got.Name != "Paris office" || len(got.Hours) != 5 {
			t.Fatalf("read back: %+v, %v", got, err)
		}
		again := *office
		again.Name = "PARIS OFFICE"
		if _, err := cals.CreateCalendar(as(lead), &again); tend.ErrorCode(err) != tend.ECONFLICT || tend.ErrorFields(err)["name"] == "" {
			t.Errorf("a second calendar of the same name in capitals: %v", err)
		}

		// Always can be neither changed nor deleted, and says why.
		name := "Mine now"
		if _, err := cals.UpdateCalendar(as(lead), 1, &tend.CalendarPatch{Name: &name}); tend.ErrorCode(err) != tend.EFORBIDDEN || !strings.Contains(tend.ErrorMessage(err), "built-in") {
			t.Errorf("changing Always: %v", err)
		}
		if err := cals.DeleteCalendar(as(lead), 1); tend.ErrorCode(err) != tend.EFORBIDDEN || !strings.Contains(tend.ErrorMessage(err), "built-in") {
			t.Errorf("deleting Always: %v", err)
		}
		if _, err := cals.FindCalendarByID(as(ann), 1); err != nil {
			t.Errorf("Always after the attempts: %v", err)
		}

		// Minutes out of range.
		from := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
		for _, m := range []int{-1, tend.MaxTargetMinutes + 1} {
			if _, err := cals.Deadline(as(ann), c.ID, from, m); tend.ErrorFields(err)["minutes"] == "" {
				t.Errorf("a deadline %d minutes on: %v", m, err)
			}
		}
		if _, err := cals.Deadline(as(ann), 999, from, 60); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("a deadline by no calendar: %v", err)
		}
	})
}

// Every bad calendar of the issue is refused, naming what to fix, and
// nothing is written.
func TestCalendarBadInput(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		cals := sqldb.NewCalendarService(db)
		lead := e.mustAgent(t, "lee", tend.RoleLead)
		good, err := cals.CreateCalendar(as(lead), &tend.CalendarInput{Name: "Office", TimeZone: "UTC", Hours: weekdays("09:00", "17:00")})
		if err != nil {
			t.Fatal(err)
		}
		mon := func(start, end string) tend.BusinessHours {
			return tend.BusinessHours{Weekday: 1, Start: start, End: end}
		}
		cases := []struct {
			name  string
			in    tend.CalendarInput
			field string
		}{
			{"overlapping intervals", tend.CalendarInput{Hours: []tend.BusinessHours{mon("09:00", "12:00"), mon("11:00", "14:00")}}, "hours[1]"},
			{"a night shift overlapping the next morning", tend.CalendarInput{Hours: []tend.BusinessHours{
				{Weekday: 0, Start: "22:00", End: "06:00"}, mon("05:00", "09:00")}}, "hours[1]"},
			{"a zero-length interval", tend.CalendarInput{Hours: []tend.BusinessHours{mon("09:00", "09:00")}}, "hours[0]"},
			{"no hours", tend.CalendarInput{Hours: []tend.BusinessHours{}}, "hours"},
			{"a time that is no time", tend.CalendarInput{Hours: []tend.BusinessHours{mon("9am", "17:00")}}, "hours[0].start"},
			{"a weekday 7", tend.CalendarInput{Hours: []tend.BusinessHours{{Weekday: 7, Start: "09:00", End: "17:00"}}}, "hours[0].weekday"},
			{"an unknown time zone", tend.CalendarInput{TimeZone: "Mars/Olympus"}, "time_zone"},
			{"no time zone", tend.CalendarInput{TimeZone: " "}, "time_zone"},
			{"a holiday that is not a date", tend.CalendarInput{Holidays: []tend.Holiday{{Date: "next Friday"}}}, "holidays[0].date"},
			{"30 February", tend.CalendarInput{Holidays: []tend.Holiday{{Date: "2026-02-30"}}}, "holidays[0].date"},
			{"month 13", tend.CalendarInput{Holidays: []tend.Holiday{{Yearly: &tend.YearlyRule{Month: 13, Day: 1}}}}, "holidays[0].yearly.month"},
			{"31 April", tend.CalendarInput{Holidays: []tend.Holiday{{Yearly: &tend.YearlyRule{Month: 4, Day: 31}}}}, "holidays[0].yearly.day"},
			{"the 7th Monday", tend.CalendarInput{Holidays: []tend.Holiday{{Yearly: &tend.YearlyRule{Month: 5, Weekday: ptr(1), Nth: 7}}}}, "holidays[0].yearly.nth"},
			{"an nth without a weekday", tend.CalendarInput{Holidays: []tend.Holiday{{Yearly: &tend.YearlyRule{Month: 5, Nth: -1}}}}, "holidays[0].yearly.weekday"},
			{"a date and a rule", tend.CalendarInput{Holidays: []tend.Holiday{{Date: "2026-12-25", Yearly: &tend.YearlyRule{Month: 12, Day: 25}}}}, "holidays[0]"},
			{"neither date nor rule", tend.CalendarInput{Holidays: []tend.Holiday{{Name: "Someday"}}}, "holidays[0]"},
			{"the built-in name", tend.CalendarInput{Name: "always"}, "name"},
			{"no name", tend.CalendarInput{Name: " "}, "name"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				in := c.in
				if in.Name == "" {
					in.Name = "Bad " + c.name
				}
				if in.TimeZone == "" {
					in.TimeZone = "Europe/Paris"
				}
				if in.Hours == nil {
					in.Hours = weekdays("09:00", "17:00")
				}
				before, _ := sqldb.CountRows(db, "calendar_versions")
				_, err := cals.CreateCalendar(as(lead), &in)
				if tend.ErrorCode(err) != tend.EINVALID || tend.ErrorFields(err)[c.field] == "" {
					t.Fatalf("create: %v (fields %v), want a problem with %s", err, tend.ErrorFields(err), c.field)
				}
				// The same as an edit of a good calendar.
				_, err = cals.UpdateCalendar(as(lead), good.ID, &tend.CalendarPatch{Name: &in.Name, TimeZone: &in.TimeZone, Hours: &in.Hours, Holidays: &in.Holidays})
				if tend.ErrorCode(err) != tend.EINVALID || tend.ErrorFields(err)[c.field] == "" {
					t.Fatalf("update: %v, want a problem with %s", err, c.field)
				}
				if after, _ := sqldb.CountRows(db, "calendar_versions"); after != before {
					t.Fatalf("%d versions after the refusals, %d before", after, before)
				}
			})
		}
		if n, _ := sqldb.CountRows(db, "calendars"); n != 2 {
			t.Errorf("%d calendars, want Always and Office", n)
		}
		if got, _ := cals.FindCalendarByID(as(lead), good.ID); got.Name != "Office" || len(got.Hours) != 5 || got.TimeZone != "UTC" {
			t.Errorf("Office after the refused edits: %+v", got)
		}
	})
}

// An edit applies from its moment: time counted before it stays counted
// by the old hours, and the endpoints' maths answers by the hours as they
// are now.
func TestCalendarVersions(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		clock := sqldbtest.NewClock(db) // Tuesday 1 December 2026, 09:00 UTC
		e := newEnv(t, db)
		cals := sqldb.NewCalendarService(db)
		lead := e.mustAgent(t, "lee", tend.RoleLead)
		c, err := cals.CreateCalendar(as(lead), &tend.CalendarInput{Name: "Office", TimeZone: "UTC", Hours: weekdays("09:00", "17:00")})
		if err != nil {
			t.Fatal(err)
		}
		start := clock.Now()
		clock.Advance(2 * time.Hour) // 11:00
		afternoons := weekdays("13:00", "17:00")
		if _, err := cals.UpdateCalendar(as(lead), c.ID, &tend.CalendarPatch{Hours: &afternoons}); err != nil {
			t.Fatal(err)
		}
		// A second edit at the same instant replaces the version it made;
		// a new name alone makes none.
		afternoons[0].End = "18:00"
		if _, err := cals.UpdateCalendar(as(lead), c.ID, &tend.CalendarPatch{Hours: &afternoons}); err != nil {
			t.Fatal(err)
		}
		name := "Afternoons"
		clock.Advance(time.Minute)
		if got, err := cals.UpdateCalendar(as(lead), c.ID, &tend.CalendarPatch{Name: &name}); err != nil || got.Name != name || got.Hours[0].End != "18:00" {
			t.Fatalf("renamed: %+v, %v", got, err)
		}

		s, err := sqldb.CalendarSchedule(db, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != 2 || !s[0].From.Equal(start) || !s[1].From.Equal(start.Add(2*time.Hour)) {
			t.Fatalf("versions: %+v", s)
		}
		// Tuesday 09:00–17:00: two hours by the old hours (09–11), four
		// by the new (13–17).
		end := start.Add(8 * time.Hour)
		if got := s.Between(start, end); got != 6*time.Hour {
			t.Errorf("business time on the day of the edit = %v, want 6h", got)
		}
		// The endpoints answer by the calendar as it is now.
		if n, err := cals.BusinessMinutes(as(lead), c.ID, start, end); err != nil || n != 240 {
			t.Errorf("business minutes now = %d, %v; want 240", n, err)
		}
		now := calendar.Calendar{Location: time.UTC}
		for _, h := range afternoons {
			now.Hours = append(now.Hours, calendar.Interval{Weekday: time.Weekday(h.Weekday), Start: minutesOf(h.Start), End: minutesOf(h.End)})
		}
		monday := time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC)
		for _, m := range []int{0, 1, 60, 240, 300, 2000} {
			got, err := cals.Deadline(as(lead), c.ID, monday, m)
			if err != nil {
				t.Fatal(err)
			}
			if want := now.Add(monday, time.Duration(m)*time.Minute); !got.Equal(want) {
				t.Errorf("deadline %d minutes after Monday 08:00 = %v, want %v", m, got, want)
			}
		}
		if got, _ := cals.Deadline(as(lead), c.ID, monday, 60); !got.Equal(time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)) {
			t.Errorf("an hour after Monday 08:00 = %v, want 14:00", got)
		}
		// Seconds are rounded down.
		if n, _ := cals.BusinessMinutes(as(lead), c.ID, monday, monday.Add(5*time.Hour+90*time.Second)); n != 1 {
			t.Errorf("minutes to 13:01:30 = %d, want 1", n)
		}
		if _, err := cals.BusinessMinutes(as(lead), c.ID, monday, monday.AddDate(30, 0, 0)); tend.ErrorFields(err)["to"] == "" {
			t.Errorf("minutes over 30 years: %v", err)
		}
	})
}

func minutesOf(hhmm string) int {
	t, _ := time.Parse("15:04", hhmm)
	return t.Hour()*60 + t.Minute()
}

// A calendar a policy uses cannot be deleted until the policy has
// another.
func TestCalendarDeleteInUse(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		cals := sqldb.NewCalendarService(db)
		policies := sqldb.NewSLAPolicyService(db)
		lead := e.mustAgent(t, "lee", tend.RoleLead)
		c, err := cals.CreateCalendar(as(lead), &tend.CalendarInput{Name: "Office", TimeZone: "UTC", Hours: weekdays("09:00", "17:00")})
		if err != nil {
			t.Fatal(err)
		}
		p, err := policies.CreateSLAPolicy(as(lead), &tend.SLAPolicyInput{Name: "Urgent", CalendarID: c.ID,
			Conditions: tend.PolicyConditions{Priorities: []tend.Priority{tend.PriorityUrgent}}, Targets: tend.Targets{FirstResponse: ptr(60)}})
		if err != nil {
			t.Fatal(err)
		}
		err = cals.DeleteCalendar(as(lead), c.ID)
		if tend.ErrorCode(err) != tend.ECONFLICT || !strings.Contains(tend.ErrorMessage(err), "Urgent") {
			t.Fatalf("deleting a calendar in use: %v", err)
		}
		if _, err := cals.FindCalendarByID(as(lead), c.ID); err != nil {
			t.Fatalf("after the refusal: %v", err)
		}
		always := int64(1)
		if _, err := policies.UpdateSLAPolicy(as(lead), p.ID, &tend.SLAPolicyPatch{CalendarID: &always}); err != nil {
			t.Fatal(err)
		}
		if err := cals.DeleteCalendar(as(lead), c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := cals.FindCalendarByID(as(lead), c.ID); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("a deleted calendar: %v", err)
		}
		if n, _ := sqldb.CountRows(db, "calendar_versions"); n != 1 {
			t.Errorf("%d versions left, want Always's", n)
		}
	})
}
