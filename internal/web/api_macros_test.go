package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestAPIMacroBadInput(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		cases := []struct {
			name, method, path string
			body               any
			status             int
			field, mention     string
		}{
			{"unknown placeholder", "POST", "/api/v1/macros", map[string]any{"name": "Hi", "body": "Dear {{customer.surname}}"}, 400, "body", "{{customer.surname}}"},
			{"unknown placeholder in the note", "POST", "/api/v1/macros", map[string]any{"name": "Hi", "body": "x", "actions": map[string]any{"note": "{{agent}}"}}, 400, "actions.note", "{{agent.name}}"},
			{"no name", "POST", "/api/v1/macros", map[string]any{"body": "x"}, 400, "name", ""},
			{"nothing to do", "POST", "/api/v1/macros", map[string]any{"name": "Empty"}, 400, "body", "action"},
			{"bad scope", "POST", "/api/v1/macros", map[string]any{"name": "x", "body": "x", "scope": "everyone"}, 400, "scope", "personal"},
			{"team without a team", "POST", "/api/v1/macros", map[string]any{"name": "x", "body": "x", "scope": "team"}, 400, "team_id", ""},
			{"bad status", "POST", "/api/v1/macros", map[string]any{"name": "x", "body": "x", "actions": map[string]any{"status": "done"}}, 400, "actions.status", ""},
			{"unknown field", "POST", "/api/v1/macros", map[string]any{"name": "x", "body": "x", "reply": "y"}, 400, "", "reply"},
			{"bad scope filter", "GET", "/api/v1/macros?scope=all", nil, 400, "scope", ""},
			{"no such macro", "GET", "/api/v1/macros/999", nil, 404, "", ""},
			{"not an id", "POST", "/api/v1/tickets/1/macros/abc", nil, 404, "", ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp := ts.as(tend.RoleAgent, c.method, c.path, c.body)
				if resp.StatusCode != c.status {
					t.Fatalf("status %d, want %d\n%s", resp.StatusCode, c.status, resp.body)
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("Content-Type %q", ct)
				}
				p := resp.problem(t)
				text := p.Detail
				found := c.field == ""
				for _, e := range p.Errors {
					text += " " + e.Detail
					if e.Field == c.field {
						found = true
					}
				}
				if !found {
					t.Errorf("no problem for %s: %+v", c.field, p)
				}
				if !strings.Contains(text, c.mention) {
					t.Errorf("problem %q does not mention %q", text, c.mention)
				}
			})
		}
		var list struct{ Items []tend.Macro }
		ts.as(tend.RoleAgent, "GET", "/api/v1/macros", nil).decode(t, &list)
		if len(list.Items) != 0 {
			t.Errorf("refused macros were stored: %+v", list.Items)
		}
	})
}

func TestAPIApplyMacro(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		sys := tend.SystemContext(context.Background())
		tk, err := ts.tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Lost parcel", Customer: tend.CustomerRef{Email: "dana@example.com", Name: "Dana Reyes"}, Body: "Where is it?"})
		if err != nil {
			t.Fatal(err)
		}
		resp := ts.as(tend.RoleAgent, "POST", "/api/v1/macros", map[string]any{"name": "Parcel", "body": "Hi {{customer.first_name}}, #{{ticket.number}} is with {{ticket.owner.name}}.",
			"actions": map[string]any{"status": "pending", "add_tags": []string{"parcel"}}})
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.body)
		}
		var m tend.Macro
		resp.decode(t, &m)
		path := fmt.Sprintf("/api/v1/tickets/%d/macros/%d", tk.ID, m.ID)
		resp = ts.as(tend.RoleAgent, "POST", path, nil, "Idempotency-Key", "parcel-1")
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("apply: %d %s", resp.StatusCode, resp.body)
		}
		var res tend.MacroResult
		resp.decode(t, &res)
		want := fmt.Sprintf("Hi Dana, #%d is with our team.", tk.Number)
		if res.Reply == nil || res.Reply.Body != want || res.Ticket.Status != tend.StatusPending {
			t.Errorf("result = reply %+v, ticket %+v", res.Reply, res.Ticket)
		}
		again := ts.as(tend.RoleAgent, "POST", path, nil, "Idempotency-Key", "parcel-1")
		var res2 tend.MacroResult
		again.decode(t, &res2)
		if again.StatusCode != http.StatusCreated || res2.Reply == nil || res2.Reply.ID != res.Reply.ID {
			t.Errorf("retry: %d %s", again.StatusCode, again.body)
		}
		var events struct{ Items []tend.Event }
		ts.as(tend.RoleAgent, "GET", fmt.Sprintf("/api/v1/tickets/%d/events", tk.ID), nil).decode(t, &events)
		ids := map[string]int{}
		for _, e := range events.Items {
			ids[e.ChangeID]++
		}
		last := events.Items[len(events.Items)-1].ChangeID
		if last == "" || ids[last] < 3 {
			t.Errorf("the macro's entries do not share a change id: %v", ids)
		}
		var got tend.Macro
		ts.as(tend.RoleAgent, "GET", fmt.Sprintf("/api/v1/macros/%d", m.ID), nil).decode(t, &got)
		if got.UsageCount != 1 {
			t.Errorf("usage = %d, want 1", got.UsageCount)
		}
	})
}
