package sqldb

import (
	"context"
	"fmt"
	"slices"

	"github.com/tendhq/tend"
)

// previewChars is how much of a message's text a preview reads: enough
// for tend.PreviewText to fill its line after joining short lines, and
// little enough that a page of long mails costs nothing to read.
const previewChars = 4 * tend.MaxPreviewLength

// FindTicketPreviews returns the start of the latest public message of
// each of the tickets ids, in one statement: each ticket's messages are
// read newest first from messages_ticket (ticket_id, id), stopping at the
// first reply, so a page costs as many short index reads as it has
// tickets, whatever the size of the desk. Staff only (EFORBIDDEN).
func (s *TicketService) FindTicketPreviews(ctx context.Context, ids []int64) (map[int64]tend.TicketPreview, error) {
	if _, err := tend.RequireStaff(ctx); err != nil {
		return nil, err
	}
	out := make(map[int64]tend.TicketPreview, len(ids))
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > tend.MaxPageSize {
		return nil, tend.Errorf(tend.EINVALID, "At most %d tickets' previews are read at once.", tend.MaxPageSize)
	}
	var a args
	query := `SELECT t.id, m.author_type, SUBSTR(m.body_text, 1, ` + a.add(previewChars) + `)
		FROM tickets t JOIN messages m ON m.id = (
			SELECT x.id FROM messages x WHERE x.ticket_id = t.id AND x.kind = 'reply' ORDER BY x.id DESC LIMIT 1)
		WHERE t.id IN (` + list(&a, ids) + `)`
	err := s.db.read(ctx, func(q *Tx) error {
		r, err := q.query(ctx, query, a...)
		if err != nil {
			return err
		}
		defer r.Close()
		for r.Next() {
			var p tend.TicketPreview
			var author, text string
			if err := r.Scan(&p.TicketID, &author, &text); err != nil {
				return err
			}
			p.AuthorType, p.Text = tend.AuthorType(author), tend.PreviewText(text)
			out[p.TicketID] = p
		}
		return r.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("find ticket previews: %w", err)
	}
	return out, nil
}
