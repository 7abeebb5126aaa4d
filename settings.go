package tend

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// Settings are the help desk's own settings.
type Settings struct {
	Name string `json:"name"`
	// BaseURL is the address people open Tend at, such as
	// https://help.example.com. Links that Tend gives out (invitations
	// now; sign-in links, surveys and unsubscribe links later) are built
	// from it, never from the Host a request names, which anyone can set.
	// Empty until an admin sets it; tend serve --base-url overrides it.
	BaseURL string `json:"base_url"`
	// SLAWarnPercent is the share of a service-level target after which
	// it is at risk and its holder is warned; 0 is the default, 75.
	SLAWarnPercent int `json:"sla_warn_percent"`
	// AutoCloseDays is how long a solved ticket waits for the customer
	// before it is closed; a reply before then reopens it. 0 is the
	// default, 7.
	AutoCloseDays int `json:"auto_close_days"`
}

// DefaultAutoCloseDays is how long a solved ticket stays open to a reply.
const DefaultAutoCloseDays = 7

// Normalize trims the name and writes the base URL as Tend stores it.
func (s *Settings) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	s.BaseURL = NormalizeBaseURL(s.BaseURL)
	if s.SLAWarnPercent == 0 {
		s.SLAWarnPercent = int(DefaultWarnShare * 100)
	}
	if s.AutoCloseDays == 0 {
		s.AutoCloseDays = DefaultAutoCloseDays
	}
}

// Validate returns EINVALID naming each field that is wrong.
func (s *Settings) Validate() error {
	p := Problems{}
	if s.Name == "" || len(s.Name) > 100 {
		p.Add("name", "must be between 1 and 100 characters")
	}
	validateLine(p, "name", s.Name)
	if s.SLAWarnPercent < 1 || s.SLAWarnPercent > 99 {
		p.Add("sla_warn_percent", "must be 1 to 99: the percentage of a target after which it is at risk")
	}
	if s.AutoCloseDays < 1 || s.AutoCloseDays > 365 {
		p.Add("auto_close_days", "must be 1 to 365: the days a solved ticket waits for the customer before it is closed")
	}
	if s.BaseURL != "" {
		if problem := baseURLProblem(s.BaseURL); problem != "" {
			p.Add("base_url", "%s", problem)
		}
	}
	return p.Err()
}

// NormalizeBaseURL trims a base URL and drops a trailing slash; it leaves
// one that does not parse as it is, for Validate to explain.
func NormalizeBaseURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return s
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if u.Path == "/" && u.RawQuery == "" && u.Fragment == "" {
		u.Path = ""
	}
	return u.String()
}

// ValidateBaseURL returns EINVALID, naming the field "base_url", unless s
// is a base URL as Settings.BaseURL must be.
func ValidateBaseURL(s string) error {
	if problem := baseURLProblem(s); problem != "" {
		return FieldError(EINVALID, "base_url", "%s", problem)
	}
	return nil
}

// baseURLProblem says what is wrong with s as a base URL: it must be
// http or https with a host, and nothing after it, since Tend's pages
// are at the root of their host.
func baseURLProblem(s string) string {
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Hostname() == "" || (u.Scheme != "http" && u.Scheme != "https") || !validPort(u):
		return "must be an address such as https://help.example.com"
	case u.User != nil:
		return "must not carry a user or password"
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return "must be the scheme and host alone, such as https://help.example.com: Tend's pages are at the root of their host"
	}
	return ""
}

// validPort reports whether u names no port, or one from 1 to 65535.
func validPort(u *url.URL) bool {
	if strings.HasSuffix(u.Host, ":") {
		return false
	}
	p := u.Port()
	if p == "" {
		return true
	}
	n, err := strconv.Atoi(p)
	return err == nil && n >= 1 && n <= 65535 && p[0] != '0'
}

// SettingsService reads settings (all staff) and changes them
// (PermManageSettings).
type SettingsService interface {
	FindSettings(ctx context.Context) (*Settings, error)
	// UpdateSettings returns EINVALID naming each field that is wrong.
	UpdateSettings(ctx context.Context, s *Settings) (*Settings, error)
}
