package sqldb

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/tendhq/tend"
)

// Word matches come in batches, newest first: a batch is the newest
// searchBatch matching subjects and the newest searchBatch matching
// messages below the previous batch, and its tickets are ranked by their
// best match in it. A query with common words thus costs the same at a
// million tickets as at a thousand, recent tickets, the ones people look
// for most, come first, and paging goes on through every match. A ticket
// comes in the first batch that holds one of its matches, and only there.

// searchBatch is how many matches of each source a batch holds.
var searchBatch = 500

// searchBatchesPerPage bounds how many batches one page looks through.
const searchBatchesPerPage = 4

// subjectWeight makes a match in the subject count more than one in a body.
const subjectWeight = 2.0

// candidate is a match: a ticket, the message that matched (0 for the
// subject), and a score where higher is better.
type candidate struct {
	ticketID, messageID int64
	score               float64
}

// wordBatch is a batch of word matches, ranked.
type wordBatch struct {
	ranked []candidate // each ticket's best match, best first
	// tickets holds the tickets read to decide which to keep.
	tickets map[int64]*tend.Ticket
	// subjectLo and messageLo are where the next batch starts: the newest
	// ticket and message it may hold, 0 when there are no more.
	subjectLo, messageLo int64
}

// wordBatch reads the batch at holds, without the tickets that came in an
// earlier batch and those keep (when not nil) does not pass.
func (db *DB) wordBatch(ctx context.Context, tx *Tx, w words, p tend.Principal, keep func(*tend.Ticket) bool, at searchCursor) (wordBatch, error) {
	var b wordBatch
	var cands []candidate
	for _, s := range []struct {
		src *searchSource
		hi  int64
		lo  *int64
	}{{&subjectSource, at.subjectHi, &b.subjectLo}, {&messageSource, at.messageHi, &b.messageLo}} {
		if s.hi <= 0 {
			continue
		}
		found, err := db.newestMatches(ctx, tx, *s.src, w, p, s.hi, searchBatch)
		if err != nil {
			return b, err
		}
		oldest := s.hi
		for _, c := range found {
			oldest = min(oldest, s.src.rowID(c))
			c.score *= s.src.weight
			cands = append(cands, c)
		}
		if len(found) == searchBatch {
			*s.lo = oldest - 1
		}
	}
	if at.subjectHi < at.subjects || at.messageHi < at.messages {
		earlier, err := db.matchedEarlier(ctx, tx, w, p, cands, at)
		if err != nil {
			return b, err
		}
		cands = slices.DeleteFunc(cands, func(c candidate) bool { return earlier[c.ticketID] })
	}
	cands, tickets, err := filterCandidates(ctx, tx, cands, keep)
	if err != nil {
		return b, err
	}
	b.ranked, b.tickets = rankCandidates(cands), tickets
	return b, nil
}

// words is a query's words as each engine matches them.
type words struct {
	fts string // an FTS5 query, on SQLite
	// ts is the query's tsquery on PostgreSQL, as to_tsquery makes it: ""
	// when nothing is left of the query once stop words are dropped. It is
	// made once, and statements take it as a value: one that called
	// to_tsquery itself would, in a generic plan, call it for every row it
	// looked at.
	ts string
}

// words renders terms for the engine.
func (db *DB) words(ctx context.Context, q *Tx, terms []tend.SearchTerm) (words, error) {
	if db.engine != Postgres {
		return words{fts: ftsQuery(terms)}, nil
	}
	var w words
	err := q.queryRow(ctx, `SELECT to_tsquery('english', $1)::text`, tsQuery(terms)).Scan(&w.ts)
	return w, err
}

// none reports whether nothing can match w.
func (w words) none() bool { return w.fts == "" && w.ts == "" }

// newestMatches returns the newest need rows of src at or below hi that
// match w and p may see, with their relevance.
func (db *DB) newestMatches(ctx context.Context, q *Tx, src searchSource, w words, p tend.Principal, hi int64, need int) ([]candidate, error) {
	if db.engine == Postgres {
		return pgNewest(ctx, q, src, w.ts, p, hi, need)
	}
	var a args
	from := src.fts + ` JOIN ` + src.table + ` x ON x.id = ` + src.fts + `.rowid`
	ids := src.ids
	if src.table == "tickets" && !p.IsCustomer() {
		from, ids = src.fts, "rowid, 0" // the subject's rowid is the ticket's id
	}
	query := `SELECT ` + ids + `, -bm25(` + src.fts + `) FROM ` + from + `
		WHERE ` + src.fts + ` MATCH ` + a.add(w.fts) + ` AND ` + src.fts + `.rowid <= ` + a.add(hi) + src.visible(&a, p) +
		` ORDER BY ` + src.fts + `.rowid DESC LIMIT ` + a.add(need)
	return queryAll(ctx, q, scanCandidate, query, a...)
}

