package sqldb_test

import (
	"context"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/blob"
	"github.com/tendhq/tend/internal/sqldb"
)

// env is one database with its services, as the server wires them.
type env struct {
	db        *sqldb.DB
	agents    *sqldb.AgentService
	teams     *sqldb.TeamService
	orgs      *sqldb.OrganizationService
	customers *sqldb.CustomerService
	tickets   *sqldb.TicketService
	search    *sqldb.SearchService
	tokens    *sqldb.TokenService
	settings  *sqldb.SettingsService
	blobs     *blob.Store
}

func newEnv(t testing.TB, db *sqldb.DB) *env {
	t.Helper()
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &env{db: db, agents: sqldb.NewAgentService(db), teams: sqldb.NewTeamService(db),
		orgs: sqldb.NewOrganizationService(db), customers: sqldb.NewCustomerService(db),
		tickets: sqldb.NewTicketService(db, blobs), search: sqldb.NewSearchService(db),
		tokens: sqldb.NewTokenService(db), settings: sqldb.NewSettingsService(db), blobs: blobs}
}

var system = tend.SystemContext(context.Background())

// as returns a context acting as agent a.
func as(a *tend.Agent) context.Context {
	return tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: a.ID, Role: a.Role})
}

// asCustomer returns a context acting as the customer with that id.
func asCustomer(id int64) context.Context {
	return tend.NewContextWithPrincipal(context.Background(), tend.Principal{CustomerID: id})
}

func (e *env) mustAgent(t testing.TB, name string, role tend.Role) *tend.Agent {
	t.Helper()
	a, err := e.agents.CreateAgent(system, &tend.AgentCreate{Name: name, Email: name + "@staff.example", Role: role, Password: "long enough password"})
	if err != nil {
		t.Fatalf("create agent %s: %v", name, err)
	}
	return a
}

func (e *env) mustTicket(t testing.TB, ctx context.Context, subject, email, body string) *tend.Ticket {
	t.Helper()
	tk, err := e.tickets.CreateTicket(ctx, &tend.TicketCreate{Subject: subject, Customer: tend.CustomerRef{Email: email}, Body: body})
	if err != nil {
		t.Fatalf("create ticket %q: %v", subject, err)
	}
	return tk
}

// wantCode fails unless err carries code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := tend.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func ptr[T any](v T) *T { return &v }
