package tend

import (
	"context"
	"net/url"
	"strings"
	"time"
)

// SavedView is a ticket list an agent named and kept: a filter, written as
// the query parameters of the list (status=open&priority=high).
type SavedView struct {
	ID        int64     `json:"id"`
	AgentID   int64     `json:"agent_id"`
	Name      string    `json:"name"`
	Filter    string    `json:"filter"`
	CreatedAt time.Time `json:"created_at"`
}

// Query returns the view's filter as query parameters.
func (v *SavedView) Query() url.Values {
	q, _ := url.ParseQuery(v.Filter)
	return q
}

// SavedViewCreate is the input for a new saved view.
type SavedViewCreate struct {
	Name   string `json:"name"`
	Filter string `json:"filter"`
}

// Validate returns EINVALID naming each field that is wrong.
func (c *SavedViewCreate) Validate() error {
	p := Problems{}
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "":
		p.Add("name", "give the view a name")
	case len([]rune(c.Name)) > 60:
		p.Add("name", "keep it to 60 characters")
	}
	validateLine(p, "name", c.Name)
	if q, err := url.ParseQuery(c.Filter); err != nil || len(q) == 0 {
		p.Add("filter", "choose at least one filter to save")
	}
	return p.Err()
}

// SavedViewService keeps each agent's saved views; an agent sees and
// changes only their own.
type SavedViewService interface {
	// FindSavedViews returns the caller's views by name.
	FindSavedViews(ctx context.Context) ([]*SavedView, error)
	CreateSavedView(ctx context.Context, c *SavedViewCreate) (*SavedView, error)
	// DeleteSavedView returns ENOTFOUND for another agent's view.
	DeleteSavedView(ctx context.Context, id int64) error
}