// How PostgreSQL looks for the newest matches (variables for tests).
var (
	// pgFirstLook is how many of the newest rows it reads first.
	pgFirstLook int64 = 1_000
	// pgMaxWalk is how many rows it reads at most in a second look.
	pgMaxWalk int64 = 20_000
)

// pgWalkCost is how many rows PostgreSQL reads in order from the primary
// key in the time it fetches one match from the GIN index: the index's
// matches lie anywhere in the table, and each costs a page of its own.
// Measured at 100,000 messages: 1.3 µs a row read, 6.3 µs a match fetched.
const pgWalkCost = 5

// pgNewest returns the newest need rows of src at or below hi that match
// tsq. A GIN index yields every match unordered, so finding the newest
// through it costs a fetch of each match in the table: right for a rare
// pair of words, slow for a common one. Reading the newest rows through
// the primary key costs a look at each row until enough match: right for
// a common pair, slow for a rare one. The planner chooses between them by
// its estimates, which miss for pairs of words (it multiplies their shares
// as if they were independent), go stale without ANALYZE, and are not made
// at all for the generic plan it keeps for a prepared statement: with its
// guesses it read every row for a rare pair, 110 to 320 ms a statement at
// 20,000 tickets.
// So the way is chosen here, by counting: read the newest pgFirstLook
// rows; if the share of them that match says that the rest lie in fewer
// rows than pgWalkCost times the matches the index would fetch, read on
// that far; else (or if still too few) fetch the rest from the index. Each
// statement is written so that it can only be read its way (the walk's
// match is an expression the GIN index cannot serve, the index's ids one
// the primary key cannot), and runs under readIndexed, without sequential
// scans, whatever the planner estimates. Relevance is computed for the
// chosen rows only.
func pgNewest(ctx context.Context, q *Tx, src searchSource, tsq string, p tend.Principal, hi int64, need int) ([]candidate, error) {
	lo := max(hi-pgFirstLook, 0)
	out, err := pgWalk(ctx, q, src, tsq, p, lo, hi, need)
	if err != nil || len(out) == need || lo == 0 {
		return out, err
	}
	if found := int64(len(out)); found > 0 {
		share := float64(found) / float64(hi-lo)
		rows := int64(float64(int64(need)-found)/share*1.5) + 1 // with room for chance
		if rows <= pgMaxWalk && float64(rows) <= pgWalkCost*share*float64(lo) {
			hi, lo = lo, max(lo-rows, 0)
			more, err := pgWalk(ctx, q, src, tsq, p, lo, hi, need-len(out))
			if out = append(out, more...); err != nil || len(out) == need || lo == 0 {
				return out, err
			}
		}
	}
	more, err := pgIndexed(ctx, q, src, tsq, p, lo, need-len(out))
	return append(out, more...), err
}

// pgWalk returns the newest need rows of src in (lo, hi] that match tsq,
// reading the rows in that range through the primary key.
func pgWalk(ctx context.Context, q *Tx, src searchSource, tsq string, p tend.Principal, lo, hi int64, need int) ([]candidate, error) {
	a := args{tsq, lo, hi}
	return queryAll(ctx, q, scanCandidate, `SELECT s.tid, s.mid, ts_rank(s.search, $1::tsquery) FROM (
		SELECT `+src.ids+`, x.search FROM `+src.table+` x
		WHERE x.id > $2 AND x.id <= $3 AND (x.search @@ $1::tsquery) IS TRUE`+src.visible(&a, p)+`
		ORDER BY x.id DESC LIMIT `+a.add(need)+`) s`, a...)
}

