package tend

import (
	"encoding/json"
	"fmt"
	"time"
)

// EventKind names a change to a ticket.
type EventKind string

const (
	EventCreated            EventKind = "created"
	EventStatusChanged      EventKind = "status_changed"
	EventPriorityChanged    EventKind = "priority_changed"
	EventOwnerChanged       EventKind = "owner_changed"
	EventTeamChanged        EventKind = "team_changed"
	EventTagsChanged        EventKind = "tags_changed"
	EventSubjectChanged     EventKind = "subject_changed"
	EventCustomerMerged     EventKind = "customer_merged" // the ticket's customer was merged into another
	EventMessageAdded       EventKind = "message_added"
	EventReopened           EventKind = "reopened"
	EventBounced            EventKind = "bounced"                // mail Tend sent could not be delivered
	EventAutoReply          EventKind = "auto_reply"             // an automatic reply arrived, unanswered
	EventDeliveryFailed     EventKind = "delivery_failed"        // a reply's mail gave up
	EventParticipants       EventKind = "participants"           // addresses copied on the mail joined
	EventFollowUpCreated    EventKind = "follow_up_created"      // a reply to this closed ticket opened another
	EventSuggested          EventKind = "participants_suggested" // addresses copied on the mail await an agent
	EventSpam               EventKind = "spam"                   // marked spam, or not
	EventParticipantRemoved EventKind = "participant_removed"    // an agent took an address out of the conversation
	EventMerged             EventKind = "merged"                 // this duplicate was merged into another ticket
	EventMergedIn           EventKind = "merged_in"              // a duplicate was merged into this ticket
	EventLinked             EventKind = "linked"                 // a related ticket was linked
	EventUnlinked           EventKind = "unlinked"               // a link to a related ticket was removed
	EventFieldChanged       EventKind = "field_changed"          // a custom field's value changed
	EventSLAWarning         EventKind = "sla_warning"            // a service-level target is at risk
	EventSLABreached        EventKind = "sla_breached"           // a service-level target's deadline passed unmet
	EventSLARecomputed      EventKind = "sla_recomputed"         // the deadlines were laid out again
)

// EventKinds lists every kind of event, in the order the API documents
// them.
var EventKinds = []EventKind{EventCreated, EventStatusChanged, EventPriorityChanged, EventOwnerChanged,
	EventTeamChanged, EventTagsChanged, EventSubjectChanged, EventCustomerMerged, EventMessageAdded, EventReopened,
	EventBounced, EventAutoReply, EventDeliveryFailed, EventParticipants, EventFollowUpCreated, EventSuggested, EventSpam, EventParticipantRemoved,
	EventMerged, EventMergedIn, EventLinked, EventUnlinked, EventFieldChanged,
	EventSLAWarning, EventSLABreached, EventSLARecomputed}

// Event is one entry of a ticket's append-only history: what changed, who
// changed it, and when. Data is one of the types below, chosen by Kind.
//
// Payloads name people, tickets and mail by id, never by address, so that
// a customer's data can be erased without rewriting history. Rows written
// before that rule may carry addresses in the fields marked as read only.
type Event struct {
	ID        int64      `json:"id"`
	TicketID  int64      `json:"ticket_id"`
	Kind      EventKind  `json:"kind"`
	ActorType AuthorType `json:"actor_type"`
	ActorID   *int64     `json:"actor_id"`
	Data      EventData  `json:"data"`
	CreatedAt time.Time  `json:"created_at"`
	// ChangeID is shared by the entries one change recorded (a macro's
	// reply, status and tags, say), which read as one step; "" for an
	// entry recorded alone.
	ChangeID string `json:"change_id"`
}

// EventData is the payload of one kind of event.
type EventData interface {
	EventKind() EventKind
}

