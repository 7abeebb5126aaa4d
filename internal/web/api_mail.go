package web

import (
	"net/http"

	"github.com/tendhq/tend"
)

// The email channel: support addresses and the record of mail received.

func (s *Server) listMailboxes(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.Mailboxes.FindMailboxes(r.Context())
	respondList(s, w, r, list, "", err)
}

func (s *Server) createMailbox(w http.ResponseWriter, r *http.Request) {
	var in tend.MailboxCreate
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	m, err := s.Mailboxes.CreateMailbox(r.Context(), &in)
	respondCreated(s, w, r, m, "mailboxes", idOf(m, func(m *tend.Mailbox) int64 { return m.ID }), err)
}

func (s *Server) getMailbox(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		m, err := s.Mailboxes.FindMailboxByID(r.Context(), id)
		respond(s, w, r, m, err)
	}
}

// mailboxPatch is the body of PATCH /mailboxes/{id}.
type mailboxPatch struct {
	Address         *string         `json:"address"`
	Name            *string         `json:"name"`
	TeamID          nullableID      `json:"team_id"`
	IMAP            *tend.IMAPInput `json:"imap"`
	Signature       *string         `json:"signature"`
	Acknowledgement *string         `json:"acknowledgement"`
}

func (s *Server) updateMailbox(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in mailboxPatch
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	m, err := s.Mailboxes.UpdateMailbox(r.Context(), id, &tend.MailboxUpdate{Address: in.Address, Name: in.Name,
		TeamID: in.TeamID.ptr(), IMAP: in.IMAP, Signature: in.Signature, Acknowledgement: in.Acknowledgement})
	respond(s, w, r, m, err)
}

func (s *Server) listInbound(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := tend.InboundFilter{Cursor: q.str("cursor"), Limit: q.limit(tend.MaxPageSize)}
	if v := q.str("outcome"); v != "" {
		o := tend.InboundOutcome(v)
		f.Outcome = &o
	}
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, next, err := s.Inbound.FindInbound(r.Context(), f)
	respondList(s, w, r, list, next, err)
}

func (s *Server) getInbound(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		rec, err := s.Inbound.FindInboundByID(r.Context(), id)
		respond(s, w, r, rec, err)
	}
}

func (s *Server) retryInbound(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		rec, err := s.RetryInbound(r.Context(), id)
		respond(s, w, r, rec, err)
	}
}

// getInboundRaw answers with the mail as it was received, any mail and not
// only quarantined mail.
func (s *Server) getInboundRaw(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		if err := s.writeInboundRaw(w, r, id); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// takeInbound makes a ticket of a quarantined mail by hand.
func (s *Server) takeInbound(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		rec, err := s.Quarantine.TakeAsTicket(r.Context(), id)
		respond(s, w, r, rec, err)
	}
}
