package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/password"
)

// Checking passwords: signing in, and proving the current password to set
// a new one. Both are limited by Attempts (limit.go).

// signInAttempts are the counts a sign-in goes against. From a browser
// the address's agent signed in from before, that browser with the
// address alone: failures of others from the same source do not touch it.
// Otherwise the address with the source, which a success clears, and the
// source whatever the address.
func (s *AgentService) signInAttempts(ctx context.Context, email string) ([]Attempted, error) {
	email = tend.NormalizeEmail(email)
	if browser := tend.BrowserFromContext(ctx); browser != "" {
		var known int
		err := s.db.read(ctx, func(q *Tx) error {
			return q.queryRow(ctx, `SELECT COUNT(*) FROM known_browsers b JOIN agents a ON a.id = b.agent_id
				WHERE b.hash = $1 AND a.email = $2 AND b.expires_at > $3`, hashSecret(browser), email, q.now).Scan(&known)
		})
		if err != nil {
			return nil, err
		}
		if known > 0 {
			return []Attempted{{Key: "sign-in:" + email + " in browser " + hashSecret(browser), Limit: tend.SignInLimit,
				ClearedBySuccess: true}}, nil
		}
	}
	source := tend.LimitedSource(tend.SourceFromContext(ctx))
	return []Attempted{
		{Key: "sign-in:" + email + " from " + source, Limit: tend.SignInLimit, ClearedBySuccess: true},
		{Key: "sign-in from " + source, Limit: tend.SignInFromLimit},
	}, nil
}

// Authenticate returns the active agent with that email and password, or
// EUNAUTHORIZED with one message whichever part is wrong. Failures are
// limited per address and source (tend.SignInLimit) and per source
// (tend.SignInFromLimit), or per address and known browser, with
// ETOOMANY.
func (s *AgentService) Authenticate(ctx context.Context, email, pass string) (*tend.Agent, error) {
	keys, err := s.signInAttempts(ctx, email)
	if err != nil {
		return nil, err
	}
	attempt, err := s.attempts.Begin(ctx, "sign-ins", keys...)
	if err != nil {
		return nil, err
	}
	a, err := s.authenticate(ctx, email, pass)
	if err == nil {
		err = s.attempts.Forgive(ctx, attempt)
	}
	if err != nil {
		return nil, err
	}
	return a, nil
}

func (s *AgentService) authenticate(ctx context.Context, email, pass string) (*tend.Agent, error) {
	var id int64
	var hash string
	var active bool
	err := s.db.read(ctx, func(q *Tx) error {
		return q.queryRow(ctx, `SELECT id, password_hash, active FROM agents WHERE email = $1`,
			tend.NormalizeEmail(email)).Scan(&id, &hash, &active)
	})
	if err != nil && !errors.Is(err, errNoRows) {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if hash == "" {
		_, _ = password.Check(pass, dummyHash())
		return nil, errBadSignIn
	}
	if ok, err := password.Check(pass, hash); err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	} else if !ok || !active {
		return nil, errBadSignIn
	}
	var a *tend.Agent
	err = s.db.read(ctx, func(q *Tx) (err error) {
		a, err = findAgentByID(ctx, q, id)
		return err
	})
	return a, err
}

var errBadSignIn = tend.Errorf(tend.EUNAUTHORIZED, "That email and password do not match an active account.")

// dummyHash is checked when no agent has the address, so that a wrong
// address costs as much time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, _ := password.Hash("no such agent", password.Default)
	return h
})

// checkCurrentPassword returns EINVALID unless current is the agent's
// password. Like sign-in, failures are limited, per agent and source
// (tend.PasswordCheckLimit) and per agent (tend.PasswordAnyoneLimit),
// with ETOOMANY: an API token alone must not let anyone guess the
// password it would take to change it.
func (s *AgentService) checkCurrentPassword(ctx context.Context, id int64, current *string) error {
	if current == nil {
		return tend.FieldError(tend.EINVALID, "current_password", "give your current password to set a new one")
	}
	agent := "password of agent " + strconv.FormatInt(id, 10)
	attempt, err := s.attempts.Begin(ctx, "password checks",
		Attempted{Key: agent + " from " + tend.LimitedSource(tend.SourceFromContext(ctx)), Limit: tend.PasswordCheckLimit,
			ClearedBySuccess: true},
		Attempted{Key: agent, Limit: tend.PasswordAnyoneLimit})
	if err != nil {
		return err
	}
	if err := s.checkPassword(ctx, id, *current); err != nil {
		return err
	}
	return s.attempts.Forgive(ctx, attempt)
}

func (s *AgentService) checkPassword(ctx context.Context, id int64, current string) error {
	var hash string
	if err := s.db.read(ctx, func(q *Tx) error {
		return q.queryRow(ctx, `SELECT password_hash FROM agents WHERE id = $1`, id).Scan(&hash)
	}); err != nil {
		return err
	}
	if hash == "" {
		return nil // no password yet: nothing to prove
	}
	if ok, err := password.Check(current, hash); err != nil {
		return err
	} else if !ok {
		return tend.FieldError(tend.EINVALID, "current_password", "that is not your current password")
	}
	return nil
}
