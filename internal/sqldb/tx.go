package sqldb

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// actor returns how the event log names p.
func actor(p tend.Principal) (tend.AuthorType, *int64) {
	switch {
	case p.System:
		return tend.AuthorSystem, nil
	case p.AgentID != 0:
		id := p.AgentID
		return tend.AuthorAgent, &id
	case p.CustomerID != 0:
		id := p.CustomerID
		return tend.AuthorCustomer, &id
	}
	return tend.AuthorSystem, nil
}

// addEvent appends to a ticket's history. Only a change (change.go)
// and the mail that reports on a ticket's mail record history.
func (tx *Tx) addEvent(ctx context.Context, p tend.Principal, ticketID int64, data tend.EventData) error {
	return tx.addChangeEvent(ctx, p, ticketID, data, "")
}

// addChangeEvent appends a history entry that belongs to the change
// changeID, with the others that change records.
func (tx *Tx) addChangeEvent(ctx context.Context, p tend.Principal, ticketID int64, data tend.EventData, changeID string) error {
	kind := data.EventKind()
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	typ, id := actor(p)
	_, err = tx.exec(ctx, `INSERT INTO ticket_events (ticket_id, kind, actor_type, actor_id, data, created_at, change_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, ticketID, string(kind), string(typ), id, string(b), tx.now, changeID)
	if err != nil {
		return fmt.Errorf("add event: %w", err)
	}
	return nil
}

// audit appends to the audit log.
func (tx *Tx) audit(ctx context.Context, p tend.Principal, action, subjectType string, subjectID int64, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	typ, id := actor(p)
	_, err = tx.exec(ctx, `INSERT INTO audit_log (actor_type, actor_id, action, subject_type, subject_id, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, string(typ), id, action, subjectType, subjectID, string(b), tx.now)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// A cursor marks where the next page of a list starts: the sort key and
// id of the last item of this page. Clients treat it as opaque.
type cursor struct {
	at time.Time // zero when the list is ordered by id alone
	id int64
	// A list ordered by a key other than a time (a priority's rank, an
	// owner's name) keeps the last item's key here, with keyed set.
	key   string
	keyed bool
}

func (c cursor) String() string {
	s := strconv.FormatInt(c.id, 10)
	switch {
	case c.keyed:
		s = "k" + s + ":" + c.key
	case !c.at.IsZero():
		s = strconv.FormatInt(c.at.UnixMicro(), 10) + "." + s
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// parseKeyedCursor reads a cursor of a list ordered by a key and id.
func parseKeyedCursor(s string) (cursor, error) {
	invalid := tend.FieldError(tend.EINVALID, "cursor", "not a cursor of this list; pass next_cursor from the previous page unchanged")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) == 0 || b[0] != 'k' {
		return cursor{}, invalid
	}
	id, key, found := strings.Cut(string(b[1:]), ":")
	c := cursor{key: key, keyed: true}
	if c.id, err = strconv.ParseInt(id, 10, 64); !found || err != nil || c.id <= 0 {
		return cursor{}, invalid
	}
	return c, nil
}

func parseCursor(s string, timed bool) (cursor, error) {
	invalid := tend.FieldError(tend.EINVALID, "cursor", "not a cursor of this list; pass next_cursor from the previous page unchanged")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, invalid
	}
	var c cursor
	at, id, found := strings.Cut(string(b), ".")
	if found != timed || strings.HasPrefix(at, "k") {
		return cursor{}, invalid
	}
	if !found {
		id = at
	} else {
		micros, err := strconv.ParseInt(at, 10, 64)
		if err != nil {
			return cursor{}, invalid
		}
		c.at = time.UnixMicro(micros).UTC()
	}
	if c.id, err = strconv.ParseInt(id, 10, 64); err != nil || c.id <= 0 {
		return cursor{}, invalid
	}
	return c, nil
}

// pageSize applies the default page size.
func pageSize(limit int) int {
	if limit <= 0 {
		return tend.DefaultPageSize
	}
	return min(limit, tend.MaxPageSize)
}

// queryAll runs a query and reads every row of its result with scan.
func queryAll[T any](ctx context.Context, q *Tx, scan func(row) (T, error), query string, args ...any) ([]T, error) {
	r, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	out := []T{}
	for r.Next() {
		v, err := scan(r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, r.Err()
}

// pair is a row of an owner's id and one of its values.
type pair[V any] struct {
	id    int64
	value V
}

// scanPair reads a row of an id and a value.
func scanPair[V any](r row) (p pair[V], err error) { return p, r.Scan(&p.id, &p.value) }

// attachValues reads, for a list of owners, rows of (owner id, value) from
// the query that inQuery makes of "IN (ids)", and hands each value to add,
// in the order of the rows. scan reads a row, scanPair by default.
func attachValues[T, V any](ctx context.Context, q *Tx, owners []T, id func(T) int64, inQuery func(in string) string,
	add func(T, V), scan ...func(row) (pair[V], error)) error {
	if len(owners) == 0 {
		return nil
	}
	byID := make(map[int64]T, len(owners))
	ids := make([]int64, len(owners))
	for i, o := range owners {
		byID[id(o)], ids[i] = o, id(o)
	}
	read := scanPair[V]
	if len(scan) > 0 {
		read = scan[0]
	}
	var a args
	pairs, err := queryAll(ctx, q, read, inQuery("IN ("+list(&a, ids)+")"), a...)
	for _, p := range pairs {
		add(byID[p.id], p.value)
	}
	return err
}

// scanID reads a one-column row of an id.
func scanID(r row) (id int64, err error) { return id, r.Scan(&id) }

// pageOf trims a list read with one row more than limit to a page, and
// returns the cursor of the next page: "" when there is none.
func pageOf[T any](list []T, limit int, key func(T) cursor) ([]T, string) {
	if len(list) <= limit {
		return list, ""
	}
	list = list[:limit]
	return list, key(list[limit-1]).String()
}

func notFound(what string, id int64) error {
	return tend.Errorf(tend.ENOTFOUND, "%s %d does not exist.", what, id)
}
