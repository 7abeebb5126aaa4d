package tend

import "fmt"

// ThreadCandidate is a ticket that an inbound mail may answer.
type ThreadCandidate struct {
	TicketID int64
	Number   int64
	Status   Status
}

// Threading holds the tickets an inbound mail points at, one per way of
// finding them, as the store found them.
type Threading struct {
	// BySameMessageID is the ticket of an earlier mail from the same
	// sender with this mail's own Message-ID but other content: a mailer
	// that reuses its ids, whose mail belongs with the first.
	BySameMessageID *ThreadCandidate
	// ByMessageID is the ticket of the newest mail the mail's In-Reply-To
	// or References names.
	ByMessageID *ThreadCandidate
	// ByReplyAddress is the ticket whose reply token is in an address the
	// mail was sent to.
	ByReplyAddress *ThreadCandidate
	// BySubjectNumber is the ticket whose number is in the subject, found
	// only when the sender is its customer or a participant.
	BySubjectNumber *ThreadCandidate
}

// Choose returns the ticket the mail joins and how it was found, or nil:
// the sender's own earlier mail with the same id first; then the
// headers, since mail programs write them; then the reply address,
// which the mail was sent to; then the number in the subject, which
// people type. Never the subject's words.
func (th Threading) Choose() (*ThreadCandidate, string) {
	switch {
	case th.BySameMessageID != nil:
		return th.BySameMessageID, "same Message-ID as an earlier mail"
	case th.ByMessageID != nil:
		return th.ByMessageID, "Message-ID"
	case th.ByReplyAddress != nil:
		return th.ByReplyAddress, "reply address"
	case th.BySubjectNumber != nil:
		return th.BySubjectNumber, "ticket number in the subject"
	}
	return nil, ""
}

// MailFacts is what the store knows of an inbound mail when deciding what
// it does.
type MailFacts struct {
	Problem    string // why the mail cannot be taken; "" if it can
	Kind       MailKind
	KindReason string
	// Earlier is the first mail that came with this mail's Message-ID.
	Earlier *EarlierMail
	// FromOwnAddress: the sender is one of Tend's own mailboxes, so
	// answering would write to Tend itself.
	FromOwnAddress bool
	// OverSMTP: the mail is still being received, so it can be refused.
	OverSMTP bool
	// Blocked says why the sender is blocked; "" if not.
	Blocked string
	// BounceOf is the mail of Tend's a bounce reports on, if it proves
	// to be about one.
	BounceOf *BouncedMail
	Thread   Threading
	Imported bool // from an archive: its senders were answered long ago
	// NoReplyAddress: no address of the sender's can be written to.
	NoReplyAddress bool
	// SenderBouncing: mail to the sender's address bounces.
	SenderBouncing bool
	// SenderKnown: the sender is the customer of the ticket the mail
	// joins, or one of its participants.
	SenderKnown bool
	// SpamFlagged: an upstream filter called the mail spam.
	SpamFlagged bool
	// Auth is what the upstream host Tend trusts found failing for the
	// sender's domain: the From may be forged.
	Auth AuthFailure
	// AcksSent is how many acknowledgements the sender had lately, of
	// AckLimit allowed; an AckLimit of 0 acknowledges nothing.
	// AllAcksSent is how many the desk sent to anyone, of AllAckLimit.
	AcksSent, AckLimit       int
	AllAcksSent, AllAckLimit int
}

// EarlierMail is what the store kept of the first mail with a
// Message-ID.
type EarlierMail struct {
	TicketID    int64
	SameSender  bool
	SameContent bool // the same text and files, however transferred
}

// BouncedMail is a mail Tend sent that a bounce reports on, and how the
// bounce proved it.
type BouncedMail struct {
	TicketID   int64
	OutboundID int64
	// ByReturnAddress: the bounce came to the mail's own signed return
	// path, which only the mail's receivers' servers have seen.
	ByReturnAddress bool
}

// MailDecision is what an inbound mail does.
type MailDecision struct {
	Outcome InboundOutcome
	// Ticket is the ticket the mail joins, duplicates, or reports on;
	// nil for a new ticket until it exists.
	Ticket *int64
	// FollowUpOf is the closed ticket a new ticket follows up.
	FollowUpOf *ThreadCandidate
	// Acknowledge: mail the sender that their new ticket exists.
	Acknowledge bool
	// QuoteSubject: the acknowledgement may repeat the mail's subject.
	// Not when the sender may be forged: Tend would carry a stranger's
	// words to the address they forged.
	QuoteSubject bool
	// Spam: the new ticket goes to the Spam view, not the queue.
	Spam bool
	// Participants says whether the mail's To and Cc may become the
	// ticket's participants (up to the caps), or are only suggested to
	// an agent: only when the mail opens a ticket or comes from someone
	// of the ticket, by a way that is not the number in its subject,
	// which anyone can type, and not from a sender failing DMARC.
	Participants bool
	// Detail says why, for the admin's list of inbound mail; a new
	// ticket's number is added once it exists (Describe).
	Detail string
	how    string
}

