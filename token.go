package tend

import (
	"context"
	"strings"
	"time"
)

// Token is an API token. Only its hash is stored; the secret is shown once,
// when the token is created.
type Token struct {
	ID         int64      `json:"id"`
	AgentID    int64      `json:"agent_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// TokenCreate is the input for a new token. AgentID 0 means the caller.
type TokenCreate struct {
	AgentID int64  `json:"agent_id"`
	Name    string `json:"name"`
}

// Normalize trims the name.
func (c *TokenCreate) Normalize() { c.Name = strings.TrimSpace(c.Name) }

// Validate returns EINVALID naming each field that is wrong.
func (c *TokenCreate) Validate() error {
	p := Problems{}
	validateName(p, "name", c.Name)
	return p.Err()
}

// TokenService manages API tokens. Staff manage their own tokens; managing
// another agent's needs PermManageTokens.
type TokenService interface {
	// CreateToken returns the token and its secret, which is not kept.
	CreateToken(ctx context.Context, c *TokenCreate) (*Token, string, error)
	// FindTokens lists tokens; agentID 0 lists the caller's own.
	FindTokens(ctx context.Context, agentID int64) ([]*Token, error)
	// RevokeToken returns ENOTFOUND for a token the caller may not manage.
	RevokeToken(ctx context.Context, id int64) error
	// AuthenticateToken returns the active agent that owns the unrevoked
	// token secret, or EUNAUTHORIZED. The agent's TeamIDs are not read.
	AuthenticateToken(ctx context.Context, secret string) (*Agent, error)
}

// Session is who a web sign-in is: a principal, which the web hands the
// services, and what pages show of them. Today every session is an
// agent's; a customer's portal session will have Agent nil.
type Session struct {
	Principal Principal
	// Agent is the signed-in staff member; its TeamIDs are not read.
	Agent *Agent
	// Left is how long the session lasts before it ends by itself.
	Left time.Duration
}

// Staff reports whether the session is a staff member's.
func (s *Session) Staff() bool {
	return s != nil && s.Agent != nil && s.Principal.AgentID == s.Agent.ID
}

// SessionService keeps web sign-ins. Only hashes of session secrets are
// stored.
type SessionService interface {
	// CreateSession starts a session for the agent and returns its secret.
	CreateSession(ctx context.Context, agentID int64, ttl time.Duration) (string, error)
	// FindSession returns who the session is, or EUNAUTHORIZED if the
	// session is unknown, expired or its agent deactivated.
	FindSession(ctx context.Context, secret string) (*Session, error)
	DeleteSession(ctx context.Context, secret string) error
	// RememberBrowser records that the agent signed in from a browser,
	// for ttl: the one whose cookie holds secret, if that is the agent's,
	// or a new one, whose secret it returns. A sign-in from a known
	// browser is limited on its own, so that others' failed guesses from
	// the same address never slow its owner down. It returns
	// EUNAUTHORIZED for a deactivated agent.
	RememberBrowser(ctx context.Context, agentID int64, secret string, ttl time.Duration) (string, error)
}

// SetupService creates the first admin through a one-time link.
type SetupService interface {
	// NewSetupToken replaces any earlier setup token and returns a new
	// secret, or ECONFLICT if an active admin exists already.
	NewSetupToken(ctx context.Context) (string, error)
	// CheckSetupToken returns EUNAUTHORIZED unless secret is the current
	// setup token and no admin exists yet.
	CheckSetupToken(ctx context.Context, secret string) error
	// CompleteSetup creates the first admin and spends the token.
	CompleteSetup(ctx context.Context, secret string, c *AgentCreate) (*Agent, error)
}

// AuditService reads the audit log (PermReadAudit), newest first.
type AuditService interface {
	FindAuditEntries(ctx context.Context, cursor string, limit int) ([]*AuditEntry, string, error)
}
