package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tendhq/tend"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds the parsed templates, one set per page, and the style
// sheets and scripts, each bundled into one file served at a URL that
// changes with its content.
type pages struct {
	byName map[string]*template.Template // in UTC
	css    asset
	js     asset
	// master holds each page as parsed, never executed, for cloning into
	// the zones agents read times in; byZone those clones by zone name,
	// made when a zone is first asked for (there are a few hundred zones
	// at most, and a desk's agents use a handful).
	master map[string]*template.Template
	mu     sync.Mutex
	byZone map[string]map[string]*template.Template
}

// asset is a bundle of static files.
type asset struct {
	url  string
	body []byte
	typ  string
}

// loadPages parses every page under templates/ with the layout and the
// shared parts, and bundles static/*.css and static/*.js, each in the
// order of their names.
func loadPages(clock tend.Clock) (*pages, error) {
	p := &pages{master: map[string]*template.Template{}, byZone: map[string]map[string]*template.Template{}}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "parts" {
			continue
		}
		t, err := template.New("").Funcs(pageFuncs).Funcs(template.FuncMap{
			"ago": func(t time.Time) string { return ago(clock.Now().Sub(t)) },
		}).ParseFS(templateFS, "templates/layout.html", "templates/parts.html", f)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		p.master[name] = t
	}
	if p.byName, err = p.inZone(time.UTC); err != nil {
		return nil, err
	}
	if p.css, err = bundle("app.css", "text/css; charset=utf-8"); err != nil {
		return nil, err
	}
	if p.js, err = bundle("app.js", "text/javascript; charset=utf-8"); err != nil {
		return nil, err
	}
	return p, nil
}

// in returns the pages that write times in loc (UTC when nil).
func (p *pages) in(loc *time.Location) map[string]*template.Template {
	if loc == nil || loc == time.UTC {
		return p.byName
	}
	set, err := p.inZone(loc)
	if err != nil {
		// Cloning fails only for a page executed before, which master
		// never is.
		panic(err)
	}
	return set
}

// inZone clones every page with a when that writes times in loc.
func (p *pages) inZone(loc *time.Location) (map[string]*template.Template, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if set, ok := p.byZone[loc.String()]; ok {
		return set, nil
	}
	set := make(map[string]*template.Template, len(p.master))
	for name, t := range p.master {
		c, err := t.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone template %s: %w", name, err)
		}
		set[name] = c.Funcs(template.FuncMap{"when": func(t any) string { return when(t, loc) }})
	}
	p.byZone[loc.String()] = set
	return set, nil
}

// bundle joins the static files whose names end like name's.
func bundle(name, typ string) (asset, error) {
	files, err := fs.Glob(staticFS, "static/*"+path.Ext(name))
	if err != nil {
		return asset{}, err
	}
	var body []byte
	for _, f := range files {
		b, err := fs.ReadFile(staticFS, f)
		if err != nil {
			return asset{}, err
		}
		body = append(append(body, b...), '\n')
	}
	sum := sha256.Sum256(body)
	return asset{url: "/static/" + name + "?v=" + hex.EncodeToString(sum[:4]), body: body, typ: typ}, nil
}

// serve writes the bundle; a request naming its version may cache it for
// good.
func (a asset) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("v") != "" {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("Content-Type", a.typ)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(a.body))
}

// pageFuncs are the helpers templates may call.
var pageFuncs = template.FuncMap{
	// when writes a time for people, in UTC; each agent's pages have one
	// of their own zone (pages.in).
	"list":  func(v ...string) []string { return v },
	"label": label,
	"iso":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"ago":   func(time.Time) string { panic("ago is set by loadPages, from the server's clock") },
	"hasValue": func(q url.Values, key, value string) bool {
		for _, v := range q[key] {
			for _, part := range strings.Split(v, ",") {
				if part == value {
					return true
				}
			}
		}
		return false
	},
	"deref":           func(p *int64) int64 { return *p },
	"maxFromMail":     func() int { return tend.MaxParticipantsFromMail },
	"maxParticipants": func() int { return tend.MaxParticipants },
	"join":            strings.Join,
	"size":            humanSize,
	"when":            func(t any) string { return when(t, time.UTC) },
}

// when writes a time (a time.Time or *time.Time; nil is "") for people, to
// the minute, in loc: "3 Dec 2026 09:15 CET".
func when(t any, loc *time.Location) string {
	switch v := t.(type) {
	case time.Time:
		return tend.FormatTime(v, loc)
	case *time.Time:
		if v != nil {
			return tend.FormatTime(*v, loc)
		}
	}
	return ""
}

type loginPage struct {
	basePage
	Error, Next, Email string
}

