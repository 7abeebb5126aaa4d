// Package smtpd receives mail for Tend's mailboxes over SMTP. It answers
// 250 to a message only once the help desk has committed it, and refuses
// recipients that are not its mailboxes at RCPT, so that it is never a
// relay and senders learn of a wrong address at once.
package smtpd

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tendhq/tend"
	"golang.org/x/sync/semaphore"
)

// Config sets up the listener.
type Config struct {
	Addr            string
	Domain          string // the name it greets with
	MaxMessageBytes int64
	TLS             *tls.Config // STARTTLS when set

	// MaxSessions caps the connections open at once (default 100), and
	// MaxSessionsPerIP those from one IPv4 address or IPv6 /64 (default
	// 10); one more is answered 421 and closed.
	MaxSessions, MaxSessionsPerIP int
	// SpoolDir is the folder that mail is written to while it arrives,
	// so that it waits there rather than in memory; empty for the
	// system's temporary folder. Files left in it by a server that died
	// are removed at start.
	SpoolDir string
	// MaxReadingBytes caps the bytes of mail being read and delivered at
	// once (default twice MaxMessageBytes, or 64 MiB without it); more
	// waits in the spool. Reading a mail takes memory in proportion to
	// its size, so the cap is in bytes rather than in mails: two large
	// mails are read at a time, or many small ones.
	MaxReadingBytes int64
}

// Mailboxes finds the mailbox that receives mail sent to an address.
type Mailboxes interface {
	MailboxForRecipient(ctx context.Context, address string) (*tend.Mailbox, error)
}

// Receiver takes a message for a mailbox and commits it.
type Receiver interface {
	Receive(ctx context.Context, source string, mailboxID int64, recipients []string, raw []byte) (*tend.InboundRecord, error)
}

// Server is the SMTP listener.
type Server struct {
	smtp     *smtp.Server
	sessions *sessions
	logger   *slog.Logger
}

// New returns an SMTP server for cfg. It creates cfg.SpoolDir and
// empties it of mail that a server before it was receiving when it
// stopped: none of that mail was answered 250, so its senders will send
// it again. It fails only when it cannot.
func New(cfg Config, mailboxes Mailboxes, receiver Receiver, logger *slog.Logger) (*Server, error) {
	spool := cfg.SpoolDir
	if spool != "" {
		if err := openSpool(spool); err != nil {
			return nil, err
		}
	} else {
		spool = os.TempDir()
	}
	reading := cfg.MaxReadingBytes
	if reading <= 0 {
		reading = 64 << 20
		if cfg.MaxMessageBytes > 0 {
			reading = 2 * cfg.MaxMessageBytes
		}
	}
	b := &backend{mailboxes: mailboxes, receiver: receiver, logger: logger, spool: spool,
		reading: semaphore.NewWeighted(reading), maxReading: reading}
	s := smtp.NewServer(b)
	s.Addr = cfg.Addr
	s.Domain = cfg.Domain
	if s.Domain == "" {
		s.Domain = "localhost"
	}
	s.MaxMessageBytes = cfg.MaxMessageBytes
	s.MaxRecipients = 100
	// RFC 5321 limits lines to 1,000 bytes, but real mail breaks that
	// (long HTML, unwrapped base64) and refusing it would lose it; the
	// message size limit still bounds what a line can take.
	s.MaxLineLength = 1 << 20
	s.ReadTimeout = 5 * time.Minute
	s.WriteTimeout = 5 * time.Minute
	s.TLSConfig = cfg.TLS
	s.EnableSMTPUTF8 = true
	s.ErrorLog = slogLogger{logger}
	return &Server{smtp: s, logger: logger,
		sessions: newSessions(cmp.Or(cfg.MaxSessions, 100), cmp.Or(cfg.MaxSessionsPerIP, 10))}, nil
}

// Serve answers the connections of ln until the server is closed. ln is
// a plain TCP listener: TLS comes by STARTTLS.
func (s *Server) Serve(ln net.Listener) error {
	return s.smtp.Serve(&capListener{Listener: ln, sessions: s.sessions, domain: s.smtp.Domain, logger: s.logger})
}

// Close stops listening and closes every connection at once.
func (s *Server) Close() error { return s.smtp.Close() }

// Shutdown stops listening and waits, until ctx is done, for the
// connections open to end.
func (s *Server) Shutdown(ctx context.Context) error { return s.smtp.Shutdown(ctx) }

type backend struct {
	mailboxes Mailboxes
	receiver  Receiver
	logger    *slog.Logger
	spool     string

	// reading holds a mail's size while it is read and delivered.
	reading    *semaphore.Weighted
	maxReading int64
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{b: b, remote: c.Conn().RemoteAddr().String()}, nil
}

