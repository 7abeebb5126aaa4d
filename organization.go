package tend

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Tier weighs an organization's tickets in the queue. The weight is capped
// so that no customer is starved, whatever their tier.
type Tier string

const (
	TierStandard Tier = "standard"
	TierPriority Tier = "priority"
)

// Valid reports whether t is a known tier.
func (t Tier) Valid() bool { return t == TierStandard || t == TierPriority }

// Organization is a company or other body that customers belong to. Mail
// from one of its domains links a new customer to it.
type Organization struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Domains   []string  `json:"domains"`
	Tier      Tier      `json:"tier"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// OrganizationCreate is the input for a new organization.
type OrganizationCreate struct {
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	Tier    Tier     `json:"tier"`
	Notes   string   `json:"notes"`
}

// Normalize trims, lower-cases domains and applies defaults.
func (c *OrganizationCreate) Normalize() {
	c.Name = strings.TrimSpace(c.Name)
	c.Domains = normalizeDomains(c.Domains)
	if c.Tier == "" {
		c.Tier = TierStandard
	}
}

// Validate returns EINVALID naming each field that is wrong.
func (c *OrganizationCreate) Validate() error {
	p := Problems{}
	validateName(p, "name", c.Name)
	validateDomains(p, "domains", c.Domains)
	if !c.Tier.Valid() {
		p.Add("tier", "must be standard or priority")
	}
	validateNotes(p, "notes", c.Notes)
	return p.Err()
}

// OrganizationUpdate changes an organization; nil fields are left as they are.
type OrganizationUpdate struct {
	Name    *string   `json:"name"`
	Domains *[]string `json:"domains"`
	Tier    *Tier     `json:"tier"`
	Notes   *string   `json:"notes"`
}

// Normalize trims and lower-cases domains.
func (u *OrganizationUpdate) Normalize() {
	if u.Name != nil {
		*u.Name = strings.TrimSpace(*u.Name)
	}
	if u.Domains != nil {
		d := normalizeDomains(*u.Domains)
		u.Domains = &d
	}
}

// Validate returns EINVALID naming each field that is wrong.
func (u *OrganizationUpdate) Validate() error {
	p := Problems{}
	if u.Name != nil {
		validateName(p, "name", *u.Name)
	}
	if u.Domains != nil {
		validateDomains(p, "domains", *u.Domains)
	}
	if u.Tier != nil && !u.Tier.Valid() {
		p.Add("tier", "must be standard or priority")
	}
	if u.Notes != nil {
		validateNotes(p, "notes", *u.Notes)
	}
	return p.Err()
}

// OrganizationFilter selects organizations. Q matches the start of the name.
type OrganizationFilter struct {
	Q      string
	Domain string
	Cursor string
	Limit  int
}

// OrganizationService manages organizations; all staff may use it.
type OrganizationService interface {
	// FindOrganizationByID returns ENOTFOUND if there is no such organization.
	FindOrganizationByID(ctx context.Context, id int64) (*Organization, error)
	FindOrganizations(ctx context.Context, filter OrganizationFilter) ([]*Organization, string, error)
	// CreateOrganization returns ECONFLICT if the name or a domain is taken.
	CreateOrganization(ctx context.Context, c *OrganizationCreate) (*Organization, error)
	UpdateOrganization(ctx context.Context, id int64, u *OrganizationUpdate) (*Organization, error)
}

func normalizeDomains(in []string) []string {
	out := make([]string, 0, len(in))
	for _, d := range in {
		d = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "@")
		if d != "" && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func validateDomains(p Problems, field string, domains []string) {
	for _, d := range domains {
		if !validDomain(d) {
			p.Add(field, "%q is not a domain name such as example.com", d)
		}
	}
}

func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
		return false
	}
	for _, r := range d {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r > 127) {
			return false
		}
	}
	return true
}

func validateNotes(p Problems, field, notes string) {
	if len(notes) > 20000 {
		p.Add(field, "must be at most 20000 bytes")
	}
	validateText(p, field, notes)
}
