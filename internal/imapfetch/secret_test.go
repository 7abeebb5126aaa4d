package imapfetch_test

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/imapfetch"
	"github.com/tendhq/tend/internal/secret"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// listener is an IMAP server of an attacker's on loopback: it greets,
// refuses every command, and keeps everything a client sent it.
type listener struct {
	host string
	port int
	mu   sync.Mutex
	got  bytes.Buffer
}

func listen(t *testing.T) *listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	l := &listener{host: "127.0.0.1", port: ln.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go l.serve(conn)
		}
	}()
	return l
}

func (l *listener) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(conn, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		l.mu.Lock()
		l.got.WriteString(line)
		l.mu.Unlock()
		if err != nil {
			return
		}
		if tag, _, ok := strings.Cut(line, " "); ok {
			io.WriteString(conn, tag+" NO go away\r\n")
		}
	}
}

func (l *listener) received() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.got.String()
}

// The stored password goes only to the account it was given for. Pointing
// a mailbox at another server, port, security, user or way of signing in
// needs the password again, so nobody who may edit the settings can have
// Tend send it to a server of theirs.
func TestStoredPasswordStaysWithItsAccount(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		box, err := secret.New(make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		mailboxes := sqldb.NewMailboxService(db, box)
		poller := &imapfetch.Poller{Mailboxes: mailboxes, Interval: time.Minute, MaxMessageBytes: 1 << 20,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		const password = "the-real-password-7731"
		evil := listen(t)
		account := tend.IMAPInput{Host: "imap.acme.example", Port: 993, Security: "tls", Username: "help", Auth: "password",
			Secret: password, Folder: "INBOX"}
		mb, err := mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: "help@acme.example", IMAP: &account})
		if err != nil {
			t.Fatal(err)
		}

		for _, c := range []struct {
			name   string
			change func(in *tend.IMAPInput)
		}{
			{"another host", func(in *tend.IMAPInput) { in.Host, in.Port, in.Security = evil.host, evil.port, "none" }},
			{"the same host's other port", func(in *tend.IMAPInput) { in.Port = 143 }},
			{"no encryption", func(in *tend.IMAPInput) { in.Security = "none" }},
			{"another user", func(in *tend.IMAPInput) { in.Username = "attacker" }},
			{"another way of signing in", func(in *tend.IMAPInput) { in.Auth = "xoauth2" }},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := account
				in.Secret = ""
				c.change(&in)
				_, err := mailboxes.UpdateMailbox(system, mb.ID, &tend.MailboxUpdate{IMAP: &in})
				if tend.ErrorCode(err) != tend.EINVALID || tend.ErrorFields(err)["imap.secret"] == "" {
					t.Fatalf("changed without the password: %v", err)
				}
				got, err := mailboxes.FindMailboxByID(system, mb.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.IMAP.Host != account.Host || got.IMAP.Port != account.Port || got.IMAP.Security != account.Security ||
					got.IMAP.Username != account.Username || got.IMAP.Auth != account.Auth {
					t.Fatalf("the refused change was written: %+v", got.IMAP)
				}
			})
		}

		// The poll after the refused changes goes where it went before;
		// the attacker's server hears nothing.
		poller.Poll(context.Background(), mb.ID)
		if got := evil.received(); got != "" {
			t.Fatalf("the attacker's server received %q", got)
		}

		// Only the folder changes: the password is kept, as it goes where
		// it always went.
		in := account
		in.Secret, in.Folder = "", "Support"
		if _, err := mailboxes.UpdateMailbox(system, mb.ID, &tend.MailboxUpdate{IMAP: &in}); err != nil {
			t.Fatalf("a new folder without the password: %v", err)
		}
		if _, secret, err := mailboxes.IMAPAccount(context.Background(), mb.ID); err != nil || secret != password {
			t.Fatalf("after a folder change the stored password is %q, %v", secret, err)
		}

		// With a password of its own, the new server gets that one only.
		in = account
		in.Host, in.Port, in.Security, in.Secret = evil.host, evil.port, "none", "password-for-the-new-server"
		if _, err := mailboxes.UpdateMailbox(system, mb.ID, &tend.MailboxUpdate{IMAP: &in}); err != nil {
			t.Fatal(err)
		}
		poller.Poll(context.Background(), mb.ID)
		got := evil.received()
		if !strings.Contains(got, "password-for-the-new-server") {
			t.Fatalf("the new server did not get its own password: %q", got)
		}
		if strings.Contains(got, password) {
			t.Fatalf("the new server got the old password: %q", got)
		}

		// The refusing server's error shows until the account is removed;
		// one added after starts with no history.
		if got, _ := mailboxes.FindMailboxByID(system, mb.ID); got.IMAP.LastError == "" {
			t.Fatal("the failed poll recorded no error")
		}
		if _, err := mailboxes.UpdateMailbox(system, mb.ID, &tend.MailboxUpdate{IMAP: &tend.IMAPInput{}}); err != nil {
			t.Fatal(err)
		}
		if _, err := mailboxes.UpdateMailbox(system, mb.ID, &tend.MailboxUpdate{IMAP: &account}); err != nil {
			t.Fatal(err)
		}
		if got, _ := mailboxes.FindMailboxByID(system, mb.ID); got.IMAP.LastError != "" || got.IMAP.LastErrorAt != nil {
			t.Fatalf("a new account shows the old one's error %q", got.IMAP.LastError)
		}

		// An account begins with a password.
		_, err = mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: "sales@acme.example", IMAP: &tend.IMAPInput{
			Host: "imap.acme.example", Username: "sales"}})
		if tend.ErrorFields(err)["imap.secret"] == "" {
			t.Fatalf("an account without a password: %v", err)
		}
	})
}
