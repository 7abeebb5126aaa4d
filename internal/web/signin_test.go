package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
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

// Guessing passwords is slowed to ten tries a minute per account and per
// address; the right password does not get through once the limit is hit.
func TestSignInIsRateLimited(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	c, csrf := signInClient(t, ts)
	for i := range 10 {
		if resp := signIn(t, c, ts, csrf, "agent@staff.example", "guess number "+string(rune('a'+i))); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	if resp := signIn(t, c, ts, csrf, "agent@staff.example", "long enough password"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after ten failures the right password got %d, want 429", resp.StatusCode)
	}
	if resp := signIn(t, c, ts, csrf, "lead@staff.example", "long enough password"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("another account from the same address got %d, want 429", resp.StatusCode)
	}
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
