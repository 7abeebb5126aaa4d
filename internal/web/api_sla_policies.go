package web

import (
	"net/http"

	"github.com/tendhq/tend"
)

func (s *Server) listSLAPolicies(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.SLAPolicies.FindSLAPolicies(r.Context())
	respondList(s, w, r, list, "", err)
}

func (s *Server) createSLAPolicy(w http.ResponseWriter, r *http.Request) {
	var in tend.SLAPolicyInput
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	p, err := s.SLAPolicies.CreateSLAPolicy(r.Context(), &in)
	respondCreated(s, w, r, p, "sla-policies", idOf(p, func(p *tend.SLAPolicy) int64 { return p.ID }), err)
}

func (s *Server) getSLAPolicy(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		p, err := s.SLAPolicies.FindSLAPolicyByID(r.Context(), id)
		respond(s, w, r, p, err)
	}
}

func (s *Server) updateSLAPolicy(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var patch tend.SLAPolicyPatch
	if !s.decode(w, r, &patch, s.MaxBodySize) {
		return
	}
	p, err := s.SLAPolicies.UpdateSLAPolicy(r.Context(), id, &patch)
	respond(s, w, r, p, err)
}

func (s *Server) deleteSLAPolicy(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	if err := s.SLAPolicies.DeleteSLAPolicy(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
