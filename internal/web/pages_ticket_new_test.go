package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// The new ticket form without the script: a customer found by the
// address typed, a refusal naming its field with the values kept, and
// the customer picker's answers for signed-in staff only.
func TestNewTicketForm(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	sys := tend.SystemContext(context.Background())
	bob, err := ts.server.Customers.CreateCustomer(sys, &tend.CustomerCreate{Name: "Bob Stone", Emails: []string{"bob@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	hc, csrf := signInClient(t, ts)
	if resp := signIn(t, hc, ts, csrf, "agent@staff.example", "long enough password"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	c := formClient{hc, ts.URL, csrf}

	page := c.get(t, "/tickets/new")
	if !strings.Contains(page, `name="key"`) || !strings.Contains(page, `value="phone" checked`) {
		t.Fatalf("the form lacks its key or a default channel:\n%s", page)
	}
	form := url.Values{"key": {"k1"}, "email": {"BOB@example.com"}, "channel": {"walk_in"}, "subject": {""}, "body": {"He came in."}}
	resp, body := c.post(t, "/tickets/new", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="subject-problem"`) || !strings.Contains(body, "He came in.") ||
		!strings.Contains(body, `value="walk_in" checked`) {
		t.Fatalf("a form without a subject answered %d:\n%s", resp.StatusCode, body)
	}
	form.Set("subject", "At the desk")
	resp, _ = c.post(t, "/tickets/new", form)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/tickets/") {
		t.Fatalf("opening answered %d, to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	again, _ := c.post(t, "/tickets/new", form)
	if again.Header.Get("Location") != resp.Header.Get("Location") {
		t.Errorf("the same form again went to %q, first %q", again.Header.Get("Location"), resp.Header.Get("Location"))
	}
	// Back at the form, changed: sending it again opens another.
	form.Set("subject", "At the desk again")
	resp, body = c.post(t, "/tickets/new", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "opened a ticket already") || strings.Contains(body, `value="k1"`) {
		t.Errorf("the form changed after it opened a ticket answered %d:\n%s", resp.StatusCode, body)
	}
	list, _, _ := ts.server.Tickets.FindTickets(sys, tend.TicketFilter{CustomerID: &bob.ID})
	if len(list) != 1 || list[0].Channel != tend.ChannelWalkIn {
		t.Fatalf("tickets of the customer found by address: %+v", list)
	}

	for _, bad := range []struct{ field, value, problem string }{
		{"channel", "fax", "channel-problem"},
		{"customer_id", "abc", "customer_id-problem"},
		{"customer_id", "9999", "customer_id-problem"},
	} {
		f := url.Values{"key": {"k-" + bad.value}, "email": {"bob@example.com"}, "channel": {"phone"}, "subject": {"s"}, "body": {"b"}}
		f.Set(bad.field, bad.value)
		resp, body := c.post(t, "/tickets/new", f)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="`+bad.problem+`"`) {
			t.Errorf("%s=%s answered %d without %s", bad.field, bad.value, resp.StatusCode, bad.problem)
		}
	}

	if got := c.get(t, "/customers/suggest?q=bob"); !strings.Contains(got, `"label":"Bob Stone \u003cbob@example.com\u003e"`) {
		t.Errorf("suggestions: %s", got)
	}
	anon, err := http.Get(ts.URL + "/customers/suggest?q=bob")
	if err != nil {
		t.Fatal(err)
	}
	anon.Body.Close()
	if anon.StatusCode != http.StatusUnauthorized {
		t.Errorf("suggestions without signing in: %d", anon.StatusCode)
	}
}

// formClient is a signed-in browser without a script: it reads pages and
// posts forms with their CSRF token.
type formClient struct {
	c    *http.Client
	base string
	csrf string
}

func (f formClient) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := f.c.Get(f.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
	}
	return string(b)
}

func (f formClient) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	form.Set("csrf", f.csrf)
	resp, err := f.c.PostForm(f.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The new ticket form offers the custom fields; a wrong value is shown
// beside its field with the form kept, and a right one is the ticket's.
func TestNewTicketFormFields(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	if _, err := ts.server.Fields.CreateField(system, &tend.FieldInput{Key: "seats", Label: "Seats", Type: tend.FieldNumber}); err != nil {
		t.Fatal(err)
	}
	hc, csrf := signInClient(t, ts)
	signIn(t, hc, ts, csrf, "agent@staff.example", "long enough password")
	c := formClient{hc, ts.URL, csrf}
	if page := c.get(t, "/tickets/new"); !strings.Contains(page, `name="fields.seats"`) {
		t.Fatalf("the form lacks the seats field:\n%s", page)
	}
	form := url.Values{"key": {"k1"}, "email": {"sue@example.com"}, "name": {"Sue"}, "channel": {"phone"}, "subject": {"Seats"},
		"body": {"She needs more seats."}, "fields.seats": {"lots"}}
	resp, body := c.post(t, "/tickets/new", form)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="field-seats-problem"`) || !strings.Contains(body, `value="lots"`) {
		t.Fatalf("a wrong seats answered %d:\n%s", resp.StatusCode, body)
	}
	form.Set("fields.seats", "40")
	if resp, _ = c.post(t, "/tickets/new", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("opening answered %d", resp.StatusCode)
	}
	list, _, _ := ts.server.Tickets.FindTickets(system, tend.TicketFilter{Fields: map[string]string{"seats": "40"}})
	if len(list) != 1 || list[0].Subject != "Seats" {
		t.Errorf("tickets with 40 seats: %+v", list)
	}
}
