package mail

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The corpora are mail collected by other projects, kept in
// ../shared/corpora beside the repository (see SOURCES.md there) and read
// in place: they are not ours to copy into the tree.
const corporaDir = "../../../shared/corpora"

// corpora returns the corpora folder, skipping the test when it is missing,
// except on CI, where a missing corpus must not pass unnoticed.
func corpora(tb testing.TB) string {
	tb.Helper()
	if _, err := os.Stat(corporaDir); err != nil {
		abs, _ := filepath.Abs(corporaDir)
		if os.Getenv("CI") == "true" {
			tb.Fatalf("mail corpora missing: expected at %s (../shared/corpora from the project root): %v", abs, err)
		}
		tb.Skipf("mail corpora missing: expected at %s (../shared/corpora from the project root)", abs)
	}
	return corporaDir
}

// corpusMail is one mail of a corpus.
type corpusMail struct {
	corpus string // top folder, e.g. "stalwart-mail-parser"
	name   string // path inside corporaDir; "#N" appended for mbox messages
	raw    []byte
}

// corpusMails returns every mail of every corpus: .eml and .raw files,
// files without extension in mail folders, and the messages of the mbox
// files. The mailbox/size-N files are edge cases that are not mail; they
// are tested apart.
func corpusMails(tb testing.TB) []corpusMail {
	tb.Helper()
	root := corpora(tb)
	var out []corpusMail
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if !isMailFile(rel) {
			return nil
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		corpus := strings.Split(filepath.ToSlash(rel), "/")[0]
		if strings.Contains(rel, "/mailbox/mbox-") {
			for i, msg := range splitMbox(raw) {
				out = append(out, corpusMail{corpus, rel + "#" + strconv.Itoa(i+1), msg})
			}
			return nil
		}
		out = append(out, corpusMail{corpus, rel, raw})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// isMailFile tells the mails from the notes, licences, expectations and
// HTML fragments that sit beside them.
func isMailFile(rel string) bool {
	rel = filepath.ToSlash(rel)
	switch ext := filepath.Ext(rel); ext {
	case ".eml", ".raw":
		return true
	case "":
		return strings.HasPrefix(rel, "php-mime-mail-parser/tests/mails/") ||
			strings.HasPrefix(rel, "sisimai-set-of-emails/maildir/") ||
			strings.HasPrefix(rel, "sisimai-set-of-emails/mailbox/mbox-")
	}
	return false
}

// splitMbox splits an mbox file at its "From " lines.
func splitMbox(raw []byte) [][]byte {
	var msgs [][]byte
	start := -1
	for i := 0; i < len(raw); {
		if bytes.HasPrefix(raw[i:], []byte("From ")) {
			if start >= 0 {
				msgs = append(msgs, raw[start:i])
			}
			start = i
		}
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
	}
	if start >= 0 {
		msgs = append(msgs, raw[start:])
	}
	return msgs
}

// parseTimeout catches a Parse or Classify that never returns (a runaway
// loop or recursion). It is not a speed figure: these mails take
// milliseconds, but under the race detector on a loaded 2-core machine a
// megabyte of hostile HTML has taken over 5 s. How fast parsing is, the
// Parse benchmark measures.
const parseTimeout = 2 * time.Minute

// parseBounded parses and classifies raw in a goroutine, failing the test
// if that panics or takes longer than parseTimeout.
func parseBounded(t *testing.T, name string, raw []byte) (*Message, Class, error) {
	t.Helper()
	type result struct {
		m     *Message
		c     Class
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			r.panic = recover()
			done <- r
		}()
		r.m, r.err = Parse(raw)
		if r.err == nil {
			r.c = Classify(r.m)
		}
	}()
	select {
	case r := <-done:
		if r.panic != nil {
			t.Fatalf("%s: panic: %v", name, r.panic)
		}
		return r.m, r.c, r.err
	case <-time.After(parseTimeout):
		t.Fatalf("%s: Parse and Classify took over %v", name, parseTimeout)
		return nil, Class{}, nil
	}
}

// checkClean fails the test if any string of m could not be stored: not
// valid UTF-8, or holding control characters other than tab and newline.
func checkClean(t *testing.T, name string, m *Message) {
	t.Helper()
	for _, s := range messageStrings(m) {
		if !utf8.ValidString(s) {
			t.Errorf("%s: invalid UTF-8: %q", name, truncate(s, 80))
		}
		if i := strings.IndexFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' }); i >= 0 {
			t.Errorf("%s: control character %q in %q", name, s[i], truncate(s, 80))
		}
	}
}

