package tend_test

import (
	"testing"

	"github.com/tendhq/tend"
)

func TestSettingsBaseURL(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"https://help.example.com", "https://help.example.com", true},
		{" https://Help.Example.com/ ", "https://help.example.com", true},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080", true},
		{"http://[::1]:8080/", "http://[::1]:8080", true},
		{"", "", true}, // not set yet
		{"help.example.com", "help.example.com", false},
		{"ftp://help.example.com", "ftp://help.example.com", false},
		{"javascript:alert(1)", "javascript:alert(1)", false},
		{"https://help.example.com/tend", "https://help.example.com/tend", false},
		{"https://help.example.com/?next=x", "https://help.example.com/?next=x", false},
		{"https://help.example.com#x", "https://help.example.com#x", false},
		{"https://ana:pw@help.example.com", "https://ana:pw@help.example.com", false},
		{"https://", "https://", false},
		{"//help.example.com", "//help.example.com", false},
		{"https://:8080", "https://:8080", false},
		{"https://help.example.com:99999", "https://help.example.com:99999", false},
		{"https://help.example.com:", "https://help.example.com:", false},
		{"https://help.example.com:0", "https://help.example.com:0", false},
		{"https://help.example.com:8443", "https://help.example.com:8443", true},
	} {
		t.Run(c.in, func(t *testing.T) {
			s := &tend.Settings{Name: "Acme", BaseURL: c.in}
			s.Normalize()
			err := s.Validate()
			if s.BaseURL != c.want || (err == nil) != c.ok {
				t.Errorf("base URL %q: normalized %q, %v; want %q, ok %v", c.in, s.BaseURL, err, c.want, c.ok)
			}
			if err != nil && tend.ErrorFields(err)["base_url"] == "" {
				t.Errorf("the problem does not name base_url: %v", err)
			}
		})
	}
}
