package main

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tendhq/tend"
)

var smtpListening = regexp.MustCompile(`Receiving mail over SMTP on (\S+);`)

// With no relay set, 'tend serve' takes mail over SMTP and writes what it
// sends back into DATA/outbox, where a new user can read it.
func TestServeReceivesMailAndWritesTheOutbox(t *testing.T) {
	// A common umask, under which a file made without care is readable by all.
	defer syscall.Umask(syscall.Umask(0o022))
	forEachEngine(t, func(t *testing.T, st storage) {
		a, err := openApp(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.mailboxes.CreateMailbox(systemCtx(), &tend.MailboxCreate{Address: "help@acme.example", Name: "Acme Help"}); err != nil {
			t.Fatal(err)
		}
		a.Close()
		srv := startServe(t, serveConfig{storage: st, mail: mailConfig{smtpAddr: "127.0.0.1:0", maxMessageSize: 1 << 20, imapInterval: time.Minute}})
		m := smtpListening.FindStringSubmatch(srv.stdout.String())
		if m == nil || !strings.Contains(srv.stdout.String(), "outbound mail is written to "+filepath.Join(st.data, "outbox")) {
			t.Fatalf("serve printed:\n%s", srv.stdout)
		}
		msg := "From: Chloé <chloe@example.org>\r\nTo: help@acme.example\r\nSubject: Where is my parcel?\r\n" +
			"Message-ID: <parcel@example.org>\r\n\r\nIt has been a week.\r\n"
		c, err := smtp.Dial(m[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SendMail("chloe@example.org", []string{"help@acme.example"}, strings.NewReader(msg)); err != nil {
			t.Fatal(err)
		}
		c.Quit()
		var outbox []string
		for deadline := time.Now().Add(20 * time.Second); len(outbox) == 0; {
			if time.Now().After(deadline) {
				t.Fatal("no acknowledgement in the outbox after 20s")
			}
			time.Sleep(50 * time.Millisecond)
			outbox, _ = filepath.Glob(filepath.Join(st.data, "outbox", "*.eml"))
		}
		ack, _ := os.ReadFile(outbox[0])
		for _, want := range []string{"Return-Path: <help+b.1.", "To: =?utf-8?q?Chlo=C3=A9?= <chloe@example.org>", "Auto-Submitted: auto-replied",
			"In-Reply-To: <parcel@example.org>", "Where is my parcel?"} {
			if !strings.Contains(string(ack), want) {
				t.Errorf("the acknowledgement lacks %q:\n%s", want, ack)
			}
		}
		// Everything in the data folder (the database, the key, the mail as
		// received, the outbox) is the owner's alone.
		files := 0
		filepath.WalkDir(st.data, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Error(err)
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return nil // gone meanwhile, as a temporary file
			}
			// The folder itself is the test's; Tend makes it 0700 when it
			// makes it, and leaves one it is given as it is.
			if path != st.data && fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s has mode %o: others may read it", path, fi.Mode().Perm())
			}
			if fi.Mode().IsRegular() {
				files++
			}
			return nil
		})
		if files < 3 {
			t.Errorf("only %d files in the data folder", files)
		}
	})
}
