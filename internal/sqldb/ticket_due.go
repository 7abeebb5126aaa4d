package sqldb

import (
	"encoding/base64"
	"strings"

	"github.com/tendhq/tend"
)

// Lists ordered by the next deadline (ticket_sla.due_at): the tickets
// with a running target by their deadline and id, in the order asked
// for, then those without one by id, in the same direction, whichever
// way the list runs, so that a list's head is always the tickets with a
// deadline. The cursor is the last ticket's deadline and id, or its id
// alone, marked, once the list is among those without.

// dueOrder is the ORDER BY of such a list, over the columns due and id.
func dueOrder(due, id, desc string) string {
	return " ORDER BY " + dueNone(due) + ", " + due + desc + ", " + id + desc
}

// dueNone is 1 for a ticket without a deadline, else 0.
func dueNone(due string) string { return "CASE WHEN " + due + " IS NULL THEN 1 ELSE 0 END" }

// dueAfter is the condition for the tickets after c, cmp being > for an
// ascending list and < for a descending one.
func dueAfter(a *args, c cursor, cmp string) string {
	if c.at.IsZero() {
		return "(ts.due_at IS NULL AND t.id " + cmp + " " + a.add(c.id) + ")"
	}
	return "(ts.due_at IS NULL OR (ts.due_at, t.id) " + cmp + " (" + a.add(c.at) + ", " + a.add(c.id) + "))"
}

// noDeadline marks the cursor of a ticket without a deadline.
const noDeadline = "n"

// dueCursor is the cursor after k.
func dueCursor(k keyedTicket) cursor {
	if k.due == nil {
		return cursor{id: k.t.ID, key: noDeadline, keyed: true}
	}
	return cursor{at: *k.due, id: k.t.ID}
}

// parseDueCursor reads a cursor that dueCursor made.
func parseDueCursor(s string) (cursor, error) {
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil && strings.HasPrefix(string(b), "k") {
		c, err := parseKeyedCursor(s)
		if err != nil || c.key != noDeadline {
			return cursor{}, tend.FieldError(tend.EINVALID, "cursor", "not a cursor of this list; pass next_cursor from the previous page unchanged")
		}
		return cursor{id: c.id}, nil
	}
	return parseCursor(s, true)
}

// scanDueTicket reads ticketColumns followed by sort_due and sort_none.
func scanDueTicket(r row) (keyedTicket, error) {
	k := keyedTicket{t: &tend.Ticket{}}
	var none int
	err := scanTicketInto(r, k.t, &k.due, &none)
	return k, err
}
