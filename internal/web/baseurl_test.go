package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
	"github.com/tendhq/tend/internal/web"
)

var inviteLink = regexp.MustCompile(`(\S*)/invite\?token=[A-Za-z0-9_-]+`)

// invite posts the invitation form with a Host header of the caller's
// choosing, and returns the status and the page.
func invite(t *testing.T, ts *testServer, c *http.Client, csrf, host, email string) (int, string) {
	t.Helper()
	form := url.Values{"csrf": {csrf}, "name": {"New Person"}, "email": {email}, "role": {"agent"}}
	req, err := http.NewRequest("POST", ts.URL+"/settings/agents", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// The client would pick cookies by the forged host; the browser sends
	// them by the address it opened.
	for _, ck := range c.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	req.Host = host
	direct := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := direct.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Invitation links start with the help desk's own address, whatever Host
// the admin's request named; without an address Tend makes no link and
// adds nobody.
func TestLinksAreBuiltFromTheBaseURL(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	set := func(base string) {
		t.Helper()
		if _, err := ts.server.Settings.UpdateSettings(sys, &tend.Settings{Name: "Acme Help", BaseURL: base}); err != nil {
			t.Fatal(err)
		}
	}
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "admin@staff.example", "long enough password")
	host := strings.TrimPrefix(ts.URL, "http://")

	set("https://help.acme.example")
	status, body := invite(t, ts, c, csrf, "evil.example", "new1@staff.example")
	m := inviteLink.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil || !strings.HasSuffix(m[1], "https://help.acme.example") {
		t.Fatalf("with a forged Host the link is %v (%d)", m, status)
	}
	if strings.Contains(body, "evil.example") {
		t.Fatal("the page carries the forged host")
	}

	set("")
	status, body = invite(t, ts, c, csrf, host, "new2@staff.example")
	if status != http.StatusConflict || !strings.Contains(body, "Settings → General") || !strings.Contains(body, `id="no-address"`) ||
		inviteLink.MatchString(body) {
		t.Fatalf("without an address: %d\n%.2000s", status, body)
	}
	if list, _, _ := ts.server.Agents.FindAgents(sys, tend.AgentFilter{Email: "new2@staff.example"}); len(list) != 0 {
		t.Fatal("an agent was added who could not be sent a link")
	}
}

// tend serve --base-url decides the address: it wins over the stored one,
// and Settings → General shows it without a field to change it.
func TestBaseURLFlagWins(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite), func(s *web.Server) { s.BaseURL = "https://desk.acme.example" })
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "admin@staff.example", "long enough password")
	_, body := invite(t, ts, c, csrf, strings.TrimPrefix(ts.URL, "http://"), "new@staff.example")
	if m := inviteLink.FindStringSubmatch(body); m == nil || !strings.HasSuffix(m[1], "https://desk.acme.example") {
		t.Fatalf("the link is %v", m)
	}
	_, page := fetchPage(t, c, http.MethodGet, ts.URL+"/settings/general", nil)
	if !strings.Contains(page, `value="https://desk.acme.example" disabled`) || strings.Contains(page, `name="base_url"`) {
		t.Fatalf("the general settings page:\n%s", page)
	}
	// The API says which address is in force, and that it is not its to change.
	var st tend.Settings
	ts.as(tend.RoleAdmin, "GET", "/api/v1/settings", nil).want(t, 200).decode(t, &st)
	if st.BaseURL != "https://desk.acme.example" {
		t.Fatalf("GET /settings says the address is %q", st.BaseURL)
	}
	if p := ts.as(tend.RoleAdmin, "PATCH", "/api/v1/settings", map[string]string{"base_url": "https://evil.example"}).want(t, 409).problem(t); !strings.Contains(p.Detail, "--base-url") {
		t.Fatalf("changing the address set at start: %+v", p)
	}
	ts.as(tend.RoleAgent, "PATCH", "/api/v1/settings", map[string]string{"base_url": "https://evil.example"}).want(t, 403)
	// Settings read and sent back whole go through.
	ts.as(tend.RoleAdmin, "PATCH", "/api/v1/settings", map[string]string{"name": "Acme", "base_url": "https://desk.acme.example/"}).want(t, 200)
	ts.as(tend.RoleAdmin, "PATCH", "/api/v1/settings", map[string]string{"name": "Acme Desk"}).want(t, 200)
}

