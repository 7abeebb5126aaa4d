package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// A value outside an enum's choices, in a query or a body, is 400 naming
// the field and its choices: never an empty list, never a default.
func TestUnknownEnumValuesAreRefused(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Enums", "mia@example.com", "b")
	org := ts.as(tend.RoleAdmin, "POST", "/api/v1/organizations", map[string]any{"name": "Acme"}).want(t, 201)
	var o struct{ ID int64 }
	org.decode(t, &o)
	ticket := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)
	agent := fmt.Sprintf("/api/v1/agents/%d", ts.agents[tend.RoleAgent].ID)
	imap := func(field, value string) map[string]any {
		in := map[string]any{"host": "imap.acme.example", "username": "help", "secret": "pw"}
		in[field] = value
		return map[string]any{"address": "help@acme.example", "imap": in}
	}
	for _, c := range []struct {
		method, path string
		body         any
		field        string
	}{
		{"GET", "/api/v1/tickets?status=bogus", nil, "status"},
		{"GET", "/api/v1/tickets?priority=bogus", nil, "priority"},
		{"GET", "/api/v1/tickets?channel=bogus", nil, "channel"},
		{"GET", "/api/v1/tickets?sort=bogus", nil, "sort"},
		{"GET", "/api/v1/agents?role=bogus", nil, "role"},
		{"GET", "/api/v1/agents?active=maybe", nil, "active"},
		{"GET", "/api/v1/mail/inbound?outcome=bogus", nil, "outcome"},
		{"POST", "/api/v1/tickets", map[string]any{"subject": "s", "body": "b", "customer": map[string]string{"email": "a@example.com"},
			"priority": "bogus"}, "priority"},
		{"POST", "/api/v1/tickets", map[string]any{"subject": "s", "body": "b", "customer": map[string]string{"email": "a@example.com"},
			"channel": "bogus"}, "channel"},
		{"PATCH", ticket, map[string]any{"status": "bogus"}, "status"},
		{"PATCH", ticket, map[string]any{"priority": "bogus"}, "priority"},
		{"POST", ticket + "/messages", map[string]any{"kind": "bogus", "body": "b"}, "kind"},
		{"POST", ticket + "/messages", map[string]any{"kind": "reply", "body": "b", "status": "bogus"}, "status"},
		{"POST", "/api/v1/agents", map[string]any{"name": "Eve", "email": "eve@staff.example", "role": "bogus"}, "role"},
		{"PATCH", agent, map[string]any{"role": "bogus"}, "role"},
		{"POST", "/api/v1/organizations", map[string]any{"name": "Other", "tier": "bogus"}, "tier"},
		{"PATCH", fmt.Sprintf("/api/v1/organizations/%d", o.ID), map[string]any{"tier": "bogus"}, "tier"},
		{"POST", "/api/v1/mailboxes", imap("security", "bogus"), "imap.security"},
		{"POST", "/api/v1/mailboxes", imap("auth", "bogus"), "imap.auth"},
	} {
		t.Run(c.method+" "+c.path+" "+c.field, func(t *testing.T) {
			p := ts.as(tend.RoleAdmin, c.method, c.path, c.body).want(t, http.StatusBadRequest).problem(t)
			found := false
			for _, e := range p.Errors {
				found = found || (e.Field == c.field && e.Detail != "")
			}
			if !found {
				t.Errorf("the problem does not name %s: %+v", c.field, p)
			}
		})
	}

	// The pages refuse them too.
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "agent@staff.example", "long enough password")
	for _, path := range []string{"/tickets?status=bogus", "/tickets?priority=bogus", "/tickets?channel=bogus",
		"/search?q=enums&status=bogus"} {
		if status, _ := fetchPage(t, c, http.MethodGet, ts.URL+path, nil); status != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", path, status)
		}
	}
	for _, path := range []string{"/presence/0", "/presence/-5", "/presence/abc"} {
		if status, _ := fetchPage(t, c, http.MethodPost, ts.URL+path, url.Values{"csrf": {csrf}, "state": {"typing"}}); status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, status)
		}
	}
	// A refused form of the ticket page redirects to the page that says
	// why, which answers 400.
	follow := &http.Client{Jar: c.Jar}
	for path, form := range map[string]url.Values{
		fmt.Sprintf("/tickets/%d", tk.Number):          {"status": {"bogus"}},
		fmt.Sprintf("/tickets/%d/messages", tk.Number): {"kind": {"bogus"}, "body": {"b"}},
		fmt.Sprintf("/presence/%d", tk.ID):             {"state": {"bogus"}},
	} {
		form.Set("csrf", csrf)
		if status, _ := fetchPage(t, follow, http.MethodPost, ts.URL+path, form); status != http.StatusBadRequest {
			t.Errorf("POST %s %v: %d, want 400", path, form, status)
		}
	}
}
