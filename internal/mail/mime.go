package mail

import (
	"bufio"
	"bytes"
	"fmt"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
)

// Tend finds the MIME structure of a mail itself and leaves the rest to
// enmime (reading headers, media types, addresses, transfer encodings).
// enmime's own splitter drops the text of a multipart whose boundary never
// appears, and it ends a part only at a boundary followed by white space;
// this one keeps every byte and follows the rules of Stalwart's parser (and
// Dovecot's tests of it), whose expectations the corpus tests hold Tend to:
//
//   - a boundary delimiter is "--" and the boundary, wherever it appears
//     (broken mailers drop the line break before it); one followed by "--"
//     closes the multipart;
//   - a multipart looks only for its own boundary, not its ancestors';
//   - a multipart whose boundary never appears uses the boundary its body
//     does, if any, else is a text part (Stalwart files it as an
//     attachment: its words are worth more shown);
//   - a part that runs to the end of the mail without meeting its
//     boundary is "unterminated": it may be cut short, or hold what was meant
//     as structure, and is kept as an attachment rather than shown as text.

// maxDepth and maxParts bound the structure read from one mail, so that a
// hostile one cannot make Parse recurse or loop without end. What lies
// beyond is kept as the content of the last part read.
const (
	maxDepth = 32
	maxParts = 2000
)

// entity is a MIME entity: a header, and a body that is either content or
// child entities.
type entity struct {
	header       textproto.MIMEHeader
	mediaType    string            // lower-cased; "" when the header names none
	params       map[string]string // of the Content-Type
	content      []byte            // raw body of a leaf, transfer encoding not undone
	children     []*entity
	multipart    bool // a multipart whose boundary was found
	terminated   bool // for a multipart: its closing delimiter was found
	unterminated bool // for a leaf: it ran to the end of the mail
}

// splitter reads the entities of a mail, front to back.
type splitter struct {
	data     []byte
	pos      int
	parts    int
	problems []string
}

func (s *splitter) problem(format string, args ...any) {
	if len(s.problems) < maxProblems {
		s.problems = append(s.problems, fmt.Sprintf(format, args...))
	}
}

// readEntity reads the entity at s.pos, inside a multipart whose delimiter
// (with its leading newline) is parentDelim, nil at the top level. It
// returns with s.pos just after the next parentDelim, and reports false if
// the mail ended before it.
func (s *splitter) readEntity(parentDelim []byte, depth int) (*entity, bool) {
	s.parts++
	e := &entity{}
	var complete bool
	e.header, complete = s.readHeader()
	if !complete && parentDelim != nil {
		// A part whose header runs to the end of the mail has nothing
		// but a cut-off header: no part at all.
		s.problem("part header not ended")
		return nil, false
	}
	e.mediaType, e.params = headerContentType(e.header)
	if b := e.params["boundary"]; strings.HasPrefix(e.mediaType, "multipart/") && b != "" {
		if depth < maxDepth && s.parts < maxParts {
			if found, ok := s.readMultipart(e, []byte("--"+b), depth); found {
				return e, ok && s.seekDelimiter(parentDelim)
			}
			if b2 := s.guessBoundary(parentDelim); b2 != "" {
				s.problem("multipart boundary %q not found, %q used", b, b2)
				if found, ok := s.readMultipart(e, []byte("--"+b2), depth); found {
					return e, ok && s.seekDelimiter(parentDelim)
				}
			}
		}
		// Its words are worth more shown than filed away.
		s.problem("multipart boundary %q not found: body read as text", b)
		e.mediaType, e.params = "text/plain", nil
	}
	return e, s.readContent(e, parentDelim)
}

// guessBoundary finds the boundary a multipart uses when it is not the one
// it declares (gateways rewrite one and not the other): the first line
// that looks like a delimiter, if its closing delimiter follows.
func (s *splitter) guessBoundary(parentDelim []byte) string {
	rest := s.data[s.pos:]
	for len(rest) > 0 {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimRight(line, " \t\r")
		if !bytes.HasPrefix(line, []byte("--")) || len(line) < 3 || line[2] == ' ' || line[2] == '-' && len(line) < 5 {
			continue
		}
		b := bytes.TrimSuffix(line[2:], []byte("--"))
		if parentDelim != nil && bytes.Equal(append([]byte("--"), b...), parentDelim) {
			return ""
		}
		if bytes.Contains(rest, append(append([]byte("--"), b...), '-', '-')) {
			return string(b)
		}
		return ""
	}
	return ""
}

