package sqldb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/tendhq/tend"
)

// MacroService implements tend.MacroService. Applying a macro changes the
// ticket through Tickets, whose outbox mails the reply.
type MacroService struct {
	db      *DB
	Tickets *TicketService
}

// NewMacroService returns the macro service of db, changing tickets
// through tickets.
func NewMacroService(db *DB, tickets *TicketService) *MacroService {
	return &MacroService{db: db, Tickets: tickets}
}

var _ tend.MacroService = (*MacroService)(nil)

const macroColumns = `id, name, body, actions, scope, owner_id, team_id, usage_count, created_at, updated_at`

func scanMacro(r row) (*tend.Macro, error) {
	m := &tend.Macro{}
	var actions, scope string
	if err := r.Scan(&m.ID, &m.Name, &m.Body, &actions, &scope, &m.OwnerID, &m.TeamID, &m.UsageCount,
		&m.CreatedAt, &m.UpdatedAt); err != nil {
		return nil, err
	}
	m.Scope = tend.MacroScope(scope)
	if err := json.Unmarshal([]byte(actions), &m.Actions); err != nil {
		return nil, fmt.Errorf("macro %d actions: %w", m.ID, err)
	}
	return m, nil
}

// teamsOf lists the teams p is a member, lead or manager of.
func teamsOf(ctx context.Context, q *Tx, p tend.Principal) ([]int64, error) {
	if p.AgentID == 0 {
		return nil, nil
	}
	return queryAll(ctx, q, scanID, `SELECT team_id FROM team_members WHERE agent_id = $1
		UNION SELECT id FROM teams WHERE lead_id = $1 OR manager_id = $1`, p.AgentID)
}

// visibleWhere narrows macros to those p may see (tend.CanSeeMacro).
func visibleWhere(a *args, p tend.Principal, teams []int64) string {
	if p.System {
		return "TRUE"
	}
	personal := "(scope = 'personal' AND owner_id = " + a.add(p.AgentID) + ")"
	team := "FALSE"
	switch {
	case p.Can(tend.PermManageTeams):
		team = "scope = 'team'"
	case len(teams) > 0:
		team = "(scope = 'team' AND team_id IN (" + list(a, teams) + "))"
	}
	return "(scope = 'shared' OR " + personal + " OR " + team + ")"
}

// FindMacros returns the macros the caller may use, most used first, then
// by name; each word of Q starts a word of the name or the text, in any
// case.
func (s *MacroService) FindMacros(ctx context.Context, f tend.MacroFilter) ([]*tend.Macro, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	if f.Scope != "" && !f.Scope.Valid() {
		return nil, tend.FieldError(tend.EINVALID, "scope", "must be personal, team or shared")
	}
	var list []*tend.Macro
	err = s.db.read(ctx, func(q *Tx) error {
		teams, err := teamsOf(ctx, q, p)
		if err != nil {
			return err
		}
		var a args
		where := []string{visibleWhere(&a, p, teams)}
		if f.Scope != "" {
			where = append(where, "scope = "+a.add(string(f.Scope)))
		}
		// Each word of the query starts a word of the macro's.
		if words := tend.SearchWords(f.Q); len(words) > 0 {
			where = append(where, wordsMatch(&a, "macro_words", "macro_id", words))
		}
		limit := f.Limit
		if limit <= 0 || limit > 500 {
			limit = 500
		}
		list, err = queryAll(ctx, q, scanMacro, `SELECT `+macroColumns+` FROM macros WHERE `+strings.Join(where, " AND ")+
			` ORDER BY usage_count DESC, name, id LIMIT `+a.add(limit), a...)
		return err
	})
	return list, err
}

// FindMacroByID returns ENOTFOUND unless the caller may see the macro.
func (s *MacroService) FindMacroByID(ctx context.Context, id int64) (*tend.Macro, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	var m *tend.Macro
	err = s.db.read(ctx, func(q *Tx) (err error) {
		m, err = findVisibleMacro(ctx, q, p, id)
		return err
	})
	return m, err
}

func findVisibleMacro(ctx context.Context, q *Tx, p tend.Principal, id int64) (*tend.Macro, error) {
	m, err := scanMacro(q.queryRow(ctx, `SELECT `+macroColumns+` FROM macros WHERE id = $1`, id))
	if errors.Is(err, errNoRows) {
		return nil, notFound("Macro", id)
	} else if err != nil {
		return nil, err
	}
	teams, err := teamsOf(ctx, q, p)
	if err != nil {
		return nil, err
	}
	if !p.System && !tend.CanSeeMacro(p, teams, m) {
		return nil, notFound("Macro", id)
	}
	return m, nil
}

