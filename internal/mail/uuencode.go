package mail

import (
	"regexp"
	"strings"
)

// Old mailers and some gateways still send files uuencoded inside the text
// of a mail rather than as MIME parts. Left alone, they show as pages of
// noise in the ticket and the file is lost.

var uuBegin = regexp.MustCompile(`(?m)^begin [0-7]{3,4} ([^\n]+)\n`)

// uudecode moves the uuencoded files out of text s into attachments and
// returns what is left of the text.
func (w *bodyWalker) uudecode(s string) string {
	if !strings.Contains(s, "begin ") {
		return s
	}
	var out strings.Builder
	for {
		loc := uuBegin.FindStringSubmatchIndex(s)
		if loc == nil {
			break
		}
		data, n, ok := uudecodeLines(s[loc[1]:])
		if !ok {
			// "begin 644 ..." in prose: keep it, look further.
			out.WriteString(s[:loc[1]])
			s = s[loc[1]:]
			continue
		}
		w.m.Attachments = append(w.m.Attachments, Attachment{
			Name:        fileName(s[loc[2]:loc[3]]),
			ContentType: "application/octet-stream",
			Data:        data,
		})
		out.WriteString(s[:loc[0]])
		s = s[loc[1]+n:]
	}
	out.WriteString(s)
	return out.String()
}

// uudecodeLines decodes uuencoded lines up to and including the "end"
// line, returning the data and the number of bytes of s read.
func uudecodeLines(s string) ([]byte, int, bool) {
	var data []byte
	read := 0
	for read < len(s) {
		line := s[read:]
		next := len(line)
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line, next = line[:i], i+1
		}
		read += next
		line = strings.TrimRight(line, " \r")
		if line == "end" {
			return data, read, true
		}
		if line == "" || line == "`" {
			continue
		}
		b, ok := uudecodeLine(line)
		if !ok {
			return nil, 0, false
		}
		data = append(data, b...)
	}
	return nil, 0, false
}

// uudecodeLine decodes one line: a length character, then groups of four
// characters that each carry three bytes.
func uudecodeLine(line string) ([]byte, bool) {
	n := int(line[0]-' ') & 63
	chars := line[1:]
	if len(chars) < (n+2)/3*4 {
		// Some encoders trim trailing spaces, which stand for zero bits.
		chars += strings.Repeat(" ", (n+2)/3*4-len(chars))
	}
	out := make([]byte, 0, n+2)
	for i := 0; i+4 <= len(chars) && len(out) < n; i += 4 {
		var v uint32
		for j := 0; j < 4; j++ {
			c := chars[i+j]
			if c < ' ' || c > '`' {
				return nil, false
			}
			v = v<<6 | uint32(c-' ')&63
		}
		out = append(out, byte(v>>16), byte(v>>8), byte(v))
	}
	if len(out) < n {
		return nil, false
	}
	return out[:n], true
}

// uudecodeAll decodes content sent with a uuencode transfer encoding, nil
// if it holds no uuencoded file.
func uudecodeAll(content []byte) []byte {
	s := strings.ReplaceAll(string(content), "\r\n", "\n")
	loc := uuBegin.FindStringIndex(s)
	if loc == nil {
		return nil
	}
	data, _, ok := uudecodeLines(s[loc[1]:])
	if !ok {
		return nil
	}
	return data
}