// readMultipart reads the parts of a multipart. found is false if its
// boundary does not appear; ok is false if the mail ended inside it.
func (s *splitter) readMultipart(e *entity, delim []byte, depth int) (found, ok bool) {
	at, _ := findDelimiter(s.data, s.pos, delim)
	if at < 0 {
		return false, false
	}
	e.multipart = true
	s.pos = at + len(delim)
	for {
		if bytes.HasPrefix(s.data[s.pos:], []byte("--")) {
			s.pos += 2
			e.terminated = true
			return true, true
		}
		s.skipDelimiterLine()
		if s.pos >= len(s.data) || s.parts >= maxParts {
			s.problem("multipart boundary %q not closed", delim[2:])
			s.pos = len(s.data)
			return true, false
		}
		child, ok := s.readEntity(delim, depth+1)
		if child != nil {
			e.children = append(e.children, child)
		}
		if !ok {
			s.problem("multipart boundary %q not closed", delim[2:])
			return true, false
		}
	}
}

// skipDelimiterLine moves past the end of a delimiter line: its line break,
// or the white space or junk before it.
func (s *splitter) skipDelimiterLine() {
	rest := s.data[s.pos:]
	switch {
	case bytes.HasPrefix(rest, []byte("\r\n")):
		s.pos += 2
	case bytes.HasPrefix(rest, []byte("\n")):
		s.pos++
	default:
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			s.pos += i + 1
		} else {
			s.pos = len(s.data)
		}
	}
}

// readContent reads a leaf's body, up to the next parentDelim or the end.
func (s *splitter) readContent(e *entity, parentDelim []byte) bool {
	if parentDelim == nil {
		e.content = s.data[s.pos:]
		s.pos = len(s.data)
		return true
	}
	at, end := findDelimiter(s.data, s.pos, parentDelim)
	if at < 0 {
		e.content = s.data[s.pos:]
		e.unterminated = true
		s.pos = len(s.data)
		return false
	}
	e.content = s.data[s.pos:end]
	s.pos = at + len(parentDelim)
	return true
}

// seekDelimiter moves past the next delim, skipping the epilogue of a
// multipart just closed, and reports whether there was one.
func (s *splitter) seekDelimiter(delim []byte) bool {
	if delim == nil {
		return true
	}
	at, _ := findDelimiter(s.data, s.pos, delim)
	if at < 0 {
		s.pos = len(s.data)
		return false
	}
	s.pos = at + len(delim)
	return true
}

// findDelimiter returns where the next delimiter starts at or after pos,
// -1 if there is none, and where the content before it ends: before the
// line break that precedes the delimiter, which belongs to it.
func findDelimiter(data []byte, pos int, delim []byte) (at, contentEnd int) {
	i := bytes.Index(data[pos:], delim)
	if i < 0 {
		return -1, -1
	}
	at = pos + i
	end := at
	if end > pos && data[end-1] == '\n' {
		end--
		if end > pos && data[end-1] == '\r' {
			end--
		}
	}
	return at, end
}

// readHeader reads the header at s.pos, up to and including the blank line
// that ends it, with enmime's tolerant reader. complete is false if the
// mail ended before the blank line.
func (s *splitter) readHeader() (h textproto.MIMEHeader, complete bool) {
	end, complete := headerEnd(s.data[s.pos:])
	raw := s.headerFields(s.data[s.pos : s.pos+end])
	s.pos += end
	h, err := enmime.ReadHeader(bufioReader(raw), problemCollector{s})
	if err != nil {
		s.problem("header: %v", err)
	}
	if h == nil {
		h = textproto.MIMEHeader{}
	}
	return h, complete
}

