package mail

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/cention-sany/utf7"
	"github.com/gogs/chardet"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// Tend decodes charsets itself rather than letting enmime do it: enmime
// reads us-ascii as windows-1252, which garbles the many mails that say
// us-ascii (or nothing) and send UTF-8, and it second-guesses declared
// charsets with a statistical detector that is slow and often wrong on short
// texts. Here the declared charset wins, except where the bytes prove it
// wrong.

// lookupCharset returns the decoder for a charset label, or nil when the
// label is unknown. Labels are read as browsers read them (WHATWG), then as
// IANA names, plus the few that mail needs and neither knows.
func lookupCharset(label string) encoding.Encoding {
	label = cleanCharsetLabel(label)
	switch label {
	case "", "us-ascii", "ascii", "utf-8", "utf8", "unknown-8bit", "x-unknown", "unknown", "8bit", "default", "binary":
		return nil
	case "utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7":
		return utf7.UTF7
	case "utf-16", "ucs-2", "unicode", "utf-16be":
		// RFC 2781: big-endian unless a byte order mark says otherwise.
		return utf16BE
	case "utf-16le":
		return utf16LE
	case "cp932", "ms932", "ms_kanji", "x-sjis":
		label = "shift_jis"
	case "cp850", "ibm850":
		return charmap.CodePage850
	case "cp437", "ibm437":
		return charmap.CodePage437
	}
	if e, name := charset.Lookup(label); e != nil && name != "replacement" {
		return e
	}
	if e, err := ianaindex.IANA.Encoding(label); err == nil && e != nil {
		return e
	}
	return nil
}

// cleanCharsetLabel lower-cases a charset label and strips what broken
// mailers wrap around it: quotes, spaces, a repeated "charset=".
func cleanCharsetLabel(label string) string {
	label = strings.ToLower(strings.TrimSpace(label))
	label = strings.TrimPrefix(label, "charset=")
	label = strings.Trim(label, "\"'; \t")
	return label
}

var (
	utf16BE = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
	utf16LE = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
)

func isUTF16(e encoding.Encoding) bool { return e == utf16BE || e == utf16LE }

// asciiCompatible reports whether text in charset e (nil for ASCII and
// UTF-8) that has no byte above 0x7f is plain ASCII. It is false for the
// 7-bit encodings (utf-7, iso-2022-*, hz-gb-2312) and for utf-16. It asks
// the encoding, by decoding the sequences those give a meaning to, so that
// every label lookupCharset knows is answered alike.
func asciiCompatible(e encoding.Encoding) bool {
	if e == nil {
		return true
	}
	const probe = "a+b-c~{d~}e\x1b$Bf\x1b(Bg"
	out, err := e.NewDecoder().String(probe)
	return err == nil && out == probe
}

// singleByte reports whether e decodes one byte to one character, the
// charsets whose text is almost never valid UTF-8 by accident.
func singleByte(e encoding.Encoding) bool {
	_, ok := e.(*charmap.Charmap)
	return ok
}

// decodeCharset returns b, written in the charset label, as valid UTF-8.
// problem is "" unless the label could not be trusted and the charset was
// guessed.
func decodeCharset(b []byte, label string) (s, problem string) {
	label = cleanCharsetLabel(label)
	e := lookupCharset(label)
	if isASCII(b) && asciiCompatible(e) {
		return string(b), ""
	}
	if e == nil {
		return decodeUndeclared(b, label)
	}
	if mislabelledUTF8(b, e) {
		return string(b), "text declared " + label + " is UTF-8"
	}
	out, err := e.NewDecoder().Bytes(b)
	if err != nil {
		return decodeUndeclared(b, "")
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), ""
}

// mislabelledUTF8 reports whether b, declared in charset e, is UTF-8: a
// 7-bit charset has no 8-bit bytes, and text in a single-byte charset is
// almost never valid UTF-8 by accident; text in a multi-byte charset may be,
// if it is short. UTF-16 is left alone: its bytes prove nothing.
func mislabelledUTF8(b []byte, e encoding.Encoding) bool {
	if isUTF16(e) || isASCII(b) || !utf8.Valid(b) {
		return false
	}
	if singleByte(e) || !asciiCompatible(e) {
		return true
	}
	runes := 0
	for _, c := range b {
		if c >= 0xc0 {
			runes++
		}
	}
	return runes >= 4
}

// decodeUndeclared reads text whose charset is missing, unknown or us-ascii:
// UTF-8 when it is valid, else what a detector finds, else windows-1252, the
// usual charset of undeclared 8-bit western mail.
func decodeUndeclared(b []byte, label string) (string, string) {
	if utf8.Valid(b) {
		return string(b), ""
	}
	label = cleanCharsetLabel(label)
	if label == "utf-8" || label == "utf8" {
		if hasMultibyte(b) {
			return strings.ToValidUTF8(string(b), "\uFFFD"), "invalid UTF-8 replaced"
		}
	}
	what := "charset " + label
	if label == "" {
		what = "no charset"
	}
	if r, err := chardet.NewTextDetector().DetectBest(b); err == nil && r.Confidence >= 50 {
		if e := lookupCharset(r.Charset); e != nil {
			if out, err := e.NewDecoder().Bytes(b); err == nil {
				return strings.ToValidUTF8(string(out), "\uFFFD"), what + ": 8-bit text read as " + strings.ToLower(r.Charset)
			}
		}
	}
	out, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return string(out), what + ": 8-bit text read as windows-1252"
}

// hasMultibyte reports whether b holds a valid multi-byte UTF-8 sequence:
// then it is UTF-8 with some bad bytes, not text in another charset.
func hasMultibyte(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if n > 1 && r != utf8.RuneError {
			return true
		}
		b = b[n:]
	}
	return false
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// cleanText makes s fit for storage: valid UTF-8, line endings as \n, and
// no C0 control characters other than tab and newline (NUL and its kin are
// refused by the database and mean nothing in text).
func cleanText(s string) string {
	if textIsClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\r':
			b.WriteByte('\n')
			if i+1 < len(s) && s[i+1] == '\n' {
				n++
			}
		case r < 0x20 && r != '\t' && r != '\n':
			// dropped
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func textIsClean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\n' {
			return false
		}
	}
	return utf8.ValidString(s)
}

// cleanLine is cleanText for one-line values (subjects, names, file names):
// runs of white space, line breaks included, become one space.
func cleanLine(s string) string {
	s = cleanText(s)
	var b strings.Builder
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

// charsetReader decodes the text of RFC 2047 encoded words for
// mime.WordDecoder, which knows only UTF-8, US-ASCII and ISO-8859-1 itself.
func charsetReader(label string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	s, _ := decodeCharset(b, label)
	return strings.NewReader(s), nil
}
