package sqldb

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/password"
)

// AgentService implements tend.AgentService.
type AgentService struct {
	db       *DB
	attempts *Attempts
	// Notify, if set, hears after commit of each ticket a deactivation
	// handed over, as TicketService.Notify does of its changes.
	Notify func(tend.TicketChange)
	// Secrets, if set, seals the secret of an invitation to be mailed
	// until its mail is handed over; without it, invitations are not
	// mailed.
	Secrets Sealer
}

// NewAgentService returns the agent service of db.
func NewAgentService(db *DB) *AgentService { return &AgentService{db: db, attempts: NewAttempts(db)} }

var (
	_ tend.AgentService        = (*AgentService)(nil)
	_ tend.InvitationMailStore = (*AgentService)(nil)
)

const agentColumns = `a.id, a.name, a.email, a.role, a.active, a.time_zone, ` + agentInvited + `, a.created_at, a.updated_at`

// agentInvited is whether agent a has not yet accepted their invitation:
// no password and an unspent link. An agent who has a password and was
// sent a new link (to reset it) has accepted one already.
const agentInvited = `(a.password_hash = '' AND EXISTS (SELECT 1 FROM invitations i WHERE i.agent_id = a.id AND i.used_at IS NULL))`

// scanAgent reads agentColumns, after any columns that before point to.
func scanAgent(r row, before ...any) (*tend.Agent, error) {
	a := &tend.Agent{}
	var role string
	err := r.Scan(append(before, &a.ID, &a.Name, &a.Email, &role, &a.Active, &a.TimeZone, &a.Invited, &a.CreatedAt, &a.UpdatedAt)...)
	a.Role = tend.Role(role)
	return a, err
}

// FindAgentByID returns ENOTFOUND if there is no such agent.
func (s *AgentService) FindAgentByID(ctx context.Context, id int64) (*tend.Agent, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var a *tend.Agent
	err := s.db.read(ctx, func(q *Tx) (err error) {
		a, err = findAgentByID(ctx, q, id)
		return err
	})
	return a, err
}

func findAgentByID(ctx context.Context, q *Tx, id int64) (*tend.Agent, error) {
	a, err := scanAgent(q.queryRow(ctx, `SELECT `+agentColumns+` FROM agents a WHERE a.id = $1`, id))
	if errors.Is(err, errNoRows) {
		return nil, notFound("Agent", id)
	} else if err != nil {
		return nil, fmt.Errorf("find agent: %w", err)
	}
	if err := attachTeamIDs(ctx, q, []*tend.Agent{a}); err != nil {
		return nil, err
	}
	return a, nil
}

// FindAgents returns one page of agents in id order.
func (s *AgentService) FindAgents(ctx context.Context, f tend.AgentFilter) ([]*tend.Agent, string, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, "", err
	}
	var a args
	where := []string{"1 = 1"}
	if f.Active != nil {
		where = append(where, "active = "+a.add(*f.Active))
	}
	if f.Role != nil {
		where = append(where, "role = "+a.add(string(*f.Role)))
	}
	if f.TeamID != nil {
		where = append(where, "id IN (SELECT agent_id FROM team_members WHERE team_id = "+a.add(*f.TeamID)+")")
	}
	if f.Email != "" {
		where = append(where, "email = "+a.add(tend.NormalizeEmail(f.Email)))
	}
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor, false)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "id > "+a.add(c.id))
	}
	limit := pageSize(f.Limit)
	query := `SELECT ` + agentColumns + ` FROM agents a WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY id LIMIT ` + a.add(limit+1)

	var list []*tend.Agent
	err := s.db.read(ctx, func(q *Tx) (err error) {
		if list, err = queryAll(ctx, q, func(r row) (*tend.Agent, error) { return scanAgent(r) }, query, a...); err != nil {
			return err
		}
		return attachTeamIDs(ctx, q, list)
	})
	if err != nil {
		return nil, "", fmt.Errorf("find agents: %w", err)
	}
	list, next := pageOf(list, limit, func(a *tend.Agent) cursor { return cursor{id: a.ID} })
	return list, next, nil
}

