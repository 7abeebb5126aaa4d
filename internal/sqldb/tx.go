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

// addEvent appends to a ticket's history.
func (tx *Tx) addEvent(ctx context.Context, p tend.Principal, ticketID int64, kind tend.EventKind, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	typ, id := actor(p)
	_, err = tx.exec(ctx, `INSERT INTO ticket_events (ticket_id, kind, actor_type, actor_id, data, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, ticketID, string(kind), string(typ), id, string(b), tx.now)
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
}

func (c cursor) String() string {
	s := strconv.FormatInt(c.id, 10)
	if !c.at.IsZero() {
		s = strconv.FormatInt(c.at.UnixMicro(), 10) + "." + s
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func parseCursor(s string, timed bool) (cursor, error) {
	invalid := &tend.Error{Code: tend.EINVALID, Message: "cursor: not a cursor of this list; pass next_cursor from the previous page unchanged",
		Fields: map[string]string{"cursor": "not a cursor of this list; pass next_cursor from the previous page unchanged"}}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, invalid
	}
	var c cursor
	at, id, found := strings.Cut(string(b), ".")
	if found != timed {
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

// scanIDs reads a one-column result of ids.
func scanIDs(r rows, err error) ([]int64, error) {
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ids := []int64{}
	for r.Next() {
		var id int64
		if err := r.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, r.Err()
}

func notFound(what string, id int64) error {
	return tend.Errorf(tend.ENOTFOUND, "%s %d does not exist.", what, id)
}
