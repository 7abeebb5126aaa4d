// Package mailtest provides a real SMTP server on loopback that keeps what
// it receives, for tests and benchmarks of the mail Tend sends.
package mailtest

import (
	"crypto/tls"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Received is a mail the sink accepted.
type Received struct {
	From      string
	To        []string
	Data      []byte
	MessageID string
}

// Sink is an SMTP server that accepts mail and keeps it.
type Sink struct {
	Addr string

	mu       sync.Mutex
	received []Received
	// Fail, when set, answers each DATA with this error instead of 250.
	fail *smtp.SMTPError
	srv  *smtp.Server
	user string
	pass string
}

// Options set up a sink.
type Options struct {
	TLS      *tls.Config // offer STARTTLS
	Username string      // require AUTH PLAIN with these
	Password string
	Addr     string // default 127.0.0.1:0
}

// Start runs a sink until Close.
func Start(opts Options) (*Sink, error) {
	s := &Sink{user: opts.Username, pass: opts.Password}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	srv.TLSConfig = opts.TLS
	srv.AllowInsecureAuth = opts.TLS == nil
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.Addr, s.srv = ln.Addr().String(), srv
	go srv.Serve(ln)
	return s, nil
}

// Close stops the sink.
func (s *Sink) Close() error { return s.srv.Close() }

// Received returns a copy of what the sink accepted so far.
func (s *Sink) Received() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.received...)
}

// FailWith makes the sink answer DATA with code (4xx or 5xx) until it is
// called with 0.
func (s *Sink) FailWith(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		s.fail = nil
		return
	}
	enhanced := smtp.EnhancedCode{code / 100, 0, 0}
	s.fail = &smtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: "the sink refuses this mail"}
}

// NewSession implements smtp.Backend.
func (s *Sink) NewSession(c *smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct {
	s      *Sink
	authed bool
	from   string
	to     []string
}

func (x *sinkSession) AuthMechanisms() []string {
	if x.s.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != x.s.user || pass != x.s.pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Invalid credentials"}
		}
		x.authed = true
		return nil
	}), nil
}

func (x *sinkSession) Mail(from string, opts *smtp.MailOptions) error {
	if x.s.user != "" && !x.authed {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	x.from = from
	return nil
}

func (x *sinkSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.fail != nil {
		return x.s.fail
	}
	id := ""
	if m, err := mail.ReadMessage(strings.NewReader(string(data))); err == nil {
		id = strings.Trim(m.Header.Get("Message-ID"), "<>")
	}
	x.s.received = append(x.s.received, Received{From: x.from, To: x.to, Data: data, MessageID: id})
	return nil
}

func (x *sinkSession) Reset()        { x.from, x.to = "", nil }
func (x *sinkSession) Logout() error { return nil }