// DecideMail decides what an inbound mail does. In order: a mail that
// cannot be read is kept for an admin; the same mail again is a duplicate;
// a bounce is recorded; mail from one of the desk's own addresses is
// refused while it arrives over SMTP (it would loop), else ignored; a
// blocked sender's mail is ignored; an automatic reply is recorded on the
// ticket it answers, or ignored; bulk mail is ignored; mail from a person
// joins the ticket it answers, opens a follow-up to a closed one, or opens
// a new ticket, acknowledged unless imported, spam, without an address to
// write to, the sender's address bounces, or the sender or the desk had
// their share of acknowledgements.
func DecideMail(f MailFacts) MailDecision {
	switch {
	case f.Problem != "":
		return MailDecision{Outcome: OutcomeFailed, Detail: f.Problem}
	case f.Earlier != nil && f.Earlier.SameSender && f.Earlier.SameContent:
		return MailDecision{Outcome: OutcomeDuplicate, Ticket: &f.Earlier.TicketID, Detail: "the same mail arrived before"}
	case f.Kind == MailBounce:
		return decideBounce(f)
	case f.FromOwnAddress && f.OverSMTP:
		return MailDecision{Outcome: OutcomeRefused, Detail: "sent from one of this desk's own addresses; answering it would write to the desk itself"}
	case f.FromOwnAddress:
		return MailDecision{Outcome: OutcomeIgnored, Detail: "sent from one of this desk's own addresses; answering it would write to the desk itself"}
	case f.Blocked != "":
		return MailDecision{Outcome: OutcomeIgnored, Detail: f.Blocked}
	}
	if f.Auth.DMARC {
		// Anyone could have typed the number; the From may be anyone's.
		f.Thread.BySubjectNumber = nil
	}
	t, how := f.Thread.Choose()
	// Only mail from someone already of the ticket may bring others in:
	// a Message-ID or a reply address is known to everyone the thread
	// reached, and a number to anyone who saw one. A forged From (DMARC
	// failed) brings no one, on any ticket.
	trusted := (t == nil || t != f.Thread.BySubjectNumber && f.SenderKnown) && !f.Auth.DMARC
	switch {
	case f.Kind == MailAutoReply && t == nil:
		return MailDecision{Outcome: OutcomeIgnored, Detail: f.KindReason + "; about no known ticket"}
	case f.Kind == MailAutoReply:
		return MailDecision{Outcome: OutcomeAutoReply, Ticket: &t.TicketID, Detail: f.KindReason + "; threaded by " + how}
	case f.Kind == MailBulk:
		return MailDecision{Outcome: OutcomeIgnored, Detail: f.KindReason}
	case t != nil && t.Status != StatusClosed:
		return MailDecision{Outcome: OutcomeAdded, Ticket: &t.TicketID, Detail: "threaded by " + how, Participants: trusted}
	}
	d := MailDecision{Outcome: OutcomeCreated, Acknowledge: true, QuoteSubject: f.Auth == AuthFailure{}, Spam: f.SpamFlagged,
		Participants: trusted, how: how}
	if t != nil {
		// A closed ticket stays closed; the reply starts a follow-up.
		d.FollowUpOf = t
	}
	switch {
	case f.Imported, f.SenderBouncing:
		d.Acknowledge = false
	case f.SpamFlagged:
		d.Acknowledge = false
		d.Detail = "marked spam by the upstream filter; not acknowledged"
	case f.NoReplyAddress:
		d.Acknowledge = false
		d.Detail = "no address to reply to; not acknowledged"
	case f.AckLimit <= 0:
		d.Acknowledge = false
	case f.AcksSent >= f.AckLimit:
		d.Acknowledge = false
		d.Detail = "no acknowledgement: this address had its share this hour"
	case f.AllAckLimit > 0 && f.AllAcksSent >= f.AllAckLimit:
		d.Acknowledge = false
		d.Detail = fmt.Sprintf("no acknowledgement: the desk sent its %d this hour", f.AllAckLimit)
	}
	return d
}

// decideBounce records a bounce. Only a bounce proved to be about mail
// Tend sent changes anything (decideBounce names the mail; the store
// marks that mail's failed recipients); any other report is kept for the
// record, so that a forged one cannot silence a customer.
func decideBounce(f MailFacts) MailDecision {
	if f.BounceOf == nil {
		return MailDecision{Outcome: OutcomeBounce, Detail: f.KindReason + "; not about mail this desk sent, so nothing changed"}
	}
	return MailDecision{Outcome: OutcomeBounce, Ticket: &f.BounceOf.TicketID, Detail: f.KindReason}
}

// Describe returns the decision's detail once the ticket it opened, if
// any, has its number.
func (d MailDecision) Describe(number int64) string {
	if d.FollowUpOf == nil {
		return d.Detail
	}
	s := fmt.Sprintf("answers closed ticket #%d (%s); opened #%d", d.FollowUpOf.Number, d.how, number)
	if d.Detail != "" {
		s += "; " + d.Detail
	}
	return s
}

// The caps on participants: one mail can make at most
// MaxParticipantsFromMail of its copies participants, and a ticket has at
// most MaxParticipants; an agent decides on the rest. So a stranger's
// mail copied to thousands cannot make a reply go to thousands.
const (
	MaxParticipantsFromMail = 10
	MaxParticipants         = 25
)

// PlanParticipants splits the addresses a mail copied that are new to its
// ticket into those that become participants and those only suggested to
// an agent. trusted is MailDecision.Participants; existing is how many
// participants the ticket has.
func PlanParticipants(copied []MailAddress, existing int, trusted bool) (add, suggest []MailAddress) {
	room := 0
	if trusted {
		room = min(MaxParticipantsFromMail, max(MaxParticipants-existing, 0))
	}
	room = min(room, len(copied))
	return copied[:room], copied[room:]
}
