package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/calendar"
)

// CalendarService implements tend.CalendarService. A calendar's hours are
// versioned (calendar_versions): an edit adds a version valid from the
// moment of the edit and never changes an older one, so business time
// counted before the edit stays counted.
type CalendarService struct {
	db *DB
}

// NewCalendarService returns the calendar service of db.
func NewCalendarService(db *DB) *CalendarService { return &CalendarService{db: db} }

var _ tend.CalendarService = (*CalendarService)(nil)

// calendarColumns read a calendar with its latest version, which gives
// its zone, hours and holidays.
const calendarColumns = `SELECT c.id, c.name, c.builtin, c.created_at, c.updated_at, v.time_zone, v.hours, v.holidays
	FROM calendars c JOIN calendar_versions v ON v.calendar_id = c.id
	AND v.valid_from = (SELECT MAX(l.valid_from) FROM calendar_versions l WHERE l.calendar_id = c.id)`

func scanCalendar(r row) (*tend.Calendar, error) {
	c := &tend.Calendar{}
	var hours, holidays string
	if err := r.Scan(&c.ID, &c.Name, &c.Builtin, &c.CreatedAt, &c.UpdatedAt, &c.TimeZone, &hours, &holidays); err != nil {
		return nil, err
	}
	if err := readCalendarJSON(c, hours, holidays); err != nil {
		return nil, err
	}
	return c, nil
}

