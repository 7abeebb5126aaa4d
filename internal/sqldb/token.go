package sqldb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tendhq/tend"
)

// TokenService implements tend.TokenService and tend.SessionService.
type TokenService struct {
	db *DB

	// lastUsed remembers when each token's last_used_at was written, so
	// that a busy token costs one write a minute, not one per request.
	mu       sync.Mutex
	lastUsed map[int64]time.Time
}

// NewTokenService returns the token and session service of db.
func NewTokenService(db *DB) *TokenService {
	return &TokenService{db: db, lastUsed: map[int64]time.Time{}}
}

var (
	_ tend.TokenService   = (*TokenService)(nil)
	_ tend.SessionService = (*TokenService)(nil)
)

// tokenPrefix starts every API token, so that a leaked one is easy to
// recognise in logs and by secret scanners.
const tokenPrefix = "tend_"

// newSecret returns 32 random bytes, URL-safe encoded.
func newSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashSecret returns the SHA-256 of a secret. Secrets are 256 random bits,
// so a fast hash is enough: there is nothing to guess.
func hashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

const tokenColumns = `id, agent_id, name, prefix, created_at, last_used_at, revoked_at`

func scanToken(r row) (*tend.Token, error) {
	t := &tend.Token{}
	err := r.Scan(&t.ID, &t.AgentID, &t.Name, &t.Prefix, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	return t, err
}

// CreateToken makes a token for c.AgentID (the caller if 0); for another
// agent it needs PermManageTokens.
func (s *TokenService) CreateToken(ctx context.Context, c *tend.TokenCreate) (*tend.Token, string, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, "", err
	}
	if c.AgentID == 0 {
		c.AgentID = p.AgentID
	}
	if c.AgentID != p.AgentID {
		if p, err = tend.Require(ctx, tend.PermManageTokens); err != nil {
			return nil, "", err
		}
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, "", err
	}
	secret := tokenPrefix + newSecret()
	var tok *tend.Token
	err = s.db.write(ctx, func(tx *Tx) error {
		var active bool
		// Share-locked, so that a deactivation running now waits and then
		// revokes this token with the others.
		err := tx.queryRow(ctx, `SELECT active FROM agents WHERE id = $1`+tx.db.forShare(), c.AgentID).Scan(&active)
		if errors.Is(err, errNoRows) {
			return notFound("Agent", c.AgentID)
		} else if err != nil {
			return err
		} else if !active {
			return tend.Errorf(tend.ECONFLICT, "Agent %d is deactivated; reactivate them before giving them a token.", c.AgentID)
		}
		tok, err = scanToken(tx.queryRow(ctx, `INSERT INTO api_tokens (agent_id, name, hash, prefix, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING `+tokenColumns, c.AgentID, c.Name, hashSecret(secret), secret[:12], tx.now))
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		return tx.audit(ctx, p, "token.created", "token", tok.ID, map[string]any{"agent_id": c.AgentID, "name": c.Name})
	})
	if err != nil {
		return nil, "", err
	}
	return tok, secret, nil
}

// FindTokens lists agentID's tokens, newest first; the caller's own when
// agentID is 0. Another agent's need PermManageTokens.
func (s *TokenService) FindTokens(ctx context.Context, agentID int64) ([]*tend.Token, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	if agentID == 0 {
		agentID = p.AgentID
	}
	if agentID != p.AgentID {
		if _, err := tend.Require(ctx, tend.PermManageTokens); err != nil {
			return nil, err
		}
	}
	var tokens []*tend.Token
	err = s.db.read(ctx, func(q *Tx) (err error) {
		tokens, err = queryAll(ctx, q, scanToken, `SELECT `+tokenColumns+` FROM api_tokens WHERE agent_id = $1 ORDER BY id DESC`, agentID)
		return err
	})
	return tokens, err
}

// RevokeToken ends a token at once. Revoking another agent's token needs
// PermManageTokens; one the caller may not manage is ENOTFOUND.
func (s *TokenService) RevokeToken(ctx context.Context, id int64) error {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *Tx) error {
		tok, err := scanToken(tx.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1`, id))
		if errors.Is(err, errNoRows) || (err == nil && tok.AgentID != p.AgentID && !p.Can(tend.PermManageTokens)) {
			return notFound("Token", id)
		} else if err != nil {
			return err
		}
		if tok.RevokedAt != nil {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, tx.now, id); err != nil {
			return err
		}
		return tx.audit(ctx, p, "token.revoked", "token", id, map[string]any{"agent_id": tok.AgentID, "name": tok.Name})
	})
}

// AuthenticateToken returns the active agent that owns the unrevoked token.
func (s *TokenService) AuthenticateToken(ctx context.Context, secret string) (*tend.Agent, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, errBadToken
	}
	var tokenID int64
	var agent *tend.Agent
	err := s.db.read(ctx, func(q *Tx) (err error) {
		agent, err = scanAgent(q.queryRow(ctx, `SELECT t.id, `+agentColumns+` FROM api_tokens t JOIN agents a ON a.id = t.agent_id
			WHERE t.hash = $1 AND t.revoked_at IS NULL AND a.active = TRUE`, hashSecret(secret)), &tokenID)
		if errors.Is(err, errNoRows) {
			return errBadToken
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.markUsed(ctx, tokenID)
	return agent, nil
}

var errBadToken = tend.Errorf(tend.EUNAUTHORIZED, "The API token is not valid: it is unknown, revoked, or its agent is deactivated.")

// markUsed records when a token was used, at most once a minute per
// token, in the background: a read request should not wait for a write.
func (s *TokenService) markUsed(ctx context.Context, id int64) {
	now := s.db.now()
	s.mu.Lock()
	if last, ok := s.lastUsed[id]; ok && now.Sub(last) < time.Minute {
		s.mu.Unlock()
		return
	}
	if len(s.lastUsed) > 10_000 {
		// Forget tokens not seen for a while; at worst one extra write.
		for k, t := range s.lastUsed {
			if now.Sub(t) > time.Minute {
				delete(s.lastUsed, k)
			}
		}
	}
	s.lastUsed[id] = now
	s.mu.Unlock()
	ctx = context.WithoutCancel(ctx)
	go func() {
		_ = s.db.write(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, id)
			return err
		})
	}()
}

// CreateSession starts a web session for the agent.
func (s *TokenService) CreateSession(ctx context.Context, agentID int64, ttl time.Duration) (string, error) {
	secret := newSecret()
	err := s.db.write(ctx, func(tx *Tx) error {
		if err := lockActiveAgent(ctx, tx, agentID); err != nil {
			return err
		}
		// Sweep this agent's expired sessions while here.
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE agent_id = $1 AND expires_at < $2`, agentID, tx.now); err != nil {
			return err
		}
		return insertSecret(ctx, tx, "sessions", secret, agentID, ttl)
	})
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return secret, nil
}

