package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// Over the API: whom a reply goes to and how it is narrowed, spam, and a
// bouncing address an agent says works again.
func TestAPIMailTrust(t *testing.T) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqldbtest.DSN(t, engine)
			db, err := sqldb.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.PasswordParams = sqldbtest.Cheap
			ts := newTestServer(t, db)
			sys := tend.SystemContext(context.Background())
			mb, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "support@acme.example"})
			if err != nil {
				t.Fatal(err)
			}
			rec, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, []string{mb.Address}, []byte(
				"From: Mia <mia@customer.example>\r\nTo: support@acme.example\r\nCc: pat@partner.example, lee@partner.example\r\n"+
					"Subject: Card\r\nMessage-ID: <m1@customer.example>\r\n\r\nHello.\r\n"))
			if err != nil || rec.TicketID == nil {
				t.Fatalf("receive: %+v, %v", rec, err)
			}
			agent := ts.tokens[tend.RoleAgent]
			ticket := fmt.Sprintf("/api/v1/tickets/%d", *rec.TicketID)

			var rr tend.ReplyRecipients
			ts.request("GET", ticket+"/recipients", agent, nil).decode(t, &rr)
			if !rr.Mailed || rr.To != "mia@customer.example" || len(rr.Cc) != 2 {
				t.Fatalf("recipients %+v", rr)
			}
			// A reply cannot reach anyone not of the ticket.
			resp := ts.request("POST", ticket+"/messages", agent, map[string]any{"body": "Hi", "cc": []string{"eve@evil.example"}})
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.body), "eve@evil.example is not copied on this ticket") {
				t.Fatalf("cc a stranger: %d %s", resp.StatusCode, resp.body)
			}
			resp = ts.request("POST", ticket+"/messages", agent, map[string]any{"body": "Hi", "to": "eve@evil.example"})
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(resp.body), "is not the ticket's customer's") {
				t.Fatalf("to a stranger: %d %s", resp.StatusCode, resp.body)
			}
			if resp := ts.request("POST", ticket+"/messages", agent, map[string]any{"body": "Hi", "cc": []string{"LEE@partner.example"}}); resp.StatusCode != 201 {
				t.Fatalf("cc one participant: %d %s", resp.StatusCode, resp.body)
			}
			out, err := sqldb.NewOutboundService(db).FindOutbound(context.Background(), 2)
			if err != nil || out.Kind != "reply" || len(out.Cc) != 1 || out.Cc[0].Email != "lee@partner.example" {
				t.Fatalf("the reply's mail: %+v, %v", out, err)
			}

			// The desk's own addresses are never copied, nor a customer's.
			if resp := ts.request("POST", ticket+"/participants", agent, map[string]any{"emails": []string{"Support+abc@acme.example"}}); resp.StatusCode != 400 ||
				!strings.Contains(string(resp.body), "this desk's own") {
				t.Fatalf("copying the desk: %d %s", resp.StatusCode, resp.body)
			}
			if resp := ts.request("PATCH", fmt.Sprintf("/api/v1/customers/%d", customerOfTicket(t, ts, ticket, agent)), agent,
				map[string]any{"emails": []string{"support@acme.example"}}); resp.StatusCode != 400 || !strings.Contains(string(resp.body), "this desk's own") {
				t.Fatalf("the desk as a customer's address: %d %s", resp.StatusCode, resp.body)
			}

			// Spam, twice.
			if resp := ts.request("POST", ticket+"/spam", agent, map[string]any{"spam": true}); resp.StatusCode != 200 {
				t.Fatalf("spam: %d %s", resp.StatusCode, resp.body)
			}
			resp = ts.request("POST", ticket+"/spam", agent, map[string]any{"spam": true})
			if resp.StatusCode != http.StatusConflict || !strings.Contains(string(resp.body), "already marked spam") {
				t.Fatalf("spam again: %d %s", resp.StatusCode, resp.body)
			}
			var blocked struct{ Items []tend.BlockedSender }
			ts.request("GET", "/api/v1/mail/blocked", ts.tokens[tend.RoleAdmin], nil).decode(t, &blocked)
			if len(blocked.Items) != 1 || blocked.Items[0].Pattern != "mia@customer.example" || blocked.Items[0].TicketID == nil {
				t.Fatalf("blocked %+v", blocked.Items)
			}
			if resp := ts.request("POST", ticket+"/spam", agent, map[string]any{"spam": false}); resp.StatusCode != 200 {
				t.Fatalf("not spam: %d %s", resp.StatusCode, resp.body)
			}
			ts.request("GET", "/api/v1/mail/blocked", ts.tokens[tend.RoleAdmin], nil).decode(t, &blocked)
			if len(blocked.Items) != 0 {
				t.Fatalf("still blocked after not spam: %+v", blocked.Items)
			}
			if resp := ts.request("POST", "/api/v1/mail/blocked", ts.tokens[tend.RoleAdmin], map[string]any{"pattern": "acme.example"}); resp.StatusCode != 400 {
				t.Fatalf("blocking the desk's own domain: %d %s", resp.StatusCode, resp.body)
			}

			// A bouncing address, cleared by an agent.
			now := "now()"
			if engine == sqldb.SQLite {
				now = "1"
			}
			if err := sqldbtest.Exec(t, engine, dsn)(`UPDATE customer_emails SET bouncing_since = ` + now + `, bounce_reason = '550' WHERE email = 'mia@customer.example'`); err != nil {
				t.Fatal(err)
			}
			customer := fmt.Sprintf("/api/v1/customers/%d", customerOfTicket(t, ts, ticket, agent))
			var c tend.Customer
			ts.request("DELETE", customer+"/bouncing/Mia@customer.example", agent, nil).decode(t, &c)
			if len(c.Bouncing) != 0 {
				t.Fatalf("still bouncing: %+v", c.Bouncing)
			}
			if resp := ts.request("DELETE", customer+"/bouncing/mia@customer.example", agent, nil); resp.StatusCode != 404 {
				t.Fatalf("clearing again: %d", resp.StatusCode)
			}
		})
	}
}

func customerOfTicket(t *testing.T, ts *testServer, ticket, token string) int64 {
	t.Helper()
	var tk tend.Ticket
	ts.request("GET", ticket, token, nil).decode(t, &tk)
	return tk.CustomerID
}
