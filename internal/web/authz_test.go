package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// caller is who sends a request in the authorisation matrix.
type caller string

const (
	anonymous caller = "no token"
	revoked   caller = "revoked token"
	forged    caller = "unknown token"
)

var staffRoles = []tend.Role{tend.RoleAgent, tend.RoleLead, tend.RoleManager, tend.RoleAdmin}

// TestAuthorizationMatrix sends every endpoint as every role and as callers
// without valid credentials, and checks who gets through.
func TestAuthorizationMatrix(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		sys := tend.SystemContext(context.Background())
		tk, err := ts.tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Matrix", Customer: tend.CustomerRef{Email: "m@example.com"}, Body: "b",
			Attachments: []*tend.AttachmentInput{{Name: "a.txt", Data: []byte("x")}}})
		if err != nil {
			t.Fatal(err)
		}
		tokens := sqldb.NewTokenService(db)
		team, err := sqldb.NewTeamService(db).CreateTeam(sys, &tend.TeamCreate{Name: "Matrix team"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sqldb.NewOrganizationService(db).CreateOrganization(sys, &tend.OrganizationCreate{Name: "First org"}); err != nil {
			t.Fatal(err)
		}
		// victim is an agent who never calls: the one whose things the
		// others try to read or change.
		victim, err := sqldb.NewAgentService(db).CreateAgent(sys, &tend.AgentCreate{Name: "Victim", Email: "victim@staff.example", Role: tend.RoleAgent})
		if err != nil {
			t.Fatal(err)
		}
		_, revokedSecret, _ := tokens.CreateToken(sys, &tend.TokenCreate{AgentID: victim.ID, Name: "old"})
		list, _ := tokens.FindTokens(sys, victim.ID)
		if err := tokens.RevokeToken(sys, list[0].ID); err != nil {
			t.Fatal(err)
		}
		// newToken makes a token of owner's for a DELETE to act on.
		newToken := func(owner int64) int64 {
			tok, _, err := tokens.CreateToken(sys, &tend.TokenCreate{AgentID: owner, Name: "to revoke"})
			if err != nil {
				t.Fatal(err)
			}
			return tok.ID
		}

		mb, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "help@matrix.example"})
		if err != nil {
			t.Fatal(err)
		}
		quarantined, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, nil, []byte("not a mail"))
		if err != nil || quarantined.Outcome != tend.OutcomeFailed {
			t.Fatalf("quarantine a mail: %+v, %v", quarantined, err)
		}
		// A mail from a person whose file is over the limit, for an admin
		// to make a ticket of without it.
		tooLarge, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, nil, []byte(mailWithFile("big@matrix.example", 70<<10)))
		if err != nil || tooLarge.Outcome != tend.OutcomeFailed {
			t.Fatalf("quarantine a large mail: %+v, %v", tooLarge, err)
		}
		ticket := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)
		plan, err := ts.server.Fields.CreateField(sys, &tend.FieldInput{Key: "plan", Label: "Plan", Type: tend.FieldChoice, Choices: []string{"Basic", "Pro"}})
		if err != nil {
			t.Fatal(err)
		}
		fieldKey := func(r caller) string {
			return "f_" + strings.Map(func(c rune) rune {
				if c >= 'a' && c <= 'z' {
					return c
				}
				return '_'
			}, strings.ToLower(string(r)))
		}
		macros := ts.server.Macros
		shared, err := macros.CreateMacro(sys, &tend.MacroCreate{Name: "Shared", Body: "Hello {{customer.first_name}}", Scope: tend.MacroShared})
		if err != nil {
			t.Fatal(err)
		}
		victimCtx := tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: victim.ID, Role: victim.Role})
		victims, err := macros.CreateMacro(victimCtx, &tend.MacroCreate{Name: "Victim's", Body: "Mine"})
		if err != nil {
			t.Fatal(err)
		}
		leadTeam, err := sqldb.NewTeamService(db).CreateTeam(sys, &tend.TeamCreate{Name: "Led team", LeadID: &ts.agents[tend.RoleLead].ID})
		if err != nil {
			t.Fatal(err)
		}
		leadOrAdmin := func(r caller) bool { return tend.Role(r) == tend.RoleLead || tend.Role(r) == tend.RoleAdmin }
		leadOrAbove := func(r caller) bool { return tend.Role(r).AtLeast(tend.RoleLead) }
		officeHours := []map[string]any{{"weekday": 1, "start": "09:00", "end": "17:00"}}
		newCalendar := func(name string) *tend.Calendar {
			c, err := ts.server.Calendars.CreateCalendar(sys, &tend.CalendarInput{Name: name, TimeZone: "Europe/Paris",
				Hours: []tend.BusinessHours{{Weekday: 1, Start: "09:00", End: "17:00"}}})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		newPolicy := func(name string) *tend.SLAPolicy {
			p, err := ts.server.SLAPolicies.CreateSLAPolicy(sys, &tend.SLAPolicyInput{Name: name, Position: 5, CalendarID: 1,
				Conditions: tend.PolicyConditions{Tags: []string{"never-used"}}, Targets: tend.Targets{Resolution: ptr(60)}})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		office, policy := newCalendar("Matrix office"), newPolicy("Matrix policy")
		calendar := fmt.Sprintf("/api/v1/calendars/%d", office.ID)
		nobody := func(caller) bool { return false }
		cases := []struct {
			route   string // METHOD /path as in openapi.json
			build   func(r caller) request
			allowed func(r caller) bool
			success int
			denied  int // status for a staff member whose role may not
		}{
			{"GET /me", get("/api/v1/me"), anyStaff, 200, 0},
			{"GET /tickets", get("/api/v1/tickets"), anyStaff, 200, 0},
			{"POST /tickets", func(r caller) request {
				return request{"POST", "/api/v1/tickets", map[string]any{"subject": "by " + string(r), "customer": map[string]string{"email": "x@example.com"}, "body": "b"}}
			}, anyStaff, 201, 0},
			{"POST /tickets (a call from a known customer)", func(r caller) request {
				return request{"POST", "/api/v1/tickets", map[string]any{"subject": "call for " + string(r), "customer_id": tk.CustomerID,
					"channel": "phone", "body": "They said"}}
			}, anyStaff, 201, 0},
			{"POST /tickets (by mail from a mailbox)", func(r caller) request {
				return request{"POST", "/api/v1/tickets", map[string]any{"subject": "mail from " + string(r), "customer_id": tk.CustomerID,
					"mailbox_id": mb.ID, "body": "We write"}}
			}, anyStaff, 201, 0},
			{"GET /tickets/{id}", get(ticket), anyStaff, 200, 0},
			{"PATCH /tickets/{id}", func(r caller) request {
				return request{"PATCH", ticket, map[string]any{"add_tags": []string{"seen-by-" + string(r)}}}
			}, anyStaff, 200, 0},
			{"POST /tickets/{id}/messages", func(caller) request {
				return request{"POST", ticket + "/messages", map[string]any{"body": "note", "kind": "note"}}
			}, anyStaff, 201, 0},
			{"GET /tickets/{id}/events", get(ticket + "/events"), anyStaff, 200, 0},
			{"POST /tickets/{id}/spam", func(r caller) request {
				fresh, err := ts.tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Spam?", Customer: tend.CustomerRef{Email: slug(r) + "@spam.example"}, Body: "b"})
				if err != nil {
					t.Fatal(err)
				}
				return request{"POST", fmt.Sprintf("/api/v1/tickets/%d/spam", fresh.ID), map[string]any{"spam": true}}
			}, anyStaff, 200, 0},
			{"GET /tickets/{id}/recipients", get(ticket + "/recipients"), anyStaff, 200, 0},
			{"POST /tickets/{id}/participants", func(r caller) request {
				return request{"POST", ticket + "/participants", map[string]any{"emails": []string{slug(r) + "@copied.example"}}}
			}, anyStaff, 200, 0},
			{"DELETE /tickets/{id}/participants/{email}", func(r caller) request {
				email := slug(r) + "@removed.example"
				if _, err := ts.tickets.AddParticipants(sys, tk.ID, []string{email}); err != nil {
					t.Fatal(err)
				}
				return request{"DELETE", ticket + "/participants/" + email, nil}
			}, anyStaff, 200, 0},
			{"GET /tickets/{id}/participants/suggested", get(ticket + "/participants/suggested"), anyStaff, 200, 0},
			{"POST /tickets/bulk", func(r caller) request {
				return request{"POST", "/api/v1/tickets/bulk", map[string]any{"ids": []int64{tk.ID}, "update": map[string]any{"add_tags": []string{"bulk-by-" + slug(r)}}}}
			}, anyStaff, 200, 0},
			{"POST /tickets/{id}/merge", func(r caller) request {
				fresh, err := ts.tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Duplicate", Customer: tend.CustomerRef{Email: "m@example.com"}, Body: "b"})
				if err != nil {
					t.Fatal(err)
				}
				return request{"POST", fmt.Sprintf("/api/v1/tickets/%d/merge", fresh.ID), map[string]any{"into_id": tk.ID}}
			}, anyStaff, 200, 0},
			{"POST /tickets/{id}/links", func(r caller) request {
				fresh, err := ts.tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Related", Customer: tend.CustomerRef{Email: "m@example.com"}, Body: "b"})
				if err != nil {
					t.Fatal(err)
				}
				return request{"POST", ticket + "/links", map[string]any{"ticket_id": fresh.ID}}
			}, anyStaff, 200, 0},
			{"DELETE /tickets/{id}/links/{other}", func(r caller) request {
				fresh, err := ts.tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Unrelated", Customer: tend.CustomerRef{Email: "m@example.com"}, Body: "b"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := ts.tickets.LinkTickets(sys, tk.ID, fresh.ID); err != nil {
					t.Fatal(err)
				}
				return request{"DELETE", fmt.Sprintf("%s/links/%d", ticket, fresh.ID), nil}
			}, anyStaff, 200, 0},
			{"GET /attachments/{id}", get(fmt.Sprintf("/api/v1/attachments/%d", tk.Messages[0].Attachments[0].ID)), anyStaff, 200, 0},
			{"GET /search", get("/api/v1/search?q=matrix"), anyStaff, 200, 0},
			{"GET /customers", get("/api/v1/customers"), anyStaff, 200, 0},
			{"POST /customers", func(r caller) request {
				return request{"POST", "/api/v1/customers", map[string]any{"emails": []string{slug(r) + "@customers.example"}}}
			}, anyStaff, 201, 0},
			{"GET /customers/{id}", get(fmt.Sprintf("/api/v1/customers/%d", tk.CustomerID)), anyStaff, 200, 0},
			{"PATCH /customers/{id}", func(r caller) request {
				return request{"PATCH", fmt.Sprintf("/api/v1/customers/%d", tk.CustomerID), map[string]any{"notes": "by " + string(r)}}
			}, anyStaff, 200, 0},
			// Nothing bounces here: staff reach the service, which says so.
			{"DELETE /customers/{id}/bouncing/{email}", func(caller) request {
				return request{"DELETE", fmt.Sprintf("/api/v1/customers/%d/bouncing/m@example.com", tk.CustomerID), nil}
			}, anyStaff, 404, 0},
			{"GET /organizations", get("/api/v1/organizations"), anyStaff, 200, 0},
			{"POST /organizations", func(r caller) request {
				return request{"POST", "/api/v1/organizations", map[string]any{"name": "Org of " + string(r)}}
			}, anyStaff, 201, 0},
			{"GET /organizations/{id}", get("/api/v1/organizations/1"), anyStaff, 200, 0},
			{"PATCH /organizations/{id}", func(r caller) request {
				return request{"PATCH", "/api/v1/organizations/1", map[string]any{"notes": "by " + string(r)}}
			}, anyStaff, 200, 0},
			{"GET /agents", get("/api/v1/agents"), anyStaff, 200, 0},
			{"POST /agents", func(r caller) request {
				return request{"POST", "/api/v1/agents", map[string]any{"name": "New", "email": slug(r) + "@new.example", "role": "agent"}}
			}, onlyAdmin, 201, 403},
			{"GET /agents/{id}", get(fmt.Sprintf("/api/v1/agents/%d", victim.ID)), anyStaff, 200, 0},
			{"PATCH /agents/{id}", func(r caller) request {
				return request{"PATCH", fmt.Sprintf("/api/v1/agents/%d", victim.ID), map[string]any{"role": "agent", "name": "Renamed by " + string(r)}}
			}, onlyAdmin, 200, 403},
			// The password check that sign-in's limits also guard: anyone may
			// change their own password with it.
			{"PATCH /agents/{id} (one's own password)", func(r caller) request {
				id := victim.ID
				if a := ts.agents[tend.Role(r)]; a != nil {
					id = a.ID
				}
				return request{"PATCH", fmt.Sprintf("/api/v1/agents/%d", id),
					map[string]any{"password": "long enough password", "current_password": "long enough password"}}
			}, anyStaff, 200, 0},
			{"PATCH /settings (the address links start with)", func(r caller) request {
				return request{"PATCH", "/api/v1/settings", map[string]any{"base_url": "https://" + slug(r) + ".example"}}
			}, onlyAdmin, 200, 403},
			{"GET /teams", get("/api/v1/teams"), anyStaff, 200, 0},
			{"POST /teams", func(r caller) request {
				return request{"POST", "/api/v1/teams", map[string]any{"name": "Team of " + string(r)}}
			}, onlyAdmin, 201, 403},
			{"GET /teams/{id}", get(fmt.Sprintf("/api/v1/teams/%d", team.ID)), anyStaff, 200, 0},
			{"PATCH /teams/{id}", func(r caller) request {
				return request{"PATCH", fmt.Sprintf("/api/v1/teams/%d", team.ID), map[string]any{"lead_id": nil}}
			}, onlyAdmin, 200, 403},
			{"GET /tokens", get("/api/v1/tokens"), anyStaff, 200, 0},
			{"GET /tokens (another agent's)", get(fmt.Sprintf("/api/v1/tokens?agent_id=%d", victim.ID)), onlyAdmin, 200, 403},
			{"POST /tokens", func(caller) request {
				return request{"POST", "/api/v1/tokens", map[string]any{"name": "mine"}}
			}, anyStaff, 201, 0},
			{"POST /tokens (for another agent)", func(caller) request {
				return request{"POST", "/api/v1/tokens", map[string]any{"name": "theirs", "agent_id": victim.ID}}
			}, onlyAdmin, 201, 403},
			{"DELETE /tokens/{id}", func(r caller) request {
				owner := victim.ID
				if a := ts.agents[tend.Role(r)]; a != nil {
					owner = a.ID
				}
				return request{"DELETE", fmt.Sprintf("/api/v1/tokens/%d", newToken(owner)), nil}
			}, anyStaff, 204, 0},
			{"DELETE /tokens/{id} (another agent's)", func(caller) request {
				return request{"DELETE", fmt.Sprintf("/api/v1/tokens/%d", newToken(victim.ID)), nil}
			}, onlyAdmin, 204, 404},
			{"GET /mailboxes", get("/api/v1/mailboxes"), anyStaff, 200, 0},
			{"POST /mailboxes", func(r caller) request {
				return request{"POST", "/api/v1/mailboxes", map[string]any{"address": slug(r) + "@mail.example"}}
			}, onlyAdmin, 201, 403},
			{"GET /mailboxes/{id}", get(fmt.Sprintf("/api/v1/mailboxes/%d", mb.ID)), anyStaff, 200, 0},
			{"PATCH /mailboxes/{id}", func(r caller) request {
				return request{"PATCH", fmt.Sprintf("/api/v1/mailboxes/%d", mb.ID), map[string]any{"name": "Help of " + string(r)}}
			}, onlyAdmin, 200, 403},
			{"GET /mail/inbound", get("/api/v1/mail/inbound"), onlyAdmin, 200, 403},
			{"GET /mail/inbound/{id}", get(fmt.Sprintf("/api/v1/mail/inbound/%d", quarantined.ID)), onlyAdmin, 200, 403},
			{"POST /mail/inbound/{id}/retry", func(caller) request {
				return request{"POST", fmt.Sprintf("/api/v1/mail/inbound/%d/retry", quarantined.ID), nil}
			}, onlyAdmin, 200, 403},
			{"GET /mail/inbound/{id}/raw", get(fmt.Sprintf("/api/v1/mail/inbound/%d/raw", quarantined.ID)), onlyAdmin, 200, 403},
			{"POST /mail/inbound/{id}/ticket", func(caller) request {
				return request{"POST", fmt.Sprintf("/api/v1/mail/inbound/%d/ticket", tooLarge.ID), nil}
			}, onlyAdmin, 200, 403},
			{"GET /mail/blocked", get("/api/v1/mail/blocked"), onlyAdmin, 200, 403},
			{"POST /mail/blocked", func(r caller) request {
				return request{"POST", "/api/v1/mail/blocked", map[string]any{"pattern": slug(r) + "@blocked.example"}}
			}, onlyAdmin, 201, 403},
			{"DELETE /mail/blocked/{pattern}", func(r caller) request {
				pattern := slug(r) + "@unblocked.example"
				if _, err := ts.server.BlockedSenders.BlockSender(sys, pattern); err != nil {
					t.Fatal(err)
				}
				return request{"DELETE", "/api/v1/mail/blocked/" + pattern, nil}
			}, onlyAdmin, 204, 403},
			{"GET /settings", get("/api/v1/settings"), anyStaff, 200, 0},
			{"PATCH /settings", func(r caller) request {
				return request{"PATCH", "/api/v1/settings", map[string]any{"name": "Desk " + string(r)}}
			}, onlyAdmin, 200, 403},
			{"GET /audit", get("/api/v1/audit"), onlyAdmin, 200, 403},
			{"GET /fields", get("/api/v1/fields"), anyStaff, 200, 0},
			{"POST /fields", func(r caller) request {
				return request{"POST", "/api/v1/fields", map[string]any{"key": fieldKey(r), "label": "Field of " + string(r), "type": "text"}}
			}, onlyAdmin, 201, 403},
			{"GET /fields/{id}", get(fmt.Sprintf("/api/v1/fields/%d", plan.ID)), anyStaff, 200, 0},
			{"PATCH /fields/{id}", func(r caller) request {
				return request{"PATCH", fmt.Sprintf("/api/v1/fields/%d", plan.ID), map[string]any{"label": "Plan of " + string(r), "choices": []string{"Basic", "Pro"}}}
			}, onlyAdmin, 200, 403},
			{"DELETE /fields/{id}", func(r caller) request {
				f, err := ts.server.Fields.CreateField(sys, &tend.FieldInput{Key: fieldKey(r) + "_gone", Label: "To delete", Type: tend.FieldText})
				if err != nil {
					t.Fatal(err)
				}
				return request{"DELETE", fmt.Sprintf("/api/v1/fields/%d", f.ID), nil}
			}, onlyAdmin, 204, 403},
			{"GET /macros", get("/api/v1/macros?q=hello"), anyStaff, 200, 0},
			{"POST /macros", func(r caller) request {
				return request{"POST", "/api/v1/macros", map[string]any{"name": "Mine of " + string(r), "body": "Hi {{customer.name}}"}}
			}, anyStaff, 201, 0},
			{"POST /macros (shared)", func(r caller) request {
				return request{"POST", "/api/v1/macros", map[string]any{"name": "Shared by " + string(r), "body": "Hi", "scope": "shared"}}
			}, onlyAdmin, 201, 403},
			{"POST /macros (a team's, by its lead)", func(r caller) request {
				return request{"POST", "/api/v1/macros", map[string]any{"name": "Team's by " + string(r), "body": "Hi", "scope": "team", "team_id": leadTeam.ID}}
			}, leadOrAdmin, 201, 403},
			{"GET /macros/{id}", get(fmt.Sprintf("/api/v1/macros/%d", shared.ID)), anyStaff, 200, 0},
			{"GET /macros/{id} (another agent's personal)", get(fmt.Sprintf("/api/v1/macros/%d", victims.ID)), nobody, 0, 404},
			{"PATCH /macros/{id}", func(r caller) request {
				return request{"PATCH", fmt.Sprintf("/api/v1/macros/%d", shared.ID), map[string]any{"body": "Hello from " + string(r)}}
			}, onlyAdmin, 200, 403},
			{"DELETE /macros/{id}", func(r caller) request {
				owner := victimCtx
				if a := ts.agents[tend.Role(r)]; a != nil {
					owner = tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: a.ID, Role: a.Role})
				}
				m, err := macros.CreateMacro(owner, &tend.MacroCreate{Name: "To delete", Body: "x"})
				if err != nil {
					t.Fatal(err)
				}
				return request{"DELETE", fmt.Sprintf("/api/v1/macros/%d", m.ID), nil}
			}, anyStaff, 204, 0},
			{"DELETE /macros/{id} (shared)", func(r caller) request {
				m, err := macros.CreateMacro(sys, &tend.MacroCreate{Name: "Shared to delete", Body: "x", Scope: tend.MacroShared})
				if err != nil {
					t.Fatal(err)
				}
				return request{"DELETE", fmt.Sprintf("/api/v1/macros/%d", m.ID), nil}
			}, onlyAdmin, 204, 403},
			{"POST /tickets/{id}/macros/{macro_id}", func(caller) request {
				return request{"POST", fmt.Sprintf("%s/macros/%d", ticket, shared.ID), map[string]any{"insert": true}}
			}, anyStaff, 200, 0},
			{"POST /tickets/{id}/macros/{macro_id} (applied)", func(caller) request {
				return request{"POST", fmt.Sprintf("%s/macros/%d", ticket, shared.ID), nil}
			}, anyStaff, 201, 0},
			{"POST /tickets/{id}/macros/{macro_id} (another agent's)", func(caller) request {
				return request{"POST", fmt.Sprintf("%s/macros/%d", ticket, victims.ID), nil}
			}, nobody, 0, 404},
			{"GET /calendars", get("/api/v1/calendars"), anyStaff, 200, 0},
			{"POST /calendars", func(r caller) request {
				return request{"POST", "/api/v1/calendars", map[string]any{"name": "Hours of " + string(r), "time_zone": "UTC", "hours": officeHours}}
			}, leadOrAbove, 201, 403},
			{"GET /calendars/{id}", get(calendar), anyStaff, 200, 0},
			{"PATCH /calendars/{id}", func(r caller) request {
				return request{"PATCH", calendar, map[string]any{"holidays": []map[string]any{{"date": "2026-12-25", "name": "By " + string(r)}}}}
			}, leadOrAbove, 200, 403},
			{"DELETE /calendars/{id}", func(r caller) request {
				return request{"DELETE", fmt.Sprintf("/api/v1/calendars/%d", newCalendar("To delete by "+string(r)).ID), nil}
			}, leadOrAbove, 204, 403},
			{"GET /calendars/{id}/deadline", get(calendar + "/deadline?from=2026-12-07T08:00:00Z&minutes=90"), anyStaff, 200, 0},
			{"GET /calendars/{id}/business-minutes", get(calendar + "/business-minutes?from=2026-12-07T08:00:00Z&to=2026-12-08T08:00:00Z"), anyStaff, 200, 0},
			{"GET /sla-policies", get("/api/v1/sla-policies"), anyStaff, 200, 0},
			{"POST /sla-policies", func(r caller) request {
				return request{"POST", "/api/v1/sla-policies", map[string]any{"name": "Promises of " + string(r), "calendar_id": office.ID,
					"conditions": map[string]any{"team_ids": []int64{team.ID}}, "targets": map[string]any{"first_response": 60}}}
			}, leadOrAbove, 201, 403},
			{"GET /sla-policies/{id}", get(fmt.Sprintf("/api/v1/sla-policies/%d", policy.ID)), anyStaff, 200, 0},
			{"PATCH /sla-policies/{id}", func(r caller) request {
				return request{"PATCH", fmt.Sprintf("/api/v1/sla-policies/%d", policy.ID), map[string]any{"name": "Policy of " + string(r)}}
			}, leadOrAbove, 200, 403},
			{"DELETE /sla-policies/{id}", func(r caller) request {
				return request{"DELETE", fmt.Sprintf("/api/v1/sla-policies/%d", newPolicy("To delete by "+string(r)).ID), nil}
			}, leadOrAbove, 204, 403},
			{"GET /notifications", get("/api/v1/notifications?unread=true"), anyStaff, 200, 0},
			{"POST /notifications/read", func(caller) request {
				return request{"POST", "/api/v1/notifications/read", map[string]any{"all": true}}
			}, anyStaff, 200, 0},
			{"POST /tickets/{id}/follow", func(caller) request { return request{"POST", ticket + "/follow", nil} }, anyStaff, 204, 0},
			{"DELETE /tickets/{id}/follow", func(caller) request { return request{"DELETE", ticket + "/follow", nil} }, anyStaff, 204, 0},
		}

		covered := map[string]bool{}
		callers := []caller{anonymous, revoked, forged}
		for _, r := range staffRoles {
			callers = append(callers, caller(r))
		}
		for _, c := range cases {
			covered[strings.SplitN(c.route, " (", 2)[0]] = true
			for _, who := range callers {
				req := c.build(who)
				token := ""
				switch who {
				case anonymous:
				case revoked:
					token = revokedSecret
				case forged:
					token = "tend_" + strings.Repeat("A", 43)
				default:
					token = ts.tokens[tend.Role(who)]
				}
				resp := ts.request(req.method, req.path, token, req.body)
				want := c.success
				switch {
				case who == anonymous || who == revoked || who == forged:
					want = http.StatusUnauthorized
				case !c.allowed(who):
					want = c.denied
				}
				if resp.StatusCode != want {
					t.Errorf("%s as %s: status %d, want %d\n%s", c.route, who, resp.StatusCode, want, resp.body)
				}
				if resp.StatusCode >= 400 {
					resp.problem(t)
				}
			}
		}

		// Every operation of the API is in the matrix.
		for _, op := range documentedOperations(t) {
			if !covered[op] {
				t.Errorf("%s is not in the authorisation matrix", op)
			}
		}
	})
}

func get(path string) func(caller) request {
	return func(caller) request { return request{"GET", path, nil} }
}

type request struct {
	method, path string
	body         any
}

func anyStaff(r caller) bool  { return true }
func onlyAdmin(r caller) bool { return tend.Role(r) == tend.RoleAdmin }

func slug(r caller) string { return strings.ReplaceAll(string(r), " ", "-") }

// documentedOperations lists "METHOD /path" for each operation in
// openapi.json.
func documentedOperations(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path, item := range doc.Paths {
		for method := range item {
			switch method {
			case "get", "post", "put", "patch", "delete":
				ops = append(ops, strings.ToUpper(method)+" "+path)
			}
		}
	}
	sort.Strings(ops)
	return ops
}
