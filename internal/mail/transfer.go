package mail

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// transferDecoder keeps what it could decode of a broken encoding rather
// than nothing.
var transferDecoder = enmime.NewParser(
	enmime.SetReadPartErrorPolicy(func(*enmime.Part, error) bool { return true }),
	enmime.MaxStoredPartErrors(maxProblems),
)

var cteWords = strings.NewReplacer("-", "", " ", "", "_", "", ";", "", "\"", "")

// decodeTransfer undoes the Content-Transfer-Encoding of a leaf: base64
// here, quoted-printable with enmime's decoder, which repairs broken
// encodings.
func decodeTransfer(e *entity) (data []byte, problems []string, broken bool) {
	cte := strings.ToLower(strings.TrimSpace(e.header.Get("Content-Transfer-Encoding")))
	// Mailers write "7-bit", "Quoted-Printable;", "base 64", "plain".
	switch cteWords.Replace(cte) {
	case "", "7bit", "8bit", "binary", "plain", "none", "text":
		return e.content, nil, false
	case "xuuencode", "uuencode", "xuue", "uue":
		if data := uudecodeAll(e.content); data != nil {
			return data, nil, false
		}
		return e.content, []string{"uuencoded content unreadable, kept as sent"}, true
	case "base64":
		data, bad := decodeBase64(e.content)
		if bad {
			return data, []string{"invalid characters in base64 content skipped"}, true
		}
		return data, nil, false
	case "quotedprintable":
		cte = "quoted-printable"
	default:
		return e.content, []string{fmt.Sprintf("unknown Content-Transfer-Encoding %q, content kept as sent", cleanLine(cte))}, false
	}
	var raw bytes.Buffer
	raw.WriteString("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: " + cte + "\r\n\r\n")
	raw.Write(e.content)
	p, err := transferDecoder.ReadParts(&raw)
	if err != nil {
		return e.content, []string{"transfer encoding unreadable, content kept as sent: " + err.Error()}, true
	}
	for _, pe := range p.Errors {
		problems = append(problems, pe.Error())
	}
	return p.Content, problems, false
}

// base64Values maps the base64 alphabet to its values, anything else to 0xff.
var base64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		t[c] = byte(i)
	}
	return t
}()

// decodeBase64 decodes base64 leniently: white space is skipped, padding
// ends a group of four wherever it comes (some mailers encode each line
// apart), and other characters are skipped and reported in bad.
func decodeBase64(src []byte) (out []byte, bad bool) {
	out = make([]byte, 0, len(src)*3/4)
	var acc uint32
	n := 0
	flush := func() {
		switch n {
		case 2:
			out = append(out, byte(acc>>4))
		case 3:
			out = append(out, byte(acc>>10), byte(acc>>2))
		}
		acc, n = 0, 0
	}
	for _, c := range src {
		v := base64Values[c]
		switch {
		case v != 0xff:
			acc = acc<<6 | uint32(v)
			if n++; n == 4 {
				out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
				acc, n = 0, 0
			}
		case c == '=':
			flush()
		case c != ' ' && c != '\t' && c != '\r' && c != '\n':
			bad = true
		}
	}
	flush()
	return out, bad
}
