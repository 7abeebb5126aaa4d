package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// type_ replaces the value of the box sel by typing text, as a person
// would (key events, not SendKeys, which races inside chromedp).
func (b *browser) type_(sel, text string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(css(sel)), chromedp.Clear(css(sel)), chromedp.Focus(css(sel)), chromedp.KeyEvent(text))
}

// A team lead sets up business hours from the settings: a calendar of
// Monday to Friday 09:00–17:00 with Christmas off, after an overlapping
// interval is refused with what they typed kept; then a policy counting
// in it, and sees both listed.
func TestBrowserServiceLevels(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	b.signIn(ts.URL, tend.RoleLead)

	b.within(10*time.Second, chromedp.Click(css(`.sections a[href="/settings"]`)), chromedp.WaitVisible(css(`.settings-list`)),
		chromedp.Click(css(`a[href="/settings/service-levels"]`)), chromedp.WaitVisible(css(`table.calendars`)))
	b.within(10*time.Second, chromedp.Click(css(`a[href="/settings/service-levels/calendars/new"]`)), chromedp.WaitVisible(css(`#name`)))
	b.type_(`#name`, "Paris office")
	b.type_(`#time_zone`, "Europe/Paris")
	// A second interval on Monday, overlapping the first.
	b.within(10*time.Second, chromedp.Click(css(`button[name=add_interval][value="1"]`)), chromedp.WaitVisible(css(`#start-1-1`)))
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(`#name`))); v != "Paris office" {
		t.Fatalf("adding an interval lost the name: %q", v)
	}
	b.type_(`#start-1-1`, "12:00")
	b.type_(`#end-1-1`, "13:00")
	b.type_(`#holiday-name-0`, "Christmas")
	// A holiday row shows the fields of its kind only.
	shown := func() string {
		t.Helper()
		got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`["date", "nth", "weekday", "day", "month"]
			.filter(f => document.querySelector("#holiday-" + f + "-0").offsetParent !== null).join(" ")`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := shown(); got != "date" {
		t.Errorf("a holiday on a date shows %q", got)
	}
	b.do(chromedp.SetValue(css(`#holiday-kind-0`), "yearly"), chromedp.SetValue(css(`#holiday-month-0`), "12"))
	if got := shown(); got != "day month" {
		t.Errorf("a yearly holiday shows %q", got)
	}
	b.type_(`#holiday-day-0`, "25")
	b.do(chromedp.Click(css(`#save-calendar`)))
	said := b.waitText(`#interval-1-1-problem`, "Overlaps", 10*time.Second)
	b.screenshot("calendar-overlap")
	if !strings.Contains(said, "Monday 09:00–17:00") {
		t.Errorf("beside the interval: %q", said)
	}
	for sel, want := range map[string]string{`#name`: "Paris office", `#time_zone`: "Europe/Paris", `#start-1-1`: "12:00",
		`#end-1-1`: "13:00", `#holiday-name-0`: "Christmas", `#holiday-day-0`: "25", `#holiday-kind-0`: "yearly"} {
		if v, _ := chromedp.Run(b.ctx, chromedp.Value(css(sel))); v != want {
			t.Errorf("the refused form shows %s as %q, want %q", sel, v, want)
		}
	}
	if n, _ := ts.server.Calendars.FindCalendars(system); len(n) != 1 {
		t.Fatalf("a refused calendar was saved: %d calendars", len(n))
	}
	// Without the extra interval it saves.
	b.within(10*time.Second, chromedp.Click(css(`button[name=remove_interval][value="1:1"]`)), chromedp.WaitNotPresent(css(`#start-1-1`)))
	b.do(chromedp.Click(css(`#save-calendar`)))
	b.waitText(`main`, "Calendar added", 10*time.Second)
	if row := b.text(`table.calendars`); !strings.Contains(row, "Paris office") || !strings.Contains(row, "Mon–Fri 09:00–17:00") ||
		!strings.Contains(row, "Christmas (25 December)") || !strings.Contains(row, "Europe/Paris") {
		t.Errorf("the calendars read %q", row)
	}

	// A policy counting in it.
	b.within(10*time.Second, chromedp.Click(css(`a[href="/settings/service-levels/policies/new"]`)), chromedp.WaitVisible(css(`#name`)))
	cals, _ := ts.server.Calendars.FindCalendars(system)
	b.type_(`#name`, "Urgent in office hours")
	b.type_(`#position`, "1")
	b.do(chromedp.SetValue(css(`#calendar_id`), strID(cals[1].ID)))
	b.type_(`#target-first_response`, "2")
	// Three days of 24 business hours, in minutes.
	b.do(chromedp.SetValue(css(`#unit-resolution`), "minutes"), chromedp.Click(css(`input[name=priority][value=urgent]`)))
	b.type_(`#target-resolution`, "4320")
	b.do(chromedp.Click(css(`#save-policy`)))
	b.waitText(`main`, "Policy added", 10*time.Second)
	b.screenshot("service-levels")
	rows := b.text(`table.policies`)
	if !strings.Contains(rows, "Urgent in office hours") || !strings.Contains(rows, "First response 2 h · Resolution 3 days") ||
		!strings.Contains(rows, "priority urgent") || !strings.Contains(rows, "Paris office") {
		t.Errorf("the policies read %q", rows)
	}
	if i, j := strings.Index(rows, "Urgent in office hours"), strings.Index(rows, "Default"); i < 0 || j < i {
		t.Errorf("the default is not last: %q", rows)
	}
}
