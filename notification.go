package tend

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// NotificationKind says why an agent hears of a change.
type NotificationKind string

const (
	// NotifyAssigned: the ticket was given to them by someone else.
	NotifyAssigned NotificationKind = "assigned"
	// NotifyMentioned: someone wrote @their name in an internal note.
	NotifyMentioned NotificationKind = "mentioned"
	// NotifyCustomerReplied: the customer wrote on a ticket they own or
	// follow.
	NotifyCustomerReplied NotificationKind = "customer_replied"
	// NotifyChanged: someone else changed a ticket they own or follow.
	NotifyChanged NotificationKind = "changed"
	// NotifySLAWarning: a target of a ticket they own (or, with no
	// owner, of their team, which they lead) is at risk.
	NotifySLAWarning NotificationKind = "sla_warning"
	// NotifySLABreached: a target of a ticket they own, or of their
	// team, which they lead, was breached.
	NotifySLABreached NotificationKind = "sla_breached"
)

// NotificationKinds lists every kind, the most pressing first: one change
// tells each agent once, by the first kind that applies to them.
var NotificationKinds = []NotificationKind{NotifySLABreached, NotifyMentioned, NotifyAssigned, NotifySLAWarning,
	NotifyCustomerReplied, NotifyChanged}

// Valid reports whether k is a kind.
func (k NotificationKind) Valid() bool { return slices.Contains(NotificationKinds, k) }

