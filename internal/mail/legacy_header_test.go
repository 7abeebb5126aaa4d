package mail

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Mailers in East Asia and Eastern Europe still write subjects, names and
// file names as raw bytes of the local charset, without RFC 2047 or 2231.
// These tests build such mails from known strings, so that what must come
// out is exact.

var update = flag.Bool("update", false, "rewrite the files in testdata/legacy")

// legacyCase is a mail written in one charset: a subject, the sender's name
// and an attachment's file name, all raw 8-bit.
type legacyCase struct {
	charset string // the label the text part declares
	enc     encoding.Encoding
	subject string
	name    string
	file    string
}

var legacyCases = []legacyCase{
	// WHATWG reads gb2312 as GBK, as mailers mean it.
	{"gb2312", simplifiedchinese.GBK, "关于年度报告的问题", "王小明", "年度 报告 2026.pdf"},
	{"gbk", simplifiedchinese.GBK, "请查收附件中的发票", "李娜", "发票 清单 三月.xlsx"},
	// 功 and 說 end in 0x5c, a backslash to a parser that reads bytes.
	{"big5", traditionalchinese.Big5, "關於帳單的問題", "陳大文", "功能 說明書.pdf"},
	// ソ and 表 end in 0x5c too.
	{"shift_jis", japanese.ShiftJIS, "請求書の件について", "山田 太郎", "ソフト 見積書 表.pdf"},
	{"euc-jp", japanese.EUCJP, "ご注文の確認について", "佐藤 花子", "注文 一覧 2026.csv"},
	{"euc-kr", korean.EUCKR, "주문 관련 문의드립니다", "김민수", "견적서 최종 본.pdf"},
	{"iso-8859-1", charmap.ISO8859_1, "Problème de facturation", "Françoise Dupré", "Reçu de paiement.pdf"},
	{"iso-8859-2", charmap.ISO8859_2, "Zażółć gęślą jaźń", "Łukasz Żółkiewski", "Faktura za wrzesień.pdf"},
	{"iso-8859-5", charmap.ISO8859_5, "Вопрос по счёту", "Иван Петров", "Отчёт за май.docx"},
	{"iso-8859-7", charmap.ISO8859_7, "Ερώτηση για τον λογαριασμό", "Γιώργος Παπαδόπουλος", "Ελληνικά αρχεία.txt"},
	{"iso-8859-15", charmap.ISO8859_15, "Facture de 50 € à régler", "Jürgen Weiß", "Rechnung  März € 2026.pdf"},
	{"windows-1250", charmap.Windows1250, "Dotaz k objednávce č. 42", "Jiří Novák", "Smlouva o dílo.pdf"},
	{"windows-1251", charmap.Windows1251, "Отчёт за май", "Сергей Иванов", "Счёт на оплату.xlsx"},
	{"windows-1252", charmap.Windows1252, "Réclamation – commande n° 42", "José Núñez", "Résumé – final.docx"},
	{"windows-1253", charmap.Windows1253, "Ερώτηση για την παραγγελία…", "Νίκος Αλεξίου", "Τιμολόγιο Μαΐου.pdf"},
	{"windows-1256", charmap.Windows1256, "استفسار عن الفاتورة", "محمد علي", "تقرير شهر مايو.pdf"},
	{"koi8-r", charmap.KOI8R, "Вопрос по заказу", "Ольга Смирнова", "Договор поставки.pdf"},
}

// body is the text of the case's mail: what a person writes, in the same
// charset as its header.
func (c legacyCase) body() string {
	return c.subject + "\n\n" + c.name + "\n"
}

// legacyMail returns c's mail, its text part declaring charset ("" for no
// charset at all). The file is named twice, by Content-Disposition and
// Content-Type, and a second one by Content-Type alone.
func legacyMail(t testing.TB, c legacyCase, charset string) []byte {
	t.Helper()
	return legacyMailBody(t, c, charset, c.encode(t, c.body()))
}

// legacyMailBody is legacyMail with body, as sent, for its text.
func legacyMailBody(t testing.TB, c legacyCase, charset, body string) []byte {
	t.Helper()
	enc := func(s string) string { return c.encode(t, s) }
	textType := "text/plain"
	if charset != "" {
		textType += "; charset=" + charset
	}
	file := enc(c.file)
	return rawMail([]string{
		"From: " + enc(c.name) + " <sender@example.com>",
		"To: support@example.org",
		"Cc: \"" + enc(c.name) + "\" <copy@example.com>",
		"Subject: " + enc(c.subject),
		"Date: Mon, 2 Mar 2026 09:30:00 +0100",
		"Message-ID: <legacy-" + c.charset + "@example.com>",
		"MIME-Version: 1.0",
		"Content-Type: multipart/mixed; boundary=\"b1\"",
	}, strings.Join([]string{
		"--b1",
		"Content-Type: " + textType,
		"Content-Transfer-Encoding: 8bit",
		"",
		body,
		"--b1",
		"Content-Type: application/octet-stream; name=\"" + file + "\"",
		"Content-Disposition: attachment; filename=\"" + file + "\"",
		"Content-Transfer-Encoding: base64",
		"",
		"aGVsbG8=",
		"--b1",
		"Content-Type: application/octet-stream; name=\"" + file + "\"",
		"Content-Transfer-Encoding: base64",
		"",
		"aGVsbG8=",
		"--b1--",
		"",
	}, "\n"))
}

