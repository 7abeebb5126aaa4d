package tend

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// TicketChange tells listeners, after commit, that a ticket changed.
type TicketChange struct {
	TicketID  int64
	Kind      EventKind // EventCreated, EventMessageAdded or another change
	Channel   Channel
	MessageID int64
	// Notified are the agents the change gave a notification.
	Notified []int64
}

// ApplyUpdate applies u to t as p would at now, and returns the changes to
// record; none if u changes nothing. Owner and team ids must have been
// checked to exist. It returns ECONFLICT for a status change the workflow
// does not allow, naming the ones it does.
func (t *Ticket) ApplyUpdate(p Principal, u *TicketUpdate, now time.Time) ([]EventData, error) {
	var changes []EventData
	if u.Subject != nil && *u.Subject != t.Subject {
		changes = append(changes, SubjectChanged{From: t.Subject, To: *u.Subject})
		t.Subject = *u.Subject
	}
	if u.Priority != nil && *u.Priority != t.Priority {
		changes = append(changes, PriorityChanged{From: t.Priority, To: *u.Priority})
		t.Priority = *u.Priority
	}
	if u.TeamID != nil && !sameID(t.TeamID, *u.TeamID) {
		to := OptionalID(*u.TeamID)
		changes = append(changes, TeamChanged{From: t.TeamID, To: to})
		t.TeamID = to
	}
	taken := false
	if u.OwnerID != nil {
		hadOwner := t.OwnerID != nil
		c := t.setOwner(*u.OwnerID)
		taken = !hadOwner && len(c) > 0
		changes = append(changes, c...)
	}
	if tags := u.newTags(t.Tags); !slices.Equal(tags, t.Tags) {
		changes = append(changes, TagsChanged{Added: missingFrom(tags, t.Tags), Removed: missingFrom(t.Tags, tags)})
		t.Tags = tags
	}
	status := u.Status
	if status == nil && t.Status == StatusNew && taken {
		// Giving a new ticket its first owner triages it: taking a ticket
		// opens it. Handing one over (deactivation) does not.
		open := StatusOpen
		status = &open
	}
	if status != nil {
		c, err := t.setStatus(p, *status, now)
		if err != nil {
			return nil, err
		}
		changes = append(changes, c...)
	}
	if len(changes) > 0 {
		t.touch(now)
	}
	return changes, nil
}

// ApplyMessage moves t along for a new message and returns the changes to
// record besides the message itself. A customer's reply reopens a solved
// ticket (counting a reopen) and brings back one that waited on them; a
// staff reply records the first response and opens a new ticket. An
// explicit status, from staff, replaces the implicit move.
func (t *Ticket) ApplyMessage(p Principal, author AuthorType, kind MessageKind, status *Status, now time.Time) ([]EventData, error) {
	if t.Status == StatusClosed && (kind == KindReply || status != nil) {
		return nil, Errorf(ECONFLICT, "Ticket #%d is closed; a new request needs a new ticket.", t.Number)
	}
	next := t.Status
	switch {
	case status != nil:
		next = *status
	case author == AuthorCustomer && t.Status != StatusNew:
		next = StatusOpen
	case author == AuthorAgent && kind == KindReply && t.Status == StatusNew:
		next = StatusOpen
	}
	if author == AuthorAgent && kind == KindReply && t.FirstRespondedAt == nil {
		at := now
		t.FirstRespondedAt = &at
	}
	changes, err := t.setStatus(p, next, now)
	if err != nil {
		return nil, err
	}
	t.touch(now)
	return changes, nil
}

// ApplyCustomerMerge moves t to the customer intoID, into whom its
// customer was merged, and to that customer's organization. Its last
// activity stays as it was, since a merge is not news about a ticket, but
// its version moves on so that a copy read before the merge is stale.
func (t *Ticket) ApplyCustomerMerge(intoID int64, orgID *int64) EventData {
	c := CustomerMerged{FromID: t.CustomerID, IntoID: intoID}
	t.CustomerID, t.OrganizationID = intoID, orgID
	t.Version++
	return c
}

func (t *Ticket) touch(now time.Time) {
	t.UpdatedAt = now
	t.Version++
}

// setStatus moves t to next. A staff member who takes a ticket out of new
// becomes its owner if it has none: every triaged ticket has one.
func (t *Ticket) setStatus(p Principal, next Status, now time.Time) ([]EventData, error) {
	if next == t.Status {
		return nil, nil
	}
	if !t.Status.CanBecome(next) {
		return nil, t.transitionError(next)
	}
	var changes []EventData
	from := t.Status
	t.Status = next
	changes = append(changes, StatusChanged{From: from, To: next})
	switch {
	case from == StatusSolved && next == StatusOpen:
		t.ReopenCount++
		t.SolvedAt = nil
		changes = append(changes, Reopened{ReopenCount: t.ReopenCount})
	case next == StatusSolved:
		at := now
		t.SolvedAt = &at
	case next == StatusClosed:
		at := now
		t.ClosedAt = &at
	}
	if from == StatusNew && t.OwnerID == nil && p.AgentID != 0 {
		changes = append(changes, t.setOwner(p.AgentID)...)
	}
	return changes, nil
}

