package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"slices"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/mailin"
)

// importOrder is the order outcomes are reported in.
var importOrder = []tend.InboundOutcome{tend.OutcomeCreated, tend.OutcomeAdded, tend.OutcomeDuplicate,
	tend.OutcomeBounce, tend.OutcomeAutoReply, tend.OutcomeIgnored, tend.OutcomeFailed}

var importMeaning = map[tend.InboundOutcome]string{
	tend.OutcomeCreated:   "opened a ticket",
	tend.OutcomeAdded:     "joined a ticket",
	tend.OutcomeDuplicate: "were there already (same Message-ID)",
	tend.OutcomeBounce:    "were bounces",
	tend.OutcomeAutoReply: "were automatic replies",
	tend.OutcomeIgnored:   "were bulk mail, or automatic mail about no known ticket",
	tend.OutcomeFailed:    "could not be read and are quarantined",
}

// mailImport runs mail files, mboxes and Maildirs through the inbound
// pipeline, as if they had just arrived, but dated as they were sent and
// without acknowledgements.
func mailImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var st storage
	var address string
	var maxSize int64
	fs := flag.NewFlagSet("mail import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	st.flags(fs)
	fs.StringVar(&address, "mailbox", "", "the support address the mail came to; needed when there is more than one")
	fs.Int64Var(&maxSize, "max-message-size", 25<<20, "largest mail to import, in bytes")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: tend mail import [flags] PATH...\n\nPATH is a mail file (.eml), an mbox, a Maildir, or a folder of them.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return fmt.Errorf("name at least one file or folder to import")
	}
	// Importing into a mistyped --data must not make a new, empty desk.
	desk, err := openDesk(ctx, st)
	if err != nil {
		return err
	}
	desk.Close()
	a, err := openApp(ctx, st)
	if err != nil {
		return err
	}
	defer a.Close()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := a.openQueue(ctx, nil, logger); err != nil {
		return err
	}
	mb, err := importMailbox(ctx, a, address)
	if err != nil {
		return err
	}
	receiver := a.receiver(slog.New(slog.DiscardHandler))
	counts := map[tend.InboundOutcome]int{}
	var failures []string
	total := 0
	var found []mailin.Stored
	for _, path := range fs.Args() {
		stored, err := mailin.Find(path)
		if err != nil {
			return err
		}
		found = append(found, stored...)
	}
	// Oldest first across every path, so that answers thread to what
	// they answer.
	slices.SortStableFunc(found, func(a, b mailin.Stored) int { return a.Date.Compare(b.Date) })
	for _, s := range found {
		total++
		raw, err := s.Read()
		if err != nil {
			report(stdout, total, mb, counts, failures)
			return fmt.Errorf("import stopped: %w", err)
		}
		if int64(len(raw)) > maxSize {
			failures = append(failures, fmt.Sprintf("%s: %d bytes, over --max-message-size; not imported", s.Name, len(raw)))
			continue
		}
		rec, err := receiver.Receive(ctx, "import", mb.ID, []string{mb.Address}, raw)
		if err != nil {
			report(stdout, total, mb, counts, failures)
			return fmt.Errorf("import stopped at %s: %w", s.Name, err)
		}
		counts[rec.Outcome]++
		if rec.Outcome == tend.OutcomeFailed {
			failures = append(failures, fmt.Sprintf("%s: inbound mail %d: %s", s.Name, rec.ID, rec.Detail))
		}
	}
	report(stdout, total, mb, counts, failures)
	if len(failures) > 0 {
		return fmt.Errorf("%d of %d mails were not imported cleanly; quarantined mail can be retried by an admin", len(failures), total)
	}
	return nil
}

func importMailbox(ctx context.Context, a *app, address string) (*tend.Mailbox, error) {
	system := tend.SystemContext(ctx)
	if address != "" {
		mb, err := a.mailboxes.MailboxForRecipient(system, address)
		if err != nil {
			return nil, cliError(err)
		}
		return mb, nil
	}
	all, err := a.mailboxes.FindMailboxes(system)
	if err != nil {
		return nil, err
	}
	switch len(all) {
	case 0:
		return nil, fmt.Errorf("there is no mailbox to import into; add one first (POST /api/v1/mailboxes, or Settings → Mail)")
	case 1:
		return all[0], nil
	}
	return nil, fmt.Errorf("there are %d mailboxes; name the one to import into with --mailbox", len(all))
}

func report(w io.Writer, total int, mb *tend.Mailbox, counts map[tend.InboundOutcome]int, failures []string) {
	mails := "mails"
	if total == 1 {
		mails = "mail"
	}
	fmt.Fprintf(w, "Read %d %s for %s:\n", total, mails, mb.Address)
	for _, o := range importOrder {
		if counts[o] > 0 {
			fmt.Fprintf(w, "  %6d %s\n", counts[o], importMeaning[o])
		}
	}
	if len(failures) > 0 {
		fmt.Fprintln(w, "Not imported cleanly:")
		for _, f := range failures {
			fmt.Fprintln(w, "  "+f)
		}
	}
}