func (c legacyCase) encode(t testing.TB, s string) string {
	t.Helper()
	b, err := c.enc.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("%s cannot write %q: %v", c.charset, s, err)
	}
	return b
}

// checkLegacy checks that m, the mail of c, reads exactly as c was written.
func checkLegacy(t *testing.T, c legacyCase, m *Message) {
	t.Helper()
	if m.Subject != c.subject {
		t.Errorf("Subject = %q, want %q", m.Subject, c.subject)
	}
	if m.From.Name != c.name || m.From.Email != "sender@example.com" {
		t.Errorf("From = %+v, want name %q", m.From, c.name)
	}
	if len(m.Cc) != 1 || m.Cc[0].Name != c.name {
		t.Errorf("Cc = %+v, want name %q", m.Cc, c.name)
	}
	if len(m.Attachments) != 2 {
		t.Fatalf("%d attachments, want 2: %+v", len(m.Attachments), m.Attachments)
	}
	for i, a := range m.Attachments {
		if a.Name != c.file {
			t.Errorf("attachment %d Name = %q, want %q", i+1, a.Name, c.file)
		}
	}
}

func TestParseLegacyHeadersDeclared(t *testing.T) {
	for _, c := range legacyCases {
		t.Run(c.charset, func(t *testing.T) {
			m := mustParse(t, legacyMail(t, c, c.charset))
			checkLegacy(t, c, m)
			if m.Text != strings.TrimSuffix(c.body(), "\n") && m.Text != c.body() {
				t.Errorf("Text = %q, want %q", m.Text, c.body())
			}
		})
	}
}

// undetectable are the charsets whose short texts no detector can tell from
// another's when nothing is declared: the detector knows neither
// windows-1250 nor iso-8859-15, and their bytes are as well read as
// Latin-1 (Czech "ř" is Latin-1 "ø"; the euro sign of iso-8859-15 is
// Latin-1's "¤"). For these the decoding must at least be clean.
var undetectable = map[string]bool{"windows-1250": true, "iso-8859-15": true}

// TestParseLegacyHeadersUndeclared holds mails that declare no charset, or
// us-ascii, with text in the charset of the header ("none", "us-ascii") or
// in English ("ascii-text"): the header values alone must then be enough.
func TestParseLegacyHeadersUndeclared(t *testing.T) {
	for _, declared := range []string{"none", "us-ascii", "ascii-text"} {
		for _, c := range legacyCases {
			t.Run(c.charset+"/"+declared, func(t *testing.T) {
				var raw []byte
				switch declared {
				case "none":
					raw = legacyMail(t, c, "")
				case "us-ascii":
					raw = legacyMail(t, c, declared)
				case "ascii-text":
					raw = legacyMailBody(t, c, "", "Hello, the file is attached.\n")
				}
				m := mustParse(t, raw)
				if !undetectable[c.charset] {
					checkLegacy(t, c, m)
					return
				}
				names := []string{m.Subject, m.From.Name}
				for _, a := range m.Attachments {
					names = append(names, a.Name)
				}
				for _, s := range names {
					if !readable(s) {
						t.Errorf("%q has replacement characters or C1 controls", s)
					}
				}
			})
		}
	}
}

// TestParseLegacyHeadersMismatch holds mails whose header is not in the
// charset the body declares: that charset is not taken when it gives
// nonsense.
func TestParseLegacyHeadersMismatch(t *testing.T) {
	koi8 := legacyCases[len(legacyCases)-1]
	tests := []struct {
		name     string
		c        legacyCase
		declared string
	}{
		// A header in UTF-8 (RFC 6532) under a Latin-1 body.
		{"utf-8 under iso-8859-1", legacyCase{"utf-8", encoding.Nop, "Réunion – 10 h", "Zoë Lefèvre", "Ordre du jour.pdf"}, "iso-8859-1"},
		{"utf-8 under gb2312", legacyCase{"utf-8", encoding.Nop, "关于年度报告的问题", "王小明", "年度 报告 2026.pdf"}, "gb2312"},
		// The KOI8-R names are not valid GBK, so the header is detected
		// and read as KOI8-R: the subject too, whose bytes happen to be
		// valid GBK, as nonsense.
		{"koi8-r under gb2312", koi8, "gb2312"},
		{"koi8-r under utf-8", koi8, "utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLegacy(t, tt.c, mustParse(t, legacyMail(t, tt.c, tt.declared)))
		})
	}
	// A stray Latin-1 value, not valid GBK, does not make the declared
	// charset wrong for the rest.
	t.Run("latin-1 value under gbk", func(t *testing.T) {
		c := legacyCases[1]
		raw := bytes.Replace(legacyMail(t, c, c.charset), []byte("MIME-Version:"), []byte("X-Note: caf\xe9 au lait\r\nMIME-Version:"), 1)
		checkLegacy(t, c, mustParse(t, raw))
	})
}

