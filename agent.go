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
)

var permissionRoles = map[Permission]Role{
	PermManageStaff:    RoleAdmin,
	PermManageTeams:    RoleAdmin,
	PermManageSettings: RoleAdmin,
	PermManageTokens:   RoleAdmin,
	PermReadAudit:      RoleAdmin,
}

// Can reports whether r grants perm.
func (r Role) Can(perm Permission) bool {
	min, ok := permissionRoles[perm]
	return ok && r.AtLeast(min)
}

// Agent is a member of staff: anyone who works tickets, whatever the role.
type Agent struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	Active    bool      `json:"active"`
	TeamIDs   []int64   `json:"team_ids"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

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
}

// Normalize trims and lower-cases what must compare equal.
func (u *AgentUpdate) Normalize() {
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
	}
	if u.Email != nil {
		*u.Email = NormalizeEmail(*u.Email)
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
// an agent may change their own name and password.
type AgentService interface {
	// FindAgentByID returns ENOTFOUND if there is no such agent.
	FindAgentByID(ctx context.Context, id int64) (*Agent, error)
	FindAgents(ctx context.Context, filter AgentFilter) ([]*Agent, string, error)
	// CreateAgent returns ECONFLICT if the email is taken.
	CreateAgent(ctx context.Context, c *AgentCreate) (*Agent, error)
	// UpdateAgent returns ECONFLICT if the change would leave no active
	// admin, or the email is taken.
	UpdateAgent(ctx context.Context, id int64, u *AgentUpdate) (*Agent, error)
	// Authenticate returns the active agent with that email and password,
	// or EUNAUTHORIZED with the same message whichever part is wrong.
	Authenticate(ctx context.Context, email, password string) (*Agent, error)
	// CountAdmins returns the number of active admins.
	CountAdmins(ctx context.Context) (int, error)
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
	validateText(p, field, name)
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
