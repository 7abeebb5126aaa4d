package tend

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Mailbox is a support address customers write to, such as
// support@example.com. Mail to it becomes tickets for its team, and
// replies to those tickets go out from it. It may also poll an existing
// mail account over IMAP.
type Mailbox struct {
	ID      int64  `json:"id"`
	Address string `json:"address"`
	Name    string `json:"name"`
	TeamID  *int64 `json:"team_id"`
	IMAP    *IMAP  `json:"imap"`
	// Signature ends every reply sent from the mailbox, and
	// Acknowledgement is the text of its acknowledgement of a new
	// request, both with placeholders ({{customer.first_name}}); empty is
	// no signature and Tend's own acknowledgement.
	Signature       string    `json:"signature"`
	Acknowledgement string    `json:"acknowledgement"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// MaxMailboxText bounds a signature and an acknowledgement.
const MaxMailboxText = 5000

func validateMailboxTexts(p Problems, signature, acknowledgement *string) {
	for _, f := range []struct {
		field string
		text  *string
	}{{"signature", signature}, {"acknowledgement", acknowledgement}} {
		if f.text == nil {
			continue
		}
		if len(*f.text) > MaxMailboxText {
			p.Add(f.field, "must be at most %d characters", MaxMailboxText)
		}
		validatePlaceholders(p, f.field, *f.text)
	}
}

// IMAP is how a mailbox polls an account; nil when mail arrives over SMTP
// only. The secret (password or OAuth token) is never shown.
type IMAP struct {
	Host       string `json:"host"`
	Port       int    `json:"port"`
	Security   string `json:"security"` // tls, starttls or none
	Username   string `json:"username"`
	Auth       string `json:"auth"` // password or xoauth2
	Folder     string `json:"folder"`
	DoneFolder string `json:"done_folder"` // "" marks fetched mail seen instead of moving it

	UIDValidity   uint32     `json:"uid_validity"`
	LastUID       uint32     `json:"last_uid"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	LastError     string     `json:"last_error"`
	LastErrorAt   *time.Time `json:"last_error_at"`
}

// IMAPInput sets a mailbox's IMAP account. Secret left empty keeps the one
// stored, but only for the same account: see NeedsSecret.
type IMAPInput struct {
	Host       string `json:"host"`
	Port       int    `json:"port"`
	Security   string `json:"security"`
	Username   string `json:"username"`
	Auth       string `json:"auth"`
	Secret     string `json:"secret"`
	Folder     string `json:"folder"`
	DoneFolder string `json:"done_folder"`
}

// MailboxCreate is the input for a new mailbox.
type MailboxCreate struct {
	Address         string     `json:"address"`
	Name            string     `json:"name"`
	TeamID          *int64     `json:"team_id"`
	IMAP            *IMAPInput `json:"imap"`
	Signature       string     `json:"signature"`
	Acknowledgement string     `json:"acknowledgement"`
}

// MailboxUpdate changes a mailbox; nil fields are left as they are. TeamID
// pointing at 0 clears it; IMAP with an empty Host stops polling.
type MailboxUpdate struct {
	Address         *string
	Name            *string
	TeamID          *int64
	IMAP            *IMAPInput
	Signature       *string
	Acknowledgement *string
}

// Normalize lower-cases the address and fills IMAP defaults.
func (c *MailboxCreate) Normalize() {
	c.Address = NormalizeEmail(c.Address)
	c.Name = strings.TrimSpace(c.Name)
	c.Signature, c.Acknowledgement = strings.TrimSpace(c.Signature), strings.TrimSpace(c.Acknowledgement)
	c.IMAP.normalize()
}

// Validate returns EINVALID naming each field that is wrong.
func (c *MailboxCreate) Validate() error {
	p := Problems{}
	validateMailboxAddress(p, c.Address)
	validateLine(p, "name", c.Name)
	validateMailboxTexts(p, &c.Signature, &c.Acknowledgement)
	c.IMAP.validate(p)
	return p.Err()
}

// Normalize lower-cases the address and fills IMAP defaults.
func (u *MailboxUpdate) Normalize() {
	if u.Address != nil {
		*u.Address = NormalizeEmail(*u.Address)
	}
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
	}
	for _, t := range []*string{u.Signature, u.Acknowledgement} {
		if t != nil {
			*t = strings.TrimSpace(*t)
		}
	}
	u.IMAP.normalize()
}

