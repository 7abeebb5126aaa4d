package tend_test

import (
	"testing"
	"time"

	"github.com/tendhq/tend"
)

func TestFormatTime(t *testing.T) {
	load := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	winter := time.Date(2026, 12, 3, 8, 15, 0, 0, time.UTC)
	summer := time.Date(2026, 7, 3, 8, 15, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		t    time.Time
		loc  *time.Location
		want string
	}{
		{"no zone is UTC", winter, nil, "3 Dec 2026 08:15 UTC"},
		{"UTC", winter, time.UTC, "3 Dec 2026 08:15 UTC"},
		{"Berlin in winter", winter, load("Europe/Berlin"), "3 Dec 2026 09:15 CET"},
		{"Berlin in summer", summer, load("Europe/Berlin"), "3 Jul 2026 10:15 CEST"},
		{"New York in summer", summer, load("America/New_York"), "3 Jul 2026 04:15 EDT"},
		{"the day before", time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC), load("America/Los_Angeles"), "2 Dec 2026 18:00 PST"},
		{"an hour before the clocks go back", time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), load("Europe/Berlin"), "25 Oct 2026 02:30 CEST"},
		{"an hour after", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), load("Europe/Berlin"), "25 Oct 2026 02:30 CET"},
		{"the hour skipped in spring", time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), load("Europe/Berlin"), "29 Mar 2026 03:00 CEST"},
		{"a zone without letters", winter, load("Asia/Dubai"), "3 Dec 2026 12:15 UTC+04:00"},
		{"half an hour", winter, load("Asia/Kolkata"), "3 Dec 2026 13:45 IST"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tend.FormatTime(tc.t, tc.loc); got != tc.want {
				t.Errorf("FormatTime = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLoadTimeZone(t *testing.T) {
	for _, name := range []string{"", "UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"} {
		if _, err := tend.LoadTimeZone(name); err != nil {
			t.Errorf("LoadTimeZone(%q): %v", name, err)
		}
	}
	for _, name := range []string{"Local", "Mars/Olympus", "/etc/passwd", "../../etc/localtime", "Europe/Berlin ", "CET\x00"} {
		_, err := tend.LoadTimeZone(name)
		if tend.ErrorCode(err) != tend.EINVALID || tend.ErrorFields(err)["time_zone"] == "" {
			t.Errorf("LoadTimeZone(%q) = %v, want EINVALID naming time_zone", name, err)
		}
	}
}