// session is one SMTP conversation, possibly of several messages.
type session struct {
	b          *backend
	remote     string
	from       string
	mailboxID  int64
	recipients []string
}

func (s *session) Reset() {
	s.from, s.mailboxID, s.recipients = "", 0, nil
}

func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, opts *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt accepts the addresses of Tend's mailboxes, plus addresses included,
// and refuses any other with 550.
func (s *session) Rcpt(to string, opts *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	mb, err := s.b.mailboxes.MailboxForRecipient(ctx, to)
	switch {
	case tend.ErrorCode(err) == tend.ENOTFOUND:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
			Message: "No mailbox here by that name: " + strings.ToValidUTF8(to, "?")}
	case err != nil:
		s.b.logger.Error("smtp: look up recipient", "to", to, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure; try again later"}
	}
	if s.mailboxID == 0 {
		s.mailboxID = mb.ID
	}
	s.recipients = append(s.recipients, to)
	return nil
}

// Data keeps the message as it arrives, in memory when small and in a
// spool file beyond, then, once the bytes being read are few enough,
// hands it over; 250 follows only once
// the receiver has committed it.
func (s *session) Data(r io.Reader) error {
	start := time.Now()
	sp, err := s.b.spoolData(r)
	spooled := time.Now()
	if sp != nil && sp.file != nil {
		defer os.Remove(sp.file.Name())
		defer sp.file.Close()
	}
	if err != nil {
		var smtpErr *smtp.SMTPError
		if errors.As(err, &smtpErr) {
			return smtpErr // 552 for a message over the size limit
		}
		if errors.Is(err, errSpool) {
			s.b.logger.Error("smtp: spool message", "from", s.from, "remote", s.remote, "err", err)
			return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1},
				Message: "The message could not be stored; try again later"}
		}
		return err
	}
	size := sp.size
	// A sender waits up to 10 minutes for the answer (RFC 5321, 4.5.3.2.6).
	wait, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	weight := min(max(size, 1), s.b.maxReading)
	if err := s.b.reading.Acquire(wait, weight); err != nil {
		s.b.logger.Warn("smtp: too much mail being read; refused for now", "from", s.from, "remote", s.remote, "bytes", size)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 2},
			Message: "Too busy to read the message; try again later"}
	}
	defer s.b.reading.Release(weight)
	waited := time.Since(spooled)
	rec, err := s.receive(sp)
	if tend.ErrorCode(err) == tend.EFORBIDDEN {
		// Refused by what it is (mail from the desk's own address), not
		// by a fault: trying again would not help.
		s.b.logger.Info("smtp: message refused", "from", s.from, "remote", s.remote, "why", tend.ErrorMessage(err))
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: tend.ErrorMessage(err)}
	}
	if err != nil {
		s.b.logger.Error("smtp: store message", "from", s.from, "remote", s.remote, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
			Message: "The message could not be stored; try again later"}
	}
	s.b.logger.Debug("smtp: message received", "from", s.from, "inbound_id", rec.ID, "outcome", rec.Outcome,
		"bytes", size, "waited", waited, "duration", time.Since(start))
	return nil
}

// receive reads the spooled message back and hands it to the receiver,
// with the envelope's sender in a Return-Path line on top, as the server
// that delivers a mail records it (RFC 5321, 4.4): when the mail's own
// From is unusable, it may be the only address to answer.
func (s *session) receive(sp *spooled) (*tend.InboundRecord, error) {
	returnPath := "Return-Path: <" + strings.Map(headerSafe, s.from) + ">\r\n"
	raw := make([]byte, len(returnPath)+int(sp.size))
	copy(raw, returnPath)
	if err := sp.readAt(raw[len(returnPath):]); err != nil {
		return nil, fmt.Errorf("read spooled message: %w", err)
	}
	if !startsWithField(raw[len(returnPath):]) {
		// Not a mail: on top of it, the line would make its first line
		// read as a header and be lost. It goes to quarantine as it came.
		raw = raw[len(returnPath):]
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return s.b.receiver.Receive(ctx, "smtp", s.mailboxID, s.recipients, raw)
}

// startsWithField reports whether b begins with a header field, "Name:",
// as a mail does (RFC 5322: printable characters but the colon, then one).
func startsWithField(b []byte) bool {
	for i, c := range b[:min(len(b), 1000)] {
		switch {
		case c == ':':
			return i > 0
		case c < '!' || c > '~':
			return false
		}
	}
	return false
}

// headerSafe drops what would end or break a header line.
func headerSafe(r rune) rune {
	if r == '\r' || r == '\n' || r == '<' || r == '>' || r == 0 {
		return -1
	}
	return r
}

type slogLogger struct{ l *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.l.Warn("smtp", "msg", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
func (l slogLogger) Println(v ...any) { l.l.Warn("smtp", "msg", strings.TrimSpace(fmt.Sprintln(v...))) }
