package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// The ticket page's details: owner, team, priority, status and tags.
//
// The form carries, beside each field, the value the page was loaded with
// (loaded_priority, ...), so that saving changes only what the agent
// changed: someone else's change to another field since stays. When both
// changed the same field to different values, nothing is saved, and the
// page shows the other person's value beside the agent's choice, which
// saving again applies.

// sideFields are the details the form edits, named as the form names them;
// after them come the custom fields, named fields.KEY.
var sideFields = []string{"owner_id", "team_id", "priority", "status", "tags"}

const customFieldPrefix = "fields."

// withCustomFields returns sideFields followed by the custom fields'
// names in the form.
func withCustomFields(fields []*tend.Field) []string {
	names := slices.Clone(sideFields)
	for _, f := range fields {
		names = append(names, customFieldPrefix+f.Key)
	}
	return names
}

// customFieldsSent returns sideFields followed by the custom fields a
// form sent.
func customFieldsSent(form url.Values) []string {
	names := slices.Clone(sideFields)
	var custom []string
	for name := range form {
		if strings.HasPrefix(name, customFieldPrefix) && len(name) > len(customFieldPrefix) {
			custom = append(custom, name)
		}
	}
	slices.Sort(custom)
	return append(names, custom...)
}

// sideValue returns field of t as the form writes it: owner_id "" for
// nobody, team_id "0" for no team, tags as "a, b".
func sideValue(t *tend.Ticket, field string) string {
	switch field {
	case "owner_id":
		if t.OwnerID != nil {
			return strconv.FormatInt(*t.OwnerID, 10)
		}
		return ""
	case "team_id":
		if t.TeamID != nil {
			return strconv.FormatInt(*t.TeamID, 10)
		}
		return "0"
	case "priority":
		return string(t.Priority)
	case "status":
		return string(t.Status)
	case "tags":
		return strings.Join(t.Tags, ", ")
	}
	if key, ok := strings.CutPrefix(field, customFieldPrefix); ok {
		return t.Fields[key]
	}
	return ""
}

// sideEdit is what the details form sent: for each field it sent, the
// value chosen and the value its page was loaded with.
type sideEdit struct {
	sent, loaded map[string]string
	// unloaded is a form from before forms said what they were loaded
	// with: its fields are compared with the ticket as it is, and its
	// version guards against overwriting a change it did not see.
	unloaded bool
	version  *int64
	take     bool
	// fields are the names the form sent values for: sideFields and the
	// custom fields on its page.
	fields []string
}

// readSideEdit reads the details form, or the "Take it" button, which
// chooses the agent as owner.
func readSideEdit(r *http.Request, t *tend.Ticket, agent *tend.Agent) (*sideEdit, error) {
	e := &sideEdit{sent: map[string]string{}, loaded: map[string]string{}, take: r.PostFormValue("take") != "",
		fields: customFieldsSent(r.PostForm)}
	form := r.PostForm
	ids := newFormIDs(r)
	id := func(name, what string) string {
		if n := ids.one(name, what); n != 0 {
			return strconv.FormatInt(n, 10)
		}
		return ""
	}
	for _, field := range e.names() {
		if form.Has("loaded_" + field) {
			e.loaded[field] = strings.TrimSpace(form.Get("loaded_" + field))
		}
	}
	if e.take {
		e.sent["owner_id"] = strconv.FormatInt(agent.ID, 10)
	} else {
		for _, field := range e.names() {
			if !form.Has(field) {
				continue
			}
			switch field {
			case "owner_id":
				// No owner chosen ("Nobody yet", or a deactivated owner
				// kept) changes nothing.
				e.sent[field] = id(field, "an agent")
			case "team_id":
				// "No team" (0) clears the team.
				e.sent[field] = cmp.Or(id(field, "a team"), "0")
			default:
				e.sent[field] = strings.TrimSpace(form.Get(field))
			}
		}
	}
	if err := ids.err(); err != nil {
		return e, err
	}
	e.loaded["team_id"] = cmp.Or(e.loaded["team_id"], "0")
	if !form.Has("loaded_owner_id") {
		e.unloaded = true
		for _, field := range e.names() {
			e.loaded[field] = sideValue(t, field)
		}
		if v := form.Get("version"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return e, tend.FieldError(tend.EINVALID, "version", "this form does not say which version of the ticket it shows; reload the page and try again")
			}
			e.version = &n
		}
	}
	return e, nil
}

