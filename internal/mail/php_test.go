package mail

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// php-mime-mail-parser's EXPECTED.json holds the expectations of its
// ParserTest::provideData, unchanged. They are compared field by field,
// with these adjustments, each because the PHP value is PHP's way of
// presenting a mail rather than a fact about it:
//
//   - subject: white space runs collapsed (Tend tidies subjects; m0022 has
//     two spaces in a row);
//   - addresses: PHP repeats the address as the display name when there is
//     none; Tend leaves the name empty;
//   - text and HTML, exact ones: line endings compared as \n (Tend
//     normalises them; PHP returns the CRLFs of the mail);
//   - attachments: md5_of_serialized_headers is a hash of PHP's own
//     serialisation and is not compared; "noname1" is the name PHP makes up
//     for a part without one, which Tend names in its own way, so such an
//     attachment is found by content type instead.
//
// Everything else is compared as given: subject, each address and name,
// text and HTML (exactly, or the count of a substring), and per attachment
// the name, size, content type, inline or not, the count of a string in the
// file, and a piece of its base64 where the HTML embeds it; and the number
// of attachments the HTML embeds by cid.

type phpCase struct {
	MailID      string       `json:"mail_id"`
	FilePresent bool         `json:"file_present"`
	Subject     string       `json:"subject"`
	From        []phpAddress `json:"from_addresses"`
	To          []phpAddress `json:"to_addresses"`
	Text        phpBody      `json:"text_expected"`
	HTML        phpBody      `json:"html_expected"`
	Attachments []struct {
		Filename     string `json:"filename"`
		Size         int    `json:"size"`
		Inside       string `json:"string_inside_file"`
		InsideCount  int    `json:"count_of_string"`
		ContentType  string `json:"content_type"`
		Disposition  string `json:"disposition"`
		EmbeddedPart string `json:"string_inside_html_embedded"`
	} `json:"attachments"`
	Embedded int `json:"embedded_attachment_count"`
}

type phpAddress struct {
	Display string `json:"display"`
	Address string `json:"address"`
}

// phpBody is an expectation of a body: MATCH a value, or COUNT the
// occurrences of a substring.
type phpBody struct {
	Mode      string `json:"mode"`
	Value     string `json:"value"`
	Count     int    `json:"count"`
	Substring string `json:"substring"`
}

func (b phpBody) check(got string) (string, bool) {
	if b.Mode == "COUNT" {
		n := strings.Count(got, b.Substring)
		return "count of " + b.Substring + ": " + itoa(n) + ", want " + itoa(b.Count), n == b.Count
	}
	want := strings.ReplaceAll(b.Value, "\r\n", "\n")
	return "got " + truncate(got, 80) + ", want " + truncate(want, 80), got == want
}

var phpMadeUpName = regexp.MustCompile(`^noname\d*$`)

// TestCorpusPHP compares Parse with the expectations of
// php-mime-mail-parser, for the cases whose mail is present.
func TestCorpusPHP(t *testing.T) {
	dir := filepath.Join(corpora(t), "php-mime-mail-parser")
	data, err := os.ReadFile(filepath.Join(dir, "EXPECTED.json"))
	if err != nil {
		t.Fatal(err)
	}
	var expected struct{ Cases []phpCase }
	if err := json.Unmarshal(data, &expected); err != nil {
		t.Fatal(err)
	}
	cases, matched := 0, 0
	for _, c := range expected.Cases {
		if !c.FilePresent {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, "tests/mails", c.MailID))
		if err != nil {
			t.Fatalf("%s: %v", c.MailID, err)
		}
		cases++
		m, _, err := parseBounded(t, c.MailID, raw)
		if err != nil {
			t.Errorf("%s: %v", c.MailID, err)
			continue
		}
		if problems := checkPHP(c, m); len(problems) > 0 {
			t.Errorf("%s:\n  %s", c.MailID, strings.Join(problems, "\n  "))
			continue
		}
		matched++
	}
	t.Logf("php-mime-mail-parser match rate: %d of %d cases match in every field (%s)", matched, cases, rate(matched, cases))
	if cases != 21 {
		t.Errorf("%d cases with their mail, want the 21 of SOURCES.md", cases)
	}
}

