package web

import (
	"net/http"
	"strings"
)

// The API of what mail may do: spam, the people of a conversation, whom a
// reply goes to, blocked senders and bouncing addresses.

// spamInput is the body of POST /tickets/{id}/spam.
type spamInput struct {
	Spam bool `json:"spam"`
}

func (s *Server) markSpam(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in spamInput
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	t, err := s.Tickets.MarkSpam(r.Context(), id, in.Spam)
	respond(s, w, r, t, err)
}

func (s *Server) getReplyRecipients(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		rr, err := s.Tickets.FindReplyRecipients(r.Context(), id)
		respond(s, w, r, rr, err)
	}
}

func (s *Server) listSuggestedParticipants(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		list, err := s.Tickets.FindSuggestedParticipants(r.Context(), id)
		respondList(s, w, r, list, "", err)
	}
}

// participantsInput is the body of POST /tickets/{id}/participants.
type participantsInput struct {
	Emails []string `json:"emails"`
}

func (s *Server) addParticipants(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in participantsInput
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	t, err := s.Tickets.AddParticipants(r.Context(), id, in.Emails)
	respond(s, w, r, t, err)
}

func (s *Server) removeParticipant(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		t, err := s.Tickets.RemoveParticipant(r.Context(), id, r.PathValue("email"))
		respond(s, w, r, t, err)
	}
}

func (s *Server) clearBouncing(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		c, err := s.Customers.ClearBouncing(r.Context(), id, r.PathValue("email"))
		respond(s, w, r, c, err)
	}
}

func (s *Server) listBlockedSenders(w http.ResponseWriter, r *http.Request) {
	list, err := s.BlockedSenders.FindBlockedSenders(r.Context())
	respondList(s, w, r, list, "", err)
}

// blockInput is the body of POST /mail/blocked.
type blockInput struct {
	Pattern string `json:"pattern"`
}

func (s *Server) blockSender(w http.ResponseWriter, r *http.Request) {
	var in blockInput
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	b, err := s.BlockedSenders.BlockSender(r.Context(), in.Pattern)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, b)
}

func (s *Server) unblockSender(w http.ResponseWriter, r *http.Request) {
	if err := s.BlockedSenders.UnblockSender(r.Context(), strings.TrimSpace(r.PathValue("pattern"))); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
