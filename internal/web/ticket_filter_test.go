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

// The list pages read a filter as the API does, by the same names:
// owner_id, team_id, customer_id, organization_id. A link or bookmark
// with the names the pages used before is sent on to the new ones.
func TestListPagesReadTheAPIsFilter(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	lead := ts.agents[tend.RoleLead]
	mine := newTicket(t, ts, "Lead's own", "ida@customer.example", "One.")
	newTicket(t, ts, "Nobody's", "ole@customer.example", "Two.")
	if _, err := ts.tickets.UpdateTicket(system, mine.ID, &tend.TicketUpdate{OwnerID: &lead.ID}); err != nil {
		t.Fatal(err)
	}
	sc := newStaffClient(t, ts, tend.RoleAgent)
	byOwner := fmt.Sprintf("owner_id=%d", lead.ID)

	status, body := sc.get("/tickets?" + byOwner)
	if status != http.StatusOK || !strings.Contains(body, "Filtered tickets") || !strings.Contains(body, "Lead&#39;s own") || strings.Contains(body, "Nobody&#39;s") {
		t.Fatalf("GET /tickets?%s: %d\n%.3000s", byOwner, status, body)
	}
	api := ts.as(tend.RoleAgent, "GET", "/api/v1/tickets?"+byOwner, nil).want(t, 200)
	var list struct{ Items []tend.Ticket }
	api.decode(t, &list)
	if len(list.Items) != 1 || list.Items[0].ID != mine.ID {
		t.Fatalf("the API lists %+v for %s", list.Items, byOwner)
	}
	// The page's own filter form says owner_id too, so that what it saves
	// is what the API reads.
	mustContain(t, "the filter form", body, `name="owner_id"`, `name="team_id"`, `name="customer_id"`, `name="organization_id"`)

	resp, err := sc.c.Get(fmt.Sprintf("%s/tickets?owner=%d&status=new", ts.URL, lead.ID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || loc != fmt.Sprintf("/tickets?owner_id=%d&status=new", lead.ID) {
		t.Fatalf("an old filter link answers %d to %q", resp.StatusCode, loc)
	}
}

// A view saved when the pages named the filter's parameters their own way
// (owner=, team=, customer=, organization=) is rewritten by the migration
// to the names the API reads, and lists what it listed before.
func TestViewSavedInTheOldShapeStillFilters(t *testing.T) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqldbtest.DSN(t, engine)
			db, err := sqldb.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			db.PasswordParams = sqldbtest.Cheap
			t.Cleanup(func() { db.Close() })
			ts := newTestServer(t, db)
			lead, agent := ts.agents[tend.RoleLead], ts.agents[tend.RoleAgent]
			team, err := ts.server.Teams.CreateTeam(system, &tend.TeamCreate{Name: "Billing"})
			if err != nil {
				t.Fatal(err)
			}
			theirs := newTicket(t, ts, "Refund twice", "ida@customer.example", "One.")
			newTicket(t, ts, "Refund once", "ole@customer.example", "Two.")
			if _, err := ts.tickets.UpdateTicket(system, theirs.ID, &tend.TicketUpdate{OwnerID: &lead.ID, TeamID: &team.ID, Status: ptr(tend.StatusOpen)}); err != nil {
				t.Fatal(err)
			}
			old := fmt.Sprintf("customer=%d&owner=%d&status=open&team=%d", theirs.CustomerID, lead.ID, team.ID)
			v, err := ts.server.SavedViews.CreateSavedView(asAgent(agent), &tend.SavedViewCreate{Name: "Lead's refunds", Filter: old})
			if err != nil {
				t.Fatal(err)
			}

			// As a database of an older Tend: the migration has yet to run.
			exec := sqldbtest.Exec(t, engine, dsn)
			if err := exec(`DELETE FROM schema_migrations WHERE version = '0007_view_filter_names'`); err != nil {
				t.Fatal(err)
			}
			again, err := sqldb.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			again.Close()

			views, err := ts.server.SavedViews.FindSavedViews(asAgent(agent))
			if err != nil || len(views) != 1 {
				t.Fatalf("saved views: %v, %v", views, err)
			}
			want := fmt.Sprintf("customer_id=%d&owner_id=%d&status=open&team_id=%d", theirs.CustomerID, lead.ID, team.ID)
			if views[0].Filter != want {
				t.Errorf("the view's filter is %q, want %q", views[0].Filter, want)
			}
			sc := newStaffClient(t, ts, tend.RoleAgent)
			status, body := sc.get(fmt.Sprintf("/tickets?view=saved-%d", v.ID))
			if status != http.StatusOK || !strings.Contains(body, "Refund twice") || strings.Contains(body, "Refund once") {
				t.Fatalf("the old view: %d\n%.3000s", status, body)
			}
		})
	}
}
