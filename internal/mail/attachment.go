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
		Name:        partFileName(e),
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
// Content-Disposition, else the name of its Content-Type.
func partFileName(e *entity) string {
	var name string
	if d, params := disposition(e); d != "" {
		name = rfc2231Name(e.header.Get("Content-Disposition"), "filename")
		if name == "" {
			name = params["filename"]
		}
	}
	if name == "" {
		name = rfc2231Name(e.header.Get("Content-Type"), "name")
	}
	if name == "" {
		name = e.params["name"]
	}
	return fileName(name)
}

var rfc2231Param = regexp.MustCompile(`(?i)(?:^|;)\s*([a-z]+)\*(\d*)(\*?)\s*=\s*("[^"]*"|[^;\s]*)`)

// rfc2231Name reads an RFC 2231 parameter (key*=charset'lang'value, maybe
// in numbered pieces), "" if there is none. The standard library drops
// those in charsets other than UTF-8.
func rfc2231Name(v, key string) string {
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
// send the sender's full path).
func fileName(name string) string {
	name = rawHeaderText(name, "")
	if strings.Contains(name, "=?") {
		if d, err := wordDecoder.DecodeHeader(name); err == nil {
			name = d
		}
	}
	name = cleanLine(name)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 && i < len(name)-1 {
		name = name[i+1:]
	}
	return name
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
