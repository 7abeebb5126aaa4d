package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// The service-level pages: a lead reaches them from the settings, makes a
// calendar and a policy, and a refused form comes back with what was
// typed; an agent is told they may not.
func TestServiceLevelPages(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	hc, csrf := signInClient(t, ts)
	signIn(t, hc, ts, csrf, "lead@staff.example", "long enough password")
	c := formClient{hc, ts.URL, csrf}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := hc.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get("/settings"); status != http.StatusOK || !strings.Contains(body, `href="/settings/service-levels"`) || strings.Contains(body, `href="/settings/agents"`) {
		t.Fatalf("a lead's settings: %d\n%s", status, body)
	}
	if status, body := get("/settings/service-levels"); status != http.StatusOK || !strings.Contains(body, "Always") || !strings.Contains(body, "First response 1 day · Next response 1 day · Resolution 5 days") {
		t.Fatalf("the page: %d\n%s", status, body)
	}
	for _, path := range []string{"/settings/service-levels/calendars/new", "/settings/service-levels/policies/new", "/settings/service-levels/policies/1"} {
		if status, body := get(path); status != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, status, body)
		}
	}

	form := url.Values{"name": {"Office"}, "time_zone": {"Europe/Paris"},
		"start_1": {"09:00", "11:00"}, "end_1": {"12:00", "13:00"}, "start_2": {"09:00"}, "end_2": {"17:00"},
		"holiday_name": {"Christmas", ""}, "holiday_kind": {"yearly", "date"}, "holiday_date": {"", ""}, "holiday_day": {"25", ""},
		"holiday_month": {"12", "1"}, "holiday_weekday": {"1", "1"}, "holiday_nth": {"1", "1"}}
	resp, body := c.post(t, "/settings/service-levels/calendars", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Overlaps Monday 09:00–12:00") || !strings.Contains(body, `value="11:00"`) ||
		!strings.Contains(body, `value="Christmas"`) {
		t.Fatalf("overlapping hours: %d\n%s", resp.StatusCode, body)
	}
	// Two problems of one row read as two sentences, each naming its part.
	both := url.Values{"name": {"Office"}, "time_zone": {"Europe/Paris"}, "start_3": {"24:00"}, "end_3": {"9"}}
	if resp, body := c.post(t, "/settings/service-levels/calendars", both); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, "End: &#34;9&#34; is not a time of day; write it as HH:MM, such as 17:30. Start: 24:00 is the end of a day") {
		t.Fatalf("two problems of a row: %d\n%s", resp.StatusCode, body)
	}
	// Add an interval: the form comes back with a row more, nothing saved.
	form.Set("add_interval", "2")
	if resp, body := c.post(t, "/settings/service-levels/calendars", form); resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="start-2-1"`) {
		t.Fatalf("adding an interval: %d\n%s", resp.StatusCode, body)
	}
	form.Del("add_interval")
	form["start_1"], form["end_1"] = []string{"09:00", "13:00"}, []string{"12:00", "17:00"}
	if resp, body := c.post(t, "/settings/service-levels/calendars", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good calendar: %d\n%s", resp.StatusCode, body)
	}
	cals, _ := ts.server.Calendars.FindCalendars(system)
	if len(cals) != 2 || len(cals[1].Hours) != 3 || cals[1].Holidays[0].Yearly.Day != 25 {
		t.Fatalf("saved: %+v", cals)
	}
	policy := url.Values{"name": {"Urgent"}, "position": {"1"}, "calendar_id": {fmt.Sprint(cals[1].ID)},
		"target_first_response": {"30"}, "unit_first_response": {"minutes"}, "target_resolution": {"1.5"}, "unit_resolution": {"hours"},
		"priority": {"urgent", "high"}, "tags": {"VIP customer, gold"}}
	if resp, body := c.post(t, "/settings/service-levels/policies", policy); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("a policy: %d\n%s", resp.StatusCode, body)
	}
	if _, body := get("/settings/service-levels"); !strings.Contains(body, "First response 30 min · Resolution 1 h 30 min") || !strings.Contains(body, "priority urgent or high") || !strings.Contains(body, "tagged gold or vip-customer") {
		t.Errorf("the list after the policy:\n%s", body)
	}
	policy.Set("name", "Again")
	policy.Set("target_first_response", "-3")
	if resp, body := c.post(t, "/settings/service-levels/policies", policy); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="target-first_response-problem"`) || !strings.Contains(body, `value="Again"`) {
		t.Errorf("a negative target: %d\n%s", resp.StatusCode, body)
	}
	// What the form cannot read and what the rules refuse come back in one answer.
	all := url.Values{"name": {""}, "position": {"first"}, "calendar_id": {"0"}, "target_first_response": {"soon"}, "unit_first_response": {"minutes"},
		"target_resolution": {"0"}, "unit_resolution": {"minutes"}, "team_id": {"999"}}
	if resp, body := c.post(t, "/settings/service-levels/policies", all); resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(body, `id="name-problem"`) || !strings.Contains(body, `id="position-problem"`) || !strings.Contains(body, `id="calendar-problem"`) ||
		!strings.Contains(body, `id="target-first_response-problem"`) || !strings.Contains(body, `id="target-resolution-problem"`) || strings.Contains(body, `id="targets-problem"`) ||
		!strings.Contains(body, "team 999 does not exist") {
		t.Errorf("a form wrong in every way: %d\n%s", resp.StatusCode, body)
	}
	if all, _ := ts.server.SLAPolicies.FindSLAPolicies(system); len(all) != 2 {
		t.Errorf("%d policies after two refusals, want the default and Urgent", len(all))
	}
	// The built-in calendar says what it is, with no form to be refused.
	if _, body := get("/settings/service-levels/calendars/1"); !strings.Contains(body, "Always is built in") || strings.Contains(body, `id="save-calendar"`) {
		t.Errorf("the built-in calendar's page:\n%s", body)
	}
	// The default keeps no conditions: its form shows none.
	if _, body := get("/settings/service-levels/policies/1"); strings.Contains(body, `name="priority"`) {
		t.Errorf("the default's form offers conditions")
	}

	ac, acsrf := signInClient(t, ts)
	signIn(t, ac, ts, acsrf, "agent@staff.example", "long enough password")
	resp, err := ac.Get(ts.URL + "/settings/service-levels")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("an agent: %d", resp.StatusCode)
	}
	if resp, _ := (formClient{ac, ts.URL, acsrf}).post(t, "/settings/service-levels/calendars", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("an agent posts a calendar: %d", resp.StatusCode)
	}
	_ = tend.RoleLead
}
