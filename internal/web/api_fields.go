package web

import (
	"net/http"

	"github.com/tendhq/tend"
)

func (s *Server) listFields(w http.ResponseWriter, r *http.Request) {
	if err := newQuery(r).err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.Fields.FindFields(r.Context())
	respondList(s, w, r, list, "", err)
}

func (s *Server) createField(w http.ResponseWriter, r *http.Request) {
	var in tend.FieldInput
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	f, err := s.Fields.CreateField(r.Context(), &in)
	respondCreated(s, w, r, f, "fields", idOf(f, func(f *tend.Field) int64 { return f.ID }), err)
}

func (s *Server) getField(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		f, err := s.Fields.FindFieldByID(r.Context(), id)
		respond(s, w, r, f, err)
	}
}

func (s *Server) updateField(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var patch tend.FieldPatch
	if !s.decode(w, r, &patch, s.MaxBodySize) {
		return
	}
	f, err := s.Fields.UpdateField(r.Context(), id, &patch)
	respond(s, w, r, f, err)
}

func (s *Server) deleteField(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	if err := s.Fields.DeleteField(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