// names are the fields the form sent: sideFields, and the custom fields
// of its page.
func (e *sideEdit) names() []string {
	if e.fields == nil {
		return sideFields
	}
	return e.fields
}

// changed reports whether the agent changed field: chose a value other
// than the one their page showed.
func (e *sideEdit) changed(field string) bool {
	v, ok := e.sent[field]
	switch {
	case !ok, field == "owner_id" && v == "":
		return false
	case field == "tags":
		return !slices.Equal(splitTags(v), splitTags(e.loaded[field]))
	}
	return v != e.loaded[field]
}

// clashes returns the fields the agent changed that someone else changed
// too, to something else, since the page was loaded.
func (e *sideEdit) clashes(t *tend.Ticket) []string {
	var fields []string
	for _, field := range e.names() {
		// Tags are a set: what each added and removed can both be done.
		if field == "tags" || !e.changed(field) {
			continue
		}
		if now := sideValue(t, field); now != e.loaded[field] && now != e.sent[field] {
			fields = append(fields, field)
		}
	}
	return fields
}

// update is the change to t that the agent made: the fields they changed,
// and of the tags those they added and removed.
func (e *sideEdit) update(t *tend.Ticket) *tend.TicketUpdate {
	u := &tend.TicketUpdate{Version: e.version}
	for _, field := range e.names() {
		if !e.changed(field) {
			continue
		}
		v := e.sent[field]
		switch field {
		case "owner_id", "team_id":
			n, _ := strconv.ParseInt(v, 10, 64)
			if field == "owner_id" {
				u.OwnerID = &n
			} else {
				u.TeamID = &n
			}
		case "priority":
			p := tend.Priority(v)
			u.Priority = &p
		case "status":
			st := tend.Status(v)
			u.Status = &st
		case "tags":
			sent, loaded := splitTags(v), splitTags(e.loaded[field])
			u.AddTags = missing(sent, loaded)
			u.RemoveTags = missing(loaded, sent)
		default:
			if key, ok := strings.CutPrefix(field, customFieldPrefix); ok {
				if u.Fields == nil {
					u.Fields = map[string]string{}
				}
				u.Fields[key] = v
			}
		}
	}
	return u
}

// shown is the value the details form shows for field after a refusal:
// the agent's where they changed it, the ticket's as it is elsewhere.
func (e *sideEdit) shown(t *tend.Ticket, field string) string {
	if e.changed(field) {
		return e.sent[field]
	}
	return sideValue(t, field)
}

// splitTags reads tags typed with commas, as the store will keep them.
func splitTags(s string) []string {
	var tags []string
	for _, tag := range strings.Split(s, ",") {
		if tag = tend.NormalizeTag(tag); tag != "" {
			tags = append(tags, tag)
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(tags)))
}

// missing returns the elements of a that are not in b.
func missing(a, b []string) []string {
	var out []string
	for _, s := range a {
		if !slices.Contains(b, s) {
			out = append(out, s)
		}
	}
	return out
}

