package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

var ticketRelatedNotices = map[string]string{
	"linked":   "Linked: each ticket lists the other under Related tickets.",
	"unlinked": "The link is removed from both tickets.",
}

// ticketRelated serves POST /tickets/{number}/related: link=N links
// ticket #N, unlink=N removes that link, and merge=N with confirm=1
// merges this ticket into #N and opens that one.
func (s *Server) ticketRelated(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	t, back, ok := s.formTicket(w, r, ctx, agent)
	if !ok {
		return
	}
	field, raw := "link", r.PostFormValue("link")
	switch {
	case r.PostFormValue("unlink") != "":
		field, raw = "unlink", r.PostFormValue("unlink")
	case r.PostFormValue("merge") != "":
		field, raw = "merge", r.PostFormValue("merge")
	}
	number, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(raw), "#"), 10, 64)
	if err != nil || number <= 0 {
		s.formError(w, r, agent, tend.FieldError(tend.EINVALID, field, "name a ticket by its number, such as 1042"), back)
		return
	}
	other, err := s.Tickets.FindTicketByNumber(ctx, number)
	if err != nil {
		s.formError(w, r, agent, err, back)
		return
	}
	switch field {
	case "merge":
		if r.PostFormValue("confirm") != "1" {
			s.formError(w, r, agent, tend.FieldError(tend.EINVALID, "confirm", "tick the box to say this ticket's messages move to #%d and this one closes", number), back)
			return
		}
		if _, err := s.Tickets.MergeTicket(ctx, t.ID, other.ID); err != nil {
			s.formError(w, r, agent, err, back)
			return
		}
		http.Redirect(w, r, "/tickets/"+strconv.FormatInt(number, 10), http.StatusSeeOther)
		return
	case "unlink":
		_, err = s.Tickets.UnlinkTickets(ctx, t.ID, other.ID)
	default:
		_, err = s.Tickets.LinkTickets(ctx, t.ID, other.ID)
	}
	if err != nil {
		s.formError(w, r, agent, err, back)
		return
	}
	http.Redirect(w, r, back+"?done="+field+"ed", http.StatusSeeOther)
}
