package sqldb_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// Merging a customer into another moves their tickets, messages and
// addresses (bounce marks included) and leaves one customer.
func TestMergeCustomers(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleLead)
		ctx := as(bo)
		acme, err := e.orgs.CreateOrganization(ctx, &tend.OrganizationCreate{Name: "Acme", Domains: []string{"acme.example"}})
		if err != nil {
			t.Fatal(err)
		}
		// The same person wrote from work and from home.
		home1 := e.mustTicket(t, system, "Printer on fire", "ann@home.example", "It smokes.")
		home2 := e.mustTicket(t, system, "Still on fire", "ann@home.example", "Now it is worse.")
		work := e.mustTicket(t, system, "Invoice", "ann@acme.example", "Which invoice?")
		bystander := e.mustTicket(t, system, "Unrelated", "zed@example.com", "Hello.")
		if work.OrganizationID == nil || home1.OrganizationID != nil {
			t.Fatalf("organizations before: work %v, home %v", work.OrganizationID, home1.OrganizationID)
		}
		from, into := home1.CustomerID, work.CustomerID
		if _, err := e.customers.UpdateCustomer(ctx, from, &tend.CustomerUpdate{Name: ptr("Ann"), Phone: ptr("+1 555 0199"),
			Notes: ptr("Prefers phone."), Emails: &[]string{"ann@home.example", "ann@old.example"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.customers.UpdateCustomer(ctx, into, &tend.CustomerUpdate{Notes: ptr("Key account.")}); err != nil {
			t.Fatal(err)
		}
		markBouncing(t, db, "ann@old.example")

		var told []int64
		e.customers.Notify = func(c tend.TicketChange) { told = append(told, c.TicketID) }
		merged, err := e.customers.MergeCustomers(ctx, from, into)
		if err != nil {
			t.Fatal(err)
		}
		// Open pages hear of the tickets that changed hands, and no others.
		slices.Sort(told)
		if !slices.Equal(told, []int64{home1.ID, home2.ID}) {
			t.Errorf("told of tickets %v, want %d and %d", told, home1.ID, home2.ID)
		}
		if want := []string{"ann@acme.example", "ann@home.example", "ann@old.example"}; strings.Join(merged.Emails, " ") != strings.Join(want, " ") {
			t.Errorf("emails = %v, want %v", merged.Emails, want)
		}
		if len(merged.Bouncing) != 1 || merged.Bouncing[0].Email != "ann@old.example" || merged.Bouncing[0].Reason == "" {
			t.Errorf("bouncing = %+v, want ann@old.example with its reason", merged.Bouncing)
		}
		if merged.Name != "Ann" || merged.Phone != "+1 555 0199" || merged.Notes != "Key account.\n\nPrefers phone." {
			t.Errorf("survivor = %q, %q, %q: want the name and phone it lacked and both notes", merged.Name, merged.Phone, merged.Notes)
		}
		if merged.OrganizationID == nil || *merged.OrganizationID != acme.ID {
			t.Errorf("survivor's organization = %v, want %d kept", merged.OrganizationID, acme.ID)
		}
		// The merged customer stays as a tombstone, out of every list,
		// so that their id keeps naming them in history.
		gone, err := e.customers.FindCustomerByID(ctx, from)
		if err != nil || gone.MergedIntoID == nil || *gone.MergedIntoID != into || len(gone.Emails) != 0 || gone.Name != "Ann" {
			t.Errorf("merged customer = %+v, %v; want a tombstone pointing to %d", gone, err, into)
		}
		listed, _, err := e.customers.FindCustomers(ctx, tend.CustomerFilter{Q: "Ann"})
		if err != nil || len(listed) != 1 || listed[0].ID != into {
			t.Errorf("customers named Ann = %+v, %v; want the survivor alone", listed, err)
		}

		mine, _, err := e.tickets.FindTickets(ctx, tend.TicketFilter{CustomerID: &into})
		if err != nil || len(mine) != 3 {
			t.Fatalf("the survivor's tickets = %d, %v; want 3", len(mine), err)
		}
		for _, tk := range []*tend.Ticket{home1, home2} {
			got, err := e.tickets.FindTicketByID(ctx, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.CustomerID != into || got.OrganizationID == nil || *got.OrganizationID != acme.ID {
				t.Errorf("ticket %d: customer %d, organization %v; want %d and %d", got.Number, got.CustomerID, got.OrganizationID, into, acme.ID)
			}
			if got.Version != tk.Version+1 || !got.UpdatedAt.Equal(tk.UpdatedAt) {
				t.Errorf("ticket %d: version %d, updated %v; want %d and unchanged activity", got.Number, got.Version, got.UpdatedAt, tk.Version+1)
			}
			events, _, err := e.tickets.FindTicketEvents(ctx, tk.ID, "", 0)
			if err != nil {
				t.Fatal(err)
			}
			last := events[len(events)-1]
			if d, ok := last.Data.(tend.CustomerMerged); !ok || d.FromID != from || d.IntoID != into || last.ActorID == nil || *last.ActorID != bo.ID {
				t.Errorf("ticket %d's last event = %s %+v by %v; want the merge by %d", got.Number, last.Kind, last.Data, last.ActorID, bo.ID)
			}
			if m := got.Messages[0]; m.AuthorID == nil || *m.AuthorID != into {
				t.Errorf("ticket %d: first message by %v, want the survivor", got.Number, m.AuthorID)
			}
		}
		if got, _ := e.tickets.FindTicketByID(ctx, bystander.ID); got.CustomerID != bystander.CustomerID || got.Version != bystander.Version {
			t.Errorf("a bystander's ticket changed: %+v", got)
		}

		// Mail from the moved address now joins the survivor.
		again := e.mustTicket(t, system, "Another one", "ANN@home.example", "Hi again.")
		if again.CustomerID != into {
			t.Errorf("new mail from a moved address went to customer %d, want %d", again.CustomerID, into)
		}
		entries := auditOf(t, e, "customer.merged")
		if len(entries) != 1 || entries[0].SubjectID != into {
			t.Fatalf("audit = %+v", entries)
		}
		var data struct {
			FromID    int64    `json:"from_id"`
			TicketIDs []int64  `json:"ticket_ids"`
			Emails    []string `json:"emails"`
		}
		if err := json.Unmarshal(entries[0].Data, &data); err != nil || data.FromID != from || len(data.TicketIDs) != 2 || len(data.Emails) != 2 {
			t.Errorf("audit data = %s (%v)", entries[0].Data, err)
		}
	})
}

// An id in history or the audit log names one customer for good: after a
// merge, the next customer gets a new id on both engines, even when the
// merged one had the highest.
func TestMergedCustomerIDNotReused(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleLead)
		kept := e.mustTicket(t, system, "One", "kept@example.com", "Hi.")
		merged := e.mustTicket(t, system, "Two", "merged@example.com", "Hi.")
		if _, err := e.customers.MergeCustomers(as(bo), merged.CustomerID, kept.CustomerID); err != nil {
			t.Fatal(err)
		}
		fresh := e.mustTicket(t, system, "Three", "fresh@example.com", "Hi.")
		if fresh.CustomerID == merged.CustomerID || fresh.CustomerID == kept.CustomerID {
			t.Fatalf("a new customer got id %d, which names the merged customer %d or the kept one %d",
				fresh.CustomerID, merged.CustomerID, kept.CustomerID)
		}
		entries := auditOf(t, e, "customer.merged")
		var data struct {
			FromID int64 `json:"from_id"`
		}
		json.Unmarshal(entries[0].Data, &data)
		c, err := e.customers.FindCustomerByID(as(bo), data.FromID)
		if err != nil || len(c.Emails) != 0 || c.MergedIntoID == nil {
			t.Errorf("the audit log's from_id %d names %+v, %v; want the merged customer's tombstone", data.FromID, c, err)
		}
	})
}