func readCalendarJSON(c *tend.Calendar, hours, holidays string) error {
	if err := json.Unmarshal([]byte(hours), &c.Hours); err != nil {
		return fmt.Errorf("calendar %d hours: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(holidays), &c.Holidays); err != nil {
		return fmt.Errorf("calendar %d holidays: %w", c.ID, err)
	}
	if c.Hours == nil {
		c.Hours = []tend.BusinessHours{}
	}
	if c.Holidays == nil {
		c.Holidays = []tend.Holiday{}
	}
	return nil
}

func calendarNotFound(id int64) error {
	return tend.Errorf(tend.ENOTFOUND, "Calendar with id %d does not exist.", id)
}

func findCalendar(ctx context.Context, q *Tx, id int64) (*tend.Calendar, error) {
	c, err := scanCalendar(q.queryRow(ctx, calendarColumns+` WHERE c.id = $1`, id))
	if errors.Is(err, errNoRows) {
		return nil, calendarNotFound(id)
	}
	return c, err
}

// calendarSchedule reads every version of calendar id, oldest first, for
// the calendar maths; ENOTFOUND when there is no such calendar.
func calendarSchedule(ctx context.Context, q *Tx, id int64) (calendar.Schedule, error) {
	versions, err := queryAll(ctx, q, func(r row) (tend.CalendarVersion, error) {
		var v tend.CalendarVersion
		var hours, holidays string
		if err := r.Scan(&v.From, &v.Calendar.Builtin, &v.Calendar.TimeZone, &hours, &holidays); err != nil {
			return v, err
		}
		v.Calendar.ID = id
		return v, readCalendarJSON(&v.Calendar, hours, holidays)
	}, `SELECT v.valid_from, c.builtin, v.time_zone, v.hours, v.holidays FROM calendar_versions v
		JOIN calendars c ON c.id = v.calendar_id WHERE v.calendar_id = $1 ORDER BY v.valid_from`, id)
	if err != nil {
		return nil, fmt.Errorf("calendar %d versions: %w", id, err)
	}
	if len(versions) == 0 {
		return nil, calendarNotFound(id)
	}
	return tend.Schedule(versions)
}

// FindCalendars returns every calendar, Always first, then by name.
func (s *CalendarService) FindCalendars(ctx context.Context) ([]*tend.Calendar, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var list []*tend.Calendar
	err := s.db.read(ctx, func(q *Tx) (err error) {
		list, err = queryAll(ctx, q, scanCalendar, calendarColumns+` ORDER BY c.builtin DESC, lower(c.name), c.id`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find calendars: %w", err)
	}
	return list, nil
}

// FindCalendarByID returns one calendar as it is now; ENOTFOUND if none.
func (s *CalendarService) FindCalendarByID(ctx context.Context, id int64) (*tend.Calendar, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var c *tend.Calendar
	err := s.db.read(ctx, func(q *Tx) (err error) {
		c, err = findCalendar(ctx, q, id)
		return err
	})
	return c, err
}

// CreateCalendar makes a calendar: EINVALID naming what is wrong,
// ECONFLICT when another has its name (in any case).
func (s *CalendarService) CreateCalendar(ctx context.Context, in *tend.CalendarInput) (*tend.Calendar, error) {
	p, err := tend.Require(ctx, tend.PermManageServiceLevels)
	if err != nil {
		return nil, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var c *tend.Calendar
	err = s.db.writeSLASetup(ctx, func(tx *Tx) error {
		var id int64
		err := tx.queryRow(ctx, `INSERT INTO calendars (name, builtin, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id`,
			in.Name, false, tx.now).Scan(&id)
		if isUniqueViolation(err) {
			return calendarNameTaken(in.Name)
		} else if err != nil {
			return fmt.Errorf("create calendar: %w", err)
		}
		if err := addCalendarVersion(ctx, tx, id, in); err != nil {
			return err
		}
		if err := tx.audit(ctx, p, "calendar.created", "calendar", id, map[string]any{"name": in.Name, "time_zone": in.TimeZone}); err != nil {
			return err
		}
		c, err = findCalendar(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func calendarNameTaken(name string) error {
	return tend.FieldError(tend.ECONFLICT, "name", "another calendar is named %s; choose another name", name)
}

// addCalendarVersion writes in's zone, hours and holidays as the version
// of calendar id from tx.now on. A second edit at the same instant
// replaces the first's version, which no time was counted by.
func addCalendarVersion(ctx context.Context, tx *Tx, id int64, in *tend.CalendarInput) error {
	hours, err := json.Marshal(in.Hours)
	if err != nil {
		return err
	}
	holidays, err := json.Marshal(in.Holidays)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO calendar_versions (calendar_id, valid_from, time_zone, hours, holidays)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (calendar_id, valid_from) DO UPDATE SET time_zone = excluded.time_zone, hours = excluded.hours, holidays = excluded.holidays`,
		id, tx.now, in.TimeZone, string(hours), string(holidays))
	if err != nil {
		return fmt.Errorf("add calendar version: %w", err)
	}
	return nil
}

// builtinRefusal says why Always cannot be changed or deleted.
func builtinRefusal(c *tend.Calendar, what string) error {
	return tend.Errorf(tend.EFORBIDDEN, "%s is the built-in calendar, open at all hours, and cannot be %s; make a calendar of your own instead.", c.Name, what)
}

// UpdateCalendar changes a calendar from now on: a change of zone, hours
// or holidays adds a version and asks for every open ticket's deadlines
// to be laid out again. EFORBIDDEN for Always; EINVALID and ECONFLICT as
// CreateCalendar.
func (s *CalendarService) UpdateCalendar(ctx context.Context, id int64, patch *tend.CalendarPatch) (*tend.Calendar, error) {
	p, err := tend.Require(ctx, tend.PermManageServiceLevels)
	if err != nil {
		return nil, err
	}
	var c *tend.Calendar
	err = s.db.writeSLASetup(ctx, func(tx *Tx) error {
		old, err := findCalendar(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Builtin {
			return builtinRefusal(old, "changed")
		}
		if err := tend.StaleEdit("calendar "+old.Name, patch.UpdatedAt, old.UpdatedAt); err != nil {
			return err
		}
		in := patch.Apply(old)
		in.Normalize()
		if err := in.Validate(); err != nil {
			return err
		}
		renamed := in.Name != old.Name
		rescheduled := in.TimeZone != old.TimeZone || !slices.Equal(in.Hours, old.Hours) || !sameHolidays(in.Holidays, old.Holidays)
		if !renamed && !rescheduled {
			c = old // nothing to change, nor to record
			return nil
		}
		_, err = tx.exec(ctx, `UPDATE calendars SET name = $2, updated_at = $3 WHERE id = $1`, id, in.Name, tx.now)
		if isUniqueViolation(err) {
			return calendarNameTaken(in.Name)
		} else if err != nil {
			return fmt.Errorf("update calendar: %w", err)
		}
		if rescheduled {
			if err := addCalendarVersion(ctx, tx, id, &in); err != nil {
				return err
			}
			if err := queueSLARecompute(ctx, tx, "the calendar changed"); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, p, "calendar.updated", "calendar", id, map[string]any{"name": in.Name, "time_zone": in.TimeZone,
			"hours_changed": rescheduled}); err != nil {
			return err
		}
		c, err = findCalendar(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func sameHolidays(a, b []tend.Holiday) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// DeleteCalendar deletes a calendar and its versions. EFORBIDDEN for
// Always; ECONFLICT, naming them, while policies use it.
func (s *CalendarService) DeleteCalendar(ctx context.Context, id int64) error {
	p, err := tend.Require(ctx, tend.PermManageServiceLevels)
	if err != nil {
		return err
	}
	return s.db.writeSLASetup(ctx, func(tx *Tx) error {
		old, err := findCalendar(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Builtin {
			return builtinRefusal(old, "deleted")
		}
		users, err := queryAll(ctx, tx, func(r row) (name string, err error) { return name, r.Scan(&name) },
			`SELECT name FROM sla_policies WHERE calendar_id = $1 ORDER BY is_default, position, id`, id)
		if err != nil {
			return fmt.Errorf("policies of calendar: %w", err)
		}
		if len(users) > 0 {
			return tend.Errorf(tend.ECONFLICT, "%s is used by the %s %s; give %s another calendar first.",
				old.Name, plural(len(users), "policy", "policies"), strings.Join(users, ", "), plural(len(users), "it", "them"))
		}
		if _, err := tx.exec(ctx, `DELETE FROM calendar_versions WHERE calendar_id = $1`, id); err != nil {
			return fmt.Errorf("delete calendar versions: %w", err)
		}
		if _, err := tx.exec(ctx, `DELETE FROM calendars WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete calendar: %w", err)
		}
		return tx.audit(ctx, p, "calendar.deleted", "calendar", id, map[string]any{"name": old.Name})
	})
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// checkBusinessMinutes refuses a count of minutes outside 0 to a year.
func checkBusinessMinutes(field string, minutes int) error {
	if minutes < 0 || minutes > tend.MaxTargetMinutes {
		return tend.FieldError(tend.EINVALID, field, "must be 0 to %d business minutes (a year)", tend.MaxTargetMinutes)
	}
	return nil
}

// schedule reads calendar id's schedule for staff.
func (s *CalendarService) schedule(ctx context.Context, id int64) (calendar.Schedule, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var sch calendar.Schedule
	err := s.db.read(ctx, func(q *Tx) (err error) {
		sch, err = calendarSchedule(ctx, q, id)
		return err
	})
	return sch, err
}

// Deadline returns the instant minutes of business time after from, by
// the calendar as it is now. EINVALID for minutes outside 0 to a year,
// or when the calendar never reaches that many (it is closed for good).
func (s *CalendarService) Deadline(ctx context.Context, id int64, from time.Time, minutes int) (time.Time, error) {
	if err := checkBusinessMinutes("minutes", minutes); err != nil {
		return time.Time{}, err
	}
	sch, err := s.schedule(ctx, id)
	if err != nil {
		return time.Time{}, err
	}
	due := sch.At(s.db.Now()).Add(from, time.Duration(minutes)*time.Minute)
	switch {
	case due.IsZero():
		return time.Time{}, tend.FieldError(tend.EINVALID, "minutes", "the calendar does not open for that long within three years of from, so no deadline comes")
	case due.Year() > 9999:
		return time.Time{}, tend.FieldError(tend.EINVALID, "from", "the deadline would fall after the year 9999; give an earlier from")
	}
	return due, nil
}

// maxBetween bounds the span BusinessMinutes counts over, which walks
// the calendar a day at a time.
const maxBetween = 20 * 366 * 24 * time.Hour

// BusinessMinutes returns the whole minutes of business time from from
// to to, rounded down, by the calendar as it is now; 0 when to is not
// after from.
func (s *CalendarService) BusinessMinutes(ctx context.Context, id int64, from, to time.Time) (int, error) {
	if to.Sub(from) > maxBetween {
		return 0, tend.FieldError(tend.EINVALID, "to", "must be at most 20 years after from")
	}
	sch, err := s.schedule(ctx, id)
	if err != nil {
		return 0, err
	}
	return int(sch.At(s.db.Now()).Between(from, to) / time.Minute), nil
}
