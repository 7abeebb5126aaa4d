package tend_test

import (
	"testing"
	"time"

	"github.com/tendhq/tend"
)

func TestLimitRetryAfter(t *testing.T) {
	l := tend.Limit{Free: 3, First: time.Second, Longest: time.Minute, Forget: time.Hour}
	last := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name     string
		failures int
		since    time.Duration
		want     time.Duration
	}{
		{"no failures", 0, 0, 0},
		{"within the free tries", 2, 0, 0},
		{"the first past them", 3, 0, time.Second},
		{"the first past them, waited half", 3, 500 * time.Millisecond, 500 * time.Millisecond},
		{"the first past them, waited enough", 3, time.Second, 0},
		{"doubles", 4, 0, 2 * time.Second},
		{"doubles again", 5, 0, 4 * time.Second},
		{"up to the longest", 10, 0, time.Minute},
		{"never past the longest", 10_000, 0, time.Minute},
		{"the longest, waited it", 10_000, time.Minute, 0},
		{"forgotten", 10_000, time.Hour, 0},
		{"a last failure after now", 3, -time.Minute, time.Second},
		{"free tries, a last failure after now", 2, -time.Minute, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := l.RetryAfter(c.failures, last, last.Add(c.since)); got != c.want {
				t.Errorf("RetryAfter(%d, +%s) = %s, want %s", c.failures, c.since, got, c.want)
			}
		})
	}
}

func TestTooManySaysHowLong(t *testing.T) {
	for _, c := range []struct {
		wait time.Duration
		want string
	}{
		{300 * time.Millisecond, "Too many failed sign-ins; try again in 1 second."},
		{8 * time.Second, "Too many failed sign-ins; try again in 8 seconds."},
		{90 * time.Second, "Too many failed sign-ins; try again in 90 seconds."},
		{4*time.Minute + time.Second, "Too many failed sign-ins; try again in 5 minutes."},
	} {
		err := tend.TooMany(c.wait, "sign-ins")
		if err.Message != c.want || err.Code != tend.ETOOMANY || tend.ErrorRetryAfter(err) != c.wait {
			t.Errorf("TooMany(%s) = %q (%s, %s)", c.wait, err.Message, err.Code, err.RetryAfter)
		}
	}
}

func TestLimitedSource(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.7":                   "198.51.100.7",
		"::ffff:198.51.100.7":            "198.51.100.7",
		"2001:db8:1:2:3:4:5:6":           "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:ffff:ff": "2001:db8:1:2::/64",
		"fe80::1%eth0":                   "fe80::/64",
		"::1":                            "::/64",
		"198.51.100.7:52811":             "198.51.100.7",
		"[2001:db8:1:2::9]:443":          "2001:db8:1:2::/64",
		"":                               "",
		"not an address":                 "not an address",
	} {
		if got := tend.LimitedSource(in); got != want {
			t.Errorf("LimitedSource(%q) = %q, want %q", in, got, want)
		}
	}
}
