// Package mailin is the inbound mail pipeline that the SMTP listener, the
// IMAP poller and the importer share: keep the mail as received, read it,
// tell people from machines, split the reply from the history it quotes,
// and deliver it to the help desk.
package mailin

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/mail"
)

// Blobs keeps raw mail and attachments by their SHA-256.
type Blobs interface {
	Put(data []byte) (string, error)
	Get(sum string) (io.ReadSeekCloser, error)
}

// Receiver runs the pipeline.
type Receiver struct {
	Inbound tend.InboundService
	Blobs   Blobs
	Logger  *slog.Logger
	Clock   tend.Clock
}

// Receive keeps raw as received, then delivers it for mailbox. It returns
// once everything the mail causes is committed, or with an error when
// nothing could be kept (the sender should try again). Mail that cannot be
// read is kept and quarantined, not refused: it was accepted already.
func (r *Receiver) Receive(ctx context.Context, source string, mailboxID int64, recipients []string, raw []byte) (*tend.InboundRecord, error) {
	sum, err := r.Blobs.Put(raw)
	if err != nil {
		return nil, fmt.Errorf("keep mail: %w", err)
	}
	in := Read(raw)
	in.Source, in.MailboxID, in.Recipients, in.RawSHA256, in.Size = source, mailboxID, recipients, sum, int64(len(raw))
	if source == "import" && !in.Date.IsZero() && in.Date.Before(r.Clock.Now()) {
		// Imported history keeps the dates it happened on.
		ctx = tend.NewContextWithTime(ctx, in.Date)
	}
	rec, err := r.Inbound.Deliver(tend.SystemContext(ctx), in, 0)
	if err != nil {
		return nil, err
	}
	r.log(rec)
	return rec, nil
}

// Retry runs a quarantined mail through the pipeline again, as after a fix,
// updating its record. It needs PermManageSettings, checked by the service.
func (r *Receiver) Retry(ctx context.Context, id int64) (*tend.InboundRecord, error) {
	rec, err := r.Inbound.FindInboundByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if rec.Outcome != tend.OutcomeFailed {
		return nil, tend.Errorf(tend.ECONFLICT, "Inbound mail %d was delivered (%s); only quarantined mail can be retried.", id, rec.Outcome)
	}
	f, err := r.Blobs.Get(rec.RawSHA256)
	if err != nil {
		return nil, fmt.Errorf("read kept mail: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	in := Read(raw)
	in.Source, in.RawSHA256, in.Size = rec.Source, rec.RawSHA256, rec.Size
	if rec.MailboxID != nil {
		in.MailboxID = *rec.MailboxID
	}
	if rec, err = r.Inbound.Deliver(ctx, in, id); err != nil {
		return nil, err
	}
	r.log(rec)
	return rec, nil
}

func (r *Receiver) log(rec *tend.InboundRecord) {
	level := slog.LevelDebug
	if rec.Outcome == tend.OutcomeFailed {
		level = slog.LevelWarn
	}
	r.Logger.Log(context.Background(), level, "mail received", "inbound_id", rec.ID, "source", rec.Source,
		"outcome", rec.Outcome, "ticket_id", rec.TicketID, "detail", rec.Detail)
}

// noText stands in for the body of a mail that carries only files.
const noText = "(This mail has no text.)"

// Read turns raw mail into what the help desk stores. It never fails: a
// mail it cannot read comes back with Problem set.
func Read(raw []byte) *tend.InboundMail {
	m, err := mail.Parse(raw)
	if err != nil {
		return &tend.InboundMail{Problem: "The mail could not be read: " + err.Error()}
	}
	in := &tend.InboundMail{
		Date: m.Date, MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: m.References, Subject: m.Subject,
		FromName: tend.OneLine(m.From.Name), FromEmail: m.From.Email, To: addresses(m.To), Cc: addresses(m.Cc),
	}
	if len(m.ReplyTo) > 0 && m.ReplyTo[0].Email != "" && in.FromEmail == "" {
		in.FromName, in.FromEmail = tend.OneLine(m.ReplyTo[0].Name), m.ReplyTo[0].Email
	}
	class := mail.Classify(m)
	in.Kind, in.KindReason = kind(class.Kind), class.Reason
	in.FailedRecipients, in.OriginalMessageID, in.PermanentFailure = class.Recipients, class.OriginalMessageID, class.Permanent
	if in.Kind == tend.MailHuman && !tend.ValidEmail(in.FromEmail) {
		in.Problem = fmt.Sprintf("The sender's address %q is not one Tend can answer.", in.FromEmail)
		return in
	}
	in.Text, in.QuotedText = mail.SplitText(m.Text)
	in.HTML, in.QuotedHTML = mail.SplitHTML(m.HTML)
	for _, a := range m.Attachments {
		// The parser names every part, a nameless one after its type.
		in.Attachments = append(in.Attachments, &tend.AttachmentInput{Name: a.Name, ContentType: a.ContentType, Data: a.Data,
			ContentID: a.ContentID})
	}
	if in.Text == "" && in.HTML == "" {
		in.Text = noText
	}
	return in
}

func kind(k mail.Kind) tend.MailKind {
	switch k {
	case mail.KindBounce:
		return tend.MailBounce
	case mail.KindAutoReply:
		return tend.MailAutoReply
	case mail.KindBulk:
		return tend.MailBulk
	}
	return tend.MailHuman
}

func addresses(list []mail.Address) []tend.MailAddress {
	out := make([]tend.MailAddress, len(list))
	for i, a := range list {
		out[i] = tend.MailAddress{Name: tend.OneLine(a.Name), Email: a.Email}
	}
	return out
}
