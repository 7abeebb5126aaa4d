package sqldb

import (
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// SearchService implements tend.SearchService.
type SearchService struct {
	db *DB
}

// NewSearchService returns the search service of db.
func NewSearchService(db *DB) *SearchService { return &SearchService{db: db} }

var _ tend.SearchService = (*SearchService)(nil)

// Search returns one page of the tickets that match q among those f
// passes, and the cursor of the next. The ticket q names by its number
// comes first, then those of the customers q names by an address or a
// full name, newest activity first, then those whose words match, in
// batches of the newest matches (see wordBatch), each batch best first.
// Each ticket comes once. Filters apply to a batch's matches before they
// are ranked.
func (s *SearchService) Search(ctx context.Context, q string, f tend.SearchFilter, cur string, limit int) ([]*tend.SearchHit, string, error) {
	p, err := tend.RequireSignedIn(ctx)
	if err != nil {
		return nil, "", err
	}
	terms, err := tend.ParseSearch(q)
	if err != nil {
		return nil, "", err
	}
	at, err := parseSearchCursor(cur)
	if err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = tend.DefaultSearchResults
	}
	pg := &searchPage{limit: min(limit, tend.MaxSearchResults)}
	err = s.db.readIndexed(ctx, func(tx *Tx) error {
		n, err := findNamed(ctx, tx, tend.ReadSearchKeys(q), p, f)
		if err != nil {
			return err
		}
		if at.section == searchStart {
			at = searchCursor{section: searchCustomers}
			if n.number != nil {
				pg.add(&tend.SearchHit{Ticket: n.number, Matched: tend.MatchNumber}, at)
			}
		}
		if at.section == searchCustomers {
			var after *cursor
			if at.id != 0 {
				after = &cursor{at: at.at, id: at.id}
			}
			theirs, err := n.customerTickets(ctx, tx, f, after, pg.limit+1-len(pg.hits))
			if err != nil {
				return err
			}
			for _, t := range theirs {
				pg.add(&tend.SearchHit{Ticket: t, Matched: tend.MatchCustomer}, searchCursor{section: searchCustomers, at: t.UpdatedAt, id: t.ID})
			}
			at = searchCursor{section: searchWords}
		}
		if pg.next != nil {
			return nil
		}
		return s.addWordHits(ctx, tx, terms, p, f, n, at, pg)
	})
	if err != nil {
		return nil, "", fmt.Errorf("search: %w", err)
	}
	next := ""
	if pg.next != nil {
		next = pg.next.String()
	}
	return slices.DeleteFunc(pg.hits, func(h *tend.SearchHit) bool { return h.Ticket == nil }), next, nil
}

// searchPage collects a page of hits, and where the next page starts.
type searchPage struct {
	limit int
	hits  []*tend.SearchHit
	next  *searchCursor // nil while the page has room
}

// add adds h, found at position at, while the page has room; the first hit
// it has no room for is where the next page starts. It reports whether
// the page has room for more.
func (pg *searchPage) add(h *tend.SearchHit, at searchCursor) bool {
	if pg.next != nil {
		return false
	}
	if len(pg.hits) == pg.limit {
		pg.next = &at
		return false
	}
	pg.hits = append(pg.hits, h)
	return true
}

