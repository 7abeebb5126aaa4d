package sqldb_test

import (
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestCustomFields(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		fields := sqldb.NewFieldService(db)
		admin := e.mustAgent(t, "ada", tend.RoleAdmin)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)

		if _, err := fields.CreateField(as(ann), &tend.FieldInput{Key: "order", Label: "Order", Type: tend.FieldText}); tend.ErrorCode(err) != tend.EFORBIDDEN {
			t.Fatalf("an agent defines a field: %v", err)
		}
		order, err := fields.CreateField(as(admin), &tend.FieldInput{Key: "order", Label: "Order number", Type: tend.FieldText, Required: true})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := fields.CreateField(as(admin), &tend.FieldInput{Key: "plan", Label: "Plan", Type: tend.FieldChoice,
			Choices: []string{"Basic", "Pro"}, Position: 2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fields.CreateField(as(admin), &tend.FieldInput{Key: "order", Label: "Again", Type: tend.FieldText}); tend.ErrorCode(err) != tend.ECONFLICT {
			t.Errorf("a second field keyed order: %v", err)
		}
		if _, err := fields.UpdateField(as(admin), order.ID, &tend.FieldPatch{Type: ptr(tend.FieldNumber)}); tend.ErrorFields(err)["type"] == "" {
			t.Errorf("changing a field's type: %v", err)
		}

		tk := e.mustTicket(t, as(ann), "Refund", "cy@example.com", "Please refund")
		// A required field with no value: solving is refused, naming it,
		// and nothing of the change is written.
		solved := tend.StatusSolved
		_, err = e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{Status: &solved, Priority: ptr(tend.PriorityHigh)})
		if got := tend.ErrorFields(err)["fields.order"]; got == "" {
			t.Fatalf("solving without the order number: %v", err)
		}
		if got, _ := e.tickets.FindTicketByID(as(ann), tk.ID); got.Status == tend.StatusSolved || got.Priority == tend.PriorityHigh {
			t.Fatalf("a refused change was written: %+v", got)
		}
		// Nor by replying with the status solved.
		if _, err := e.tickets.AddMessage(as(ann), tk.ID, &tend.MessageCreate{Body: "Done", Status: &solved}); tend.ErrorFields(err)["fields.order"] == "" {
			t.Fatalf("replying and solving without the order number: %v", err)
		}
		// A bad value names the field and changes nothing.
		_, err = e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{Fields: map[string]string{"order": "A-1", "plan": "Gold"}})
		if tend.ErrorFields(err)["fields.plan"] == "" {
			t.Fatalf("plan Gold: %v", err)
		}
		got, err := e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{Fields: map[string]string{"order": "A-1", "plan": "pro"}})
		if err != nil {
			t.Fatal(err)
		}
		if got.Fields["order"] != "A-1" || got.Fields["plan"] != "Pro" || got.Version != tk.Version+1 {
			t.Fatalf("after setting fields: %v, version %d (was %d)", got.Fields, got.Version, tk.Version)
		}
		if got, err = e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{Status: &solved}); err != nil || got.Status != tend.StatusSolved {
			t.Fatalf("solving with the order number: %v", err)
		}

		// A solved ticket keeps its required value.
		if _, err := e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{Fields: map[string]string{"order": ""}}); tend.ErrorFields(err)["fields.order"] == "" {
			t.Errorf("clearing the order number of a solved ticket: %v", err)
		}

		// The history records each value.
		events, _, err := e.tickets.FindTicketEvents(as(ann), tk.ID, "", 200)
		if err != nil {
			t.Fatal(err)
		}
		var changed []tend.FieldChanged
		for _, ev := range events {
			if c, ok := ev.Data.(tend.FieldChanged); ok {
				changed = append(changed, c)
			}
		}
		if len(changed) != 2 || changed[0] != (tend.FieldChanged{FieldID: order.ID, Key: "order", To: "A-1"}) ||
			changed[1] != (tend.FieldChanged{FieldID: plan.ID, Key: "plan", To: "Pro"}) {
			t.Errorf("field history = %+v", changed)
		}

		// Lists filter by a field, in any case the choice is written.
		other := e.mustTicket(t, as(ann), "Other", "di@example.com", "Hi")
		if _, err := e.tickets.UpdateTicket(as(ann), other.ID, &tend.TicketUpdate{Fields: map[string]string{"plan": "Basic"}}); err != nil {
			t.Fatal(err)
		}
		list, _, err := e.tickets.FindTickets(as(ann), tend.TicketFilter{Fields: map[string]string{"plan": "PRO"}})
		if err != nil || len(list) != 1 || list[0].ID != tk.ID || list[0].Fields["order"] != "A-1" {
			t.Fatalf("plan=PRO: %v, %v", list, err)
		}
		if n, err := e.tickets.CountTickets(as(ann), tend.TicketFilter{Fields: map[string]string{"plan": "Basic"}}); err != nil || n != 1 {
			t.Errorf("count plan=Basic: %d, %v", n, err)
		}
		if _, _, err := e.tickets.FindTickets(as(ann), tend.TicketFilter{Fields: map[string]string{"colour": "red"}}); tend.ErrorFields(err)["field.colour"] == "" {
			t.Errorf("filter by no field: %v", err)
		}
		// Customers see no fields and cannot filter by them.
		customerTicket, err := e.tickets.FindTicketByID(asCustomer(tk.CustomerID), tk.ID)
		if err != nil || len(customerTicket.Fields) != 0 {
			t.Errorf("the customer reads fields %v (%v)", customerTicket.Fields, err)
		}
		if _, _, err := e.tickets.FindTickets(asCustomer(tk.CustomerID), tend.TicketFilter{Fields: map[string]string{"plan": "Pro"}}); tend.ErrorCode(err) != tend.EINVALID {
			t.Errorf("a customer filters by plan: %v", err)
		}

		// Tend's own moves solve without asking: a merge, spam.
		dup := e.mustTicket(t, as(ann), "Refund again", "cy@example.com", "Again")
		if _, err := e.tickets.MergeTicket(as(ann), dup.ID, other.ID); err != nil {
			t.Errorf("merging a ticket without its order number: %v", err)
		}
		spam := e.mustTicket(t, as(ann), "Win", "spammer@example.com", "Cheap")
		if _, err := e.tickets.MarkSpam(as(ann), spam.ID, true); err != nil {
			t.Errorf("marking spam a ticket without its order number: %v", err)
		}
		// A bulk change refuses the ticket without it, and solves the other.
		third := e.mustTicket(t, as(ann), "Third", "el@example.com", "Hi")
		if _, err := e.tickets.UpdateTicket(as(ann), third.ID, &tend.TicketUpdate{Fields: map[string]string{"order": "A-3"}}); err != nil {
			t.Fatal(err)
		}
		results, err := e.tickets.BulkUpdateTickets(as(ann), &tend.TicketBulkUpdate{IDs: []int64{other.ID, third.ID}, Update: &tend.TicketUpdate{Status: &solved}})
		if err != nil || len(results) != 2 || results[0].Result != tend.BulkRefused || tend.ErrorFields(results[0].Err)["fields.order"] == "" ||
			results[1].Result != tend.BulkChanged {
			t.Errorf("bulk solve: %+v, %v", results, err)
		}

		// A choice tickets hold stays until they hold another.
		if _, err := fields.UpdateField(as(admin), plan.ID, &tend.FieldPatch{Choices: &[]string{"Basic"}}); tend.ErrorCode(err) != tend.ECONFLICT {
			t.Errorf("taking away Pro: %v", err)
		}
		if _, err := fields.UpdateField(as(admin), plan.ID, &tend.FieldPatch{Choices: &[]string{"Basic", "Pro", "Team"}}); err != nil {
			t.Errorf("adding Team: %v", err)
		}
		// A patch changes only what it names.
		if f, err := fields.UpdateField(as(admin), order.ID, &tend.FieldPatch{Label: ptr("Order no.")}); err != nil || !f.Required || f.Label != "Order no." {
			t.Errorf("renaming the order number: %+v, %v", f, err)
		}
		before, _ := fields.FindFieldByID(as(admin), order.ID)
		if f, err := fields.UpdateField(as(admin), order.ID, &tend.FieldPatch{}); err != nil || !f.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("an empty patch: %+v, %v (updated at %v before)", f, err, before.UpdatedAt)
		}
		// Ids are never reused: history names fields by id.
		gone, _ := fields.CreateField(as(admin), &tend.FieldInput{Key: "gone", Label: "Gone", Type: tend.FieldText})
		if err := fields.DeleteField(as(admin), gone.ID); err != nil {
			t.Fatal(err)
		}
		if next, _ := fields.CreateField(as(admin), &tend.FieldInput{Key: "next", Label: "Next", Type: tend.FieldText}); next.ID == gone.ID {
			t.Errorf("a new field took the id %d of one deleted", next.ID)
		}
		// Deleting a field deletes its values.
		if err := fields.DeleteField(as(admin), plan.ID); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.tickets.FindTicketByID(as(ann), tk.ID); got.Fields["plan"] != "" || got.Fields["order"] != "A-1" {
			t.Errorf("after deleting plan: %v", got.Fields)
		}
		if list, _ := fields.FindFields(as(ann)); len(list) != 2 || list[0].Key != "next" && list[1].Key != "next" {
			t.Errorf("fields after delete: %v", list)
		}
	})
}
