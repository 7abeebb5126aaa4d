package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// staffClient is a client signed in as the staff member of role, with the
// CSRF token its forms carry.
type staffClient struct {
	t    *testing.T
	ts   *testServer
	c    *http.Client
	csrf string
}

func newStaffClient(t *testing.T, ts *testServer, role tend.Role) *staffClient {
	t.Helper()
	c, csrf := signInClient(t, ts)
	if resp := signIn(t, c, ts, csrf, string(role)+"@staff.example", "long enough password"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", role, resp.StatusCode)
	}
	return &staffClient{t: t, ts: ts, c: c, csrf: csrf}
}

// get returns the status and body of a page.
func (sc *staffClient) get(path string) (int, string) {
	sc.t.Helper()
	resp, err := sc.c.Get(sc.ts.URL + path)
	if err != nil {
		sc.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// getRedirect returns the status of a page, where it redirects to, and
// its body.
func (sc *staffClient) getRedirect(path string) (int, string, string) {
	sc.t.Helper()
	resp, err := sc.c.Get(sc.ts.URL + path)
	if err != nil {
		sc.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// post sends a form with the CSRF token and returns the status, where it
// redirects to, and the body.
func (sc *staffClient) post(path string, form url.Values) (int, string, string) {
	sc.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", sc.csrf)
	}
	resp, err := sc.c.PostForm(sc.ts.URL+path, form)
	if err != nil {
		sc.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Fatalf("%s lacks %q:\n%s", what, w, body)
		}
	}
}

func TestCustomerPages(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	acme, err := ts.server.Organizations.CreateOrganization(sys, &tend.OrganizationCreate{Name: "Acme", Domains: []string{"acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	tk := mustCreateTicket(t, ts, "Printer <b>on fire</b>", "ann@acme.example")
	other := mustCreateTicket(t, ts, "Old laptop", "ann@home.example")
	ann, bob := tk.CustomerID, other.CustomerID
	sc := newStaffClient(t, ts, tend.RoleAgent)
	annURL := "/customers/" + strconv.FormatInt(ann, 10)

	status, body := sc.get("/customers?q=ANN@a")
	if status != http.StatusOK {
		t.Fatalf("list: %d", status)
	}
	mustContain(t, "the found customers", body, "ann@acme.example", `href="/organizations/`+strconv.FormatInt(acme.ID, 10)+`"`)
	if strings.Contains(body, "ann@home.example") {
		t.Errorf("a search for ann@a shows ann@home.example")
	}
	// Any word finds her, and the list links her open ticket.
	_, body = sc.get("/customers?q=acme")
	mustContain(t, "a search by domain", body, "ann@acme.example",
		`<a href="/tickets?customer_id=`+strconv.FormatInt(ann, 10)+`&amp;status=new&amp;status=open&amp;status=pending&amp;status=on_hold">1</a>`)

	status, body = sc.get(annURL)
	if status != http.StatusOK {
		t.Fatalf("profile: %d", status)
	}
	mustContain(t, "the profile", body, "Printer &lt;b&gt;on fire&lt;/b&gt;", `href="/tickets/`+strconv.FormatInt(tk.Number, 10)+`"`,
		`href="/tickets?customer_id=`+strconv.FormatInt(ann, 10)+`"`, "Acme")

	// A wrong address is shown beside its field, with everything typed kept.
	status, _, body = sc.post(annURL, url.Values{"name": {"Ann Lee"}, "emails": {"ann@acme.example\nnot-an-address"},
		"phone": {"+1 555 0100"}, "organization": {"Acme"}, "notes": {"Prefers mail."}})
	if status != http.StatusBadRequest {
		t.Fatalf("a wrong address: %d\n%s", status, body)
	}
	mustContain(t, "the refused form", body, `id="emails-problem"`, "not-an-address", `value="Ann Lee"`, "Prefers mail.", `value="&#43;1 555 0100"`)
	status, _, body = sc.post(annURL, url.Values{"name": {"Ann Lee"}, "emails": {"ann@acme.example"}, "organization": {"Nobody Inc"}})
	if status != http.StatusBadRequest {
		t.Fatalf("an unknown organization: %d", status)
	}
	mustContain(t, "the refused form", body, `id="organization-problem"`, "Nobody Inc")

	status, loc, _ := sc.post(annURL, url.Values{"name": {"Ann Lee"}, "emails": {"ann@acme.example, ann@work.example"},
		"phone": {"+1 555 0100"}, "organization": {"acme"}, "notes": {"Prefers mail."}})
	if status != http.StatusSeeOther || loc != annURL+"?done=saved" {
		t.Fatalf("saving: %d to %q", status, loc)
	}
	c, _ := ts.server.Customers.FindCustomerByID(sys, ann)
	if c.Name != "Ann Lee" || len(c.Emails) != 2 || c.Phone != "+1 555 0100" || c.Notes != "Prefers mail." {
		t.Fatalf("after saving: %+v", c)
	}

	// A form without its token changes nothing.
	status, _, _ = sc.post(annURL, url.Values{"csrf": {"forged"}, "name": {"Mallory"}, "emails": {"ann@acme.example"}})
	if c, _ := ts.server.Customers.FindCustomerByID(sys, ann); status != http.StatusForbidden || c.Name != "Ann Lee" {
		t.Fatalf("a forged form: %d, name %q", status, c.Name)
	}

	// An agent neither sees the merge box nor merges.
	if _, body := sc.get(annURL); strings.Contains(body, `id="merge-title"`) {
		t.Error("an agent's customer page offers to merge")
	}
	if status, _ := sc.get(annURL + "/merge?other=" + url.QueryEscape("ANN@home.example")); status != http.StatusForbidden {
		t.Errorf("an agent opens the merge confirmation: %d", status)
	}
	if status, _, _ := sc.post(annURL+"/merge", url.Values{"from_id": {strconv.FormatInt(bob, 10)}}); status != http.StatusForbidden {
		t.Errorf("an agent merges: %d", status)
	}
	if c, _ := ts.server.Customers.FindCustomerByID(sys, bob); c.MergedIntoID != nil {
		t.Fatal("an agent's refused merge merged")
	}
	sc = newStaffClient(t, ts, tend.RoleLead)

	// Merging: the other customer is found by address, the page says
	// what moves, and only the post merges.
	_, body = sc.get(annURL + "/merge?other=" + url.QueryEscape("ANN@home.example"))
	mustContain(t, "the confirmation", body, "1 ticket", "ann@home.example", `name="from_id" value="`+strconv.FormatInt(bob, 10)+`"`)
	status, body = sc.get(annURL + "/merge?other=" + strconv.FormatInt(ann, 10))
	if status != http.StatusBadRequest || !strings.Contains(body, `id="other-problem"`) {
		t.Fatalf("merging a customer into themselves: %d\n%s", status, body)
	}
	status, body = sc.get(annURL + "/merge?other=nobody@example.com")
	if status != http.StatusNotFound || !strings.Contains(body, "No customer has the address nobody@example.com") {
		t.Fatalf("merging nobody: %d", status)
	}
	status, loc, _ = sc.post(annURL+"/merge", url.Values{"from_id": {strconv.FormatInt(bob, 10)}})
	if status != http.StatusSeeOther || loc != annURL+"?done=merged" {
		t.Fatalf("merging: %d to %q", status, loc)
	}
	_, body = sc.get(annURL + "?done=merged")
	mustContain(t, "the survivor", body, "Old laptop", "Printer &lt;b&gt;on fire&lt;/b&gt;", "ann@home.example", `class="notice"`)
	// The merged customer's page leads to the survivor's.
	status, loc, _ = sc.getRedirect("/customers/" + strconv.FormatInt(bob, 10))
	if status != http.StatusSeeOther || loc != annURL+"?merged="+strconv.FormatInt(bob, 10) {
		t.Fatalf("the merged customer's page: %d to %q", status, loc)
	}
	status, _, body = sc.post(annURL+"/merge", url.Values{"from_id": {strconv.FormatInt(bob, 10)}})
	if status != http.StatusConflict || !strings.Contains(body, "merged into customer") {
		t.Fatalf("merging again: %d\n%s", status, body)
	}

	// Adding a customer from the web.
	status, loc, _ = sc.post("/customers", url.Values{"name": {"Cy"}, "emails": {"cy@acme.example"}})
	if status != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=created") {
		t.Fatalf("adding: %d to %q", status, loc)
	}
	_, body = sc.get(strings.TrimSuffix(loc, "?done=created"))
	mustContain(t, "the new customer", body, "cy@acme.example", "Acme")
}

func TestOrganizationPages(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	acme, err := ts.server.Organizations.CreateOrganization(sys, &tend.OrganizationCreate{Name: "Acme", Domains: []string{"acme.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.server.Organizations.CreateOrganization(sys, &tend.OrganizationCreate{Name: "Globex"}); err != nil {
		t.Fatal(err)
	}
	tk := mustCreateTicket(t, ts, "Broken anvil", "wile@acme.example")
	sc := newStaffClient(t, ts, tend.RoleAgent)
	orgURL := "/organizations/" + strconv.FormatInt(acme.ID, 10)

	_, body := sc.get("/organizations?q=acm")
	mustContain(t, "the found organizations", body, "Acme", "acme.example")
	if strings.Contains(body, "Globex") {
		t.Errorf("a search for acm shows Globex")
	}
	_, body = sc.get(orgURL)
	mustContain(t, "the organization", body, "wile@acme.example", "Broken anvil", `href="/tickets/`+strconv.FormatInt(tk.Number, 10)+`"`,
		`href="/tickets?organization_id=`+strconv.FormatInt(acme.ID, 10)+`"`)

	status, _, body := sc.post(orgURL, url.Values{"name": {"Globex"}, "domains": {"acme.example"}, "tier": {"priority"}})
	if status != http.StatusConflict {
		t.Fatalf("a taken name: %d", status)
	}
	mustContain(t, "the refused form", body, `id="name-problem"`, `value="Globex"`)
	status, _, body = sc.post(orgURL, url.Values{"name": {"Acme"}, "domains": {"not a domain"}, "tier": {"priority"}})
	if status != http.StatusBadRequest {
		t.Fatalf("a wrong domain: %d", status)
	}
	mustContain(t, "the refused form", body, `id="domains-problem"`)

	status, loc, _ := sc.post(orgURL, url.Values{"name": {"Acme Corp"}, "domains": {"acme.example\nacme.test"}, "tier": {"priority"},
		"notes": {"Pays on time."}})
	if status != http.StatusSeeOther || loc != orgURL+"?done=saved" {
		t.Fatalf("saving: %d to %q", status, loc)
	}
	o, _ := ts.server.Organizations.FindOrganizationByID(sys, acme.ID)
	if o.Name != "Acme Corp" || o.Tier != tend.TierPriority || len(o.Domains) != 2 || o.Notes != "Pays on time." {
		t.Fatalf("after saving: %+v", o)
	}
	_, body = sc.get("/customers?organization=" + strconv.FormatInt(acme.ID, 10))
	mustContain(t, "its customers", body, "Customers of Acme Corp", "wile@acme.example")
	if status, _ := sc.get("/organizations/999"); status != http.StatusNotFound {
		t.Fatalf("an unknown organization: %d", status)
	}
}

func mustCreateTicket(t *testing.T, ts *testServer, subject, email string) *tend.Ticket {
	t.Helper()
	tk, err := ts.server.Tickets.CreateTicket(tend.SystemContext(context.Background()),
		&tend.TicketCreate{Subject: subject, Customer: tend.CustomerRef{Email: email}, Body: "Hello."})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// Pages tell time by the database's clock, as the services do: moving it
// moves "how long ago" with it.
func TestPagesTellTimeByTheDatabaseClock(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ts := newTestServer(t, db)
	ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": "Old news",
		"customer": map[string]string{"email": "o@example.com"}, "body": "Hello."}).want(t, http.StatusCreated)
	sc := newStaffClient(t, ts, tend.RoleAgent)
	later := time.Now().Add(3*time.Hour + time.Minute)
	db.Now = func() time.Time { return later }
	_, body := sc.get("/tickets/1000")
	mustContain(t, "the ticket page three hours on", body, "3 hours ago")
}

// A ticket that mail to a closed one opened says which it follows up, and
// its subject does not carry the closed one's number.
func TestFollowUpSaysWhatItFollows(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	mb, err := ts.server.Mailboxes.CreateMailbox(system, &tend.MailboxCreate{Address: "help@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	receive := func(raw string) *tend.InboundRecord {
		rec, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, []string{mb.Address}, []byte(raw))
		if err != nil || rec.TicketID == nil {
			t.Fatalf("receive: %v %+v", err, rec)
		}
		return rec
	}
	first := receive("From: mia@example.com\r\nTo: help@acme.example\r\nSubject: My Hub\r\nMessage-ID: <f1@example.com>\r\n\r\nIt blinks.\r\n")
	closed := tend.StatusClosed
	for _, st := range []tend.Status{tend.StatusSolved, closed} {
		if _, err := ts.tickets.UpdateTicket(system, *first.TicketID, &tend.TicketUpdate{Status: &st}); err != nil {
			t.Fatal(err)
		}
	}
	again := receive("From: mia@example.com\r\nTo: help@acme.example\r\nSubject: Re: My Hub [#1000]\r\nMessage-ID: <f2@example.com>\r\n\r\nIt blinks again.\r\n")
	tk, err := ts.tickets.FindTicketByID(system, *again.TicketID)
	if err != nil || tk.Number == 1000 || tk.Subject != "My Hub" {
		t.Fatalf("the follow-up = %+v, %v; want a new ticket named My Hub", tk, err)
	}
	sc := newStaffClient(t, ts, tend.RoleAgent)
	_, body := sc.get("/tickets/" + strconv.FormatInt(tk.Number, 10))
	mustContain(t, "the follow-up's page", body, `follows up <a href="/tickets/1000">#1000</a>`)
}
