package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/tendhq/tend"
)

// The agent's notifications: the bell in the header, the list behind it,
// which of them are mailed, and following a ticket.

func (s *Server) notificationRoutes(mux *http.ServeMux, forms func(http.HandlerFunc) http.Handler) {
	mux.HandleFunc("GET /notifications", s.notificationList)
	mux.HandleFunc("GET /notifications/unread", s.notificationUnread)
	mux.Handle("POST /notifications/read", forms(s.notificationRead))
	mux.Handle("POST /notifications/email", forms(s.notificationEmail))
	mux.Handle("POST /tickets/{number}/follow", forms(s.ticketFollow))
	for _, path := range []string{"/notifications/read", "/notifications/email"} {
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/notifications", http.StatusSeeOther)
		})
	}
	mux.HandleFunc("GET /tickets/{number}/follow", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/tickets/"+r.PathValue("number"), http.StatusSeeOther)
	})
}

type notificationsPage struct {
	basePage
	Notifications []*tend.Notification
	Next, First   string
	UnreadOnly    bool
	Kinds         []notificationKind
	Notice        string
}

// notificationKind is a kind with its words and whether it is mailed.
type notificationKind struct {
	Kind   tend.NotificationKind
	Words  string
	Mailed bool
}

var notificationKindWords = map[tend.NotificationKind]string{
	tend.NotifyAssigned:        "a ticket is given to me",
	tend.NotifyMentioned:       "someone mentions me in a note",
	tend.NotifyCustomerReplied: "a customer replies on my ticket or one I follow",
	tend.NotifyChanged:         "someone else changes my ticket or one I follow",
	tend.NotifySLAWarning:      "my ticket, or an unassigned one of a team I lead, is at risk of missing its service level",
	tend.NotifySLABreached:     "my ticket, or one of a team I lead, missed its service level",
}

var notificationNotices = map[string]string{
	"read":  "Marked read.",
	"none":  "Nothing to mark: those were read already, or are not yours.",
	"email": "Saved: you get mail for what is ticked.",
}

// notificationList serves GET /notifications.
func (s *Server) notificationList(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := tend.NotificationFilter{Unread: q.Get("unread") == "1", Cursor: q.Get("after"), Limit: 50}
	list, next, _, err := s.Notifications.FindNotifications(ctx, f)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	mailed, err := s.Notifications.NotifyByEmail(ctx)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	page := &notificationsPage{basePage: s.base(w, r, "Notifications", agent), Notifications: list, UnreadOnly: f.Unread,
		Notice: notificationNotices[q.Get("done")]}
	base := "/notifications?"
	if f.Unread {
		base += "unread=1&"
	}
	if next != "" {
		page.Next = base + "after=" + next
	}
	if f.Cursor != "" {
		page.First = base
	}
	for _, k := range tend.NotificationKinds {
		page.Kinds = append(page.Kinds, notificationKind{k, notificationKindWords[k], slices.Contains(mailed, k)})
	}
	s.render(w, http.StatusOK, "notifications", page)
}

// notificationUnread serves GET /notifications/unread: the bell's count,
// as JSON, for the page to show when it hears of a new one.
func (s *Server) notificationUnread(w http.ResponseWriter, r *http.Request) {
	agent := s.sessionAgent(r)
	if agent == nil {
		s.writeError(w, r, tend.Errorf(tend.EUNAUTHORIZED, "Sign in again."))
		return
	}
	n, err := s.Notifications.CountUnread(agentContext(r.Context(), agent))
	respond(s, w, r, map[string]int{"unread": n}, err)
}

// notificationRead serves POST /notifications/read: all=1, or id=.
func (s *Server) notificationRead(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	in := &tend.NotificationRead{All: r.PostFormValue("all") == "1"}
	if !in.All {
		ids := newFormIDs(r)
		in.IDs = ids.all("id", "a notification")
		if err := ids.err(); err != nil {
			s.formError(w, r, agent, err, "/notifications")
			return
		}
	}
	n, err := s.Notifications.MarkRead(ctx, in)
	if err != nil {
		s.formError(w, r, agent, err, "/notifications")
		return
	}
	done := "read"
	if n == 0 {
		done = "none"
	}
	http.Redirect(w, r, "/notifications?done="+done, http.StatusSeeOther)
}

// notificationEmail serves POST /notifications/email: email= each kind
// to mail.
func (s *Server) notificationEmail(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	var kinds []tend.NotificationKind
	for _, k := range r.PostForm["email"] {
		kinds = append(kinds, tend.NotificationKind(k))
	}
	if err := s.Notifications.SetNotifyByEmail(ctx, kinds); err != nil {
		s.formError(w, r, agent, err, "/notifications")
		return
	}
	http.Redirect(w, r, "/notifications?done=email", http.StatusSeeOther)
}

// ticketFollow serves POST /tickets/{number}/follow: follow=1 starts
// following, follow=0 stops.
func (s *Server) ticketFollow(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffForm(w, r)
	if !ok {
		return
	}
	number, ok := ticketNumber(r)
	back := "/tickets/" + strconv.FormatInt(number, 10)
	if !ok {
		http.NotFound(w, r)
		return
	}
	t, err := s.Tickets.FindTicketByNumber(ctx, number)
	if err == nil {
		if r.PostFormValue("follow") == "0" {
			err = s.Notifications.Unfollow(ctx, t.ID)
		} else {
			err = s.Notifications.Follow(ctx, t.ID)
		}
	}
	if err != nil {
		s.formError(w, r, agent, err, back)
		return
	}
	done := "followed"
	if r.PostFormValue("follow") == "0" {
		done = "unfollowed"
	}
	http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
}
