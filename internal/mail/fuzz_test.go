package mail

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// fuzzSeeds are corpus mails that start the fuzzer off on real structure:
// multiparts nested and broken, charsets, reports, uuencode.
var fuzzSeeds = []string{
	"stalwart-mail-parser/resources/eml/malformed/016.eml",
	"stalwart-mail-parser/resources/eml/thirdparty/005.eml",
	"stalwart-mail-parser/resources/eml/rfc/007.eml",
	"php-mime-mail-parser/tests/mails/m0008",
	"php-mime-mail-parser/tests/mails/m0013",
	"enmime/testdata/mail/html-only-inline.raw",
	"enmime/dsn/testdata/multi_recipient_dsn.raw",
	"mikel-mail/spec/fixtures/emails/error_emails/content_transfer_encoding_x_uuencode.eml",
	"mikel-mail/spec/fixtures/emails/multi_charset/japanese_iso_2022.eml",
	"sisimai-set-of-emails/maildir/bsd/lhost-postfix-01.eml",
	"sisimai-set-of-emails/maildir/bsd/arf-01.eml",
	"sisimai-set-of-emails/maildir/mac/rfc3834-01.eml",
}

// maxFuzzInput bounds the inputs tried: bigger ones only make each run
// slower, not the parser's paths different.
const maxFuzzInput = 1 << 20

// FuzzParse feeds Parse and Classify arbitrary bytes: they must not panic
// or hang, must refuse only what has no header, and every string they
// return must be storable (valid UTF-8, no control characters).
func FuzzParse(f *testing.F) {
	for _, name := range fuzzSeeds {
		if raw, err := os.ReadFile(filepath.Join(corporaDir, name)); err == nil {
			f.Add(raw)
		}
	}
	f.Add([]byte("From: a@example.com\nContent-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/alternative; boundary=a\n\n--a\n\nx\n--a--\n"))
	f.Add([]byte("Subject: =?utf-7?B?K0FHRUFZUUJo?=\nContent-Type: text/plain; charset=utf-16\nContent-Transfer-Encoding: base64\n\n//5oAGkA\n"))
	f.Add([]byte("From: MAILER-DAEMON\nContent-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@y\nAction: failed\nStatus: 5.1.1\n--r--\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if len(raw) > maxFuzzInput {
			return
		}
		m, _, err := parseBounded(t, "input", raw)
		if err != nil {
			if !errors.Is(err, ErrNotMail) {
				t.Fatalf("Parse: %v", err)
			}
			return
		}
		checkClean(t, "input", m)
	})
}
