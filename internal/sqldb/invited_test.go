package sqldb_test

import (
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// Someone invited who has not joined yet cannot be given tickets: not as
// owner, not in a bulk change, not as successor of a deactivated agent.
// Once they accept, they can.
func TestInvitedAgentsAreGivenNothing(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)
		lead := e.mustAgent(t, "lea", tend.RoleLead)
		nia, err := e.agents.CreateAgent(system, &tend.AgentCreate{Name: "Nia", Email: "nia@staff.example", Role: tend.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		secret, err := secretOf(e.agents.CreateInvitation(system, nia.ID, false))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.agents.FindAgentByID(system, nia.ID); !got.Invited || got.Assignable() {
			t.Fatalf("an invited agent reads %+v", got)
		}
		tk := e.mustTicket(t, as(ann), "Lost card", "c@example.com", "Help.")
		_, err = e.tickets.UpdateTicket(as(lead), tk.ID, &tend.TicketUpdate{OwnerID: &nia.ID})
		if tend.ErrorCode(err) != tend.EINVALID || tend.ErrorFields(err)["owner_id"] == "" {
			t.Errorf("giving the invited agent a ticket: %v", err)
		}
		res, err := e.tickets.BulkUpdateTickets(as(lead), &tend.TicketBulkUpdate{IDs: []int64{tk.ID}, Update: &tend.TicketUpdate{OwnerID: &nia.ID}})
		if tend.ErrorCode(err) != tend.EINVALID {
			t.Errorf("a bulk change to the invited agent: %v, %v", res, err)
		}
		if _, err := e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{OwnerID: &ann.ID}); err != nil {
			t.Fatal(err)
		}
		_, err = e.agents.UpdateAgent(system, ann.ID, &tend.AgentUpdate{Active: ptr(false), SuccessorID: &nia.ID})
		if tend.ErrorCode(err) != tend.EINVALID {
			t.Errorf("handing over to the invited agent: %v", err)
		}
		if got, _ := e.tickets.FindTicketByID(system, tk.ID); got.OwnerID == nil || *got.OwnerID != ann.ID {
			t.Errorf("after the refusals the owner is %v", got.OwnerID)
		}
		if _, err := e.agents.AcceptInvitation(system, secret, "long enough password"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.tickets.UpdateTicket(as(lead), tk.ID, &tend.TicketUpdate{OwnerID: &nia.ID}); err != nil {
			t.Errorf("after joining, giving Nia the ticket: %v", err)
		}
	})
}
