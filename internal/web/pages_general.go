package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/tendhq/tend"
)

// Settings → General: the help desk's name and the address people open it
// at.

// baseURL returns the address this help desk is opened at, for links that
// leave Tend (in mail, or shown to be sent on): --base-url, else the one
// in Settings → General. It never comes from the request, whose Host
// anyone can set. It returns ECONFLICT when neither is set.
func (s *Server) baseURL(ctx context.Context) (string, error) {
	if s.BaseURL != "" {
		return s.BaseURL, nil
	}
	st, err := s.Settings.FindSettings(tend.SystemContext(ctx))
	if err != nil {
		return "", err
	}
	if st.BaseURL == "" {
		return "", tend.Errorf(tend.ECONFLICT, "Tend does not know the address people open it at, which its links need: "+
			"set it under Settings → General (or start Tend with --base-url).")
	}
	return st.BaseURL, nil
}

// requestBase is the address a request was sent to, as the browser saw
// it: only ever offered to an admin to confirm, never used unasked.
func (s *Server) requestBase(r *http.Request) string {
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	return tend.NormalizeBaseURL(scheme + "://" + r.Host)
}

type generalPage struct {
	basePage
	Name, BaseURL                 string
	SLAWarnPercent, AutoCloseDays int
	// FromFlag is set when --base-url decides the address.
	FromFlag bool
	// Suggested is the address this page was opened at, offered when none
	// is set.
	Suggested string
	Fields    map[string]string
	Notice    string
	Error     string
}

func (s *Server) generalSettings(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminPage(w, r, "General")
	if !ok {
		return
	}
	st, err := s.Settings.FindSettings(ctx)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	page := s.generalPageOf(w, r, agent, st)
	if r.URL.Query().Get("done") == "saved" {
		page.Notice = "The settings were saved."
	}
	s.render(w, http.StatusOK, "general", page)
}

func (s *Server) generalPageOf(w http.ResponseWriter, r *http.Request, agent *tend.Agent, st *tend.Settings) generalPage {
	page := generalPage{basePage: s.base(w, r, "General", agent), Name: st.Name, BaseURL: st.BaseURL, SLAWarnPercent: st.SLAWarnPercent, AutoCloseDays: st.AutoCloseDays, FromFlag: s.BaseURL != ""}
	if page.FromFlag {
		page.BaseURL = s.BaseURL
	} else if page.BaseURL == "" {
		page.Suggested = s.requestBase(r)
	}
	return page
}

func (s *Server) saveGeneralSettings(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.adminForm(w, r, "General")
	if !ok {
		return
	}
	st, err := s.Settings.FindSettings(ctx)
	if err != nil {
		s.pageError(w, r, agent, err)
		return
	}
	st.Name = r.PostFormValue("name")
	st.SLAWarnPercent = formNumber(r, "sla_warn_percent", st.SLAWarnPercent)
	st.AutoCloseDays = formNumber(r, "auto_close_days", st.AutoCloseDays)
	if s.BaseURL == "" {
		st.BaseURL = r.PostFormValue("base_url")
	}
	if _, err := s.Settings.UpdateSettings(ctx, st); err != nil {
		page := s.generalPageOf(w, r, agent, st)
		page.Name, page.Fields, page.Error = st.Name, tend.ErrorFields(err), formProblem(err, "name", "base_url", "sla_warn_percent", "auto_close_days")
		page.SLAWarnPercent, page.AutoCloseDays = st.SLAWarnPercent, st.AutoCloseDays
		if !page.FromFlag {
			page.BaseURL, page.Suggested = st.BaseURL, ""
		}
		s.render(w, httpStatus(err), "general", page)
		return
	}
	http.Redirect(w, r, "/settings/general?done=saved", http.StatusSeeOther)
}

// formNumber reads a whole number from the form; one left out keeps was,
// and one that is not a number is -1, which validation refuses with what
// to write.
func formNumber(r *http.Request, name string, was int) int {
	v := strings.TrimSpace(r.PostFormValue(name))
	if v == "" {
		return was
	}
	n, err := strconv.Atoi(v)
	if err != nil || n == 0 {
		return -1 // 0 would read as "the default" (tend.Settings.Normalize)
	}
	return n
}