// pgIndexed returns the newest need rows of src at or below hi that match
// tsq, through the GIN index.
func pgIndexed(ctx context.Context, q *Tx, src searchSource, tsq string, p tend.Principal, hi int64, need int) ([]candidate, error) {
	a := args{tsq, hi}
	return queryAll(ctx, q, scanCandidate, `SELECT s.tid, s.mid, ts_rank(s.search, $1::tsquery) FROM (
		SELECT `+src.ids+`, x.search FROM `+src.table+` x
		WHERE x.search @@ $1::tsquery AND x.id + 0 <= $2`+src.visible(&a, p)+`
		ORDER BY x.id + 0 DESC LIMIT `+a.add(need)+`) s`, a...)
}

func scanCandidate(r row) (c candidate, err error) {
	return c, r.Scan(&c.ticketID, &c.messageID, &c.score)
}

// matchedEarlier returns which tickets of cands have a match in an earlier
// batch than at's: a subject among the newer tickets, or a message among
// the newer messages, up to those the search covers.
func (db *DB) matchedEarlier(ctx context.Context, q *Tx, w words, p tend.Principal, cands []candidate, at searchCursor) (map[int64]bool, error) {
	out := map[int64]bool{}
	var newer []int64 // tickets newer than the batch's subjects
	ids := make([]int64, 0, len(cands))
	for _, c := range cands {
		ids = append(ids, c.ticketID)
		if c.ticketID > at.subjectHi {
			newer = append(newer, c.ticketID)
		}
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	var found []int64
	var err error
	if db.engine == Postgres {
		// Each candidate is looked up by its id, and its messages by its
		// id: their number bounds the work.
		var subjects, messages []int64
		if len(newer) > 0 {
			subjects, err = queryAll(ctx, q, scanID, `SELECT x.id FROM tickets x WHERE x.id = ANY($1) AND x.id <= $2
				AND (x.search @@ $3::tsquery) IS TRUE`, newer, at.subjects, w.ts)
			if err != nil {
				return nil, err
			}
		}
		if at.messageHi < at.messages {
			a := args{ids, at.messageHi, at.messages, w.ts}
			messages, err = queryAll(ctx, q, scanID, `SELECT c.id FROM unnest($1::bigint[]) AS c (id) CROSS JOIN LATERAL (
				SELECT 1 FROM messages x WHERE x.ticket_id = c.id AND x.id > $2 AND x.id <= $3
				AND (x.search @@ $4::tsquery) IS TRUE`+messageSource.visible(&a, p)+` LIMIT 1) m`, a...)
			if err != nil {
				return nil, err
			}
		}
		found = append(subjects, messages...)
	} else {
		// FTS5 walks the matches of the earlier batches in order, without
		// scoring them.
		fq := w.fts
		if len(newer) > 0 {
			found, err = queryAll(ctx, q, scanID, `SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH $1 AND rowid > $2 AND rowid <= $3`,
				fq, at.subjectHi, at.subjects)
			if err != nil {
				return nil, err
			}
		}
		if at.messageHi < at.messages {
			a := args{fq, at.messageHi, at.messages}
			messages, err := queryAll(ctx, q, scanID, `SELECT x.ticket_id FROM message_fts JOIN messages x ON x.id = message_fts.rowid
				WHERE message_fts MATCH $1 AND message_fts.rowid > $2 AND message_fts.rowid <= $3`+messageSource.visible(&a, p), a...)
			if err != nil {
				return nil, err
			}
			found = append(found, messages...)
		}
	}
	for _, id := range found {
		out[id] = true
	}
	return out, nil
}

// filterCandidates keeps the candidates whose tickets keep passes, and
// returns the tickets it read to know (nil when keep is nil: all pass).
func filterCandidates(ctx context.Context, tx *Tx, cands []candidate, keep func(*tend.Ticket) bool) ([]candidate, map[int64]*tend.Ticket, error) {
	if keep == nil || len(cands) == 0 {
		return cands, nil, nil
	}
	ids := make([]int64, 0, len(cands))
	for _, c := range cands {
		ids = append(ids, c.ticketID)
	}
	tickets, err := findTicketsByID(ctx, tx, slices.Compact(slices.Sorted(slices.Values(ids))))
	if err != nil {
		return nil, nil, err
	}
	return slices.DeleteFunc(cands, func(c candidate) bool {
		t := tickets[c.ticketID]
		return t == nil || !keep(t)
	}), tickets, nil
}

// rankCandidates keeps each ticket's best match and orders the tickets
// best first, ties going to the newer ticket.
func rankCandidates(cands []candidate) []candidate {
	best := map[int64]candidate{}
	for _, c := range cands {
		if b, ok := best[c.ticketID]; !ok || c.score > b.score || (c.score == b.score && c.messageID > b.messageID) {
			best[c.ticketID] = c
		}
	}
	out := make([]candidate, 0, len(best))
	for _, c := range best {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].ticketID > out[j].ticketID
	})
	return out
}

