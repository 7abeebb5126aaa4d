package mail

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"
)

// ErrNotMail is returned by Parse for input that is not a mail at all:
// empty, or not starting with a header.
var ErrNotMail = errors.New("not a mail: no header")

// maxProblems bounds Message.Problems: a mangled mail can make a problem
// per line, and the list is only there for the record.
const maxProblems = 50

// Parse reads a mail. It returns ErrNotMail for input that is not a mail;
// anything else, however broken, gives a Message, with what had to be worked
// around listed in its Problems. Parse never panics: a panic in the MIME
// library becomes an error.
func Parse(raw []byte) (m *Message, err error) {
	raw, ok := mailStart(raw)
	if !ok {
		return nil, ErrNotMail
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("parse mail: panic: %v", r)
		}
	}()
	raw = fixLineEndings(raw)
	s := &splitter{data: raw}
	root, _ := s.readEntity(nil, 0)
	m = &Message{}
	charset := headerCharset(root)
	setHeaderFields(m, root.header, charset)
	(&bodyWalker{m: m, charset: charset}).walk(root)
	for _, p := range s.problems {
		m.addProblem(p)
	}
	return m, nil
}

// mailStart skips what may come before a mail's header (an mbox "From "
// line, blank lines) and reports whether a header follows.
func mailStart(raw []byte) ([]byte, bool) {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexAny(raw, "\r\n"); i >= 0 {
			raw = raw[i:]
			raw = bytes.TrimLeft(raw, "\r\n")
		}
	}
	return raw, isHeaderField(raw)
}

// fixLineEndings turns the bare CRs of mail with CR line endings (old Mac
// mailers, some archives) into LFs, which enmime does not take for line ends.
// Mail with LF or CRLF line endings is returned as it is.
func fixLineEndings(raw []byte) []byte {
	head := raw[:min(len(raw), 4096)]
	if bytes.IndexByte(head, '\n') >= 0 || bytes.IndexByte(head, '\r') < 0 {
		return raw
	}
	return bytes.ReplaceAll(raw, []byte("\r"), []byte("\n"))
}

// splitHeader splits raw at the first empty line.
func splitHeader(raw []byte) (header, body []byte) {
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		if i := bytes.Index(raw, []byte(sep)); i >= 0 {
			return raw[:i+len(sep)], raw[i+len(sep):]
		}
	}
	return raw, nil
}

// setHeaderFields fills the fields of m that come from the top-level
// header. charset is the one raw 8-bit header values are read in (see
// headerCharset).
func setHeaderFields(m *Message, h textproto.MIMEHeader, charset string) {
	m.Header = decodeHeader(h, charset)
	m.Subject = cleanLine(m.Header.Get("Subject"))
	m.MessageID = firstID(h.Get("Message-Id"))
	m.InReplyTo = messageIDs(h.Get("In-Reply-To"))
	m.References = messageIDs(strings.Join(h.Values("References"), " "))
	// From keeps a name without an address ("MAILER-DAEMON <>"): it
	// still says who sent the mail.
	if from := addressList(h.Values("From"), charset); len(from) > 0 {
		m.From = from[0]
	}
	m.ReplyTo = withEmail(addressList(h.Values("Reply-To"), charset))
	m.To = withEmail(addressList(h.Values("To"), charset))
	m.Cc = withEmail(addressList(h.Values("Cc"), charset))
	if d := h.Get("Date"); d != "" {
		t, ok := parseDate(d)
		if !ok {
			m.addProblem("unreadable date: " + cleanLine(d))
		}
		m.Date = t
	}
}

// decodeHeader returns h with every value decoded: RFC 2047 encoded words,
// raw 8-bit text in charset, controls removed.
func decodeHeader(h textproto.MIMEHeader, charset string) textproto.MIMEHeader {
	out := make(textproto.MIMEHeader, len(h))
	for k, vs := range h {
		key := cleanLine(k)
		for _, v := range vs {
			out[key] = append(out[key], decodeHeaderValue(v, charset))
		}
	}
	return out
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

// decodeHeaderValue decodes one header value to clean UTF-8.
func decodeHeaderValue(v, charset string) string {
	v = rawHeaderText(v, charset)
	if strings.Contains(v, "=?") {
		if d, err := wordDecoder.DecodeHeader(v); err == nil {
			v = d
		}
	}
	return cleanText(v)
}

// firstID returns the first message id in v, without angle brackets.
func firstID(v string) string {
	if ids := messageIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

var bracketed = regexp.MustCompile(`<([^<>]*)>`)

// messageIDs returns the message ids in v: the bracketed ones, or when there
// are none (broken mailers), the words that look like ids.
func messageIDs(v string) []string {
	var ids []string
	for _, m := range bracketed.FindAllStringSubmatch(v, -1) {
		if id := cleanID(m[1]); id != "" {
			ids = append(ids, id)
		}
	}
	if ids != nil {
		return ids
	}
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '\r' || r == '\n' }) {
		if strings.Contains(w, "@") {
			ids = append(ids, cleanID(w))
		}
	}
	return ids
}

