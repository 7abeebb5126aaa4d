package web

import (
	"net/http"
	"strconv"

	"github.com/tendhq/tend"
)

func (s *Server) listMacros(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := tend.MacroFilter{Q: q.str("q"), Scope: tend.MacroScope(q.str("scope")), Limit: q.limit(500)}
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, err := s.Macros.FindMacros(r.Context(), f)
	respondList(s, w, r, list, "", err)
}

func (s *Server) createMacro(w http.ResponseWriter, r *http.Request) {
	var in tend.MacroCreate
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	m, err := s.Macros.CreateMacro(r.Context(), &in)
	respondCreated(s, w, r, m, "macros", idOf(m, func(m *tend.Macro) int64 { return m.ID }), err)
}

func (s *Server) getMacro(w http.ResponseWriter, r *http.Request) {
	if id, ok := s.pathID(w, r); ok {
		m, err := s.Macros.FindMacroByID(r.Context(), id)
		respond(s, w, r, m, err)
	}
}

func (s *Server) updateMacro(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in tend.MacroUpdate
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	m, err := s.Macros.UpdateMacro(r.Context(), id, &in)
	respond(s, w, r, m, err)
}

func (s *Server) deleteMacro(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	if err := s.Macros.DeleteMacro(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// applyMacro serves POST /tickets/{id}/macros/{macro_id}: 200 with the
// rendered text for an insert, 201 for a change.
func (s *Server) applyMacro(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	macroID, err := strconv.ParseInt(r.PathValue("macro_id"), 10, 64)
	if err != nil || macroID <= 0 {
		s.writeError(w, r, tend.Errorf(tend.ENOTFOUND, "%q is not a macro id; ids are positive whole numbers.", r.PathValue("macro_id")))
		return
	}
	var in tend.MacroApply
	if r.ContentLength != 0 && !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	res, err := s.Macros.ApplyMacro(r.Context(), id, macroID, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if in.Insert {
		status = http.StatusOK
	}
	s.writeJSON(w, status, res)
}
