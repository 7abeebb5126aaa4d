package tend

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SearchHit is one ticket that matches a search: by its number, by its
// customer, or by its words, with the message that matched best (nil when
// only the subject matched) and a short excerpt.
type SearchHit struct {
	Ticket    *Ticket     `json:"ticket"`
	Matched   SearchMatch `json:"matched"`
	MessageID *int64      `json:"message_id"`
	// Snippet is plain text; SnippetHTML is the same, HTML-escaped, with
	// each matching word in <mark>.
	Snippet     string  `json:"snippet"`
	SnippetHTML string  `json:"snippet_html"`
	Score       float64 `json:"score"`
}

// SearchMatch says why a ticket is among the results of a search.
type SearchMatch string

// What a search can match.
const (
	MatchNumber   SearchMatch = "number"   // the query is the ticket's number
	MatchCustomer SearchMatch = "customer" // the query is an address or the full name of the ticket's customer
	MatchWords    SearchMatch = "words"    // the words of the query are in the ticket's subject or messages
)

// SearchService finds tickets among what the caller may see: the one a
// query names by its number, those of the customer it names by address or
// full name, then those whose subjects and messages hold its words, best
// matches first among the newest.
type SearchService interface {
	// Search returns one page of up to limit tickets that match q among
	// those f selects, and the cursor of the next page ("" after the last).
	// A page may hold fewer than limit and still have a next one. It
	// returns EINVALID if the query holds no words or cursor is not one of
	// a search.
	Search(ctx context.Context, q string, f SearchFilter, cursor string, limit int) ([]*SearchHit, string, error)
}

// SearchFilter narrows a search to some tickets. Empty fields match all;
// Statuses matches any of its statuses; OwnerID and TeamID of 0 select
// tickets without one.
type SearchFilter struct {
	Statuses []Status
	OwnerID  *int64
	TeamID   *int64
}

// Match reports whether t passes the filter.
func (f SearchFilter) Match(t *Ticket) bool {
	switch {
	case len(f.Statuses) > 0 && !slices.Contains(f.Statuses, t.Status):
		return false
	case f.OwnerID != nil && !sameID(t.OwnerID, *f.OwnerID):
		return false
	case f.TeamID != nil && !sameID(t.TeamID, *f.TeamID):
		return false
	}
	return true
}

// SearchKeys are what a query can name besides words: a ticket by its
// number, a customer by an address or by their full name. Agents search
// for these first.
type SearchKeys struct {
	// Number is the ticket number a query of one number names ("1297" or
	// "#1297"), else 0.
	Number int64
	// Email is the address a query of one address names, lower-cased, else "".
	Email string
	// Name is the query as a customer's full name would be compared
	// (FoldName, one space between words), when it is neither of the above
	// and holds no search syntax (quotes or *); else "".
	Name string
}

// ReadSearchKeys reads what q names besides its words.
func ReadSearchKeys(q string) SearchKeys {
	q = strings.TrimSpace(q)
	if digits := strings.TrimPrefix(q, "#"); digits != "" && len(digits) <= 18 && strings.Trim(digits, "0123456789") == "" {
		if n, _ := strconv.ParseInt(digits, 10, 64); n > 0 {
			return SearchKeys{Number: n}
		}
		return SearchKeys{}
	}
	if e := NormalizeEmail(q); strings.Contains(e, "@") && ValidEmail(e) {
		return SearchKeys{Email: e}
	}
	name := strings.Join(strings.Fields(q), " ")
	if name == "" || len(name) > maxSearchNameSize || strings.ContainsAny(name, `"*`) || !utf8.ValidString(name) {
		return SearchKeys{}
	}
	return SearchKeys{Name: FoldName(name)}
}

// SearchTerm is one part of a parsed query. Every term must match.
type SearchTerm struct {
	// Words are lower-cased runs of letters and digits. More than one word
	// makes a phrase: the words must appear together, in order.
	Words []string
	// Prefix makes the last word match any word it begins.
	Prefix bool
}

// Search limits.
const (
	DefaultSearchResults = 20
	MaxSearchResults     = 50
	MaxSearchTerms       = 16
	maxSearchWordSize    = 64
	maxSearchNameSize    = 200 // the longest name a customer can have
)

// ParseSearch reads a query as people type it: words (all must match), a
// trailing * for a prefix (refun*), and "quoted phrases". Punctuation
// inside a word joins its parts into a phrase, so e-mail finds "e mail".
// It returns EINVALID when nothing searchable remains.
func ParseSearch(q string) ([]SearchTerm, error) {
	var terms []SearchTerm
	for len(q) > 0 && len(terms) < MaxSearchTerms {
		q = strings.TrimLeftFunc(q, unicode.IsSpace)
		if q == "" {
			break
		}
		var chunk string
		quoted := q[0] == '"'
		if quoted {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				chunk, q = q[1:], ""
			} else {
				chunk, q = q[1:end+1], q[end+2:]
			}
		} else {
			end := strings.IndexFunc(q, unicode.IsSpace)
			if end < 0 {
				end = len(q)
			}
			chunk, q = q[:end], q[end:]
		}
		prefix := !quoted && strings.HasSuffix(chunk, "*")
		words := searchWords(chunk)
		if len(words) == 0 {
			continue
		}
		terms = append(terms, SearchTerm{Words: words, Prefix: prefix})
	}
	if len(terms) == 0 {
		return nil, FieldError(EINVALID, "q", "give at least one word to search for")
	}
	return terms, nil
}

func searchWords(s string) []string {
	words := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for i, w := range words {
		if len(w) > maxSearchWordSize {
			words[i] = strings.ToValidUTF8(w[:maxSearchWordSize], "")
		}
	}
	return words
}