func attachTeamIDs(ctx context.Context, q *Tx, agents []*tend.Agent) error {
	for _, a := range agents {
		a.TeamIDs = []int64{}
	}
	return attachValues(ctx, q, agents, func(a *tend.Agent) int64 { return a.ID },
		func(in string) string {
			return `SELECT agent_id, team_id FROM team_members WHERE agent_id ` + in + ` ORDER BY team_id`
		},
		func(a *tend.Agent, team int64) { a.TeamIDs = append(a.TeamIDs, team) })
}

// CreateAgent needs PermManageStaff. It returns ECONFLICT if the email is
// taken and EINVALID for a team that does not exist.
func (s *AgentService) CreateAgent(ctx context.Context, c *tend.AgentCreate) (*tend.Agent, error) {
	p, err := tend.Require(ctx, tend.PermManageStaff)
	if err != nil {
		return nil, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	hash := ""
	if c.Password != "" {
		// Hash before taking the write lock: it is the slow part.
		if hash, err = password.Hash(c.Password, s.db.PasswordParams); err != nil {
			return nil, err
		}
	}
	var agent *tend.Agent
	err = s.db.write(ctx, func(tx *Tx) error {
		agent, err = createAgent(ctx, tx, p, c, hash)
		return err
	})
	return agent, err
}

func createAgent(ctx context.Context, tx *Tx, p tend.Principal, c *tend.AgentCreate, hash string) (*tend.Agent, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO agents (name, email, role, active, password_hash, created_at, updated_at)
		VALUES ($1, $2, $3, TRUE, $4, $5, $5) RETURNING id`, c.Name, c.Email, string(c.Role), hash, tx.now).Scan(&id)
	if isUniqueViolation(err) {
		return nil, emailTaken(c.Email)
	} else if err != nil {
		return nil, fmt.Errorf("create agent: %w", err)
	}
	if err := setAgentTeams(ctx, tx, id, c.TeamIDs); err != nil {
		return nil, err
	}
	if err := tx.audit(ctx, p, "agent.created", "agent", id, map[string]any{"email": c.Email, "role": c.Role}); err != nil {
		return nil, err
	}
	return findAgentByID(ctx, tx, id)
}

func emailTaken(email string) error {
	return tend.FieldError(tend.ECONFLICT, "email", "%s already belongs to a staff member", email)
}

func setAgentTeams(ctx context.Context, tx *Tx, agentID int64, teamIDs []int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM team_members WHERE agent_id = $1`, agentID); err != nil {
		return err
	}
	for _, teamID := range teamIDs {
		_, err := tx.exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, teamID, agentID)
		if isForeignKeyViolation(err) {
			return tend.FieldError(tend.EINVALID, "team_ids", "team %d does not exist", teamID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// UpdateAgent needs PermManageStaff, except that agents may change their
// own name, password and time zone. It returns ECONFLICT if no active admin would be
// left. Deactivating an active agent hands their unsolved tickets to
// u.SuccessorID, and is refused, as DeactivateAgent is, without one when
// there are any.
func (s *AgentService) UpdateAgent(ctx context.Context, id int64, u *tend.AgentUpdate) (*tend.Agent, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	selfService := p.AgentID == id && u.Email == nil && u.Role == nil && u.Active == nil && u.TeamIDs == nil
	if !selfService {
		if p, err = tend.Require(ctx, tend.PermManageStaff); err != nil {
			return nil, err
		}
	}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return nil, err
	}
	hash := ""
	if u.Password != nil {
		if p.AgentID == id {
			if err := s.checkCurrentPassword(ctx, id, u.CurrentPassword); err != nil {
				return nil, err
			}
		}
		if hash, err = password.Hash(*u.Password, s.db.PasswordParams); err != nil {
			return nil, err
		}
	}
	var agent *tend.Agent
	var moved []*tend.Ticket
	err = s.db.write(ctx, func(tx *Tx) error {
		if u.Active == nil || *u.Active {
			agent, err = updateAgent(ctx, tx, p, id, u, hash)
			return err
		}
		// Deactivating an active agent hands their tickets over, as
		// DeactivateAgent does: no ticket is left with an owner gone. The
		// agent is locked first, as a deactivation locks, to tell.
		successor := int64(0)
		if u.SuccessorID != nil {
			successor = *u.SuccessorID
		}
		old, err := lockToDeactivate(ctx, tx, p, id, successor)
		if err != nil {
			return err
		}
		if !old.Active {
			agent, err = updateAgent(ctx, tx, p, id, u, hash)
			return err
		}
		if agent, moved, err = handOver(ctx, tx, p, old, successor); err != nil {
			return err
		}
		rest := *u
		rest.Active, rest.SuccessorID, rest.CurrentPassword = nil, nil, nil
		if rest != (tend.AgentUpdate{}) {
			agent, err = updateAgent(ctx, tx, p, id, &rest, hash)
		}
		return err
	})
	if err == nil && (!agent.Active || u.Password != nil) {
		s.db.sessionsEnded(id)
	}
	s.notifyHandedOver(err, moved)
	return agent, err
}

var errDeactivateSelf = tend.Errorf(tend.ECONFLICT, "You cannot deactivate yourself; ask another admin to do it.")

// notifyHandedOver tells Notify of the tickets a deactivation handed over,
// once it committed.
func (s *AgentService) notifyHandedOver(err error, moved []*tend.Ticket) {
	if err == nil && s.Notify != nil {
		for _, t := range moved {
			s.Notify(tend.TicketChange{TicketID: t.ID, Kind: tend.EventOwnerChanged, Channel: t.Channel})
		}
	}
}

// cutOff ends every way agent id has in: sessions, API tokens (revoked,
// so that reactivating the agent does not bring them back), unspent
// invitations and known browsers. It returns how many tokens it revoked.
func cutOff(ctx context.Context, tx *Tx, id int64) (revoked int64, err error) {
	if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE agent_id = $1`, id); err != nil {
		return 0, err
	}
	if revoked, err = tx.exec(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE agent_id = $2 AND revoked_at IS NULL`, tx.now, id); err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM invitations WHERE agent_id = $1 AND used_at IS NULL`, id); err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `DELETE FROM known_browsers WHERE agent_id = $1`, id); err != nil {
		return 0, err
	}
	return revoked, nil
}

func updateAgent(ctx context.Context, tx *Tx, p tend.Principal, id int64, u *tend.AgentUpdate, hash string) (*tend.Agent, error) {
	old, err := findAgentByID(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	wasAdmin := old.Active && old.Role == tend.RoleAdmin
	role, active := old.Role, old.Active
	if u.Role != nil {
		role = *u.Role
	}
	if u.Active != nil {
		active = *u.Active
	}
	if wasAdmin && (role != tend.RoleAdmin || !active) {
		if err := requireOtherAdmin(ctx, tx, old); err != nil {
			return nil, err
		}
	}

	var a args
	sets := []string{"updated_at = " + a.add(tx.now)}
	changes := map[string]any{}
	if u.Name != nil {
		sets = append(sets, "name = "+a.add(*u.Name))
		changes["name"] = *u.Name
	}
	if u.Email != nil {
		sets = append(sets, "email = "+a.add(*u.Email))
		changes["email"] = *u.Email
	}
	if u.Role != nil {
		sets = append(sets, "role = "+a.add(string(*u.Role)))
		changes["role"] = *u.Role
	}
	if u.Active != nil {
		sets = append(sets, "active = "+a.add(*u.Active))
		changes["active"] = *u.Active
	}
	if u.TimeZone != nil {
		sets = append(sets, "time_zone = "+a.add(*u.TimeZone))
		changes["time_zone"] = *u.TimeZone
	}
	if u.Password != nil {
		sets = append(sets, "password_hash = "+a.add(hash))
		changes["password"] = "changed"
	}
	_, err = tx.exec(ctx, `UPDATE agents SET `+strings.Join(sets, ", ")+` WHERE id = `+a.add(id), a...)
	if isUniqueViolation(err) {
		return nil, emailTaken(*u.Email)
	} else if err != nil {
		return nil, fmt.Errorf("update agent: %w", err)
	}
	if u.TeamIDs != nil {
		if err := setAgentTeams(ctx, tx, id, *u.TeamIDs); err != nil {
			return nil, err
		}
		changes["team_ids"] = *u.TeamIDs
	}
	if !active || !old.Active {
		// Deactivated, or reactivated: nothing an inactive agent was given
		// may serve them once they are back.
		revoked, err := cutOff(ctx, tx, id)
		if err != nil {
			return nil, err
		}
		if revoked > 0 {
			changes["tokens_revoked"] = revoked
		}
	} else if u.Password != nil {
		// A new password ends the sessions begun with the old one.
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE agent_id = $1`, id); err != nil {
			return nil, err
		}
	}
	if err := tx.audit(ctx, p, "agent.updated", "agent", id, changes); err != nil {
		return nil, err
	}
	return findAgentByID(ctx, tx, id)
}

