package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// POST /tickets opens a ticket for a caller, a visitor, or by mail to a
// customer who has not written.
func TestAPIOpenTicketForCustomer(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		sys := tend.SystemContext(context.Background())
		bob, err := ts.server.Customers.CreateCustomer(sys, &tend.CustomerCreate{Name: "Bob", Emails: []string{"bob@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		mb, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "sales@desk.example", Name: "Sales"})
		if err != nil {
			t.Fatal(err)
		}
		agent := ts.agents[tend.RoleAgent]

		var call tend.Ticket
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": "Card refused", "customer_id": bob.ID,
			"channel": "walk_in", "body": "Bob came in: his card is refused."}).want(t, http.StatusCreated).decode(t, &call)
		if call.Channel != tend.ChannelWalkIn || call.CustomerID != bob.ID || call.FirstRespondedAt != nil ||
			call.Messages[0].AuthorType != tend.AuthorCustomer || call.Messages[0].Delivery != "" {
			t.Errorf("walk-in = %+v, first message %+v", call, call.Messages[0])
		}

		body := map[string]any{"subject": "Your renewal", "customer": map[string]string{"email": "dee@example.com", "name": "Dee"},
			"mailbox_id": mb.ID, "body": "Shall we renew your plan?", "priority": "high"}
		var mailed, again tend.Ticket
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", body, "Idempotency-Key", "open-1").want(t, http.StatusCreated).decode(t, &mailed)
		if mailed.Channel != tend.ChannelEmail || mailed.MailboxID == nil || *mailed.MailboxID != mb.ID || mailed.FirstRespondedAt == nil ||
			mailed.Status != tend.StatusOpen || mailed.OwnerID == nil || *mailed.OwnerID != agent.ID {
			t.Errorf("mailed = %+v", mailed)
		}
		if m := mailed.Messages[0]; m.AuthorType != tend.AuthorAgent || *m.AuthorID != agent.ID || m.Delivery != "queued" {
			t.Errorf("mailed first message = %+v", m)
		}
		n := ts.countTickets()
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", body, "Idempotency-Key", "open-1").want(t, http.StatusCreated).decode(t, &again)
		if again.ID != mailed.ID || ts.countTickets() != n {
			t.Errorf("a repeat opened ticket %d (first %d)", again.ID, mailed.ID)
		}
		body["priority"] = "low"
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", body, "Idempotency-Key", "open-1").want(t, http.StatusConflict)

		var events struct {
			Items []struct {
				Kind    tend.EventKind `json:"kind"`
				ActorID *int64         `json:"actor_id"`
				Data    struct {
					MailboxID *int64 `json:"mailbox_id"`
				} `json:"data"`
			} `json:"items"`
		}
		ts.as(tend.RoleAgent, "GET", fmt.Sprintf("/api/v1/tickets/%d/events", mailed.ID), nil).want(t, http.StatusOK).decode(t, &events)
		if e := events.Items; len(e) == 0 || e[0].Kind != tend.EventCreated || *e[0].ActorID != agent.ID ||
			e[0].Data.MailboxID == nil || *e[0].Data.MailboxID != mb.ID {
			t.Errorf("events = %+v", events.Items)
		}

		for _, c := range []struct {
			name, field string
			body        map[string]any
		}{
			{"unknown customer", "customer_id", map[string]any{"customer_id": 9999}},
			{"customer twice", "customer", map[string]any{"customer_id": bob.ID, "customer": map[string]string{"email": "x@example.com"}}},
			{"no customer", "customer.email", map[string]any{"channel": "phone"}},
			{"unknown mailbox", "mailbox_id", map[string]any{"customer_id": bob.ID, "mailbox_id": 9999}},
			{"mailbox with a call", "mailbox_id", map[string]any{"customer_id": bob.ID, "mailbox_id": mb.ID, "channel": "phone"}},
			{"mailbox not an id", "mailbox_id", map[string]any{"customer_id": bob.ID, "mailbox_id": -2}},
			{"unknown channel", "channel", map[string]any{"customer_id": bob.ID, "channel": "fax"}},
			{"no subject", "subject", map[string]any{"customer_id": bob.ID, "subject": ""}},
			{"no body", "body", map[string]any{"customer_id": bob.ID, "body": " "}},
			{"unknown team", "team_id", map[string]any{"customer_id": bob.ID, "team_id": 9999}},
			{"unknown priority", "priority", map[string]any{"customer_id": bob.ID, "priority": "asap"}},
			{"bad tag", "tags", map[string]any{"customer_id": bob.ID, "tags": []string{"a/b"}}},
			{"new customer's bad address", "customer.email", map[string]any{"customer": map[string]string{"email": "not an address", "name": "X"}}},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := map[string]any{"subject": "Help", "body": "Words"}
				for k, v := range c.body {
					in[k] = v
				}
				before := ts.countTickets()
				p := ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", in).want(t, http.StatusBadRequest).problem(t)
				named := false
				for _, e := range p.Errors {
					named = named || e.Field == c.field
				}
				if !named {
					t.Errorf("problem does not name %s: %+v", c.field, p)
				}
				if ts.countTickets() != before {
					t.Error("a refused ticket was written")
				}
			})
		}
	})
}
