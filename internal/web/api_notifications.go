package web

import (
	"net/http"

	"github.com/tendhq/tend"
)

// notificationPage is a page of notifications with the unread count.
type notificationPage struct {
	Items      []*tend.Notification `json:"items"`
	NextCursor *string              `json:"next_cursor"`
	Unread     int                  `json:"unread"`
}

// listNotifications serves GET /notifications?unread=true.
func (s *Server) listNotifications(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	f := tend.NotificationFilter{Cursor: q.str("cursor"), Limit: q.limit(tend.MaxPageSize)}
	if unread := q.boolean("unread"); unread != nil {
		f.Unread = *unread
	}
	if err := q.err(); err != nil {
		s.writeError(w, r, err)
		return
	}
	list, next, unread, err := s.Notifications.FindNotifications(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p := newPage(list, next)
	s.writeJSON(w, http.StatusOK, notificationPage{Items: p.Items, NextCursor: p.NextCursor, Unread: unread})
}

// markNotificationsRead serves POST /notifications/read {ids} or {all}.
func (s *Server) markNotificationsRead(w http.ResponseWriter, r *http.Request) {
	var in tend.NotificationRead
	if !s.decode(w, r, &in, s.MaxBodySize) {
		return
	}
	n, err := s.Notifications.MarkRead(r.Context(), &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	unread, err := s.Notifications.CountUnread(r.Context())
	respond(s, w, r, map[string]int{"marked": n, "unread": unread}, err)
}

// followTicket serves POST and DELETE /tickets/{id}/follow.
func (s *Server) followTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var err error
	if r.Method == http.MethodDelete {
		err = s.Notifications.Unfollow(r.Context(), id)
	} else {
		err = s.Notifications.Follow(r.Context(), id)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
