package tend

import (
	"strings"
	"time"
)

// LoadTimeZone returns the location an IANA zone name such as
// Europe/Berlin names, or EINVALID naming field time_zone. "" is no zone
// and returns nil. Names the zone database reads but that are no place
// ("Local", a file path) are refused.
func LoadTimeZone(name string) (*time.Location, error) {
	p := Problems{}
	loc := validateTimeZone(p, "time_zone", name)
	return loc, p.Err()
}

func validateTimeZone(p Problems, field, name string) *time.Location {
	if name == "" {
		return nil
	}
	if len(name) > 64 || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") || strings.ContainsAny(name, " \\") {
		p.Add(field, "%q is not a time zone; use a name such as Europe/Berlin", name)
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		p.Add(field, "%q is not a time zone; use a name such as Europe/Berlin", name)
		return nil
	}
	return loc
}

// FormatTime writes t for people, to the minute, in loc (UTC when nil),
// with the zone's abbreviation: "3 Dec 2026 09:15 CET". Zones whose
// abbreviation is only a number ("+03") show it as an offset from UTC.
func FormatTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	abbr, _ := t.Zone()
	if abbr == "" || abbr[0] == '+' || abbr[0] == '-' {
		return t.Format("2 Jan 2006 15:04 UTC-07:00")
	}
	return t.Format("2 Jan 2006 15:04 ") + abbr
}
