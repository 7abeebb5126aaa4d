package web

import "net/http"

// Customers and organizations: lists, profiles with their tickets, edits,
// and merging two customers.

func (s *Server) peopleRoutes(mux *http.ServeMux, forms func(http.HandlerFunc) http.Handler) {
}