// Validate returns EINVALID naming each field that is wrong.
func (u *MailboxUpdate) Validate() error {
	p := Problems{}
	if u.Address != nil {
		validateMailboxAddress(p, *u.Address)
	}
	if u.Name != nil {
		validateLine(p, "name", *u.Name)
	}
	validateMailboxTexts(p, u.Signature, u.Acknowledgement)
	u.IMAP.validate(p)
	return p.Err()
}

func validateMailboxAddress(p Problems, address string) {
	validateEmail(p, "address", address)
	if strings.Contains(address[:max(0, strings.IndexByte(address, '@'))], "+") {
		p.Add("address", "must not contain +: Tend adds +TOKEN to it for replies")
	}
}

func (in *IMAPInput) normalize() {
	if in == nil {
		return
	}
	// Lower-cased, so that the host compared and the host dialled are one:
	// a host that only folds to the stored one (a Kelvin sign for a K)
	// would otherwise keep the stored password and be dialled as written.
	in.Host = strings.ToLower(strings.TrimSpace(in.Host))
	in.Security = strings.ToLower(strings.TrimSpace(in.Security))
	if in.Security == "" {
		in.Security = "tls"
	}
	if in.Port == 0 {
		in.Port = 993
		if in.Security != "tls" {
			in.Port = 143
		}
	}
	if in.Auth == "" {
		in.Auth = "password"
	}
	if in.Folder == "" {
		in.Folder = "INBOX"
	}
}

func (in *IMAPInput) validate(p Problems) {
	if in == nil || in.Host == "" {
		return
	}
	if !validDomain(strings.ToLower(in.Host)) && in.Host != "localhost" && !looksLikeIP(in.Host) {
		p.Add("imap.host", "%q is not a host name", in.Host)
	}
	if in.Port < 1 || in.Port > 65535 {
		p.Add("imap.port", "must be between 1 and 65535")
	}
	if in.Security != "tls" && in.Security != "starttls" && in.Security != "none" {
		p.Add("imap.security", "must be tls, starttls or none")
	}
	if in.Auth != "password" && in.Auth != "xoauth2" {
		p.Add("imap.auth", "must be password or xoauth2")
	}
	if in.Username == "" {
		p.Add("imap.username", "is required")
	}
	for field, v := range map[string]string{"imap.username": in.Username, "imap.folder": in.Folder, "imap.done_folder": in.DoneFolder} {
		validateLine(p, field, v)
	}
}

// NeedsSecret reports whether in must carry its secret even though one is
// stored for the account was: when there was no account, or when in would
// send the stored secret somewhere it was not given for (another host,
// port, security, user or way of signing in). Otherwise whoever may edit
// the settings, or steals an admin's session, could point the account at
// a server of their own and collect the password at the next poll.
func (in *IMAPInput) NeedsSecret(was *IMAP, hadSecret bool) bool {
	if in == nil || in.Host == "" || in.Secret != "" {
		return false
	}
	return was == nil || !hadSecret || in.Host != strings.ToLower(was.Host) || in.Port != was.Port ||
		in.Security != was.Security || in.Username != was.Username || in.Auth != was.Auth
}

var ipLike = regexp.MustCompile(`^[0-9.:a-fA-F]+$`)

func looksLikeIP(host string) bool { return ipLike.MatchString(host) }

// MailboxService manages mailboxes: reading needs staff, changing them
// PermManageSettings.
type MailboxService interface {
	FindMailboxes(ctx context.Context) ([]*Mailbox, error)
	// FindMailboxByID returns ENOTFOUND if there is no such mailbox.
	FindMailboxByID(ctx context.Context, id int64) (*Mailbox, error)
	// CreateMailbox returns ECONFLICT if the address is taken.
	CreateMailbox(ctx context.Context, c *MailboxCreate) (*Mailbox, error)
	UpdateMailbox(ctx context.Context, id int64, u *MailboxUpdate) (*Mailbox, error)
}

// MailKind tells mail from people from mail that must never open a ticket
// or be answered.
type MailKind string

const (
	MailHuman     MailKind = "human"
	MailBounce    MailKind = "bounce"     // a delivery status notification
	MailAutoReply MailKind = "auto_reply" // a vacation notice or other automatic reply
	MailBulk      MailKind = "bulk"       // lists, newsletters, Precedence: bulk
)

