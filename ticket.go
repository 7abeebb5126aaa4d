package tend

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Status is where a ticket stands.
type Status string

const (
	StatusNew     Status = "new"     // not yet triaged
	StatusOpen    Status = "open"    // the team is working on it
	StatusPending Status = "pending" // waiting on the customer
	StatusOnHold  Status = "on_hold" // waiting on us or a third party
	StatusSolved  Status = "solved"  // answered; a customer reply reopens it
	StatusClosed  Status = "closed"  // final; a later reply starts a new ticket
)

// Statuses lists every status in workflow order.
var Statuses = []Status{StatusNew, StatusOpen, StatusPending, StatusOnHold, StatusSolved, StatusClosed}

// UnsolvedStatuses are the statuses of tickets still being worked.
var UnsolvedStatuses = []Status{StatusNew, StatusOpen, StatusPending, StatusOnHold}

var transitions = map[Status][]Status{
	StatusNew:     {StatusOpen, StatusPending, StatusOnHold, StatusSolved},
	StatusOpen:    {StatusPending, StatusOnHold, StatusSolved},
	StatusPending: {StatusOpen, StatusOnHold, StatusSolved},
	StatusOnHold:  {StatusOpen, StatusPending, StatusSolved},
	StatusSolved:  {StatusOpen, StatusClosed},
	StatusClosed:  {},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := transitions[s]; return ok }

// Next returns the statuses s may change to.
func (s Status) Next() []Status { return transitions[s] }

// CanBecome reports whether a ticket in status s may move to next.
func (s Status) CanBecome(next Status) bool {
	for _, n := range transitions[s] {
		if n == next {
			return true
		}
	}
	return false
}

// Unsolved reports whether a ticket in status s still needs work.
func (s Status) Unsolved() bool { return s != StatusSolved && s != StatusClosed }

// Priority is how urgent a ticket is.
type Priority string

const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	return p == PriorityLow || p == PriorityNormal || p == PriorityHigh || p == PriorityUrgent
}

// Channel is how a ticket reached the team.
type Channel string

const (
	ChannelEmail  Channel = "email"
	ChannelWeb    Channel = "web"
	ChannelPortal Channel = "portal"
	ChannelPhone  Channel = "phone"
	ChannelChat   Channel = "chat"
	ChannelAPI    Channel = "api"
	// ChannelWalkIn is a customer at the desk, whose words an agent wrote
	// down.
	ChannelWalkIn Channel = "walk_in"
)

// Channels lists every channel.
var Channels = []Channel{ChannelEmail, ChannelWeb, ChannelPortal, ChannelPhone, ChannelChat, ChannelAPI, ChannelWalkIn}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, k := range Channels {
		if c == k {
			return true
		}
	}
	return false
}

