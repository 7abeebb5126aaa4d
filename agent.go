package tend

import (
	"context"
	"net/mail"
	"strings"
	"time"
)

// Role is a staff member's role. Each role includes the powers of those
// before it: agent < lead < manager < admin.
type Role string

const (
	RoleAgent   Role = "agent"
	RoleLead    Role = "lead"
	RoleManager Role = "manager"
	RoleAdmin   Role = "admin"
)

// Roles lists every role, least powerful first.
var Roles = []Role{RoleAgent, RoleLead, RoleManager, RoleAdmin}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

func (r Role) rank() int {
	for i, role := range Roles {
		if r == role {
			return i + 1
		}
	}
	return 0
}

// AtLeast reports whether r is min or a more powerful role.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// Permission names something only some roles may do. Its text completes
// the sentence "Your role may not ...".
type Permission string

const (
	PermManageStaff    Permission = "manage staff"
	PermManageTeams    Permission = "manage teams"
	PermManageSettings Permission = "manage settings"
	PermManageTokens   Permission = "manage other people's API tokens"
	PermReadAudit      Permission = "read the audit log"
	// PermMergeCustomers: a merge joins two people's tickets and
	// addresses for good, so it takes a lead or above.
	PermMergeCustomers Permission = "merge customers (a lead or above can)"
	// PermManageServiceLevels: the business calendars and service-level
	// policies set the promises a team makes, which a team lead owns.
	PermManageServiceLevels Permission = "manage service levels (a lead or above can)"
)

var permissionRoles = map[Permission]Role{
	PermManageStaff:         RoleAdmin,
	PermManageTeams:         RoleAdmin,
	PermManageSettings:      RoleAdmin,
	PermManageTokens:        RoleAdmin,
	PermReadAudit:           RoleAdmin,
	PermMergeCustomers:      RoleLead,
	PermManageServiceLevels: RoleLead,
}

// Can reports whether r grants perm.
func (r Role) Can(perm Permission) bool {
	min, ok := permissionRoles[perm]
	return ok && r.AtLeast(min)
}

