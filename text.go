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

// validateLine records a problem unless s is valid UTF-8 on one line: no
// control character at all, no line or paragraph separator, and none of
// the characters that reorder text around them. A name goes into mail
// headers, page titles and lists; a line break there can forge a header
// or a second line, and a right-to-left override can make "moc.evil"
// read as "live.com".
func validateLine(p Problems, field, s string) {
	if !utf8.ValidString(s) {
		p.Add(field, "must be valid UTF-8")
		return
	}
	for _, r := range s {
		if breaksLine(r) {
			p.Add(field, "must be one line, without control characters such as U+%04X", r)
			return
		}
	}
}

// breaksLine reports whether r may not stand in a one-line name.
func breaksLine(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') || r == '\u200e' || r == '\u200f'
}

// OneLine returns s as a one-line name: characters that validateLine
// refuses become spaces, runs of spaces one space, and the ends are
// trimmed. For names Tend reads from mail, which it must keep however
// they are written.
func OneLine(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return breaksLine(r) || unicode.IsSpace(r) }), " ")
}

// FoldName returns the form of a name that Tend compares and sorts by:
// case-folded by Go, so that both engines agree on non-ASCII letters.
func FoldName(name string) string { return strings.ToLower(name) }
