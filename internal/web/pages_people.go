package web

import (
	"net/http"
	"net/url"
	"strings"
)

// Customers and organizations: lists, profiles with their tickets, edits,
// and merging two customers.

func (s *Server) peopleRoutes(mux *http.ServeMux, forms func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("GET /customers", s.customerList)
	mux.HandleFunc("GET /customers/new", s.customerNewForm)
	mux.Handle("POST /customers", forms(s.customerCreate))
	mux.HandleFunc("GET /customers/{id}", s.customerShow)
	mux.HandleFunc("GET /customers/{id}/edit", s.customerEditForm)
	mux.Handle("POST /customers/{id}", forms(s.customerUpdate))
	mux.HandleFunc("GET /customers/{id}/merge", s.customerMergeConfirm)
	mux.Handle("POST /customers/{id}/merge", forms(s.customerMerge))
	mux.HandleFunc("GET /organizations", s.organizationList)
	mux.HandleFunc("GET /organizations/new", s.organizationNewForm)
	mux.Handle("POST /organizations", forms(s.organizationCreate))
	mux.HandleFunc("GET /organizations/{id}", s.organizationShow)
	mux.HandleFunc("GET /organizations/{id}/edit", s.organizationEditForm)
	mux.Handle("POST /organizations/{id}", forms(s.organizationUpdate))
}

// peopleFormLimit bounds a customer or organization form: notes may hold
// 20,000 characters, which URL-encoding can make several times longer.
const peopleFormLimit = 256 << 10

var customerNotices = map[string]string{
	"created": "The customer was added.",
	"saved":   "The customer was saved.",
	"merged":  "The customers were merged: the other one's tickets and addresses are here now.",
}

var organizationNotices = map[string]string{
	"created": "The organization was added.",
	"saved":   "The organization was saved.",
}

// pageLinks returns the URLs of the next page (from cursor next) and of
// the first page (when u is not on it), keeping u's other parameters.
func pageLinks(u *url.URL, next string) (nextURL, firstURL string) {
	if next != "" {
		nextURL = withParam(u, "cursor", next)
	}
	if u.Query().Get("cursor") != "" {
		firstURL = withParam(u, "cursor", "")
	}
	return nextURL, firstURL
}

// splitList reads addresses or domains typed one per line or separated
// by commas, semicolons or spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}
