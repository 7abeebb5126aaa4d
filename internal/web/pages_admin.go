package web

import "net/http"

// Settings for admins: agents, teams and API tokens. Mail has its own file.

func (s *Server) adminRoutes(mux *http.ServeMux, forms func(http.HandlerFunc) http.Handler) {
}