func cleanID(id string) string {
	return strings.Join(strings.Fields(cleanText(id)), "")
}

// addressList parses address header values, tolerating what the standard
// forbids and mailers send: missing commas, raw 8-bit names, addresses
// without a domain (MAILER-DAEMON).
func addressList(values []string, charset string) []Address {
	var out []Address
	for _, v := range values {
		v = rawHeaderText(v, charset)
		list, err := enmime.ParseAddressList(v)
		if err != nil {
			out = append(out, looseAddresses(v)...)
			continue
		}
		for _, a := range list {
			out = append(out, newAddress(a.Name, a.Address))
		}
	}
	return out
}

// withEmail returns the addresses of list that have an addr-spec: those
// without name nobody to write to.
func withEmail(list []Address) []Address {
	out := list[:0]
	for _, a := range list {
		if a.Email != "" {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func newAddress(name, email string) Address {
	name = cleanLine(name)
	if strings.Contains(name, "=?") {
		if d, err := wordDecoder.DecodeHeader(name); err == nil {
			name = cleanLine(d)
		}
	}
	name = strings.Trim(name, `"' `)
	email = strings.ToLower(cleanLine(email))
	if strings.EqualFold(name, email) {
		// "a@example.com" <a@example.com> names no one.
		name = ""
	}
	return Address{Name: name, Email: email}
}

var (
	angleAddr = regexp.MustCompile(`^(.*?)<([^<>]*)>`)
	bareAddr  = regexp.MustCompile(`[^\s<>()",;:]+@[^\s<>()",;:]+`)
)

// looseAddresses reads what the address parser refused, one comma-separated
// item at a time: "Name <local>", "Name <>", a bare addr-spec or a bare
// name.
func looseAddresses(v string) []Address {
	var out []Address
	for _, item := range strings.Split(v, ",") {
		if m := angleAddr.FindStringSubmatch(item); m != nil {
			if a := newAddress(decodeHeaderValue(m[1], ""), strings.TrimSpace(m[2])); a != (Address{}) {
				out = append(out, a)
			}
			continue
		}
		if a := bareAddr.FindString(item); a != "" {
			out = append(out, newAddress("", a))
			continue
		}
		// A bare name ("From: Whomever"): nobody to write to, but it
		// still says who wrote.
		if name := decodeHeaderValue(item, ""); strings.TrimSpace(name) != "" {
			out = append(out, newAddress(name, ""))
		}
	}
	return out
}

// dateLayouts are read when net/mail cannot read a date: common mistakes of
// mailers and gateways.
var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700 MST",
	"Mon 2 Jan 2006 15:04:05 -0700",
	"Mon 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"2 Jan 2006 15:04:05",
	"Mon, 2 Jan 2006 15:04:05",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	"Mon, Jan 2 2006 15:04:05 -0700",
	"Monday, January 2, 2006 3:04 PM",
	"2006-01-02 15:04:05 -0700",
	time.RFC3339,
}

var dateComment = regexp.MustCompile(`\([^()]*\)`)

// parseDate reads a Date header value; the time is zero when it cannot.
func parseDate(v string) (time.Time, bool) {
	if t, err := mail.ParseDate(v); err == nil {
		return t, true
	}
	v = strings.Join(strings.Fields(dateComment.ReplaceAllString(v, " ")), " ")
	if t, err := mail.ParseDate(v); err == nil {
		return t, true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// addProblem records a problem worked around, ignoring empty ones and
// those beyond maxProblems.
func (m *Message) addProblem(p string) {
	if p == "" || len(m.Problems) >= maxProblems {
		return
	}
	m.Problems = append(m.Problems, cleanLine(p))
}
