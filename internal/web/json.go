package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/tendhq/tend"
)

// decode reads one JSON object from the request into v, refusing unknown
// fields, wrong types, trailing data and bodies over limit bytes. On
// failure it writes the problem and returns false.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any, limit int64) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			s.writeProblem(w, r, http.StatusUnsupportedMediaType, tend.EINVALID,
				fmt.Sprintf("Send the body as JSON with Content-Type: application/json, not %q.", ct), nil)
			return false
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		s.writeError(w, r, decodeError(err, v))
		return false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeError(w, r, decodeError(err, v))
		} else {
			s.writeError(w, r, tend.Errorf(tend.EINVALID, "The body must hold one JSON object and nothing after it."))
		}
		return false
	}
	return true
}

// decodeError explains what is wrong with a body in terms of its fields.
func decodeError(err error, v any) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return tend.Errorf(tend.ETOOLARGE, "The body is larger than the limit of %d bytes.", tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return tend.Errorf(tend.EINVALID, "The body is empty; send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return tend.Errorf(tend.EINVALID, "The body is not valid JSON: it ends too early.")
	case errors.As(err, &syntax):
		return tend.Errorf(tend.EINVALID, "The body is not valid JSON: %s (at byte %d).", syntax.Error(), syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return tend.Errorf(tend.EINVALID, "The body must be a JSON object, not %s.", jsonKind(typ.Value))
		}
		msg := fmt.Sprintf("must be %s, not %s", describeType(typ.Type), jsonKind(typ.Value))
		return tend.FieldError(tend.EINVALID, typ.Field, "%s", msg)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return tend.Errorf(tend.EINVALID, "Unknown field %s, in the body or an object within it; the body's own fields are: %s.", field, strings.Join(jsonFields(v), ", "))
	}
	return tend.Errorf(tend.EINVALID, "The body could not be read: %v", err)
}

func jsonKind(v string) string {
	switch v {
	case "number", "string", "bool":
		return "a " + strings.Replace(v, "bool", "boolean", 1)
	case "array", "object":
		return "an " + v
	}
	if n, ok := strings.CutPrefix(v, "number "); ok {
		return n // "must be a whole number, not 1.5"
	}
	return v
}

func describeType(t reflect.Type) string {
	if t == reflect.TypeFor[nullableID]() {
		return "a positive id or null"
	}
	if t == reflect.TypeFor[tend.FieldValues]() {
		return "an object of values by field key"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8:
		return "a whole number"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "a base64 string"
		}
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(describeType(t.Elem()), "a "), "an ") + "s"
	case reflect.Struct:
		return "an object"
	}
	return t.String()
}

// jsonFields lists the JSON names of the fields of v's struct type.
func jsonFields(v any) []string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// writeJSON writes v with the given status.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	if err := enc.Encode(v); err != nil {
		s.Logger.Warn("write response", "err", err)
	}
}

// page is the body of every list response.
type page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func newPage[T any](items []T, next string) page[T] {
	p := page[T]{Items: items}
	if items == nil {
		p.Items = []T{}
	}
	if next != "" {
		p.NextCursor = &next
	}
	return p
}

// nullableID is a JSON id that may be null to clear a reference. Set tells
// whether the field was present at all.
type nullableID struct {
	Set   bool
	Value int64 // 0 for null
}

func (n *nullableID) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		n.Value = 0
		return nil
	}
	if err := json.Unmarshal(b, &n.Value); err != nil || n.Value <= 0 {
		// The decoder adds the field's name to this error.
		return &json.UnmarshalTypeError{Value: jsonValueKind(b), Type: reflect.TypeFor[nullableID]()}
	}
	return nil
}

// ptr returns the id as an update field: nil when absent, 0 to clear.
func (n nullableID) ptr() *int64 {
	if !n.Set {
		return nil
	}
	v := n.Value
	return &v
}

func jsonValueKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '"':
		return "string"
	case b[0] == '{':
		return "object"
	case b[0] == '[':
		return "array"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	}
	return "number " + string(b)
}