// lockForDeactivation locks what deactivating agent id hands to
// successorID, in an order every deactivation keeps, so that two at once
// wait for each other rather than deadlock (two admins deactivating each
// other; two agents each named the other's successor): the active admins
// when the agent is one, as requireOtherAdmin does, then the agent and the
// successor by id. The agent is locked before their tickets are chosen:
// an assignment to them running now (which holds a share lock, see
// checkActiveAgent) commits first and its ticket is handed over too; a
// later one sees them deactivated.
func lockForDeactivation(ctx context.Context, tx *Tx, id, successorID int64) error {
	var role string
	if err := tx.queryRow(ctx, `SELECT role FROM agents WHERE id = $1`, id).Scan(&role); errors.Is(err, errNoRows) {
		return notFound("Agent", id)
	} else if err != nil {
		return err
	}
	if tend.Role(role) == tend.RoleAdmin {
		if _, err := queryAll(ctx, tx, scanID, adminsInLockOrder+tx.db.forUpdate()); err != nil {
			return err
		}
	}
	locks := []struct {
		id   int64
		lock string
	}{{id, tx.db.forUpdate()}, {successorID, tx.db.forShare()}}
	if successorID < id {
		locks[0], locks[1] = locks[1], locks[0]
	}
	for _, l := range locks {
		if l.id == 0 {
			continue
		}
		if _, err := tx.exec(ctx, `SELECT id FROM agents WHERE id = $1`+l.lock, l.id); err != nil {
			return fmt.Errorf("lock agent: %w", err)
		}
	}
	return nil
}

