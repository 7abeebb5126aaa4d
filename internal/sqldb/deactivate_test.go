package sqldb_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestDeactivateAgent(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.mustAgent(t, "ana", tend.RoleAdmin)
		leaver := e.mustAgent(t, "bo", tend.RoleAgent)
		heir := e.mustAgent(t, "cy", tend.RoleAgent)
		gone := e.mustAgent(t, "dee", tend.RoleAgent)
		if _, err := e.agents.DeactivateAgent(as(admin), gone.ID, 0); err != nil {
			t.Fatalf("deactivate an agent without tickets: %v", err)
		}

		// Bo owns two unsolved tickets and a solved one.
		owned := func(subject string, status tend.Status) *tend.Ticket {
			tk := e.mustTicket(t, system, subject, "zoe@example.org", "Hello")
			tk, err := e.tickets.UpdateTicket(system, tk.ID, &tend.TicketUpdate{OwnerID: &leaver.ID, Status: &status})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		open, pending, solved := owned("Printer", tend.StatusOpen), owned("Invoice", tend.StatusPending), owned("Login", tend.StatusSolved)
		session, err := e.tokens.CreateSession(context.Background(), leaver.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}

		for name, tc := range map[string]struct {
			ctx       context.Context
			id, heir  int64
			code      string
			mentioned string
		}{
			"not an admin":             {as(heir), leaver.ID, heir.ID, tend.EFORBIDDEN, ""},
			"oneself":                  {as(admin), admin.ID, heir.ID, tend.ECONFLICT, "yourself"},
			"the agent as successor":   {as(admin), leaver.ID, leaver.ID, tend.EINVALID, "successor_id"},
			"a deactivated successor":  {as(admin), leaver.ID, gone.ID, tend.EINVALID, "deactivated"},
			"an unknown successor":     {as(admin), leaver.ID, 9999, tend.EINVALID, "does not exist"},
			"no successor for tickets": {as(admin), leaver.ID, 0, tend.EINVALID, "2 unsolved tickets"},
			"the last admin":           {system, admin.ID, heir.ID, tend.ECONFLICT, "last active admin"},
			"someone gone already":     {as(admin), gone.ID, heir.ID, tend.ECONFLICT, "already"},
		} {
			t.Run("refuses "+name, func(t *testing.T) {
				_, err := e.agents.DeactivateAgent(tc.ctx, tc.id, tc.heir)
				wantCode(t, err, tc.code)
				if !strings.Contains(err.Error(), tc.mentioned) {
					t.Fatalf("error %v does not mention %q", err, tc.mentioned)
				}
			})
		}
		// Nothing of a refused deactivation stays behind.
		if tk, _ := e.tickets.FindTicketByID(system, open.ID); *tk.OwnerID != leaver.ID || tk.Version != open.Version {
			t.Fatalf("after refusals the ticket is owned by %d at version %d", *tk.OwnerID, tk.Version)
		}

		var told []int64
		e.agents.Notify = func(c tend.TicketChange) { told = append(told, c.TicketID) }
		a, err := e.agents.DeactivateAgent(as(admin), leaver.ID, heir.ID)
		if err != nil || a.Active {
			t.Fatalf("DeactivateAgent = %+v, %v", a, err)
		}
		// Open pages hear of each ticket handed over, and of no other.
		slices.Sort(told)
		if want := []int64{min(open.ID, pending.ID), max(open.ID, pending.ID)}; !slices.Equal(told, want) {
			t.Errorf("told of tickets %v, want %d and %d", told, open.ID, pending.ID)
		}
		t.Run("unsolved tickets go to the successor with history", func(t *testing.T) {
			for _, before := range []*tend.Ticket{open, pending} {
				tk, err := e.tickets.FindTicketByID(system, before.ID)
				if err != nil {
					t.Fatal(err)
				}
				if tk.OwnerID == nil || *tk.OwnerID != heir.ID || tk.Version != before.Version+1 || tk.Status != before.Status {
					t.Fatalf("ticket #%d: owner %v, version %d (was %d), status %s", tk.Number, tk.OwnerID, tk.Version, before.Version, tk.Status)
				}
				events, _, err := e.tickets.FindTicketEvents(system, tk.ID, "", 100)
				if err != nil {
					t.Fatal(err)
				}
				last := events[len(events)-1]
				data, _ := last.Data.(tend.OwnerChanged)
				if data.From == nil || *data.From != leaver.ID || data.To == nil || *data.To != heir.ID || *last.ActorID != admin.ID {
					t.Fatalf("ticket #%d's last event: %s %+v by %v", tk.Number, last.Kind, last.Data, last.ActorID)
				}
			}
		})
		t.Run("solved tickets stay as they were", func(t *testing.T) {
			tk, _ := e.tickets.FindTicketByID(system, solved.ID)
			if *tk.OwnerID != leaver.ID || tk.Version != solved.Version {
				t.Fatalf("the solved ticket: owner %d, version %d (was %d)", *tk.OwnerID, tk.Version, solved.Version)
			}
		})
		t.Run("sessions end and sign-in fails", func(t *testing.T) {
			_, err := e.tokens.FindSession(context.Background(), session)
			wantCode(t, err, tend.EUNAUTHORIZED)
			_, err = e.agents.Authenticate(context.Background(), leaver.Email, "long enough password")
			wantCode(t, err, tend.EUNAUTHORIZED)
		})
		t.Run("the audit log says who took over", func(t *testing.T) {
			entries, _, err := e.settings.FindAuditEntries(as(admin), "", 1)
			if err != nil {
				t.Fatal(err)
			}
			en := entries[0]
			var data struct {
				SuccessorID int64   `json:"successor_id"`
				Tickets     []int64 `json:"tickets"`
			}
			json.Unmarshal(en.Data, &data)
			if en.Action != "agent.deactivated" || en.SubjectID != leaver.ID || data.SuccessorID != heir.ID || len(data.Tickets) != 2 {
				t.Fatalf("last audit entry: %s %d %s", en.Action, en.SubjectID, en.Data)
			}
		})
		t.Run("reactivating brings the agent back", func(t *testing.T) {
			a, err := e.agents.UpdateAgent(as(admin), leaver.ID, &tend.AgentUpdate{Active: ptr(true)})
			if err != nil || !a.Active {
				t.Fatalf("reactivate: %+v, %v", a, err)
			}
		})
	})
}