// checkMacroEditor returns EFORBIDDEN unless p may edit macros of scope
// (tend.CanEditMacro), and ENOTFOUND for a team that does not exist.
func checkMacroEditor(ctx context.Context, q *Tx, p tend.Principal, scope tend.MacroScope, ownerID, teamID *int64) error {
	if p.System {
		return nil
	}
	var leadID *int64
	if scope == tend.MacroTeam && teamID != nil {
		err := q.queryRow(ctx, `SELECT lead_id FROM teams WHERE id = $1`, *teamID).Scan(&leadID)
		if errors.Is(err, errNoRows) {
			return tend.FieldError(tend.EINVALID, "team_id", "team %d does not exist", *teamID)
		} else if err != nil {
			return err
		}
	}
	if tend.CanEditMacro(p, scope, ownerID, leadID) {
		return nil
	}
	switch scope {
	case tend.MacroTeam:
		return tend.Errorf(tend.EFORBIDDEN, "Only the team's lead or an admin may change the team's macros.")
	case tend.MacroShared:
		return tend.Errorf(tend.EFORBIDDEN, "Only an admin may change shared macros.")
	}
	return tend.Errorf(tend.EFORBIDDEN, "Only its owner may change a personal macro.")
}

func checkMacroTargets(ctx context.Context, q *Tx, a *tend.MacroActions) error {
	if a.TeamID != nil {
		if err := checkTeam(ctx, q, *a.TeamID); err != nil {
			return tend.FieldError(tend.EINVALID, "actions.team_id", "team %d does not exist", *a.TeamID)
		}
	}
	return nil
}

// CreateMacro stores a new macro: personal ones are the caller's.
func (s *MacroService) CreateMacro(ctx context.Context, c *tend.MacroCreate) (*tend.Macro, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var owner *int64
	if c.Scope == tend.MacroPersonal {
		if p.AgentID == 0 {
			return nil, tend.Errorf(tend.EINVALID, "A personal macro belongs to an agent; Tend itself has none.")
		}
		owner = &p.AgentID
	}
	actions, err := json.Marshal(c.Actions)
	if err != nil {
		return nil, err
	}
	var m *tend.Macro
	err = s.db.write(ctx, func(tx *Tx) error {
		if err := checkMacroEditor(ctx, tx, p, c.Scope, owner, c.TeamID); err != nil {
			return err
		}
		if err := checkMacroTargets(ctx, tx, &c.Actions); err != nil {
			return err
		}
		var createdBy *int64
		if p.AgentID != 0 {
			createdBy = &p.AgentID
		}
		var id int64
		if err := tx.queryRow(ctx, `INSERT INTO macros (name, body, actions, scope, owner_id, team_id, created_by,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			c.Name, c.Body, string(actions), string(c.Scope), owner, c.TeamID, createdBy, tx.now).Scan(&id); err != nil {
			return fmt.Errorf("create macro: %w", err)
		}
		if err := indexMacroWords(ctx, tx, id, c.Name, c.Body); err != nil {
			return err
		}
		if err := tx.audit(ctx, p, "macro.created", "macro", id, map[string]any{"name": c.Name, "scope": c.Scope}); err != nil {
			return err
		}
		m, err = scanMacro(tx.queryRow(ctx, `SELECT `+macroColumns+` FROM macros WHERE id = $1`, id))
		return err
	})
	return m, err
}

// UpdateMacro changes a macro the caller may see and edit; EFORBIDDEN for
// one they may only use.
func (s *MacroService) UpdateMacro(ctx context.Context, id int64, u *tend.MacroUpdate) (*tend.Macro, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	u.Normalize()
	var m *tend.Macro
	err = s.db.write(ctx, func(tx *Tx) error {
		old, err := findVisibleMacro(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := checkMacroEditor(ctx, tx, p, old.Scope, old.OwnerID, old.TeamID); err != nil {
			return err
		}
		next, err := u.Apply(*old)
		if err != nil {
			return err
		}
		if err := checkMacroTargets(ctx, tx, &next.Actions); err != nil {
			return err
		}
		actions, err := json.Marshal(next.Actions)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE macros SET name = $2, body = $3, actions = $4, updated_at = $5 WHERE id = $1`,
			id, next.Name, next.Body, string(actions), tx.now); err != nil {
			return fmt.Errorf("update macro: %w", err)
		}
		if next.Name != old.Name || next.Body != old.Body {
			if err := indexMacroWords(ctx, tx, id, next.Name, next.Body); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, p, "macro.updated", "macro", id, map[string]any{"name": next.Name}); err != nil {
			return err
		}
		m, err = scanMacro(tx.queryRow(ctx, `SELECT `+macroColumns+` FROM macros WHERE id = $1`, id))
		return err
	})
	return m, err
}

// DeleteMacro removes a macro the caller may edit.
func (s *MacroService) DeleteMacro(ctx context.Context, id int64) error {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *Tx) error {
		old, err := findVisibleMacro(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := checkMacroEditor(ctx, tx, p, old.Scope, old.OwnerID, old.TeamID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM macros WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete macro: %w", err)
		}
		return tx.audit(ctx, p, "macro.deleted", "macro", id, map[string]any{"name": old.Name})
	})
}