// adminsInLockOrder selects the active admins in the order every
// transaction locks them in.
const adminsInLockOrder = `SELECT id FROM agents WHERE role = 'admin' AND active = TRUE ORDER BY id`

// requireOtherAdmin returns ECONFLICT unless an active admin other than a
// exists. It locks the admins, so that two admins demoting each other at
// once cannot both succeed.
func requireOtherAdmin(ctx context.Context, tx *Tx, a *tend.Agent) error {
	admins, err := queryAll(ctx, tx, scanID, adminsInLockOrder+tx.db.forUpdate())
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(admins, func(id int64) bool { return id != a.ID }) {
		return tend.Errorf(tend.ECONFLICT, "%s is the last active admin; make another agent an admin first.", a.Name)
	}
	return nil
}

// CountAdmins returns the number of active admins.
func (s *AgentService) CountAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.db.read(ctx, func(q *Tx) error {
		return q.queryRow(ctx, `SELECT COUNT(*) FROM agents WHERE role = 'admin' AND active = TRUE`).Scan(&n)
	})
	return n, err
}

// DeactivateAgent hands the agent's unsolved tickets to successorID and
// deactivates the agent, in one transaction: nobody may see the agent gone
// while tickets still wait on them. Each handed-over ticket changes as
// UpdateTicket would change it, with an owner_changed event and a new
// version. It needs PermManageStaff.
func (s *AgentService) DeactivateAgent(ctx context.Context, id, successorID int64) (*tend.Agent, error) {
	p, err := tend.Require(ctx, tend.PermManageStaff)
	if err != nil {
		return nil, err
	}
	var agent *tend.Agent
	var moved []*tend.Ticket
	err = s.db.write(ctx, func(tx *Tx) error {
		agent, moved, err = deactivateAgent(ctx, tx, p, id, successorID)
		return err
	})
	if err == nil {
		s.db.sessionsEnded(id)
	}
	s.notifyHandedOver(err, moved)
	return agent, err
}