// InboundMail is a parsed mail, ready to be delivered to the help desk.
type InboundMail struct {
	Source string // smtp, imap or import
	// Arriving: the mail is still in its SMTP conversation, so it can be
	// refused rather than kept.
	Arriving   bool
	MailboxID  int64 // the support address it came to
	Recipients []string

	RawSHA256 string // the mail as received, in the blob store
	Size      int64

	Date       time.Time // as the sender wrote it; zero when missing
	MessageID  string
	InReplyTo  []string
	References []string
	Subject    string
	FromName   string
	// FromEmail is the address Tend writes back to: the first usable of
	// From, Reply-To, Sender and the envelope's (ChooseSender); "" when
	// none is. FromRaw is the From as written when it was not that.
	FromEmail string
	FromRaw   string
	To, Cc    []MailAddress

	// Text and HTML are the new part of the mail; QuotedText and
	// QuotedHTML the history it quotes, kept for the record.
	Text, HTML             string
	QuotedText, QuotedHTML string
	Attachments            []*AttachmentInput
	// ContentSHA256 is a hash of the decoded subject, text and files: a
	// mail sent or fetched again has the same, however it was encoded.
	ContentSHA256 string

	// SpamFlagged: an upstream filter marked the mail spam
	// (X-Spam-Flag: YES or X-Spam-Status: Yes).
	SpamFlagged bool
	// AuthenticationResults are the header's values, as upstream
	// servers wrote them; only those of a trusted host count.
	AuthenticationResults []string

	Kind MailKind
	// KindReason explains Kind; for a bounce, FailedRecipients and
	// OriginalMessageID say what bounced.
	KindReason        string
	FailedRecipients  []string
	OriginalMessageID string
	PermanentFailure  bool

	// Problem, when set, means the mail could not be read: it is kept and
	// shown to admins, and delivers nothing.
	Problem string
}

// MailAddress is a name and an address.
type MailAddress struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// InboundOutcome says what became of an inbound mail.
type InboundOutcome string

const (
	OutcomeCreated   InboundOutcome = "created"    // it opened a ticket
	OutcomeAdded     InboundOutcome = "added"      // it joined a ticket
	OutcomeDuplicate InboundOutcome = "duplicate"  // the same mail arrived before
	OutcomeBounce    InboundOutcome = "bounce"     // recorded on the ticket whose mail bounced
	OutcomeAutoReply InboundOutcome = "auto_reply" // recorded as an event, never answered
	OutcomeIgnored   InboundOutcome = "ignored"    // bulk, or automatic mail about nothing Tend knows
	OutcomeFailed    InboundOutcome = "failed"     // quarantined: kept, retryable
	// OutcomeRefused is refused while it arrives: never recorded, the
	// sender's server is told why.
	OutcomeRefused InboundOutcome = "refused"
)

// InboundOutcomes lists every outcome.
var InboundOutcomes = []InboundOutcome{OutcomeCreated, OutcomeAdded, OutcomeDuplicate, OutcomeBounce, OutcomeAutoReply,
	OutcomeIgnored, OutcomeFailed}

// Valid reports whether o is a known outcome.
func (o InboundOutcome) Valid() bool { return slices.Contains(InboundOutcomes, o) }

