package sqldb

import (
	"context"
	"errors"
	"fmt"
	"html"
	"slices"
	"sort"
	"strings"

	"github.com/tendhq/tend"
)

// SearchService implements tend.SearchService.
type SearchService struct {
	db *DB
}

// NewSearchService returns the search service of db.
func NewSearchService(db *DB) *SearchService { return &SearchService{db: db} }

var _ tend.SearchService = (*SearchService)(nil)

// searchCandidates bounds the work of one search: the newest this many
// matching messages, and as many matching subjects, are ranked. A query
// whose words are common thus costs the same at a million tickets as at a
// thousand, and recent tickets, the ones people look for most, come first.
const searchCandidates = 500

// subjectWeight makes a match in the subject count more than one in a body.
const subjectWeight = 2.0

// candidate is a match: a ticket, the message that matched (0 for the
// subject), and a score where higher is better.
type candidate struct {
	ticketID, messageID int64
	score               float64
}

// Search returns up to limit tickets that match q, best first, with the
// best-matching message of each and an excerpt around the match.
func (s *SearchService) Search(ctx context.Context, q string, limit int) ([]*tend.SearchHit, error) {
	return s.SearchWithin(ctx, q, tend.SearchFilter{}, limit)
}

// SearchWithin is Search among the tickets f selects. The ticket that q
// names by its number comes first, then those of the customers q names by
// an address or a full name, newest activity first, then those whose
// words match. The filter applies to the word matches' candidates (the
// newest searchCandidates matches of each source) before they are ranked,
// so a filter that few recent matches pass finds only those.
func (s *SearchService) SearchWithin(ctx context.Context, q string, f tend.SearchFilter, limit int) ([]*tend.SearchHit, error) {
	p, err := tend.RequireSignedIn(ctx)
	if err != nil {
		return nil, err
	}
	terms, err := tend.ParseSearch(q)
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = tend.DefaultSearchResults
	}
	limit = min(limit, tend.MaxSearchResults)
	hits := []*tend.SearchHit{}
	err = s.db.read(ctx, func(tx *Tx) error {
		n, err := findNamed(ctx, tx, tend.ReadSearchKeys(q), p, f)
		if err != nil {
			return err
		}
		if n.number != nil {
			hits = append(hits, &tend.SearchHit{Ticket: n.number, Matched: tend.MatchNumber})
		}
		theirs, err := n.customerTickets(ctx, tx, f, nil, limit-len(hits))
		if err != nil {
			return err
		}
		for _, t := range theirs {
			hits = append(hits, &tend.SearchHit{Ticket: t, Matched: tend.MatchCustomer})
		}
		if len(hits) >= limit {
			return nil
		}
		words, err := s.wordHits(ctx, tx, terms, p, f, n, limit-len(hits))
		hits = append(hits, words...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return hits, nil
}

// wordHits returns up to limit tickets whose words match terms, best
// first, leaving out those that n names.
func (s *SearchService) wordHits(ctx context.Context, tx *Tx, terms []tend.SearchTerm, p tend.Principal, f tend.SearchFilter, n named, limit int) ([]*tend.SearchHit, error) {
	cands, err := s.db.searchCandidates(ctx, tx, terms, p)
	if err != nil {
		return nil, err
	}
	customers, err := n.customerIDs(ctx, tx)
	if err != nil {
		return nil, err
	}
	var keep func(*tend.Ticket) bool
	if len(f.Statuses) > 0 || f.OwnerID != nil || f.TeamID != nil || n.number != nil || len(customers) > 0 {
		keep = func(t *tend.Ticket) bool {
			return f.Match(t) && (n.number == nil || t.ID != n.number.ID) && !customers[t.CustomerID]
		}
	}
	// Keeping reads the candidates' tickets; the hits reuse them.
	cands, tickets, err := filterCandidates(ctx, tx, cands, keep)
	if err != nil {
		return nil, err
	}
	best := rankCandidates(cands, limit)
	if len(best) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(best))
	var subjectHits, messageIDs []int64
	for i, c := range best {
		ids[i] = c.ticketID
		if c.messageID != 0 {
			messageIDs = append(messageIDs, c.messageID)
		} else {
			subjectHits = append(subjectHits, c.ticketID)
		}
	}
	if tickets == nil {
		if tickets, err = findTicketsByID(ctx, tx, ids); err != nil {
			return nil, err
		}
	}
	snippets, err := s.db.snippets(ctx, tx, terms, subjectHits, messageIDs)
	if err != nil {
		return nil, err
	}
	var hits []*tend.SearchHit
	for _, c := range best {
		t := tickets[c.ticketID]
		if t == nil || !canSee(p, t) {
			continue
		}
		h := &tend.SearchHit{Ticket: t, Matched: tend.MatchWords, Score: c.score}
		key := snippetKey{ticket: c.ticketID}
		if c.messageID != 0 {
			id := c.messageID
			h.MessageID = &id
			key = snippetKey{message: id}
		}
		h.Snippet, h.SnippetHTML = renderSnippet(snippets[key])
		hits = append(hits, h)
	}
	return hits, nil
}

// filterCandidates keeps the candidates whose tickets keep passes, and
// returns the tickets it read to know (nil when keep is nil: all pass).
func filterCandidates(ctx context.Context, tx *Tx, cands []candidate, keep func(*tend.Ticket) bool) ([]candidate, map[int64]*tend.Ticket, error) {
	if keep == nil {
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

// rankCandidates keeps each ticket's best match and returns the best limit
// tickets, ties going to the newer ticket.
func rankCandidates(cands []candidate, limit int) []candidate {
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
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func findTicketsByID(ctx context.Context, q *Tx, ids []int64) (map[int64]*tend.Ticket, error) {
	if len(ids) == 0 {
		return map[int64]*tend.Ticket{}, nil
	}
	var a args
	tickets, err := queryAll(ctx, q, scanTicket, `SELECT `+ticketColumns+` FROM tickets t WHERE t.id IN (`+list(&a, ids)+`)`, a...)
	out := make(map[int64]*tend.Ticket, len(tickets))
	for _, t := range tickets {
		out[t.ID] = t
	}
	return out, err
}

type snippetKey struct{ ticket, message int64 }

// Snippets come back from the engines with each match between these marks.
const (
	markStart = "\x02"
	markEnd   = "\x03"
)

// renderSnippet returns the excerpt as plain text, and as HTML with each
// match in <mark> and everything else escaped.
func renderSnippet(s string) (string, string) {
	s = strings.Join(strings.Fields(s), " ")
	plain := strings.NewReplacer(markStart, "", markEnd, "").Replace(s)
	escaped := html.EscapeString(s)
	return plain, strings.NewReplacer(markStart, "<mark>", markEnd, "</mark>").Replace(escaped)
}

// ftsQuery renders terms for SQLite's FTS5: each term a quoted phrase, a
// trailing * for a prefix; terms side by side must all match.
func ftsQuery(terms []tend.SearchTerm) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = `"` + strings.Join(t.Words, " ") + `"`
		if t.Prefix {
			parts[i] += "*"
		}
	}
	return strings.Join(parts, " ")
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
	// window is how many of the newest rows PostgreSQL searches first; see
	// pgCandidates.
	window int64
	// customerOnly is a condition on x keeping the rows of the customer
	// whose id is in the placeholder ph.
	customerOnly func(ph string) string
}

var (
	subjectSource = searchSource{table: "tickets", ids: "x.id AS tid, 0 AS mid", fts: "ticket_fts", weight: subjectWeight,
		window: 5_000, customerOnly: func(ph string) string { return "x.customer_id = " + ph }}
	messageSource = searchSource{table: "messages", ids: "x.ticket_id AS tid, x.id AS mid", fts: "message_fts", weight: 1,
		window: 20_000, customerOnly: func(ph string) string {
			return "x.kind = 'reply' AND x.ticket_id IN (SELECT id FROM tickets WHERE customer_id = " + ph + ")"
		}}
)

// visible returns a condition on x keeping what p may see, or "".
func (src searchSource) visible(a *args, p tend.Principal) string {
	if !p.IsCustomer() {
		return ""
	}
	return " AND " + src.customerOnly(a.add(p.CustomerID))
}

// searchCandidates returns the newest matching subjects and messages with
// their relevance, the higher the better.
func (db *DB) searchCandidates(ctx context.Context, q *Tx, terms []tend.SearchTerm, p tend.Principal) ([]candidate, error) {
	var cands []candidate
	for _, src := range []searchSource{subjectSource, messageSource} {
		var found []candidate
		var err error
		if db.engine == Postgres {
			found, err = pgCandidates(ctx, q, src, tsQuery(terms), p)
		} else {
			var a args
			query := `SELECT ` + src.ids + `, -bm25(` + src.fts + `) FROM ` + src.fts + ` JOIN ` + src.table + ` x ON x.id = ` + src.fts + `.rowid
				WHERE ` + src.fts + ` MATCH ` + a.add(ftsQuery(terms)) + src.visible(&a, p) +
				` ORDER BY ` + src.fts + `.rowid DESC LIMIT ` + a.add(searchCandidates)
			found, err = queryAll(ctx, q, scanCandidate, query, a...)
		}
		if err != nil {
			return nil, err
		}
		for _, c := range found {
			c.score *= src.weight
			cands = append(cands, c)
		}
	}
	return cands, nil
}

// pgCandidates finds the newest matches in the newest src.window rows
// first, and only if too few are there, in the older ones. A GIN index
// yields every match unordered, so "newest n matches" costs a visit to each
// match in the table; within a window of recent ids the index combines with
// the primary key, and a common pair of words costs a few milliseconds
// however large the table grows. Relevance is computed for the chosen rows
// only. The planner's choices here depend on statistics that autovacuum
// keeps (see DB.Advice).
func pgCandidates(ctx context.Context, q *Tx, src searchSource, tsq string, p tend.Principal) ([]candidate, error) {
	var newest int64
	if err := q.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+src.table).Scan(&newest); err != nil {
		return nil, err
	}
	cut := newest - src.window
	var out []candidate
	for _, older := range []bool{false, true} {
		need := searchCandidates - len(out)
		if need <= 0 || (older && cut <= 0) {
			break
		}
		var a args
		tq := a.add(tsq)
		side := " > "
		if older {
			side = " <= "
		}
		query := `SELECT s.tid, s.mid, ts_rank(s.search, to_tsquery('english', ` + tq + `)) FROM (
			SELECT ` + src.ids + `, x.search FROM ` + src.table + ` x
			WHERE x.id` + side + a.add(cut) + ` AND x.search @@ to_tsquery('english', ` + tq + `)` + src.visible(&a, p) + `
			ORDER BY x.id DESC LIMIT ` + a.add(need) + `) s`
		found, err := queryAll(ctx, q, scanCandidate, query, a...)
		if err != nil {
			return nil, err
		}
		out = append(out, found...)
	}
	return out, nil
}

func scanCandidate(r row) (c candidate, err error) {
	return c, r.Scan(&c.ticketID, &c.messageID, &c.score)
}

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
