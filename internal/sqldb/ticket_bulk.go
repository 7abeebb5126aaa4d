package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/tendhq/tend"
)

// BulkUpdateTickets applies one update to many tickets, each through the
// one change path and each on its own: a ticket the update cannot apply
// to (unknown, or a status move its workflow refuses) is refused with the
// problem a change of it alone would give, and the others change. The
// results come in the order of the ids given, each id once.
//
// All of it is one transaction, with a savepoint per ticket, so that a
// refusal undoes that ticket's change alone and the whole takes one
// commit. Tickets are locked in the order of their ids, as every change
// of several tickets does, so that two bulk changes never wait on each
// other.
func (s *TicketService) BulkUpdateTickets(ctx context.Context, b *tend.TicketBulkUpdate) ([]tend.BulkResult, error) {
	p, err := tend.RequireStaff(ctx)
	if err != nil {
		return nil, err
	}
	if b.Update != nil {
		b.Update.Normalize()
	}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	ids := b.Unique()
	reqHash := requestHash(struct {
		IDs    []int64
		Update *tend.TicketUpdate
	}{ids, b.Update})

	var results []tend.BulkResult
	var notices []tend.TicketChange
	err = s.db.write(ctx, func(tx *Tx) error {
		results, notices = nil, nil
		if b.IdempotencyKey != "" {
			prior, _, err := claimIdempotencyKey(ctx, tx, p, b.IdempotencyKey, reqHash)
			if err != nil {
				return err
			} else if prior != 0 {
				results, err = priorBulkResults(ctx, tx, p, b.IdempotencyKey)
				return err
			}
		}
		// An owner or team that does not exist is the request's mistake,
		// not any one ticket's.
		if u := b.Update; u.OwnerID != nil {
			if err := checkAssignable(ctx, tx, "update.owner_id", *u.OwnerID); err != nil {
				return err
			}
		}
		if u := b.Update; u.TeamID != nil && *u.TeamID != 0 {
			if err := checkTeam(ctx, tx, *u.TeamID); err != nil {
				return tend.FieldError(tend.EINVALID, "update.team_id", "team %d does not exist", *u.TeamID)
			}
		}
		byID := make(map[int64]tend.BulkResult, len(ids))
		for _, id := range slices.Sorted(slices.Values(ids)) {
			r, c, err := bulkChange(ctx, tx, p, id, b.Update)
			if err != nil {
				return err
			}
			if c != nil {
				notices = append(notices, c.notices...)
			}
			byID[id] = r
		}
		for _, id := range ids {
			results = append(results, byID[id])
		}
		if b.IdempotencyKey != "" {
			return recordBulkResults(ctx, tx, p, b.IdempotencyKey, results)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.notify(notices...)
	return results, nil
}

// bulkChange changes one ticket of a bulk change under a savepoint. The
// ticket's own refusal is its result; any other error ends the whole.
func bulkChange(ctx context.Context, tx *Tx, p tend.Principal, id int64, u *tend.TicketUpdate) (tend.BulkResult, *change, error) {
	if _, err := tx.exec(ctx, `SAVEPOINT bulk_ticket`); err != nil {
		return tend.BulkResult{}, nil, fmt.Errorf("savepoint: %w", err)
	}
	c, err := changeTicket(ctx, tx, p, id, nil)
	if err == nil {
		// Each ticket gets its own copy: the workflow may read the update
		// as it applies.
		one := *u
		err = c.update(ctx, &one)
	}
	if err == nil {
		err = c.commit(ctx)
	}
	if err != nil {
		if tend.ErrorCode(err) == tend.EINTERNAL {
			return tend.BulkResult{}, nil, err
		}
		if _, rerr := tx.exec(ctx, `ROLLBACK TO SAVEPOINT bulk_ticket`); rerr != nil {
			return tend.BulkResult{}, nil, fmt.Errorf("rollback to savepoint: %w", rerr)
		}
		return tend.BulkResult{ID: id, Result: tend.BulkRefused, Err: err}, nil, nil
	}
	if _, err := tx.exec(ctx, `RELEASE SAVEPOINT bulk_ticket`); err != nil {
		return tend.BulkResult{}, nil, fmt.Errorf("release savepoint: %w", err)
	}
	r := tend.BulkResult{ID: id, Result: tend.BulkChanged, Version: c.t.Version, Ticket: c.t}
	if len(c.entries) == 0 {
		r.Result = tend.BulkUnchanged
	}
	return r, c, nil
}

// storedBulkResult is a bulk result as kept for a retry with the same key.
type storedBulkResult struct {
	ID      int64             `json:"id"`
	Result  string            `json:"result"`
	Version int64             `json:"version,omitempty"`
	Code    string            `json:"code,omitempty"`
	Message string            `json:"message,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
}

func recordBulkResults(ctx context.Context, tx *Tx, p tend.Principal, key string, results []tend.BulkResult) error {
	stored := make([]storedBulkResult, len(results))
	for i, r := range results {
		stored[i] = storedBulkResult{ID: r.ID, Result: r.Result, Version: r.Version}
		if r.Err != nil {
			stored[i].Code, stored[i].Message, stored[i].Fields = tend.ErrorCode(r.Err), tend.ErrorMessage(r.Err), tend.ErrorFields(r.Err)
		}
	}
	b, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	// ticket_id marks the key as used by a committed request.
	_, err = tx.exec(ctx, `UPDATE idempotency_keys SET ticket_id = $3, response = $4 WHERE principal = $1 AND key = $2`,
		principalKey(p), key, results[0].ID, string(b))
	return err
}

func priorBulkResults(ctx context.Context, tx *Tx, p tend.Principal, key string) ([]tend.BulkResult, error) {
	var raw string
	if err := tx.queryRow(ctx, `SELECT response FROM idempotency_keys WHERE principal = $1 AND key = $2`,
		principalKey(p), key).Scan(&raw); err != nil {
		return nil, err
	}
	var stored []storedBulkResult
	if err := json.Unmarshal([]byte(raw), &stored); err != nil {
		return nil, tend.Errorf(tend.ECONFLICT, "Idempotency-Key %q was used for a different request; use a new key for a new request.", key)
	}
	results := make([]tend.BulkResult, len(stored))
	for i, r := range stored {
		results[i] = tend.BulkResult{ID: r.ID, Result: r.Result, Version: r.Version}
		if r.Code != "" {
			results[i].Err = &tend.Error{Code: r.Code, Message: r.Message, Fields: r.Fields}
		}
		if r.Result != tend.BulkRefused {
			t, err := findTicket(ctx, tx, "t.id = $1", r.ID)
			if err != nil {
				return nil, err
			}
			results[i].Ticket = t
		}
	}
	return results, nil
}
