package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/blob"
)

// uploadLimit bounds a request that may carry attachments: one file of
// the largest size in base64, and the rest of the body.
func (s *Server) uploadLimit() int64 { return s.MaxAttachmentSize/3*4 + 4 + s.MaxBodySize }

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := readTicketFilter(q)
	f.Sort, f.Cursor, f.Limit = tend.TicketSort(q.str("sort")), q.str("cursor"), q.limit(tend.MaxPageSize)
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	tickets, next, err := s.Tickets.FindTickets(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, newPage(tickets, next))
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) {
	var in tend.TicketCreate
	if !s.decode(w, r, &in, s.uploadLimit()) {
		return
	}
	in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	t, err := s.Tickets.CreateTicket(r.Context(), &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("%s/tickets/%d", apiPrefix, t.ID))
	w.Header().Set("ETag", etag(t.Version))
	s.writeJSON(w, http.StatusCreated, t)
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	t, err := s.Tickets.FindTicketByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(t.Version))
	s.writeJSON(w, http.StatusOK, t)
}

// ticketPatch is the body of PATCH /tickets/{id}.
type ticketPatch struct {
	Subject    *string          `json:"subject"`
	Status     *tend.Status     `json:"status"`
	Priority   *tend.Priority   `json:"priority"`
	OwnerID    nullableID       `json:"owner_id"`
	TeamID     nullableID       `json:"team_id"`
	Tags       *[]string        `json:"tags"`
	AddTags    []string         `json:"add_tags"`
	RemoveTags []string         `json:"remove_tags"`
	Fields     tend.FieldValues `json:"fields"`
	Version    *int64           `json:"version"`
}

func (s *Server) updateTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in ticketPatch
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	u := &tend.TicketUpdate{Subject: in.Subject, Status: in.Status, Priority: in.Priority, OwnerID: in.OwnerID.ptr(),
		TeamID: in.TeamID.ptr(), Tags: in.Tags, AddTags: in.AddTags, RemoveTags: in.RemoveTags, Fields: in.Fields,
		Version: in.Version}
	if m := r.Header.Get("If-Match"); m != "" && u.Version == nil {
		v, err := parseETag(m)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		u.Version = &v
	}
	t, err := s.Tickets.UpdateTicket(r.Context(), id, u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("ETag", etag(t.Version))
	s.writeJSON(w, http.StatusOK, t)
}

// A ticket's ETag is its version, so that If-Match guards an update.
func etag(version int64) string { return `"` + strconv.FormatInt(version, 10) + `"` }

func parseETag(s string) (int64, error) {
	v := strings.Trim(strings.TrimPrefix(strings.TrimSpace(s), "W/"), `"`)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, tend.Errorf(tend.EINVALID, "If-Match must be the ETag of the ticket, such as \"3\".")
	}
	return n, nil
}

func (s *Server) addMessage(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in tend.MessageCreate
	if !s.decode(w, r, &in, s.uploadLimit()) {
		return
	}
	in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	m, err := s.Tickets.AddMessage(r.Context(), id, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, m)
}

func (s *Server) listTicketEvents(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	q := newQuery(r)
	limit, cursor := q.limit(tend.MaxPageSize), q.str("cursor")
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	events, next, err := s.Tickets.FindTicketEvents(r.Context(), id, cursor, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, newPage(events, next))
}

// inlineTypes are shown in the browser; anything else is downloaded, so
// that an attachment can never run as a page of Tend's origin.
var inlineTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true,
}

func (s *Server) getAttachment(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	a, err := s.Tickets.FindAttachmentByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := s.Blobs.Get(a.SHA256)
	if errors.Is(err, blob.ErrNotFound) {
		s.writeError(w, r, tend.Errorf(tend.ENOTFOUND, "The content of attachment %d is missing from the data folder.", id))
		return
	} else if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer f.Close()
	disposition := "attachment"
	contentType := a.ContentType
	if inlineTypes[contentType] {
		disposition = "inline"
	} else {
		contentType = "application/octet-stream"
	}
	if contentType == "text/plain" {
		contentType += "; charset=utf-8"
	}
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("ETag", `"`+a.SHA256+`"`)
	http.ServeContent(w, r, "", time.Time{}, f)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	limit, text, cursor := q.limit(tend.MaxSearchResults), q.str("q"), q.str("cursor")
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	hits, next, err := s.Search.Search(r.Context(), text, tend.SearchFilter{}, cursor, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, newPage(hits, next))
}
