package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// bulkPage tells what a bulk change from a list did.
type bulkPage struct {
	basePage
	Changed, Unchanged int
	Refused            []bulkRefusal
	Back               string
}

type bulkRefusal struct {
	Number int64
	ID     int64
	Reason string
}

// ticketBulk serves POST /tickets/bulk: the tickets ticked in a list
// (id=...) get the changes chosen in the bar above it. The form's key
// makes a second submission answer as the first did.
func (s *Server) ticketBulk(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/tickets") || strings.HasPrefix(back, "//") {
		back = "/tickets"
	}
	u, err := bulkUpdateOf(r)
	if err != nil {
		s.formError(w, r, agent, err, back)
		return
	}
	b := &tend.TicketBulkUpdate{Update: u, IdempotencyKey: "bulk-form:" + r.PostFormValue("key")}
	if r.PostFormValue("key") == "" {
		b.IdempotencyKey = ""
	}
	for _, v := range r.PostForm["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.formError(w, r, agent, tend.FieldError(tend.EINVALID, "ids", "%q is not a ticket id", v), back)
			return
		}
		b.IDs = append(b.IDs, id)
	}
	if len(b.IDs) == 0 {
		s.formError(w, r, agent, tend.Errorf(tend.EINVALID, "Tick at least one ticket in the list, then choose what to change."), back)
		return
	}
	results, err := s.Tickets.BulkUpdateTickets(ctx, b)
	if err != nil {
		s.formError(w, r, agent, err, back)
		return
	}
	page := bulkPage{basePage: s.base(w, r, "Changed tickets", agent), Back: back}
	for _, res := range results {
		switch res.Result {
		case tend.BulkChanged:
			page.Changed++
		case tend.BulkUnchanged:
			page.Unchanged++
		default:
			ref := bulkRefusal{ID: res.ID, Reason: tend.ErrorMessage(res.Err)}
			if t, err := s.Tickets.FindTicketByID(ctx, res.ID); err == nil {
				ref.Number = t.Number
			}
			page.Refused = append(page.Refused, ref)
		}
	}
	if len(page.Refused) == 0 {
		http.Redirect(w, r, withNotice(back, fmt.Sprintf("bulk-%d-%d", page.Changed, page.Unchanged)), http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "bulk", page)
}

// bulkUpdateOf reads the bar's choices; an empty choice changes nothing.
func bulkUpdateOf(r *http.Request) (*tend.TicketUpdate, error) {
	u := &tend.TicketUpdate{}
	if v := r.PostFormValue("status"); v != "" {
		st := tend.Status(v)
		u.Status = &st
	}
	if v := r.PostFormValue("priority"); v != "" {
		p := tend.Priority(v)
		u.Priority = &p
	}
	if v := r.PostFormValue("owner_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, tend.FieldError(tend.EINVALID, "owner_id", "choose an owner from the list")
		}
		u.OwnerID = &id
	}
	switch v := r.PostFormValue("team_id"); v {
	case "":
	case "none":
		u.TeamID = new(int64)
	default:
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, tend.FieldError(tend.EINVALID, "team_id", "choose a team from the list")
		}
		u.TeamID = &id
	}
	u.AddTags = splitList(r.PostFormValue("add_tag"))
	u.RemoveTags = splitList(r.PostFormValue("remove_tag"))
	return u, nil
}

// withNotice sets done=notice in a list's address.
func withNotice(back, notice string) string {
	u, err := url.Parse(back)
	if err != nil {
		return "/tickets?done=" + notice
	}
	q := u.Query()
	q.Set("done", notice)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// bulkNotice reads back the notice of a bulk change that refused nothing.
func bulkNotice(done string) string {
	var changed, unchanged int
	if _, err := fmt.Sscanf(done, "bulk-%d-%d", &changed, &unchanged); err != nil {
		return ""
	}
	msg := fmt.Sprintf("Changed %d %s.", changed, either(changed, "ticket", "tickets"))
	if unchanged > 0 {
		msg += fmt.Sprintf(" %d already had those values.", unchanged)
	}
	return msg
}
