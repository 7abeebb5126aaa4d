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
// headers first, since mail programs write them; then the reply address,
// which the mail was sent to; then the number in the subject, which
// people type. Never the subject's words.
func (th Threading) Choose() (*ThreadCandidate, string) {
	switch {
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
	// SeenBefore is the ticket an earlier mail with the same Message-ID
	// went to.
	SeenBefore *int64
	// FromOwnAddress: the sender is one of Tend's own mailboxes, so
	// answering would write to Tend itself.
	FromOwnAddress bool
	// BounceOf is the ticket whose mail a bounce reports on, if known.
	BounceOf *int64
	Thread   Threading
	Imported bool // from an archive: its senders were answered long ago
	// SenderBouncing: mail to the sender's address bounces.
	SenderBouncing bool
	// AcksSent is how many acknowledgements the sender had lately, of
	// AckLimit allowed; an AckLimit of 0 acknowledges nothing.
	AcksSent, AckLimit int
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
	// Detail says why, for the admin's list of inbound mail; a new
	// ticket's number is added once it exists (Describe).
	Detail string
	how    string
}

// DecideMail decides what an inbound mail does. In order: a mail that
// cannot be read is kept for an admin; the same Message-ID again is a
// duplicate; a bounce is recorded on its ticket; an automatic reply is
// recorded on the ticket it answers, or ignored; mail from one of the
// desk's own addresses is ignored (it would loop); bulk mail is ignored;
// mail from a person joins the ticket it answers, opens a follow-up to a
// closed one, or opens a new ticket, acknowledged unless imported, the
// sender's address bounces, or the sender had their share of
// acknowledgements.
func DecideMail(f MailFacts) MailDecision {
	switch {
	case f.Problem != "":
		return MailDecision{Outcome: OutcomeFailed, Detail: f.Problem}
	case f.SeenBefore != nil:
		return MailDecision{Outcome: OutcomeDuplicate, Ticket: f.SeenBefore, Detail: "this Message-ID arrived before"}
	case f.Kind == MailBounce:
		return MailDecision{Outcome: OutcomeBounce, Ticket: f.BounceOf, Detail: f.KindReason}
	case f.FromOwnAddress:
		return MailDecision{Outcome: OutcomeIgnored, Detail: "sent from one of this desk's own addresses; answering it would write to the desk itself"}
	}
	t, how := f.Thread.Choose()
	switch {
	case f.Kind == MailAutoReply && t == nil:
		return MailDecision{Outcome: OutcomeIgnored, Detail: f.KindReason + "; about no known ticket"}
	case f.Kind == MailAutoReply:
		return MailDecision{Outcome: OutcomeAutoReply, Ticket: &t.TicketID, Detail: f.KindReason + "; threaded by " + how}
	case f.Kind == MailBulk:
		return MailDecision{Outcome: OutcomeIgnored, Detail: f.KindReason}
	case t != nil && t.Status != StatusClosed:
		return MailDecision{Outcome: OutcomeAdded, Ticket: &t.TicketID, Detail: "threaded by " + how}
	}
	d := MailDecision{Outcome: OutcomeCreated, Acknowledge: true, how: how}
	if t != nil {
		// A closed ticket stays closed; the reply starts a follow-up.
		d.FollowUpOf = t
	}
	switch {
	case f.Imported, f.SenderBouncing, f.AckLimit <= 0:
		d.Acknowledge = false
	case f.AcksSent >= f.AckLimit:
		d.Acknowledge = false
		d.Detail = "no acknowledgement: this address had its share this hour"
	}
	return d
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
