package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tendhq/tend"
)

// TeamService implements tend.TeamService.
type TeamService struct {
	db *DB
}

// NewTeamService returns the team service of db.
func NewTeamService(db *DB) *TeamService { return &TeamService{db: db} }

var _ tend.TeamService = (*TeamService)(nil)

const teamColumns = `id, name, lead_id, manager_id, created_at, updated_at`

func scanTeam(r row) (*tend.Team, error) {
	t := &tend.Team{MemberIDs: []int64{}}
	err := r.Scan(&t.ID, &t.Name, &t.LeadID, &t.ManagerID, &t.CreatedAt, &t.UpdatedAt)
	return t, err
}

// FindTeamByID returns ENOTFOUND if there is no such team.
func (s *TeamService) FindTeamByID(ctx context.Context, id int64) (*tend.Team, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var t *tend.Team
	err := s.db.read(ctx, func(q *Tx) (err error) {
		t, err = findTeamByID(ctx, q, id)
		return err
	})
	return t, err
}

func findTeamByID(ctx context.Context, q *Tx, id int64) (*tend.Team, error) {
	t, err := scanTeam(q.queryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = $1`, id))
	if errors.Is(err, errNoRows) {
		return nil, notFound("Team", id)
	} else if err != nil {
		return nil, fmt.Errorf("find team: %w", err)
	}
	t.MemberIDs, err = queryAll(ctx, q, scanID, `SELECT agent_id FROM team_members WHERE team_id = $1 ORDER BY agent_id`, id)
	return t, err
}

// FindTeams returns every team in name order.
func (s *TeamService) FindTeams(ctx context.Context) ([]*tend.Team, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var teams []*tend.Team
	err := s.db.read(ctx, func(q *Tx) (err error) {
		if teams, err = queryAll(ctx, q, scanTeam, `SELECT `+teamColumns+` FROM teams ORDER BY name_key, id`); err != nil {
			return err
		}
		// Members of these teams only: a team made between the two reads
		// (outside a transaction) has none to give.
		return attachValues(ctx, q, teams, func(t *tend.Team) int64 { return t.ID },
			func(in string) string {
				return `SELECT team_id, agent_id FROM team_members WHERE team_id ` + in + ` ORDER BY agent_id`
			},
			func(t *tend.Team, agent int64) { t.MemberIDs = append(t.MemberIDs, agent) })
	})
	if err != nil {
		return nil, fmt.Errorf("find teams: %w", err)
	}
	return teams, nil
}

// CreateTeam needs PermManageTeams.
func (s *TeamService) CreateTeam(ctx context.Context, c *tend.TeamCreate) (*tend.Team, error) {
	p, err := tend.Require(ctx, tend.PermManageTeams)
	if err != nil {
		return nil, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var team *tend.Team
	err = s.db.write(ctx, func(tx *Tx) error {
		if err := checkLeaders(ctx, tx, c.LeadID, c.ManagerID); err != nil {
			return err
		}
		var id int64
		err := tx.queryRow(ctx, `INSERT INTO teams (name, name_key, lead_id, manager_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, c.Name, tend.FoldName(c.Name), c.LeadID, c.ManagerID, tx.now).Scan(&id)
		if err := teamError(err, &c.Name); err != nil {
			return err
		}
		if err := setTeamMembers(ctx, tx, id, c.MemberIDs); err != nil {
			return err
		}
		if err := tx.audit(ctx, p, "team.created", "team", id, map[string]any{"name": c.Name}); err != nil {
			return err
		}
		team, err = findTeamByID(ctx, tx, id)
		return err
	})
	return team, err
}

// teamError explains a failure to save a team named name (nil when the
// name did not change).
func teamError(err error, name *string) error {
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err) && name != nil:
		return tend.FieldError(tend.ECONFLICT, "name", "a team named %q exists already", *name)
	}
	return fmt.Errorf("save team: %w", err)
}

// checkLeaders returns EINVALID unless the lead and manager, where set and
// not being cleared, are active agents.
func checkLeaders(ctx context.Context, tx *Tx, leadID, managerID *int64) error {
	if leadID != nil && *leadID != 0 {
		if err := checkActiveAgent(ctx, tx, "lead_id", *leadID); err != nil {
			return err
		}
	}
	if managerID != nil && *managerID != 0 {
		return checkActiveAgent(ctx, tx, "manager_id", *managerID)
	}
	return nil
}

func setTeamMembers(ctx context.Context, tx *Tx, teamID int64, agentIDs []int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM team_members WHERE team_id = $1`, teamID); err != nil {
		return err
	}
	for _, agentID := range agentIDs {
		_, err := tx.exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, teamID, agentID)
		if isForeignKeyViolation(err) {
			return tend.FieldError(tend.EINVALID, "member_ids", "agent %d does not exist", agentID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// UpdateTeam needs PermManageTeams.
func (s *TeamService) UpdateTeam(ctx context.Context, id int64, u *tend.TeamUpdate) (*tend.Team, error) {
	p, err := tend.Require(ctx, tend.PermManageTeams)
	if err != nil {
		return nil, err
	}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var team *tend.Team
	err = s.db.write(ctx, func(tx *Tx) error {
		if _, err := findTeamByID(ctx, tx, id); err != nil {
			return err
		}
		if err := checkLeaders(ctx, tx, u.LeadID, u.ManagerID); err != nil {
			return err
		}
		var a args
		sets := []string{"updated_at = " + a.add(tx.now)}
		changes := map[string]any{}
		if u.Name != nil {
			sets = append(sets, "name = "+a.add(*u.Name), "name_key = "+a.add(tend.FoldName(*u.Name)))
			changes["name"] = *u.Name
		}
		if u.LeadID != nil {
			sets = append(sets, "lead_id = "+a.add(tend.OptionalID(*u.LeadID)))
			changes["lead_id"] = tend.OptionalID(*u.LeadID)
		}
		if u.ManagerID != nil {
			sets = append(sets, "manager_id = "+a.add(tend.OptionalID(*u.ManagerID)))
			changes["manager_id"] = tend.OptionalID(*u.ManagerID)
		}
		_, err = tx.exec(ctx, `UPDATE teams SET `+strings.Join(sets, ", ")+` WHERE id = `+a.add(id), a...)
		if err := teamError(err, u.Name); err != nil {
			return err
		}
		if u.MemberIDs != nil {
			if err := setTeamMembers(ctx, tx, id, *u.MemberIDs); err != nil {
				return err
			}
			changes["member_ids"] = *u.MemberIDs
		}
		if err := tx.audit(ctx, p, "team.updated", "team", id, changes); err != nil {
			return err
		}
		team, err = findTeamByID(ctx, tx, id)
		return err
	})
	return team, err
}
