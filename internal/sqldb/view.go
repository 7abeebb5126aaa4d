package sqldb

import (
	"context"
	"fmt"

	"github.com/tendhq/tend"
)

// SavedViewService keeps agents' saved ticket lists.
type SavedViewService struct{ db *DB }

// NewSavedViewService returns the saved views of db.
func NewSavedViewService(db *DB) *SavedViewService { return &SavedViewService{db: db} }

// maxSavedViews bounds one agent's saved views: the sidebar counts each.
const maxSavedViews = 30

func scanSavedView(r row) (*tend.SavedView, error) {
	v := &tend.SavedView{}
	return v, r.Scan(&v.ID, &v.AgentID, &v.Name, &v.Filter, &v.CreatedAt)
}

// FindSavedViews returns the calling agent's views by name.
func (s *SavedViewService) FindSavedViews(ctx context.Context) ([]*tend.SavedView, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	var views []*tend.SavedView
	err = s.db.read(ctx, func(q *Tx) (err error) {
		views, err = queryAll(ctx, q, scanSavedView, `SELECT id, agent_id, name, filter, created_at
			FROM saved_views WHERE agent_id = $1 ORDER BY name, id`, p.AgentID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find saved views: %w", err)
	}
	return views, nil
}

// CreateSavedView keeps a view for the calling agent.
func (s *SavedViewService) CreateSavedView(ctx context.Context, c *tend.SavedViewCreate) (*tend.SavedView, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var v *tend.SavedView
	err = s.db.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM saved_views WHERE agent_id = $1`, p.AgentID).Scan(&n); err != nil {
			return err
		}
		if n >= maxSavedViews {
			return tend.Errorf(tend.ECONFLICT, "You have %d saved views, the most there may be; delete one first.", n)
		}
		v, err = scanSavedView(tx.queryRow(ctx, `INSERT INTO saved_views (agent_id, name, filter, created_at)
			VALUES ($1, $2, $3, $4) RETURNING id, agent_id, name, filter, created_at`, p.AgentID, c.Name, c.Filter, tx.now))
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// DeleteSavedView deletes one of the calling agent's views.
func (s *SavedViewService) DeleteSavedView(ctx context.Context, id int64) error {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return err
	}
	return s.db.write(ctx, func(tx *Tx) error {
		n, err := tx.exec(ctx, `DELETE FROM saved_views WHERE id = $1 AND agent_id = $2`, id, p.AgentID)
		if err != nil {
			return err
		}
		if n == 0 {
			return notFound("Saved view", id)
		}
		return nil
	})
}
