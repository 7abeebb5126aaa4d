package sqldb

import (
	"context"
	"errors"

	"github.com/tendhq/tend"
)

// snippets returns excerpts with marked matches: the subject of each
// ticket in subjectHits, and around the match in each message.
func (db *DB) snippets(ctx context.Context, q *Tx, terms []tend.SearchTerm, subjectHits, messageIDs []int64) (map[snippetKey]string, error) {
	out := map[snippetKey]string{}
	if db.engine == Postgres {
		opts := "StartSel=" + markStart + ", StopSel=" + markEnd + ", MaxWords=30, MinWords=12"
		for _, src := range []struct {
			sql string
			ids []int64
		}{
			{`SELECT id, 0, ts_headline('english', subject, to_tsquery('english', $1), $2) FROM tickets WHERE id IN `, subjectHits},
			{`SELECT 0, id, ts_headline('english', body_text, to_tsquery('english', $1), $2) FROM messages WHERE id IN `, messageIDs},
		} {
			if len(src.ids) == 0 {
				continue
			}
			a := args{tsQuery(terms), opts}
			found, err := queryAll(ctx, q, scanSnippet, src.sql+"("+list(&a, src.ids)+")", a...)
			if err != nil {
				return nil, err
			}
			for _, f := range found {
				out[f.key] = f.text
			}
		}
		return out, nil
	}
	// One row at a time: FTS5 seeks straight to a rowid, while "rowid IN
	// (...)" makes it walk every match of the query.
	fq := ftsQuery(terms)
	for _, id := range subjectHits {
		err := snippetRow(ctx, q, out, snippetKey{ticket: id}, `SELECT highlight(ticket_fts, 0, $1, $2) FROM ticket_fts
			WHERE ticket_fts MATCH $3 AND rowid = $4`, markStart, markEnd, fq, id)
		if err != nil {
			return nil, err
		}
	}
	for _, id := range messageIDs {
		err := snippetRow(ctx, q, out, snippetKey{message: id}, `SELECT snippet(message_fts, 0, $1, $2, '…', 24) FROM message_fts
			WHERE message_fts MATCH $3 AND rowid = $4`, markStart, markEnd, fq, id)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func snippetRow(ctx context.Context, q *Tx, out map[snippetKey]string, k snippetKey, query string, args ...any) error {
	var s string
	err := q.queryRow(ctx, query, args...).Scan(&s)
	if errors.Is(err, errNoRows) {
		return nil
	} else if err != nil {
		return err
	}
	out[k] = s
	return nil
}

type snippet struct {
	key  snippetKey
	text string
}

func scanSnippet(r row) (s snippet, err error) {
	return s, r.Scan(&s.key.ticket, &s.key.message, &s.text)
}
