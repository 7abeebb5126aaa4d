package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
)

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func importArgs(st storage, rest ...string) []string {
	args := []string{"mail", "import", "--data", st.data}
	if st.db != "" {
		args = append(args, "--db", st.db)
	}
	return append(args, rest...)
}

// Mail files, an mbox and a Maildir go through the inbound pipeline,
// dated as sent and unanswered; importing again adds nothing.
func TestMailImport(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st storage) {
		ctx := context.Background()
		setUpDesk(t, st)
		err := run(ctx, importArgs(st, t.TempDir()), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "no mailbox to import into") {
			t.Fatalf("import with no mailbox: %v", err)
		}
		a, err := openApp(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.mailboxes.CreateMailbox(systemCtx(), &tend.MailboxCreate{Address: "help@acme.example"}); err != nil {
			t.Fatal(err)
		}
		a.Close()

		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "one.eml"), "From: Ana <ana@example.org>\nTo: help@acme.example\n"+
			"Date: Mon, 02 Mar 2026 10:00:00 +0000\nMessage-ID: <one@example.org>\nSubject: Printer on fire\n\nIt is on fire.\n")
		writeFile(t, filepath.Join(dir, "broken.eml"), "this is no mail at all\n")
		writeFile(t, filepath.Join(dir, "no-sender.eml"), "Subject: no sender at all\n\nwho am I?\n")
		writeFile(t, filepath.Join(dir, "archive.mbox"), "From ana@example.org Mon Mar  2 11:00:00 2026\n"+
			"From: ana@example.org\nTo: help@acme.example\nDate: Mon, 02 Mar 2026 11:00:00 +0000\n"+
			"Message-ID: <two@example.org>\nIn-Reply-To: <one@example.org>\nSubject: Re: Printer on fire\n\n"+
			"Still burning.\n\n>From the basement, smoke.\n\n"+
			"From ben@example.org Tue Mar  3 09:00:00 2026\nFrom: ben@example.org\nTo: help@acme.example\n"+
			"Date: Tue, 03 Mar 2026 09:00:00 +0000\nMessage-ID: <three@example.org>\nSubject: Refund\n\nI want a refund.\n")
		writeFile(t, filepath.Join(dir, "maildir", "cur", "1772600000.M1.host:2,S"), "From: cy@example.org\n"+
			"To: help@acme.example\nDate: Wed, 04 Mar 2026 08:00:00 +0000\nMessage-ID: <four@example.org>\nSubject: Login\n\nCannot log in.\n")
		writeFile(t, filepath.Join(dir, "maildir", "new", "1772600001.M2.host"), "From: dana@example.org\n"+
			"To: help@acme.example\nAuto-Submitted: auto-replied\nMessage-ID: <five@example.org>\nIn-Reply-To: <four@example.org>\n"+
			"Date: Wed, 04 Mar 2026 08:00:01 +0000\nSubject: Out of office\n\nAway.\n")
		writeFile(t, filepath.Join(dir, "maildir", "tmp", "partial"), "From: half@example.org\n")

		var out bytes.Buffer
		err = run(ctx, importArgs(st, dir), nil, &out, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "1 of 7 mails were not imported cleanly") {
			t.Errorf("import said %v, want one failure", err)
		}
		report := out.String()
		for _, want := range []string{"Read 7 mails for help@acme.example", "4 opened a ticket", "1 joined a ticket",
			"1 were automatic replies", "1 could not be read", "broken.eml: inbound mail"} {
			if !strings.Contains(report, want) {
				t.Errorf("report lacks %q:\n%s", want, report)
			}
		}

		a, err = openApp(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		list, _, err := a.tickets.FindTickets(systemCtx(), tend.TicketFilter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var printer *tend.Ticket
		for _, ticket := range list {
			if ticket.Subject == "Printer on fire" {
				printer, _ = a.tickets.FindTicketByID(systemCtx(), ticket.ID)
			}
		}
		// The mail without a sender is a ticket too, of a customer with no
		// address to reply to.
		if len(list) != 4 || printer == nil {
			t.Fatalf("import made %d tickets", len(list))
		}
		if want := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC); !printer.CreatedAt.Equal(want) {
			t.Errorf("imported ticket created %v, want the mail's date %v", printer.CreatedAt, want)
		}
		if len(printer.Messages) != 2 || !strings.Contains(printer.Messages[1].Body, "From the basement") {
			t.Errorf("the mbox reply reads %q; want it threaded with its >From line restored", printer.Messages[len(printer.Messages)-1].Body)
		}
		if _, err := a.outbound.FindOutbound(ctx, 1); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("import queued mail (%v); history must not be answered", err)
		}
		if _, err := a.mailboxes.CreateMailbox(systemCtx(), &tend.MailboxCreate{Address: "sales@acme.example"}); err != nil {
			t.Fatal(err)
		}
		a.Close()

		out.Reset()
		err = run(ctx, importArgs(st, "--mailbox", "help@acme.example", filepath.Join(dir, "archive.mbox"), filepath.Join(dir, "maildir")), nil, &out, io.Discard)
		if err != nil || !strings.Contains(out.String(), "4 were there already") {
			t.Errorf("importing again: %v\n%s", err, out.String())
		}
		err = run(ctx, importArgs(st, dir), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "name the one to import into with --mailbox") {
			t.Errorf("import with two mailboxes and no --mailbox: %v", err)
		}
		err = run(ctx, importArgs(st, "--mailbox", "sales@acme.example", filepath.Join(dir, "missing")), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "missing") {
			t.Errorf("import of a missing path: %v", err)
		}
	})
}

// The bounces of a real mbox never open tickets. One of its 37 mails is a
// person forwarding a bounce to a colleague ("Fwd: Returned mail"): a
// person writing, which does open one.
func TestMailImportOfBounces(t *testing.T) {
	mbox := filepath.Join("..", "..", "..", "shared", "corpora", "sisimai-set-of-emails", "mailbox", "mbox-0")
	if _, err := os.Stat(mbox); err != nil {
		t.Skipf("corpus not found beside the project: %v", err)
	}
	st := storage{data: t.TempDir()}
	a, err := openApp(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.mailboxes.CreateMailbox(systemCtx(), &tend.MailboxCreate{Address: "help@acme.example"}); err != nil {
		t.Fatal(err)
	}
	a.Close()
	var out bytes.Buffer
	run(context.Background(), importArgs(st, mbox), nil, &out, io.Discard)
	if !strings.Contains(out.String(), "Read 37 mails") || !strings.Contains(out.String(), "36 were bounces") ||
		!strings.Contains(out.String(), "1 opened a ticket") {
		t.Errorf("importing 37 bounces:\n%s", out.String())
	}
}
