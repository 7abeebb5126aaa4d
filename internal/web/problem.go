package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// statusOf maps each error code to its one HTTP status.
var statusOf = map[string]int{
	tend.EINVALID:      http.StatusBadRequest,
	tend.EUNAUTHORIZED: http.StatusUnauthorized,
	tend.EFORBIDDEN:    http.StatusForbidden,
	tend.ENOTFOUND:     http.StatusNotFound,
	tend.ECONFLICT:     http.StatusConflict,
	tend.ESTALE:        http.StatusConflict,
	tend.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	tend.ETOOMANY:      http.StatusTooManyRequests,
	tend.EINTERNAL:     http.StatusInternalServerError,
}

// problem is an RFC 9457 problem document.
type problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail"`
	Code   string         `json:"code"`
	Errors []fieldProblem `json:"errors,omitempty"`
	// NewMessages are the customer's messages a reply had not seen.
	NewMessages []*tend.Message `json:"new_messages,omitempty"`
}

type fieldProblem struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// writeError answers with err as a problem. Internal errors are logged and
// shown to the caller only as a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := tend.ErrorCode(err)
	if code == tend.EINTERNAL {
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status := httpStatus(err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tend"`)
	}
	setRetryAfter(w, err)
	s.writeProblemOf(w, r, status, code, tend.ErrorMessage(err), tend.ErrorFields(err), tend.ErrorNewMessages(err))
}

func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, status int, code, detail string, fields map[string]string) {
	s.writeProblemOf(w, r, status, code, detail, fields, nil)
}

func (s *Server) writeProblemOf(w http.ResponseWriter, r *http.Request, status int, code, detail string, fields map[string]string,
	unread []*tend.Message) {
	p := newProblem(status, code, detail, fields)
	p.NewMessages = unread
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := jsonEncode(w, p); err != nil {
		s.Logger.Warn("write problem", "err", err)
	}
}

func newProblem(status int, code, detail string, fields map[string]string) *problem {
	p := &problem{Type: "urn:tend:problem:" + code, Title: http.StatusText(status), Status: status, Detail: detail, Code: code}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p.Errors = append(p.Errors, fieldProblem{Field: k, Detail: fields[k]})
	}
	return p
}

// problemOf is err as the problem writeError would answer with.
func problemOf(err error) *problem {
	return newProblem(httpStatus(err), tend.ErrorCode(err), tend.ErrorMessage(err), tend.ErrorFields(err))
}

// apiNotFound answers requests no API route took: 405 naming the allowed
// methods when the path exists, 404 otherwise.
func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	var allowed []string
	path := strings.TrimPrefix(r.URL.Path, apiPrefix)
	for _, rt := range s.apiRoutes() {
		if pathMatches(rt.path, path) {
			allowed = append(allowed, rt.method)
		}
	}
	if len(allowed) > 0 {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.writeProblem(w, r, http.StatusMethodNotAllowed, tend.EINVALID,
			fmt.Sprintf("%s does not take %s; it takes %s.", r.URL.Path, r.Method, strings.Join(allowed, ", ")), nil)
		return
	}
	s.writeProblem(w, r, http.StatusNotFound, tend.ENOTFOUND,
		"There is no API endpoint "+r.Method+" "+r.URL.Path+"; see /api/v1/openapi.json for the list.", nil)
}

// pathMatches reports whether path fits pattern, whose {name} segments
// match any one segment.
func pathMatches(pattern, path string) bool {
	ps, qs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(qs) {
		return false
	}
	for i := range ps {
		if ps[i] != qs[i] && !(strings.HasPrefix(ps[i], "{") && qs[i] != "") {
			return false
		}
	}
	return true
}

// httpStatus is the status that answers err.
func httpStatus(err error) int {
	if status, ok := statusOf[tend.ErrorCode(err)]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// setRetryAfter tells the client how long err says to wait, in whole
// seconds rounded up.
func setRetryAfter(w http.ResponseWriter, err error) {
	if wait := tend.ErrorRetryAfter(err); wait > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10))
	}
}
