package mail

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gogs/chardet"
	"golang.org/x/text/encoding/charmap"
)

// Mailers that write header values as raw 8-bit bytes, with no RFC 2047
// encoded words (subjects, names, the file names of attachments), write
// them in the charset they write the text in, and often forget to declare
// even that. So a value that is not UTF-8 is read in the charset the text
// declares, if every such value of the mail reads cleanly in it; else in
// the charset a detector finds in all of them and the undeclared text
// together: one subject or name is too short for a detector to tell
// Shift_JIS from GBK or KOI8-R from windows-1251, a mail's worth of text
// is not. A value that reads cleanly in neither is detected alone.

// Minimum confidences (0-100) of the detector: for the pooled text of a
// mail, above the 10 that its multi-byte recognisers give any text their
// charset can hold; for one text alone, higher.
const (
	minPooledConfidence = 15
	minConfidence       = 50
)

// maxSample bounds the text given to the detector: a few kilobytes decide
// a charset, and detecting costs in proportion.
const maxSample = 16 << 10

// headerCharset returns the charset the raw 8-bit header values of the
// mail whose root entity is root are read in: declared by its first text
// part, or detected; "" when there is no such value or no guess. A
// detected one is taken only if more values read cleanly in it: a stray
// value in another charset does not make the declared one wrong.
func headerCharset(root *entity) string {
	values := rawHeaderValues(root, nil)
	if len(values) == 0 {
		return ""
	}
	declared := bodyCharset(root)
	read := readsIn(declared, values)
	if read == len(values) {
		return declared
	}
	// Sorted, so that the sample, and what the detector makes of it, does
	// not depend on the order of a map.
	slices.SortFunc(values, bytes.Compare)
	var sample []byte
	for _, v := range values {
		sample = append(append(sample, eightBitSpan(v)...), '\n')
	}
	for _, t := range undeclaredText(root, nil) {
		sample = append(append(sample, t...), '\n')
	}
	if cs := detectCharset(sample[:min(len(sample), maxSample)], values, minPooledConfidence); cs != "" && readsIn(cs, values) > read {
		return cs
	}
	return declared
}

// bodyCharset returns the charset the first text part declares.
func bodyCharset(e *entity) string {
	if cs := e.params["charset"]; cs != "" && strings.HasPrefix(e.mediaType, "text/") {
		return cs
	}
	for _, c := range e.children {
		if cs := bodyCharset(c); cs != "" {
			return cs
		}
	}
	return ""
}

// rawHeaderValues appends to out the header values of e and its parts that
// need a charset to be read: neither UTF-8 nor nearly so.
func rawHeaderValues(e *entity, out [][]byte) [][]byte {
	for _, vs := range e.header {
		for _, v := range vs {
			if b := []byte(v); !utf8.Valid(b) && !nearlyUTF8(b) {
				out = append(out, b)
			}
		}
	}
	for _, c := range e.children {
		out = rawHeaderValues(c, out)
	}
	return out
}

// eightBitSpan returns the part of a header value from the first word with
// an 8-bit byte to the end of the last: the text written in a charset. The
// rest ("attachment; filename=", an address) is English and ASCII, and
// would make the detector find Latin text where there is none.
func eightBitSpan(v []byte) []byte {
	i := bytes.IndexFunc(v, func(r rune) bool { return r >= utf8.RuneSelf })
	j := bytes.LastIndexFunc(v, func(r rune) bool { return r >= utf8.RuneSelf })
	if i < 0 {
		return nil
	}
	for i > 0 && !wordEnd(v[i-1]) {
		i--
	}
	for j++; j < len(v) && !wordEnd(v[j]); j++ {
	}
	return v[i:j]
}

// wordEnd reports whether c ends a word of header text.
func wordEnd(c byte) bool {
	return c <= ' ' || strings.IndexByte(`"'=;:<>(),`, c) >= 0
}

