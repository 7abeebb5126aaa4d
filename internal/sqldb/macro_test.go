package sqldb_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func macroNames(list []*tend.Macro) []string {
	var names []string
	for _, m := range list {
		names = append(names, m.Name)
	}
	slices.Sort(names)
	return names
}

func TestMacroScopes(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		macros := sqldb.NewMacroService(db, e.tickets)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		lead := e.mustAgent(t, "lea", tend.RoleLead)
		otherLead := e.mustAgent(t, "olly", tend.RoleLead)
		admin := e.mustAgent(t, "ada", tend.RoleAdmin)
		team, err := e.teams.CreateTeam(system, &tend.TeamCreate{Name: "Billing", LeadID: &lead.ID, MemberIDs: []int64{ann.ID}})
		if err != nil {
			t.Fatal(err)
		}
		mine, err := macros.CreateMacro(as(ann), &tend.MacroCreate{Name: "Ann's thanks", Body: "Thanks, {{customer.first_name}}!"})
		if err != nil {
			t.Fatal(err)
		}
		if mine.Scope != tend.MacroPersonal || mine.OwnerID == nil || *mine.OwnerID != ann.ID {
			t.Errorf("personal macro = %+v", mine)
		}
		teamMacro, err := macros.CreateMacro(as(lead), &tend.MacroCreate{Name: "Refund", Body: "Refunded.", Scope: tend.MacroTeam, TeamID: &team.ID})
		if err != nil {
			t.Fatalf("the team's lead creates a team macro: %v", err)
		}
		if _, err := macros.CreateMacro(as(admin), &tend.MacroCreate{Name: "Hello", Body: "Hello {{customer.name}}", Scope: tend.MacroShared}); err != nil {
			t.Fatalf("an admin creates a shared macro: %v", err)
		}

		// Who may change which scope.
		refusals := []struct {
			who  *tend.Agent
			make tend.MacroCreate
		}{
			{ann, tend.MacroCreate{Name: "x", Body: "x", Scope: tend.MacroShared}},
			{lead, tend.MacroCreate{Name: "x", Body: "x", Scope: tend.MacroShared}},
			{ann, tend.MacroCreate{Name: "x", Body: "x", Scope: tend.MacroTeam, TeamID: &team.ID}},
			{otherLead, tend.MacroCreate{Name: "x", Body: "x", Scope: tend.MacroTeam, TeamID: &team.ID}},
		}
		for _, r := range refusals {
			if _, err := macros.CreateMacro(as(r.who), &r.make); tend.ErrorCode(err) != tend.EFORBIDDEN {
				t.Errorf("%s creating a %s macro: err = %v, want EFORBIDDEN", r.who.Name, r.make.Scope, err)
			}
		}
		if _, err := macros.UpdateMacro(as(ann), teamMacro.ID, &tend.MacroUpdate{Body: ptr("changed")}); tend.ErrorCode(err) != tend.EFORBIDDEN {
			t.Errorf("a member editing the team macro: err = %v, want EFORBIDDEN", err)
		}
		if _, err := macros.UpdateMacro(as(admin), mine.ID, &tend.MacroUpdate{Body: ptr("changed")}); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("an admin editing someone's personal macro: err = %v, want ENOTFOUND", err)
		}
		if err := macros.DeleteMacro(as(bo), mine.ID); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("bo deleting ann's macro: err = %v, want ENOTFOUND", err)
		}

		// Who sees which.
		sees := map[*tend.Agent][]string{
			ann:       {"Ann's thanks", "Hello", "Refund"},
			bo:        {"Hello"},
			lead:      {"Hello", "Refund"},
			otherLead: {"Hello"},
			admin:     {"Hello", "Refund"},
		}
		for who, want := range sees {
			list, err := macros.FindMacros(as(who), tend.MacroFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if got := macroNames(list); !slices.Equal(got, want) {
				t.Errorf("%s sees %q, want %q", who.Name, got, want)
			}
		}
		if _, err := macros.FindMacroByID(as(bo), teamMacro.ID); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("bo reading the team's macro: err = %v, want ENOTFOUND", err)
		}
		if _, err := macros.FindMacros(asCustomer(1), tend.MacroFilter{}); tend.ErrorCode(err) != tend.EFORBIDDEN {
			t.Errorf("a customer listing macros: err = %v, want EFORBIDDEN", err)
		}

		// Search by name and text, in any case.
		for q, want := range map[string][]string{"refund": {"Refund"}, "HELLO": {"Hello"}, "first_name": {"Ann's thanks"}, "100%": nil,
			"ref": {"Refund"}, "THANKS ann": {"Ann's thanks"}, "efund": nil, "refund hello": nil} {
			list, err := macros.FindMacros(as(ann), tend.MacroFilter{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			if got := macroNames(list); !slices.Equal(got, want) {
				t.Errorf("search %q = %q, want %q", q, got, want)
			}
		}

		// Changed, a macro is found by its new words; deleted, by none.
		if _, err := macros.UpdateMacro(as(lead), teamMacro.ID, &tend.MacroUpdate{Name: ptr("Chargeback"), Body: ptr("Disputed.")}); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]string{"refund": nil, "charge": {"Chargeback"}, "disputed": {"Chargeback"}} {
			if list, _ := macros.FindMacros(as(ann), tend.MacroFilter{Q: q}); !slices.Equal(macroNames(list), want) {
				t.Errorf("after the change, search %q = %q, want %q", q, macroNames(list), want)
			}
		}
		if err := macros.DeleteMacro(as(lead), teamMacro.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := macros.FindMacros(as(ann), tend.MacroFilter{Q: "charge"}); len(list) != 0 {
			t.Errorf("after the delete, search charge = %q", macroNames(list))
		}
		if err := sqldb.ReindexMacroWords(db); err != nil {
			t.Fatal(err)
		}
		if list, _ := macros.FindMacros(as(ann), tend.MacroFilter{Q: "hello"}); !slices.Equal(macroNames(list), []string{"Hello"}) {
			t.Errorf("indexed again from the rows, search hello = %q", macroNames(list))
		}

		// An unknown placeholder is refused, naming it.
		_, err = macros.CreateMacro(as(ann), &tend.MacroCreate{Name: "Bad", Body: "Hi {{customer.nickname}}"})
		if tend.ErrorCode(err) != tend.EINVALID || !strings.Contains(tend.ErrorFields(err)["body"], "{{customer.nickname}}") {
			t.Errorf("unknown placeholder: err = %v, fields %v", err, tend.ErrorFields(err))
		}
		_, err = macros.UpdateMacro(as(ann), mine.ID, &tend.MacroUpdate{Actions: &tend.MacroActions{Note: "{{ticket.owner}}"}})
		if tend.ErrorCode(err) != tend.EINVALID || !strings.Contains(tend.ErrorFields(err)["actions.note"], "{{ticket.owner}}") {
			t.Errorf("unknown placeholder in the note: err = %v", err)
		}
		if err := macros.DeleteMacro(as(ann), mine.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := macros.FindMacroByID(as(ann), mine.ID); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("deleted macro: err = %v", err)
		}
	})
}

