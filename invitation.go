package tend

import (
	"cmp"
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// InvitationURL is the link that spends an invitation's secret, on the
// help desk's own address base.
func InvitationURL(base, secret string) string {
	return strings.TrimRight(base, "/") + "/invite?token=" + url.QueryEscape(secret)
}

// NewInvitation is an invitation just made. Its secret is given this once.
type NewInvitation struct {
	Secret    string
	ExpiresAt time.Time
	// MailedTo is the address the link is being mailed to, when it was
	// asked to be and can be; NotMailed says why it cannot be.
	MailedTo  string
	NotMailed string
}

// InvitationMail is the durable job that mails an invitation's link to
// its agent. Hash is the SHA-256 of the link's secret, the invitation's
// key: the secret itself waits, sealed, in the invitation.
type InvitationMail struct {
	Hash string `json:"hash"`
}

// Kind names the job for the queue.
func (InvitationMail) Kind() string { return "invitation_mail" }

// InvitationLetter is what the mail of an invitation says.
type InvitationLetter struct {
	AgentID   int64
	To        MailAddress
	Secret    string
	Desk      string   // the help desk's name
	Base      string   // its address, which the link starts with
	InvitedBy string   // the name of the agent who invited them; "" if none did
	Teams     []string // the teams they are in
	Role      Role
	CreatedAt time.Time
	ExpiresAt time.Time
}

// InvitationMailOf writes the mail of an invitation, from the support
// address mb, saying when the link expires in loc (UTC when nil). Its
// Message-ID and date are the invitation's own, so that sending it again
// is the same mail.
func InvitationMailOf(l *InvitationLetter, mb *Mailbox, loc *time.Location) *OutboundMail {
	domain := mb.Address[strings.LastIndexByte(mb.Address, '@')+1:]
	desk := l.Desk
	if desk == "" {
		desk = "Tend"
	}
	name := mb.Name
	if name == "" {
		name = desk
	}
	var b strings.Builder
	b.WriteString("Hello " + l.To.Name + ",\n\n")
	if l.InvitedBy != "" {
		b.WriteString(l.InvitedBy + " invited you to " + desk + "'s help desk")
	} else {
		b.WriteString("You are invited to " + desk + "'s help desk")
	}
	article := "a "
	if strings.ContainsRune("aeiou", rune(string(l.Role + "x")[0])) {
		article = "an "
	}
	b.WriteString(", as " + article + string(l.Role))
	if len(l.Teams) > 0 {
		b.WriteString(", in the team")
		if len(l.Teams) > 1 {
			b.WriteString("s")
		}
		b.WriteString(" " + strings.Join(l.Teams, ", "))
	}
	b.WriteString(".\n\nChoose your password and sign in here:\n" + InvitationURL(l.Base, l.Secret) + "\n\n")
	b.WriteString("The link works once, until " + FormatTime(l.ExpiresAt, loc) + ". If it has expired, ask " +
		cmp.Or(l.InvitedBy, "an admin") + " for a new one.\n\nIf you did not expect this mail, you can ignore it.")
	return &OutboundMail{
		ID: l.AgentID, Kind: "invitation",
		MailMessageID: "invitation-" + strconv.FormatInt(l.AgentID, 10) + "-" + strconv.FormatInt(l.CreatedAt.UnixNano(), 36) + "@" + domain,
		FromName:      name, FromAddress: mb.Address, ReturnPath: mb.Address, To: l.To, Date: l.CreatedAt, Status: "queued",
		Subject:       "You are invited to " + desk + "'s help desk",
		Text:          b.String(),
		AutoSubmitted: true,
	}
}

// InvitationMailStore is what mailing an invitation needs.
type InvitationMailStore interface {
	// FindInvitationMail writes the mail of the invitation whose secret
	// hashes to hash, with its link at base (the desk's own address when
	// base is ""). ENOTFOUND when there is nothing to send: no such
	// invitation, one mailed, spent or expired already, no mailbox, or an
	// agent deactivated since.
	FindInvitationMail(ctx context.Context, hash, base string) (*OutboundMail, error)
	// MarkInvitationMailed forgets the secret kept for the mail, once the
	// mail is handed over.
	MarkInvitationMailed(ctx context.Context, hash string) error
}
