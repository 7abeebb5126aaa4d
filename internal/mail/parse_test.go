package mail

import (
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

func encode(t *testing.T, e encoding.Encoding, s string) string {
	t.Helper()
	b, err := e.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseHeader(t *testing.T) {
	m := mustParse(t, rawMail([]string{
		"From: =?utf-8?q?Ren=C3=A9e_Dupont?= <Renee.Dupont@Example.COM>",
		"To: \"Support\" <support@example.org>, bob@example.net",
		"Cc: =?iso-8859-1?b?Suxy9G1l?= <jerome@example.fr>",
		"Reply-To: \"renee@example.com\" <renee@example.com>",
		"Subject: =?utf-8?B?w4ljaGVj?= =?utf-8?Q?_de_la_commande?=\n  n\u00b042",
		"Date: Mon, 2 Jan 2006 15:04:05 +0100 (CET)",
		"Message-ID: <abc@example.com>",
		"In-Reply-To: <x1@example.org> (Support's message of today)",
		"References: <r1@example.org><r2@example.org>\n <x1@example.org>",
	}, "Hello\n"))
	if m.From != (Address{"Renée Dupont", "renee.dupont@example.com"}) {
		t.Errorf("From = %+v", m.From)
	}
	if want := []Address{{"Support", "support@example.org"}, {"", "bob@example.net"}}; !slices.Equal(m.To, want) {
		t.Errorf("To = %+v, want %+v", m.To, want)
	}
	if want := []Address{{"Jìrôme", "jerome@example.fr"}}; !slices.Equal(m.Cc, want) {
		t.Errorf("Cc = %+v, want %+v", m.Cc, want)
	}
	if want := []Address{{"", "renee@example.com"}}; !slices.Equal(m.ReplyTo, want) {
		t.Errorf("ReplyTo = %+v: a name that is the address names no one", m.ReplyTo)
	}
	if m.Subject != "Échec de la commande n°42" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if !m.Date.Equal(time.Date(2006, 1, 2, 14, 4, 5, 0, time.UTC)) {
		t.Errorf("Date = %v", m.Date)
	}
	if m.MessageID != "abc@example.com" || !slices.Equal(m.InReplyTo, []string{"x1@example.org"}) ||
		!slices.Equal(m.References, []string{"r1@example.org", "r2@example.org", "x1@example.org"}) {
		t.Errorf("ids = %q %q %q", m.MessageID, m.InReplyTo, m.References)
	}
	if got := m.Header.Get("Subject"); got != "Échec de la commande n°42" && !strings.HasPrefix(got, "Échec de la commande") {
		t.Errorf("Header Subject = %q, want it decoded", got)
	}
}

func TestParseCharsets(t *testing.T) {
	const words = "Grüße, café — ça coûte 5 €"
	tests := []struct {
		charset, cte, body, want string
	}{
		{"iso-8859-1", "8bit", encode(t, charmap.ISO8859_1, "Grüße, café"), "Grüße, café"},
		{"iso-8859-15", "8bit", encode(t, charmap.ISO8859_15, "5 €"), "5 €"},
		{"windows-1252", "8bit", encode(t, charmap.Windows1252, words), words},
		{"windows-1251", "8bit", encode(t, charmap.Windows1251, "Привет"), "Привет"},
		{"koi8-r", "8bit", encode(t, charmap.KOI8R, "Привет"), "Привет"},
		{"iso-8859-2", "8bit", encode(t, charmap.ISO8859_2, "Zażółć gęślą jaźń"), "Zażółć gęślą jaźń"},
		{"gb2312", "8bit", encode(t, simplifiedchinese.GBK, "你好，世界"), "你好，世界"},
		{"big5", "8bit", encode(t, traditionalchinese.Big5, "你好，世界"), "你好，世界"},
		{"iso-2022-jp", "7bit", encode(t, japanese.ISO2022JP, "こんにちは世界"), "こんにちは世界"},
		{"shift_jis", "8bit", encode(t, japanese.ShiftJIS, "こんにちは世界"), "こんにちは世界"},
		{"euc-kr", "8bit", encode(t, korean.EUCKR, "안녕하세요"), "안녕하세요"},
		{"ks_c_5601-1987", "8bit", encode(t, korean.EUCKR, "안녕하세요"), "안녕하세요"},
		{"utf-7", "7bit", "Hi Mom -+Jjo--!", "Hi Mom -☺-!"},
		{"csunicode11utf7", "7bit", "Hi Mom -+Jjo--!", "Hi Mom -☺-!"}, // another label of utf-7
		{"utf-16", "base64", base64.StdEncoding.EncodeToString([]byte(encode(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), words))), words},
		{"utf-16be", "base64", base64.StdEncoding.EncodeToString([]byte(encode(t, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), words))), words},
		{"iso-8859-1", "quoted-printable", "caf=E9 =\r\ncr=E8me", "café crème"},
		{"us-ascii", "8bit", words, words},              // mislabelled UTF-8
		{"iso-8859-1", "8bit", words, words},            // mislabelled UTF-8
		{"\"UTF-8\"", "8bit", words, words},             // quoted label
		{"x-unknown", "8bit", words, words},             // unknown label, valid UTF-8
		{"utf-8", "8bit", "caf\xe9 ok", "caf\u00e9 ok"}, // Latin-1 sent as UTF-8
	}
	for _, tt := range tests {
		t.Run(tt.charset+"/"+tt.cte, func(t *testing.T) {
			m := mustParse(t, rawMail(withHeader("Subject: x", "Content-Type: text/plain; charset="+tt.charset,
				"Content-Transfer-Encoding: "+tt.cte), tt.body))
			if got := strings.TrimSpace(m.Text); got != tt.want {
				t.Errorf("Text = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseRawHeaderCharset(t *testing.T) {
	subject := encode(t, charmap.ISO8859_1, "Réclamation")
	m := mustParse(t, rawMail([]string{"From: a@example.com", "Subject: " + subject, "Content-Type: text/plain; charset=iso-8859-1"}, "x\n"))
	if m.Subject != "Réclamation" {
		t.Errorf("Subject = %q, want it read in the body's charset", m.Subject)
	}
}

func TestParseStructure(t *testing.T) {
	png := base64.StdEncoding.EncodeToString([]byte("\x89PNG fake image"))
	inner := "From: carol@example.com\r\nSubject: Original / question\r\nMessage-ID: <orig@example.com>\r\n\r\nFirst question\r\n"
	tests := []struct {
		name  string
		raw   []byte
		check func(t *testing.T, m *Message)
	}{
		{"html only", rawMail(withHeader("Content-Type: text/html; charset=utf-8"),
			"<html><head><style>p{}</style></head><body><p>Hello <b>there</b></p><p>Second&nbsp;line</p></body></html>"),
			func(t *testing.T, m *Message) {
				wantText(t, m, "Hello there\n\nSecond\u00a0line")
				if !strings.Contains(m.HTML, "<b>there</b>") {
					t.Errorf("HTML = %q", m.HTML)
				}
			}},
		{"html charset from meta", rawMail(withHeader("Content-Type: text/html"),
			`<html><head><meta charset="iso-8859-1"></head><body>caf`+"\xe9"+`</body></html>`),
			func(t *testing.T, m *Message) { wantText(t, m, "café") }},
		{"alternative", rawMail(withHeader("Content-Type: multipart/alternative; boundary=b"),
			"--b\nContent-Type: text/plain\n\nPlain version\n--b\nContent-Type: text/html\n\n<p>HTML version</p>\n--b--\n"),
			func(t *testing.T, m *Message) {
				wantText(t, m, "Plain version")
				if m.HTML != "<p>HTML version</p>" {
					t.Errorf("HTML = %q", m.HTML)
				}
			}},
		{"related with cid image", rawMail(withHeader("Content-Type: multipart/related; boundary=r"),
			"--r\nContent-Type: text/html\n\n<p>Logo: <img src=\"cid:logo+1@x\"></p>\n--r\nContent-Type: image/png; name=logo.png\n"+
				"Content-Transfer-Encoding: base64\nContent-ID: <logo+1@x>\n\n"+png+"\n--r--\n"),
			func(t *testing.T, m *Message) {
				wantText(t, m, "Logo:")
				wantAttachments(t, m, Attachment{Name: "logo.png", ContentType: "image/png", ContentID: "logo+1@x", Inline: true, Data: []byte("\x89PNG fake image")})
			}},
		{"file names", rawMail(withHeader("Content-Type: multipart/mixed; boundary=m"),
			"--m\n\nSee attached.\n"+
				"--m\nContent-Type: application/pdf; name=\"=?utf-8?B?UsOpc3Vtw6kucGRm?=\"\nContent-Disposition: attachment\n\n%PDF\n"+
				"--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=utf-8''caf%C3%A9.pdf\n\n%PDF\n"+
				"--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename*=iso-8859-1''cr%E8me.pdf\n\n%PDF\n"+
				"--m\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=\"C:\\\\Users\\\\eve\\\\plan.pdf\"\n\n%PDF\n"+
				"--m\nContent-Type: application/octet-stream\nContent-Disposition: attachment\n\nraw\n--m--\n"),
			func(t *testing.T, m *Message) {
				wantText(t, m, "See attached.")
				var names []string
				for _, a := range m.Attachments {
					names = append(names, a.Name)
				}
				if want := []string{"Résumé.pdf", "café.pdf", "crème.pdf", "plan.pdf", "attachment-5.bin"}; !slices.Equal(names, want) {
					t.Errorf("names = %q, want %q", names, want)
				}
			}},
		{"forwarded message", rawMail(withHeader("Content-Type: multipart/mixed; boundary=f"),
			"--f\nContent-Type: text/plain\n\nFYI\n--f\nContent-Type: message/rfc822\n\n"+inner+"--f--\n"),
			func(t *testing.T, m *Message) {
				wantText(t, m, "FYI")
				// The line break before a delimiter belongs to the delimiter.
				wantAttachments(t, m, Attachment{Name: "Original - question.eml", ContentType: "message/rfc822", Data: []byte(strings.TrimSuffix(inner, "\r\n"))})
			}},
		{"uuencoded file in text", rawMail(withHeader(), "Here it is:\n\nbegin 644 hello.txt\n%:&5L;&\\*\n`\nend\n\nBye\n"),
			func(t *testing.T, m *Message) {
				if strings.Contains(m.Text, "begin 644") || !strings.Contains(m.Text, "Here it is:") || !strings.Contains(m.Text, "Bye") {
					t.Errorf("Text = %q, want the uuencoded block out", m.Text)
				}
				wantAttachments(t, m, Attachment{Name: "hello.txt", ContentType: "application/octet-stream", Data: []byte("hello")})
			}},
		{"uuencode transfer encoding", rawMail(withHeader("Content-Type: multipart/mixed; boundary=u"),
			"--u\n\nSee file\n--u\nContent-Type: application/octet-stream; name=hi.txt\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 hi.txt\n%:&5L;&\\*\n`\nend\n--u--\n"),
			func(t *testing.T, m *Message) {
				wantAttachments(t, m, Attachment{Name: "hi.txt", ContentType: "application/octet-stream", Data: []byte("hello")})
			}},
		{"controls and line endings", []byte("From: a@example.com\r\nSubject: Tab\there\x00\r\n\r\nline 1\r\nline\x00 2\x07\rline 3\n"),
			func(t *testing.T, m *Message) {
				if m.Text != "line 1\nline 2\nline 3\n" || m.Subject != "Tab here" {
					t.Errorf("Text = %q, Subject = %q", m.Text, m.Subject)
				}
			}},
		{"CR line endings", []byte("From: a@example.com\rSubject: Old Mac\r\rHello\rWorld\r"),
			func(t *testing.T, m *Message) {
				if m.Subject != "Old Mac" || m.Text != "Hello\nWorld\n" {
					t.Errorf("Subject = %q, Text = %q", m.Subject, m.Text)
				}
			}},
		{"broken header", []byte("From Someone Mon Jan 2 2006\nFrom: MAILER-DAEMON\nSubject: Broken\nfolded without indent\nBad Name: x\nDate: yesterday\n\nBody\n"),
			func(t *testing.T, m *Message) {
				if m.From.Email != "" || m.From.Name != "MAILER-DAEMON" || !strings.HasPrefix(m.Subject, "Broken") || m.Text != "Body\n" {
					t.Errorf("From = %+v, Subject = %q, Text = %q", m.From, m.Subject, m.Text)
				}
				if !m.Date.IsZero() || len(m.Problems) == 0 {
					t.Errorf("Date = %v, Problems = %q: want no date and the problems noted", m.Date, m.Problems)
				}
			}},
		{"digest", rawMail(withHeader("Content-Type: multipart/digest; boundary=d"),
			"--d\n\nSubject: One\n\nFirst\n--d\n\nSubject: Two\n\nSecond\n--d--\n"),
			func(t *testing.T, m *Message) {
				if len(m.Attachments) != 2 || m.Attachments[0].Name != "One.eml" || m.Attachments[1].ContentType != "message/rfc822" {
					t.Errorf("Attachments = %+v", m.Attachments)
				}
			}},
		{"broken base64 text", rawMail(withHeader("Content-Type: multipart/mixed; boundary=x"),
			"--x\nContent-Type: text/plain\n\nIntro\n--x\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!not base64!!\n--x--\n"),
			func(t *testing.T, m *Message) {
				if m.Text != "Intro" || len(m.Attachments) != 1 || len(m.Problems) == 0 {
					t.Errorf("Text = %q, %d attachments, Problems = %q", m.Text, len(m.Attachments), m.Problems)
				}
			}},
		{"missing closing boundary", rawMail(withHeader("Content-Type: multipart/mixed; boundary=c"),
			"--c\nContent-Type: text/plain\n\nKept\n--c\nContent-Type: application/pdf; name=cut.pdf\n\n%PDF cut sh"),
			func(t *testing.T, m *Message) {
				wantText(t, m, "Kept")
				if len(m.Attachments) != 1 || m.Attachments[0].Name != "cut.pdf" || string(m.Attachments[0].Data) != "%PDF cut sh" {
					t.Errorf("Attachments = %+v", m.Attachments)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.check(t, mustParse(t, tt.raw))
		})
	}
}

func wantText(t *testing.T, m *Message, want string) {
	t.Helper()
	if got := strings.TrimSpace(m.Text); got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func wantAttachments(t *testing.T, m *Message, want ...Attachment) {
	t.Helper()
	if len(m.Attachments) != len(want) {
		t.Fatalf("%d attachments, want %d: %+v", len(m.Attachments), len(want), m.Attachments)
	}
	for i, w := range want {
		a := m.Attachments[i]
		if a.Name != w.Name || a.ContentType != w.ContentType || a.ContentID != w.ContentID || a.Inline != w.Inline || string(a.Data) != string(w.Data) {
			t.Errorf("attachment %d = %q %q cid %q inline %v %q, want %q %q cid %q inline %v %q", i,
				a.Name, a.ContentType, a.ContentID, a.Inline, a.Data, w.Name, w.ContentType, w.ContentID, w.Inline, w.Data)
		}
	}
}

func TestParseNotMail(t *testing.T) {
	for _, raw := range []string{"", " ", "\n\n", "22\n", "Hello world\nFrom: x@example.com\n", ": no name\n"} {
		if _, err := Parse([]byte(raw)); !errors.Is(err, ErrNotMail) {
			t.Errorf("Parse(%q) err = %v, want ErrNotMail", raw, err)
		}
	}
	for _, raw := range []string{"From: a@example.com\n", "X-Only: header", "From x Mon Jan 2 2006\nSubject: mbox\n\nBody"} {
		if _, err := Parse([]byte(raw)); err != nil {
			t.Errorf("Parse(%q): %v", raw, err)
		}
	}
}

// TestParseHostile parses mails built to make a parser loop or recurse:
// each must come back (within parseTimeout, which only catches a hang),
// and nothing may panic.
func TestParseHostile(t *testing.T) {
	const mb = 1 << 20
	rep := func(s string) string { return strings.Repeat(s, mb/len(s)) }
	nested := strings.Builder{}
	for i := 0; nested.Len() < mb; i++ {
		nested.WriteString("--b" + itoa(i-1) + "\nContent-Type: multipart/mixed; boundary=b" + itoa(i) + "\n\n")
	}
	tests := map[string]string{
		"many parts":         "Content-Type: multipart/mixed; boundary=b\n\n" + rep("--b\n\nx\n"),
		"deep nesting":       "Content-Type: multipart/mixed; boundary=b-1\n\n" + nested.String(),
		"same boundary deep": rep("Content-Type: multipart/mixed; boundary=a\n\n--a\n"),
		"long header":        rep("X-A: b\n") + "\nbody",
		"folded header":      "Subject: a\n" + rep(" b\n") + "\nbody",
		"one long line":      "Subject: x\n\n" + rep("a"),
		"uuencode starts":    "Subject: x\n\n" + rep("begin 644 a\nM\n"),
		"uuencode blocks":    "Subject: x\n\n" + rep("begin 644 a\n!80``\n`\nend\n"),
		"encoded words":      "Subject: " + rep("=?utf-8?q?a?= ") + "\n\nx",
		"addresses":          "To: " + rep("a@b.c, ") + "\n\nx",
		"html":               "Content-Type: text/html\n\n" + rep("<div><b>x"),
		"8-bit no charset":   "Subject: x\n\n" + rep("\xe9\xff\xfe a "),
		"delivery status":    "Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: message/delivery-status\n\n" + rep("Final-Recipient: rfc822; a@b.c\nAction: failed\n\n"),
		"boundary prefixes":  "Content-Type: multipart/mixed; boundary=a\n\n" + rep("--ab\n"),
		"base64":             "Content-Type: image/png\nContent-Transfer-Encoding: base64\n\n" + rep("=!="),
		"quoted-printable":   "Content-Transfer-Encoding: quoted-printable\n\n" + rep("=\n=4"),
		"failure notice":     "From: MAILER-DAEMON\nSubject: failure notice\n\n" + rep("x@y.z user unknown\n> Message-ID: <"),
		"amazon ses":         "Subject: x\n\n{" + rep(`"notificationType":"Bounce",`) + "}",
		"references":         "References: " + rep("<a@b> ") + "\n\nx",
		"date":               "Date: " + rep("(") + "\n\nx",
		"rfc 2231 pieces":    "Content-Type: image/png\nContent-Disposition: attachment" + rep("; filename*1*=a") + "\n\nx",
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			m, _, err := parseBounded(t, name, []byte(raw))
			if err != nil {
				t.Fatal(err)
			}
			checkClean(t, name, m)
			t.Logf("%v, %d problems", time.Since(start), len(m.Problems))
		})
	}
}
