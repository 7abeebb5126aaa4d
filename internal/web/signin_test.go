package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
	"github.com/tendhq/tend/internal/web"
)

// signInClient is a browser-like client with the sign-in form's CSRF
// token.
func signInClient(t *testing.T, ts *testServer) (*http.Client, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token in the sign-in page:\n%s", page)
	}
	return c, string(m[1])
}

func signIn(t *testing.T, c *http.Client, ts *testServer, csrf, email, password string) *http.Response {
	t.Helper()
	resp, err := c.PostForm(ts.URL+"/login", url.Values{"csrf": {csrf}, "email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func signInFrom(t *testing.T, c *http.Client, ts *testServer, csrf, source, email, password string) response {
	t.Helper()
	req, err := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(url.Values{"csrf": {csrf}, "email": {email}, "password": {password}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", source)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{Response: resp, body: body}
}

// Guessing a password is slowed down per address and source: after five
// failures each try waits, longer each time. The same account signs in
// from anywhere else as usual, so no stranger can lock anybody out, and
// only failures count.
func TestSignInIsRateLimited(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	clock := sqldbtest.NewClock(db)
	ts := newTestServer(t, db, func(s *web.Server) { s.TrustProxy = true })
	c, csrf := signInClient(t, ts)
	const guesser, office = "198.51.100.7", "203.0.113.20"
	for i := range 5 {
		signInFrom(t, c, ts, csrf, guesser, "agent@staff.example", fmt.Sprintf("guess number %d", i)).want(t, http.StatusUnauthorized)
	}
	held := signInFrom(t, c, ts, csrf, guesser, "agent@staff.example", "long enough password").want(t, http.StatusTooManyRequests)
	if held.Header.Get("Retry-After") != "1" || !strings.Contains(string(held.body), "Too many failed sign-ins; try again in 1 second.") {
		t.Fatalf("the sixth try: Retry-After %q\n%s", held.Header.Get("Retry-After"), held.body)
	}
	// The agent, elsewhere, signs in all the same.
	signInFrom(t, c, ts, csrf, office, "agent@staff.example", "long enough password").want(t, http.StatusSeeOther)
	// Another account from the guesser's address is not held up either.
	signInFrom(t, c, ts, csrf, guesser, "lead@staff.example", "long enough password").want(t, http.StatusSeeOther)
	// Each further failure doubles the wait; having waited, one may try.
	clock.Advance(time.Second)
	signInFrom(t, c, ts, csrf, guesser, "agent@staff.example", "guess number 6").want(t, http.StatusUnauthorized)
	if r := signInFrom(t, c, ts, csrf, guesser, "agent@staff.example", "long enough password").want(t, http.StatusTooManyRequests); r.Header.Get("Retry-After") != "2" {
		t.Fatalf("after the seventh failure: Retry-After %q, want 2", r.Header.Get("Retry-After"))
	}
	clock.Advance(2 * time.Second)
	signInFrom(t, c, ts, csrf, guesser, "agent@staff.example", "long enough password").want(t, http.StatusSeeOther)
	// Signed in, the agent starts afresh: signing in again, or a typo, is
	// not held up by the guesses before.
	signInFrom(t, c, ts, csrf, guesser, "agent@staff.example", "long enough password").want(t, http.StatusSeeOther)
	signInFrom(t, c, ts, csrf, guesser, "agent@staff.example", "a typo").want(t, http.StatusUnauthorized)

	// Successes are not failures: many sign-ins in a row are never held.
	for range 12 {
		signInFrom(t, c, ts, csrf, office, "manager@staff.example", "long enough password").want(t, http.StatusSeeOther)
	}
	for i := range 5 {
		signInFrom(t, c, ts, csrf, office, "manager@staff.example", fmt.Sprintf("typo %d", i)).want(t, http.StatusUnauthorized)
	}

	// One address trying many accounts is slowed down too, after more
	// failures.
	const sprayer = "192.0.2.66"
	for i := range 50 {
		signInFrom(t, c, ts, csrf, sprayer, fmt.Sprintf("nobody%d@staff.example", i), "password123456").want(t, http.StatusUnauthorized)
	}
	signInFrom(t, c, ts, csrf, sprayer, "admin@staff.example", "long enough password").want(t, http.StatusTooManyRequests)
	signInFrom(t, c, ts, csrf, office, "admin@staff.example", "long enough password").want(t, http.StatusSeeOther)

	// An IPv6 network gives one machine a /64: a fresh address per guess
	// is the same guesser.
	for i := range 5 {
		signInFrom(t, c, ts, csrf, fmt.Sprintf("2001:db8:7:7::%x", i+1), "lead@staff.example", "guess").want(t, http.StatusUnauthorized)
	}
	signInFrom(t, c, ts, csrf, "2001:db8:7:7:abcd::99", "lead@staff.example", "long enough password").want(t, http.StatusTooManyRequests)
	signInFrom(t, c, ts, csrf, "2001:db8:7:8::1", "lead@staff.example", "long enough password").want(t, http.StatusSeeOther)
}

// A form posted without the token of its cookie, as from another site, is
// refused and signs nobody in.
func TestSignInNeedsCSRFToken(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	c, csrf := signInClient(t, ts)
	resp := signIn(t, c, ts, "forged-"+csrf, "agent@staff.example", "long enough password")
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged token: %d, want 403", resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "tend_session" && ck.Value != "" {
			t.Fatal("a session cookie was set")
		}
	}
	// A cross-site post is refused before the form is even read.
	req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(url.Values{"csrf": {csrf}, "email": {"agent@staff.example"},
		"password": {"long enough password"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site post: %d, want 403", resp.StatusCode)
	}

	// With the token, the session cookie is HttpOnly and SameSite.
	resp = signIn(t, c, ts, csrf, "agent@staff.example", "long enough password")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", resp.StatusCode)
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "tend_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v", session)
	}
}

// The mail settings are for admins: others are told so, the signed-out
// are sent to sign in, and a form without its token changes nothing.
func TestMailSettingsAreForAdmins(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	c, csrf := signInClient(t, ts)
	resp, err := c.Get(ts.URL + "/settings/mail")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fsettings%2Fmail" {
		t.Fatalf("signed out: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	signIn(t, c, ts, csrf, "lead@staff.example", "long enough password")
	resp, err = c.Get(ts.URL + "/settings/mail")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(page), "Only admins manage the settings.") {
		t.Fatalf("a lead: %d\n%s", resp.StatusCode, page)
	}
	resp, err = c.PostForm(ts.URL+"/settings/mail", url.Values{"csrf": {csrf}, "address": {"x@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a lead adding an address: %d", resp.StatusCode)
	}

	c, csrf = signInClient(t, ts)
	signIn(t, c, ts, csrf, "admin@staff.example", "long enough password")
	resp, err = c.PostForm(ts.URL+"/settings/mail", url.Values{"address": {"x@acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	list, _ := ts.server.Mailboxes.FindMailboxes(tend.SystemContext(context.Background()))
	if resp.StatusCode != http.StatusForbidden || len(list) != 0 {
		t.Fatalf("a form without its CSRF token: %d, %d addresses", resp.StatusCode, len(list))
	}
}

// An API token alone does not let anyone guess the password that would
// take over the account: current_password is limited like sign-in, per
// source and, more loosely, whatever the source.
func TestCurrentPasswordIsRateLimited(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		clock := sqldbtest.NewClock(db)
		ts := newTestServer(t, db, func(s *web.Server) { s.TrustProxy = true })
		me := fmt.Sprintf("/api/v1/agents/%d", ts.agents[tend.RoleAgent].ID)
		change := func(source, current string) response {
			return ts.as(tend.RoleAgent, "PATCH", me, map[string]string{"password": "a brand new password", "current_password": current},
				"X-Forwarded-For", source)
		}
		const thief = "198.51.100.7"
		for i := range 5 {
			if p := change(thief, fmt.Sprintf("guess %d", i)).want(t, 400).problem(t); p.Errors[0].Field != "current_password" {
				t.Fatalf("a wrong guess: %+v", p)
			}
		}
		held := change(thief, "long enough password").want(t, http.StatusTooManyRequests)
		if p := held.problem(t); p.Code != tend.ETOOMANY || held.Header.Get("Retry-After") != "1" ||
			p.Detail != "Too many failed password checks; try again in 1 second." {
			t.Fatalf("the sixth guess: Retry-After %q, %+v", held.Header.Get("Retry-After"), p)
		}
		// Only the guesses are held up: the rest of the token works.
		ts.as(tend.RoleAgent, "GET", "/api/v1/me", nil, "X-Forwarded-For", thief).want(t, 200)

		// Guesses from many addresses add up to a slower pace for all.
		for i := range 15 {
			change(fmt.Sprintf("192.0.2.%d", i+1), "another guess").want(t, 400)
		}
		change("203.0.113.20", "long enough password").want(t, http.StatusTooManyRequests)
		clock.Advance(time.Second)
		change("203.0.113.20", "long enough password").want(t, 200)
		// The new password is in place; the old one no longer signs in.
		if _, err := ts.server.Agents.Authenticate(context.Background(), "agent@staff.example", "a brand new password"); err != nil {
			t.Fatalf("sign in with the new password: %v", err)
		}
	})
}

// Someone who signed in from a browser before is not held up by others'
// failures from the same address, as in an office behind one router: a
// known browser counts only its own. A browser never used before is
// held up like anyone else's.
func TestKnownBrowserIsNotHeldUpByOthers(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite), func(s *web.Server) { s.TrustProxy = true })
	const office = "203.0.113.20"
	ana, anaCSRF := signInClient(t, ts)
	signInFrom(t, ana, ts, anaCSRF, office, "agent@staff.example", "long enough password").want(t, http.StatusSeeOther)

	eve, eveCSRF := signInClient(t, ts)
	for range 5 {
		signInFrom(t, eve, ts, eveCSRF, office, "agent@staff.example", "a guess").want(t, http.StatusUnauthorized)
	}
	signInFrom(t, eve, ts, eveCSRF, office, "agent@staff.example", "long enough password").want(t, http.StatusTooManyRequests)
	for i := range 45 {
		signInFrom(t, eve, ts, eveCSRF, office, fmt.Sprintf("someone%d@staff.example", i), "a guess").want(t, http.StatusUnauthorized)
	}
	signInFrom(t, eve, ts, eveCSRF, office, "lead@staff.example", "long enough password").want(t, http.StatusTooManyRequests)

	// Ana, in the same office, in the browser she used before.
	signInFrom(t, ana, ts, anaCSRF, office, "agent@staff.example", "long enough password").want(t, http.StatusSeeOther)
	signInFrom(t, ana, ts, anaCSRF, office, "agent@staff.example", "a typo").want(t, http.StatusUnauthorized)
	signInFrom(t, ana, ts, anaCSRF, office, "agent@staff.example", "long enough password").want(t, http.StatusSeeOther)

	// A browser Ana never signed in from is held up with the office.
	fresh, freshCSRF := signInClient(t, ts)
	signInFrom(t, fresh, ts, freshCSRF, office, "agent@staff.example", "long enough password").want(t, http.StatusTooManyRequests)
	// Ana's browser does not vouch for another account.
	signInFrom(t, ana, ts, anaCSRF, office, "lead@staff.example", "long enough password").want(t, http.StatusTooManyRequests)
}
