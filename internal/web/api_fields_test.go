package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// Custom fields over the API: an admin defines them, an agent sets them
// in a PATCH and filters by them; bad input is a problem naming the field
// with nothing written, and customers see none.
func TestAPICustomFields(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		var seats tend.Field
		ts.as(tend.RoleAdmin, "POST", "/api/v1/fields", map[string]any{"key": "seats", "label": "Seats", "type": "number", "required": true}).
			want(t, http.StatusCreated).decode(t, &seats)
		ts.as(tend.RoleAdmin, "POST", "/api/v1/fields", map[string]any{"key": "renewal", "label": "Renewal", "type": "date"}).want(t, http.StatusCreated)
		if p := ts.as(tend.RoleAdmin, "POST", "/api/v1/fields", map[string]any{"key": "seats", "label": "Again", "type": "text"}).want(t, http.StatusConflict).problem(t); !strings.Contains(p.Detail+fmt.Sprint(p.Errors), "seats") {
			t.Errorf("a second key seats: %+v", p)
		}
		tk := newTicket(t, ts, "Licences", "lu@customer.example", "We need more seats.")
		path := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)

		bad := []struct {
			name  string
			body  string
			field string
		}{
			{"not a number", `{"fields":{"seats":"ten"}}`, "fields.seats"},
			{"not a date", `{"fields":{"renewal":"next May","seats":10}}`, "fields.renewal"},
			{"no such field", `{"fields":{"colour":"red"}}`, "fields.colour"},
			{"a value of the wrong kind", `{"fields":{"seats":[1]}}`, "fields.seats"},
			{"solved without the seats", `{"status":"solved"}`, "fields.seats"},
			{"fields that are no object", `{"fields":[]}`, "fields"},
			{"a value that is true", `{"fields":{"seats":true}}`, "fields.seats"},
		}
		for _, c := range bad {
			resp := ts.as(tend.RoleAgent, "PATCH", path, c.body).want(t, http.StatusBadRequest)
			p := resp.problem(t)
			named := strings.Contains(p.Detail, c.field)
			for _, e := range p.Errors {
				named = named || e.Field == c.field
			}
			if !named {
				t.Errorf("%s: the problem does not name %s: %s", c.name, c.field, resp.body)
			}
			if b := string(resp.body); strings.Contains(b, "fields.fields") || strings.Contains(b, "web.") || strings.Contains(b, "map[") {
				t.Errorf("%s: the problem speaks of Go: %s", c.name, b)
			}
		}
		var got tend.Ticket
		ts.as(tend.RoleAgent, "GET", path, nil).want(t, http.StatusOK).decode(t, &got)
		if len(got.Fields) != 0 || got.Status == tend.StatusSolved || got.Version != tk.Version {
			t.Fatalf("refused changes were written: fields %v, status %s, version %d (was %d)", got.Fields, got.Status, got.Version, tk.Version)
		}

		// A number is given as a number or as text; both read the same.
		ts.as(tend.RoleAgent, "PATCH", path, `{"fields":{"seats":12.50,"renewal":"2027-05-01"}}`).want(t, http.StatusOK).decode(t, &got)
		if got.Fields["seats"] != "12.5" || got.Fields["renewal"] != "2027-05-01" {
			t.Fatalf("fields after the PATCH: %v", got.Fields)
		}
		ts.as(tend.RoleAgent, "PATCH", path, `{"status":"solved"}`).want(t, http.StatusOK)
		var list struct{ Items []tend.Ticket }
		ts.as(tend.RoleAgent, "GET", "/api/v1/tickets?field.seats=12.500", nil).want(t, http.StatusOK).decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != tk.ID || list.Items[0].Fields["seats"] != "12.5" {
			t.Errorf("field.seats=12.500 lists %+v", list.Items)
		}
		list.Items = nil
		ts.as(tend.RoleAgent, "GET", "/api/v1/tickets?field.seats=13", nil).want(t, http.StatusOK).decode(t, &list)
		if len(list.Items) != 0 {
			t.Errorf("field.seats=13 lists %d tickets", len(list.Items))
		}
		if p := ts.as(tend.RoleAgent, "GET", "/api/v1/tickets?field.colour=red", nil).want(t, http.StatusBadRequest).problem(t); !strings.Contains(p.Detail+fmt.Sprint(p.Errors), "field.colour") {
			t.Errorf("filter by no field: %+v", p)
		}
		// Clearing with null; the history has each change.
		var cleared tend.Ticket
		ts.as(tend.RoleAgent, "PATCH", path, `{"fields":{"renewal":null}}`).want(t, http.StatusOK).decode(t, &cleared)
		if _, ok := cleared.Fields["renewal"]; ok || cleared.Fields["seats"] != "12.5" {
			t.Errorf("fields after renewal null: %v", cleared.Fields)
		}
		var events struct{ Items []tend.Event }
		ts.as(tend.RoleAgent, "GET", path+"/events", nil).want(t, http.StatusOK).decode(t, &events)
		n := 0
		for _, e := range events.Items {
			if _, ok := e.Data.(tend.FieldChanged); ok {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%d field_changed entries, want 3 (seats, renewal, renewal cleared)", n)
		}
		// Agents may not define fields; the field list is for staff.
		ts.as(tend.RoleAgent, "POST", "/api/v1/fields", map[string]any{"key": "x", "label": "X", "type": "text"}).want(t, http.StatusForbidden)
		ts.as(tend.RoleAdmin, "PATCH", fmt.Sprintf("/api/v1/fields/%d", seats.ID), map[string]any{"label": "Seats", "type": "text"}).want(t, http.StatusBadRequest)
	})
}

// A ticket opened with fields has them, in its history after its opening;
// a wrong one opens no ticket.
func TestAPITicketOpenedWithFields(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		ts.as(tend.RoleAdmin, "POST", "/api/v1/fields", map[string]any{"key": "seats", "label": "Seats", "type": "number"}).want(t, http.StatusCreated)
		before := ts.countTickets()
		resp := ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", `{"subject":"More seats","customer":{"email":"mo@customer.example"},"body":"Hi","fields":{"seats":"many"}}`).
			want(t, http.StatusBadRequest)
		if p := resp.problem(t); !strings.Contains(p.Detail+fmt.Sprint(p.Errors), "fields.seats") {
			t.Errorf("a wrong field: %s", resp.body)
		}
		if n := ts.countTickets(); n != before {
			t.Fatalf("a refused ticket was opened: %d tickets, had %d", n, before)
		}
		var tk tend.Ticket
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", `{"subject":"More seats","customer":{"email":"mo@customer.example"},"body":"Hi","fields":{"seats":25}}`).
			want(t, http.StatusCreated).decode(t, &tk)
		if tk.Fields["seats"] != "25" {
			t.Errorf("the new ticket's fields: %v", tk.Fields)
		}
	})
}
