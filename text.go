package tend

import (
	"strings"
	"unicode"
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

// validateLine records a problem unless s is valid UTF-8 on one line, as a
// name must be: no control character, no line or paragraph separator, and
// no invisible format character (see invisible). A name goes into mail
// headers, page titles and lists; a line break there can forge a header
// or a second line, a right-to-left override can make "moc.evil" read as
// "live.com", and a zero-width space can make two names that look alike.
func validateLine(p Problems, field, s string) {
	if !utf8.ValidString(s) {
		p.Add(field, "must be valid UTF-8")
		return
	}
	for _, r := range s {
		if breaksLine(r) || invisible(r) {
			p.Add(field, "must be one line, without control or invisible characters such as U+%04X", r)
			return
		}
	}
}

// breaksLine reports whether r ends a line or is a control character.
func breaksLine(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }

// invisible reports whether r is a format character that shows nothing
// itself (bidirectional marks and overrides, zero-width spaces, the byte
// order mark), except the zero-width joiner and non-joiner, which Persian
// and Indic names and emoji need.
func invisible(r rune) bool { return unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d' }

// OneLine returns s as a one-line name: line breaks and control characters
// become spaces, invisible characters go, runs of spaces become one space,
// and the ends are trimmed. For names Tend reads from mail, which it must
// keep however they are written.
func OneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case breaksLine(r):
			return ' '
		case invisible(r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(s), " ")
}

// FoldName returns the form of a name that Tend compares and sorts by:
// case-folded by Go, so that both engines agree on non-ASCII letters.
func FoldName(name string) string { return strings.ToLower(name) }