// Settings → General keeps the address an admin gives, refusing one that
// is not an address of a help desk.
func TestGeneralSettings(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "admin@staff.example", "long enough password")
	save := func(name, base string) (int, string) {
		return fetchPage(t, c, http.MethodPost, ts.URL+"/settings/general", url.Values{"csrf": {csrf}, "name": {name}, "base_url": {base}})
	}
	if status, body := save("Acme Help", "https://help.acme.example/tend?x=1"); status != http.StatusBadRequest ||
		!strings.Contains(body, "the scheme and host alone") {
		t.Fatalf("an address with a path: %d\n%.2000s", status, body)
	}
	if status, body := save("Acme\r\nHelp", "https://help.acme.example"); status != http.StatusBadRequest || !strings.Contains(body, "must be one line") {
		t.Fatalf("a name on two lines: %d\n%.2000s", status, body)
	}
	if status, _ := save("Acme Help", "https://Help.Acme.example/"); status != http.StatusSeeOther {
		t.Fatalf("saving: %d", status)
	}
	st, _ := ts.server.Settings.FindSettings(tend.SystemContext(context.Background()))
	if st.Name != "Acme Help" || st.BaseURL != "https://help.acme.example" {
		t.Fatalf("saved %+v", st)
	}
	// The API reads and writes the same setting.
	var got tend.Settings
	ts.as(tend.RoleAdmin, "PATCH", "/api/v1/settings", map[string]string{"base_url": "https://support.acme.example"}).want(t, 200).decode(t, &got)
	if got.BaseURL != "https://support.acme.example" || got.Name != "Acme Help" {
		t.Fatalf("PATCH /settings: %+v", got)
	}
	ts.as(tend.RoleAdmin, "PATCH", "/api/v1/settings", map[string]string{"base_url": "javascript:alert(1)"}).want(t, 400)
	ts.as(tend.RoleAgent, "PATCH", "/api/v1/settings", map[string]string{"base_url": "https://evil.example"}).want(t, 403)
}

// The setup page offers the address it was opened at; the first admin
// confirms it, and it is kept.
func TestSetupStoresTheBaseURL(t *testing.T) {
	ts := newBareServer(t, sqldbtest.Open(t, sqldb.SQLite))
	secret, err := ts.server.Setup.NewSetupToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c, _ := signInClient(t, ts)
	status, page := fetchPage(t, c, http.MethodGet, ts.URL+"/setup?token="+secret, nil)
	if status != http.StatusOK || !strings.Contains(page, `name="base_url" type="url" required value="`+ts.URL+`"`) {
		t.Fatalf("the setup page does not offer %s:\n%s", ts.URL, page)
	}
	csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)[1]
	form := url.Values{"csrf": {csrf}, "token": {secret}, "name": {"Ana Admin"}, "email": {"ana@example.com"},
		"password": {"a long enough password"}, "base_url": {"help.acme.example"}}
	if status, body := fetchPage(t, c, http.MethodPost, ts.URL+"/setup", form); status != http.StatusBadRequest ||
		!strings.Contains(body, "such as https://help.example.com") {
		t.Fatalf("a bad address at setup: %d\n%s", status, body)
	}
	if n, _ := ts.server.Agents.CountAdmins(context.Background()); n != 0 {
		t.Fatal("the admin was made although the address was refused")
	}
	form.Set("base_url", "https://help.acme.example/")
	if status, _ := fetchPage(t, c, http.MethodPost, ts.URL+"/setup", form); status != http.StatusSeeOther {
		t.Fatalf("setup: %d", status)
	}
	st, _ := ts.server.Settings.FindSettings(tend.SystemContext(context.Background()))
	if st.BaseURL != "https://help.acme.example" {
		t.Fatalf("after setup the address is %q", st.BaseURL)
	}
}