// Ticket is one customer request and everything done about it. Once
// assigned, it always has exactly one owner: the person responsible.
type Ticket struct {
	ID               int64      `json:"id"`
	Number           int64      `json:"number"`
	Subject          string     `json:"subject"`
	Status           Status     `json:"status"`
	Priority         Priority   `json:"priority"`
	Channel          Channel    `json:"channel"`
	CustomerID       int64      `json:"customer_id"`
	OrganizationID   *int64     `json:"organization_id"`
	OwnerID          *int64     `json:"owner_id"`
	TeamID           *int64     `json:"team_id"`
	Tags             []string   `json:"tags"`
	ReopenCount      int        `json:"reopen_count"`
	Version          int64      `json:"version"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	FirstRespondedAt *time.Time `json:"first_responded_at"`
	SolvedAt         *time.Time `json:"solved_at"`
	ClosedAt         *time.Time `json:"closed_at"`
	// MailboxID is the support address the ticket's mail goes out from.
	MailboxID *int64 `json:"mailbox_id"`
	// PreviousTicketID is the closed ticket whose reply opened this one.
	PreviousTicketID *int64 `json:"previous_ticket_id"`
	// Spam: an agent marked it spam, or the upstream mail filter did; it
	// shows in the Spam view, not in the queue.
	Spam bool `json:"spam"`
	// MergedIntoID is the ticket this duplicate was merged into; its
	// messages and later mail are there.
	MergedIntoID *int64 `json:"merged_into_id"`
	// Fields are the custom fields' values by key; a field without a
	// value is left out.
	Fields map[string]string `json:"fields"`
	// SLA is where the ticket stands against its service-level policy;
	// nil until its deadlines are first laid out.
	SLA *TicketSLA `json:"sla"`

	// Links are the related tickets, filled where a single ticket is read.
	Links []TicketLink `json:"links,omitempty"`
	// Messages and Participants are filled only where a single ticket is
	// read. Participants are the addresses copied on its mail, who
	// receive its replies too.
	Messages     []*Message    `json:"messages,omitempty"`
	Participants []MailAddress `json:"participants,omitempty"`
}

// CustomerRef names the customer of a new ticket: found by address, or
// created with that address and name.
type CustomerRef struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

// TicketCreate is the input for a new ticket. The body becomes the first
// message: a public reply from the customer (for phone and walk_in, the
// agent's account of what the customer said; the history names the agent
// who opened it), or, with MailboxID, the agent's own first reply, mailed
// to the customer from that mailbox and counted as the first response.
type TicketCreate struct {
	Subject string `json:"subject"`
	// The customer is CustomerID, or else found by Customer's address or
	// created with it. A new customer needs an address, as every
	// customer staff create does.
	CustomerID  *int64             `json:"customer_id"`
	Customer    CustomerRef        `json:"customer"`
	MailboxID   *int64             `json:"mailbox_id"`
	Body        string             `json:"body"`
	BodyHTML    string             `json:"body_html"`
	Priority    Priority           `json:"priority"`
	Channel     Channel            `json:"channel"`
	Tags        []string           `json:"tags"`
	TeamID      *int64             `json:"team_id"`
	Attachments []*AttachmentInput `json:"attachments"`
	// Fields sets custom fields by key, as an update does after the
	// ticket is made.
	Fields FieldValues `json:"fields"`

	// IdempotencyKey, when set, makes a repeated submission by the same
	// principal return the first ticket instead of creating another.
	IdempotencyKey string `json:"-"`
}

// Limits on ticket input.
const (
	MaxSubjectLength = 250
	MaxBodyBytes     = 1 << 20
	MaxTags          = 30
	MaxTagLength     = 50
)

// Normalize trims input, lower-cases the address and tags, and applies
// defaults.
func (c *TicketCreate) Normalize() {
	c.Subject = normalizeSubject(c.Subject)
	c.Customer.Email = NormalizeEmail(c.Customer.Email)
	c.Customer.Name = strings.TrimSpace(c.Customer.Name)
	c.Tags = NormalizeTags(c.Tags)
	if c.Priority == "" {
		c.Priority = PriorityNormal
	}
	if c.Channel == "" && c.MailboxID != nil {
		c.Channel = ChannelEmail
	}
	if c.Channel == "" {
		c.Channel = ChannelAPI
	}
}

// Outbound reports whether the first message is the agent's, mailed to
// the customer.
func (c *TicketCreate) Outbound() bool { return c.MailboxID != nil }

// Validate returns EINVALID naming each field that is wrong.
func (c *TicketCreate) Validate() error {
	p := Problems{}
	validateSubject(p, c.Subject)
	switch {
	case c.CustomerID == nil:
		validateEmail(p, "customer.email", c.Customer.Email)
	case *c.CustomerID <= 0:
		p.Add("customer_id", "must be a customer id")
	case c.Customer != CustomerRef{}:
		p.Add("customer", "give customer_id or a customer's email and name, not both")
	}
	switch {
	case c.MailboxID == nil:
	case *c.MailboxID <= 0:
		p.Add("mailbox_id", "must be a mailbox id")
	case c.Channel != ChannelEmail:
		p.Add("mailbox_id", "only a ticket opened by mail to the customer (channel email) is sent from a mailbox; leave it out for %s", c.Channel)
	}
	if len(c.Customer.Name) > 200 {
		p.Add("customer.name", "must be at most 200 characters")
	}
	validateLine(p, "customer.name", c.Customer.Name)
	validateBody(p, c.Body, c.BodyHTML)
	if !c.Priority.Valid() {
		p.Add("priority", "must be one of low, normal, high, urgent")
	}
	if !c.Channel.Valid() {
		p.Add("channel", "must be one of email, web, portal, phone, chat, api, walk_in")
	}
	validateTags(p, "tags", c.Tags)
	validateAttachments(p, c.Attachments)
	if len(c.Fields) > MaxFields {
		p.Add("fields", "at most %d fields", MaxFields)
	}
	return p.Err()
}

// TicketUpdate changes a ticket; nil fields are left as they are. TeamID
// pointing at 0 clears the team. Tags replaces the whole set; AddTags and
// RemoveTags change it without reading it first.
type TicketUpdate struct {
	Subject    *string
	Status     *Status
	Priority   *Priority
	OwnerID    *int64
	TeamID     *int64
	Tags       *[]string
	AddTags    []string
	RemoveTags []string
	// Fields sets custom fields by key; an empty value clears one.
	Fields FieldValues

	// Version, when set, must equal the ticket's current version, or the
	// update fails with ESTALE and changes nothing.
	Version *int64
}

// Normalize trims input and lower-cases tags.
func (u *TicketUpdate) Normalize() {
	if u.Subject != nil {
		*u.Subject = normalizeSubject(*u.Subject)
	}
	if u.Tags != nil {
		t := NormalizeTags(*u.Tags)
		u.Tags = &t
	}
	u.AddTags = NormalizeTags(u.AddTags)
	u.RemoveTags = NormalizeTags(u.RemoveTags)
}

// Validate returns EINVALID naming each field that is wrong. Whether a
// status change is allowed depends on the current status and is checked
// by the service (ECONFLICT).
func (u *TicketUpdate) Validate() error {
	p := Problems{}
	if u.Subject != nil {
		validateSubject(p, *u.Subject)
	}
	if u.Status != nil && !u.Status.Valid() {
		p.Add("status", "must be one of new, open, pending, on_hold, solved, closed")
	}
	if u.Priority != nil && !u.Priority.Valid() {
		p.Add("priority", "must be one of low, normal, high, urgent")
	}
	if u.OwnerID != nil && *u.OwnerID <= 0 {
		p.Add("owner_id", "must name an agent; a ticket keeps an owner once assigned, so hand it over instead of clearing it")
	}
	if u.TeamID != nil && *u.TeamID < 0 {
		p.Add("team_id", "must be a team id, or null to clear the team")
	}
	if u.Tags != nil {
		validateTags(p, "tags", *u.Tags)
	}
	validateTags(p, "add_tags", u.AddTags)
	validateTags(p, "remove_tags", u.RemoveTags)
	if len(u.Fields) > MaxFields {
		p.Add("fields", "at most %d fields", MaxFields)
	}
	return p.Err()
}

// Empty reports whether u changes nothing.
func (u *TicketUpdate) Empty() bool {
	return u.Subject == nil && u.Status == nil && u.Priority == nil && u.OwnerID == nil &&
		u.TeamID == nil && u.Tags == nil && len(u.AddTags) == 0 && len(u.RemoveTags) == 0 && len(u.Fields) == 0
}

// TicketSort orders a ticket list.
type TicketSort string

const (
	SortUpdatedDesc TicketSort = "-updated_at" // latest activity first (the default)
	SortUpdatedAsc  TicketSort = "updated_at"
	SortCreatedDesc TicketSort = "-created_at"
	SortCreatedAsc  TicketSort = "created_at"
	// By priority: descending puts urgent first, then high, normal, low.
	SortPriorityDesc TicketSort = "-priority"
	SortPriorityAsc  TicketSort = "priority"
	// By the name of the owner or the team: ascending is A to Z, with the
	// tickets that have none first.
	SortOwnerAsc  TicketSort = "owner"
	SortOwnerDesc TicketSort = "-owner"
	SortTeamAsc   TicketSort = "team"
	SortTeamDesc  TicketSort = "-team"
	// By the next deadline of a running service-level target: ascending
	// is the soonest first; tickets without one come last either way.
	SortDueAsc  TicketSort = "due_at"
	SortDueDesc TicketSort = "-due_at"
)

// TicketSorts are the orders a ticket list takes, in the order the API
// documents them.
var TicketSorts = []TicketSort{SortUpdatedDesc, SortUpdatedAsc, SortCreatedDesc, SortCreatedAsc,
	SortPriorityDesc, SortPriorityAsc, SortOwnerAsc, SortOwnerDesc, SortTeamAsc, SortTeamDesc, SortDueAsc, SortDueDesc}

// Valid reports whether s is a known order.
func (s TicketSort) Valid() bool { return slices.Contains(TicketSorts, s) }

// Descending reports whether s puts the greatest first; ties between
// tickets are broken by id, in the same direction.
func (s TicketSort) Descending() bool { return strings.HasPrefix(string(s), "-") }

// Key is the field s orders by: updated_at, created_at, priority, owner,
// team or due_at.
func (s TicketSort) Key() string { return strings.TrimPrefix(string(s), "-") }

// Rank orders priorities from low (1) to urgent (4); 0 is not a priority.
func (p Priority) Rank() int {
	switch p {
	case PriorityLow:
		return 1
	case PriorityNormal:
		return 2
	case PriorityHigh:
		return 3
	case PriorityUrgent:
		return 4
	}
	return 0
}

// TicketPreview is what a list shows of a ticket's conversation: who
// wrote its latest public message and how that message begins.
type TicketPreview struct {
	TicketID   int64
	AuthorType AuthorType
	Text       string // one line, at most MaxPreviewLength characters
}

// MaxPreviewLength is the most characters of a message a preview keeps:
// more than a list's row shows at any width.
const MaxPreviewLength = 200

// PreviewText returns the start of a message's text as one line: its
// lines joined by spaces, the blank ones and the spacing left out, cut at
// MaxPreviewLength characters.
func PreviewText(body string) string {
	s := OneLine(body)
	if utf8.RuneCountInString(s) <= MaxPreviewLength {
		return s
	}
	return strings.TrimSpace(string([]rune(s)[:MaxPreviewLength])) + "…"
}

// TicketFilter selects tickets. Empty fields match all; Statuses matches
// any of its statuses. Q is a full-text query over subjects and messages.
type TicketFilter struct {
	Statuses       []Status
	Priority       *Priority
	OwnerID        *int64 // 0 selects unassigned tickets
	TeamID         *int64 // 0 selects tickets without a team
	Tag            string
	CustomerID     *int64
	OrganizationID *int64
	Channel        *Channel
	Number         *int64 // the ticket people call #Number
	// Fields selects tickets whose custom field (by key) has the value.
	Fields map[string]string
	// Spam selects the tickets marked spam, and only them; without it
	// they are left out (unless Number names one).
	Spam bool
	// AtRisk selects the tickets at risk of missing a service-level
	// target (past its warning point) or past one not yet met.
	AtRisk bool
	// HolderID selects the tickets the agent owns or that one of the
	// agent's teams has.
	HolderID *int64
	Q        string
	Sort     TicketSort
	Cursor   string
	Limit    int
}

// Page sizes for lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Normalize applies defaults.
func (f *TicketFilter) Normalize() {
	if f.Sort == "" {
		f.Sort = SortUpdatedDesc
	}
	f.Tag = NormalizeTag(f.Tag)
	f.Q = strings.TrimSpace(f.Q)
	// A copy: the caller's slice is theirs.
	f.Statuses = slices.Compact(slices.Sorted(slices.Values(f.Statuses)))
}

// Validate returns EINVALID naming each field that is wrong.
func (f *TicketFilter) Validate() error {
	p := Problems{}
	for _, s := range f.Statuses {
		if !s.Valid() {
			p.Add("status", "%q is not a status; use new, open, pending, on_hold, solved or closed", s)
		}
	}
	if f.Priority != nil && !f.Priority.Valid() {
		p.Add("priority", "must be one of low, normal, high, urgent")
	}
	if f.Channel != nil && !f.Channel.Valid() {
		p.Add("channel", "must be one of email, web, portal, phone, chat, api, walk_in")
	}
	if !f.Sort.Valid() {
		names := make([]string, len(TicketSorts))
		for i, s := range TicketSorts {
			names[i] = string(s)
		}
		p.Add("sort", "must be one of %s", strings.Join(names, ", "))
	}
	if f.Tag != "" {
		validateTags(p, "tag", []string{f.Tag})
	}
	if len(f.Fields) > 20 {
		p.Add("field", "filter by at most 20 fields at once")
	}
	validateLimit(p, f.Limit)
	return p.Err()
}

// TicketService is the heart of Tend. Staff may read and change every
// ticket; a customer may read only their own tickets, without internal
// notes, and may only add replies to them. Tickets that are not visible
// to the caller are reported as ENOTFOUND.
type TicketService interface {
	// FindTicketByID returns the ticket with its messages.
	FindTicketByID(ctx context.Context, id int64) (*Ticket, error)
	// FindTicketByNumber returns the ticket numbered number, likewise.
	FindTicketByNumber(ctx context.Context, number int64) (*Ticket, error)
	// FindTickets returns one page of tickets and the cursor of the next
	// page ("" on the last page).
	FindTickets(ctx context.Context, filter TicketFilter) ([]*Ticket, string, error)
	// CountTickets returns how many tickets match filter, ignoring its
	// cursor, sort and limit.
	CountTickets(ctx context.Context, filter TicketFilter) (int, error)
	// CreateTicket finds or creates the customer by address and records
	// the ticket, its first message and its events in one transaction.
	CreateTicket(ctx context.Context, c *TicketCreate) (*Ticket, error)
	// UpdateTicket returns ECONFLICT for a status change the workflow does
	// not allow (naming the allowed ones) and ESTALE for a stale Version.
	UpdateTicket(ctx context.Context, id int64, u *TicketUpdate) (*Ticket, error)
	// AddMessage adds a reply or an internal note and moves the ticket
	// along: a customer reply reopens a solved ticket; a staff reply
	// records the first response.
	AddMessage(ctx context.Context, ticketID int64, c *MessageCreate) (*Message, error)
	// FindTicketEvents returns the ticket's history, oldest first.
	FindTicketEvents(ctx context.Context, ticketID int64, cursor string, limit int) ([]*Event, string, error)
	// FindAttachmentByID returns ENOTFOUND unless the caller may see the
	// message the attachment belongs to.
	FindAttachmentByID(ctx context.Context, id int64) (*Attachment, error)
	// MarkSpam marks a ticket spam (solving and closing it, and blocking
	// its customer's addresses) or not spam (lifting the mark and the
	// blocks it made); staff only.
	MarkSpam(ctx context.Context, id int64, spam bool) (*Ticket, error)
	// FindSuggestedParticipants returns the addresses mail copied that
	// did not join by themselves, oldest first; staff only.
	FindSuggestedParticipants(ctx context.Context, ticketID int64) ([]*SuggestedParticipant, error)
	// AddParticipants adds addresses to the ticket's conversation (from
	// its suggestions, or any); staff only, at most MaxParticipants in all.
	AddParticipants(ctx context.Context, ticketID int64, emails []string) (*Ticket, error)
	// RemoveParticipant takes an address out of the conversation.
	RemoveParticipant(ctx context.Context, ticketID int64, email string) (*Ticket, error)
	// FindReplyRecipients returns whom a staff reply would be mailed to.
	FindReplyRecipients(ctx context.Context, ticketID int64) (*ReplyRecipients, error)
	// BulkUpdateTickets applies one update to each ticket on its own and
	// returns what it did to each, in the order given; staff only.
	BulkUpdateTickets(ctx context.Context, b *TicketBulkUpdate) ([]BulkResult, error)
	// MergeTicket merges the duplicate id into intoID and returns the
	// ticket kept; staff only.
	MergeTicket(ctx context.Context, id, intoID int64) (*Ticket, error)
	// FindTicketPreviews returns, for each of the tickets ids that has
	// one, the start of its latest public message (a reply of the
	// customer's or of staff, never an internal note), as a list shows it
	// under the subject; staff only.
	FindTicketPreviews(ctx context.Context, ids []int64) (map[int64]TicketPreview, error)
	// LinkTickets and UnlinkTickets relate two tickets, both ways, or no
	// more; staff only. They return ticket id.
	LinkTickets(ctx context.Context, id, otherID int64) (*Ticket, error)
	UnlinkTickets(ctx context.Context, id, otherID int64) (*Ticket, error)
}

func normalizeSubject(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

func validateSubject(p Problems, s string) {
	switch {
	case s == "":
		p.Add("subject", "is required")
	case utf8.RuneCountInString(s) > MaxSubjectLength:
		p.Add("subject", "must be at most %d characters", MaxSubjectLength)
	}
	validateText(p, "subject", s)
}

func validateBody(p Problems, text, html string) {
	switch {
	case strings.TrimSpace(text) == "" && strings.TrimSpace(html) == "":
		p.Add("body", "is required")
	case len(text) > MaxBodyBytes:
		p.Add("body", "must be at most %d bytes", MaxBodyBytes)
	case len(html) > 4*MaxBodyBytes:
		p.Add("body_html", "must be at most %d bytes", 4*MaxBodyBytes)
	}
	validateText(p, "body", text)
	validateText(p, "body_html", html)
}

func validateLimit(p Problems, limit int) {
	if limit < 0 || limit > MaxPageSize {
		p.Add("limit", "must be between 1 and %d", MaxPageSize)
	}
}

// NormalizeTags normalizes each tag, drops empty and repeated ones, and
// sorts the rest.
func NormalizeTags(in []string) []string {
	out := make([]string, 0, len(in))
	for _, t := range in {
		t = NormalizeTag(t)
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

// NormalizeTag lower-cases a tag and joins its words with hyphens, so that
// "Refund Request" and "refund-request" are one tag.
func NormalizeTag(t string) string {
	return strings.Join(strings.Fields(strings.ToLower(t)), "-")
}

func validateTags(p Problems, field string, tags []string) {
	if len(tags) > MaxTags {
		p.Add(field, "may hold at most %d tags", MaxTags)
	}
	for _, t := range tags {
		if utf8.RuneCountInString(t) > MaxTagLength {
			p.Add(field, "tag %q is longer than %d characters", t, MaxTagLength)
		}
		for _, r := range t {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_:.", r)) {
				p.Add(field, "tag %q may hold only letters, digits and - _ : .", t)
				break
			}
		}
	}
}

// TicketLink names a related ticket.
type TicketLink struct {
	ID      int64  `json:"id"`
	Number  int64  `json:"number"`
	Subject string `json:"subject"`
	Status  Status `json:"status"`
}

// MaxLinks bounds the related tickets of one ticket.
const MaxLinks = 50

// TicketBulkUpdate is a change applied to many tickets, each on its own.
type TicketBulkUpdate struct {
	IDs    []int64       `json:"ids"`
	Update *TicketUpdate `json:"-"`

	// IdempotencyKey, when set, makes a repeated submission by the same
	// principal return the first one's results instead of applying again.
	IdempotencyKey string `json:"-"`
}

// MaxBulkTickets bounds one bulk change.
const MaxBulkTickets = 500

// Validate returns EINVALID naming what is wrong with the ids or the
// update.
func (b *TicketBulkUpdate) Validate() error {
	p := Problems{}
	switch {
	case len(b.IDs) == 0:
		p.Add("ids", "name at least one ticket id")
	case len(b.IDs) > MaxBulkTickets:
		p.Add("ids", "at most %d tickets at once; this names %d", MaxBulkTickets, len(b.IDs))
	}
	for _, id := range b.IDs {
		if id <= 0 {
			p.Add("ids", "%d is not a ticket id; ids are positive whole numbers", id)
			break
		}
	}
	if b.Update == nil || b.Update.Empty() {
		p.Add("update", "name at least one change: status, priority, owner_id, team_id, add_tags or remove_tags")
	} else {
		if b.Update.Subject != nil {
			p.Add("update.subject", "a subject is changed one ticket at a time")
		}
		if b.Update.Version != nil {
			p.Add("update.version", "a bulk change applies to each ticket as it stands; leave version out")
		}
		for f, m := range ErrorFields(b.Update.Validate()) {
			p.Add("update."+f, "%s", m)
		}
	}
	return p.Err()
}

// Unique returns the ids in order of first mention, each once.
func (b *TicketBulkUpdate) Unique() []int64 {
	seen := make(map[int64]bool, len(b.IDs))
	out := make([]int64, 0, len(b.IDs))
	for _, id := range b.IDs {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// BulkResult is what a bulk change did to one ticket: changed (Ticket
// holds it as it is now), left as it was (nothing to change), or refused
// with Error, the same problem a change of that ticket alone would give.
type BulkResult struct {
	ID      int64   `json:"id"`
	Result  string  `json:"result"` // changed, unchanged or refused
	Version int64   `json:"version,omitempty"`
	Ticket  *Ticket `json:"-"`
	Err     error   `json:"-"`
}

// Bulk results.
const (
	BulkChanged   = "changed"
	BulkUnchanged = "unchanged"
	BulkRefused   = "refused"
)
