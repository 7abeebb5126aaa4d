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
// password. Only the SHA-256 of a link's secret is stored, and, while its
// mail waits to be handed over, the secret sealed with the desk's key.

// CreateInvitation makes a one-time link for the agent to set a password,
// replacing any unspent one, and with mail queues its mail in the same
// transaction. It needs PermManageStaff.
func (s *AgentService) CreateInvitation(ctx context.Context, agentID int64, mail bool) (*tend.NewInvitation, error) {
	p, err := tend.Require(ctx, tend.PermManageStaff)
	if err != nil {
		return nil, err
	}
	secret := newSecret()
	hash := hashSecret(secret)
	var made *tend.NewInvitation
	err = s.db.write(ctx, func(tx *Tx) error {
		made = &tend.NewInvitation{Secret: secret, ExpiresAt: tx.now.Add(tend.InvitationTTL)}
		a, err := findAgentByID(ctx, tx, agentID)
		if err != nil {
			return err
		}
		if !a.Active {
			return tend.Errorf(tend.ECONFLICT, "%s is deactivated; reactivate them before inviting them.", a.Name)
		}
		var joined bool
		if err := tx.queryRow(ctx, `SELECT password_hash <> '' FROM agents WHERE id = $1`, agentID).Scan(&joined); err != nil {
			return err
		}
		if joined {
			// A link sets the password: for someone who chose one, it
			// would let whoever holds it take over their account.
			return tend.Errorf(tend.ECONFLICT, "%s has joined already and signs in with their own password; invitation links are for people who have not.", a.Name)
		}
		// One live link per agent: a new one makes any earlier one useless,
		// and its mail, if still to go, with it.
		if _, err := tx.exec(ctx, `DELETE FROM invitations WHERE agent_id = $1 AND used_at IS NULL`, agentID); err != nil {
			return err
		}
		var sealed *string
		if mail {
			if made.NotMailed, err = s.whyNotMailed(ctx, tx); err != nil {
				return err
			} else if made.NotMailed == "" {
				v := s.Secrets.Seal(secret)
				sealed, made.MailedTo = &v, a.Email
			}
		}
		var by *int64
		if p.AgentID != 0 {
			by = &p.AgentID
		}
		if _, err := tx.exec(ctx, `INSERT INTO invitations (hash, agent_id, created_at, expires_at, mail_secret, invited_by)
			VALUES ($1, $2, $3, $4, $5, $6)`, hash, agentID, tx.now, made.ExpiresAt, sealed, by); err != nil {
			return fmt.Errorf("create invitation: %w", err)
		}
		// Queued with the row: the mail goes if and only if the invitation
		// was made.
		if sealed != nil {
			if err := tx.db.Jobs.Enqueue(ctx, tx, tend.InvitationMail{Hash: hash}); err != nil {
				return fmt.Errorf("queue invitation mail: %w", err)
			}
		}
		return tx.audit(ctx, p, "agent.invited", "agent", agentID, map[string]any{"expires_at": made.ExpiresAt, "mailed": sealed != nil})
	})
	if err != nil {
		return nil, err
	}
	return made, nil
}

// whyNotMailed says why an invitation cannot be mailed, or "" when it can.
func (s *AgentService) whyNotMailed(ctx context.Context, tx *Tx) (string, error) {
	if s.Secrets == nil || tx.db.Jobs == nil {
		return "Tend sends no mail from here.", nil
	}
	mb, err := defaultMailbox(ctx, tx)
	if err != nil {
		return "", err
	} else if mb == nil || mb.Address == "" {
		return "There is no mailbox to send it from; add one under Settings → Mail.", nil
	}
	return "", nil
}

// FindInvitationMail writes the mail of the invitation whose secret hashes
// to hash, from the desk's first mailbox.
func (s *AgentService) FindInvitationMail(ctx context.Context, hash, base string) (*tend.OutboundMail, error) {
	if s.Secrets == nil {
		return nil, errors.New("invitation mail: no secret key to open the link with")
	}
	var o *tend.OutboundMail
	err := s.db.read(ctx, func(q *Tx) error {
		l := &tend.InvitationLetter{}
		var sealed, zone, role string
		var by *int64
		err := q.queryRow(ctx, `SELECT i.agent_id, i.mail_secret, i.invited_by, i.created_at, i.expires_at, a.name, a.email, a.role, a.time_zone
			FROM invitations i JOIN agents a ON a.id = i.agent_id
			WHERE i.hash = $1 AND i.mail_secret IS NOT NULL AND i.used_at IS NULL AND a.active = $2`, hash, true).
			Scan(&l.AgentID, &sealed, &by, &l.CreatedAt, &l.ExpiresAt, &l.To.Name, &l.To.Email, &role, &zone)
		if errors.Is(err, errNoRows) {
			return tend.Errorf(tend.ENOTFOUND, "The invitation is mailed, spent or replaced already, or its agent deactivated.")
		} else if err != nil {
			return fmt.Errorf("invitation mail: %w", err)
		}
		l.Role = tend.Role(role)
		if !q.now.Before(l.ExpiresAt) {
			return tend.Errorf(tend.ENOTFOUND, "The invitation expired before it could be mailed.")
		}
		if l.Secret, err = s.Secrets.Open(sealed); err != nil {
			return fmt.Errorf("invitation mail: %w", err)
		}
		if by != nil {
			if err := q.queryRow(ctx, `SELECT name FROM agents WHERE id = $1`, *by).Scan(&l.InvitedBy); err != nil && !errors.Is(err, errNoRows) {
				return err
			}
		}
		if l.Teams, err = queryAll(ctx, q, func(r row) (name string, err error) { return name, r.Scan(&name) },
			`SELECT t.name FROM team_members m JOIN teams t ON t.id = m.team_id WHERE m.agent_id = $1 ORDER BY t.name`, l.AgentID); err != nil {
			return err
		}
		mb, err := defaultMailbox(ctx, q)
		if err != nil {
			return err
		} else if mb == nil || mb.Address == "" {
			return tend.Errorf(tend.ENOTFOUND, "There is no mailbox to send the invitation from.")
		}
		if l.Desk, err = getSetting(ctx, q, "name"); err != nil {
			return err
		}
		if l.Base = base; l.Base == "" {
			if l.Base, err = getSetting(ctx, q, "base_url"); err != nil {
				return err
			}
		}
		if l.Base == "" {
			return tend.Errorf(tend.ENOTFOUND, "Tend does not know its own address, which the invitation link needs.")
		}
		loc, _ := tend.LoadTimeZone(zone)
		o = tend.InvitationMailOf(l, mb, loc)
		return nil
	})
	return o, err
}

// MarkInvitationMailed forgets the sealed secret of the invitation whose
// secret hashes to hash: its mail is handed over.
func (s *AgentService) MarkInvitationMailed(ctx context.Context, hash string) error {
	return s.db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE invitations SET mail_secret = NULL WHERE hash = $1`, hash)
		return err
	})
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
		n, err := tx.exec(ctx, `UPDATE invitations SET used_at = $1, mail_secret = NULL WHERE hash = $2 AND used_at IS NULL`, tx.now, hashSecret(secret))
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
