package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Transport hands a mail over for delivery.
type Transport interface {
	// Send returns a *PermanentError when trying again cannot help.
	Send(ctx context.Context, from string, to []string, mailID string, data []byte) error
}

// PermanentError is a failure that retrying will not mend, such as a
// relay refusing a recipient with a 5xx reply.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Outbox writes each mail as an .eml file into a folder instead of sending
// it: with no relay set up, what would have gone out is there to read.
type Outbox struct {
	Dir string
}

// Send writes the mail to Dir/<Message-ID>.eml, below a Return-Path line
// with the envelope's sender, as a delivering server records it: where its
// bounces would go. Writing it again gives the same file, so a retry never
// makes a second mail.
func (o Outbox) Send(ctx context.Context, from string, to []string, mailID string, data []byte) error {
	data = append([]byte("Return-Path: <"+strings.NewReplacer("\r", "", "\n", "", "<", "", ">", "").Replace(from)+">\r\n"), data...)
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return err
	}
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 || r == 0x7f {
			return '_'
		}
		return r
	}, mailID) + ".eml"
	tmp, err := os.CreateTemp(o.Dir, ".sending-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), filepath.Join(o.Dir, name)); err != nil {
		return err
	}
	d, err := os.Open(o.Dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Relay sends mail through an SMTP server, with STARTTLS when it offers it
// (required unless it is on this machine) and AUTH PLAIN when a user is set.
type Relay struct {
	Addr     string // host:port
	Username string
	Password string
	HelloAs  string // the name Tend greets with
	// InsecureTLS skips certificate checks, for test relays only.
	InsecureTLS bool
	Timeout     time.Duration
}

// Send delivers one mail through the relay.
func (r Relay) Send(ctx context.Context, from string, to []string, mailID string, data []byte) error {
	timeout := r.Timeout
	if timeout == 0 {
		timeout = 50 * time.Second
	}
	if deadline, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(deadline))
	}
	host, _, _ := net.SplitHostPort(r.Addr)
	c, err := r.dial(ctx, host, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	if r.Username != "" {
		// A refused login is Tend's settings, not the mail: it stays
		// queued, to go out once the settings are mended.
		if err := c.Auth(sasl.NewPlainClient("", r.Username, r.Password)); err != nil {
			return fmt.Errorf("log in to relay %s as %s: %w", r.Addr, r.Username, err)
		}
	}
	if err := c.Mail(from, nil); err != nil {
		return classify(err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			return classify(fmt.Errorf("recipient %s: %w", rcpt, err))
		}
	}
	w, err := c.Data()
	if err != nil {
		return classify(err)
	}
	if _, err := w.Write(data); err != nil {
		return classify(err)
	}
	if err := w.Close(); err != nil {
		return classify(err)
	}
	c.Quit()
	return nil
}

// dial connects to the relay, with STARTTLS when it offers it. Only a relay
// on this machine may go without.
func (r Relay) dial(ctx context.Context, host string, timeout time.Duration) (*smtp.Client, error) {
	dialer := net.Dialer{Timeout: min(timeout, 20*time.Second)}
	connect := func() (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, "tcp", r.Addr)
		if err != nil {
			return nil, fmt.Errorf("connect to relay %s: %w", r.Addr, err)
		}
		conn.SetDeadline(time.Now().Add(timeout))
		return conn, nil
	}
	conn, err := connect()
	if err != nil {
		return nil, err
	}
	c, tlsErr := smtp.NewClientStartTLS(conn, &tls.Config{ServerName: host, InsecureSkipVerify: r.InsecureTLS})
	if tlsErr == nil {
		return c, classify(c.Hello(r.helloName()))
	}
	if !isLoopback(host) || !strings.Contains(tlsErr.Error(), "doesn't support STARTTLS") {
		return nil, fmt.Errorf("relay %s: %w; Tend sends mail only over TLS, except to a relay on this machine", r.Addr, tlsErr)
	}
	if conn, err = connect(); err != nil {
		return nil, err
	}
	c = smtp.NewClient(conn)
	if err := c.Hello(r.helloName()); err != nil {
		c.Close()
		return nil, classify(err)
	}
	return c, nil
}

func (r Relay) helloName() string {
	if r.HelloAs != "" {
		return r.HelloAs
	}
	if h, err := os.Hostname(); err == nil && strings.Contains(h, ".") {
		return h
	}
	return "localhost"
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// classify makes a 5xx reply permanent; anything else may pass.
func classify(err error) error {
	var smtpErr *smtp.SMTPError
	if errors.As(err, &smtpErr) && smtpErr.Code >= 500 {
		return &PermanentError{Err: err}
	}
	return err
}