// Notification tells an agent of a change to a ticket.
type Notification struct {
	ID            int64            `json:"id"`
	Kind          NotificationKind `json:"kind"`
	TicketID      int64            `json:"ticket_id"`
	TicketNumber  int64            `json:"ticket_number"`
	TicketSubject string           `json:"ticket_subject"`
	// Actor is who made the change, as the ticket names them.
	Actor     string     `json:"actor"`
	Text      string     `json:"text"` // in words: "Ann assigned #1042 to you"
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// ChangeFacts is what one committed change to a ticket did, as the rules
// of who hears of it need it.
type ChangeFacts struct {
	Actor       Principal
	OwnerBefore *int64
	OwnerAfter  *int64
	Events      []EventData
	// Notes are the internal notes the change added.
	Notes []string
	// Followers are the agents who follow the ticket.
	Followers []int64
	// Staff are the active agents an @mention can name.
	Staff []Mentionable
	// HandOver: the change hands the ticket of an agent being deactivated
	// (OwnerBefore) to their successor.
	HandOver bool
	// TeamLead leads the ticket's team, if it has one; warnings and
	// breaches of its service levels go up to them.
	TeamLead *int64
}

// Mentionable is an agent as a note can name them: @ and their name, or
// @ and the part of their address before the @.
type Mentionable struct {
	ID    int64
	Name  string
	Email string
}

// Notice is one agent to tell, and why.
type Notice struct {
	AgentID int64
	Kind    NotificationKind
}

// NoticesFor returns who hears of a change, each once, by the most
// pressing kind that applies to them, in the order of NotificationKinds
// and then of agent id. Nobody hears of their own change, nor an agent
// of the hand-over of their tickets as they are deactivated.
func NoticesFor(c ChangeFacts) []Notice {
	kinds := map[int64]NotificationKind{}
	tell := func(agent int64, k NotificationKind) {
		if agent == 0 || agent == c.Actor.AgentID {
			return
		}
		if c.HandOver && c.OwnerBefore != nil && agent == *c.OwnerBefore {
			return
		}
		if have, ok := kinds[agent]; !ok || slices.Index(NotificationKinds, k) < slices.Index(NotificationKinds, have) {
			kinds[agent] = k
		}
	}
	if len(c.Events) == 0 {
		return nil
	}
	if c.Actor.IsStaff() {
		for _, n := range c.Notes {
			for _, id := range Mentions(n, c.Staff) {
				tell(id, NotifyMentioned)
			}
		}
	}
	watchers := slices.Clone(c.Followers)
	if c.OwnerAfter != nil {
		watchers = append(watchers, *c.OwnerAfter)
	}
	if !sameOptionalID(c.OwnerBefore, c.OwnerAfter) {
		if c.OwnerAfter != nil {
			tell(*c.OwnerAfter, NotifyAssigned)
		}
		if c.OwnerBefore != nil {
			// The one it was taken from hears of it too.
			watchers = append(watchers, *c.OwnerBefore)
		}
	}
	customerWrote := false
	for _, e := range c.Events {
		switch e := e.(type) {
		case MessageAdded:
			customerWrote = customerWrote || e.AuthorType == AuthorCustomer
		case SLABreached:
			// The owner answers for the ticket, and the lead for the team.
			if c.OwnerAfter != nil {
				tell(*c.OwnerAfter, NotifySLABreached)
			}
			if c.TeamLead != nil {
				tell(*c.TeamLead, NotifySLABreached)
			}
		case SLAWarning:
			switch {
			case c.OwnerAfter != nil:
				tell(*c.OwnerAfter, NotifySLAWarning)
			case c.TeamLead != nil:
				tell(*c.TeamLead, NotifySLAWarning)
			}
		}
	}
	for _, w := range watchers {
		if customerWrote {
			tell(w, NotifyCustomerReplied)
		}
		// A change by a person; what Tend does on its own (a customer's
		// mail arriving, a timer) is told by its own kind or not at all.
		if c.Actor.AgentID != 0 {
			tell(w, NotifyChanged)
		}
	}
	var out []Notice
	for agent, k := range kinds {
		out = append(out, Notice{AgentID: agent, Kind: k})
	}
	slices.SortFunc(out, func(a, b Notice) int {
		if d := slices.Index(NotificationKinds, a.Kind) - slices.Index(NotificationKinds, b.Kind); d != 0 {
			return d
		}
		return int(a.AgentID - b.AgentID)
	})
	return out
}

// MailsNotice reports whether a notice of kind k about change c is also
// mailed to an agent who chose the kinds chosen. A hand-over is told in
// the app only: deactivating an agent hands over all their tickets at
// once, each a change of its own, and a mail for each would bury the
// successor's inbox; the bell's list holds them all.
func MailsNotice(c ChangeFacts, k NotificationKind, chosen []NotificationKind) bool {
	return !c.HandOver && slices.Contains(chosen, k)
}

func sameOptionalID(a, b *int64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// Mentions returns the agents text names with @: @ followed by an agent's
// whole name or by their address's part before the @, in any case, and
// then by something that is not a letter or digit (or the end). When names
// overlap ("@Ann" and "@Ann Lee"), the longest wins. Each agent once, in
// the order they are named.
func Mentions(text string, staff []Mentionable) []int64 {
	type handle struct {
		text string
		id   int64
	}
	var handles []handle
	for _, s := range staff {
		if name := strings.ToLower(strings.Join(strings.Fields(s.Name), " ")); name != "" {
			handles = append(handles, handle{name, s.ID})
		}
		if local, _, ok := strings.Cut(strings.ToLower(s.Email), "@"); ok && local != "" {
			handles = append(handles, handle{local, s.ID})
		}
	}
	slices.SortStableFunc(handles, func(a, b handle) int { return len(b.text) - len(a.text) })
	lower := strings.ToLower(text)
	var ids []int64
	for i := 0; i < len(lower); i++ {
		if lower[i] != '@' {
			continue
		}
		if i > 0 {
			// An address (ann@acme.example) is not a mention.
			if r, _ := utf8.DecodeLastRuneInString(lower[:i]); unicode.IsLetter(r) || unicode.IsDigit(r) {
				continue
			}
		}
		rest := lower[i+1:]
		for _, h := range handles {
			if !strings.HasPrefix(rest, h.text) {
				continue
			}
			if after, _ := utf8.DecodeRuneInString(rest[len(h.text):]); len(rest) > len(h.text) && (unicode.IsLetter(after) || unicode.IsDigit(after)) {
				continue
			}
			if !slices.Contains(ids, h.id) {
				ids = append(ids, h.id)
			}
			i += len(h.text)
			break
		}
	}
	return ids
}

// NotificationText says a notification in words, for the list and mail.
func NotificationText(k NotificationKind, actor string, number int64) string {
	if actor == "" {
		actor = "Tend"
	}
	n := "#" + strconv.FormatInt(number, 10)
	switch k {
	case NotifyAssigned:
		return actor + " assigned " + n + " to you"
	case NotifyMentioned:
		return actor + " mentioned you on " + n
	case NotifyCustomerReplied:
		return actor + " replied on " + n
	case NotifySLAWarning:
		return n + " is at risk of missing its service level"
	case NotifySLABreached:
		return n + " missed its service level"
	}
	return actor + " changed " + n
}

// NotificationMail is the durable job that mails one notification to
// its agent, who chose to get that kind by mail.
type NotificationMail struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind names the job for the queue.
func (NotificationMail) Kind() string { return "notification_mail" }

// NotificationMailOf writes the mail that tells agent to of n, from the
// support address mb, linking the ticket at the desk's address base and
// saying when it happened in the agent's zone loc (UTC when nil). Its
// Message-ID is the notification's own, so that sending it again is the
// same mail.
func NotificationMailOf(n *Notification, to MailAddress, mb *Mailbox, base string, loc *time.Location) *OutboundMail {
	domain := mb.Address[strings.LastIndexByte(mb.Address, '@')+1:]
	number := strconv.FormatInt(n.TicketNumber, 10)
	link, settings := "/tickets/"+number, "/notifications"
	if base = strings.TrimRight(base, "/"); base != "" {
		link, settings = base+link, base+settings
	}
	name := mb.Name
	if name == "" {
		name = "Tend"
	}
	return &OutboundMail{
		ID: n.ID, Kind: "notification", MailMessageID: "notification-" + strconv.FormatInt(n.ID, 10) + "@" + domain,
		FromName: name, FromAddress: mb.Address, ReturnPath: mb.Address, To: to, Date: n.CreatedAt, Status: "queued",
		TicketNumber: n.TicketNumber, TicketSubject: n.TicketSubject,
		Subject: n.Text + ": " + n.TicketSubject,
		Text: n.Text + ", " + FormatTime(n.CreatedAt, loc) + ".\n\n#" + number + " " + n.TicketSubject + "\n" + link +
			"\n\nYou get this mail because you chose it under Notifications; change that at " + settings + ".",
		AutoSubmitted: true,
	}
}

// NotificationFilter chooses the caller's notifications, newest first.
type NotificationFilter struct {
	Unread bool
	Cursor string
	Limit  int
}

// NotificationRead marks notifications read: those of IDs, those of the
// ticket TicketID (as opening it does), or all with All.
type NotificationRead struct {
	IDs      []int64 `json:"ids"`
	TicketID int64   `json:"ticket_id"`
	All      bool    `json:"all"`
}

// NotificationService keeps each agent's notifications and the tickets
// they follow. Notifications are written by the change that causes them,
// in its transaction.
type NotificationService interface {
	// FindNotifications returns a page of the caller's notifications and
	// their unread count.
	FindNotifications(ctx context.Context, f NotificationFilter) (list []*Notification, next string, unread int, err error)
	// CountUnread is the caller's unread count, for the bell.
	CountUnread(ctx context.Context) (int, error)
	// MarkRead marks the caller's notifications read and returns how many
	// changed; ids of others' are ignored.
	MarkRead(ctx context.Context, r *NotificationRead) (int, error)
	// Follow and Unfollow start and stop the caller's following of a
	// ticket they may see; both are idempotent.
	Follow(ctx context.Context, ticketID int64) error
	Unfollow(ctx context.Context, ticketID int64) error
	// Following reports whether the caller follows the ticket.
	Following(ctx context.Context, ticketID int64) (bool, error)
	// NotifyByEmail returns the kinds mailed to the caller; SetNotifyByEmail
	// sets them.
	NotifyByEmail(ctx context.Context) ([]NotificationKind, error)
	SetNotifyByEmail(ctx context.Context, kinds []NotificationKind) error
}

// NotificationMailStore is what mailing a notification needs.
type NotificationMailStore interface {
	// FindNotificationMail writes the mail of notification id: from the
	// ticket's mailbox (or the desk's first) to its agent. ENOTFOUND when
	// there is nothing to send: no such notification, no mailbox, or an
	// agent deactivated since.
	FindNotificationMail(ctx context.Context, id int64) (*OutboundMail, error)
}
