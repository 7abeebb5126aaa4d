package web

import (
	"net/http"
	"strconv"

	"github.com/tendhq/tend"
)

// bulkInput is the body of POST /tickets/bulk.
type bulkInput struct {
	IDs    []int64     `json:"ids"`
	Update *bulkUpdate `json:"update"`
}

// bulkUpdate is the change a bulk request applies: a ticket patch without
// the fields that belong to one ticket.
type bulkUpdate struct {
	Status     *tend.Status   `json:"status"`
	Priority   *tend.Priority `json:"priority"`
	OwnerID    nullableID     `json:"owner_id"`
	TeamID     nullableID     `json:"team_id"`
	AddTags    []string       `json:"add_tags"`
	RemoveTags []string       `json:"remove_tags"`
}

// bulkAnswer is what a bulk change did, per ticket, in the order asked.
type bulkAnswer struct {
	Changed   int          `json:"changed"`
	Unchanged int          `json:"unchanged"`
	Refused   int          `json:"refused"`
	Results   []bulkResult `json:"results"`
}

type bulkResult struct {
	ID      int64        `json:"id"`
	Result  string       `json:"result"`
	Version int64        `json:"version,omitempty"`
	Ticket  *tend.Ticket `json:"ticket,omitempty"`
	Error   *problem     `json:"error,omitempty"`
}

func (s *Server) bulkUpdateTickets(w http.ResponseWriter, r *http.Request) {
	var in bulkInput
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	b := &tend.TicketBulkUpdate{IDs: in.IDs, IdempotencyKey: r.Header.Get("Idempotency-Key")}
	if u := in.Update; u != nil {
		b.Update = &tend.TicketUpdate{Status: u.Status, Priority: u.Priority, OwnerID: u.OwnerID.ptr(), TeamID: u.TeamID.ptr(),
			AddTags: u.AddTags, RemoveTags: u.RemoveTags}
	}
	results, err := s.Tickets.BulkUpdateTickets(r.Context(), b)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, newBulkAnswer(results))
}

func newBulkAnswer(results []tend.BulkResult) bulkAnswer {
	a := bulkAnswer{Results: make([]bulkResult, len(results))}
	for i, r := range results {
		a.Results[i] = bulkResult{ID: r.ID, Result: r.Result, Version: r.Version, Ticket: r.Ticket}
		switch r.Result {
		case tend.BulkChanged:
			a.Changed++
		case tend.BulkUnchanged:
			a.Unchanged++
		case tend.BulkRefused:
			a.Refused++
			a.Results[i].Error = problemOf(r.Err)
		}
	}
	return a
}

type mergeInput struct {
	IntoID int64 `json:"into_id"`
}

func (s *Server) mergeTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in mergeInput
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	if in.IntoID <= 0 {
		s.writeError(w, r, tend.FieldError(tend.EINVALID, "into_id", "name the id of the ticket to keep"))
		return
	}
	t, err := s.Tickets.MergeTicket(r.Context(), id, in.IntoID)
	respond(s, w, r, t, err)
}

type linkInput struct {
	TicketID int64 `json:"ticket_id"`
}

func (s *Server) linkTickets(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in linkInput
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	if in.TicketID <= 0 {
		s.writeError(w, r, tend.FieldError(tend.EINVALID, "ticket_id", "name the id of the related ticket"))
		return
	}
	t, err := s.Tickets.LinkTickets(r.Context(), id, in.TicketID)
	respond(s, w, r, t, err)
}

func (s *Server) unlinkTickets(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	other, err := strconv.ParseInt(r.PathValue("other"), 10, 64)
	if err != nil || other <= 0 {
		s.writeError(w, r, tend.Errorf(tend.ENOTFOUND, "%q is not a ticket id; ids are positive whole numbers.", r.PathValue("other")))
		return
	}
	t, err := s.Tickets.UnlinkTickets(r.Context(), id, other)
	respond(s, w, r, t, err)
}