// Agent is a member of staff: anyone who works tickets, whatever the role.
type Agent struct {
	ID      int64   `json:"id"`
	Name    string  `json:"name"`
	Email   string  `json:"email"`
	Role    Role    `json:"role"`
	Active  bool    `json:"active"`
	TeamIDs []int64 `json:"team_ids"`
	// TimeZone is the IANA name of the zone pages show the agent's times
	// in; "" leaves it to their browser.
	TimeZone string `json:"time_zone"`
	// Invited is set while the agent has not yet accepted the invitation
	// they joined by (no password, an unspent link): they cannot sign in,
	// so nothing is given to them until they do.
	Invited   bool      `json:"invited"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Assignable reports whether tickets can be given to a: active, and not
// still invited.
func (a *Agent) Assignable() bool { return a.Active && !a.Invited }

// AgentCreate is the input for a new agent. Password may be empty: such an
// agent cannot sign in to the web until one is set.
type AgentCreate struct {
	Name     string  `json:"name"`
	Email    string  `json:"email"`
	Role     Role    `json:"role"`
	Password string  `json:"password"`
	TeamIDs  []int64 `json:"team_ids"`
}

// MinPasswordLength is the shortest password Tend accepts.
const MinPasswordLength = 10

// Normalize trims and lower-cases what must compare equal.
func (c *AgentCreate) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.Email = NormalizeEmail(c.Email)
}

// Validate returns EINVALID naming each field that is wrong.
func (c *AgentCreate) Validate() error {
	p := Problems{}
	validateName(p, "name", c.Name)
	validateEmail(p, "email", c.Email)
	if !c.Role.Valid() {
		p.Add("role", "must be one of agent, lead, manager, admin")
	}
	if c.Password != "" {
		validatePassword(p, "password", c.Password)
	}
	return p.Err()
}

// AgentUpdate changes an agent; nil fields are left as they are. Agents
// changing their own password must give the current one, so that a leaked
// API token cannot take over the account.
type AgentUpdate struct {
	Name            *string  `json:"name"`
	Email           *string  `json:"email"`
	Role            *Role    `json:"role"`
	Active          *bool    `json:"active"`
	Password        *string  `json:"password"`
	CurrentPassword *string  `json:"current_password"`
	TeamIDs         *[]int64 `json:"team_ids"`
	// TimeZone is an IANA name such as Europe/Berlin, or "" for none.
	TimeZone *string `json:"time_zone"`
	// SuccessorID, with Active false, is who takes over the agent's
	// unsolved tickets, as in DeactivateAgent; it is required when there
	// are any.
	SuccessorID *int64 `json:"successor_id"`
}

// Normalize trims and lower-cases what must compare equal.
func (u *AgentUpdate) Normalize() {
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
	}
	if u.Email != nil {
		*u.Email = NormalizeEmail(*u.Email)
	}
	if u.TimeZone != nil {
		*u.TimeZone = strings.TrimSpace(*u.TimeZone)
	}
}

// Validate returns EINVALID naming each field that is wrong.
func (u *AgentUpdate) Validate() error {
	p := Problems{}
	if u.Name != nil {
		validateName(p, "name", *u.Name)
	}
	if u.Email != nil {
		validateEmail(p, "email", *u.Email)
	}
	if u.Role != nil && !u.Role.Valid() {
		p.Add("role", "must be one of agent, lead, manager, admin")
	}
	if u.Password != nil {
		validatePassword(p, "password", *u.Password)
	}
	if u.TimeZone != nil {
		validateTimeZone(p, "time_zone", *u.TimeZone)
	}
	if u.SuccessorID != nil && (u.Active == nil || *u.Active) {
		p.Add("successor_id", "goes with active false: it names who takes over from an agent deactivated")
	}
	return p.Err()
}

// AgentFilter selects agents. Nil fields match all.
type AgentFilter struct {
	Active *bool
	Role   *Role
	TeamID *int64
	Email  string
	Cursor string
	Limit  int
}

// AgentService manages staff. Reading is open to all staff; creating and
// changing agents needs PermManageStaff (EFORBIDDEN otherwise), except that
// an agent may change their own name, password and time zone.
type AgentService interface {
	// FindAgentByID returns ENOTFOUND if there is no such agent.
	FindAgentByID(ctx context.Context, id int64) (*Agent, error)
	FindAgents(ctx context.Context, filter AgentFilter) ([]*Agent, string, error)
	// CreateAgent returns ECONFLICT if the email is taken.
	CreateAgent(ctx context.Context, c *AgentCreate) (*Agent, error)
	// UpdateAgent returns ECONFLICT if the change would leave no active
	// admin, or the email is taken. Deactivating an active agent (Active
	// false) is DeactivateAgent, with SuccessorID as the successor.
	UpdateAgent(ctx context.Context, id int64, u *AgentUpdate) (*Agent, error)
	// Authenticate returns the active agent with that email and password,
	// or EUNAUTHORIZED with the same message whichever part is wrong.
	Authenticate(ctx context.Context, email, password string) (*Agent, error)
	// CountAdmins returns the number of active admins.
	CountAdmins(ctx context.Context) (int, error)

	// DeactivateAgent hands the agent's unsolved tickets (new, open,
	// pending, on hold) to successorID, recording the owner change in each
	// ticket's history, then deactivates the agent and ends their sessions,
	// all at once. successorID may be 0 only for an agent who owns no
	// unsolved ticket. It needs PermManageStaff and returns EINVALID (field
	// successor_id) for a successor that is missing, deactivated or the
	// agent themselves, and ECONFLICT for deactivating oneself, the last
	// active admin, or an agent deactivated already.
	DeactivateAgent(ctx context.Context, id, successorID int64) (*Agent, error)

	// CreateInvitation returns the secret of a one-time link with which
	// the agent sets a new password and signs in: how agents created
	// without a password join. It replaces the agent's earlier unspent
	// invitations and expires after InvitationTTL. It needs
	// PermManageStaff and returns ECONFLICT for a deactivated agent. With
	// mail, the link is also mailed to the agent (the invitation_mail job,
	// queued with it), if there is a mailbox to send from; NotMailed of
	// the answer says why not.
	CreateInvitation(ctx context.Context, agentID int64, mail bool) (*NewInvitation, error)
	// FindInvitations returns the unspent invitations, expired ones
	// included, oldest first. It needs PermManageStaff.
	FindInvitations(ctx context.Context) ([]*Invitation, error)
	// CheckInvitation returns the agent an invitation is for, or
	// EUNAUTHORIZED with a message saying whether the link is unknown,
	// used or expired. It needs no principal: the secret is the proof.
	CheckInvitation(ctx context.Context, secret string) (*Agent, error)
	// AcceptInvitation sets the invited agent's password, spends the
	// invitation and ends any sessions the agent had. It returns
	// EUNAUTHORIZED as CheckInvitation does, and EINVALID for a password
	// too short or too long.
	AcceptInvitation(ctx context.Context, secret, password string) (*Agent, error)
}

// InvitationTTL is how long an invitation link can be used.
const InvitationTTL = 7 * 24 * time.Hour

// Invitation is a one-time link for an agent to set a password. Only a
// hash of its secret is stored; the secret is shown once, to the admin
// who made it.
type Invitation struct {
	AgentID   int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Expired reports whether the invitation can no longer be used at now.
func (i *Invitation) Expired(now time.Time) bool { return !now.Before(i.ExpiresAt) }

// ValidatePassword returns EINVALID, naming the field "password", unless
// password is long enough and not too long.
func ValidatePassword(password string) error {
	p := Problems{}
	validatePassword(p, "password", password)
	return p.Err()
}

// NormalizeEmail trims an address and lower-cases it: Tend treats
// addresses case-insensitively throughout.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validateName(p Problems, field, name string) {
	switch {
	case name == "":
		p.Add(field, "is required")
	case len(name) > 200:
		p.Add(field, "must be at most 200 characters")
	}
	validateLine(p, field, name)
}

func validateEmail(p Problems, field, email string) {
	if email == "" {
		p.Add(field, "is required")
		return
	}
	if !ValidEmail(email) {
		p.Add(field, "%q is not an email address", email)
	}
}

// ValidEmail reports whether s is a bare address such as ana@example.com.
func ValidEmail(s string) bool {
	if len(s) > 254 || strings.ContainsAny(s, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".")
}

func validatePassword(p Problems, field, password string) {
	switch {
	case len([]rune(password)) < MinPasswordLength:
		p.Add(field, "must be at least %d characters", MinPasswordLength)
	case len(password) > 1024:
		p.Add(field, "must be at most 1024 bytes")
	}
}