// messageStrings returns every string of m.
func messageStrings(m *Message) []string {
	s := []string{m.MessageID, m.Subject, m.Text, m.HTML}
	s = append(s, m.InReplyTo...)
	s = append(s, m.References...)
	s = append(s, m.Problems...)
	for _, list := range [][]Address{{m.From}, m.ReplyTo, m.To, m.Cc} {
		for _, a := range list {
			s = append(s, a.Name, a.Email)
		}
	}
	for _, a := range m.Attachments {
		s = append(s, a.Name, a.ContentType, a.ContentID)
	}
	for k, vs := range m.Header {
		s = append(s, k)
		s = append(s, vs...)
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// notMail are the corpus files that hold no mail, which Parse must refuse.
var notMail = map[string]string{
	"enmime/testdata/mail/erroneous.raw": "a single line of text, no header",
}

// TestCorpusParseAll parses and classifies every mail of every corpus:
// none may panic, hang, fail or give a string the database would refuse.
func TestCorpusParseAll(t *testing.T) {
	mails := corpusMails(t)
	counts := map[string]int{}
	for _, cm := range mails {
		m, _, err := parseBounded(t, cm.name, cm.raw)
		if _, ok := notMail[cm.name]; ok {
			if !errors.Is(err, ErrNotMail) {
				t.Errorf("%s: err = %v, want ErrNotMail", cm.name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", cm.name, err)
			continue
		}
		checkClean(t, cm.name, m)
		counts[cm.corpus]++
	}
	names := make([]string, 0, len(counts))
	for c := range counts {
		names = append(names, c)
	}
	slices.Sort(names)
	for _, c := range names {
		t.Logf("corpus %-24s %4d mails parsed and classified", c, counts[c])
	}
	if len(mails) < 1000 {
		t.Errorf("only %d corpus mails found; the corpora hold over 1,000", len(mails))
	}
}

// TestCorpusNotMail checks that the mbox edge cases that hold no mail (an
// empty file, a space, a number) are refused as such.
func TestCorpusNotMail(t *testing.T) {
	root := corpora(t)
	for _, name := range []string{"size-0", "size-1", "size-2"} {
		raw, err := os.ReadFile(filepath.Join(root, "sisimai-set-of-emails/mailbox", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(raw); !errors.Is(err, ErrNotMail) {
			t.Errorf("%s: err = %v, want ErrNotMail", name, err)
		}
	}
}

// TestCorpusOthers checks the corpora that come without expectations
// (enmime, mikel-mail, django-mailbox, nodemailer-mailparser,
// mailgun-talon): a mail whose body holds anything must give text, HTML
// or an attachment, for nothing may be lost.
func TestCorpusOthers(t *testing.T) {
	others := map[string]bool{"enmime": true, "mikel-mail": true, "django-mailbox": true, "nodemailer-mailparser": true, "mailgun-talon": true}
	counts, withContent := map[string]int{}, map[string]int{}
	for _, cm := range corpusMails(t) {
		if !others[cm.corpus] || notMail[cm.name] != "" {
			continue
		}
		m, _, err := parseBounded(t, cm.name, cm.raw)
		if err != nil {
			t.Errorf("%s: %v", cm.name, err)
			continue
		}
		counts[cm.corpus]++
		if !hasBody(cm.raw) {
			continue
		}
		withContent[cm.corpus]++
		if strings.TrimSpace(m.Text) == "" && strings.TrimSpace(m.HTML) == "" && !hasAttachmentData(m) {
			t.Errorf("%s: the mail has a body, the Message has neither text, HTML nor attachment", cm.name)
		}
	}
	for _, c := range slices.Sorted(maps.Keys(counts)) {
		t.Logf("corpus %-22s %3d mails, %3d with a body, each with text, HTML or an attachment", c, counts[c], withContent[c])
	}
}

// hasBody reports whether a raw mail has anything but white space after
// its header.
func hasBody(raw []byte) bool {
	_, body := splitHeader(raw)
	return len(bytes.TrimSpace(body)) > 0
}

func hasAttachmentData(m *Message) bool {
	for _, a := range m.Attachments {
		if len(a.Data) > 0 {
			return true
		}
	}
	return false
}

// TestCorpusDjango checks the two pairs of django-mailbox: a mail and what
// django-mailbox made of it, one with its HTML stripped, one with an
// attachment reference resolved. The text must come out the same.
func TestCorpusDjango(t *testing.T) {
	dir := filepath.Join(corpora(t), "django-mailbox/django_mailbox/tests/messages")
	for _, pair := range []struct{ original, result string }{
		{"message_with_many_multiparts.eml", "message_with_many_multiparts_stripped_html.eml"},
		{"message_with_defective_attachment_association.eml", "message_with_defective_attachment_association_result.eml"},
	} {
		orig := parseCorpusFile(t, filepath.Join(dir, pair.original))
		res := parseCorpusFile(t, filepath.Join(dir, pair.result))
		if orig.Text != res.Text || !strings.Contains(orig.Text, "Multipart inside of multipart!") {
			t.Errorf("%s: Text %q, its result's %q", pair.original, orig.Text, res.Text)
		}
		if orig.Subject != res.Subject || orig.From != res.From {
			t.Errorf("%s: header differs from its result's", pair.original)
		}
	}
	orig := parseCorpusFile(t, filepath.Join(dir, "message_with_many_multiparts.eml"))
	stripped := parseCorpusFile(t, filepath.Join(dir, "message_with_many_multiparts_stripped_html.eml"))
	if !strings.Contains(orig.HTML, "<h1>Hello!</h1>") || stripped.HTML != "" {
		t.Errorf("HTML %q, stripped %q: want the HTML, and none once stripped", orig.HTML, stripped.HTML)
	}
}

func parseCorpusFile(t *testing.T, path string) *Message {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := parseBounded(t, filepath.Base(path), raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}
