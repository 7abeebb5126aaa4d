// Package smtpd receives mail for Tend's mailboxes over SMTP. It answers
// 250 to a message only once the help desk has committed it, and refuses
// recipients that are not its mailboxes at RCPT, so that it is never a
// relay and senders learn of a wrong address at once.
package smtpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tendhq/tend"
)

// Config sets up the listener.
type Config struct {
	Addr            string
	Domain          string // the name it greets with
	MaxMessageBytes int64
	TLS             *tls.Config // STARTTLS when set
}

// Mailboxes finds the mailbox that receives mail sent to an address.
type Mailboxes interface {
	MailboxForRecipient(ctx context.Context, address string) (*tend.Mailbox, error)
}

// Receiver takes a message for a mailbox and commits it.
type Receiver interface {
	Receive(ctx context.Context, source string, mailboxID int64, recipients []string, raw []byte) (*tend.InboundRecord, error)
}

// New returns an SMTP server for cfg.
func New(cfg Config, mailboxes Mailboxes, receiver Receiver, logger *slog.Logger) *smtp.Server {
	s := smtp.NewServer(&backend{mailboxes: mailboxes, receiver: receiver, logger: logger})
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
	return s
}

type backend struct {
	mailboxes Mailboxes
	receiver  Receiver
	logger    *slog.Logger
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

// Data reads the message and hands it over; 250 follows only once the
// receiver has committed it.
func (s *session) Data(r io.Reader) error {
	start := time.Now()
	raw, err := io.ReadAll(r)
	if err != nil {
		var smtpErr *smtp.SMTPError
		if errors.As(err, &smtpErr) {
			return smtpErr // 552 for a message over the size limit
		}
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rec, err := s.b.receiver.Receive(ctx, "smtp", s.mailboxID, s.recipients, raw)
	if err != nil {
		s.b.logger.Error("smtp: store message", "from", s.from, "remote", s.remote, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
			Message: "The message could not be stored; try again later"}
	}
	s.b.logger.Debug("smtp: message received", "from", s.from, "inbound_id", rec.ID, "outcome", rec.Outcome,
		"bytes", len(raw), "duration", time.Since(start))
	return nil
}

type slogLogger struct{ l *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.l.Warn("smtp", "msg", strings.TrimSpace(fmt.Sprintf(format, v...)))
}
func (l slogLogger) Println(v ...any) { l.l.Warn("smtp", "msg", strings.TrimSpace(fmt.Sprintln(v...))) }
