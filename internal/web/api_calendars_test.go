package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// names reports whether problem p names field, in its detail or errors.
func (p problemDoc) names(field string) bool {
	if strings.Contains(p.Detail, field) {
		return true
	}
	for _, e := range p.Errors {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Calendars over the API: a lead makes one, bad ones are refused with a
// problem naming what to fix and nothing written, Always stays as it is,
// and the maths endpoints answer as the calendar maths does.
func TestAPICalendars(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		office := map[string]any{"name": "Berlin office", "time_zone": "Europe/Berlin",
			"hours": []map[string]any{
				{"weekday": 1, "start": "09:00", "end": "17:00"}, {"weekday": 2, "start": "09:00", "end": "17:00"},
				{"weekday": 3, "start": "09:00", "end": "12:00"}, {"weekday": 3, "start": "13:00", "end": "17:00"},
				{"weekday": 5, "start": "22:00", "end": "02:00"}},
			"holidays": []map[string]any{{"date": "2026-12-08", "name": "Closed"},
				{"yearly": map[string]any{"month": 12, "day": 25}, "name": "Christmas"},
				{"yearly": map[string]any{"month": 5, "weekday": 1, "nth": -1}, "name": "Last Monday of May"}}}
		ts.as(tend.RoleAgent, "POST", "/api/v1/calendars", office).want(t, http.StatusForbidden)
		var cal tend.Calendar
		resp := ts.as(tend.RoleLead, "POST", "/api/v1/calendars", office).want(t, http.StatusCreated)
		resp.decode(t, &cal)
		if resp.Header.Get("Location") != fmt.Sprintf("/api/v1/calendars/%d", cal.ID) || len(cal.Hours) != 5 || len(cal.Holidays) != 3 || cal.Builtin {
			t.Fatalf("created: %s (Location %q)", resp.body, resp.Header.Get("Location"))
		}

		bad := []struct {
			name, body, field string
		}{
			{"overlapping", `{"name":"A","time_zone":"UTC","hours":[{"weekday":1,"start":"09:00","end":"12:00"},{"weekday":1,"start":"11:00","end":"13:00"}]}`, "hours[1]"},
			{"zero-length", `{"name":"B","time_zone":"UTC","hours":[{"weekday":1,"start":"09:00","end":"09:00"}]}`, "hours[0]"},
			{"no hours", `{"name":"C","time_zone":"UTC","hours":[]}`, "hours"},
			{"unknown zone", `{"name":"D","time_zone":"Europe/Atlantis","hours":[{"weekday":1,"start":"09:00","end":"17:00"}]}`, "time_zone"},
			{"not a date", `{"name":"E","time_zone":"UTC","hours":[{"weekday":1,"start":"09:00","end":"17:00"}],"holidays":[{"date":"25/12/2026"}]}`, "holidays[0].date"},
			{"a bad yearly rule", `{"name":"F","time_zone":"UTC","hours":[{"weekday":1,"start":"09:00","end":"17:00"}],"holidays":[{"yearly":{"month":2,"day":30}}]}`, "holidays[0].yearly.day"},
			{"hours that are no list", `{"name":"G","time_zone":"UTC","hours":"9 to 5"}`, "hours"},
		}
		for _, c := range bad {
			p := ts.as(tend.RoleLead, "POST", "/api/v1/calendars", c.body).want(t, http.StatusBadRequest).problem(t)
			if !p.names(c.field) {
				t.Errorf("%s: the problem does not name %s: %+v", c.name, c.field, p)
			}
		}
		var list struct{ Items []tend.Calendar }
		ts.as(tend.RoleAgent, "GET", "/api/v1/calendars", nil).want(t, http.StatusOK).decode(t, &list)
		if len(list.Items) != 2 || list.Items[0].Name != "Always" || list.Items[1].ID != cal.ID {
			t.Fatalf("after the refusals: %+v", list.Items)
		}
		if p := ts.as(tend.RoleLead, "POST", "/api/v1/calendars", office).want(t, http.StatusConflict).problem(t); !p.names("name") {
			t.Errorf("the same name again: %+v", p)
		}
		if p := ts.as(tend.RoleAdmin, "PATCH", "/api/v1/calendars/1", `{"time_zone":"Europe/Paris"}`).want(t, http.StatusForbidden).problem(t); !strings.Contains(p.Detail, "built-in") {
			t.Errorf("changing Always: %+v", p)
		}
		ts.as(tend.RoleAdmin, "DELETE", "/api/v1/calendars/1", nil).want(t, http.StatusForbidden)

		// The maths endpoints against the maths.
		m, err := cal.Maths()
		if err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/calendars/%d", cal.ID)
		berlin, _ := time.LoadLocation("Europe/Berlin")
		froms := []time.Time{
			time.Date(2026, 12, 7, 8, 0, 0, 0, berlin),   // Monday, before opening
			time.Date(2026, 12, 9, 11, 30, 0, 0, berlin), // Wednesday, before lunch
			time.Date(2026, 12, 11, 23, 0, 0, 0, berlin), // Friday's night shift
			time.Date(2026, 12, 24, 16, 0, 0, 0, time.UTC),
			time.Date(2027, 3, 26, 21, 0, 0, 0, berlin), // the night clocks go forward
		}
		for _, from := range froms {
			for _, minutes := range []int{0, 1, 45, 60, 480, 3000} {
				var got struct {
					DueAt time.Time `json:"due_at"`
				}
				ts.as(tend.RoleAgent, "GET", fmt.Sprintf("%s/deadline?from=%s&minutes=%d", path, url.QueryEscape(from.Format(time.RFC3339)), minutes), nil).
					want(t, http.StatusOK).decode(t, &got)
				want := m.Add(from, time.Duration(minutes)*time.Minute)
				if !got.DueAt.Equal(want) {
					t.Errorf("deadline %d minutes after %v = %v, want %v", minutes, from, got.DueAt, want)
				}
				var n struct{ Minutes int }
				ts.as(tend.RoleAgent, "GET", fmt.Sprintf("%s/business-minutes?from=%s&to=%s", path, url.QueryEscape(from.Format(time.RFC3339)),
					url.QueryEscape(want.Format(time.RFC3339))), nil).want(t, http.StatusOK).decode(t, &n)
				if n.Minutes != minutes {
					t.Errorf("business minutes from %v to %v = %d, want %d", from, want, n.Minutes, minutes)
				}
			}
		}
		var n struct{ Minutes int }
		ts.as(tend.RoleAgent, "GET", path+"/business-minutes?from=2026-12-07T09:00:00%2B01:00&to=2026-12-14T09:00:00%2B01:00", nil).
			want(t, http.StatusOK).decode(t, &n)
		if want := int(m.Between(time.Date(2026, 12, 7, 9, 0, 0, 0, berlin), time.Date(2026, 12, 14, 9, 0, 0, 0, berlin)) / time.Minute); n.Minutes != want || want != (8+7+4)*60 {
			t.Errorf("a week with a holiday on Tuesday: %d minutes, the maths %d", n.Minutes, want)
		}

		badQueries := []struct{ query, field string }{
			{"/deadline?minutes=60", "from"},
			{"/deadline?from=tomorrow&minutes=60", "from"},
			{"/deadline?from=2026-12-07T09:00:00Z", "minutes"},
			{"/deadline?from=2026-12-07T09:00:00Z&minutes=-1", "minutes"},
			{"/deadline?from=2026-12-07T09:00:00Z&minutes=525601", "minutes"},
			{"/deadline?from=2026-12-07T09:00:00Z&minutes=1.5", "minutes"},
			{"/deadline?from=2026-12-07T09:00:00Z&minutes=60&tz=UTC", "tz"},
			{"/business-minutes?from=2026-12-07T09:00:00Z", "to"},
			{"/business-minutes?from=2026-12-07%2009:00&to=2026-12-08T09:00:00Z", "from"},
			{"/business-minutes?from=2026-12-07T09:00:00Z&to=2126-12-08T09:00:00Z", "to"},
		}
		for _, c := range badQueries {
			p := ts.as(tend.RoleAgent, "GET", path+c.query, nil).want(t, http.StatusBadRequest).problem(t)
			if !p.names(c.field) {
				t.Errorf("%s: the problem does not name %s: %+v", c.query, c.field, p)
			}
		}
		ts.as(tend.RoleAgent, "GET", "/api/v1/calendars/999/deadline?from=2026-12-07T09:00:00Z&minutes=1", nil).want(t, http.StatusNotFound)

		// An edit keeps what it is not given; a calendar in use is not
		// deleted.
		var edited tend.Calendar
		ts.as(tend.RoleLead, "PATCH", path, `{"name":"Berlin"}`).want(t, http.StatusOK).decode(t, &edited)
		if edited.Name != "Berlin" || len(edited.Hours) != 5 || edited.TimeZone != "Europe/Berlin" {
			t.Errorf("renamed: %+v", edited)
		}
		ts.as(tend.RoleLead, "POST", "/api/v1/sla-policies", map[string]any{"name": "Berlin promises", "calendar_id": cal.ID,
			"targets": map[string]any{"first_response": 120}}).want(t, http.StatusCreated)
		if p := ts.as(tend.RoleLead, "DELETE", path, nil).want(t, http.StatusConflict).problem(t); !strings.Contains(p.Detail, "Berlin promises") {
			t.Errorf("deleting a calendar in use: %+v", p)
		}
	})
}