// deactivateAgent deactivates agent id and returns them with the tickets
// handed to successorID.
func deactivateAgent(ctx context.Context, tx *Tx, p tend.Principal, id, successorID int64) (*tend.Agent, []*tend.Ticket, error) {
	old, err := lockToDeactivate(ctx, tx, p, id, successorID)
	if err != nil {
		return nil, nil, err
	}
	if !old.Active {
		return nil, nil, tend.Errorf(tend.ECONFLICT, "%s is deactivated already.", old.Name)
	}
	return handOver(ctx, tx, p, old, successorID)
}

// lockToDeactivate refuses to deactivate oneself or to make an agent their
// own successor, takes the locks of a deactivation (lockForDeactivation)
// and returns agent id as locked.
func lockToDeactivate(ctx context.Context, tx *Tx, p tend.Principal, id, successorID int64) (*tend.Agent, error) {
	if id == p.AgentID {
		return nil, errDeactivateSelf
	}
	if successorID == id {
		return nil, tend.FieldError(tend.EINVALID, "successor_id", "choose someone other than the agent being deactivated")
	}
	if err := lockForDeactivation(ctx, tx, id, successorID); err != nil {
		return nil, err
	}
	return findAgentByID(ctx, tx, id)
}

// handOver hands the unsolved tickets of old, locked and active, to
// successorID and deactivates old, returning them with the tickets moved.
func handOver(ctx context.Context, tx *Tx, p tend.Principal, old *tend.Agent, successorID int64) (*tend.Agent, []*tend.Ticket, error) {
	id := old.ID
	if old.Role == tend.RoleAdmin {
		if err := requireOtherAdmin(ctx, tx, old); err != nil {
			return nil, nil, err
		}
	}
	if successorID != 0 {
		if err := checkAssignable(ctx, tx, "successor_id", successorID); err != nil {
			return nil, nil, err
		}
	}
	// Lock the tickets while choosing them, so that none of them can be
	// solved or given away between the choice and the handover.
	open, err := queryAll(ctx, tx, scanID, `SELECT id FROM tickets WHERE owner_id = $1 AND status NOT IN ($2, $3)
		ORDER BY id`+tx.db.forUpdate(), id, string(tend.StatusSolved), string(tend.StatusClosed))
	if err != nil {
		return nil, nil, fmt.Errorf("find unsolved tickets: %w", err)
	}
	if len(open) > 0 && successorID == 0 {
		tickets := "tickets"
		if len(open) == 1 {
			tickets = "ticket"
		}
		return nil, nil, tend.FieldError(tend.EINVALID, "successor_id", "%s owns %d unsolved %s; choose who takes over",
			old.Name, len(open), tickets)
	}
	numbers := make([]int64, 0, len(open))
	moved := make([]*tend.Ticket, 0, len(open))
	for _, ticketID := range open {
		c, err := changeTicket(ctx, tx, p, ticketID, nil)
		if err != nil {
			return nil, nil, err
		}
		c.handOver = true
		if err := c.update(ctx, &tend.TicketUpdate{OwnerID: &successorID}); err != nil {
			return nil, nil, err
		}
		if err := c.commit(ctx); err != nil {
			return nil, nil, err
		}
		numbers = append(numbers, c.t.Number)
		moved = append(moved, c.t)
	}
	if _, err := tx.exec(ctx, `UPDATE agents SET active = FALSE, updated_at = $1 WHERE id = $2`, tx.now, id); err != nil {
		return nil, nil, fmt.Errorf("deactivate agent: %w", err)
	}
	// A deactivated agent must lose access at once, and must not be able
	// to set a password through a link made earlier.
	revoked, err := cutOff(ctx, tx, id)
	if err != nil {
		return nil, nil, err
	}
	data := map[string]any{"successor_id": tend.OptionalID(successorID), "tickets": numbers, "tokens_revoked": revoked}
	if err := tx.audit(ctx, p, "agent.deactivated", "agent", id, data); err != nil {
		return nil, nil, err
	}
	agent, err := findAgentByID(ctx, tx, id)
	return agent, moved, err
}
