package smtpd_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend/internal/smtpd"
)

// connectFrom opens a connection to addr from the loopback address ip
// (Linux routes all of 127.0.0.0/8 to loopback) and returns it with the
// server's first line.
func connectFrom(t *testing.T, ip, addr string) (net.Conn, string) {
	t.Helper()
	c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}).Dial("tcp", addr)
	if err != nil {
		t.Fatalf("connect from %s: %v", ip, err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("greeting to %s: %v", ip, err)
	}
	return c, strings.TrimSpace(line)
}

const (
	greeting = "220 mx.acme.example ESMTP Service Ready"
	busyHere = "421 mx.acme.example Too many connections from your address; try again later"
	busy     = "421 mx.acme.example Too many connections; try again later"
)

// closed reports whether the server closes c, after what it still says.
func closed(c net.Conn) bool {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.Copy(io.Discard, c)
	return err == nil
}

// eventually connects from ip until the server greets it, which it does
// once it has seen a connection close and counted it out.
func eventually(t *testing.T, ip, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, line := connectFrom(t, ip, addr)
		if line == greeting {
			return
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("from %s after a connection closed: %q", ip, line)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSMTPSessionsPerAddress(t *testing.T) {
	addr := serve(t, smtpd.Config{}, nil) // the defaults: 100 in all, 10 an address
	var open []net.Conn
	for i := range 10 {
		c, line := connectFrom(t, "127.0.0.1", addr)
		if line != greeting {
			t.Fatalf("connection %d: %q", i+1, line)
		}
		open = append(open, c)
	}
	c, line := connectFrom(t, "127.0.0.1", addr)
	if line != busyHere {
		t.Fatalf("an 11th connection from the same address: %q, want %q", line, busyHere)
	}
	if !closed(c) {
		t.Error("the refused connection was left open")
	}
	if _, line := connectFrom(t, "127.0.0.2", addr); line != greeting {
		t.Fatalf("from another address: %q", line)
	}
	open[0].Close()
	eventually(t, "127.0.0.1", addr)
}

func TestSMTPSessionsInAll(t *testing.T) {
	addr := serve(t, smtpd.Config{MaxSessions: 3}, nil)
	var open []net.Conn
	for _, ip := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.2"} {
		c, line := connectFrom(t, ip, addr)
		if line != greeting {
			t.Fatalf("from %s: %q", ip, line)
		}
		open = append(open, c)
	}
	if _, line := connectFrom(t, "127.0.0.3", addr); line != busy {
		t.Fatalf("a 4th connection: %q, want %q", line, busy)
	}
	// A session that ends by QUIT frees its place as one cut off does.
	io.WriteString(open[1], "QUIT\r\n")
	if !closed(open[1]) {
		t.Fatal("QUIT did not end the session")
	}
	eventually(t, "127.0.0.3", addr)
}