// Policies over the API: made, listed in the order tried, bad ones
// refused naming the field, the default kept.
func TestAPISLAPolicies(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		var p tend.SLAPolicy
		ts.as(tend.RoleAgent, "POST", "/api/v1/sla-policies", `{"name":"Urgent","calendar_id":1,"targets":{"first_response":30}}`).want(t, http.StatusForbidden)
		ts.as(tend.RoleLead, "POST", "/api/v1/sla-policies", `{"name":"Urgent","position":1,"calendar_id":1,
			"conditions":{"priorities":["urgent"],"channels":["phone","email"]},"targets":{"first_response":30,"resolution":240}}`).
			want(t, http.StatusCreated).decode(t, &p)
		if p.Default || *p.Targets.FirstResponse != 30 || p.Targets.NextResponse != nil || len(p.Conditions.Channels) != 2 {
			t.Fatalf("created: %+v", p)
		}
		bad := []struct{ name, body, field, saying string }{
			{"no target", `{"name":"X","calendar_id":1,"targets":{}}`, "targets", "at least one"},
			{"a negative target", `{"name":"X","calendar_id":1,"targets":{"resolution":-1}}`, "targets.resolution", "positive"},
			{"over a year", `{"name":"X","calendar_id":1,"targets":{"resolution":600000}}`, "targets.resolution", "a year"},
			{"an unknown team", `{"name":"X","calendar_id":1,"targets":{"resolution":60},"conditions":{"team_ids":[99]}}`, "conditions.team_ids", "team 99 does not exist"},
			{"a bad tag", `{"name":"X","calendar_id":1,"targets":{"resolution":60},"conditions":{"tags":["a/b"]}}`, "conditions.tags", "a/b"},
			{"an unknown calendar", `{"name":"X","calendar_id":5,"targets":{"resolution":60}}`, "calendar_id", "does not exist"},
			{"minutes as text", `{"name":"X","calendar_id":1,"targets":{"resolution":"an hour"}}`, "targets.resolution", ""},
		}
		for _, c := range bad {
			resp := ts.as(tend.RoleLead, "POST", "/api/v1/sla-policies", c.body).want(t, http.StatusBadRequest)
			pr := resp.problem(t)
			if !pr.names(c.field) || !strings.Contains(string(resp.body), c.saying) {
				t.Errorf("%s: want %s saying %q: %s", c.name, c.field, c.saying, resp.body)
			}
		}
		if p := ts.as(tend.RoleLead, "PATCH", "/api/v1/sla-policies/1", `{"conditions":{"tags":["vip"]}}`).want(t, http.StatusBadRequest).problem(t); !p.names("conditions") {
			t.Errorf("conditions on the default: %+v", p)
		}
		ts.as(tend.RoleLead, "DELETE", "/api/v1/sla-policies/1", nil).want(t, http.StatusForbidden)
		var list struct{ Items []tend.SLAPolicy }
		ts.as(tend.RoleAgent, "GET", "/api/v1/sla-policies", nil).want(t, http.StatusOK).decode(t, &list)
		if len(list.Items) != 2 || list.Items[0].ID != p.ID || !list.Items[1].Default {
			t.Fatalf("listed: %+v", list.Items)
		}
		var got tend.SLAPolicy
		ts.as(tend.RoleLead, "PATCH", fmt.Sprintf("/api/v1/sla-policies/%d", p.ID), `{"targets":{"resolution":120}}`).want(t, http.StatusOK).decode(t, &got)
		if got.Targets.FirstResponse != nil || *got.Targets.Resolution != 120 || got.Conditions.Priorities[0] != tend.PriorityUrgent {
			t.Errorf("targets replaced: %+v", got)
		}
		ts.as(tend.RoleLead, "DELETE", fmt.Sprintf("/api/v1/sla-policies/%d", p.ID), nil).want(t, http.StatusNoContent)
		ts.as(tend.RoleAgent, "GET", fmt.Sprintf("/api/v1/sla-policies/%d", p.ID), nil).want(t, http.StatusNotFound)
	})
}
