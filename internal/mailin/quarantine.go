package mailin

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"
	"sync"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/blob"
)

// The way back from the quarantine: an admin downloads a mail as it
// arrived, or makes a ticket of it by hand when no fix will deliver it.

// maxUnreadableText bounds the text of a ticket made from a mail that
// could not be read: its raw bytes, which may be anything.
const maxUnreadableText = 100 << 10

// unreadableSubject is the subject of a ticket made from a mail without one
// that could be read.
const unreadableSubject = "(unreadable mail)"

// taking lets one TakeAsTicket run at a time. The record says the mail is
// quarantined until the delivery that changes it commits, so two at once
// (a double click) would both find it quarantined and make two tickets.
// One tend serve runs per database, so a lock in the process is enough.
var taking sync.Mutex

// Raw returns the record of inbound mail id and the mail as it was
// received, which the caller must close. Any inbound mail may be read, not
// only quarantined mail. It needs PermManageSettings, checked by the
// service; it returns ENOTFOUND if there is no such mail or its kept copy
// is missing.
func (r *Receiver) Raw(ctx context.Context, id int64) (*tend.InboundRecord, io.ReadSeekCloser, error) {
	rec, err := r.Inbound.FindInboundByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	f, err := r.open(rec)
	if err != nil {
		return nil, nil, err
	}
	return rec, f, nil
}

// open opens the kept copy of rec's mail.
func (r *Receiver) open(rec *tend.InboundRecord) (io.ReadSeekCloser, error) {
	f, err := r.Blobs.Get(rec.RawSHA256)
	if errors.Is(err, blob.ErrNotFound) {
		return nil, tend.Errorf(tend.ENOTFOUND, "The kept copy of inbound mail %d is missing from the data folder.", rec.ID)
	} else if err != nil {
		return nil, fmt.Errorf("read kept mail: %w", err)
	}
	return f, nil
}

// TakeAsTicket delivers quarantined mail id as mail from a person, whatever
// kept it out: an admin has read it and wants it answered. A mail that
// could not be read becomes a ticket holding its raw text; files over the
// size limit are left out and named at the top of the text. The record is
// updated. It returns ECONFLICT unless the mail is quarantined, and needs
// PermManageSettings, checked by the service.
func (r *Receiver) TakeAsTicket(ctx context.Context, id int64) (*tend.InboundRecord, error) {
	taking.Lock()
	defer taking.Unlock()
	rec, err := r.Inbound.FindInboundByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec.Outcome != tend.OutcomeFailed {
		return nil, notQuarantined(rec)
	}
	raw, err := r.readRaw(rec)
	if err != nil {
		return nil, err
	}
	in := asHumanMail(raw)
	in.Source, in.RawSHA256, in.Size = rec.Source, rec.RawSHA256, rec.Size
	if rec.MailboxID != nil {
		in.MailboxID = *rec.MailboxID
	}
	if rec, err = r.Inbound.Deliver(ctx, in, id); err != nil {
		return nil, err
	}
	if rec.Outcome == tend.OutcomeFailed && len(in.Attachments) > 0 {
		// A mail from a person fails only when it cannot be stored, as
		// when a file is over the limit: deliver the words without them.
		// Deliver wrote why on in.
		in.Problem = ""
		dropFiles(in)
		if rec, err = r.Inbound.Deliver(ctx, in, id); err != nil {
			return nil, err
		}
	}
	r.log(rec)
	if rec.Outcome == tend.OutcomeFailed {
		return rec, tend.Errorf(tend.EINVALID, "Inbound mail %d could not be made a ticket: %s", id, rec.Detail)
	}
	return rec, nil
}

// notQuarantined is the conflict of taking or retrying mail that was
// delivered already, as by a second click.
func notQuarantined(rec *tend.InboundRecord) error {
	said := string(rec.Outcome)
	if rec.Detail != "" {
		said += ": " + rec.Detail
	}
	return tend.Errorf(tend.ECONFLICT, "Inbound mail %d is no longer in quarantine (%s); only quarantined mail can be made a ticket.",
		rec.ID, said)
}

// readRaw reads the kept copy of rec's mail.
func (r *Receiver) readRaw(rec *tend.InboundRecord) ([]byte, error) {
	f, err := r.open(rec)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read kept mail: %w", err)
	}
	return raw, nil
}

// asHumanMail reads raw as Read does, then makes it mail from a person with
// nothing wrong. Whatever Read could not make words of, the raw bytes
// stand in for.
func asHumanMail(raw []byte) *tend.InboundMail {
	in := Read(raw)
	if in.Problem != "" && strings.TrimSpace(in.Text) == "" && in.HTML == "" {
		in.Text, in.HTML, in.QuotedText, in.QuotedHTML, in.Attachments = rawText(raw), "", "", "", nil
		if strings.TrimSpace(in.Subject) == "" {
			in.Subject = unreadableSubject
		}
	}
	in.Problem, in.Kind, in.KindReason = "", tend.MailHuman, ""
	return in
}

// rawText is raw as text that can be stored: valid UTF-8 without NUL
// (which PostgreSQL's text refuses), clipped.
func rawText(raw []byte) string {
	if len(raw) > maxUnreadableText {
		raw = raw[:maxUnreadableText]
	}
	s := strings.ToValidUTF8(string(raw), "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "")
}

// dropFiles leaves in's attachments out and says so at the top of its
// text.
func dropFiles(in *tend.InboundMail) {
	names := make([]string, len(in.Attachments))
	for i, a := range in.Attachments {
		names[i] = a.Name
	}
	note := "(Left out when this mail was made a ticket, being over the size limit: " + strings.Join(names, ", ") +
		". The mail as received, with every file, can be downloaded in Settings, Mail.)"
	in.Text, in.Attachments = note+"\n\n"+in.Text, nil
	if in.HTML != "" {
		in.HTML = "<p>" + html.EscapeString(note) + "</p>" + in.HTML
	}
}