// TicketCreated is the first event of every ticket: how it began.
type TicketCreated struct {
	Number     int64    `json:"number"`
	Subject    string   `json:"subject"`
	Status     Status   `json:"status"`
	Priority   Priority `json:"priority"`
	Channel    Channel  `json:"channel"`
	CustomerID int64    `json:"customer_id"`
	TeamID     *int64   `json:"team_id"`
	Tags       []string `json:"tags"`
	MessageID  int64    `json:"message_id"`
	// MailboxID is set when the ticket began with an agent's mail to the
	// customer, sent from that mailbox.
	MailboxID *int64 `json:"mailbox_id,omitempty"`
}

type StatusChanged struct {
	From Status `json:"from"`
	To   Status `json:"to"`
}

type PriorityChanged struct {
	From Priority `json:"from"`
	To   Priority `json:"to"`
}

// OwnerChanged names agents; nil is nobody.
type OwnerChanged struct {
	From *int64 `json:"from"`
	To   *int64 `json:"to"`
}

// TeamChanged names teams; nil is no team.
type TeamChanged struct {
	From *int64 `json:"from"`
	To   *int64 `json:"to"`
}

type TagsChanged struct {
	Added   []string `json:"added"`
	Removed []string `json:"removed"`
}

type SubjectChanged struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// CustomerMerged records that the ticket moved with its customer, FromID,
// who was merged into IntoID.
type CustomerMerged struct {
	FromID int64 `json:"from_id"`
	IntoID int64 `json:"into_id"`
}

// MessageAdded records a reply or note. Channel is set for messages that
// came by mail.
type MessageAdded struct {
	MessageID   int64       `json:"message_id"`
	Kind        MessageKind `json:"kind"`
	AuthorType  AuthorType  `json:"author_type"`
	AuthorID    *int64      `json:"author_id"`
	Attachments int         `json:"attachments"`
	Channel     Channel     `json:"channel,omitempty"`
}

// Reopened follows a move from solved back to open.
type Reopened struct {
	ReopenCount int `json:"reopen_count"`
}

// Bounced records mail from Tend that could not be delivered: the
// outbound mail, the message it carried if a reply, and how many
// addresses failed. Recipients is read only, from rows that named the
// addresses.
type Bounced struct {
	OutboundID *int64   `json:"outbound_id,omitempty"`
	MessageID  *int64   `json:"message_id"`
	Failed     int      `json:"failed"`
	Permanent  bool     `json:"permanent"`
	Reason     string   `json:"reason"`
	Recipients []string `json:"recipients,omitempty"`
}

// AutoReplied records an automatic answer (an out-of-office, say) to the
// ticket's mail, which Tend does not answer; the inbound mail list holds
// the mail itself. From and Subject are read only, from older rows.
type AutoReplied struct {
	Reason  string `json:"reason"`
	From    string `json:"from,omitempty"`
	Subject string `json:"subject,omitempty"`
}

// DeliveryFailed records that Tend gave up sending a mail. To is read
// only, from older rows.
type DeliveryFailed struct {
	OutboundID int64  `json:"outbound_id"`
	MessageID  *int64 `json:"message_id"`
	Reason     string `json:"reason"`
	To         string `json:"to,omitempty"`
}

// ParticipantsAdded records that people copied on a customer's mail
// joined the conversation: how many, and the message they came with.
// Added is read only, from rows that named the addresses.
type ParticipantsAdded struct {
	MessageID *int64   `json:"message_id,omitempty"`
	Count     int      `json:"count"`
	Added     []string `json:"added,omitempty"`
}

// People reports how many joined, in new rows and old.
func (p ParticipantsAdded) People() int { return max(p.Count, len(p.Added)) }

// ParticipantsSuggested records that people copied on a mail did not join
// by themselves: over the caps, or in a mail that joined by the number in
// its subject alone (Unverified), which anyone can type. Kept of them are
// listed for an agent to add.
type ParticipantsSuggested struct {
	MessageID  int64 `json:"message_id"`
	Count      int   `json:"count"`
	Kept       int   `json:"kept"`
	Unverified bool  `json:"unverified"`
}

// ParticipantRemoved records that an agent took people out of the
// conversation: they receive no more of its replies.
type ParticipantRemoved struct {
	Count int `json:"count"`
}

