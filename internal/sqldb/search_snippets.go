package sqldb

import (
	"context"
	"slices"
)

// snippets returns excerpts with marked matches: the subject of each
// ticket in subjectHits, and around the match in each message.
func (db *DB) snippets(ctx context.Context, q *Tx, w words, subjectHits, messageIDs []int64) (map[snippetKey]string, error) {
	out := map[snippetKey]string{}
	if db.engine == Postgres {
		opts := "StartSel=" + markStart + ", StopSel=" + markEnd + ", MaxWords=30, MinWords=12"
		for _, src := range []struct {
			sql string
			ids []int64
		}{
			{`SELECT id, 0, ts_headline('english', subject, $1::tsquery, $2) FROM tickets WHERE id = ANY($3)`, subjectHits},
			{`SELECT 0, id, ts_headline('english', body_text, $1::tsquery, $2) FROM messages WHERE id = ANY($3)`, messageIDs},
		} {
			if len(src.ids) == 0 {
				continue
			}
			found, err := queryAll(ctx, q, scanSnippet, src.sql, w.ts, opts, src.ids)
			if err != nil {
				return nil, err
			}
			for _, f := range found {
				out[f.key] = f.text
			}
		}
		return out, nil
	}
	// One statement per index: a statement with MATCH costs FTS5 a look at
	// every segment for each word, and SQLite a new plan. "rowid IN (...)"
	// would make FTS5 run the query once per id; the range bounds its walk
	// to the matches between the first and the last, the unary + keeps the
	// list out of it.
	for _, src := range []struct {
		fn  string
		ids []int64
		key func(int64) snippetKey
	}{
		{`highlight(ticket_fts, 0, $1, $2) FROM ticket_fts WHERE ticket_fts`, subjectHits, func(id int64) snippetKey { return snippetKey{ticket: id} }},
		{`snippet(message_fts, 0, $1, $2, '…', 24) FROM message_fts WHERE message_fts`, messageIDs, func(id int64) snippetKey { return snippetKey{message: id} }},
	} {
		if len(src.ids) == 0 {
			continue
		}
		a := args{markStart, markEnd, w.fts, slices.Min(src.ids), slices.Max(src.ids)}
		found, err := queryAll(ctx, q, scanSnippet, `SELECT rowid, 0, `+src.fn+` MATCH $3 AND rowid >= $4 AND rowid <= $5
			AND +rowid IN (`+list(&a, src.ids)+`)`, a...)
		if err != nil {
			return nil, err
		}
		for _, f := range found {
			out[src.key(f.key.ticket)] = f.text
		}
	}
	return out, nil
}

type snippet struct {
	key  snippetKey
	text string
}

func scanSnippet(r row) (s snippet, err error) {
	return s, r.Scan(&s.key.ticket, &s.key.message, &s.text)
}