// DeleteSession ends a session.
func (s *TokenService) DeleteSession(ctx context.Context, secret string) error {
	var agentIDs []int64
	err := s.db.write(ctx, func(tx *Tx) (err error) {
		agentIDs, err = queryAll(ctx, tx, scanID, `DELETE FROM sessions WHERE hash = $1 RETURNING agent_id`, hashSecret(secret))
		return err
	})
	if err == nil {
		for _, id := range agentIDs {
			s.db.sessionsEnded(id)
		}
	}
	return err
}

// FindSession returns who the session is, if the session is live and the
// agent active, and how long the session lasts by the store's clock.
func (s *TokenService) FindSession(ctx context.Context, secret string) (*tend.Session, error) {
	var agent *tend.Agent
	var left time.Duration
	err := s.db.read(ctx, func(q *Tx) (err error) {
		var at time.Time
		agent, err = scanAgent(q.queryRow(ctx, `SELECT s.expires_at, `+agentColumns+` FROM sessions s JOIN agents a ON a.id = s.agent_id
			WHERE s.hash = $1 AND s.expires_at > $2 AND a.active = TRUE`, hashSecret(secret), q.now), &at)
		if errors.Is(err, errNoRows) {
			return tend.Errorf(tend.EUNAUTHORIZED, "Your session has ended; sign in again.")
		}
		left = at.Sub(q.now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &tend.Session{Principal: tend.Principal{AgentID: agent.ID, Role: agent.Role}, Agent: agent, Left: left}, nil
}

// RememberBrowser records that the agent signed in from the browser whose
// cookie holds secret, for ttl from now, or from a new browser, whose
// secret it returns.
func (s *TokenService) RememberBrowser(ctx context.Context, agentID int64, secret string, ttl time.Duration) (string, error) {
	err := s.db.write(ctx, func(tx *Tx) error {
		if err := lockActiveAgent(ctx, tx, agentID); err != nil {
			return err
		}
		if secret != "" {
			n, err := tx.exec(ctx, `UPDATE known_browsers SET expires_at = $3 WHERE hash = $1 AND agent_id = $2 AND expires_at > $4`,
				hashSecret(secret), agentID, tx.now.Add(ttl), tx.now)
			if err != nil || n == 1 {
				return err
			}
		}
		if _, err := tx.exec(ctx, `DELETE FROM known_browsers WHERE agent_id = $1 AND expires_at <= $2`, agentID, tx.now); err != nil {
			return err
		}
		secret = newSecret()
		if err := insertSecret(ctx, tx, "known_browsers", secret, agentID, ttl); err != nil {
			return err
		}
		// A browser is one of the agent's last few: scripts and private
		// windows sign in afresh each time.
		_, err := tx.exec(ctx, `DELETE FROM known_browsers WHERE agent_id = $1 AND hash NOT IN (
			SELECT hash FROM known_browsers WHERE agent_id = $1 ORDER BY created_at DESC, hash LIMIT 20)`, agentID)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("remember browser: %w", err)
	}
	return secret, nil
}

// lockActiveAgent share-locks agent id for a session or a known browser
// being made, first of all the transaction's locks as in a deactivation,
// and returns EUNAUTHORIZED unless the agent is active: a deactivation
// that committed while a password was checked must leave nothing behind to
// come back to life on reactivation, and one running now waits, then ends
// what this made.
func lockActiveAgent(ctx context.Context, tx *Tx, id int64) error {
	var active bool
	err := tx.queryRow(ctx, `SELECT active FROM agents WHERE id = $1`+tx.db.forShare(), id).Scan(&active)
	if errors.Is(err, errNoRows) || (err == nil && !active) {
		return tend.Errorf(tend.EUNAUTHORIZED, "That account is deactivated.")
	}
	return err
}

// insertSecret adds a row of secret's hash for agentID to table (sessions
// or known_browsers), lasting ttl.
func insertSecret(ctx context.Context, tx *Tx, table, secret string, agentID int64, ttl time.Duration) error {
	_, err := tx.exec(ctx, `INSERT INTO `+table+` (hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
		hashSecret(secret), agentID, tx.now, tx.now.Add(ttl))
	return err
}