// ftsQuery renders terms for SQLite's FTS5: each term a quoted phrase, a
// trailing * for a prefix; terms side by side must all match. A term that
// is one English stop word is left out, unless all are, as PostgreSQL's
// english configuration leaves them out: nearly every message has them, so
// they narrow nothing, and bm25 would read every row that has one to
// weigh it (a third of a search's time at 100,000 messages).
func ftsQuery(terms []tend.SearchTerm) string {
	var kept []tend.SearchTerm
	for _, t := range terms {
		if len(t.Words) > 1 || t.Prefix || !englishStopWords[t.Words[0]] {
			kept = append(kept, t)
		}
	}
	if len(kept) > 0 {
		terms = kept
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.Join(t.Words, " ") + `"`
		if t.Prefix {
			parts[i] += "*"
		}
	}
	return strings.Join(parts, " ")
}

// englishStopWords are the words of PostgreSQL's english.stop.
var englishStopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`i me my myself we our ours ourselves you your yours yourself yourselves
		he him his himself she her hers herself it its itself they them their theirs themselves what which who
		whom this that these those am is are was were be been being have has had having do does did doing a an
		the and but if or because as until while of at by for with about against between into through during
		before after above below to from up down in out on off over under again further then once here there
		when where why how all any both each few more most other some such no nor not only own same so than too
		very s t can will just don should now`) {
		englishStopWords[w] = true
	}
}

// tsQuery renders terms for PostgreSQL's to_tsquery: words joined by &,
// phrases by <->, prefixes marked :*. Words hold only letters and digits,
// so nothing in them is an operator.
func tsQuery(terms []tend.SearchTerm) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		words := append([]string(nil), t.Words...)
		if t.Prefix {
			words[len(words)-1] += ":*"
		}
		parts[i] = "(" + strings.Join(words, " <-> ") + ")"
	}
	return strings.Join(parts, " & ")
}

// matchingTicketIDs is a subquery of the ids of tickets whose subject or
// messages match terms; only public replies unless withNotes.
func (db *DB) matchingTicketIDs(a *args, terms []tend.SearchTerm, withNotes bool) string {
	kind := ""
	if !withNotes {
		kind = " AND m.kind = 'reply'"
	}
	if db.engine == Postgres {
		q := a.add(tsQuery(terms))
		return `SELECT id FROM tickets WHERE search @@ to_tsquery('english', ` + q + `)
			UNION SELECT m.ticket_id FROM messages m WHERE m.search @@ to_tsquery('english', ` + q + `)` + kind
	}
	q := a.add(ftsQuery(terms))
	return `SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ` + q + `
		UNION SELECT m.ticket_id FROM message_fts JOIN messages m ON m.id = message_fts.rowid
		WHERE message_fts MATCH ` + q + kind
}

// searchSource is one of the two things a search looks in.
type searchSource struct {
	table  string  // tickets or messages
	ids    string  // the ticket and message id of a row of x
	fts    string  // the FTS5 table over it
	weight float64 // how much a match here counts
	// customerOnly is a condition on x keeping the rows of the customer
	// whose id is in the placeholder ph.
	customerOnly func(ph string) string
}

var (
	subjectSource = searchSource{table: "tickets", ids: "x.id AS tid, 0 AS mid", fts: "ticket_fts", weight: subjectWeight,
		customerOnly: func(ph string) string { return "x.customer_id = " + ph }}
	messageSource = searchSource{table: "messages", ids: "x.ticket_id AS tid, x.id AS mid", fts: "message_fts", weight: 1,
		customerOnly: func(ph string) string {
			return "x.kind = 'reply' AND x.ticket_id IN (SELECT id FROM tickets WHERE customer_id = " + ph + ")"
		}}
)

// rowID returns the id of c's row in src.
func (src searchSource) rowID(c candidate) int64 {
	if src.table == "tickets" {
		return c.ticketID
	}
	return c.messageID
}

// visible returns a condition on x keeping what p may see, or "".
func (src searchSource) visible(a *args, p tend.Principal) string {
	if !p.IsCustomer() {
		return ""
	}
	return " AND " + src.customerOnly(a.add(p.CustomerID))
}
