package sqldb_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestMigrateTwice(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		// Open runs the migrations again on the same database: nothing may
		// fail and nothing may be applied twice.
		e := newEnv(t, db)
		e.mustAgent(t, "ana", tend.RoleAdmin)
		n, err := e.agents.CountAdmins(context.Background())
		if err != nil || n != 1 {
			t.Fatalf("CountAdmins = %d, %v", n, err)
		}
	})
	dsn := sqldbtest.DSN(t, sqldb.SQLite)
	for range 2 {
		db, err := sqldb.Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		db.Close()
	}
}

func TestAgents(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.mustAgent(t, "ana", tend.RoleAdmin)
		agent := e.mustAgent(t, "bo", tend.RoleAgent)

		t.Run("email is unique whatever its case", func(t *testing.T) {
			_, err := e.agents.CreateAgent(as(admin), &tend.AgentCreate{Name: "Bo Two", Email: "BO@Staff.Example", Role: tend.RoleAgent})
			wantCode(t, err, tend.ECONFLICT)
		})
		t.Run("only admins manage staff", func(t *testing.T) {
			_, err := e.agents.CreateAgent(as(agent), &tend.AgentCreate{Name: "Cy", Email: "cy@staff.example", Role: tend.RoleAdmin})
			wantCode(t, err, tend.EFORBIDDEN)
			_, err = e.agents.UpdateAgent(as(agent), agent.ID, &tend.AgentUpdate{Role: ptr(tend.RoleAdmin)})
			wantCode(t, err, tend.EFORBIDDEN)
			_, _, err = e.agents.FindAgents(context.Background(), tend.AgentFilter{})
			wantCode(t, err, tend.EUNAUTHORIZED)
		})
		t.Run("agents change their own name and password", func(t *testing.T) {
			// Without the current password, a stolen token could take over
			// the account.
			_, err := e.agents.UpdateAgent(as(agent), agent.ID, &tend.AgentUpdate{Password: ptr("a brand new secret")})
			wantCode(t, err, tend.EINVALID)
			_, err = e.agents.UpdateAgent(as(agent), agent.ID, &tend.AgentUpdate{Password: ptr("a brand new secret"), CurrentPassword: ptr("wrong")})
			wantCode(t, err, tend.EINVALID)
			a, err := e.agents.UpdateAgent(as(agent), agent.ID, &tend.AgentUpdate{Name: ptr("Bo Berg"),
				Password: ptr("a brand new secret"), CurrentPassword: ptr("long enough password")})
			if err != nil || a.Name != "Bo Berg" {
				t.Fatalf("UpdateAgent = %+v, %v", a, err)
			}
			if _, err := e.agents.Authenticate(context.Background(), "bo@staff.example", "a brand new secret"); err != nil {
				t.Fatalf("sign in with the new password: %v", err)
			}
		})
		t.Run("validation names the field", func(t *testing.T) {
			_, err := e.agents.CreateAgent(as(admin), &tend.AgentCreate{Name: "", Email: "not-an-address", Role: "boss", Password: "short"})
			wantCode(t, err, tend.EINVALID)
			f := tend.ErrorFields(err)
			for _, k := range []string{"name", "email", "role", "password"} {
				if f[k] == "" {
					t.Errorf("no problem reported for %s: %v", k, f)
				}
			}
		})
		t.Run("the last admin stays", func(t *testing.T) {
			_, err := e.agents.UpdateAgent(as(admin), admin.ID, &tend.AgentUpdate{Role: ptr(tend.RoleAgent)})
			wantCode(t, err, tend.ECONFLICT)
			_, err = e.agents.UpdateAgent(as(admin), admin.ID, &tend.AgentUpdate{Active: ptr(false)})
			wantCode(t, err, tend.ECONFLICT)
		})
		t.Run("two admins demoting each other at once leave one", func(t *testing.T) {
			other := e.mustAgent(t, "dee", tend.RoleAdmin)
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i, pair := range [][2]*tend.Agent{{admin, other}, {other, admin}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = e.agents.UpdateAgent(as(pair[0]), pair[1].ID, &tend.AgentUpdate{Role: ptr(tend.RoleAgent)})
				}()
			}
			wg.Wait()
			if (errs[0] == nil) == (errs[1] == nil) {
				t.Fatalf("errors %v and %v: want exactly one refused", errs[0], errs[1])
			}
			if n, _ := e.agents.CountAdmins(context.Background()); n != 1 {
				t.Fatalf("%d admins left, want 1", n)
			}
			// Put things back for the tests below.
			demoted := other
			if errs[0] != nil {
				demoted = admin
			}
			_, err := e.agents.UpdateAgent(system, demoted.ID, &tend.AgentUpdate{Role: ptr(tend.RoleAdmin)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.agents.UpdateAgent(system, other.ID, &tend.AgentUpdate{Role: ptr(tend.RoleAgent), Active: ptr(false)}); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("authenticate", func(t *testing.T) {
			ctx := context.Background()
			a, err := e.agents.Authenticate(ctx, "ANA@staff.example", "long enough password")
			if err != nil || a.ID != admin.ID {
				t.Fatalf("Authenticate = %v, %v", a, err)
			}
			_, err = e.agents.Authenticate(ctx, "ana@staff.example", "wrong password!!")
			wantCode(t, err, tend.EUNAUTHORIZED)
			_, err = e.agents.Authenticate(ctx, "nobody@staff.example", "long enough password")
			wantCode(t, err, tend.EUNAUTHORIZED)

			cy := e.mustAgent(t, "cy", tend.RoleLead)
			if _, err := e.agents.UpdateAgent(as(admin), cy.ID, &tend.AgentUpdate{Active: ptr(false)}); err != nil {
				t.Fatal(err)
			}
			_, err = e.agents.Authenticate(ctx, "cy@staff.example", "long enough password")
			wantCode(t, err, tend.EUNAUTHORIZED)
		})
		t.Run("list filters", func(t *testing.T) {
			list, _, err := e.agents.FindAgents(as(agent), tend.AgentFilter{Role: ptr(tend.RoleAdmin)})
			if err != nil || len(list) != 1 || list[0].ID != admin.ID {
				t.Fatalf("admins = %v, %v", list, err)
			}
			list, next, err := e.agents.FindAgents(as(agent), tend.AgentFilter{Limit: 1})
			if err != nil || len(list) != 1 || next == "" {
				t.Fatalf("page 1 = %v, %q, %v", list, next, err)
			}
			list2, _, err := e.agents.FindAgents(as(agent), tend.AgentFilter{Limit: 1, Cursor: next})
			if err != nil || len(list2) != 1 || list2[0].ID <= list[0].ID {
				t.Fatalf("page 2 = %v, %v", list2, err)
			}
		})
	})
}

func TestTeams(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.mustAgent(t, "ana", tend.RoleAdmin)
		lead := e.mustAgent(t, "lee", tend.RoleLead)
		agent := e.mustAgent(t, "bo", tend.RoleAgent)

		team, err := e.teams.CreateTeam(as(admin), &tend.TeamCreate{Name: "Billing", LeadID: &lead.ID, MemberIDs: []int64{agent.ID, lead.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(team.MemberIDs) != 2 || *team.LeadID != lead.ID {
			t.Fatalf("team = %+v", team)
		}
		_, err = e.teams.CreateTeam(as(admin), &tend.TeamCreate{Name: "billing"})
		wantCode(t, err, tend.ECONFLICT)
		_, err = e.teams.CreateTeam(as(lead), &tend.TeamCreate{Name: "Leads only"})
		wantCode(t, err, tend.EFORBIDDEN)
		_, err = e.teams.CreateTeam(as(admin), &tend.TeamCreate{Name: "Ghosts", MemberIDs: []int64{9999}})
		wantCode(t, err, tend.EINVALID)

		a, err := e.agents.FindAgentByID(as(agent), agent.ID)
		if err != nil || len(a.TeamIDs) != 1 || a.TeamIDs[0] != team.ID {
			t.Fatalf("agent's teams = %v, %v", a.TeamIDs, err)
		}
		team, err = e.teams.UpdateTeam(as(admin), team.ID, &tend.TeamUpdate{LeadID: ptr(int64(0)), MemberIDs: &[]int64{agent.ID}})
		if err != nil || team.LeadID != nil || len(team.MemberIDs) != 1 {
			t.Fatalf("after update = %+v, %v", team, err)
		}
		teams, err := e.teams.FindTeams(as(agent))
		if err != nil || len(teams) != 1 || len(teams[0].MemberIDs) != 1 {
			t.Fatalf("FindTeams = %v, %v", teams, err)
		}
	})
}

func TestTokensAndSessions(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.mustAgent(t, "ana", tend.RoleAdmin)
		agent := e.mustAgent(t, "bo", tend.RoleAgent)
		other := e.mustAgent(t, "cy", tend.RoleManager)

		tok, secret, err := e.tokens.CreateToken(as(agent), &tend.TokenCreate{Name: "laptop script"})
		if err != nil {
			t.Fatal(err)
		}
		if tok.AgentID != agent.ID || len(secret) < 40 || tok.Prefix != secret[:12] {
			t.Fatalf("token = %+v, secret %q", tok, secret)
		}
		a, err := e.tokens.AuthenticateToken(context.Background(), secret)
		if err != nil || a.ID != agent.ID {
			t.Fatalf("AuthenticateToken = %v, %v", a, err)
		}
		_, err = e.tokens.AuthenticateToken(context.Background(), secret+"x")
		wantCode(t, err, tend.EUNAUTHORIZED)

		// Another agent's tokens are not visible nor revocable without the
		// permission, and look missing rather than forbidden.
		_, _, err = e.tokens.CreateToken(as(other), &tend.TokenCreate{AgentID: agent.ID, Name: "x"})
		wantCode(t, err, tend.EFORBIDDEN)
		_, err = e.tokens.FindTokens(as(other), agent.ID)
		wantCode(t, err, tend.EFORBIDDEN)
		wantCode(t, e.tokens.RevokeToken(as(other), tok.ID), tend.ENOTFOUND)

		list, err := e.tokens.FindTokens(as(admin), agent.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("admin lists %v, %v", list, err)
		}
		if err := e.tokens.RevokeToken(as(admin), tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.tokens.AuthenticateToken(context.Background(), secret)
		wantCode(t, err, tend.EUNAUTHORIZED)

		// Deactivation ends both sessions and tokens at once.
		_, secret2, _ := e.tokens.CreateToken(as(agent), &tend.TokenCreate{Name: "second"})
		session, err := e.tokens.CreateSession(context.Background(), agent.ID, 3600e9)
		if err != nil {
			t.Fatal(err)
		}
		if a, err := e.tokens.FindSession(context.Background(), session); err != nil || a.Principal.AgentID != agent.ID || a.Agent.ID != agent.ID || !a.Staff() {
			t.Fatalf("FindSession = %v, %v", a, err)
		}
		if _, err := e.agents.UpdateAgent(as(admin), agent.ID, &tend.AgentUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		_, err = e.tokens.FindSession(context.Background(), session)
		wantCode(t, err, tend.EUNAUTHORIZED)
		_, err = e.tokens.AuthenticateToken(context.Background(), secret2)
		wantCode(t, err, tend.EUNAUTHORIZED)
	})
}

// Deactivation revokes the agent's tokens: reactivating them gives them
// their account back, not the tokens that may have leaked meanwhile.
func TestDeactivationRevokesTokens(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.mustAgent(t, "admin", tend.RoleAdmin)
		for _, how := range []struct {
			name       string
			deactivate func(id int64) error
		}{
			{"by update", func(id int64) error {
				_, err := e.agents.UpdateAgent(as(admin), id, &tend.AgentUpdate{Active: ptr(false)})
				return err
			}},
			{"with a handover", func(id int64) error {
				_, err := e.agents.DeactivateAgent(as(admin), id, admin.ID)
				return err
			}},
		} {
			t.Run(how.name, func(t *testing.T) {
				agent := e.mustAgent(t, "agent-"+strings.ReplaceAll(how.name, " ", "-"), tend.RoleAgent)
				_, secret, err := e.tokens.CreateToken(as(agent), &tend.TokenCreate{Name: "laptop script"})
				if err != nil {
					t.Fatal(err)
				}
				if err := how.deactivate(agent.ID); err != nil {
					t.Fatal(err)
				}
				if _, err := e.agents.UpdateAgent(as(admin), agent.ID, &tend.AgentUpdate{Active: ptr(true)}); err != nil {
					t.Fatal(err)
				}
				_, err = e.tokens.AuthenticateToken(context.Background(), secret)
				wantCode(t, err, tend.EUNAUTHORIZED)
				list, err := e.tokens.FindTokens(as(admin), agent.ID)
				if err != nil || len(list) != 1 || list[0].RevokedAt == nil {
					t.Fatalf("after reactivation the tokens are %+v, %v; want the one, revoked", list, err)
				}
				// A new token works as usual.
				_, fresh, err := e.tokens.CreateToken(as(agent), &tend.TokenCreate{Name: "new script"})
				if err != nil {
					t.Fatal(err)
				}
				if a, err := e.tokens.AuthenticateToken(context.Background(), fresh); err != nil || a.ID != agent.ID {
					t.Fatalf("a token made after reactivation: %v, %v", a, err)
				}
			})
		}
	})
}

