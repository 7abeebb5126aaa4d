package tend

import (
	"context"
	"strings"
	"time"
)

// MacroScope says who may see and use a macro.
type MacroScope string

const (
	// MacroPersonal is its owner's alone; only they edit it.
	MacroPersonal MacroScope = "personal"
	// MacroTeam is for a team's members, lead and manager; its lead and
	// admins edit it.
	MacroTeam MacroScope = "team"
	// MacroShared is for all staff; admins edit it.
	MacroShared MacroScope = "shared"
)

// MacroScopes lists every scope, narrowest first.
var MacroScopes = []MacroScope{MacroPersonal, MacroTeam, MacroShared}

// Valid reports whether s is a scope.
func (s MacroScope) Valid() bool {
	return s == MacroPersonal || s == MacroTeam || s == MacroShared
}

// Macro is a canned reply: a text with placeholders ({{customer.first_name}})
// and actions that apply with it, in one change to the ticket.
type Macro struct {
	ID      int64        `json:"id"`
	Name    string       `json:"name"`
	Body    string       `json:"body"`
	Actions MacroActions `json:"actions"`
	Scope   MacroScope   `json:"scope"`
	// OwnerID is the agent whose personal macro it is; TeamID the team
	// whose it is.
	OwnerID    *int64    `json:"owner_id"`
	TeamID     *int64    `json:"team_id"`
	UsageCount int64     `json:"usage_count"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// MacroActions are what a macro does to the ticket besides its reply.
type MacroActions struct {
	Status     *Status   `json:"status,omitempty"`
	Priority   *Priority `json:"priority,omitempty"`
	AddTags    []string  `json:"add_tags,omitempty"`
	RemoveTags []string  `json:"remove_tags,omitempty"`
	// TeamID moves the ticket to that team.
	TeamID *int64 `json:"team_id,omitempty"`
	// Note is an internal note, with placeholders, added with the reply.
	Note string `json:"note,omitempty"`
}

// Empty reports whether the actions do nothing.
func (a MacroActions) Empty() bool {
	return a.Status == nil && a.Priority == nil && len(a.AddTags) == 0 && len(a.RemoveTags) == 0 &&
		a.TeamID == nil && a.Note == ""
}

func (a *MacroActions) normalize() {
	a.AddTags, a.RemoveTags = NormalizeTags(a.AddTags), NormalizeTags(a.RemoveTags)
	a.Note = strings.TrimSpace(a.Note)
	if a.TeamID != nil && *a.TeamID == 0 {
		a.TeamID = nil
	}
}

func (a *MacroActions) validate(p Problems) {
	if a.Status != nil && !a.Status.Valid() {
		p.Add("actions.status", "must be one of new, open, pending, on_hold, solved, closed")
	}
	if a.Priority != nil && !a.Priority.Valid() {
		p.Add("actions.priority", "must be one of low, normal, high, urgent")
	}
	validateTags(p, "actions.add_tags", a.AddTags)
	validateTags(p, "actions.remove_tags", a.RemoveTags)
	if len(a.Note) > MaxMacroBody {
		p.Add("actions.note", "must be at most %d characters", MaxMacroBody)
	}
	validatePlaceholders(p, "actions.note", a.Note)
}

// MaxMacroBody is how long a macro's text may be.
const MaxMacroBody = 20000

// maxMacroWords bounds the words a macro is found by.
const maxMacroWords = 400

// MacroWords returns the words the picker finds a macro by: those of its
// name, then of its reply (SearchWords), each once. A search matches a
// macro when each of its words starts one of these.
func MacroWords(name, body string) []string { return distinctWords(maxMacroWords, name, body) }

// MacroCreate is the input for a new macro. A personal macro is the
// creator's; a team macro names its team.
type MacroCreate struct {
	Name    string       `json:"name"`
	Body    string       `json:"body"`
	Actions MacroActions `json:"actions"`
	Scope   MacroScope   `json:"scope"`
	TeamID  *int64       `json:"team_id"`
}

// Normalize trims input, lower-cases tags and makes personal the default
// scope.
func (c *MacroCreate) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.Body = strings.TrimRight(c.Body, " \t\r\n")
	if c.Scope == "" {
		c.Scope = MacroPersonal
	}
	c.Actions.normalize()
}

// Validate returns EINVALID naming each field that is wrong, and each
// placeholder Tend does not know.
func (c *MacroCreate) Validate() error {
	p := Problems{}
	validateMacro(p, c.Name, c.Body, &c.Actions)
	switch {
	case !c.Scope.Valid():
		p.Add("scope", "must be personal, team or shared")
	case c.Scope == MacroTeam && (c.TeamID == nil || *c.TeamID == 0):
		p.Add("team_id", "a team macro names its team")
	case c.Scope != MacroTeam && c.TeamID != nil && *c.TeamID != 0:
		p.Add("team_id", "only a team macro names a team")
	}
	return p.Err()
}

func validateMacro(p Problems, name, body string, a *MacroActions) {
	validateName(p, "name", name)
	if len(body) > MaxMacroBody {
		p.Add("body", "must be at most %d characters", MaxMacroBody)
	}
	validatePlaceholders(p, "body", body)
	a.validate(p)
	if body == "" && a.Empty() {
		p.Add("body", "write a reply, or choose at least one action")
	}
}

// MacroUpdate changes a macro; nil fields are left as they are. Its scope
// and owner do not change: copy it into a new macro instead.
type MacroUpdate struct {
	Name    *string       `json:"name"`
	Body    *string       `json:"body"`
	Actions *MacroActions `json:"actions"`
}

// Normalize trims input.
func (u *MacroUpdate) Normalize() {
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
	}
	if u.Body != nil {
		*u.Body = strings.TrimRight(*u.Body, " \t\r\n")
	}
	if u.Actions != nil {
		u.Actions.normalize()
	}
}

// Apply returns m as u would leave it, validated: EINVALID naming each
// field that is wrong.
func (u *MacroUpdate) Apply(m Macro) (Macro, error) {
	if u.Name != nil {
		m.Name = *u.Name
	}
	if u.Body != nil {
		m.Body = *u.Body
	}
	if u.Actions != nil {
		m.Actions = *u.Actions
	}
	p := Problems{}
	validateMacro(p, m.Name, m.Body, &m.Actions)
	return m, p.Err()
}

// MacroFilter chooses macros; Q matches words of the name or text.
type MacroFilter struct {
	Q     string
	Scope MacroScope
	Limit int
}

// MacroApply says how a macro applies to a ticket.
type MacroApply struct {
	// Insert only renders the macro for the composer and counts it used;
	// nothing on the ticket changes.
	Insert bool `json:"insert"`
	// Body, when set, is the reply to send instead of the macro's text: the
	// text the composer inserted, as the agent edited it. The macro was
	// counted when it was inserted, so it is not counted again.
	Body *string `json:"body"`
	// SeenMessageID, as for a reply.
	SeenMessageID *int64 `json:"seen_message_id,omitempty"`

	IdempotencyKey string `json:"-"`
}

// MacroResult is a macro rendered for a ticket, and what applying it did.
type MacroResult struct {
	Macro   *Macro       `json:"macro"`
	Body    string       `json:"body"` // the reply, placeholders filled
	Note    string       `json:"note"` // the internal note, placeholders filled
	Actions MacroActions `json:"actions"`
	// Ticket is the ticket after the change; nil for an insert.
	Ticket *Ticket `json:"ticket,omitempty"`
	// Reply and NoteMessage are the messages the change added.
	Reply       *Message `json:"reply,omitempty"`
	NoteMessage *Message `json:"note_message,omitempty"`
}

// CanSeeMacro reports whether p may see and use m: a personal macro is its
// owner's, a team macro its team's people's (teams are the teams p is a
// member, lead or manager of), a shared macro everyone's on the staff.
// Admins see every team's macros, to look after them.
func CanSeeMacro(p Principal, teams []int64, m *Macro) bool {
	switch {
	case !p.IsStaff():
		return false
	case m.Scope == MacroShared:
		return true
	case m.Scope == MacroPersonal:
		return m.OwnerID != nil && *m.OwnerID == p.AgentID
	}
	if p.Can(PermManageTeams) {
		return true
	}
	for _, t := range teams {
		if m.TeamID != nil && *m.TeamID == t {
			return true
		}
	}
	return false
}

// CanEditMacro reports whether p may create, change or delete a macro of
// scope for team (whose lead is leadID): personal macros their owner,
// team macros the team's lead and whoever may manage teams (admins),
// shared macros whoever may manage settings (admins). ownerID is the
// personal macro's owner.
func CanEditMacro(p Principal, scope MacroScope, ownerID *int64, leadID *int64) bool {
	switch scope {
	case MacroPersonal:
		return p.AgentID != 0 && ownerID != nil && *ownerID == p.AgentID
	case MacroTeam:
		return p.Can(PermManageTeams) || (p.AgentID != 0 && leadID != nil && *leadID == p.AgentID)
	case MacroShared:
		return p.Can(PermManageSettings)
	}
	return false
}

// MacroService manages macros and applies them to tickets. Staff only.
type MacroService interface {
	// FindMacros returns the macros the caller may use, most used first.
	FindMacros(ctx context.Context, f MacroFilter) ([]*Macro, error)
	// FindMacroByID returns ENOTFOUND unless the caller may see it.
	FindMacroByID(ctx context.Context, id int64) (*Macro, error)
	// CreateMacro returns EINVALID for an unknown placeholder and
	// EFORBIDDEN for a scope the caller may not edit (CanEditMacro).
	CreateMacro(ctx context.Context, c *MacroCreate) (*Macro, error)
	UpdateMacro(ctx context.Context, id int64, u *MacroUpdate) (*Macro, error)
	DeleteMacro(ctx context.Context, id int64) error
	// ApplyMacro renders macro macroID for ticket ticketID and, unless
	// a.Insert, sends its reply and applies its actions in one change.
	ApplyMacro(ctx context.Context, ticketID, macroID int64, a *MacroApply) (*MacroResult, error)
}