func TestMergeCustomersRefused(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		bo := e.mustAgent(t, "bo", tend.RoleLead)
		ann := e.mustAgent(t, "ann", tend.RoleAgent)
		a := e.mustTicket(t, system, "One", "a@example.com", "Hi.")
		b := e.mustTicket(t, system, "Two", "b@example.com", "Hi.")

		for name, c := range map[string]struct {
			ctx      context.Context
			from, to int64
			code     string
		}{
			"into themselves":            {as(bo), a.CustomerID, a.CustomerID, tend.EINVALID},
			"by an agent":                {as(ann), b.CustomerID, a.CustomerID, tend.EFORBIDDEN},
			"unknown source":             {as(bo), 9999, a.CustomerID, tend.ENOTFOUND},
			"unknown target":             {as(bo), a.CustomerID, 9999, tend.ENOTFOUND},
			"by a customer":              {asCustomer(a.CustomerID), b.CustomerID, a.CustomerID, tend.EFORBIDDEN},
			"by nobody signed in":        {context.Background(), b.CustomerID, a.CustomerID, tend.EUNAUTHORIZED},
			"by a role without an agent": {tend.NewContextWithPrincipal(context.Background(), tend.Principal{Role: tend.RoleAdmin}), b.CustomerID, a.CustomerID, tend.EUNAUTHORIZED},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := e.customers.MergeCustomers(c.ctx, c.from, c.to)
				wantCode(t, err, c.code)
			})
		}
		// Nothing moved.
		for _, tk := range []*tend.Ticket{a, b} {
			got, err := e.tickets.FindTicketByID(system, tk.ID)
			if err != nil || got.CustomerID != tk.CustomerID || got.Version != tk.Version {
				t.Errorf("ticket %d after refused merges: %+v, %v", tk.Number, got, err)
			}
		}
		if entries := auditOf(t, e, "customer.merged"); len(entries) != 0 {
			t.Errorf("refused merges were audited: %+v", entries)
		}

		// Every staff role may merge, as it may edit customers; the
		// second merge of the same pair, either way round, finds one of
		// them merged already.
		if _, err := e.customers.MergeCustomers(as(bo), b.CustomerID, a.CustomerID); err != nil {
			t.Fatal(err)
		}
		_, err := e.customers.MergeCustomers(as(bo), b.CustomerID, a.CustomerID)
		wantCode(t, err, tend.ECONFLICT)
		_, err = e.customers.MergeCustomers(as(bo), a.CustomerID, b.CustomerID)
		wantCode(t, err, tend.ECONFLICT)
		_, err = e.customers.UpdateCustomer(as(bo), b.CustomerID, &tend.CustomerUpdate{Name: ptr("Revived")})
		wantCode(t, err, tend.ECONFLICT)
	})
}

// markBouncing marks email as bouncing for good, as a proved bounce of
// mail sent to it does.
func markBouncing(t *testing.T, db *sqldb.DB, email string) {
	t.Helper()
	if err := sqldb.MarkBouncing(db, email, "550 5.1.1 no such user"); err != nil {
		t.Fatalf("bounce for %s: %v", email, err)
	}
}

// auditOf returns the audit entries of action.
func auditOf(t *testing.T, e *env, action string) []*tend.AuditEntry {
	t.Helper()
	var out []*tend.AuditEntry
	cursor := ""
	for {
		list, next, err := e.settings.FindAuditEntries(system, cursor, tend.MaxPageSize)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range list {
			if a.Action == action {
				out = append(out, a)
			}
		}
		if next == "" {
			return out
		}
		cursor = next
	}
}
