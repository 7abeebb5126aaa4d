package smtpd_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/smtpd"
)

// heldReceiver hands each mail it is given to the test on got and
// commits it only when the test says so on release.
type heldReceiver struct {
	got     chan []byte
	release chan struct{}
}

func (r *heldReceiver) Receive(ctx context.Context, source string, mailboxID int64, recipients []string, raw []byte) (*tend.InboundRecord, error) {
	r.got <- raw
	<-r.release
	return &tend.InboundRecord{ID: 1, Outcome: tend.OutcomeCreated}, nil
}

// spooled returns the files in the spool folder with their sizes.
func spooled(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string]int64)
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600: mail is private", e.Name(), info.Mode().Perm())
		}
		files[e.Name()] = info.Size()
	}
	return files
}

// mailOf returns a mail of about size bytes whose lines include ones
// that DATA must dot-stuff.
func mailOf(subject string, size int) string {
	var b strings.Builder
	b.WriteString(message(subject))
	for b.Len() < size {
		b.WriteString(".a line that starts with a dot, and one that is only one:\r\n.\r\n")
	}
	return b.String()
}

func TestSMTPSpool(t *testing.T) {
	spool := filepath.Join(t.TempDir(), "spool")
	if err := os.MkdirAll(spool, 0o700); err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(spool, "smtp-123.eml")
	if err := os.WriteFile(left, []byte("mail a server died receiving"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &heldReceiver{got: make(chan []byte), release: make(chan struct{})}
	// Room to read one of the two mails at a time.
	addr := serve(t, smtpd.Config{SpoolDir: spool, MaxMessageBytes: 1 << 20, MaxReadingBytes: 300 << 10}, r)
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("a file left in the spool is still there at start: %v", err)
	}

	mails := []string{mailOf("First", 200<<10), mailOf("Second", 200<<10)}
	errs := make(chan error, len(mails))
	var wg sync.WaitGroup
	for _, m := range mails {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := smtp.Dial(addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			errs <- send(c, "support@acme.example", m)
		}()
	}
	first := <-r.got
	// The other mail waits on disk, whole, for the first to be
	// committed; both are in the spool.
	deadline := time.Now().Add(5 * time.Second)
	for {
		files := spooled(t, spool)
		complete := 0
		for _, size := range files {
			if size >= int64(len(mails[0])) {
				complete++
			}
		}
		if len(files) == 2 && complete == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("spool while the first mail is being delivered: %v", files)
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case raw := <-r.got:
		t.Fatalf("the second mail was read while the first was (%d bytes)", len(raw))
	case <-time.After(100 * time.Millisecond):
	}
	r.release <- struct{}{}
	second := <-r.got
	r.release <- struct{}{}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("send: %v", err)
		}
	}
	// Delivered as sent, below the Return-Path line the listener adds.
	const returnPath = "Return-Path: <mia@customer.example>\r\n"
	got := map[string]bool{strings.TrimPrefix(string(first), returnPath): true, strings.TrimPrefix(string(second), returnPath): true}
	if !got[mails[0]] || !got[mails[1]] || !strings.HasPrefix(string(first), returnPath) {
		t.Errorf("the mails delivered differ from those sent: %d and %d bytes, sent %d and %d",
			len(first), len(second), len(mails[0]), len(mails[1]))
	}
	if files := spooled(t, spool); len(files) != 0 {
		t.Errorf("spool after the mails were delivered: %v", files)
	}
}

// failingReceiver cannot commit anything.
type failingReceiver struct{}

func (failingReceiver) Receive(ctx context.Context, source string, mailboxID int64, recipients []string, raw []byte) (*tend.InboundRecord, error) {
	return nil, context.DeadlineExceeded
}

func TestSMTPSpoolAfterFailure(t *testing.T) {
	spool := t.TempDir()
	addr := serve(t, smtpd.Config{SpoolDir: spool, MaxMessageBytes: 64 << 10}, failingReceiver{})
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tc := range []struct {
		name string
		mail string
		code int
	}{
		{"not stored", message("Lost"), 451},
		{"too big", mailOf("Huge", 100<<10), 552},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := send(c, "support@acme.example", tc.mail); smtpCode(err) != tc.code {
				t.Fatalf("got %v, want %d", err, tc.code)
			}
			if files := spooled(t, spool); len(files) != 0 {
				t.Errorf("spool after %d: %v", tc.code, files)
			}
		})
	}
}
