package tend

import (
	"mime"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// MessageKind tells public replies from internal notes.
type MessageKind string

const (
	KindReply MessageKind = "reply" // public: the customer sees it
	KindNote  MessageKind = "note"  // internal: staff only
)

// Valid reports whether k is a known kind.
func (k MessageKind) Valid() bool { return k == KindReply || k == KindNote }

// AuthorType tells who wrote a message or caused an event.
type AuthorType string

const (
	AuthorCustomer AuthorType = "customer"
	AuthorAgent    AuthorType = "agent"
	AuthorSystem   AuthorType = "system"
)

// Message is a reply or an internal note on a ticket.
type Message struct {
	ID         int64       `json:"id"`
	TicketID   int64       `json:"ticket_id"`
	Kind       MessageKind `json:"kind"`
	AuthorType AuthorType  `json:"author_type"`
	AuthorID   *int64      `json:"author_id"`
	AuthorName string      `json:"author_name"`
	Body       string      `json:"body"`
	BodyHTML   string      `json:"body_html"`
	// Quoted and QuotedHTML hold the history a mail quoted below its new
	// text: kept, to be shown collapsed.
	Quoted      string        `json:"quoted"`
	QuotedHTML  string        `json:"quoted_html"`
	Attachments []*Attachment `json:"attachments"`
	// Delivery is how a reply's mail fares: "" (not mailed), queued, sent
	// or failed, with DeliveryError saying why it failed.
	Delivery      string `json:"delivery"`
	DeliveryError string `json:"delivery_error"`
	// FromRaw is the sender of a mail as it was written, when that was
	// not the address Tend writes back to; "" otherwise.
	FromRaw   string    `json:"from_raw"`
	CreatedAt time.Time `json:"created_at"`
}

// MessageCreate is the input for a new message. Staff write replies and
// notes as themselves; with FromCustomer they record a reply the ticket's
// customer gave by another way (a call, a chat). A customer's message is
// always a reply of their own.
type MessageCreate struct {
	Kind         MessageKind        `json:"kind"`
	Body         string             `json:"body"`
	BodyHTML     string             `json:"body_html"`
	FromCustomer bool               `json:"from_customer"`
	Attachments  []*AttachmentInput `json:"attachments"`
	// Status, when set, moves the ticket in the same change ("send and
	// set status").
	Status *Status `json:"status"`
	// SeenMessageID, when set on a reply, is the newest message its author
	// saw: the reply is refused (CustomerWroteSince) if the customer wrote
	// after it.
	SeenMessageID *int64 `json:"seen_message_id,omitempty"`
	// To and Cc choose whom a reply's mail goes to, as the composer shows
	// them: To one of the customer's addresses, Cc some of the ticket's
	// participants. Nil means the usual: the address the customer last
	// wrote from, and every participant. Mail never goes to anyone else.
	To *string   `json:"to,omitempty"`
	Cc *[]string `json:"cc,omitempty"`
	// MacroID names the macro the composer inserted into Body: its
	// actions (and its internal note) apply in the same change as the
	// message, and a status chosen with the message wins over the
	// macro's. Staff only.
	MacroID *int64 `json:"macro_id,omitempty"`

	IdempotencyKey string `json:"-"`
}

// Normalize applies defaults.
func (c *MessageCreate) Normalize() {
	if c.Kind == "" {
		c.Kind = KindReply
	}
}

// Validate returns EINVALID naming each field that is wrong.
func (c *MessageCreate) Validate() error {
	p := Problems{}
	if !c.Kind.Valid() {
		p.Add("kind", "must be reply or note")
	}
	if c.SeenMessageID != nil && *c.SeenMessageID <= 0 {
		p.Add("seen_message_id", "must be the id of a message on the ticket")
	}
	if c.FromCustomer && c.Kind == KindNote {
		p.Add("from_customer", "a customer's message is a reply, not a note")
	}
	if (c.To != nil || c.Cc != nil) && (c.Kind != KindReply || c.FromCustomer) {
		p.Add("to", "only a staff reply is mailed, so only it has recipients")
	}
	if c.To != nil && !ValidEmail(NormalizeEmail(*c.To)) {
		p.Add("to", "%q is not an email address", *c.To)
	}
	if c.Cc != nil {
		for _, e := range *c.Cc {
			if !ValidEmail(NormalizeEmail(e)) {
				p.Add("cc", "%q is not an email address", e)
				break
			}
		}
	}
	validateBody(p, c.Body, c.BodyHTML)
	if c.Status != nil && !c.Status.Valid() {
		p.Add("status", "must be one of new, open, pending, on_hold, solved, closed")
	}
	if c.MacroID != nil && (*c.MacroID <= 0 || c.FromCustomer) {
		p.Add("macro_id", "must be the id of a macro you may use, on a staff message")
	}
	validateAttachments(p, c.Attachments)
	return p.Err()
}

// Attachment is a file on a message. Its content lives in the data folder,
// addressed by its SHA-256.
type Attachment struct {
	ID          int64  `json:"id"`
	MessageID   int64  `json:"message_id"`
	TicketID    int64  `json:"ticket_id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	// ContentID names an inline part of HTML mail, which shows it where
	// the HTML says cid:ContentID; "" for ordinary files.
	ContentID string `json:"content_id"`
}

// AttachmentInput is a file to attach to a new message.
type AttachmentInput struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
	// ContentID is set for inline parts of received mail only.
	ContentID string `json:"-"`
}

// MaxAttachments is the most files one message may carry.
const MaxAttachments = 50

// DefaultMaxAttachmentSize is the default limit on one attachment.
const DefaultMaxAttachmentSize = 25 << 20

// Normalize cleans the file name and settles the content type.
func (a *AttachmentInput) Normalize() {
	a.Name = CleanFileName(a.Name)
	a.ContentType = strings.ToLower(strings.TrimSpace(a.ContentType))
	if t, _, err := mime.ParseMediaType(a.ContentType); err == nil {
		a.ContentType = t
	} else {
		a.ContentType = ""
	}
	if a.ContentType == "" {
		a.ContentType = mime.TypeByExtension(path.Ext(a.Name))
		if t, _, err := mime.ParseMediaType(a.ContentType); err == nil {
			a.ContentType = t
		}
	}
	if a.ContentType == "" {
		a.ContentType = "application/octet-stream"
	}
}

// CleanFileName keeps the last element of a path, drops control and
// invisible characters (a right-to-left override makes "gnp.exe" read as
// "exe.png"), and never returns "".
func CleanFileName(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if breaksLine(r) || invisible(r) {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." {
		name = "attachment"
	}
	for utf8.RuneCountInString(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

func validateAttachments(p Problems, list []*AttachmentInput) {
	if len(list) > MaxAttachments {
		p.Add("attachments", "may hold at most %d files", MaxAttachments)
	}
	for _, a := range list {
		if a == nil {
			p.Add("attachments", "must not hold null")
		}
	}
}

// ReplyRecipients is whom a staff reply's mail goes to, for the composer
// to show before it is sent.
type ReplyRecipients struct {
	// Mailed: the ticket has a mailbox to send from; without one, replies
	// stay in Tend.
	Mailed bool `json:"mailed"`
	// To is the usual recipient, the address the customer last wrote
	// from; Addresses are the customer's that do not bounce, To among them.
	To        string   `json:"to"`
	Addresses []string `json:"addresses"`
	// Cc are the people copied whose mail does not bounce.
	Cc []MailAddress `json:"cc"`
	// Unreachable says why a reply cannot be sent, when it cannot.
	Unreachable string `json:"unreachable"`
}