// ticketUpdate serves POST /tickets/{number}: owner, team, priority,
// status and tags, as far as the agent changed them. A form that is
// refused is held for the ticket page to show again (see held forms).
func (s *Server) ticketUpdate(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	number, ok := ticketNumber(r)
	if !ok {
		http.NotFound(w, r)
		return
	}
	back := "/tickets/" + strconv.FormatInt(number, 10)
	t, err := s.Tickets.FindTicketByNumber(ctx, number)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	e, err := readSideEdit(r, t, agent)
	refuse := func(status int, said string, problems map[string]string) {
		token := s.held.hold(&heldForm{agentID: agent.ID, number: number, status: status, side: e, err: said, problems: problems})
		http.Redirect(w, r, back+"?held="+token+"#details", http.StatusSeeOther)
	}
	if err != nil {
		refuse(httpStatus(err), problemsSaid(err, "Nothing was saved: correct what is marked.", e.names()), tend.ErrorFields(err))
		return
	}
	// The ticket is read, merged with and saved at its version; should it
	// change between the two, it is read and merged again.
	for try := 0; ; try++ {
		if clash := e.clashes(t); len(clash) > 0 {
			refuse(http.StatusConflict, "Nothing was saved: someone else changed this ticket while you had it open. Your choices are kept below, beside what they made it; save again to make them yours.", nil)
			return
		}
		u := e.update(t)
		if u.Empty() {
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		if !e.unloaded {
			u.Version = &t.Version
		}
		_, err = s.Tickets.UpdateTicket(ctx, t.ID, u)
		if tend.ErrorCode(err) != tend.ESTALE || e.unloaded || try == 2 {
			if err != nil && u.Status != nil && isStatusRefusal(err) {
				if now, ferr := s.Tickets.FindTicketByNumber(ctx, number); ferr == nil {
					err = tend.FieldError(tend.ECONFLICT, "status", "%s", statusRefusal(now, *u.Status))
				}
			}
			break
		}
		if t, err = s.Tickets.FindTicketByNumber(ctx, number); err != nil {
			break
		}
	}
	switch code := tend.ErrorCode(err); {
	case code == "":
	case code == tend.ESTALE:
		refuse(http.StatusConflict, "Nothing was saved: someone changed this ticket while you had it open. Your choices are kept below; save again to make them.", nil)
		return
	case code == tend.EINVALID || code == tend.ECONFLICT:
		// Marked are the fields the page will show: a custom field
		// deleted since the form was loaded is said in words.
		shown := sideFields
		if fields, ferr := s.Fields.FindFields(ctx); ferr == nil {
			shown = withCustomFields(fields)
		}
		refuse(httpStatus(err), problemsSaid(err, "Nothing was saved: correct what is marked.", shown), tend.ErrorFields(err))
		return
	default:
		s.formError(w, r, agent, err, back)
		return
	}
	done := "updated"
	if e.take {
		done = "assigned"
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
}

// sideForm is the details form as the page shows it.
type sideForm struct {
	// Values are the choices shown, Loaded what the form says it was
	// loaded with: the ticket as it is.
	Values, Loaded map[string]string
	// Problems are beside their fields: a clash with someone else's
	// change, or what was wrong with a choice.
	Problems map[string]string
	Error    string
}

// OwnerID and TeamID are the ids chosen, for the template.
func (f *sideForm) OwnerID() int64 { n, _ := strconv.ParseInt(f.Values["owner_id"], 10, 64); return n }
func (f *sideForm) TeamID() int64  { n, _ := strconv.ParseInt(f.Values["team_id"], 10, 64); return n }

// sideFormOf is the details form of t; e, when not nil, is a refused
// edit shown again, with why.
func sideFormOf(t *tend.Ticket, e *sideEdit, st *staff, said string, problems map[string]string, fields []*tend.Field) *sideForm {
	f := &sideForm{Values: map[string]string{}, Loaded: map[string]string{}, Problems: map[string]string{}, Error: said}
	for _, field := range withCustomFields(fields) {
		f.Loaded[field] = sideValue(t, field)
		f.Values[field] = f.Loaded[field]
		if e != nil {
			f.Values[field] = e.shown(t, field)
		}
	}
	for field, p := range problems {
		f.Problems[field] = p
	}
	if e == nil {
		return f
	}
	for _, field := range e.clashes(t) {
		f.Problems[field] = clashWords(st, field, sideValue(t, field), e.sent[field])
	}
	return f
}

// clashWords says that someone else made field theirs while the agent
// chose mine.
func clashWords(st *staff, field, theirs, mine string) string {
	name := func(v string) string {
		n, _ := strconv.ParseInt(v, 10, 64)
		switch {
		case field == "owner_id" && n == 0:
			return "nobody"
		case field == "owner_id":
			return st.agentName(n)
		case field == "team_id" && st.team[n] != nil:
			return st.team[n].Name
		case field == "team_id":
			return "no team"
		}
		return label(v)
	}
	did := map[string]string{"owner_id": "gave it to", "team_id": "moved it to"}[field]
	if did == "" {
		did = "made it"
	}
	return fmt.Sprintf("Someone else %s %s while you had this page open; you chose %s.", did, name(theirs), name(mine))
}
