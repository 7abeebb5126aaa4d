package sqldb_test

import (
	"fmt"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// Counts and numbers see what the caller may see: a customer counts their
// own tickets and cannot open another's by its number.
func TestCountAndNumberAreScopedToTheCaller(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		mine := e.mustTicket(t, system, "Mine", "ann@example.com", "one")
		e.mustTicket(t, system, "Mine too", "ann@example.com", "two")
		theirs := e.mustTicket(t, system, "Theirs", "ben@example.com", "three")
		open := tend.TicketFilter{Statuses: []tend.Status{tend.StatusNew}}

		if n, err := e.tickets.CountTickets(as(bo), open); err != nil || n != 3 {
			t.Fatalf("staff count %d, %v; want 3", n, err)
		}
		if n, err := e.tickets.CountTickets(asCustomer(mine.CustomerID), open); err != nil || n != 2 {
			t.Fatalf("the customer's count %d, %v; want their 2", n, err)
		}
		if got, err := e.tickets.FindTicketByNumber(asCustomer(mine.CustomerID), mine.Number); err != nil || got.ID != mine.ID {
			t.Fatalf("the customer's own ticket by number: %v, %v", got, err)
		}
		_, err := e.tickets.FindTicketByNumber(asCustomer(mine.CustomerID), theirs.Number)
		wantCode(t, err, tend.ENOTFOUND)
		_, err = e.tickets.FindTicketByNumber(as(bo), 99999)
		wantCode(t, err, tend.ENOTFOUND)
	})
}

// Saved views belong to their agent, and there is a ceiling on them.
func TestSavedViews(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		views := sqldb.NewSavedViewService(db)
		e := newEnv(t, db)
		bo, cy := e.mustAgent(t, "bo", tend.RoleAgent), e.mustAgent(t, "cy", tend.RoleAgent)
		v, err := views.CreateSavedView(as(bo), &tend.SavedViewCreate{Name: " Urgent ", Filter: "priority=urgent"})
		if err != nil || v.Name != "Urgent" || v.AgentID != bo.ID {
			t.Fatalf("CreateSavedView = %+v, %v", v, err)
		}
		_, err = views.CreateSavedView(as(bo), &tend.SavedViewCreate{Name: "Nothing", Filter: ""})
		wantCode(t, err, tend.EINVALID)
		if list, _ := views.FindSavedViews(as(cy)); len(list) != 0 {
			t.Fatalf("another agent sees %d saved views", len(list))
		}
		wantCode(t, views.DeleteSavedView(as(cy), v.ID), tend.ENOTFOUND)
		refused := false
		for i := 1; i <= 100 && !refused; i++ {
			_, err := views.CreateSavedView(as(bo), &tend.SavedViewCreate{Name: fmt.Sprint("View ", i), Filter: "tag=t"})
			if refused = err != nil; refused {
				wantCode(t, err, tend.ECONFLICT)
			}
		}
		if list, _ := views.FindSavedViews(as(bo)); !refused || len(list) != 30 {
			t.Fatalf("%d views kept (refused %v), want the 31st refused at 30", len(list), refused)
		}
		if err := views.DeleteSavedView(as(bo), v.ID); err != nil {
			t.Fatal(err)
		}
	})
}
