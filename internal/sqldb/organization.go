package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tendhq/tend"
)

// OrganizationService implements tend.OrganizationService.
type OrganizationService struct {
	db *DB
}

// NewOrganizationService returns the organization service of db.
func NewOrganizationService(db *DB) *OrganizationService { return &OrganizationService{db: db} }

var _ tend.OrganizationService = (*OrganizationService)(nil)

const organizationColumns = `id, name, tier, notes, created_at, updated_at`

func scanOrganization(r row) (*tend.Organization, error) {
	o := &tend.Organization{Domains: []string{}}
	var tier string
	err := r.Scan(&o.ID, &o.Name, &tier, &o.Notes, &o.CreatedAt, &o.UpdatedAt)
	o.Tier = tend.Tier(tier)
	return o, err
}

// FindOrganizationByID returns ENOTFOUND if there is no such organization.
func (s *OrganizationService) FindOrganizationByID(ctx context.Context, id int64) (*tend.Organization, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	var o *tend.Organization
	err := s.db.read(ctx, func(q *Tx) (err error) {
		o, err = findOrganizationByID(ctx, q, id)
		return err
	})
	return o, err
}

func findOrganizationByID(ctx context.Context, q *Tx, id int64) (*tend.Organization, error) {
	o, err := scanOrganization(q.queryRow(ctx, `SELECT `+organizationColumns+` FROM organizations WHERE id = $1`, id))
	if errors.Is(err, errNoRows) {
		return nil, notFound("Organization", id)
	} else if err != nil {
		return nil, fmt.Errorf("find organization: %w", err)
	}
	return o, attachDomains(ctx, q, []*tend.Organization{o})
}

// FindOrganizations returns one page of organizations in id order.
func (s *OrganizationService) FindOrganizations(ctx context.Context, f tend.OrganizationFilter) ([]*tend.Organization, string, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, "", err
	}
	var a args
	where := []string{"1 = 1"}
	if q := tend.FoldName(strings.TrimSpace(f.Q)); q != "" {
		where = append(where, s.db.prefixMatch(&a, "name_key", q))
	}
	if f.Domain != "" {
		where = append(where, "id IN (SELECT organization_id FROM organization_domains WHERE domain = "+
			a.add(strings.ToLower(strings.TrimSpace(f.Domain)))+")")
	}
	if f.Cursor != "" {
		c, err := parseCursor(f.Cursor, false)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "id > "+a.add(c.id))
	}
	limit := pageSize(f.Limit)
	query := `SELECT ` + organizationColumns + ` FROM organizations WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY id LIMIT ` + a.add(limit+1)
	var list []*tend.Organization
	err := s.db.read(ctx, func(q *Tx) (err error) {
		if list, err = queryAll(ctx, q, scanOrganization, query, a...); err != nil {
			return err
		}
		return attachDomains(ctx, q, list)
	})
	if err != nil {
		return nil, "", fmt.Errorf("find organizations: %w", err)
	}
	list, next := pageOf(list, limit, func(o *tend.Organization) cursor { return cursor{id: o.ID} })
	return list, next, nil
}

func attachDomains(ctx context.Context, q *Tx, orgs []*tend.Organization) error {
	return attachValues(ctx, q, orgs, func(o *tend.Organization) int64 { return o.ID },
		func(in string) string {
			return `SELECT organization_id, domain FROM organization_domains WHERE organization_id ` + in +
				` ORDER BY organization_id, position`
		},
		func(o *tend.Organization, domain string) { o.Domains = append(o.Domains, domain) })
}

// CreateOrganization returns ECONFLICT if the name or a domain is taken.
func (s *OrganizationService) CreateOrganization(ctx context.Context, c *tend.OrganizationCreate) (*tend.Organization, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var org *tend.Organization
	err = s.db.write(ctx, func(tx *Tx) error {
		var id int64
		err := tx.queryRow(ctx, `INSERT INTO organizations (name, name_key, tier, notes, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, c.Name, tend.FoldName(c.Name), string(c.Tier), c.Notes, tx.now).Scan(&id)
		if isUniqueViolation(err) {
			return organizationNameTaken(c.Name)
		} else if err != nil {
			return fmt.Errorf("create organization: %w", err)
		}
		if err := setDomains(ctx, tx, id, c.Domains); err != nil {
			return err
		}
		if err := tx.audit(ctx, p, "organization.created", "organization", id, c); err != nil {
			return err
		}
		org, err = findOrganizationByID(ctx, tx, id)
		return err
	})
	return org, err
}

func organizationNameTaken(name string) error {
	return tend.FieldError(tend.ECONFLICT, "name", "an organization named %q exists already", name)
}

func setDomains(ctx context.Context, tx *Tx, orgID int64, domains []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM organization_domains WHERE organization_id = $1`, orgID); err != nil {
		return err
	}
	for i, d := range domains {
		_, err := tx.exec(ctx, `INSERT INTO organization_domains (domain, organization_id, position) VALUES ($1, $2, $3)`, d, orgID, i)
		if isUniqueViolation(err) {
			return tend.FieldError(tend.ECONFLICT, "domains", "%s belongs to another organization", d)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// UpdateOrganization returns ECONFLICT if the name or a domain is taken.
func (s *OrganizationService) UpdateOrganization(ctx context.Context, id int64, u *tend.OrganizationUpdate) (*tend.Organization, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var org *tend.Organization
	err = s.db.write(ctx, func(tx *Tx) error {
		if _, err := findOrganizationByID(ctx, tx, id); err != nil {
			return err
		}
		var a args
		sets := []string{"updated_at = " + a.add(tx.now)}
		if u.Name != nil {
			sets = append(sets, "name = "+a.add(*u.Name), "name_key = "+a.add(tend.FoldName(*u.Name)))
		}
		if u.Tier != nil {
			sets = append(sets, "tier = "+a.add(string(*u.Tier)))
		}
		if u.Notes != nil {
			sets = append(sets, "notes = "+a.add(*u.Notes))
		}
		_, err := tx.exec(ctx, `UPDATE organizations SET `+strings.Join(sets, ", ")+` WHERE id = `+a.add(id), a...)
		if isUniqueViolation(err) {
			return organizationNameTaken(*u.Name)
		} else if err != nil {
			return fmt.Errorf("update organization: %w", err)
		}
		if u.Domains != nil {
			if err := setDomains(ctx, tx, id, *u.Domains); err != nil {
				return err
			}
		}
		if err := tx.audit(ctx, p, "organization.updated", "organization", id, u); err != nil {
			return err
		}
		org, err = findOrganizationByID(ctx, tx, id)
		return err
	})
	return org, err
}
