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
	// customers are the customers the query names, by id; a customer
	// caller is only ever named themselves.
	customers  []int64
	isCustomer map[int64]bool
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
	var a args
	var id, query string
	switch {
	case keys.Email != "":
		id, query = "customer_id", `SELECT customer_id FROM customer_emails WHERE email = `+a.add(keys.Email)
	case keys.Name != "":
		id, query = "id", `SELECT id FROM customers WHERE name_key = `+a.add(keys.Name)
	default:
		return n, nil
	}
	if p.IsCustomer() {
		query += ` AND ` + id + ` = ` + a.add(p.CustomerID)
	}
	var err error
	if n.customers, err = queryAll(ctx, q, scanID, query, a...); err != nil {
		return n, err
	}
	n.isCustomer = make(map[int64]bool, len(n.customers))
	for _, id := range n.customers {
		n.isCustomer[id] = true
	}
	return n, nil
}

// customerTickets returns up to limit tickets of the customers n names
// that f passes, newest activity first, from after on (inclusive) when
// it is set. The number's ticket is left out: it comes first anyway.
// Each customer's tickets are read in order from their index: PostgreSQL,
// left to choose, walked every ticket by its activity instead, looking
// for the few of a name that nobody has.
func (n named) customerTickets(ctx context.Context, q *Tx, f tend.SearchFilter, after *cursor, limit int) ([]*tend.Ticket, error) {
	if len(n.customers) == 0 || limit <= 0 {
		return nil, nil
	}
	var a args
	where := filterWhere(&a, f)
	if n.number != nil {
		where = append(where, "t.id <> "+a.add(n.number.ID))
	}
	if after != nil {
		where = append(where, "(t.updated_at, t.id) <= ("+a.add(after.at)+", "+a.add(after.id)+")")
	}
	order := ` ORDER BY t.updated_at DESC, t.id DESC LIMIT ` + a.add(limit)
	if q.db.engine == Postgres {
		where = append(where, "t.customer_id = c.id")
		return queryAll(ctx, q, scanTicket, `SELECT `+ticketColumns+` FROM unnest(`+a.add(n.customers)+`::bigint[]) AS c (id)
			CROSS JOIN LATERAL (SELECT * FROM tickets t WHERE `+strings.Join(where, " AND ")+order+`) t
			LEFT JOIN ticket_sla ts ON ts.ticket_id = t.id`+order, a...)
	}
	where = append(where, "t.customer_id IN ("+list(&a, n.customers)+")")
	return queryAll(ctx, q, scanTicket, `SELECT `+ticketColumns+` FROM `+ticketFrom+` WHERE `+strings.Join(where, " AND ")+order, a...)
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
