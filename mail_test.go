package tend_test

import (
	"testing"

	"github.com/tendhq/tend"
)

func TestIMAPInputNeedsSecret(t *testing.T) {
	was := &tend.IMAP{Host: "imap.acme.example", Port: 993, Security: "tls", Username: "help", Auth: "password", Folder: "INBOX"}
	same := func(change func(in *tend.IMAPInput)) *tend.IMAPInput {
		in := &tend.IMAPInput{Host: "imap.acme.example", Port: 993, Security: "tls", Username: "help", Auth: "password", Folder: "INBOX"}
		change(in)
		return in
	}
	for _, c := range []struct {
		name      string
		in        *tend.IMAPInput
		was       *tend.IMAP
		hadSecret bool
		want      bool
	}{
		{"no change", same(func(*tend.IMAPInput) {}), was, true, false},
		{"another folder", same(func(in *tend.IMAPInput) { in.Folder, in.DoneFolder = "Support", "Done" }), was, true, false},
		{"a host stored in capitals", same(func(*tend.IMAPInput) {}), &tend.IMAP{Host: "IMAP.Acme.example", Port: 993,
			Security: "tls", Username: "help", Auth: "password"}, true, false},
		{"another host", same(func(in *tend.IMAPInput) { in.Host = "imap.evil.example" }), was, true, true},
		{"another port", same(func(in *tend.IMAPInput) { in.Port = 143 }), was, true, true},
		{"another security", same(func(in *tend.IMAPInput) { in.Security = "none" }), was, true, true},
		{"another user", same(func(in *tend.IMAPInput) { in.Username = "other" }), was, true, true},
		{"another way of signing in", same(func(in *tend.IMAPInput) { in.Auth = "xoauth2" }), was, true, true},
		{"another host with its secret", same(func(in *tend.IMAPInput) { in.Host, in.Secret = "imap.new.example", "pw" }), was, true, false},
		{"no account before", same(func(*tend.IMAPInput) {}), nil, false, true},
		{"no account before, with a secret", same(func(in *tend.IMAPInput) { in.Secret = "pw" }), nil, false, false},
		{"no secret stored", same(func(*tend.IMAPInput) {}), was, false, true},
		{"polling stopped", &tend.IMAPInput{}, was, true, false},
		{"no IMAP input", nil, was, true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.in.NeedsSecret(c.was, c.hadSecret); got != c.want {
				t.Errorf("NeedsSecret = %v, want %v", got, c.want)
			}
		})
	}
}

// The host is compared, and dialled, as it is normalised: lower-cased, so
// that a host which only folds to the stored one is the stored one.
func TestIMAPHostIsNormalised(t *testing.T) {
	u := &tend.MailboxUpdate{IMAP: &tend.IMAPInput{Host: " IMAP.\u212Acme.Example ", Username: "help", Secret: "pw"}}
	u.Normalize()
	if u.IMAP.Host != "imap.kcme.example" {
		t.Errorf("the host is %q", u.IMAP.Host)
	}
}

func TestCleanMailSubject(t *testing.T) {
	for in, want := range map[string]string{
		"Re: Fwd: Card never arrived": "Card never arrived",
		"Re: My Hub [#1301]":          "My Hub",
		"[Acme #1301] Re: My Hub":     "My Hub",
		"AW: [#7] Rechnung":           "Rechnung",
		"[#1301]":                     "(no subject)",
		"":                            "(no subject)",
		"line1\r\n\tline2 \u202eevil": "line1 line2 evil",
		"Invoice\u200b 2291\u2066 is wrong\u2069": "Invoice 2291 is wrong",
		"Order [shipped] today":                   "Order [shipped] today",
	} {
		if got := tend.CleanMailSubject(in); got != want {
			t.Errorf("CleanMailSubject(%q) = %q, want %q", in, got, want)
		}
	}
}
