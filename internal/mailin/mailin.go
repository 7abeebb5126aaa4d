// Package mailin is the inbound mail pipeline that the SMTP listener, the
// IMAP poller and the importer share: keep the mail as received, read it,
// tell people from machines, split the reply from the history it quotes,
// and deliver it to the help desk.
package mailin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	netmail "net/mail"
	"strings"

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
	in.Arriving = source == "smtp"
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

// Read turns raw mail into what the help desk stores. It never fails: a
// mail it cannot read comes back with Problem set.
func Read(raw []byte) *tend.InboundMail {
	m, err := mail.Parse(raw)
	if err != nil {
		return &tend.InboundMail{Problem: "The mail could not be read: " + err.Error()}
	}
	in := &tend.InboundMail{
		Date: m.Date, MessageID: m.MessageID, InReplyTo: m.InReplyTo, References: m.References, Subject: m.Subject,
		To: addresses(m.To), Cc: addresses(m.Cc), AuthenticationResults: m.Header.Values("Authentication-Results"),
		SpamFlagged: spamFlagged(m),
	}
	readSender(in, m)
	class := mail.Classify(m)
	in.Kind, in.KindReason = kind(class.Kind), class.Reason
	in.FailedRecipients, in.OriginalMessageID, in.PermanentFailure = class.Recipients, class.OriginalMessageID, class.Permanent
	in.Text, in.QuotedText = mail.SplitText(m.Text)
	in.HTML, in.QuotedHTML = mail.SplitHTML(m.HTML)
	for _, a := range m.Attachments {
		// The parser names every part, a nameless one after its type.
		in.Attachments = append(in.Attachments, &tend.AttachmentInput{Name: a.Name, ContentType: a.ContentType, Data: a.Data,
			ContentID: a.ContentID})
	}
	in.ContentSHA256 = contentHash(m)
	return in
}

// readSender sets who the mail is from: the first usable address of From,
// Reply-To, Sender and the envelope's (Return-Path, as the listener
// records it), keeping the From as written when it was not that address.
func readSender(in *tend.InboundMail, m *mail.Message) {
	candidates := []tend.MailAddress{{Name: m.From.Name, Email: m.From.Email}}
	candidates = append(candidates, addresses(m.ReplyTo)...)
	candidates = append(candidates, headerAddress(m.Header.Get("Sender")), headerAddress(m.Header.Get("Return-Path")))
	chosen, ok := tend.ChooseSender(candidates...)
	in.FromName = tend.OneLine(m.From.Name)
	if in.FromName == "" {
		in.FromName = tend.OneLine(chosen.Name)
	}
	in.FromEmail = chosen.Email
	if !ok || chosen.Email != m.From.Email {
		in.FromRaw = tend.OneLine(m.Header.Get("From"))
		if in.FromRaw == "" {
			in.FromRaw = "(no From)"
		}
	}
}

func headerAddress(v string) tend.MailAddress {
	v = strings.TrimSpace(v)
	if a, err := netmail.ParseAddress(v); err == nil {
		return tend.MailAddress{Name: a.Name, Email: a.Address}
	}
	return tend.MailAddress{Email: v}
}

// spamFlagged reports whether an upstream filter (SpamAssassin, rspamd)
// marked the mail spam.
func spamFlagged(m *mail.Message) bool {
	flag := strings.TrimSpace(m.Header.Get("X-Spam-Flag"))
	status := strings.TrimSpace(m.Header.Get("X-Spam-Status"))
	return strings.EqualFold(flag, "yes") || len(status) >= 3 && strings.EqualFold(status[:3], "yes")
}

// contentHash is a hash of what the mail says, decoded: the subject, the
// text, the HTML, and each file's name, type and content. The same mail
// sent again in another transfer encoding, or with other Received lines,
// has the same.
func contentHash(m *mail.Message) string {
	h := sha256.New()
	field := func(s string) {
		fmt.Fprintf(h, "%d:%s;", len(s), s)
	}
	field(m.Subject)
	field(m.Text)
	field(m.HTML)
	for _, a := range m.Attachments {
		sum := sha256.Sum256(a.Data)
		field(a.Name)
		field(a.ContentType)
		field(hex.EncodeToString(sum[:]))
	}
	return hex.EncodeToString(h.Sum(nil))
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