type setupPage struct {
	basePage
	Valid                     bool
	Error, Token, Name, Email string
	MinPassword               int
	// BaseURL is the address to store, offered as the one the page was
	// opened at; none is asked for when --base-url decides it.
	BaseURL      string
	AskBaseURL   bool
	BaseURLError string
}

func (s *Server) pageRoutes(mux *http.ServeMux) {
	// Browsers say where a form post comes from; refuse cross-site ones on
	// top of the per-form token.
	cop := http.NewCrossOriginProtection()
	forms := func(h http.HandlerFunc) http.Handler { return cop.Handler(h) }

	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.Handle("POST /login", forms(s.login))
	mux.Handle("POST /logout", forms(s.logout))
	mux.HandleFunc("GET /setup", s.setupForm)
	mux.Handle("POST /setup", forms(s.setup))
	mux.HandleFunc("GET /settings/mail", s.mailSettings)
	mux.Handle("POST /settings/mail", forms(s.createMailboxForm))
	mux.HandleFunc("GET /settings/mail/{id}", s.mailboxEditForm)
	mux.Handle("POST /settings/mail/{id}", forms(s.updateMailboxForm))
	mux.Handle("POST /settings/mail/inbound/{id}/retry", forms(s.retryInboundForm))
	mux.Handle("POST /settings/mail/inbound/{id}/ticket", forms(s.takeInboundForm))
	mux.HandleFunc("GET /settings/mail/inbound/{id}/raw", s.inboundRawPage)
	mux.HandleFunc("GET /tickets", s.ticketList)
	mux.HandleFunc("GET /tickets/counts", s.viewCounts)
	mux.HandleFunc("GET /tickets/new", s.ticketNewForm)
	mux.Handle("POST /tickets/new", forms(s.ticketCreate))
	mux.HandleFunc("GET /customers/suggest", s.customerSuggest)
	mux.Handle("POST /tickets/bulk", forms(s.ticketBulk))
	mux.Handle("POST /tickets/views", forms(s.saveView))
	mux.Handle("POST /tickets/views/{id}/delete", forms(s.deleteView))
	mux.HandleFunc("GET /tickets/{number}", s.ticketShow)
	mux.Handle("POST /tickets/{number}", forms(s.ticketUpdate))
	mux.Handle("POST /tickets/{number}/messages", forms(s.ticketReply))
	mux.Handle("POST /tickets/{number}/spam", forms(s.ticketSpam))
	mux.Handle("POST /tickets/{number}/participants", forms(s.ticketParticipants))
	mux.Handle("POST /tickets/{number}/related", forms(s.ticketRelated))
	mux.Handle("POST /customers/{id}/bouncing", forms(s.customerBouncing))
	mux.HandleFunc("GET /settings/blocked", s.blockedSenders)
	mux.Handle("POST /settings/blocked", forms(s.blockSenderForm))
	mux.Handle("POST /settings/blocked/remove", forms(s.unblockSenderForm))
	mux.Handle("POST /presence/{ticket}", forms(s.ticketPresence))
	mux.HandleFunc("GET /live", s.liveStream)
	mux.HandleFunc("GET /attachments/{id}", s.attachmentPage)
	mux.HandleFunc("GET /search", s.searchPage)
	mux.HandleFunc("GET /settings", s.settingsIndex)
	s.peopleRoutes(mux, forms)
	s.macroRoutes(mux, forms)
	s.fieldRoutes(mux, forms)
	s.serviceLevelRoutes(mux, forms)
	s.notificationRoutes(mux, forms)
	s.profileRoutes(mux, forms)
	s.adminRoutes(mux, forms)
	formAddresses(mux)
	mailFormAddresses(mux)
	mux.HandleFunc("GET /static/app.css", s.pages.css.serve)
	mux.HandleFunc("GET /static/app.js", s.pages.js.serve)
}

