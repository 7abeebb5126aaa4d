package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tendhq/tend"
)

// The ticket page's mail controls: spam, who is in the conversation, and
// a customer's bouncing address.

var ticketMailNotices = map[string]string{
	"spam":     "Marked spam: the ticket is solved and closed, and its sender blocked. Nothing was mailed.",
	"not-spam": "Marked not spam: the sender is no longer blocked. A ticket that marking it spam closed stays closed; their next mail opens a new one.",
	"added":    "Added to the conversation: they receive its replies from now on.",
	"removed":  "Taken out of the conversation: they receive no more of its replies.",
	"cleared":  "The address is no longer marked bouncing: mail goes to it again.",
}

// ticketSpam serves POST /tickets/{number}/spam: spam=1 marks the ticket
// spam, spam=0 not.
func (s *Server) ticketSpam(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	t, back, ok := s.formTicket(w, r, ctx, agent)
	if !ok {
		return
	}
	spam := r.PostFormValue("spam") == "1"
	if _, err := s.Tickets.MarkSpam(ctx, t.ID, spam); err != nil {
		s.formError(w, r, agent, err, back)
		return
	}
	done := "spam"
	if !spam {
		done = "not-spam"
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
}

// ticketParticipants serves POST /tickets/{number}/participants: add=
// one or more addresses to the conversation (a suggestion, or typed in
// emails, separated by commas or spaces), or remove= one.
func (s *Server) ticketParticipants(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	t, back, ok := s.formTicket(w, r, ctx, agent)
	if !ok {
		return
	}
	var err error
	done := "added"
	if remove := r.PostFormValue("remove"); remove != "" {
		done = "removed"
		_, err = s.Tickets.RemoveParticipant(ctx, t.ID, remove)
	} else {
		emails := append(r.PostForm["add"], splitList(r.PostFormValue("emails"))...)
		_, err = s.Tickets.AddParticipants(ctx, t.ID, emails)
	}
	if err != nil {
		s.formError(w, r, agent, err, back+"#people")
		return
	}
	http.Redirect(w, r, back+"?done="+done+"#people", http.StatusSeeOther)
}

// customerBouncing serves POST /customers/{id}/bouncing: email= is no
// longer marked bouncing. It goes back to the page the form was on.
func (s *Server) customerBouncing(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		http.NotFound(w, r)
		return
	}
	back := "/customers/" + strconv.FormatInt(id, 10)
	if n, ok := parseTicketNumber(r.PostFormValue("ticket")); ok {
		back = "/tickets/" + strconv.FormatInt(n, 10)
	}
	if _, err := s.Customers.ClearBouncing(ctx, id, r.PostFormValue("email")); err != nil {
		s.formError(w, r, agent, err, back)
		return
	}
	http.Redirect(w, r, back+"?done=cleared", http.StatusSeeOther)
}

// formTicket reads the ticket a form on its page was posted to.
func (s *Server) formTicket(w http.ResponseWriter, r *http.Request, ctx context.Context, agent *tend.Agent) (*tend.Ticket, string, bool) {
	number, ok := ticketNumber(r)
	if !ok {
		http.NotFound(w, r)
		return nil, "", false
	}
	back := "/tickets/" + strconv.FormatInt(number, 10)
	t, err := s.Tickets.FindTicketByNumber(ctx, number)
	if err != nil {
		s.pageError(w, r, agent, err)
		return nil, "", false
	}
	return t, back, true
}

// mailFormAddresses answers GET at the addresses of these forms with the
// page they are on.
func mailFormAddresses(mux *http.ServeMux) {
	toTicket := func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/tickets/"+url.PathEscape(r.PathValue("number")), http.StatusSeeOther)
	}
	mux.HandleFunc("GET /tickets/{number}/spam", toTicket)
	mux.HandleFunc("GET /tickets/{number}/participants", toTicket)
	mux.HandleFunc("GET /tickets/{number}/related", toTicket)
	mux.HandleFunc("GET /customers/{id}/bouncing", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/customers/"+url.PathEscape(r.PathValue("id")), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /settings/blocked/remove", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/settings/blocked", http.StatusSeeOther)
	})
}
