package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestAPITimeZones(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		me := ts.agents[tend.RoleAgent]
		path := fmt.Sprintf("/api/v1/agents/%d", me.ID)
		var a tend.Agent
		ts.as(tend.RoleAgent, "PATCH", path, map[string]any{"time_zone": "Europe/Berlin"}).want(t, http.StatusOK).decode(t, &a)
		if a.TimeZone != "Europe/Berlin" {
			t.Errorf("the agent's own PATCH gave %+v", a)
		}
		ts.as(tend.RoleAgent, "GET", path, nil).want(t, http.StatusOK).decode(t, &a)
		if a.TimeZone != "Europe/Berlin" {
			t.Errorf("GET gave %+v", a)
		}
		other := fmt.Sprintf("/api/v1/agents/%d", ts.agents[tend.RoleLead].ID)
		ts.as(tend.RoleAgent, "PATCH", other, map[string]any{"time_zone": "Asia/Tokyo"}).want(t, http.StatusForbidden)
		ts.as(tend.RoleAdmin, "PATCH", other, map[string]any{"time_zone": "Asia/Tokyo"}).want(t, http.StatusOK)
		wantField := func(p problemDoc) {
			t.Helper()
			if len(p.Errors) != 1 || p.Errors[0].Field != "time_zone" {
				t.Errorf("problem %+v does not name time_zone", p)
			}
		}
		wantField(ts.as(tend.RoleAgent, "PATCH", path, map[string]any{"time_zone": "Mars/Olympus"}).want(t, http.StatusBadRequest).problem(t))

		tk, err := ts.server.Tickets.CreateTicket(tend.SystemContext(context.Background()), &tend.TicketCreate{Subject: "Hi", Body: "Hello.",
			Customer: tend.CustomerRef{Email: "zoe@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		cpath := fmt.Sprintf("/api/v1/customers/%d", tk.CustomerID)
		var c tend.Customer
		ts.as(tend.RoleAgent, "PATCH", cpath, map[string]any{"time_zone": "America/New_York"}).want(t, http.StatusOK).decode(t, &c)
		if c.TimeZone != "America/New_York" {
			t.Errorf("PATCH customer gave %+v", c)
		}
		wantField(ts.as(tend.RoleAgent, "PATCH", cpath, map[string]any{"time_zone": "UTC+1"}).want(t, http.StatusBadRequest).problem(t))
	})
}