// headerFields returns the lines of a header block that are fields or
// their continuations. Other lines are junk (the rest of a delimiter line,
// text that lost its blank line), which enmime would glue to the field
// before, or refuse the whole header for when it comes first.
func (s *splitter) headerFields(block []byte) []byte {
	out := block[:0:0]
	keep := false
	for len(block) > 0 {
		line := block
		if i := bytes.IndexByte(block, '\n'); i >= 0 {
			line = block[:i+1]
		}
		block = block[len(line):]
		switch {
		case len(bytes.TrimRight(line, "\r\n")) == 0:
			out = append(out, line...)
		case line[0] == ' ' || line[0] == '\t':
			if keep {
				out = append(out, line...)
			}
		case isHeaderField(line):
			keep = true
			out = append(out, line...)
		default:
			keep = false
			s.problem("header line dropped: %q", truncateRunes(string(bytes.TrimSpace(line)), 60))
		}
	}
	return out
}

// headerEnd returns the length of the header at the start of data, the
// blank line after it included, and whether there was one.
func headerEnd(data []byte) (int, bool) {
	for i := 0; i < len(data); {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 {
			return len(data), false
		}
		line := data[i : i+j]
		i += j + 1
		if len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			return i, true
		}
	}
	return len(data), false
}

// headerContentType returns the media type and parameters of a header's
// Content-Type; of several, the last, as Stalwart reads them.
func headerContentType(h textproto.MIMEHeader) (string, map[string]string) {
	vs := h.Values("Content-Type")
	if len(vs) == 0 {
		return "", nil
	}
	mt, params, err := parseMediaType(vs[len(vs)-1])
	if err != nil {
		return "application/octet-stream", nil
	}
	return mt, params
}

// paramSpace matches white space around the "=" of a parameter, which
// Outlook writes when it folds a long encoded file name and which makes
// the parameter swallow the rest of the header.
var paramSpace = regexp.MustCompile(`(;\s*[A-Za-z0-9*_.-]+)\s*=\s+`)

// missingSemicolon matches a media type followed by a parameter without
// the semicolon between them ("text/plain charset=x"), which enmime's
// parser gives up on.
var missingSemicolon = regexp.MustCompile(`^\s*([A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+)\s+([A-Za-z])`)

// parseMediaType parses a Content-Type or Content-Disposition value with
// enmime's tolerant parser, the media type lower-cased.
func parseMediaType(v string) (string, map[string]string, error) {
	if !strings.Contains(v, ";") {
		v = missingSemicolon.ReplaceAllString(v, "$1; $2")
	}
	if strings.Contains(v, "= ") || strings.Contains(v, "=\t") || strings.Contains(v, " =") {
		v = paramSpace.ReplaceAllString(v, "$1=")
	}
	mt, params, _, err := mediatype.Parse(v)
	return strings.ToLower(mt), params, err
}

// problemCollector records enmime's header problems as the mail's.
type problemCollector struct{ s *splitter }

func (c problemCollector) AddError(name, format string, args ...any) {
	c.s.problem(name+": "+format, args...)
}

func (c problemCollector) AddWarning(name, format string, args ...any) {
	c.s.problem(name+": "+format, args...)
}

// bufioReader reads b, with a buffer no bigger than b: headers are small
// and a parse reads many.
func bufioReader(b []byte) *bufio.Reader {
	return bufio.NewReaderSize(bytes.NewReader(b), min(max(len(b), 16), 4096))
}

// isHeaderField reports whether line starts with a field name, printable
// ASCII but the colon, then perhaps spaces, then a colon: what headerLine
// matches, without a regular expression on every line of every header.
func isHeaderField(line []byte) bool {
	i := 0
	for i < len(line) && line[i] >= '!' && line[i] <= '~' && line[i] != ':' {
		i++
	}
	if i == 0 {
		return false
	}
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i < len(line) && line[i] == ':'
}

// discardErrors ignores header problems where they are not worth keeping.
type discardErrors struct{}

func (discardErrors) AddError(string, string, ...any)   {}
func (discardErrors) AddWarning(string, string, ...any) {}
