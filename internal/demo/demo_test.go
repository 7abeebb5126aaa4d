package demo_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/blob"
	"github.com/tendhq/tend/internal/demo"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

var system = tend.SystemContext(context.Background())

// services wires db's services as the server does.
func services(t *testing.T, db *sqldb.DB) demo.Services {
	t.Helper()
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tickets := sqldb.NewTicketService(db, blobs)
	return demo.Services{Agents: sqldb.NewAgentService(db), Teams: sqldb.NewTeamService(db),
		Organizations: sqldb.NewOrganizationService(db), Customers: sqldb.NewCustomerService(db),
		Tickets: tickets, Settings: sqldb.NewSettingsService(db), Macros: sqldb.NewMacroService(db, tickets),
		Fields: sqldb.NewFieldService(db)}
}

// mustSeed seeds db and logs how long it took.
func mustSeed(t *testing.T, db *sqldb.DB, s demo.Services) []demo.SignIn {
	t.Helper()
	start := time.Now()
	signIns, err := demo.Seed(context.Background(), s)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	t.Logf("seeded in %v", time.Since(start).Round(time.Millisecond))
	return signIns
}

// allTickets returns every ticket with its messages.
func allTickets(t *testing.T, s demo.Services) []*tend.Ticket {
	t.Helper()
	var list []*tend.Ticket
	cursor := ""
	for {
		page, next, err := s.Tickets.FindTickets(system, tend.TicketFilter{Limit: tend.MaxPageSize, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range page {
			full, err := s.Tickets.FindTicketByID(system, tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			list = append(list, full)
		}
		if cursor = next; cursor == "" {
			return list
		}
	}
}

func TestSeed(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		s := services(t, db)
		signIns := mustSeed(t, db, s)
		if d := time.Since(db.Now()); d < 0 || d > time.Minute {
			t.Errorf("db.Now is %v off the real time after seeding; want it restored", d)
		}
		tickets := allTickets(t, s)

		t.Run("sign-ins", func(t *testing.T) { checkSignIns(t, s, signIns) })
		t.Run("tickets", func(t *testing.T) { checkTickets(t, tickets) })
		t.Run("history", func(t *testing.T) { checkHistory(t, s, tickets) })
		t.Run("desk", func(t *testing.T) { checkDesk(t, s, tickets) })
		t.Run("again", func(t *testing.T) {
			again, err := demo.Seed(context.Background(), s)
			if err != nil {
				t.Fatalf("second seed: %v", err)
			}
			if !slices.Equal(again, signIns) {
				t.Errorf("second seed returned %v, want %v", again, signIns)
			}
			if n := len(allTickets(t, s)); n != len(tickets) {
				t.Errorf("second seed left %d tickets, want %d", n, len(tickets))
			}
		})
	})
}

func checkSignIns(t *testing.T, s demo.Services, signIns []demo.SignIn) {
	if len(signIns) != 8 || signIns[0].Role != tend.RoleAdmin {
		t.Fatalf("sign-ins = %v, want 8 with the admin first", signIns)
	}
	roles := map[tend.Role]bool{}
	for _, in := range signIns {
		a, err := s.Agents.Authenticate(context.Background(), in.Email, demo.Password)
		if err != nil {
			t.Errorf("sign in as %s: %v", in.Email, err)
		} else if a.Role != in.Role {
			t.Errorf("%s has role %s, sign-in says %s", in.Email, a.Role, in.Role)
		}
		roles[in.Role] = true
	}
	for _, r := range tend.Roles {
		if !roles[r] {
			t.Errorf("no demo agent has role %s", r)
		}
	}
}

func checkTickets(t *testing.T, tickets []*tend.Ticket) {
	if n := len(tickets); n < 250 || n > 350 {
		t.Errorf("%d tickets, want about 300", n)
	}
	statuses, priorities := map[tend.Status]int{}, map[tend.Priority]int{}
	var reopened, notes, attachments int
	for _, tk := range tickets {
		statuses[tk.Status]++
		priorities[tk.Priority]++
		if tk.Status != tend.StatusNew && tk.OwnerID == nil {
			t.Errorf("ticket #%d is %s without an owner", tk.Number, tk.Status)
		}
		if tk.ReopenCount > 0 {
			reopened++
		}
		if n := len(tk.Messages); n < 1 || n > 6 {
			t.Errorf("ticket #%d has %d messages, want 1 to 6", tk.Number, n)
		}
		for _, m := range tk.Messages {
			if m.Kind == tend.KindNote {
				notes++
			}
			attachments += len(m.Attachments)
		}
	}
	t.Logf("statuses %v, priorities %v, %d reopened, %d notes, %d attachments", statuses, priorities, reopened, notes, attachments)
	for _, s := range tend.Statuses {
		if statuses[s] < len(tickets)/20 {
			t.Errorf("%d tickets are %s, want at least 5%%", statuses[s], s)
		}
	}
	if priorities[tend.PriorityUrgent] == 0 || priorities[tend.PriorityLow] == 0 {
		t.Errorf("priorities %v, want urgent and low ones too", priorities)
	}
	if reopened == 0 || notes == 0 || attachments == 0 {
		t.Errorf("%d reopened, %d notes, %d attachments; want some of each", reopened, notes, attachments)
	}
}

// checkHistory checks that every ticket's story happened in order, in
// the last two months, and by the right people.
func checkHistory(t *testing.T, s demo.Services, tickets []*tend.Ticket) {
	now := time.Now()
	for _, tk := range tickets {
		if tk.CreatedAt.Before(now.AddDate(0, 0, -63)) || tk.UpdatedAt.After(now) || tk.UpdatedAt.Before(tk.CreatedAt) {
			t.Errorf("ticket #%d created %v, updated %v; want both in the last two months, in order", tk.Number, tk.CreatedAt, tk.UpdatedAt)
		}
		if tk.Messages[0].AuthorType != tend.AuthorCustomer {
			t.Errorf("ticket #%d opens with a message by %s", tk.Number, tk.Messages[0].AuthorType)
		}
		for i, m := range tk.Messages[1:] {
			if !m.CreatedAt.After(tk.Messages[i].CreatedAt) {
				t.Errorf("ticket #%d: message %d at %v is not after the one before", tk.Number, i+2, m.CreatedAt)
			}
		}
		for i, m := range tk.Messages {
			switch {
			case m.AuthorType == tend.AuthorCustomer && (m.AuthorID == nil || *m.AuthorID != tk.CustomerID):
				t.Errorf("ticket #%d: message %d is by customer %v, not the ticket's", tk.Number, i+1, m.AuthorID)
			case m.AuthorType == tend.AuthorAgent && m.Kind == tend.KindReply && *m.AuthorID != *tk.OwnerID:
				t.Errorf("ticket #%d: reply %d is by agent %d, not the owner", tk.Number, i+1, *m.AuthorID)
			case m.AuthorName == "" || m.AuthorType == tend.AuthorSystem:
				t.Errorf("ticket #%d: message %d has no real author", tk.Number, i+1)
			}
		}
		events, _, err := s.Tickets.FindTicketEvents(system, tk.ID, "", tend.MaxPageSize)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range events[1:] {
			if e.CreatedAt.Before(events[i].CreatedAt) {
				t.Errorf("ticket #%d: event %s at %v comes before the one before it", tk.Number, e.Kind, e.CreatedAt)
			}
		}
	}
}

func checkDesk(t *testing.T, s demo.Services, tickets []*tend.Ticket) {
	settings, err := s.Settings.FindSettings(system)
	if err != nil {
		t.Fatal(err)
	}
	if settings.Name != "Halcyra Support" {
		t.Errorf("help desk name = %q", settings.Name)
	}
	teams, err := s.Teams.FindTeams(system)
	if err != nil {
		t.Fatal(err)
	}
	perTeam := map[int64]int{}
	for _, tk := range tickets {
		if tk.TeamID != nil {
			perTeam[*tk.TeamID]++
		}
	}
	for _, tm := range teams {
		if tm.LeadID == nil || tm.ManagerID == nil || perTeam[tm.ID] == 0 {
			t.Errorf("team %s: lead %v, manager %v, %d tickets; want all set", tm.Name, tm.LeadID, tm.ManagerID, perTeam[tm.ID])
		}
	}
	if len(teams) != 3 {
		t.Errorf("%d teams, want 3", len(teams))
	}
	customers, _, err := s.Customers.FindCustomers(system, tend.CustomerFilter{Limit: tend.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	orgs, _, err := s.Organizations.FindOrganizations(system, tend.OrganizationFilter{Limit: tend.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	linked := 0
	for _, c := range customers {
		if c.OrganizationID != nil {
			linked++
		}
	}
	t.Logf("%d customers (%d in organizations), %d organizations", len(customers), linked, len(orgs))
	if len(customers) < 70 || len(orgs) < 8 || linked < 20 {
		t.Errorf("%d customers, %d in organizations, %d organizations; want about 80, 25 and 10", len(customers), linked, len(orgs))
	}
	// A Billing agent sees the shared macros and Billing's, not Technical's.
	found, _, err := s.Agents.FindAgents(system, tend.AgentFilter{Email: "lena@demo.example"})
	if err != nil || len(found) != 1 {
		t.Fatalf("lena: %v, %v", found, err)
	}
	lena := found[0]
	macros, err := s.Macros.FindMacros(tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: lena.ID, Role: lena.Role}), tend.MacroFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range macros {
		names = append(names, m.Name)
	}
	if len(names) != 4 || !slices.Contains(names, "Refund issued") || slices.Contains(names, "Escalate to engineering") {
		t.Errorf("lena's macros = %q", names)
	}
	// The ticket page shows the demo's fields.
	fields, err := s.Fields.FindFields(tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: lena.ID, Role: lena.Role}))
	if err != nil || len(fields) != 2 || fields[0].Key != "order_number" || fields[1].Key != "plan" {
		t.Errorf("the demo's fields: %v, %v", fields, err)
	}
}

func TestSeedRefusesOtherData(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		t.Run("agent", func(t *testing.T) {
			db := sqldbtest.Open(t, db.Engine())
			s := services(t, db)
			_, err := s.Agents.CreateAgent(system, &tend.AgentCreate{Name: "Real Admin", Email: "boss@company.example", Role: tend.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := demo.Seed(context.Background(), s); !errors.Is(err, demo.ErrNotEmpty) {
				t.Fatalf("seed = %v, want ErrNotEmpty", err)
			}
		})
		t.Run("unfinished demo", func(t *testing.T) {
			db := sqldbtest.Open(t, db.Engine())
			s := services(t, db)
			// An earlier run got as far as the first agent, then stopped.
			_, err := s.Agents.CreateAgent(system, &tend.AgentCreate{Name: "Demo Admin", Email: "admin@demo.example", Role: tend.RoleAdmin})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := demo.Seed(context.Background(), s); !errors.Is(err, demo.ErrInterrupted) {
				t.Fatalf("seed = %v, want ErrInterrupted", err)
			}
		})
		t.Run("ticket", func(t *testing.T) {
			s := services(t, db)
			_, err := s.Tickets.CreateTicket(system, &tend.TicketCreate{Subject: "Hello", Body: "A real request",
				Customer: tend.CustomerRef{Email: "someone@company.example"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := demo.Seed(context.Background(), s); !errors.Is(err, demo.ErrNotEmpty) {
				t.Fatalf("seed = %v, want ErrNotEmpty", err)
			}
			page, _, err := s.Agents.FindAgents(system, tend.AgentFilter{})
			if err != nil || len(page) != 0 {
				t.Errorf("after refusing, agents = %d (%v); want none created", len(page), err)
			}
		})
	})
}
