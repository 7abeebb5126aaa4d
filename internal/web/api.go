package web

import (
	_ "embed"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

const apiPrefix = "/api/v1"

// apiRoute is one endpoint of the JSON API. The table below is the API;
// a test checks it against openapi.json.
type apiRoute struct {
	method, path string
	handler      http.HandlerFunc
}

func (s *Server) apiRoutes() []apiRoute {
	return []apiRoute{
		{"GET", "/me", s.getMe},

		{"GET", "/tickets", s.listTickets},
		{"POST", "/tickets", s.createTicket},
		{"POST", "/tickets/bulk", s.bulkUpdateTickets},
		{"GET", "/tickets/{id}", s.getTicket},
		{"PATCH", "/tickets/{id}", s.updateTicket},
		{"POST", "/tickets/{id}/messages", s.addMessage},
		{"GET", "/tickets/{id}/events", s.listTicketEvents},
		{"POST", "/tickets/{id}/spam", s.markSpam},
		{"GET", "/tickets/{id}/recipients", s.getReplyRecipients},
		{"POST", "/tickets/{id}/participants", s.addParticipants},
		{"DELETE", "/tickets/{id}/participants/{email}", s.removeParticipant},
		{"GET", "/tickets/{id}/participants/suggested", s.listSuggestedParticipants},
		{"POST", "/tickets/{id}/merge", s.mergeTicket},
		{"POST", "/tickets/{id}/links", s.linkTickets},
		{"DELETE", "/tickets/{id}/links/{other}", s.unlinkTickets},
		{"GET", "/attachments/{id}", s.getAttachment},
		{"GET", "/search", s.search},

		{"GET", "/customers", s.listCustomers},
		{"POST", "/customers", s.createCustomer},
		{"GET", "/customers/{id}", s.getCustomer},
		{"PATCH", "/customers/{id}", s.updateCustomer},
		{"DELETE", "/customers/{id}/bouncing/{email}", s.clearBouncing},

		{"GET", "/organizations", s.listOrganizations},
		{"POST", "/organizations", s.createOrganization},
		{"GET", "/organizations/{id}", s.getOrganization},
		{"PATCH", "/organizations/{id}", s.updateOrganization},

		{"GET", "/agents", s.listAgents},
		{"POST", "/agents", s.createAgent},
		{"GET", "/agents/{id}", s.getAgent},
		{"PATCH", "/agents/{id}", s.updateAgent},

		{"GET", "/teams", s.listTeams},
		{"POST", "/teams", s.createTeam},
		{"GET", "/teams/{id}", s.getTeam},
		{"PATCH", "/teams/{id}", s.updateTeam},

		{"GET", "/tokens", s.listTokens},
		{"POST", "/tokens", s.createToken},
		{"DELETE", "/tokens/{id}", s.revokeToken},

		{"GET", "/mailboxes", s.listMailboxes},
		{"POST", "/mailboxes", s.createMailbox},
		{"GET", "/mailboxes/{id}", s.getMailbox},
		{"PATCH", "/mailboxes/{id}", s.updateMailbox},
		{"GET", "/mail/inbound", s.listInbound},
		{"GET", "/mail/inbound/{id}", s.getInbound},
		{"POST", "/mail/inbound/{id}/retry", s.retryInbound},
		{"GET", "/mail/inbound/{id}/raw", s.getInboundRaw},
		{"POST", "/mail/inbound/{id}/ticket", s.takeInbound},
		{"GET", "/mail/blocked", s.listBlockedSenders},
		{"POST", "/mail/blocked", s.blockSender},
		{"DELETE", "/mail/blocked/{pattern}", s.unblockSender},

		{"GET", "/fields", s.listFields},
		{"POST", "/fields", s.createField},
		{"GET", "/fields/{id}", s.getField},
		{"PATCH", "/fields/{id}", s.updateField},
		{"DELETE", "/fields/{id}", s.deleteField},
		{"GET", "/calendars", s.listCalendars},
		{"POST", "/calendars", s.createCalendar},
		{"GET", "/calendars/{id}", s.getCalendar},
		{"PATCH", "/calendars/{id}", s.updateCalendar},
		{"DELETE", "/calendars/{id}", s.deleteCalendar},
		{"GET", "/calendars/{id}/deadline", s.calendarDeadline},
		{"GET", "/calendars/{id}/business-minutes", s.calendarBusinessMinutes},
		{"GET", "/sla-policies", s.listSLAPolicies},
		{"POST", "/sla-policies", s.createSLAPolicy},
		{"GET", "/sla-policies/{id}", s.getSLAPolicy},
		{"PATCH", "/sla-policies/{id}", s.updateSLAPolicy},
		{"DELETE", "/sla-policies/{id}", s.deleteSLAPolicy},
		{"GET", "/macros", s.listMacros},
		{"POST", "/macros", s.createMacro},
		{"GET", "/macros/{id}", s.getMacro},
		{"PATCH", "/macros/{id}", s.updateMacro},
		{"DELETE", "/macros/{id}", s.deleteMacro},
		{"POST", "/tickets/{id}/macros/{macro_id}", s.applyMacro},

		{"GET", "/notifications", s.listNotifications},
		{"POST", "/notifications/read", s.markNotificationsRead},
		{"POST", "/tickets/{id}/follow", s.followTicket},
		{"DELETE", "/tickets/{id}/follow", s.followTicket},

		{"GET", "/settings", s.getSettings},
		{"PATCH", "/settings", s.updateSettings},
		{"GET", "/audit", s.listAudit},
	}
}

//go:embed openapi.json
var openAPIDocument []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDocument)
}