func TestApplyMacroIsOneChange(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		macros := sqldb.NewMacroService(db, e.tickets)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)
		team, err := e.teams.CreateTeam(system, &tend.TeamCreate{Name: "Billing", MemberIDs: []int64{ann.ID}})
		if err != nil {
			t.Fatal(err)
		}
		pending, high := tend.StatusPending, tend.PriorityHigh
		m, err := macros.CreateMacro(as(ann), &tend.MacroCreate{Name: "Refund",
			Body: "Hello {{customer.first_name}}, your refund for #{{ticket.number}} is on its way. {{agent.name}}",
			Actions: tend.MacroActions{Status: &pending, Priority: &high, AddTags: []string{"Refund"}, RemoveTags: []string{"new"},
				TeamID: &team.ID, Note: "Refund sent for {{customer.name}}"}})
		if err != nil {
			t.Fatal(err)
		}
		tk := e.mustTicket(t, as(ann), "Charged twice", "dana@example.com", "I was charged twice.")
		if _, err := e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{AddTags: []string{"new"}}); err != nil {
			t.Fatal(err)
		}
		before, _, err := e.tickets.FindTicketEvents(as(ann), tk.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}

		// Inserting renders and counts, and changes nothing.
		ins, err := macros.ApplyMacro(as(ann), tk.ID, m.ID, &tend.MacroApply{Insert: true})
		if err != nil {
			t.Fatal(err)
		}
		wantBody := fmt.Sprintf("Hello there, your refund for #%d is on its way. ann", tk.Number)
		if ins.Body != wantBody || ins.Ticket != nil || ins.Macro.UsageCount != 1 {
			t.Errorf("insert = body %q, ticket %v, usage %d", ins.Body, ins.Ticket, ins.Macro.UsageCount)
		}
		if mid, _, _ := e.tickets.FindTicketEvents(as(ann), tk.ID, "", 100); len(mid) != len(before) {
			t.Errorf("insert recorded %d history entries", len(mid)-len(before))
		}

		// Sending the text as edited applies the actions in one change.
		edited := ins.Body + " Kind regards."
		res, err := macros.ApplyMacro(as(ann), tk.ID, m.ID, &tend.MacroApply{Body: &edited, IdempotencyKey: "k1"})
		if err != nil {
			t.Fatal(err)
		}
		got := res.Ticket
		if got.Status != tend.StatusPending || got.Priority != tend.PriorityHigh || !slices.Equal(got.Tags, []string{"refund"}) ||
			got.TeamID == nil || *got.TeamID != team.ID {
			t.Errorf("ticket after the macro = status %s priority %s tags %v team %v", got.Status, got.Priority, got.Tags, got.TeamID)
		}
		if res.Reply == nil || res.Reply.Body != edited || res.NoteMessage == nil || res.NoteMessage.Kind != tend.KindNote ||
			res.NoteMessage.Body != "Refund sent for dana@example.com" {
			t.Errorf("messages = %+v, %+v", res.Reply, res.NoteMessage)
		}
		after, _, err := e.tickets.FindTicketEvents(as(ann), tk.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		step := after[len(before):]
		kinds := map[tend.EventKind]bool{}
		for _, ev := range step {
			kinds[ev.Kind] = true
			if ev.ChangeID == "" || ev.ChangeID != step[0].ChangeID {
				t.Errorf("entry %s has change id %q, want %q", ev.Kind, ev.ChangeID, step[0].ChangeID)
			}
		}
		for _, k := range []tend.EventKind{tend.EventStatusChanged, tend.EventPriorityChanged, tend.EventTagsChanged, tend.EventTeamChanged, tend.EventMessageAdded} {
			if !kinds[k] {
				t.Errorf("the macro's change has no %s entry: %v", k, kinds)
			}
		}
		if before[len(before)-1].ChangeID == step[0].ChangeID {
			t.Error("the earlier change shares the macro's change id")
		}
		// The edited text came from an insert, which counted already.
		if again, _ := macros.FindMacroByID(as(ann), m.ID); again.UsageCount != 1 {
			t.Errorf("usage after insert and send = %d, want 1", again.UsageCount)
		}

		// A retry with the same key changes nothing more.
		retry, err := macros.ApplyMacro(as(ann), tk.ID, m.ID, &tend.MacroApply{Body: &edited, IdempotencyKey: "k1"})
		if err != nil {
			t.Fatal(err)
		}
		if retry.Reply == nil || retry.Reply.ID != res.Reply.ID {
			t.Errorf("retry reply = %+v, want message %d", retry.Reply, res.Reply.ID)
		}
		if last, _, _ := e.tickets.FindTicketEvents(as(ann), tk.ID, "", 100); len(last) != len(after) {
			t.Errorf("retry recorded %d more entries", len(last)-len(after))
		}

		// Applied directly, it counts; a macro the agent may not see is not found.
		tk2 := e.mustTicket(t, as(ann), "Another", "eve@example.com", "Hi.")
		if _, err := macros.ApplyMacro(as(ann), tk2.ID, m.ID, &tend.MacroApply{}); err != nil {
			t.Fatal(err)
		}
		if again, _ := macros.FindMacroByID(as(ann), m.ID); again.UsageCount != 2 {
			t.Errorf("usage after a direct apply = %d, want 2", again.UsageCount)
		}
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		if _, err := macros.ApplyMacro(as(bo), tk2.ID, m.ID, &tend.MacroApply{}); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("bo applying ann's macro: err = %v, want ENOTFOUND", err)
		}
	})
}

