package tend_test

import (
	"strings"
	"testing"

	"github.com/tendhq/tend"
)

// Names are one line: no control character, line separator or
// reordering mark, in every kind of name, while notes keep their lines.
func TestNamesAreOneLine(t *testing.T) {
	validators := map[string]func(name string) error{
		"agent": func(n string) error {
			c := &tend.AgentCreate{Name: n, Email: "ana@staff.example", Role: tend.RoleAgent}
			return c.Validate()
		},
		"customer": func(n string) error {
			return (&tend.CustomerCreate{Name: n, Emails: []string{"ana@example.com"}}).Validate()
		},
		"organization": func(n string) error { c := &tend.OrganizationCreate{Name: n}; c.Normalize(); return c.Validate() },
		"team":         func(n string) error { return (&tend.TeamCreate{Name: n}).Validate() },
		"token":        func(n string) error { return (&tend.TokenCreate{Name: n}).Validate() },
		"mailbox":      func(n string) error { return (&tend.MailboxCreate{Address: "help@acme.example", Name: n}).Validate() },
		"ticket's customer": func(n string) error {
			c := &tend.TicketCreate{Subject: "s", Body: "b", Customer: tend.CustomerRef{Email: "a@example.com", Name: n}}
			c.Normalize()
			return c.Validate()
		},
	}
	for _, bad := range []string{"Eve\r\nBcc: all@example.com", "Eve\nAdmin", "Eve\tSmith", "Eve\x00", "Eve\x1b[31m",
		"Eve\u0085Smith", "Eve\u2028Admin", "Eve \u202egnp.exe", "Eve\u2066x\u2069", "\xff\xfe",
		"Ali\u061cAdmin", "ad\u200bmin", "\ufeffAna"} {
		for kind, validate := range validators {
			if err := validate(bad); tend.ErrorCode(err) != tend.EINVALID || tend.ErrorFields(err)[nameField(kind)] == "" {
				t.Errorf("%s name %q: %v", kind, bad, err)
			}
		}
	}
	for _, good := range []string{"Ana Ortiz", "Zoë O’Brien-Łukasz", "株式会社 テンド", "محمد", "Ana (billing)"} {
		for kind, validate := range validators {
			if err := validate(good); err != nil {
				t.Errorf("%s name %q refused: %v", kind, good, err)
			}
		}
	}
	if err := (&tend.CustomerCreate{Name: "Ana", Emails: []string{"ana@example.com"}, Notes: "line one\nline two\r\n\tindented"}).Validate(); err != nil {
		t.Errorf("notes lost their lines: %v", err)
	}
}

func nameField(kind string) string {
	if kind == "ticket's customer" {
		return "customer.name"
	}
	return "name"
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"Ana Ortiz":                       "Ana Ortiz",
		"  Ana \r\n Ortiz\t":              "Ana Ortiz",
		"Eve \u202egnp.exe":               "Eve gnp.exe",
		"Ana\u200bOrtiz\ufeff":            "AnaOrtiz",
		"Ali\u061c":                       "Ali",
		"می\u200cخواهم":                   "می\u200cخواهم",
		"Eve\x00\x1b[31m":                 "Eve [31m",
		"Zoë\u2028O’Brien":                "Zoë O’Brien",
		"\xffAna":                         "\uFFFDAna",
		"":                                "",
		"株式会社\u3000テンド":                   "株式会社 テンド",
		"Ana\u200f (right-to-left)\u200e": "Ana (right-to-left)",
	} {
		if got := tend.OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":             "report.pdf",
		"../../etc/passwd":       "passwd",
		`C:\Users\ana\scan.png`:  "scan.png",
		"invoice\u202egnp.exe":   "invoicegnp.exe",
		"a\r\nb\x00.txt":         "ab.txt",
		"Q3 report (final).xlsx": "Q3 report (final).xlsx",
		"  ":                     "attachment",
		"..":                     "attachment",
	} {
		if got := tend.CleanFileName(in); got != want {
			t.Errorf("CleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPreviewText(t *testing.T) {
	long := strings.Repeat("word ", 100)
	for _, tc := range []struct{ name, body, want string }{
		{"one line", "Where is my order?", "Where is my order?"},
		{"lines joined", "Hi Ann,\n\nthe invoice is wrong.\r\nThanks", "Hi Ann, the invoice is wrong. Thanks"},
		{"spacing", "  \n\t Refund\t please  \n", "Refund please"},
		{"empty", "", ""},
		{"cut", long, strings.TrimSpace(long[:tend.MaxPreviewLength]) + "…"},
		{"cut by character", strings.Repeat("é", 300), strings.Repeat("é", tend.MaxPreviewLength) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tend.PreviewText(tc.body); got != tc.want {
				t.Errorf("PreviewText(%q) = %q, want %q", tc.body, got, tc.want)
			}
		})
	}
}