// pathID reads the {id} of the path; on failure it answers 404.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, tend.Errorf(tend.ENOTFOUND, "%q is not an id; ids are positive whole numbers.", r.PathValue("id")))
		return 0, false
	}
	return id, true
}

// query reads URL query parameters, collecting problems per parameter.
// Parameters the handler never reads are reported too: a misspelt filter
// must not silently list everything.
type query struct {
	values   url.Values
	problems tend.Problems
	read     []string
}

// newQuery reads r's query string. One that does not parse (a stray %) is
// a problem, not an empty filter that lists everything.
func newQuery(r *http.Request) *query {
	q := &query{problems: tend.Problems{}}
	var err error
	if q.values, err = url.ParseQuery(r.URL.RawQuery); err != nil {
		q.problems.Add("query", "is not a valid query string: %v", err)
	}
	return q
}

// str reads a parameter given at most once: a second value would be
// silently left out.
func (q *query) str(name string) string {
	q.read = append(q.read, name)
	if len(q.values[name]) > 1 {
		q.problems.Add(name, "give it once, not %d times", len(q.values[name]))
	}
	return strings.TrimSpace(q.values.Get(name))
}

// limit reads the page size: 1 to max, 0 when absent.
func (q *query) limit(max int) int {
	n := q.int("limit")
	if n > max {
		q.problems.Add("limit", "must be between 1 and %d", max)
	}
	return n
}

// id reads an optional id; "none" reads as 0 where allowNone.
func (q *query) id(name string, allowNone bool) *int64 {
	v := q.str(name)
	if v == "" {
		return nil
	}
	if allowNone && v == "none" {
		zero := int64(0)
		return &zero
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		if allowNone {
			q.problems.Add(name, "must be an id or none")
		} else {
			q.problems.Add(name, "must be an id")
		}
		return nil
	}
	return &n
}

func (q *query) int(name string) int {
	v := q.str(name)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		q.problems.Add(name, "must be a positive whole number")
	}
	return n
}

// list reads a parameter that may repeat or hold comma-separated values.
func (q *query) list(name string) []string {
	q.read = append(q.read, name)
	var out []string
	for _, v := range q.values[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func (q *query) boolean(name string) *bool {
	switch q.str(name) {
	case "":
		return nil
	case "true", "1":
		t := true
		return &t
	case "false", "0":
		f := false
		return &f
	}
	q.problems.Add(name, "must be true or false")
	return nil
}

// err returns the problems found, after checking that every parameter
// given was one the handler reads. Call it after reading them all.
func (q *query) err() error {
	for name := range q.values {
		if !slices.Contains(q.read, name) {
			if len(q.read) == 0 {
				q.problems.Add(name, "is not a parameter of this endpoint, which takes none")
			} else {
				sorted := slices.Clone(q.read)
				slices.Sort(sorted)
				q.problems.Add(name, "is not a parameter of this endpoint; it reads %s", strings.Join(slices.Compact(sorted), ", "))
			}
		}
	}
	return q.problems.Err()
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	p := tend.PrincipalFromContext(r.Context())
	agent, err := s.Agents.FindAgentByID(r.Context(), p.AgentID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, agent)
}