// The composer inserts a macro, the agent edits the text, attaches and
// chooses a status, and sends: the message carries the macro's actions in
// one change, and the agent's status wins over the macro's.
func TestMessageWithInsertedMacro(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		macros := sqldb.NewMacroService(db, e.tickets)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)
		bo := e.mustAgent(t, "bo", tend.RoleAgent)
		pending, urgent, solved := tend.StatusPending, tend.PriorityUrgent, tend.StatusSolved
		m, err := macros.CreateMacro(as(ann), &tend.MacroCreate{Name: "Escalate", Body: "We are on it, {{customer.first_name}}.",
			Actions: tend.MacroActions{Status: &pending, Priority: &urgent, AddTags: []string{"escalated"}, Note: "Escalated by {{agent.name}}"}})
		if err != nil {
			t.Fatal(err)
		}
		tk := e.mustTicket(t, as(ann), "Site down", "dana@example.com", "Our site is down.")
		before, _, err := e.tickets.FindTicketEvents(as(ann), tk.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		msg, err := e.tickets.AddMessage(as(ann), tk.ID, &tend.MessageCreate{Body: "We are on it, Dana. Restarting now.", MacroID: &m.ID, IdempotencyKey: "c1"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.tickets.FindTicketByID(as(ann), tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tend.StatusPending || got.Priority != tend.PriorityUrgent || !slices.Contains(got.Tags, "escalated") {
			t.Errorf("after the reply: status %s, priority %s, tags %v", got.Status, got.Priority, got.Tags)
		}
		msgs := got.Messages
		last := msgs[len(msgs)-1]
		if msgs[len(msgs)-2].ID != msg.ID || last.Kind != tend.KindNote || last.Body != "Escalated by ann" {
			t.Errorf("after the reply, the last message is %s %q; want the macro's note after the reply", last.Kind, last.Body)
		}
		after, _, err := e.tickets.FindTicketEvents(as(ann), tk.ID, "", 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range after[len(before):] {
			if ev.ChangeID == "" || ev.ChangeID != after[len(before)].ChangeID {
				t.Errorf("entry %s has change id %q, not the reply's", ev.Kind, ev.ChangeID)
			}
		}
		// The same form sent twice adds nothing more.
		if again, err := e.tickets.AddMessage(as(ann), tk.ID, &tend.MessageCreate{Body: "We are on it, Dana. Restarting now.", MacroID: &m.ID, IdempotencyKey: "c1"}); err != nil || again.ID != msg.ID {
			t.Errorf("retry = %v, %v; want message %d", again, err, msg.ID)
		}
		if now, _ := e.tickets.FindTicketByID(as(ann), tk.ID); len(now.Messages) != len(msgs) {
			t.Errorf("the retry added %d messages", len(now.Messages)-len(msgs))
		}

		// A status chosen in the composer wins over the macro's.
		if _, err := e.tickets.AddMessage(as(ann), tk.ID, &tend.MessageCreate{Body: "Fixed.", MacroID: &m.ID, Status: &solved}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.tickets.FindTicketByID(as(ann), tk.ID); got.Status != tend.StatusSolved {
			t.Errorf("status = %s, want the composer's solved", got.Status)
		}

		// Written into an internal note, the macro changes everything but
		// the status: that goes with a reply to the customer.
		if _, err := e.tickets.UpdateTicket(as(ann), tk.ID, &tend.TicketUpdate{Status: ptr(tend.StatusOpen)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.tickets.AddMessage(as(ann), tk.ID, &tend.MessageCreate{Kind: tend.KindNote, Body: "Looking.", MacroID: &m.ID}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.tickets.FindTicketByID(as(ann), tk.ID); got.Status != tend.StatusOpen {
			t.Errorf("a note with the macro moved the ticket to %s", got.Status)
		}

		// Someone who may not see the macro cannot use it, and nothing is written.
		was, _ := e.tickets.FindTicketByID(as(ann), tk.ID)
		if _, err := e.tickets.AddMessage(as(bo), tk.ID, &tend.MessageCreate{Body: "Hi", MacroID: &m.ID}); tend.ErrorCode(err) != tend.ENOTFOUND {
			t.Errorf("another agent's personal macro: %v, want ENOTFOUND", err)
		}
		if now, _ := e.tickets.FindTicketByID(as(ann), tk.ID); len(now.Messages) != len(was.Messages) || now.Version != was.Version {
			t.Errorf("the refused reply wrote: %d messages, version %d; was %d, %d", len(now.Messages), now.Version, len(was.Messages), was.Version)
		}
	})
}