// addWordHits adds the tickets whose words match to pg, from at on,
// leaving out what n names. It looks through searchBatchesPerPage batches
// at most: a filter that few matches pass must not make one page read
// them all, so such a page can be short and still have a next one.
func (s *SearchService) addWordHits(ctx context.Context, tx *Tx, terms []tend.SearchTerm, p tend.Principal, f tend.SearchFilter, n named, at searchCursor, pg *searchPage) error {
	if at.subjects == 0 && at.messages == 0 {
		// The first look at the word matches fixes what the search covers,
		// so that later pages see the same batches.
		if err := tx.queryRow(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM tickets), (SELECT COALESCE(MAX(id), 0) FROM messages)`).
			Scan(&at.subjects, &at.messages); err != nil {
			return err
		}
		at.subjectHi, at.messageHi, at.rank = at.subjects, at.messages, 0
	}
	w, err := s.db.words(ctx, tx, terms)
	if err != nil || w.none() {
		return err // only stop words: PostgreSQL matches nothing
	}
	var keep func(*tend.Ticket) bool
	if len(f.Statuses) > 0 || f.OwnerID != nil || f.TeamID != nil || n.number != nil || len(n.customers) > 0 {
		keep = func(t *tend.Ticket) bool {
			return f.Match(t) && (n.number == nil || t.ID != n.number.ID) && !n.isCustomer[t.CustomerID]
		}
	}
	var shown []candidate
	tickets := map[int64]*tend.Ticket{}
	for range searchBatchesPerPage {
		if at.subjectHi <= 0 && at.messageHi <= 0 {
			break
		}
		b, err := s.db.wordBatch(ctx, tx, w, p, keep, at)
		if err != nil {
			return err
		}
		for i := at.rank; i < len(b.ranked); i++ {
			c, pos := b.ranked[i], at
			pos.rank = i
			if !pg.add(&tend.SearchHit{Matched: tend.MatchWords, Score: c.score}, pos) {
				break
			}
			shown = append(shown, c)
			if t := b.tickets[c.ticketID]; t != nil {
				tickets[t.ID] = t
			}
		}
		if pg.next != nil {
			break
		}
		at.subjectHi, at.messageHi, at.rank = b.subjectLo, b.messageLo, 0
	}
	if pg.next == nil && (at.subjectHi > 0 || at.messageHi > 0) {
		pg.next = &at
	}
	return s.fillWordHits(ctx, tx, w, p, pg.hits[len(pg.hits)-len(shown):], shown, tickets)
}

// fillWordHits gives the word hits their tickets, best messages and
// excerpts: hits[i] is the match shown[i]. tickets holds those already
// read.
func (s *SearchService) fillWordHits(ctx context.Context, tx *Tx, w words, p tend.Principal, hits []*tend.SearchHit, shown []candidate, tickets map[int64]*tend.Ticket) error {
	var missing, subjectHits, messageIDs []int64
	for _, c := range shown {
		if tickets[c.ticketID] == nil {
			missing = append(missing, c.ticketID)
		}
		if c.messageID != 0 {
			messageIDs = append(messageIDs, c.messageID)
		} else {
			subjectHits = append(subjectHits, c.ticketID)
		}
	}
	read, err := findTicketsByID(ctx, tx, missing)
	if err != nil {
		return err
	}
	snippets, err := s.db.snippets(ctx, tx, w, subjectHits, messageIDs)
	if err != nil {
		return err
	}
	for i, c := range shown {
		t := tickets[c.ticketID]
		if t == nil {
			t = read[c.ticketID]
		}
		h := hits[i]
		if t == nil || !canSee(p, t) {
			continue // moved to another customer meanwhile; the caller drops it
		}
		h.Ticket = t
		key := snippetKey{ticket: c.ticketID}
		if c.messageID != 0 {
			id := c.messageID
			h.MessageID = &id
			key = snippetKey{message: id}
		}
		h.Snippet, h.SnippetHTML = renderSnippet(snippets[key])
	}
	return nil
}

func findTicketsByID(ctx context.Context, q *Tx, ids []int64) (map[int64]*tend.Ticket, error) {
	if len(ids) == 0 {
		return map[int64]*tend.Ticket{}, nil
	}
	var a args
	tickets, err := queryAll(ctx, q, scanTicket, `SELECT `+ticketColumns+` FROM `+ticketFrom+` WHERE t.id IN (`+list(&a, ids)+`)`, a...)
	out := make(map[int64]*tend.Ticket, len(tickets))
	for _, t := range tickets {
		out[t.ID] = t
	}
	return out, err
}

// A search's results come in sections, each from where the last ended.
type searchSection byte

const (
	searchStart     searchSection = iota // the first page, where the ticket with the query's number comes
	searchCustomers                      // the tickets of the customers the query names
	searchWords                          // the tickets whose words match
)

// searchCursor is where a page of search results starts.
type searchCursor struct {
	section searchSection
	// Among the customers' tickets: the page's first (zero for the first).
	at time.Time
	id int64
	// Among the word matches: the newest ticket and message the search
	// covers, fixed when the section is first read (zero before); the
	// batch, by the newest ticket and message it may hold; and the rank in
	// the batch of the page's first hit.
	subjects, messages   int64
	subjectHi, messageHi int64
	rank                 int
}

func (c searchCursor) String() string {
	var s string
	switch c.section {
	case searchCustomers:
		s = "c"
		if c.id != 0 {
			s += fmt.Sprintf(".%d.%d", c.at.UnixMicro(), c.id)
		}
	case searchWords:
		s = "w"
		if c.subjects != 0 || c.messages != 0 {
			s += fmt.Sprintf(".%d.%d.%d.%d.%d", c.subjects, c.messages, c.subjectHi, c.messageHi, c.rank)
		}
	}
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

func parseSearchCursor(s string) (searchCursor, error) {
	if s == "" {
		return searchCursor{}, nil
	}
	invalid := tend.FieldError(tend.EINVALID, "cursor", "not a cursor of this search; pass next_cursor from the previous page unchanged")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return searchCursor{}, invalid
	}
	fields := strings.Split(string(b), ".")
	n := make([]int64, len(fields)-1)
	for i, f := range fields[1:] {
		if n[i], err = strconv.ParseInt(f, 10, 64); err != nil || n[i] < 0 {
			return searchCursor{}, invalid
		}
	}
	switch {
	case fields[0] == "c" && len(n) == 0:
		return searchCursor{section: searchCustomers}, nil
	case fields[0] == "c" && len(n) == 2 && n[1] > 0:
		return searchCursor{section: searchCustomers, at: time.UnixMicro(n[0]).UTC(), id: n[1]}, nil
	case fields[0] == "w" && len(n) == 0:
		return searchCursor{section: searchWords}, nil
	case fields[0] == "w" && len(n) == 5 && n[2] <= n[0] && n[3] <= n[1] && n[4] <= 1<<20:
		return searchCursor{section: searchWords, subjects: n[0], messages: n[1], subjectHi: n[2], messageHi: n[3], rank: int(n[4])}, nil
	}
	return searchCursor{}, invalid
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
