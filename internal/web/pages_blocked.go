package web

import (
	"net/http"

	"github.com/tendhq/tend"
)

// The admin's list of blocked senders: addresses and domains whose mail
// is recorded as ignored, never answered.

type blockedPage struct {
	basePage
	Blocked  []*tend.BlockedSender
	Pattern  string // the form's value, when it was refused
	Notice   string
	Error    string
	Problems map[string]string
}

var blockedNotices = map[string]string{
	"blocked":   "Blocked: mail from it is ignored from now on.",
	"unblocked": "No longer blocked: mail from it is delivered again.",
}

// blockedSenders serves GET /settings/blocked.
func (s *Server) blockedSenders(w http.ResponseWriter, r *http.Request) {
	agent, _, ok := s.adminPage(w, r, "Blocked senders")
	if !ok {
		return
	}
	page := &blockedPage{basePage: s.base(w, r, "Blocked senders", agent), Notice: blockedNotices[r.URL.Query().Get("done")]}
	s.renderBlocked(w, r, page, http.StatusOK)
}

func (s *Server) renderBlocked(w http.ResponseWriter, r *http.Request, page *blockedPage, status int) {
	list, err := s.BlockedSenders.FindBlockedSenders(agentContext(r.Context(), page.Agent))
	if err != nil {
		s.pageError(w, r, page.Agent, err)
		return
	}
	page.Blocked = list
	s.render(w, status, "blocked", page)
}

// blockSenderForm serves POST /settings/blocked: pattern= an address or a
// domain.
func (s *Server) blockSenderForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Blocked senders")
	if !ok {
		return
	}
	pattern := r.PostFormValue("pattern")
	if _, err := s.BlockedSenders.BlockSender(ctx, pattern); err != nil {
		page := &blockedPage{basePage: s.base(w, r, "Blocked senders", agent), Pattern: pattern,
			Error: formProblem(err, "pattern"), Problems: tend.ErrorFields(err)}
		s.renderBlocked(w, r, page, httpStatus(err))
		return
	}
	http.Redirect(w, r, "/settings/blocked?done=blocked", http.StatusSeeOther)
}

// unblockSenderForm serves POST /settings/blocked/remove: pattern= one
// blocked.
func (s *Server) unblockSenderForm(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "Blocked senders")
	if !ok {
		return
	}
	if err := s.BlockedSenders.UnblockSender(ctx, r.PostFormValue("pattern")); err != nil {
		s.formError(w, r, agent, err, "/settings/blocked")
		return
	}
	http.Redirect(w, r, "/settings/blocked?done=unblocked", http.StatusSeeOther)
}