// undeclaredText appends to out the 8-bit text of e's text parts that
// declare no charset that can be used, the same mailer's writing as its
// raw header values.
func undeclaredText(e *entity, out [][]byte) [][]byte {
	if !e.multipart && (e.mediaType == "" || strings.HasPrefix(e.mediaType, "text/")) &&
		lookupCharset(e.params["charset"]) == nil {
		data, _, _ := decodeTransfer(e)
		if data = data[:min(len(data), maxSample)]; !isASCII(data) && !utf8.Valid(data) {
			out = append(out, data)
		}
	}
	for _, c := range e.children {
		out = undeclaredText(c, out)
	}
	return out
}

// rawHeaderText reads a header value that was not encoded: UTF-8 when it
// is (RFC 6532), or nearly is (cut short in the middle of a character);
// else in charset if it reads cleanly there; else in the charset detected
// in it.
func rawHeaderText(v, charset string) string {
	b := []byte(v)
	switch {
	case utf8.Valid(b):
		return v
	case nearlyUTF8(b):
		return strings.ToValidUTF8(v, "\uFFFD")
	}
	if s, ok := decodeClean(b, charset); ok {
		return s
	}
	if cs := detectCharset(b, [][]byte{b}, minConfidence); cs != "" {
		if s, ok := decodeClean(b, cs); ok {
			return s
		}
	}
	// The usual charset of undeclared 8-bit western mail, in which any
	// bytes read.
	s, _ := charmap.Windows1252.NewDecoder().String(v)
	return s
}

// nearlyUTF8 reports whether b is UTF-8 but for a few bytes: at least four
// bytes in multi-byte UTF-8 sequences for each invalid one. Text in other
// charsets holds such sequences only by accident, and rarely two in a row.
func nearlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n == 1:
			invalid++
		case n > 1:
			valid += n
		}
		b = b[n:]
	}
	return valid > 0 && valid >= 4*invalid
}

// decodeClean returns b decoded from charset label, and whether that went
// cleanly: the label is known, ASCII-compatible (raw header bytes are
// never UTF-16, and ISO-2022 is 7-bit), and the text readable.
func decodeClean(b []byte, label string) (string, bool) {
	e := lookupCharset(label)
	if e == nil || !asciiCompatible(e) {
		return "", false
	}
	out, err := e.NewDecoder().Bytes(b)
	if err != nil || !readable(string(out)) {
		return "", false
	}
	return string(out), true
}

// readsIn returns how many of texts decode cleanly from charset label.
func readsIn(label string, texts [][]byte) int {
	n := 0
	for _, t := range texts {
		if _, ok := decodeClean(t, label); ok {
			n++
		}
	}
	return n
}

// readable reports whether s, text decoded from some charset, shows none
// of the marks of a wrong one: replacement characters where the bytes had
// no meaning, C1 controls where a charset has no letters. A value cut short
// in the middle of a character (by a gateway's length limit) ends in a
// replacement character, which is forgiven.
func readable(s string) bool {
	s = strings.TrimSuffix(s, "\uFFFD")
	for _, r := range s {
		if r == utf8.RuneError || r >= 0x80 && r < 0xa0 {
			return false
		}
	}
	return true
}

// detectCharset returns the charset a detector finds likeliest for sample,
// of those raw header text may be in, if it is at least least sure of it;
// "" if there is none. Of equally likely ones it takes that in which most
// of texts read cleanly. It does not look further down the list: a less
// likely single-byte charset reads any bytes without a flaw, as nonsense.
func detectCharset(sample []byte, texts [][]byte, least int) string {
	results, err := chardet.NewTextDetector().DetectAll(sample)
	if err != nil {
		return ""
	}
	// The detector's recognisers run concurrently and its sort is not
	// stable: ties are broken by name, so that a mail always reads alike.
	slices.SortStableFunc(results, func(a, b chardet.Result) int {
		return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), cmp.Compare(a.Charset, b.Charset))
	})
	best, bestRead, top := "", -1, 0
	for _, r := range results {
		if r.Confidence < least || best != "" && r.Confidence < top {
			break
		}
		if e := lookupCharset(r.Charset); e == nil || !asciiCompatible(e) {
			continue
		}
		if n := readsIn(r.Charset, texts); n > bestRead {
			best, bestRead, top = strings.ToLower(r.Charset), n, r.Confidence
		}
	}
	return best
}
