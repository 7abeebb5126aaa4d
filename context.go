package tend

import (
	"context"
	"sort"
	"time"
)

// Principal is whoever acts in a request: a staff member (an agent of any
// role) or a customer. Services decide what a principal may see and do.
type Principal struct {
	AgentID    int64
	Role       Role
	CustomerID int64
	// System marks work Tend does by itself (demo seeding, imports,
	// automatic transitions). It is trusted like an admin.
	System bool
}

// IsStaff reports whether p acts for the service team.
func (p Principal) IsStaff() bool { return p.System || p.AgentID != 0 }

// IsCustomer reports whether p is a customer.
func (p Principal) IsCustomer() bool { return !p.System && p.AgentID == 0 && p.CustomerID != 0 }

// Can reports whether p's role grants permission.
func (p Principal) Can(perm Permission) bool {
	if p.System {
		return true
	}
	if p.AgentID == 0 {
		return false
	}
	return p.Role.Can(perm)
}

type principalKey struct{}

// NewContextWithPrincipal returns a copy of ctx carrying p.
func NewContextWithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFromContext returns the principal in ctx; the zero Principal
// (nobody) if there is none.
func PrincipalFromContext(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

type timeKey struct{}

// NewContextWithTime returns a copy of ctx in which services record what
// they do as happening at t instead of now: for importing history, and for
// the demo's past two months.
func NewContextWithTime(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, timeKey{}, t)
}

// TimeFromContext returns the time set by NewContextWithTime, if any.
func TimeFromContext(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(timeKey{}).(time.Time)
	return t, ok
}

// SystemContext returns ctx acting as Tend itself.
func SystemContext(ctx context.Context) context.Context {
	return NewContextWithPrincipal(ctx, Principal{System: true})
}

// RequireSignedIn returns EUNAUTHORIZED unless ctx's principal is staff
// or a customer.
func RequireSignedIn(ctx context.Context) (Principal, error) {
	p := PrincipalFromContext(ctx)
	if !p.IsStaff() && !p.IsCustomer() {
		return p, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	return p, nil
}

// RequireStaff returns EUNAUTHORIZED or EFORBIDDEN unless ctx's principal
// is staff.
func RequireStaff(ctx context.Context) (Principal, error) {
	p := PrincipalFromContext(ctx)
	switch {
	case p.IsStaff():
		return p, nil
	case p.IsCustomer():
		return p, Errorf(EFORBIDDEN, "Only staff may do this.")
	}
	return p, Errorf(EUNAUTHORIZED, "Sign in first.")
}

// Require returns EUNAUTHORIZED or EFORBIDDEN unless ctx's principal holds
// perm.
func Require(ctx context.Context, perm Permission) (Principal, error) {
	p := PrincipalFromContext(ctx)
	if p.Can(perm) {
		return p, nil
	}
	if !p.IsStaff() && !p.IsCustomer() {
		return p, Errorf(EUNAUTHORIZED, "Sign in first.")
	}
	return p, Errorf(EFORBIDDEN, "Your role may not %s.", perm)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
