package smtpd_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/mailtest"
	"github.com/tendhq/tend/internal/smtpd"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

type listener struct {
	addr    string
	inbound *sqldb.InboundService
	tickets *sqldb.TicketService
}

// listen starts the SMTP listener on a random loopback port over a real
// database with the mailbox support@acme.example.
func listen(t testing.TB, db *sqldb.DB, maxBytes int64, tlsConfig *tls.Config) *listener {
	t.Helper()
	p := mailtest.NewPipeline(t, db)
	mailboxes := sqldb.NewMailboxService(db, nil)
	if _, err := mailboxes.CreateMailbox(tend.SystemContext(context.Background()), &tend.MailboxCreate{Address: "support@acme.example"}); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := smtpd.New(smtpd.Config{Domain: "mx.acme.example", MaxMessageBytes: maxBytes, TLS: tlsConfig, SpoolDir: t.TempDir()},
		mailboxes, p.Receiver, logger)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &listener{addr: ln.Addr().String(), inbound: p.Inbound, tickets: p.Tickets}
}

// acme is the one mailbox of the tests that do without a database.
type acme struct{}

func (acme) MailboxForRecipient(ctx context.Context, address string) (*tend.Mailbox, error) {
	if !strings.EqualFold(address, "support@acme.example") {
		return nil, tend.Errorf(tend.ENOTFOUND, "no mailbox")
	}
	return &tend.Mailbox{ID: 1, Address: "support@acme.example"}, nil
}

// serve starts a listener for cfg on a random port of 127.0.0.1.
func serve(t *testing.T, cfg smtpd.Config, receiver smtpd.Receiver) string {
	t.Helper()
	cfg.Domain = "mx.acme.example"
	srv, err := smtpd.New(cfg, acme{}, receiver, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func message(subject string) string {
	return "From: Mia <mia@customer.example>\r\nTo: support@acme.example\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@customer.example>\r\n\r\nHello there.\r\n"
}

// send runs one SMTP transaction and returns the error of the step that
// failed.
func send(c *smtp.Client, to, data string) error {
	if err := c.Mail("mia@customer.example", nil); err != nil {
		return err
	}
	if err := c.Rcpt(to, nil); err != nil {
		c.Reset()
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, data); err != nil {
		return err
	}
	return w.Close()
}

func smtpCode(err error) int {
	var e *smtp.SMTPError
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}

func TestSMTPConversation(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		l := listen(t, db, 64<<10, nil)
		c, err := smtp.Dial(l.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()

		err = send(c, "nobody@acme.example", message("Lost"))
		if smtpCode(err) != 550 || !strings.Contains(err.Error(), "No mailbox here by that name: nobody@acme.example") {
			t.Fatalf("unknown recipient: %v", err)
		}
		if err := send(c, "someone@elsewhere.example", message("Relay")); smtpCode(err) != 550 {
			t.Fatalf("relaying elsewhere: %v", err)
		}

		// 250 comes only once the message is committed: right after it,
		// the ticket is there.
		if err := send(c, "Support@Acme.example", message("First question")); err != nil {
			t.Fatalf("deliver: %v", err)
		}
		recs, _, err := l.inbound.FindInbound(tend.SystemContext(context.Background()), tend.InboundFilter{})
		if err != nil || len(recs) != 1 || recs[0].Outcome != tend.OutcomeCreated || recs[0].Source != "smtp" {
			t.Fatalf("after 250: %+v, %v", recs, err)
		}
		if err := send(c, "support+abc123@acme.example", message("Second question")); err != nil {
			t.Fatalf("deliver to a plus address: %v", err)
		}

		// Lines longer than RFC 5321 allows are common in real mail.
		long := message("Long line") + strings.Repeat("x", 5000) + "\r\n"
		if err := send(c, "support@acme.example", long); err != nil {
			t.Fatalf("a mail with a 5,000-byte line: %v", err)
		}

		big := message("Huge") + strings.Repeat("0123456789abcdef\r\n", 64<<10/18+100)
		if err := send(c, "support@acme.example", big); smtpCode(err) != 552 {
			t.Fatalf("oversized message: %v", err)
		}
		tickets, _, _ := l.tickets.FindTickets(tend.SystemContext(context.Background()), tend.TicketFilter{})
		if len(tickets) != 3 {
			t.Fatalf("%d tickets, want 3: nothing of the refused or oversized messages may remain", len(tickets))
		}
		if err := c.Quit(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSMTPStartTLS(t *testing.T) {
	l := listen(t, sqldbtest.Open(t, sqldb.SQLite), 1<<20, &tls.Config{Certificates: []tls.Certificate{mailtest.SelfSigned(t, "mx.acme.example")}})
	c, err := smtp.DialStartTLS(l.addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	defer c.Close()
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("the connection is not encrypted")
	}
	if err := send(c, "support@acme.example", message("Over TLS")); err != nil {
		t.Fatal(err)
	}
}
