package tend

import (
	"context"
	"strings"
	"time"
)

// Team is a group of agents that shares a queue, with a lead and a manager
// who own escalations from it.
type Team struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	LeadID    *int64    `json:"lead_id"`
	ManagerID *int64    `json:"manager_id"`
	MemberIDs []int64   `json:"member_ids"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// TeamCreate is the input for a new team.
type TeamCreate struct {
	Name      string  `json:"name"`
	LeadID    *int64  `json:"lead_id"`
	ManagerID *int64  `json:"manager_id"`
	MemberIDs []int64 `json:"member_ids"`
}

// Normalize trims the name.
func (c *TeamCreate) Normalize() { c.Name = strings.TrimSpace(c.Name) }

// Validate returns EINVALID naming each field that is wrong.
func (c *TeamCreate) Validate() error {
	p := Problems{}
	validateName(p, "name", c.Name)
	return p.Err()
}

// TeamUpdate changes a team; nil fields are left as they are. A LeadID or
// ManagerID pointing at 0 clears it.
type TeamUpdate struct {
	Name      *string
	LeadID    *int64
	ManagerID *int64
	MemberIDs *[]int64
}

// Normalize trims the name.
func (u *TeamUpdate) Normalize() {
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
	}
}

// Validate returns EINVALID naming each field that is wrong.
func (u *TeamUpdate) Validate() error {
	p := Problems{}
	if u.Name != nil {
		validateName(p, "name", *u.Name)
	}
	return p.Err()
}

// TeamService manages teams. Reading is open to all staff; changes need
// PermManageTeams.
type TeamService interface {
	// FindTeamByID returns ENOTFOUND if there is no such team.
	FindTeamByID(ctx context.Context, id int64) (*Team, error)
	FindTeams(ctx context.Context) ([]*Team, error)
	// CreateTeam returns ECONFLICT if the name is taken and EINVALID if a
	// lead, manager or member is not an agent.
	CreateTeam(ctx context.Context, c *TeamCreate) (*Team, error)
	UpdateTeam(ctx context.Context, id int64, u *TeamUpdate) (*Team, error)
}
