package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// formIDs reads the ids a posted form chose. An empty field is no choice
// (0); a field that is not an id is a problem to show beside it, never
// read as 0: "lead_id=abc" must not clear a team's lead, nor
// "agent_id=abc" make a token for the caller.
type formIDs struct {
	form     func(name string) []string
	problems tend.Problems
}

func newFormIDs(r *http.Request) *formIDs {
	r.PostFormValue("") // parses the form, as reading any field does
	return &formIDs{form: func(name string) []string { return r.PostForm[name] }, problems: tend.Problems{}}
}

// one reads an optional id, where "" and "0" (a select's "none") are no
// choice; what names the choice in the message, as in "an agent".
func (f *formIDs) one(name, what string) int64 {
	v := ""
	switch vs := f.form(name); len(vs) {
	case 0:
	case 1:
		v = strings.TrimSpace(vs[0])
	default:
		f.problems.Add(name, "choose %s once, not %d times", what, len(vs))
		return 0
	}
	if v == "" || v == "0" {
		return 0
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		f.problems.Add(name, "%q is not one of the choices; choose %s from the list", v, what)
		return 0
	}
	return id
}

// all reads a field that may repeat, each value an id.
func (f *formIDs) all(name, what string) []int64 {
	var ids []int64
	for _, v := range f.form(name) {
		id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || id <= 0 {
			f.problems.Add(name, "%q is not one of the choices; choose %s from the list", v, what)
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// err returns EINVALID naming each field that was not an id, or nil.
func (f *formIDs) err() error { return f.problems.Err() }
