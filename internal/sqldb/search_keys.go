package sqldb

import (
	"context"
	"errors"
	"strings"

	"github.com/tendhq/tend"
)

// What a query names directly (tend.SearchKeys) comes before what its
// words match: the ticket with that number, then the tickets of the
// customers with that address or full name, newest activity first.

// named is what a query names, as far as the caller may see it.
type named struct {
	// number is the ticket the query's number names, when the caller may
	// see it and the filter passes it.
	number *tend.Ticket
	// customers is a subquery of the ids of the customers the query names
	// ("" for none); a customer caller is only ever named themselves.
	customers string
	args      args
}

// findNamed looks up what keys name.
func findNamed(ctx context.Context, q *Tx, keys tend.SearchKeys, p tend.Principal, f tend.SearchFilter) (named, error) {
	var n named
	if keys.Number > 0 {
		t, err := findTicket(ctx, q, "t.number = $1", keys.Number)
		switch {
		case errors.Is(err, errNoRows):
		case err != nil:
			return n, err
		case canSee(p, t) && f.Match(t):
			n.number = t
		}
	}
	id := ""
	switch {
	case keys.Email != "":
		id, n.customers = "customer_id", `SELECT customer_id FROM customer_emails WHERE email = `+n.args.add(keys.Email)
	case keys.Name != "":
		id, n.customers = "id", `SELECT id FROM customers WHERE name_key = `+n.args.add(keys.Name)
	}
	if id != "" && p.IsCustomer() {
		n.customers += ` AND ` + id + ` = ` + n.args.add(p.CustomerID)
	}
	return n, nil
}

// customerIDs returns the ids of the customers n names.
func (n named) customerIDs(ctx context.Context, q *Tx) (map[int64]bool, error) {
	if n.customers == "" {
		return nil, nil
	}
	ids, err := queryAll(ctx, q, scanID, n.customers, n.args...)
	out := make(map[int64]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// customerTickets returns up to limit tickets of the customers n names
// that f passes, newest activity first, from after on (inclusive) when
// it is set. The number's ticket is left out: it comes first anyway.
func (n named) customerTickets(ctx context.Context, q *Tx, f tend.SearchFilter, after *cursor, limit int) ([]*tend.Ticket, error) {
	if n.customers == "" || limit <= 0 {
		return nil, nil
	}
	a := append(args(nil), n.args...)
	where := append([]string{"t.customer_id IN (" + n.customers + ")"}, filterWhere(&a, f)...)
	if n.number != nil {
		where = append(where, "t.id <> "+a.add(n.number.ID))
	}
	if after != nil {
		where = append(where, "(t.updated_at, t.id) <= ("+a.add(after.at)+", "+a.add(after.id)+")")
	}
	return queryAll(ctx, q, scanTicket, `SELECT `+ticketColumns+` FROM tickets t WHERE `+strings.Join(where, " AND ")+`
		ORDER BY t.updated_at DESC, t.id DESC LIMIT `+a.add(limit), a...)
}

// filterWhere returns f as conditions on tickets t.
func filterWhere(a *args, f tend.SearchFilter) []string {
	var where []string
	if len(f.Statuses) > 0 {
		in := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			in[i] = a.add(string(st))
		}
		where = append(where, "t.status IN ("+strings.Join(in, ", ")+")")
	}
	for _, c := range []struct {
		column string
		id     *int64
	}{{"t.owner_id", f.OwnerID}, {"t.team_id", f.TeamID}} {
		switch {
		case c.id == nil:
		case *c.id == 0:
			where = append(where, c.column+" IS NULL")
		default:
			where = append(where, c.column+" = "+a.add(*c.id))
		}
	}
	return where
}