func TestInvitation(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.mustAgent(t, "ana", tend.RoleAdmin)
		bo, err := e.agents.CreateAgent(as(admin), &tend.AgentCreate{Name: "Bo", Email: "bo@staff.example", Role: tend.RoleLead})
		if err != nil {
			t.Fatal(err)
		}
		_, err = secretOf(e.agents.CreateInvitation(as(bo), bo.ID, false))
		wantCode(t, err, tend.EFORBIDDEN)

		secret, err := secretOf(e.agents.CreateInvitation(as(admin), bo.ID, false))
		if err != nil {
			t.Fatal(err)
		}
		t.Run("only a hash is stored", func(t *testing.T) {
			list, err := e.agents.FindInvitations(as(admin))
			if err != nil || len(list) != 1 || list[0].AgentID != bo.ID || list[0].ExpiresAt.Sub(list[0].CreatedAt) != tend.InvitationTTL {
				t.Fatalf("FindInvitations = %+v, %v", list, err)
			}
			sum := sha256.Sum256([]byte(secret))
			if hashes := invitationHashes(t, db); len(hashes) != 1 || hashes[0] != hex.EncodeToString(sum[:]) {
				t.Fatalf("stored %q for the secret %q, want its SHA-256 alone", hashes, secret)
			}
		})
		t.Run("a short password is refused and the link stays", func(t *testing.T) {
			_, err := e.agents.AcceptInvitation(context.Background(), secret, "short")
			wantCode(t, err, tend.EINVALID)
			if tend.ErrorFields(err)["password"] == "" {
				t.Fatalf("no problem with the password field: %v", err)
			}
		})
		t.Run("works once", func(t *testing.T) {
			a, err := e.agents.CheckInvitation(context.Background(), secret)
			if err != nil || a.ID != bo.ID {
				t.Fatalf("CheckInvitation = %+v, %v", a, err)
			}
			a, err = e.agents.AcceptInvitation(context.Background(), secret, "my own long password")
			if err != nil || a.ID != bo.ID {
				t.Fatalf("AcceptInvitation = %+v, %v", a, err)
			}
			if _, err := e.agents.Authenticate(context.Background(), "bo@staff.example", "my own long password"); err != nil {
				t.Fatalf("sign in with the chosen password: %v", err)
			}
			_, err = e.agents.AcceptInvitation(context.Background(), secret, "another long password")
			wantCode(t, err, tend.EUNAUTHORIZED)
			if !strings.Contains(tend.ErrorMessage(err), "used already") {
				t.Fatalf("a second use says %q", tend.ErrorMessage(err))
			}
			if list, _ := e.agents.FindInvitations(as(admin)); len(list) != 0 {
				t.Fatalf("a spent invitation is listed: %+v", list)
			}
		})
		t.Run("a joined agent gets no link, which would reset their password", func(t *testing.T) {
			_, err := e.agents.CreateInvitation(as(admin), bo.ID, false)
			wantCode(t, err, tend.ECONFLICT)
		})
		cy, err := e.agents.CreateAgent(as(admin), &tend.AgentCreate{Name: "Cy", Email: "cy@staff.example", Role: tend.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		t.Run("expires after seven days", func(t *testing.T) {
			secret, err := secretOf(e.agents.CreateInvitation(as(admin), cy.ID, false))
			if err != nil {
				t.Fatal(err)
			}
			later := tend.NewContextWithTime(context.Background(), time.Now().Add(tend.InvitationTTL+time.Minute))
			_, err = e.agents.AcceptInvitation(later, secret, "my own long password")
			wantCode(t, err, tend.EUNAUTHORIZED)
			if !strings.Contains(tend.ErrorMessage(err), "expired") {
				t.Fatalf("an expired link says %q", tend.ErrorMessage(err))
			}
			soon := tend.NewContextWithTime(context.Background(), time.Now().Add(tend.InvitationTTL-time.Minute))
			if _, err := e.agents.CheckInvitation(soon, secret); err != nil {
				t.Fatalf("a link a minute before it expires: %v", err)
			}
		})
		t.Run("a new link replaces the old one", func(t *testing.T) {
			first, _ := secretOf(e.agents.CreateInvitation(as(admin), cy.ID, false))
			second, _ := secretOf(e.agents.CreateInvitation(as(admin), cy.ID, false))
			_, err := e.agents.CheckInvitation(context.Background(), first)
			wantCode(t, err, tend.EUNAUTHORIZED)
			if _, err := e.agents.CheckInvitation(context.Background(), second); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("unknown secrets are refused", func(t *testing.T) {
			for _, s := range []string{"", "nonsense", secret + "x"} {
				_, err := e.agents.CheckInvitation(context.Background(), s)
				wantCode(t, err, tend.EUNAUTHORIZED)
			}
		})
		t.Run("deactivating spends the link", func(t *testing.T) {
			secret, _ := secretOf(e.agents.CreateInvitation(as(admin), bo.ID, false))
			if _, err := e.agents.DeactivateAgent(as(admin), bo.ID, 0); err != nil {
				t.Fatal(err)
			}
			_, err := e.agents.AcceptInvitation(context.Background(), secret, "my own long password")
			wantCode(t, err, tend.EUNAUTHORIZED)
			_, err = secretOf(e.agents.CreateInvitation(as(admin), bo.ID, false))
			wantCode(t, err, tend.ECONFLICT)
		})
	})
}

// invitationHashes reads the stored invitations' hashes straight from the
// database, past the service.
func invitationHashes(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	var hashes []string
	if db.Engine() == sqldb.Postgres {
		rows, err := db.PostgresPool().Query(context.Background(), `SELECT hash FROM invitations`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var h string
			rows.Scan(&h)
			hashes = append(hashes, h)
		}
		return hashes
	}
	pool, err := db.JobPool()
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	rows, err := pool.Query(`SELECT hash FROM invitations`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		rows.Scan(&h)
		hashes = append(hashes, h)
	}
	return hashes
}

// Deactivating through an update (PATCH active=false) hands the agent's
// unsolved tickets over just as DeactivateAgent does, and is refused
// without a successor while there are any: no ticket keeps an owner who
// is gone.
func TestDeactivationByUpdateHandsOver(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.mustAgent(t, "ana", tend.RoleAdmin)
		leaver := e.mustAgent(t, "bo", tend.RoleAgent)
		heir := e.mustAgent(t, "cy", tend.RoleAgent)
		tk := e.mustTicket(t, system, "Printer", "zoe@example.org", "Hello")
		if _, err := e.tickets.UpdateTicket(system, tk.ID, &tend.TicketUpdate{OwnerID: &leaver.ID}); err != nil {
			t.Fatal(err)
		}
		_, err := e.agents.UpdateAgent(as(admin), leaver.ID, &tend.AgentUpdate{Active: ptr(false), Name: ptr("Bo Left")})
		wantCode(t, err, tend.EINVALID)
		if a, _ := e.agents.FindAgentByID(system, leaver.ID); !a.Active || a.Name != "bo" {
			t.Fatalf("a refused deactivation left %+v", a)
		}
		_, err = e.agents.UpdateAgent(as(admin), leaver.ID, &tend.AgentUpdate{SuccessorID: &heir.ID})
		wantCode(t, err, tend.EINVALID)
		_, err = e.agents.UpdateAgent(as(admin), admin.ID, &tend.AgentUpdate{Active: ptr(false), SuccessorID: &heir.ID})
		wantCode(t, err, tend.ECONFLICT)

		a, err := e.agents.UpdateAgent(as(admin), leaver.ID, &tend.AgentUpdate{Active: ptr(false), Name: ptr("Bo Left"), SuccessorID: &heir.ID})
		if err != nil {
			t.Fatal(err)
		}
		if a.Active || a.Name != "Bo Left" {
			t.Fatalf("after the update: %+v", a)
		}
		if got, _ := e.tickets.FindTicketByID(system, tk.ID); got.OwnerID == nil || *got.OwnerID != heir.ID {
			t.Fatalf("the ticket is owned by %v, want %d", got.OwnerID, heir.ID)
		}
		// Once gone, deactivating again changes nothing and is no error.
		if _, err := e.agents.UpdateAgent(as(admin), leaver.ID, &tend.AgentUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
	})
}

// Deactivations that meet, and a sign-in that meets one, wait for each
// other: two admins deactivated at once, two agents each named the other's
// successor, a session being made for an agent being deactivated. On
// PostgreSQL none of them ends in a deadlock.
func TestDeactivationsAtOnce(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		boss := e.mustAgent(t, "boss", tend.RoleAdmin)
		at := func(fns ...func() error) []error {
			errs := make([]error, len(fns))
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i, fn := range fns {
				wg.Go(func() {
					<-start
					errs[i] = fn()
				})
			}
			close(start)
			wg.Wait()
			return errs
		}
		internal := func(what string, errs []error) {
			t.Helper()
			for _, err := range errs {
				if tend.ErrorCode(err) == tend.EINTERNAL {
					t.Fatalf("%s: %v", what, err)
				}
			}
		}
		for i := range 15 {
			x, y := e.mustAgent(t, fmt.Sprintf("x%d", i), tend.RoleAdmin), e.mustAgent(t, fmt.Sprintf("y%d", i), tend.RoleAdmin)
			internal("two admins", at(
				func() error { _, err := e.agents.DeactivateAgent(as(boss), x.ID, boss.ID); return err },
				func() error { _, err := e.agents.DeactivateAgent(as(boss), y.ID, boss.ID); return err },
			))
			a, b := e.mustAgent(t, fmt.Sprintf("a%d", i), tend.RoleAgent), e.mustAgent(t, fmt.Sprintf("b%d", i), tend.RoleAgent)
			errs := at(
				func() error { _, err := e.agents.DeactivateAgent(as(boss), a.ID, b.ID); return err },
				func() error {
					_, err := e.agents.UpdateAgent(as(boss), b.ID, &tend.AgentUpdate{Active: ptr(false), SuccessorID: &a.ID})
					return err
				},
			)
			internal("successors named crosswise", errs)
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("crosswise successors: %v, %v; want one done and one refused", errs[0], errs[1])
			}
			c := e.mustAgent(t, fmt.Sprintf("c%d", i), tend.RoleAgent)
			if _, err := e.tokens.CreateSession(context.Background(), c.ID, -time.Hour); err != nil {
				t.Fatal(err)
			}
			internal("a sign-in meeting a deactivation", at(
				func() error { _, err := e.tokens.CreateSession(context.Background(), c.ID, time.Hour); return err },
				func() error { _, err := e.agents.DeactivateAgent(as(boss), c.ID, 0); return err },
			))
		}
	})
}
