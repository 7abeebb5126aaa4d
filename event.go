package tend

import (
	"encoding/json"
	"time"
)

// EventKind names a change to a ticket.
type EventKind string

const (
	EventCreated         EventKind = "created"
	EventStatusChanged   EventKind = "status_changed"
	EventPriorityChanged EventKind = "priority_changed"
	EventOwnerChanged    EventKind = "owner_changed"
	EventTeamChanged     EventKind = "team_changed"
	EventTagsChanged     EventKind = "tags_changed"
	EventSubjectChanged  EventKind = "subject_changed"
	EventMessageAdded    EventKind = "message_added"
	EventReopened        EventKind = "reopened"
	EventBounced         EventKind = "bounced"           // mail Tend sent could not be delivered
	EventAutoReply       EventKind = "auto_reply"        // an automatic reply arrived, unanswered
	EventDeliveryFailed  EventKind = "delivery_failed"   // a reply's mail gave up
	EventParticipants    EventKind = "participants"      // addresses copied on the mail joined
	EventFollowUpCreated EventKind = "follow_up_created" // a reply to this closed ticket opened another
)

// Event is one entry of a ticket's append-only history: what changed, who
// changed it, and when. Data holds the details, such as {"from": "new",
// "to": "open"}.
type Event struct {
	ID        int64           `json:"id"`
	TicketID  int64           `json:"ticket_id"`
	Kind      EventKind       `json:"kind"`
	ActorType AuthorType      `json:"actor_type"`
	ActorID   *int64          `json:"actor_id"`
	Data      json.RawMessage `json:"data"`
	CreatedAt time.Time       `json:"created_at"`
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