// legacyFixtures are mails kept in testdata/legacy, made by legacyMail
// (go test -run TestParseLegacyFixtures -update rewrites them).
var legacyFixtures = []struct {
	file     string
	charset  string // of the case
	declared string
}{
	{"gb2312.eml", "gb2312", "gb2312"},
	{"shift_jis.eml", "shift_jis", "shift_jis"},
	{"iso-8859-7.eml", "iso-8859-7", "iso-8859-7"},
	{"koi8-r-undeclared.eml", "koi8-r", ""},
}

func TestParseLegacyFixtures(t *testing.T) {
	for _, f := range legacyFixtures {
		t.Run(f.file, func(t *testing.T) {
			var c legacyCase
			for _, lc := range legacyCases {
				if lc.charset == f.charset {
					c = lc
				}
			}
			path := filepath.Join("testdata", "legacy", f.file)
			want := legacyMail(t, c, f.declared)
			if *update {
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(raw, want) {
				t.Errorf("%s is not what legacyMail makes: run with -update", path)
			}
			checkLegacy(t, c, mustParse(t, raw))
		})
	}
}

func TestRawHeaderText(t *testing.T) {
	gbk := legacyCase{enc: simplifiedchinese.GBK}
	koi8 := legacyCase{enc: charmap.KOI8R}
	subject := gbk.encode(t, "关于年度报告的问题")
	tests := []struct {
		name, v, charset, want string
	}{
		{"UTF-8 whatever is declared", "Grüße", "koi8-r", "Grüße"},
		{"in the charset", subject, "gb2312", "关于年度报告的问题"},
		// A gateway's length limit cut the last character in two.
		{"cut in a character", subject[:len(subject)-1], "gbk", "关于年度报告的问\uFFFD"},
		{"UTF-8 cut in a character", "关于年度报告的问题"[:26], "iso-8859-1", "关于年度报告的问\uFFFD"},
		// Not valid GBK: the value is detected alone.
		{"not in the charset", koi8.encode(t, "Ольга Смирнова"), "gb2312", "Ольга Смирнова"},
		{"no charset, nothing detected", "caf\xe9", "", "café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rawHeaderText(tt.v, tt.charset); got != tt.want {
				t.Errorf("rawHeaderText(%q, %q) = %q, want %q", tt.v, tt.charset, got, tt.want)
			}
		})
	}
}

func TestFileName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"Rechnung  März 2026.pdf", "Rechnung  März 2026.pdf"},
		{"  report 2026 .pdf  ", "report 2026 .pdf"},
		{"a\tb.pdf", "a b.pdf"},
		{`C:\Users\ana\My  Documents\Plan  B.docx`, "Plan  B.docx"},
		{"/home/ana/ notes.txt", "notes.txt"},
		{"=?utf-8?q?Plan__B.pdf?=", "Plan  B.pdf"},
		{"=?koi8-r?b?5M/Hz9fP0iAg0M/T1MHXy8kucGRm?=", "Договор  поставки.pdf"},
	}
	for _, tt := range tests {
		if got := fileName(tt.name); got != tt.want {
			t.Errorf("fileName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestPartFileName holds file names given in ways the legacy mails do not:
// RFC 2231 without a charset, and a Shift_JIS name whose last byte is a
// backslash to a byte parser, before the closing quote.
func TestPartFileName(t *testing.T) {
	sjis := legacyCase{enc: japanese.ShiftJIS}
	koi8 := legacyCase{enc: charmap.KOI8R}
	var pct strings.Builder
	for _, c := range []byte(koi8.encode(t, "Договор поставки.pdf")) {
		fmt.Fprintf(&pct, "%%%02X", c)
	}
	tests := []struct {
		name, disposition, charset, want string
	}{
		{"RFC 2231, no charset", "attachment; filename*=''" + pct.String(), "koi8-r", "Договор поставки.pdf"},
		{"RFC 2231 with its charset", "attachment; filename*=koi8-r''" + pct.String(), "", "Договор поставки.pdf"},
		{"quote after 0x5c", "attachment; filename=\"" + sjis.encode(t, "見積書 表") + "\"", "shift_jis", "見積書 表"},
		{"spaces kept", "attachment; filename=\"Plan  B  final.pdf\"", "", "Plan  B  final.pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			textType := "text/plain"
			if tt.charset != "" {
				textType += "; charset=" + tt.charset
			}
			m := mustParse(t, rawMail([]string{
				"From: a@example.com", "Subject: x", "MIME-Version: 1.0",
				"Content-Type: multipart/mixed; boundary=b1",
			}, "--b1\nContent-Type: "+textType+"\n\nx\n--b1\nContent-Type: application/pdf\n"+
				"Content-Disposition: "+tt.disposition+"\n\n%PDF\n--b1--\n"))
			if len(m.Attachments) != 1 || m.Attachments[0].Name != tt.want {
				t.Errorf("attachments %+v, want one named %q", m.Attachments, tt.want)
			}
		})
	}
}