// SpamMarked records that the ticket was marked spam (Spam) or found not
// to be, and whether its sender was blocked with it.
type SpamMarked struct {
	Spam          bool `json:"spam"`
	SenderBlocked bool `json:"sender_blocked"`
	ByFilter      bool `json:"by_filter"` // the upstream mail filter marked it
}

// FollowUpCreated records that mail answering this closed ticket opened
// another.
type FollowUpCreated struct {
	TicketID int64 `json:"ticket_id"`
	Number   int64 `json:"number"`
}

// TicketMerged records that this ticket, a duplicate, was merged into
// another: its messages (Messages of them) and participants moved there.
type TicketMerged struct {
	IntoID     int64 `json:"into_id"`
	IntoNumber int64 `json:"into_number"`
	Messages   int   `json:"messages"`
}

// TicketMergedIn records that a duplicate was merged into this ticket,
// bringing Messages messages.
type TicketMergedIn struct {
	FromID     int64 `json:"from_id"`
	FromNumber int64 `json:"from_number"`
	Messages   int   `json:"messages"`
}

// TicketLinked records a link to a related ticket, made on both.
type TicketLinked struct {
	TicketID int64 `json:"ticket_id"`
	Number   int64 `json:"number"`
}

// TicketUnlinked records that the link to a related ticket was removed.
type TicketUnlinked struct {
	TicketID int64 `json:"ticket_id"`
	Number   int64 `json:"number"`
}

// UnknownEvent holds a payload of a kind this version does not know.
type UnknownEvent struct {
	Kind EventKind
	Raw  json.RawMessage
}

func (TicketCreated) EventKind() EventKind         { return EventCreated }
func (StatusChanged) EventKind() EventKind         { return EventStatusChanged }
func (PriorityChanged) EventKind() EventKind       { return EventPriorityChanged }
func (OwnerChanged) EventKind() EventKind          { return EventOwnerChanged }
func (TeamChanged) EventKind() EventKind           { return EventTeamChanged }
func (TagsChanged) EventKind() EventKind           { return EventTagsChanged }
func (SubjectChanged) EventKind() EventKind        { return EventSubjectChanged }
func (CustomerMerged) EventKind() EventKind        { return EventCustomerMerged }
func (MessageAdded) EventKind() EventKind          { return EventMessageAdded }
func (Reopened) EventKind() EventKind              { return EventReopened }
func (Bounced) EventKind() EventKind               { return EventBounced }
func (AutoReplied) EventKind() EventKind           { return EventAutoReply }
func (DeliveryFailed) EventKind() EventKind        { return EventDeliveryFailed }
func (ParticipantsAdded) EventKind() EventKind     { return EventParticipants }
func (FollowUpCreated) EventKind() EventKind       { return EventFollowUpCreated }
func (ParticipantsSuggested) EventKind() EventKind { return EventSuggested }
func (SpamMarked) EventKind() EventKind            { return EventSpam }
func (ParticipantRemoved) EventKind() EventKind    { return EventParticipantRemoved }
func (TicketMerged) EventKind() EventKind          { return EventMerged }
func (TicketMergedIn) EventKind() EventKind        { return EventMergedIn }
func (TicketLinked) EventKind() EventKind          { return EventLinked }
func (TicketUnlinked) EventKind() EventKind        { return EventUnlinked }
func (u UnknownEvent) EventKind() EventKind        { return u.Kind }

func (u UnknownEvent) MarshalJSON() ([]byte, error) {
	if len(u.Raw) == 0 {
		return []byte("{}"), nil
	}
	return u.Raw, nil
}