// checkPHP returns how m differs from c.
func checkPHP(c phpCase, m *Message) []string {
	var problems []string
	fail := func(field, detail string) { problems = append(problems, field+": "+detail) }
	if collapse(m.Subject) != collapse(c.Subject) {
		fail("subject", "got "+m.Subject+", want "+c.Subject)
	}
	if got, want := phpAddresses([]Address{m.From}), phpExpected(c.From); got != want {
		fail("from", "got "+got+", want "+want)
	}
	if got, want := phpAddresses(m.To), phpExpected(c.To); got != want {
		fail("to", "got "+got+", want "+want)
	}
	if detail, ok := c.Text.check(m.Text); !ok {
		fail("text", detail)
	}
	if detail, ok := c.HTML.check(m.HTML); !ok {
		fail("html", detail)
	}
	problems = append(problems, checkPHPAttachments(c, m)...)
	if n := embeddedCount(m); n != c.Embedded {
		fail("embedded attachments", itoa(n)+", want "+itoa(c.Embedded))
	}
	return problems
}

func phpAddresses(list []Address) string {
	var s []string
	for _, a := range list {
		s = append(s, a.Name+" <"+a.Email+">")
	}
	return strings.Join(s, ", ")
}

func phpExpected(list []phpAddress) string {
	var s []string
	for _, a := range list {
		name := a.Display
		if name == a.Address {
			name = ""
		}
		s = append(s, name+" <"+strings.ToLower(a.Address)+">")
	}
	return strings.Join(s, ", ")
}

// checkPHPAttachments compares the attachments one by one, found by name.
func checkPHPAttachments(c phpCase, m *Message) []string {
	var problems []string
	if len(m.Attachments) != len(c.Attachments) {
		problems = append(problems, "attachments: "+itoa(len(m.Attachments))+", want "+itoa(len(c.Attachments)))
	}
	for _, want := range c.Attachments {
		a := findAttachment(m, want.Filename, want.ContentType)
		if a == nil {
			problems = append(problems, "attachment "+want.Filename+": missing")
			continue
		}
		var diffs []string
		if len(a.Data) != want.Size {
			diffs = append(diffs, "size "+itoa(len(a.Data))+", want "+itoa(want.Size))
		}
		if a.ContentType != want.ContentType {
			diffs = append(diffs, "type "+a.ContentType+", want "+want.ContentType)
		}
		if a.Inline != (want.Disposition == "inline") {
			diffs = append(diffs, "inline "+boolString(a.Inline)+", want disposition "+want.Disposition)
		}
		if want.Inside != "" && bytes.Count(a.Data, []byte(want.Inside)) != want.InsideCount {
			diffs = append(diffs, "count of "+want.Inside+": "+itoa(bytes.Count(a.Data, []byte(want.Inside)))+", want "+itoa(want.InsideCount))
		}
		if want.EmbeddedPart != "" && !strings.Contains(base64.StdEncoding.EncodeToString(a.Data), want.EmbeddedPart) {
			diffs = append(diffs, "content differs from the one PHP embeds")
		}
		if len(diffs) > 0 {
			problems = append(problems, "attachment "+want.Filename+": "+strings.Join(diffs, "; "))
		}
	}
	return problems
}

func findAttachment(m *Message, name, contentType string) *Attachment {
	for i, a := range m.Attachments {
		if a.Name == name || phpMadeUpName.MatchString(name) && madeUpName.MatchString(a.Name) && a.ContentType == contentType {
			return &m.Attachments[i]
		}
	}
	return nil
}

// embeddedCount counts the attachments the HTML shows by cid: reference.
func embeddedCount(m *Message) int {
	n := 0
	for _, a := range m.Attachments {
		if a.ContentID != "" && strings.Contains(m.HTML, "cid:"+a.ContentID) {
			n++
		}
	}
	return n
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func itoa(i int) string { return strconv.Itoa(i) }