// formAddresses answers GET at the addresses that only take a form's
// post, with a way to the page the form is on. A browser shows the
// address a form was posted to, and a reload or a visit there asks for it
// again: it must find a page, not "Method Not Allowed". Every other form
// posts to the address of a page.
func formAddresses(mux *http.ServeMux) {
	to := func(page func(r *http.Request) string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, page(r), http.StatusSeeOther) }
	}
	fixed := func(page string) http.HandlerFunc { return to(func(*http.Request) string { return page }) }
	mux.HandleFunc("GET /logout", fixed("/"))
	mux.HandleFunc("GET /tickets/views", fixed("/tickets"))
	mux.HandleFunc("GET /tickets/bulk", fixed("/tickets"))
	mux.HandleFunc("GET /tickets/views/{id}/delete", to(func(r *http.Request) string {
		return "/tickets?view=saved-" + url.QueryEscape(r.PathValue("id"))
	}))
	for _, form := range []string{"messages", "macro"} {
		mux.HandleFunc("GET /tickets/{number}/"+form, to(func(r *http.Request) string {
			return "/tickets/" + url.PathEscape(r.PathValue("number"))
		}))
	}
	mux.HandleFunc("GET /settings/mail/inbound/{id}/retry", fixed("/settings/mail"))
	mux.HandleFunc("GET /settings/mail/inbound/{id}/ticket", fixed("/settings/mail"))
	for _, action := range []string{"role", "invitation", "reactivate"} {
		mux.HandleFunc("GET /settings/agents/{id}/"+action, fixed("/settings/agents"))
	}
	mux.HandleFunc("GET /settings/tokens/{id}/revoke", fixed("/settings/tokens"))
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	agent := s.sessionAgent(r)
	if agent == nil {
		if n, err := s.Agents.CountAdmins(r.Context()); err == nil && n == 0 {
			s.render(w, http.StatusOK, "message", messagePage{basePage: s.base(w, r, "Not set up yet", nil),
				Message: "Tend has no admin yet. Open the setup link that 'tend serve' printed when it started; restart it to print a new one."})
			return
		}
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/tickets", http.StatusSeeOther)
}

// settingLink is one section of the settings page; Perm, when set, is
// what lets an agent who is no admin use it.
type settingLink struct {
	URL, Name, About string
	Perm             tend.Permission
}

// settings are the sections of the settings page.
var settings = []settingLink{
	{"/settings/general", "General", "the help desk's name and the address people open it at", ""},
	{"/settings/agents", "Agents", "invite staff, change roles, deactivate, hand over open tickets", ""},
	{"/settings/teams", "Teams", "teams, their members, lead and manager", ""},
	{"/settings/mail", "Mail", "support addresses, IMAP accounts and the quarantine", ""},
	{"/settings/fields", "Fields", "custom ticket fields: an order number, a product, a date", ""},
	{"/settings/service-levels", "Service levels", "business hours, holidays and the response and resolution times promised", tend.PermManageServiceLevels},
	{"/settings/blocked", "Blocked senders", "addresses and domains whose mail is ignored", ""},
	{"/settings/tokens", "API tokens", "tokens for scripts and other systems", ""},
}

