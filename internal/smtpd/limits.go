package smtpd

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// sessions counts the open connections, in all and by source, so that
// strangers cannot tie up the listener: a connection over either cap is
// refused with 421 before the greeting.
type sessions struct {
	max, perSource int

	mu       sync.Mutex
	open     int
	bySource map[netip.Prefix]int
}

func newSessions(max, perSource int) *sessions {
	return &sessions{max: max, perSource: perSource, bySource: make(map[netip.Prefix]int)}
}

// take counts a connection from src in, or returns why it is refused. A
// src that is not valid (not an IP connection) counts only in all.
func (s *sessions) take(src netip.Prefix) (refused string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.open >= s.max:
		return "Too many connections; try again later"
	case src.IsValid() && s.bySource[src] >= s.perSource:
		return "Too many connections from your address; try again later"
	}
	s.open++
	if src.IsValid() {
		s.bySource[src]++
	}
	return ""
}

// give counts a connection from src out again.
func (s *sessions) give(src netip.Prefix) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open--
	if !src.IsValid() {
		return
	}
	if s.bySource[src]--; s.bySource[src] <= 0 {
		delete(s.bySource, src)
	}
}

// sourceOf returns what a remote address counts under: an IPv4 address
// by itself, an IPv6 address by its /64, which is what one site or one
// customer line is given, so that a host cannot step around the cap by
// using the next of its 2^64 addresses.
func sourceOf(addr net.Addr) netip.Prefix {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return netip.Prefix{}
	}
	ip := tcp.AddrPort().Addr().Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, err := ip.WithZone("").Prefix(bits)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

// capListener refuses the connections over the caps of sessions and
// counts the others out when they close.
type capListener struct {
	net.Listener
	sessions *sessions
	domain   string
	logger   *slog.Logger

	refused    int // since the last log line
	lastLogged time.Time
}

func (l *capListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		src := sourceOf(c.RemoteAddr())
		if refused := l.sessions.take(src); refused != "" {
			// RFC 5321 lets a server answer the connection with 421 in
			// place of its greeting. The write goes into an empty socket
			// buffer, so it does not hold up the next Accept; the
			// deadline is there for the case it would.
			c.SetWriteDeadline(time.Now().Add(time.Second))
			fmt.Fprintf(c, "421 %s %s\r\n", l.domain, refused)
			c.Close()
			l.logRefusal(c.RemoteAddr(), refused)
			continue
		}
		return &countedConn{Conn: c, done: func() { l.sessions.give(src) }}, nil
	}
}

// logRefusal logs a refused connection, and under a flood one line a
// minute with how many were refused, so that strangers cannot fill the
// log either. Accept runs in one goroutine, which the fields rely on.
func (l *capListener) logRefusal(remote net.Addr, reason string) {
	l.refused++
	if now := time.Now(); now.Sub(l.lastLogged) >= time.Minute {
		l.logger.Warn("smtp: connection refused", "remote", remote.String(), "reason", reason, "refused", l.refused)
		l.refused, l.lastLogged = 0, now
	}
}

// countedConn counts itself out of the sessions once, when it closes.
type countedConn struct {
	net.Conn
	once sync.Once
	done func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.done)
	return err
}