// NewEventData returns an empty payload of kind, to decode into.
func NewEventData(kind EventKind) EventData {
	switch kind {
	case EventCreated:
		return &TicketCreated{}
	case EventStatusChanged:
		return &StatusChanged{}
	case EventPriorityChanged:
		return &PriorityChanged{}
	case EventOwnerChanged:
		return &OwnerChanged{}
	case EventTeamChanged:
		return &TeamChanged{}
	case EventTagsChanged:
		return &TagsChanged{}
	case EventSubjectChanged:
		return &SubjectChanged{}
	case EventCustomerMerged:
		return &CustomerMerged{}
	case EventMessageAdded:
		return &MessageAdded{}
	case EventReopened:
		return &Reopened{}
	case EventBounced:
		return &Bounced{}
	case EventAutoReply:
		return &AutoReplied{}
	case EventDeliveryFailed:
		return &DeliveryFailed{}
	case EventParticipants:
		return &ParticipantsAdded{}
	case EventFollowUpCreated:
		return &FollowUpCreated{}
	case EventSuggested:
		return &ParticipantsSuggested{}
	case EventSpam:
		return &SpamMarked{}
	case EventParticipantRemoved:
		return &ParticipantRemoved{}
	case EventMerged:
		return &TicketMerged{}
	case EventMergedIn:
		return &TicketMergedIn{}
	case EventLinked:
		return &TicketLinked{}
	case EventUnlinked:
		return &TicketUnlinked{}
	case EventFieldChanged:
		return &FieldChanged{}
	case EventSLAWarning:
		return &SLAWarning{}
	case EventSLABreached:
		return &SLABreached{}
	case EventSLARecomputed:
		return &SLARecomputed{}
	}
	return nil
}

// DecodeEventData reads a stored payload of kind. A kind this version
// does not know comes back as UnknownEvent, so that history written by a
// newer version still reads; so does a payload that does not fit its
// kind, with the error.
func DecodeEventData(kind EventKind, raw []byte) (EventData, error) {
	ptr := NewEventData(kind)
	if ptr == nil {
		return UnknownEvent{Kind: kind, Raw: json.RawMessage(raw)}, nil
	}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, ptr); err != nil {
			// A payload that does not fit its kind (written by another
			// version) must not make the rest of the history unreadable.
			return UnknownEvent{Kind: kind, Raw: json.RawMessage(raw)}, fmt.Errorf("%s event: %w", kind, err)
		}
	}
	return deref(ptr), nil
}

// deref returns the value a pointer from NewEventData points to, so that
// payloads are compared and switched on as values.
func deref(d EventData) EventData {
	switch v := d.(type) {
	case *TicketCreated:
		return *v
	case *StatusChanged:
		return *v
	case *PriorityChanged:
		return *v
	case *OwnerChanged:
		return *v
	case *TeamChanged:
		return *v
	case *TagsChanged:
		return *v
	case *SubjectChanged:
		return *v
	case *CustomerMerged:
		return *v
	case *MessageAdded:
		return *v
	case *Reopened:
		return *v
	case *Bounced:
		return *v
	case *AutoReplied:
		return *v
	case *DeliveryFailed:
		return *v
	case *ParticipantsAdded:
		return *v
	case *FollowUpCreated:
		return *v
	case *ParticipantsSuggested:
		return *v
	case *SpamMarked:
		return *v
	case *ParticipantRemoved:
		return *v
	case *TicketMerged:
		return *v
	case *TicketMergedIn:
		return *v
	case *TicketLinked:
		return *v
	case *TicketUnlinked:
		return *v
	case *FieldChanged:
		return *v
	case *SLAWarning:
		return *v
	case *SLABreached:
		return *v
	case *SLARecomputed:
		return *v
	}
	return d
}

// UnmarshalJSON reads an event as the API writes it, its data by kind.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var raw struct {
		plain
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*e = Event(raw.plain)
	data, err := DecodeEventData(e.Kind, raw.Data)
	if err != nil {
		return err
	}
	e.Data = data
	return nil
}

// AuditEntry records a change outside tickets: to staff, teams, customers,
// organizations, tokens and settings.
type AuditEntry struct {
	ID          int64           `json:"id"`
	ActorType   AuthorType      `json:"actor_type"`
	ActorID     *int64          `json:"actor_id"`
	Action      string          `json:"action"`
	SubjectType string          `json:"subject_type"`
	SubjectID   int64           `json:"subject_id"`
	Data        json.RawMessage `json:"data"`
	CreatedAt   time.Time       `json:"created_at"`
}
