package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// A ticket list's filter is read in one place, by one set of names, for
// GET /api/v1/tickets, the list pages and the views people save from
// them: a filter that works in a script works in a bookmark.

// ticketFilterKeys are the query parameters of a ticket list's filter.
var ticketFilterKeys = []string{"status", "priority", "owner_id", "team_id", "customer_id", "organization_id", "channel", "tag", "q", "number", "spam", "at_risk"}

// fieldFilterPrefix begins the parameter that filters by a custom field:
// field.order_number=A-1042.
const fieldFilterPrefix = "field."

// oldFilterKeys are the names the list pages gave some of those
// parameters before they took the API's; links and bookmarks with them
// are sent on (ticketList), and migration 0007 renamed them in saved
// views.
var oldFilterKeys = map[string]string{"owner": "owner_id", "team": "team_id", "customer": "customer_id", "organization": "organization_id"}

// readTicketFilter reads a ticket list's filter from q: status (repeated
// or comma-separated), priority, owner_id and team_id (an id, or none),
// customer_id and organization_id (ids), channel, tag, q (words to
// search for), number (the ticket's number), spam and at_risk (true:
// at risk of missing a service-level target, or past one). Problems are
// left in q, by parameter.
func readTicketFilter(q *query) tend.TicketFilter {
	f := tend.TicketFilter{
		OwnerID:        q.id("owner_id", true),
		TeamID:         q.id("team_id", true),
		CustomerID:     q.id("customer_id", false),
		OrganizationID: q.id("organization_id", false),
		Tag:            q.str("tag"),
		Q:              q.str("q"),
	}
	for _, st := range q.list("status") {
		f.Statuses = append(f.Statuses, tend.Status(st))
	}
	if v := q.str("priority"); v != "" {
		p := tend.Priority(v)
		f.Priority = &p
	}
	if v := q.str("channel"); v != "" {
		c := tend.Channel(v)
		f.Channel = &c
	}
	if spam := q.boolean("spam"); spam != nil {
		f.Spam = *spam
	}
	if risk := q.boolean("at_risk"); risk != nil {
		f.AtRisk = *risk
	}
	for key := range q.values {
		if name, ok := strings.CutPrefix(key, fieldFilterPrefix); ok {
			if v := q.str(key); v != "" {
				if f.Fields == nil {
					f.Fields = map[string]string{}
				}
				f.Fields[name] = v
			}
		}
	}
	if v := q.str("number"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			q.problems.Add("number", "must be a ticket's number, such as 1042")
		} else {
			f.Number = &n
		}
	}
	return f
}

// listFilter reads the filter of a list page's query, checked as the
// store will check it. The page's other parameters (the view, the order,
// the page) are its own.
func listFilter(v url.Values) (tend.TicketFilter, error) {
	q := &query{values: v, problems: tend.Problems{}}
	f := readTicketFilter(q)
	return f, checkedFilter(f, q.problems)
}

// savedFilter reads a saved view's filter, where every parameter must be
// one of the filter's: a view whose filter names what is no longer read
// must show nothing rather than everything.
func savedFilter(v url.Values) (tend.TicketFilter, error) {
	q := &query{values: v, problems: tend.Problems{}}
	f := readTicketFilter(q)
	if err := q.err(); err != nil {
		return f, err
	}
	return f, checkedFilter(f, q.problems)
}

// checkedFilter adds to problems what the store would refuse in f.
func checkedFilter(f tend.TicketFilter, problems tend.Problems) error {
	f.Normalize()
	for field, msg := range tend.ErrorFields(f.Validate()) {
		problems.Add(field, "%s", msg)
	}
	return problems.Err()
}

// hasFilter reports whether q filters tickets by hand.
func hasFilter(q url.Values) bool {
	for k := range q {
		if isFilterKey(k) && strings.TrimSpace(q.Get(k)) != "" {
			return true
		}
	}
	return false
}

// filterQuery keeps only the filter's parameters of q.
func filterQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		if !isFilterKey(k) {
			continue
		}
		for _, v := range vs {
			if v != "" {
				out.Add(k, v)
			}
		}
	}
	return out
}

// isFilterKey reports whether k is a parameter of a ticket list's filter.
func isFilterKey(k string) bool {
	return slices.Contains(ticketFilterKeys, k) || strings.HasPrefix(k, fieldFilterPrefix)
}

// renamedFilter returns q with the filter's old parameter names replaced
// by the new ones, and whether it had any.
func renamedFilter(q url.Values) (url.Values, bool) {
	out, renamed := url.Values{}, false
	for k, vs := range q {
		if n, ok := oldFilterKeys[k]; ok {
			k, renamed = n, true
		}
		out[k] = append(out[k], vs...)
	}
	return out, renamed
}
