package demo

import (
	"context"
	"fmt"

	"github.com/tendhq/tend"
)

// The demo's macros: the answers each team gives most, some with what
// sending them also does.
func createMacros(ctx context.Context, s Services, d *desk) error {
	pending, solved, high := tend.StatusPending, tend.StatusSolved, tend.PriorityHigh
	billingID, technicalID := d.teams[billing].id, d.teams[technical].id
	macros := []struct {
		by *agent
		c  tend.MacroCreate
	}{
		{d.admin, tend.MacroCreate{Name: "Thanks, on it", Scope: tend.MacroShared,
			Body: "Hi {{customer.first_name}},\n\nThanks for writing. I am looking into this now and will come back to you today.\n\n{{agent.name}}"}},
		{d.admin, tend.MacroCreate{Name: "Ask for the order number", Scope: tend.MacroShared,
			Body:    "Hi {{customer.first_name}},\n\nCould you send me the order number? It starts with NB- and is in the confirmation mail.\n\n{{agent.name}}",
			Actions: tend.MacroActions{Status: &pending}}},
		{d.admin, tend.MacroCreate{Name: "Solved: closing the loop", Scope: tend.MacroShared,
			Body:    "Hi {{customer.first_name}},\n\nI am marking ticket #{{ticket.number}} as solved. If anything is still wrong, just reply to this mail and it opens again.\n\n{{agent.name}}",
			Actions: tend.MacroActions{Status: &solved}}},
		{d.teams[billing].lead, tend.MacroCreate{Name: "Refund issued", Scope: tend.MacroTeam, TeamID: &billingID,
			Body:    "Hi {{customer.first_name}},\n\nI have issued the refund. It reaches your card in 3 to 5 working days.\n\n{{agent.name}}",
			Actions: tend.MacroActions{Status: &solved, AddTags: []string{"refund"}, Note: "Refund issued by {{agent.name}}; check the ledger on Friday."}}},
		{d.teams[technical].lead, tend.MacroCreate{Name: "Escalate to engineering", Scope: tend.MacroTeam, TeamID: &technicalID,
			Body:    "Hi {{customer.first_name}},\n\nI have passed this to our engineers with everything you sent. I will write again as soon as they report back.\n\n{{agent.name}}",
			Actions: tend.MacroActions{Priority: &high, AddTags: []string{"engineering"}, Note: "Escalated: needs an engineer's look."}}},
	}
	for _, m := range macros {
		if _, err := s.Macros.CreateMacro(m.by.as(ctx), &m.c); err != nil {
			return fmt.Errorf("create macro %q: %w", m.c.Name, err)
		}
	}
	return nil
}

// The demo's custom fields: what its agents ask customers for most.
func createFields(ctx context.Context, s Services, d *desk) error {
	fields := []tend.FieldInput{
		{Key: "order_number", Label: "Order number", Type: tend.FieldText, Position: 1},
		{Key: "plan", Label: "Plan", Type: tend.FieldChoice, Choices: []string{"Starter", "Team", "Business"}, Position: 2},
	}
	for _, f := range fields {
		if _, err := s.Fields.CreateField(d.admin.as(ctx), &f); err != nil {
			return fmt.Errorf("create field %q: %w", f.Label, err)
		}
	}
	return nil
}