func (t *Ticket) transitionError(next Status) error {
	allowed := t.Status.Next()
	if len(allowed) == 0 {
		return Errorf(ECONFLICT, "Ticket #%d is %s and cannot change status; a new request needs a new ticket.", t.Number, t.Status.Words())
	}
	names := make([]string, len(allowed))
	for i, s := range allowed {
		names[i] = s.Words()
	}
	can := joinWords(names, "or")
	return &Error{Code: ECONFLICT,
		Message: fmt.Sprintf("Ticket #%d is %s, so it cannot become %s; it can become %s.", t.Number, t.Status.Words(), next.Words(), can),
		Fields:  map[string]string{"status": "can become " + can}}
}

// Words names a status as a sentence does: "on hold", not "on_hold".
func (s Status) Words() string { return strings.ReplaceAll(string(s), "_", " ") }

// joinWords lists words as prose: "a", "a or b", "a, b or c".
func joinWords(words []string, and string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + and + " " + words[len(words)-1]
}

func (t *Ticket) setOwner(id int64) []EventData {
	to := OptionalID(id)
	if sameID(t.OwnerID, id) {
		return nil
	}
	c := OwnerChanged{From: t.OwnerID, To: to}
	t.OwnerID = to
	return []EventData{c}
}

// newTags returns the tag set after u, sorted.
func (u *TicketUpdate) newTags(current []string) []string {
	tags := slices.Clone(current)
	if u.Tags != nil {
		tags = slices.Clone(*u.Tags)
	}
	for _, t := range u.AddTags {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	tags = slices.DeleteFunc(tags, func(t string) bool { return slices.Contains(u.RemoveTags, t) })
	slices.Sort(tags)
	if tags == nil {
		tags = []string{}
	}
	return tags
}

func missingFrom(a, b []string) []string {
	out := []string{}
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

func sameID(current *int64, id int64) bool {
	if current == nil {
		return id == 0
	}
	return *current == id
}

// OptionalID turns the "clear" value 0 of an update field into nil.
func OptionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// ApplySpam marks t spam, or not. Marking it spam solves and closes it
// (system moves, returned in system: nobody answers spam); the mark
// itself is in marked, the agent's. Marking a spam ticket not spam only
// lifts the mark: a ticket closed stays closed, and one the mail filter
// put aside goes to the queue as it is.
func (t *Ticket) ApplySpam(spam, senderBlocked bool, now time.Time) (system, marked []EventData, err error) {
	if spam == t.Spam {
		if spam {
			return nil, nil, Errorf(ECONFLICT, "Ticket #%d is already marked spam.", t.Number)
		}
		return nil, nil, Errorf(ECONFLICT, "Ticket #%d is not marked spam.", t.Number)
	}
	if spam {
		for _, next := range []Status{StatusSolved, StatusClosed} {
			if t.Status.CanBecome(next) {
				c, err := t.setStatus(Principal{System: true}, next, now)
				if err != nil {
					return nil, nil, err
				}
				system = append(system, c...)
			}
		}
	}
	t.Spam = spam
	t.touch(now)
	return system, []EventData{SpamMarked{Spam: spam, SenderBlocked: spam && senderBlocked}}, nil
}

// ApplyMerge merges t, a duplicate, into the ticket into: t is solved and
// closed by Tend (system moves, in system; nobody answers a duplicate) and
// names into as the ticket kept. Moving the messages is the store's. It
// returns ECONFLICT for a merge that cannot be undone or would lose mail:
// into itself, into a ticket itself merged (naming the one kept), into a
// closed ticket, which takes no more messages.
func (t *Ticket) ApplyMerge(into *Ticket, now time.Time) (system []EventData, err error) {
	switch {
	case t.ID == into.ID:
		return nil, Errorf(EINVALID, "A ticket cannot be merged into itself; choose the ticket to keep.")
	case t.MergedIntoID != nil:
		return nil, Errorf(ECONFLICT, "Ticket #%d was already merged into another ticket.", t.Number)
	case into.MergedIntoID != nil:
		return nil, Errorf(ECONFLICT, "Ticket #%d was itself merged into another ticket; merge into that one.", into.Number)
	case into.Status == StatusClosed:
		return nil, Errorf(ECONFLICT, "Ticket #%d is closed and takes no more messages; merge into an open ticket, or merge #%d into #%d.",
			into.Number, into.Number, t.Number)
	}
	for _, next := range []Status{StatusSolved, StatusClosed} {
		if t.Status.CanBecome(next) {
			c, err := t.setStatus(Principal{System: true}, next, now)
			if err != nil {
				return nil, err
			}
			system = append(system, c...)
		}
	}
	t.MergedIntoID = &into.ID
	t.touch(now)
	return system, nil
}

// MergeInto answers where mail and links to a ticket merged into others
// lead: following merged, the ticket each was merged into, to the first
// one kept. A chain longer than limit, or a loop, ends where it stands.
func MergeInto(id int64, merged func(int64) (*int64, error), limit int) (int64, error) {
	seen := map[int64]bool{id: true}
	for range limit {
		next, err := merged(id)
		if err != nil || next == nil || seen[*next] {
			return id, err
		}
		id = *next
		seen[id] = true
	}
	return id, nil
}