func TestSetup(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		first, err := e.settings.NewSetupToken(ctx)
		if err != nil {
			t.Fatal(err)
		}
		secret, err := e.settings.NewSetupToken(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, e.settings.CheckSetupToken(ctx, first), tend.EUNAUTHORIZED)
		if err := e.settings.CheckSetupToken(ctx, secret); err != nil {
			t.Fatalf("current token refused: %v", err)
		}
		_, err = e.settings.CompleteSetup(ctx, secret, &tend.AgentCreate{Name: "Ana", Email: "ana@example.com"})
		wantCode(t, err, tend.EINVALID)
		admin, err := e.settings.CompleteSetup(ctx, secret, &tend.AgentCreate{Name: "Ana", Email: "ana@example.com", Password: "a long password", Role: tend.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		if admin.Role != tend.RoleAdmin {
			t.Fatalf("first agent is %s, want admin", admin.Role)
		}
		_, err = e.settings.CompleteSetup(ctx, secret, &tend.AgentCreate{Name: "Eve", Email: "eve@example.com", Password: "a long password"})
		wantCode(t, err, tend.ECONFLICT)
		_, err = e.settings.NewSetupToken(ctx)
		wantCode(t, err, tend.ECONFLICT)
	})
}

// A sign-in that a deactivation overtakes, between the password check and
// the session, gets no session: none is left to come back to life when
// the agent is reactivated.
func TestDeactivationOvertakesSignIn(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		admin := e.mustAgent(t, "admin", tend.RoleAdmin)
		agent := e.mustAgent(t, "agent", tend.RoleAgent)
		signedIn, err := e.agents.Authenticate(context.Background(), agent.Email, "long enough password")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.agents.UpdateAgent(as(admin), agent.ID, &tend.AgentUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		session, err := e.tokens.CreateSession(context.Background(), signedIn.ID, time.Hour)
		wantCode(t, err, tend.EUNAUTHORIZED)
		_, _, err = e.tokens.CreateToken(as(admin), &tend.TokenCreate{AgentID: agent.ID, Name: "late"})
		wantCode(t, err, tend.ECONFLICT)
		if _, err := e.agents.UpdateAgent(as(admin), agent.ID, &tend.AgentUpdate{Active: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if session != "" {
			_, err = e.tokens.FindSession(context.Background(), session)
			wantCode(t, err, tend.EUNAUTHORIZED)
		}
	})
}

// A browser is known to the agent who signed in from it, until it expires
// or the agent is deactivated.
func TestRememberBrowser(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		clock := sqldbtest.NewClock(db)
		admin := e.mustAgent(t, "admin", tend.RoleAdmin)
		ana, bo := e.mustAgent(t, "ana", tend.RoleAgent), e.mustAgent(t, "bo", tend.RoleAgent)
		ctx := context.Background()
		first, err := e.tokens.RememberBrowser(ctx, ana.ID, "", time.Hour)
		if err != nil || first == "" {
			t.Fatalf("a new browser: %q, %v", first, err)
		}
		if again, err := e.tokens.RememberBrowser(ctx, ana.ID, first, time.Hour); err != nil || again != first {
			t.Fatalf("the same browser again: %q, %v", again, err)
		}
		if other, err := e.tokens.RememberBrowser(ctx, bo.ID, first, time.Hour); err != nil || other == first {
			t.Fatalf("another agent in ana's browser: %q, %v", other, err)
		}
		clock.Advance(2 * time.Hour)
		if later, err := e.tokens.RememberBrowser(ctx, ana.ID, first, time.Hour); err != nil || later == first {
			t.Fatalf("an expired browser: %q, %v", later, err)
		}
		known, _ := e.tokens.RememberBrowser(ctx, ana.ID, "", time.Hour)
		if _, err := e.agents.UpdateAgent(as(admin), ana.ID, &tend.AgentUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		_, err = e.tokens.RememberBrowser(ctx, ana.ID, known, time.Hour)
		wantCode(t, err, tend.EUNAUTHORIZED)
		if _, err := e.agents.UpdateAgent(as(admin), ana.ID, &tend.AgentUpdate{Active: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		if after, err := e.tokens.RememberBrowser(ctx, ana.ID, known, time.Hour); err != nil || after == known {
			t.Fatalf("after deactivation the browser is still known: %q, %v", after, err)
		}
	})
}
