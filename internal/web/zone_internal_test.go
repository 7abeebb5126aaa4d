package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tendhq/tend"
)

func TestAgentZone(t *testing.T) {
	for _, tc := range []struct {
		name, chosen, cookie, want string
	}{
		{"nothing known is UTC", "", "", "UTC"},
		{"the browser's", "", "Asia/Tokyo", "Asia/Tokyo"},
		{"the agent's over the browser's", "Europe/Berlin", "Asia/Tokyo", "Europe/Berlin"},
		{"a cookie naming no zone is passed over", "", "Mars/Olympus", "UTC"},
		{"so is one naming a file", "", "../../../etc/passwd", "UTC"},
		{"or the server's own zone", "", "Local", "UTC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: zoneCookie, Value: tc.cookie})
			}
			if got := agentZone(r, &tend.Agent{TimeZone: tc.chosen}).String(); got != tc.want {
				t.Errorf("agentZone = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestWhenInZone(t *testing.T) {
	p, err := loadPages(tend.Clock(time.Now))
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if p.in(berlin)["message"] == nil || p.in(nil)["message"] != p.byName["message"] {
		t.Fatal("no pages per zone")
	}
	// One set per zone, made once.
	a, b := p.in(berlin), p.in(berlin)
	if a["message"] != b["message"] {
		t.Error("the pages of a zone were made twice")
	}
	at := time.Date(2026, 12, 3, 8, 15, 0, 0, time.UTC)
	if got := when(&at, berlin); got != "3 Dec 2026 09:15 CET" {
		t.Errorf("when = %q", got)
	}
	if got := when((*time.Time)(nil), berlin); got != "" {
		t.Errorf("when(nil) = %q", got)
	}
}
