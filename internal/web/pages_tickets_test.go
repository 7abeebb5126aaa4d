package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// ticketForm reads the hidden fields of the ticket page's forms.
func ticketForm(t *testing.T, c *http.Client, ts *testServer, number int64) map[string]string {
	t.Helper()
	resp, err := c.Get(fmt.Sprintf("%s/tickets/%d", ts.URL, number))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ticket page: %d\n%s", resp.StatusCode, page)
	}
	fields := map[string]string{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)"`).FindAllSubmatch(page, -1) {
		fields[string(m[1])] = string(m[2])
	}
	return fields
}

// Sending the same reply form twice (a double click, a retry after a lost
// answer) adds the reply once.
func TestReplyFormSentTwiceAddsOneReply(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Lock jammed", "ida@customer.example", "The smart lock is jammed.")
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "agent@staff.example", "long enough password")
	f := ticketForm(t, c, ts, tk.Number)
	form := url.Values{"csrf": {f["csrf"]}, "last_message_id": {f["last_message_id"]}, "idempotency_key": {f["idempotency_key"]},
		"kind": {"reply"}, "body": {"Please hold the button for ten seconds."}}
	for range 2 {
		resp, err := c.PostForm(fmt.Sprintf("%s/tickets/%d/messages", ts.URL, tk.Number), form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("reply: %d", resp.StatusCode)
		}
	}
	got, _ := ts.tickets.FindTicketByID(system, tk.ID)
	if n := len(got.Messages); n != 2 {
		t.Fatalf("the ticket has %d messages after the same form was sent twice, want 2", n)
	}
}

// Saving the controls of a ticket whose owner was deactivated keeps the
// owner; it does not hand the ticket to the first agent listed.
func TestSavingKeepsADeactivatedOwner(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	tk := newTicket(t, ts, "Hub reset", "ola@customer.example", "How do I reset the hub?")
	lead := ts.agents[tend.RoleLead]
	if _, err := ts.tickets.UpdateTicket(system, tk.ID, &tend.TicketUpdate{OwnerID: &lead.ID, Status: ptr(tend.StatusSolved)}); err != nil {
		t.Fatal(err)
	}
	admin := asAgent(ts.agents[tend.RoleAdmin])
	if _, err := ts.server.Agents.DeactivateAgent(admin, lead.ID, ts.agents[tend.RoleAgent].ID); err != nil {
		t.Fatal(err)
	}
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "agent@staff.example", "long enough password")
	resp, err := c.Get(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	// What the browser sends: the selected option of each select.
	selected := regexp.MustCompile(`(?s)<select id="owner_id".*?</select>`).Find(page)
	opt := regexp.MustCompile(`<option value="([^"]*)" selected>([^<]*)`).FindSubmatch(selected)
	if opt == nil || !strings.Contains(string(opt[2]), "lead person (deactivated)") {
		t.Fatalf("the owner list does not show the deactivated owner as chosen:\n%s", selected)
	}
	f := ticketForm(t, c, ts, tk.Number)
	resp, err = c.PostForm(fmt.Sprintf("%s/tickets/%d", ts.URL, tk.Number), url.Values{"csrf": {f["csrf"]}, "version": {f["version"]},
		"owner_id": {string(opt[1])}, "team_id": {"0"}, "priority": {"normal"}, "status": {"solved"}, "tags": {"reset"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got, _ := ts.tickets.FindTicketByID(system, tk.ID)
	if resp.StatusCode != http.StatusSeeOther || got.OwnerID == nil || *got.OwnerID != lead.ID || strings.Join(got.Tags, ",") != "reset" {
		t.Fatalf("after saving: %d, owner %v (want %d), tags %v", resp.StatusCode, got.OwnerID, lead.ID, got.Tags)
	}
}
