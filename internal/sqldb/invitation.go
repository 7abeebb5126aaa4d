package sqldb

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/password"
)

// Invitations: one-time links with which invited staff set their
// password. Only the SHA-256 of a link's secret is stored.

// CreateInvitation makes a one-time link for the agent to set a password,
// replacing any unspent one. It needs PermManageStaff.
func (s *AgentService) CreateInvitation(ctx context.Context, agentID int64) (string, error) {
	p, err := tend.Require(ctx, tend.PermManageStaff)
	if err != nil {
		return "", err
	}
	secret := newSecret()
	err = s.db.write(ctx, func(tx *Tx) error {
		a, err := findAgentByID(ctx, tx, agentID)
		if err != nil {
			return err
		}
		if !a.Active {
			return tend.Errorf(tend.ECONFLICT, "%s is deactivated; reactivate them before inviting them.", a.Name)
		}
		// One live link per agent: a new one makes any earlier one useless.
		if _, err := tx.exec(ctx, `DELETE FROM invitations WHERE agent_id = $1 AND used_at IS NULL`, agentID); err != nil {
			return err
		}
		expires := tx.now.Add(tend.InvitationTTL)
		if _, err := tx.exec(ctx, `INSERT INTO invitations (hash, agent_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hashSecret(secret), agentID, tx.now, expires); err != nil {
			return fmt.Errorf("create invitation: %w", err)
		}
		return tx.audit(ctx, p, "agent.invited", "agent", agentID, map[string]any{"expires_at": expires})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// FindInvitations returns the unspent invitations, oldest first. It needs
// PermManageStaff.
func (s *AgentService) FindInvitations(ctx context.Context) ([]*tend.Invitation, error) {
	if _, err := tend.Require(ctx, tend.PermManageStaff); err != nil {
		return nil, err
	}
	var list []*tend.Invitation
	err := s.db.read(ctx, func(q *Tx) (err error) {
		list, err = queryAll(ctx, q, func(r row) (*tend.Invitation, error) {
			i := &tend.Invitation{}
			return i, r.Scan(&i.AgentID, &i.CreatedAt, &i.ExpiresAt)
		}, `SELECT agent_id, created_at, expires_at FROM invitations WHERE used_at IS NULL ORDER BY created_at, agent_id`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find invitations: %w", err)
	}
	return list, nil
}

// CheckInvitation returns the agent the invitation is for, or
// EUNAUTHORIZED saying what is wrong with the link.
func (s *AgentService) CheckInvitation(ctx context.Context, secret string) (*tend.Agent, error) {
	var a *tend.Agent
	err := s.db.read(ctx, func(q *Tx) (err error) {
		a, err = checkInvitation(ctx, q, secret)
		return err
	})
	return a, err
}

var (
	errUnknownInvitation = tend.Errorf(tend.EUNAUTHORIZED,
		"This invitation link is not valid: it is incomplete, or a newer link replaced it. Ask an admin for a new one.")
	errUsedInvitation = tend.Errorf(tend.EUNAUTHORIZED,
		"This invitation link was used already. Sign in with the password you chose, or ask an admin for a new link.")
)

func checkInvitation(ctx context.Context, q *Tx, secret string) (*tend.Agent, error) {
	var agentID int64
	var expires time.Time
	var used *time.Time
	err := q.queryRow(ctx, `SELECT agent_id, expires_at, used_at FROM invitations WHERE hash = $1`,
		hashSecret(secret)).Scan(&agentID, &expires, &used)
	switch {
	case errors.Is(err, errNoRows):
		return nil, errUnknownInvitation
	case err != nil:
		return nil, fmt.Errorf("check invitation: %w", err)
	case used != nil:
		return nil, errUsedInvitation
	case !q.now.Before(expires):
		return nil, tend.Errorf(tend.EUNAUTHORIZED, "This invitation link expired on %s. Ask an admin for a new one.",
			expires.UTC().Format("2 January 2006"))
	}
	a, err := findAgentByID(ctx, q, agentID)
	if err != nil {
		return nil, err
	}
	if !a.Active {
		return nil, tend.Errorf(tend.EUNAUTHORIZED, "The account this invitation is for has been deactivated.")
	}
	return a, nil
}

// AcceptInvitation sets the invited agent's password and spends the
// invitation.
func (s *AgentService) AcceptInvitation(ctx context.Context, secret, pass string) (*tend.Agent, error) {
	// Check the link first: a bad one is what to tell, and it saves the
	// slow hash.
	if _, err := s.CheckInvitation(ctx, secret); err != nil {
		return nil, err
	}
	if err := tend.ValidatePassword(pass); err != nil {
		return nil, err
	}
	hash, err := password.Hash(pass, s.db.PasswordParams)
	if err != nil {
		return nil, err
	}
	var agent *tend.Agent
	err = s.db.write(ctx, func(tx *Tx) error {
		a, err := checkInvitation(ctx, tx, secret)
		if err != nil {
			return err
		}
		// Spend the link; of two uses at once, only one marks it.
		n, err := tx.exec(ctx, `UPDATE invitations SET used_at = $1 WHERE hash = $2 AND used_at IS NULL`, tx.now, hashSecret(secret))
		if err != nil {
			return err
		} else if n != 1 {
			return errUsedInvitation
		}
		if _, err := tx.exec(ctx, `UPDATE agents SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, tx.now, a.ID); err != nil {
			return fmt.Errorf("set password: %w", err)
		}
		// As with any new password, sessions begun before it end.
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE agent_id = $1`, a.ID); err != nil {
			return err
		}
		self := tend.Principal{AgentID: a.ID, Role: a.Role}
		if err := tx.audit(ctx, self, "agent.invitation_accepted", "agent", a.ID, map[string]any{}); err != nil {
			return err
		}
		agent, err = findAgentByID(ctx, tx, a.ID)
		return err
	})
	if err == nil {
		s.db.sessionsEnded(agent.ID)
	}
	return agent, err
}
