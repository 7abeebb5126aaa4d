package smtpd

import (
	"net"
	"net/netip"
	"testing"
)

func TestSourceOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr net.Addr
		want string
	}{
		{"IPv4 by itself", &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 40000}, "192.0.2.7/32"},
		{"IPv4 in IPv6 as IPv4", &net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.7"), Port: 40000}, "192.0.2.7/32"},
		{"IPv6 by its /64", &net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), Port: 25}, "2001:db8:1:2::/64"},
		{"IPv6 with a zone", &net.TCPAddr{IP: net.ParseIP("fe80::1"), Zone: "eth0"}, "fe80::/64"},
		{"not IP", &net.UnixAddr{Name: "/run/tend.sock", Net: "unix"}, "invalid Prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sourceOf(tc.addr).String(); got != tc.want {
				t.Errorf("sourceOf(%v) = %s, want %s", tc.addr, got, tc.want)
			}
		})
	}
}

func TestSessionsCount(t *testing.T) {
	s := newSessions(3, 2)
	a, b, unix := netip.MustParsePrefix("192.0.2.1/32"), netip.MustParsePrefix("192.0.2.2/32"), netip.Prefix{}
	const busy, busyHere = "Too many connections; try again later", "Too many connections from your address; try again later"
	for i, st := range []struct {
		give bool
		src  netip.Prefix
		want string // for a take
	}{
		{src: a},
		{src: a},
		{src: a, want: busyHere},
		{src: b},
		{src: unix, want: busy},
		{give: true, src: a},
		{src: unix}, // not IP: counted in all only
		{src: b, want: busy},
		{give: true, src: unix},
		{src: b},
		{src: b, want: busy},
	} {
		if st.give {
			s.give(st.src)
			continue
		}
		if got := s.take(st.src); got != st.want {
			t.Fatalf("step %d, take %v: %q, want %q", i, st.src, got, st.want)
		}
	}
	if s.open != 3 || s.bySource[a] != 1 || s.bySource[b] != 2 || len(s.bySource) != 2 {
		t.Errorf("open %d, by source %v", s.open, s.bySource)
	}
}

func TestStartsWithField(t *testing.T) {
	for in, want := range map[string]bool{
		"From: a@b.example\r\n": true,
		"X-Spam-Flag:YES\r\n":   true,
		"Received: from x":      true,
		"this is not a mail\n":  false,
		": no name\r\n":         false,
		"\r\nFrom: late":        false,
		"":                      false,
		"From a@b Mon Jan 1\n":  false,
	} {
		if got := startsWithField([]byte(in)); got != want {
			t.Errorf("startsWithField(%q) = %v, want %v", in, got, want)
		}
	}
}
