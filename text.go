package tend

import (
	"strings"
	"unicode/utf8"
)

// validateText records a problem unless s is valid UTF-8 free of control
// characters other than tab, newline and carriage return. Such characters
// have no place in what people write, and PostgreSQL refuses NUL outright.
func validateText(p Problems, field, s string) {
	if !utf8.ValidString(s) {
		p.Add(field, "must be valid UTF-8")
		return
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f {
			p.Add(field, "must not contain control characters such as U+%04X", r)
			return
		}
	}
}

// FoldName returns the form of a name that Tend compares and sorts by:
// case-folded by Go, so that both engines agree on non-ASCII letters.
func FoldName(name string) string { return strings.ToLower(name) }
