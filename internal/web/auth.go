package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tendhq/tend"
)

// requireToken authenticates an API request by its bearer token and puts
// the agent in the request's context; services take it from there.
func (s *Server) requireToken(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			s.writeError(w, r, tend.Errorf(tend.EUNAUTHORIZED, "Send an API token: Authorization: Bearer TOKEN. Create one with 'tend token create'."))
			return
		}
		agent, err := s.Tokens.AuthenticateToken(r.Context(), strings.TrimSpace(token))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		ctx := tend.NewContextWithPrincipal(r.Context(), tend.Principal{AgentID: agent.ID, Role: agent.Role})
		next(w, r.WithContext(ctx))
	})
}

const (
	sessionCookie = "tend_session"
	csrfCookie    = "tend_csrf"
	// browserCookie says that an agent signed in from this browser before
	// (tend.SessionService.RememberBrowser); it is no credential.
	browserCookie = "tend_browser"
)

// browserTTL is how long a browser stays known without a sign-in.
const browserTTL = 365 * 24 * time.Hour

// rememberBrowser marks the browser as one agent signed in from, for the
// limits on guessing: its own failures are all that can slow it down.
func (s *Server) rememberBrowser(w http.ResponseWriter, r *http.Request, agent *tend.Agent) {
	current := ""
	if c, err := r.Cookie(browserCookie); err == nil {
		current = c.Value
	}
	secret, err := s.Sessions.RememberBrowser(r.Context(), agent.ID, current, browserTTL)
	if err != nil {
		s.Logger.Warn("remember browser", "agent_id", agent.ID, "err", err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: secret, Path: "/login", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteStrictMode, MaxAge: int(browserTTL.Seconds())})
}

// secure reports whether cookies for r should be marked Secure.
func (s *Server) secure(r *http.Request) bool {
	return s.SecureCookies || r.TLS != nil || (s.TrustProxy && r.Header.Get("X-Forwarded-Proto") == "https")
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: int(s.SessionTTL.Seconds())})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// sessionAgent returns the signed-in agent of a web request, or nil.
func (s *Server) sessionAgent(r *http.Request) *tend.Agent {
	if sess, ok := s.session(r); ok && sess.Staff() {
		return sess.Agent
	}
	return nil
}

// session returns who r's session is, or false when there is none or it
// has ended.
func (s *Server) session(r *http.Request) (*tend.Session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, false
	}
	sess, err := s.Sessions.FindSession(r.Context(), c.Value)
	return sess, err == nil
}

// csrfToken returns the request's CSRF token, setting the cookie that
// carries it if there is none yet. Forms echo it in a hidden field; a
// cross-site page can neither read the cookie nor guess the value.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
	return token
}

// checkCSRF reports whether a form post carries the token of its cookie.
func checkCSRF(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil || c.Value == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) == 1
}

// clientIP is the address the request came from: behind a trusted proxy,
// the one the proxy added last to X-Forwarded-For (earlier ones are the
// client's to invent).
func (s *Server) clientIP(r *http.Request) string {
	if s.TrustProxy {
		if fwd := r.Header.Values("X-Forwarded-For"); len(fwd) > 0 {
			hops := strings.Split(fwd[len(fwd)-1], ",")
			if ip := strings.TrimSpace(hops[len(hops)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