// settingsIndex serves GET /settings.
func (s *Server) settingsIndex(w http.ResponseWriter, r *http.Request) {
	agent, ctx, ok := s.staffPage(w, r)
	if !ok {
		return
	}
	// Leads and managers see the sections their role may use.
	if !agent.Role.Can(tend.PermManageSettings) && !agent.Role.Can(tend.PermManageServiceLevels) {
		s.render(w, http.StatusForbidden, "message", messagePage{basePage: s.base(w, r, "Settings", agent),
			Message: "Only admins manage the settings."})
		return
	}
	page := struct {
		basePage
		Links []settingLink
		// Quarantined says how much mail waits in quarantine; "" if none.
		Quarantined string
	}{basePage: s.base(w, r, "Settings", agent)}
	for _, l := range settings {
		if agent.Role.Can(tend.PermManageSettings) || (l.Perm != "" && agent.Role.Can(l.Perm)) {
			page.Links = append(page.Links, l)
		}
	}
	if agent.Role.Can(tend.PermManageSettings) {
		page.Quarantined = s.quarantineCount(ctx)
	}
	s.render(w, http.StatusOK, "settings", page)
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if s.sessionAgent(r) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	s.render(w, http.StatusOK, "login", loginPage{basePage: s.base(w, r, "Sign in", nil), Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	email := strings.TrimSpace(r.PostFormValue("email"))
	page := loginPage{basePage: s.base(w, r, "Sign in", nil), Email: email, Next: safeNext(r.PostFormValue("next"))}
	if !checkCSRF(r) {
		page.Error = "The form expired. Please sign in again."
		s.render(w, http.StatusForbidden, "login", page)
		return
	}
	ip := s.clientIP(r)
	ctx := r.Context()
	if c, err := r.Cookie(browserCookie); err == nil {
		ctx = tend.NewContextWithBrowser(ctx, c.Value)
	}
	agent, err := s.Agents.Authenticate(ctx, email, r.PostFormValue("password"))
	if err != nil {
		switch tend.ErrorCode(err) {
		case tend.EUNAUTHORIZED:
			page.Error = "That email and password do not match an active account."
		case tend.ETOOMANY:
			s.Logger.Warn("sign-in slowed down", "ip", ip, "email", email, "wait", tend.ErrorRetryAfter(err))
			page.Error = tend.ErrorMessage(err)
			setRetryAfter(w, err)
		default:
			s.Logger.Error("sign in", "err", err)
			page.Error = tend.ErrorMessage(err)
		}
		s.render(w, httpStatus(err), "login", page)
		return
	}
	if err := s.startSession(w, r, agent); tend.ErrorCode(err) == tend.EUNAUTHORIZED {
		// Deactivated while the password was checked.
		page.Error = "That email and password do not match an active account."
		s.render(w, http.StatusUnauthorized, "login", page)
		return
	} else if err != nil {
		s.Logger.Error("start session", "err", err)
		http.Error(w, "An internal error occurred.", http.StatusInternalServerError)
		return
	}
	s.rememberBrowser(w, r, agent)
	s.Logger.Info("signed in", "agent_id", agent.ID, "ip", ip)
	http.Redirect(w, r, page.Next, http.StatusSeeOther)
}

func (s *Server) startSession(w http.ResponseWriter, r *http.Request, agent *tend.Agent) error {
	// A new session replaces whatever session cookie the browser had.
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.Sessions.DeleteSession(context.WithoutCancel(r.Context()), c.Value)
	}
	secret, err := s.Sessions.CreateSession(r.Context(), agent.ID, s.SessionTTL)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, secret)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if !checkCSRF(r) {
		http.Error(w, "The form expired; reload the page and try again.", http.StatusForbidden)
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Sessions.DeleteSession(r.Context(), c.Value); err != nil {
			s.Logger.Error("end session", "err", err)
		}
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps a post-sign-in redirect on this site: a path of its own,
// never another host however it is spelt.
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.ContainsAny(next, `\`) {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	page := setupPage{basePage: s.base(w, r, "Set up", nil), Token: token, MinPassword: tend.MinPasswordLength,
		BaseURL: s.requestBase(r), AskBaseURL: s.BaseURL == ""}
	if err := s.Setup.CheckSetupToken(r.Context(), token); err != nil {
		page.Error = tend.ErrorMessage(err)
		s.render(w, statusOf[tend.ErrorCode(err)], "setup", page)
		return
	}
	page.Valid = true
	s.render(w, http.StatusOK, "setup", page)
}

func (s *Server) setup(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	token := r.PostFormValue("token")
	in := &tend.AgentCreate{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"), Password: r.PostFormValue("password")}
	page := setupPage{basePage: s.base(w, r, "Set up", nil), Valid: true, Token: token, Name: in.Name, Email: in.Email,
		MinPassword: tend.MinPasswordLength, BaseURL: tend.NormalizeBaseURL(r.PostFormValue("base_url")), AskBaseURL: s.BaseURL == ""}
	if !checkCSRF(r) {
		page.Error = "The form expired. Please submit it again."
		s.render(w, http.StatusForbidden, "setup", page)
		return
	}
	if page.AskBaseURL {
		if err := tend.ValidateBaseURL(page.BaseURL); err != nil {
			page.Error, page.BaseURLError = "Nothing was saved: correct the address.", tend.ErrorFields(err)["base_url"]
			s.render(w, http.StatusBadRequest, "setup", page)
			return
		}
	}
	agent, err := s.Setup.CompleteSetup(r.Context(), token, in)
	if err != nil {
		page.Error = formProblem(err)
		page.Valid = tend.ErrorCode(err) == tend.EINVALID
		s.render(w, statusOf[tend.ErrorCode(err)], "setup", page)
		return
	}
	s.Logger.Info("first admin created", "agent_id", agent.ID, "email", agent.Email)
	if page.AskBaseURL {
		// The admin exists now; should this fail, they set the address
		// under Settings → General, which says so.
		ctx := agentContext(r.Context(), agent)
		if st, err := s.Settings.FindSettings(ctx); err == nil {
			st.BaseURL = page.BaseURL
			if _, err := s.Settings.UpdateSettings(ctx, st); err != nil {
				s.Logger.Error("store the base URL at setup", "err", err)
			}
		}
	}
	if err := s.startSession(w, r, agent); err != nil {
		s.Logger.Error("start session", "err", err)
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// label writes a status or priority for people: on_hold is "On hold".
func label(v any) string {
	s := strings.ReplaceAll(fmt.Sprint(v), "_", " ")
	first, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(first)) + s[size:]
}

// ago writes how long ago something happened, as people say it.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	case d < 60*24*time.Hour:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
	return plural(int(d/(30*24*time.Hour)), "month") + " ago"
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// humanSize writes a file size.
func humanSize(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " bytes"
	case n < 1024*1024:
		return strconv.FormatInt((n+512)/1024, 10) + " KB"
	}
	return strconv.FormatFloat(float64(n)/(1024*1024), 'f', 1, 64) + " MB"
}
