package mail

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// contentID returns the Content-ID of e without angle brackets.
func contentID(e *entity) string {
	return cleanID(strings.Trim(strings.TrimSpace(e.header.Get("Content-Id")), "<>"))
}

// attach adds a leaf to the attachments.
func (w *bodyWalker) attach(e *entity, data []byte, inline, inDigest bool) {
	mt := e.mediaType
	switch {
	case mt == "" && inDigest:
		mt = "message/rfc822"
	case mt == "":
		mt = "text/plain"
	}
	w.noteReportPart(mt, data)
	a := Attachment{
		Name:        partFileName(e, w.charset),
		ContentType: cleanLine(mt),
		ContentID:   contentID(e),
		Inline:      inline,
		Data:        data,
	}
	if a.Name == "" {
		a.Name = w.defaultName(mt, data)
	}
	w.m.Attachments = append(w.m.Attachments, a)
}

// partFileName returns the file name a part gives: the filename of its
// Content-Disposition, else the name of its Content-Type. charset is the
// one raw 8-bit header values are read in.
func partFileName(e *entity, charset string) string {
	var name string
	if disposition(e, charset) != "" {
		name = headerParam(e.header.Get("Content-Disposition"), "filename", charset)
	}
	if vs := e.header.Values("Content-Type"); name == "" && len(vs) > 0 {
		// The last, as headerContentType reads them.
		name = headerParam(vs[len(vs)-1], "name", charset)
	}
	return fileName(name)
}

// headerParam returns the parameter key of a header value v: RFC 2231
// encoded, or plain. A plain one may be raw 8-bit text, which is decoded
// before the value is parsed: the parser would take its bytes for broken
// UTF-8 and replace them, and a Shift_JIS or Big5 character ending in
// 0x5c for a backslash.
func headerParam(v, key, charset string) string {
	if name := rfc2231Name(v, key, charset); name != "" {
		return name
	}
	_, params, err := parseMediaType(rawHeaderText(v, charset))
	if err != nil {
		return ""
	}
	return params[key]
}

var rfc2231Param = regexp.MustCompile(`(?i)(?:^|;)\s*([a-z]+)\*(\d*)(\*?)\s*=\s*("[^"]*"|[^;\s]*)`)

// rfc2231Name reads an RFC 2231 parameter (key*=charset'lang'value, maybe
// in numbered pieces), "" if there is none. The standard library drops
// those in charsets other than UTF-8. One that names no charset is read as
// raw header text in fallback.
func rfc2231Name(v, key, fallback string) string {
	if !strings.Contains(v, "*") {
		return ""
	}
	var charset string
	var out []byte
	for _, m := range rfc2231Param.FindAllStringSubmatch(v, -1) {
		if !strings.EqualFold(m[1], key) {
			continue
		}
		value := strings.Trim(m[4], `"`)
		// key*=v and key*N*=v are encoded, key*N=v is not.
		if m[2] != "" && m[3] == "" {
			out = append(out, value...)
			continue
		}
		if parts := strings.SplitN(value, "'", 3); len(parts) == 3 && charset == "" {
			charset, value = parts[0], parts[2]
		}
		out = append(out, percentDecode(value)...)
	}
	if cleanCharsetLabel(charset) == "" {
		return rawHeaderText(string(out), fallback)
	}
	s, _ := decodeCharset(out, charset)
	return s
}

func percentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if b, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				out = append(out, byte(b))
				i += 2
				continue
			}
		}
		out = append(out, s[i])
	}
	return out
}

// fileName returns a file name decoded, without any folder (some mailers
// send the sender's full path). name is UTF-8 but for RFC 2047 encoded
// words. Its spaces are kept as sent, but at its ends: they are part of
// the name.
func fileName(name string) string {
	if strings.Contains(name, "=?") {
		if d, err := wordDecoder.DecodeHeader(name); err == nil {
			name = d
		}
	}
	name = strings.TrimSpace(strings.Map(tabToSpace, cleanText(name)))
	if i := strings.LastIndexAny(name, `/\`); i >= 0 && i < len(name)-1 {
		name = strings.TrimSpace(name[i+1:])
	}
	return name
}

// tabToSpace makes the tabs and line breaks left in a name (where it was
// folded, or by a mistake) spaces.
func tabToSpace(r rune) rune {
	if r == '\t' || r == '\n' {
		return ' '
	}
	return r
}

// defaultName names an attachment that has no name: a forwarded message
// after its subject, anything else by its position and type.
func (w *bodyWalker) defaultName(mt string, data []byte) string {
	if mt == "message/rfc822" || mt == "message/global" {
		subject := cleanLine(strings.Map(dropPathChars, embeddedSubject(data)))
		if subject == "" {
			subject = "message"
		}
		return truncateRunes(subject, 100) + ".eml"
	}
	return "attachment-" + strconv.Itoa(len(w.m.Attachments)+1) + extension(mt)
}

func dropPathChars(r rune) rune {
	if r == '/' || r == '\\' {
		return '-'
	}
	return r
}

// embeddedSubject returns the decoded subject of a mail held in data.
func embeddedSubject(data []byte) string {
	header, _ := splitHeader(data)
	h, err := enmime.ReadHeader(bufioReader(header), discardErrors{})
	if err != nil {
		return ""
	}
	return decodeHeaderValue(h.Get("Subject"), "")
}

func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return strings.TrimSpace(s[:i])
		}
		n--
	}
	return s
}

var extensions = map[string]string{
	"text/plain": ".txt", "text/html": ".html", "text/calendar": ".ics", "text/csv": ".csv",
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
	"application/pdf": ".pdf", "application/zip": ".zip", "application/pgp-signature": ".asc",
	"application/pkcs7-signature": ".p7s", "message/delivery-status": ".txt",
	"message/feedback-report": ".txt", "text/rfc822-headers": ".txt", "message/rfc822": ".eml",
}

// extension returns a file extension for a media type, from a fixed table:
// the system's MIME table would name files differently on each machine.
func extension(mt string) string {
	if ext, ok := extensions[mt]; ok {
		return ext
	}
	if strings.HasPrefix(mt, "text/") {
		return ".txt"
	}
	return ".bin"
}
