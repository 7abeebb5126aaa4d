package tend_test

import (
	"testing"

	"github.com/tendhq/tend"
)

func TestUsableAddress(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"ann@example.com", "ann@example.com"},
		{"  Ann@Example.COM ", "ann@example.com"},
		{"<ann@example.com>", "ann@example.com"},
		{"ann@example.com.", "ann@example.com"},
		{"o'brien+help@example.ie", "o'brien+help@example.ie"},
		{"ann smith@example.com", ""},
		{"root@localhost", ""},
		{"", ""},
		{"MAILER-DAEMON", ""},
		{"ann@", ""},
		{"ann@@example.com", ""},
	} {
		if got := tend.UsableAddress(c.in); got != c.want {
			t.Errorf("UsableAddress(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestChooseSender(t *testing.T) {
	a := func(name, email string) tend.MailAddress { return tend.MailAddress{Name: name, Email: email} }
	for _, c := range []struct {
		name       string
		candidates []tend.MailAddress
		want       tend.MailAddress
		ok         bool
	}{
		{"From when it is usable", []tend.MailAddress{a("Ann", "ann@example.com"), a("", "list@example.com")}, a("Ann", "ann@example.com"), true},
		{"From mended", []tend.MailAddress{a("Ann", "ann@example.com.")}, a("Ann", "ann@example.com"), true},
		{"Reply-To when From is broken", []tend.MailAddress{a("Ann", "ann smith@example"), a("Ann S", "ann@example.org")}, a("Ann S", "ann@example.org"), true},
		{"the envelope when nothing else is", []tend.MailAddress{a("", ""), {}, {}, a("", "bounces@example.net")}, a("", "bounces@example.net"), true},
		{"none usable", []tend.MailAddress{a("Ann", "ann@intranet"), a("", "")}, tend.MailAddress{}, false},
		{"no candidates", nil, tend.MailAddress{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := tend.ChooseSender(c.candidates...)
			if got != c.want || ok != c.ok {
				t.Errorf("ChooseSender = %+v, %v; want %+v, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestReadAuthenticationResults(t *testing.T) {
	trusted := []string{"mx.acme.example"}
	for _, c := range []struct {
		name   string
		values []string
		want   tend.AuthFailure
	}{
		{"a pass", []string{"mx.acme.example; spf=pass smtp.mailfrom=example.org; dmarc=pass header.from=example.org"}, tend.AuthFailure{}},
		{"DMARC failing for the From domain", []string{"mx.acme.example; dmarc=fail (p=reject) header.from=example.org"}, tend.AuthFailure{DMARC: true}},
		{"DMARC failing for another domain", []string{"mx.acme.example; dmarc=fail header.from=other.example"}, tend.AuthFailure{}},
		{"SPF hard fail", []string{"mx.acme.example; spf=fail smtp.mailfrom=example.org"}, tend.AuthFailure{SPF: true}},
		{"SPF soft fail is not a failure", []string{"mx.acme.example; spf=softfail smtp.mailfrom=example.org"}, tend.AuthFailure{}},
		{"an untrusted host's word counts for nothing", []string{"evil.example; dmarc=pass", "mx.evil.example; dmarc=fail header.from=example.org"}, tend.AuthFailure{}},
		{"the host's id is matched case-blind, with a version", []string{"MX.Acme.Example 1; dmarc=FAIL header.from=Example.org"}, tend.AuthFailure{DMARC: true}},
		{"none", nil, tend.AuthFailure{}},
		{"garbage", []string{";;;", "mx.acme.example", "mx.acme.example; =; dmarc"}, tend.AuthFailure{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := tend.ReadAuthenticationResults(c.values, trusted, "example.org"); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestBounceAddress(t *testing.T) {
	addr := tend.BounceAddress("support@acme.example", 42, "k3y")
	if addr != "support+b.42.k3y@acme.example" {
		t.Fatalf("BounceAddress = %q", addr)
	}
	if id, sig, ok := tend.ReadBounceAddress("Support+B.42.K3Y@acme.example", "support@acme.example"); !ok || id != 42 || sig != "k3y" {
		t.Errorf("ReadBounceAddress = %d, %q, %v", id, sig, ok)
	}
	for _, bad := range []string{"support+abc@acme.example", "support+b.x.k@acme.example", "support+b.42@acme.example",
		"support+b.42.@acme.example", "support+b.-1.k@acme.example", "support+b.42.k@other.example", "support@acme.example"} {
		if _, _, ok := tend.ReadBounceAddress(bad, "support@acme.example"); ok {
			t.Errorf("ReadBounceAddress(%q) is ok", bad)
		}
	}
}

func TestBlockPattern(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Spam@Example.com", "spam@example.com"},
		{"example.com", "@example.com"},
		{" @Example.COM ", "@example.com"},
		{"sub.example.co.uk", "@sub.example.co.uk"},
		{"localhost", ""},
		{"ann smith@example.com", ""},
		{"", ""},
		{"@", ""},
		{"a@b@c.com", ""},
		{"*.bad.example", ""},
		{"bad_example.com", ""},
		{"xn--bcher-kva.example", "@xn--bcher-kva.example"},
	} {
		got, err := tend.BlockPattern(c.in)
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("BlockPattern(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
