package web

import "testing"

func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/":                     "/",
		"/tickets/7?view=mine":  "/tickets/7?view=mine",
		"":                      "/",
		"https://evil.example/": "/",
		"//evil.example":        "/",
		`/\evil.example`:        "/",
		"/\t/evil.example":      "/",
		"/%09/evil.example":     "/%09/evil.example", // a path on this site
		"/\x00x":                "/",
		"javascript:alert(1)":   "/",
		"/ok//double":           "/ok//double",
		"///evil.example":       "/",
		"/@evil.example":        "/@evil.example",
		"\\\\evil.example":      "/",
		"/a\\b":                 "/",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