// InboundRecord is an inbound mail as kept, with its outcome.
type InboundRecord struct {
	ID         int64          `json:"id"`
	MailboxID  *int64         `json:"mailbox_id"`
	Source     string         `json:"source"`
	MessageID  string         `json:"message_id"`
	Sender     string         `json:"sender"`
	Subject    string         `json:"subject"`
	RawSHA256  string         `json:"raw_sha256"`
	Size       int64          `json:"size"`
	Outcome    InboundOutcome `json:"outcome"`
	TicketID   *int64         `json:"ticket_id"`
	Detail     string         `json:"detail"`
	ReceivedAt time.Time      `json:"received_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
}

// InboundFilter selects inbound records, newest first.
type InboundFilter struct {
	Outcome *InboundOutcome
	Cursor  string
	Limit   int
}

// Validate returns EINVALID naming each field that is wrong.
func (f *InboundFilter) Validate() error {
	p := Problems{}
	if f.Outcome != nil && !f.Outcome.Valid() {
		p.Add("outcome", "must be one of created, added, duplicate, bounce, auto_reply, ignored, failed")
	}
	return p.Err()
}

// InboundService delivers parsed mail to the help desk and keeps a record
// of all mail received.
type InboundService interface {
	// Deliver records in one transaction everything the mail causes: a
	// ticket or a message, its history, participants, and mail to send.
	// With replace set, it updates that earlier record instead of adding
	// one (a retry). It returns only once all of it is committed.
	Deliver(ctx context.Context, m *InboundMail, replace int64) (*InboundRecord, error)
	// FindInbound returns records, newest first; admins only.
	FindInbound(ctx context.Context, f InboundFilter) ([]*InboundRecord, string, error)
	// FindInboundByID returns ENOTFOUND if there is no such record.
	FindInboundByID(ctx context.Context, id int64) (*InboundRecord, error)
}

// ticketRef finds "[#1042]" (or "#1042" inside brackets with other text)
// in a subject.
var ticketRef = regexp.MustCompile(`\[[^\]]*#(\d{1,18})\]`)

// TicketNumberInSubject returns the ticket number a subject refers to, as
// in "Re: Refund [#1042]".
func TicketNumberInSubject(subject string) (int64, bool) {
	m := ticketRef.FindStringSubmatch(subject)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	return n, err == nil
}

// ReplyToken returns the token of a plus address of mailbox, as in
// support+TOKEN@example.com for support@example.com.
func ReplyToken(address, mailbox string) (string, bool) {
	address, mailbox = NormalizeEmail(address), NormalizeEmail(mailbox)
	at := strings.LastIndexByte(mailbox, '@')
	local, domain := mailbox[:max(at, 0)], mailbox[at+1:]
	if at < 0 || !strings.HasSuffix(address, "@"+domain) {
		return "", false
	}
	token, ok := strings.CutPrefix(strings.TrimSuffix(address, "@"+domain), local+"+")
	return token, ok && token != ""
}

// PlusAddress returns mailbox with token added, for the Reply-To of mail
// about a ticket.
func PlusAddress(mailbox, token string) string {
	at := strings.LastIndexByte(mailbox, '@')
	return mailbox[:at] + "+" + token + mailbox[at:]
}

// SendMail is the durable job that delivers one outbound mail.
type SendMail struct {
	OutboundID int64 `json:"outbound_id"`
}

// Kind names the job for the queue.
func (SendMail) Kind() string { return "send_mail" }

// OutboundMail is everything needed to write one mail Tend sends.
type OutboundMail struct {
	ID            int64
	Kind          string // reply or acknowledgement
	MailMessageID string
	FromName      string // the mailbox's name
	FromAddress   string
	// ReturnPath is the envelope sender, where bounces go: an address of
	// this mail's own (tend.BounceAddress), or the mailbox's.
	ReturnPath string
	ReplyTo    string
	To         MailAddress
	Cc         []MailAddress
	Date       time.Time // when it was queued
	Status     string    // queued, sent or failed
	Attempts   int

	// What the mail is about, from which the outbound package writes it
	// (outbound.Write).
	TicketNumber  int64
	TicketSubject string
	Reply         *Message   // the staff reply it carries; nil for an acknowledgement
	Quote         *Message   // the customer's last message before the reply
	Thread        []ThreadID // the ticket's mail, newest first
	// The mailbox's signature and acknowledgement, and what their
	// placeholders stand for on this ticket.
	Signature, Acknowledgement string
	Values                     PlaceholderValues
	// AnswerBy is when the ticket's first response is due, in AnswerZone
	// (the customer's time zone if known, else its calendar's), for an
	// acknowledgement to promise; nil when there is no such promise.
	AnswerBy   *time.Time
	AnswerZone *time.Location

	// What it says, written by outbound.Write.
	Subject       string
	Text, HTML    string
	Attachments   []*Attachment
	InReplyTo     string
	References    []string
	AutoSubmitted bool // automatic mail, such as an acknowledgement
}

// ThreadID is the Message-ID of a mail about a ticket, and whether it
// came in or went out.
type ThreadID struct {
	MessageID string
	Inbound   bool
}

// replyPrefix matches the "Re:" and "Fwd:" prefixes mail programs add, in
// the languages they add them in.
var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|fwd?|aw|wg|sv|vs|antw|tr|rv|odp|ynt|r)\s*(\[\d+\])?\s*:\s*`)

// CleanMailSubject returns a mail's subject as a ticket's: one line,
// without marks that reorder text, without reply and forward prefixes or
// the [#N] of the ticket it answered (a follow-up gets its own number),
// tidied, and never empty.
func CleanMailSubject(s string) string {
	s = normalizeSubject(OneLine(ticketRef.ReplaceAllString(s, " ")))
	for {
		t := replyPrefix.ReplaceAllString(s, "")
		if t == s {
			break
		}
		s = t
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "(no subject)"
	}
	if utf8.RuneCountInString(s) > MaxSubjectLength {
		s = string([]rune(s)[:MaxSubjectLength])
	}
	return s
}
