package web_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

func TestTicketLifecycleOverHTTP(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		const agent = tend.RoleAgent

		resp := ts.as(agent, "POST", "/api/v1/tickets", map[string]any{
			"subject":  "Charged twice for order 5521",
			"customer": map[string]string{"email": "Mia@Example.com", "name": "Mia Lind"},
			"body":     "My card shows two charges of 49.00 for one order.",
			"priority": "high", "channel": "email", "tags": []string{"billing", "Double Charge"},
			"attachments": []map[string]string{{"name": "statement.txt", "data": base64.StdEncoding.EncodeToString([]byte("49.00\n49.00\n"))}},
		}).want(t, http.StatusCreated)
		var tk tend.Ticket
		resp.decode(t, &tk)
		if tk.Number != 1000 || tk.Status != tend.StatusNew || tk.Channel != tend.ChannelEmail || len(tk.Tags) != 2 {
			t.Fatalf("created %+v", tk)
		}
		if loc := resp.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/tickets/%d", tk.ID) {
			t.Errorf("Location = %q", loc)
		}
		path := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)

		// The attachment is served to staff, as a download unless it is a
		// harmless type.
		att := tk.Messages[0].Attachments[0]
		file := ts.as(agent, "GET", fmt.Sprintf("/api/v1/attachments/%d", att.ID), nil).want(t, http.StatusOK)
		if string(file.body) != "49.00\n49.00\n" || !strings.HasPrefix(file.Header.Get("Content-Disposition"), "inline") {
			t.Errorf("attachment: %q, %q", file.body, file.Header.Get("Content-Disposition"))
		}
		ts.request("GET", fmt.Sprintf("/api/v1/attachments/%d", att.ID), "", nil).want(t, http.StatusUnauthorized)

		// Reply and set pending in one step; the ticket moves on.
		ts.as(agent, "POST", path+"/messages", map[string]any{"body": "Refunded one charge.", "status": "pending"}).want(t, http.StatusCreated)
		got := ts.as(agent, "GET", path, nil).want(t, http.StatusOK)
		got.decode(t, &tk)
		if tk.Status != tend.StatusPending || len(tk.Messages) != 2 || *tk.OwnerID != ts.agents[agent].ID || tk.FirstRespondedAt == nil {
			t.Fatalf("after reply: %+v", tk)
		}
		if got.Header.Get("ETag") != fmt.Sprintf(`"%d"`, tk.Version) {
			t.Errorf("ETag %q for version %d", got.Header.Get("ETag"), tk.Version)
		}

		// Change with If-Match; the old ETag is then stale.
		old := got.Header.Get("ETag")
		ts.as(agent, "PATCH", path, map[string]any{"priority": "urgent", "team_id": nil, "add_tags": []string{"refund"}}, "If-Match", old).want(t, http.StatusOK)
		p := ts.as(agent, "PATCH", path, map[string]any{"priority": "low"}, "If-Match", old).want(t, http.StatusConflict).problem(t)
		if p.Code != tend.ESTALE || !strings.Contains(p.Detail, "reload") {
			t.Errorf("stale update: %+v", p)
		}

		var events struct {
			Items []tend.Event `json:"items"`
		}
		ts.as(agent, "GET", path+"/events", nil).want(t, http.StatusOK).decode(t, &events)
		var kinds []string
		for _, e := range events.Items {
			kinds = append(kinds, string(e.Kind))
		}
		if strings.Join(kinds, ",") != "created,message_added,status_changed,owner_changed,priority_changed,tags_changed" {
			t.Errorf("events = %v", kinds)
		}

		// Lists and search find it; the customer's other address case
		// finds the same customer.
		var list struct {
			Items      []tend.Ticket `json:"items"`
			NextCursor *string       `json:"next_cursor"`
		}
		ts.as(agent, "GET", "/api/v1/tickets?status=pending,open&priority=urgent&tag=refund", nil).want(t, http.StatusOK).decode(t, &list)
		if len(list.Items) != 1 || list.NextCursor != nil {
			t.Fatalf("filtered list = %+v", list)
		}
		var hits struct {
			Items []tend.SearchHit `json:"items"`
		}
		ts.as(agent, "GET", "/api/v1/search?q=charges+card", nil).want(t, http.StatusOK).decode(t, &hits)
		if len(hits.Items) != 1 || hits.Items[0].Ticket.ID != tk.ID || !strings.Contains(hits.Items[0].SnippetHTML, "<mark>") {
			t.Fatalf("search = %+v", hits)
		}
		var custs struct {
			Items []tend.Customer `json:"items"`
		}
		ts.as(agent, "GET", "/api/v1/customers?email=MIA@example.com", nil).want(t, http.StatusOK).decode(t, &custs)
		if len(custs.Items) != 1 || custs.Items[0].Name != "Mia Lind" {
			t.Fatalf("customers = %+v", custs)
		}
	})
}

func TestListPagination(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		for i := range 7 {
			ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": fmt.Sprint("T", i),
				"customer": map[string]string{"email": "p@example.com"}, "body": "b"}).want(t, http.StatusCreated)
		}
		seen := map[int64]bool{}
		url := "/api/v1/tickets?limit=3&sort=-created_at"
		var last int64 = 1 << 62
		for pages := 0; ; pages++ {
			var page struct {
				Items      []tend.Ticket `json:"items"`
				NextCursor *string       `json:"next_cursor"`
			}
			ts.as(tend.RoleAgent, "GET", url, nil).want(t, http.StatusOK).decode(t, &page)
			for _, tk := range page.Items {
				if seen[tk.ID] || tk.ID >= last {
					t.Fatalf("ticket %d out of order or repeated", tk.ID)
				}
				seen[tk.ID], last = true, tk.ID
			}
			if page.NextCursor == nil {
				break
			}
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			url = "/api/v1/tickets?limit=3&sort=-created_at&cursor=" + *page.NextCursor
		}
		if len(seen) != 7 {
			t.Fatalf("saw %d tickets over all pages, want 7", len(seen))
		}
	})
}

// The API sorts by priority, most urgent first, paging by cursor; a
// cursor of another order is refused.
func TestListSortedByPriority(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		for i, p := range []string{"low", "urgent", "normal", "high", "urgent", "low", "normal"} {
			ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": fmt.Sprint("T", i), "priority": p,
				"customer": map[string]string{"email": "p@example.com"}, "body": "b"}).want(t, http.StatusCreated)
		}
		var got []string
		url := "/api/v1/tickets?limit=2&sort=-priority"
		for pages := 0; pages < 6; pages++ {
			var page struct {
				Items      []tend.Ticket `json:"items"`
				NextCursor *string       `json:"next_cursor"`
			}
			ts.as(tend.RoleAgent, "GET", url, nil).want(t, http.StatusOK).decode(t, &page)
			for _, tk := range page.Items {
				got = append(got, string(tk.Priority)+" "+tk.Subject)
			}
			if page.NextCursor == nil {
				break
			}
			url = "/api/v1/tickets?limit=2&sort=-priority&cursor=" + *page.NextCursor
			if pages == 0 {
				ts.as(tend.RoleAgent, "GET", "/api/v1/tickets?cursor="+*page.NextCursor, nil).want(t, http.StatusBadRequest)
			}
		}
		want := "urgent T4, urgent T1, high T3, normal T6, normal T2, low T5, low T0"
		if strings.Join(got, ", ") != want {
			t.Errorf("sorted by -priority:\n got %s\nwant %s", strings.Join(got, ", "), want)
		}
		ts.as(tend.RoleAgent, "GET", "/api/v1/tickets?sort=urgency", nil).want(t, http.StatusBadRequest)
	})
}

// Each kind of bad input gets a problem document whose detail says what
// to fix, and writes nothing.
func TestBadInput(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		ok := ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": "Base", "customer": map[string]string{"email": "b@example.com"}, "body": "b"}).want(t, http.StatusCreated)
		var base tend.Ticket
		ok.decode(t, &base)
		tpath := fmt.Sprintf("/api/v1/tickets/%d", base.ID)
		before := ts.countTickets()

		for _, tc := range []struct {
			name, method, path string
			body               any
			header             []string
			status             int
			detail             string // a part of the detail the user needs
			field              string // the field named in errors, if any
		}{
			{"malformed JSON", "POST", "/api/v1/tickets", `{"subject": "x",`, nil, 400, "not valid JSON", ""},
			{"not an object", "POST", "/api/v1/tickets", `["x"]`, nil, 400, "must be a JSON object", ""},
			{"empty body", "POST", "/api/v1/tickets", "", nil, 400, "empty", ""},
			{"unknown field", "POST", "/api/v1/tickets", `{"subject":"x","customer":{"email":"a@b.co"},"body":"b","urgency":"high"}`, nil, 400, `"urgency", in the body or an object within it; the body's own fields are: attachments, body`, ""},
			{"wrong type", "POST", "/api/v1/tickets", `{"subject":42,"customer":{"email":"a@b.co"},"body":"b"}`, nil, 400, "subject: must be a string, not a number", "subject"},
			{"wrong nested type", "POST", "/api/v1/tickets", `{"subject":"x","customer":{"email":["a@b.co"]},"body":"b"}`, nil, 400, "customer.email: must be a string", "customer.email"},
			{"missing fields", "POST", "/api/v1/tickets", `{}`, nil, 400, "subject: is required", "customer.email"},
			{"bad enum", "POST", "/api/v1/tickets", `{"subject":"x","customer":{"email":"a@b.co"},"body":"b","priority":"asap"}`, nil, 400, "priority: must be one of low, normal, high, urgent", "priority"},
			{"trailing data", "POST", "/api/v1/tickets", `{"subject":"x","customer":{"email":"a@b.co"},"body":"b"} {}`, nil, 400, "nothing after it", ""},
			{"oversized body", "POST", "/api/v1/tickets", `{"subject":"x","customer":{"email":"a@b.co"},"body":"` + strings.Repeat("a", 400<<10) + `"}`, nil, 413, "larger than the limit", ""},
			{"oversized attachment", "POST", "/api/v1/tickets", map[string]any{"subject": "x", "customer": map[string]string{"email": "a@b.co"}, "body": "b",
				"attachments": []map[string]any{{"name": "big.bin", "data": make([]byte, 70<<10)}}}, nil, 413, "big.bin is 70.0 KB; the limit is 64.0 KB", ""},
			{"not JSON", "POST", "/api/v1/tickets", "subject=x", []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "Content-Type: application/json", ""},
			{"unknown ticket", "GET", "/api/v1/tickets/987654", nil, nil, 404, "Ticket with id 987654 does not exist", ""},
			{"id that is not a number", "GET", "/api/v1/tickets/abc", nil, nil, 404, "not an id", ""},
			{"unknown endpoint", "GET", "/api/v1/tickkets", nil, nil, 404, "openapi.json", ""},
			{"wrong method", "DELETE", tpath, nil, nil, 405, "it takes GET, PATCH", ""},
			{"invalid transition", "PATCH", tpath, `{"status":"closed"}`, nil, 409, "is new, so it cannot become closed; it can become open, pending, on hold or solved", "status"},
			{"clearing the owner", "PATCH", tpath, `{"owner_id":null}`, nil, 400, "hand it over", "owner_id"},
			{"negative id", "PATCH", tpath, `{"team_id":-3}`, nil, 400, "team_id: must be a positive id or null", "team_id"},
			{"unknown team", "PATCH", tpath, `{"team_id":77}`, nil, 400, "team 77 does not exist", "team_id"},
			{"stale version", "PATCH", tpath, `{"priority":"low","version":99}`, nil, 409, "changed since version 99", ""},
			{"bad If-Match", "PATCH", tpath, `{"priority":"low"}`, []string{"If-Match", "yesterday"}, 400, "If-Match", ""},
			{"message on unknown ticket", "POST", "/api/v1/tickets/987654/messages", `{"body":"hi"}`, nil, 404, "does not exist", ""},
			{"bad message kind", "POST", tpath + "/messages", `{"body":"hi","kind":"memo"}`, nil, 400, "kind: must be reply or note", "kind"},
			{"bad filter", "GET", "/api/v1/tickets?status=done&owner_id=me&limit=0", nil, nil, 400, "owner_id: must be an id or none", "owner_id"},
			{"bad cursor", "GET", "/api/v1/tickets?cursor=zzz", nil, nil, 400, "pass next_cursor", "cursor"},
			{"misspelt filter", "GET", "/api/v1/tickets?statuss=open", nil, nil, 400, "statuss: is not a parameter of this endpoint; it reads at_risk, channel, cursor", "statuss"},
			{"search limit out of range", "GET", "/api/v1/search?q=card&limit=51", nil, nil, 400, "limit: must be between 1 and 50", "limit"},
			{"empty search", "GET", "/api/v1/search?q=%20", nil, nil, 400, "at least one word", "q"},
			{"duplicate customer address", "POST", "/api/v1/customers", `{"emails":["B@example.com"]}`, nil, 409, "b@example.com belongs to another customer", "emails"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := ts.as(tend.RoleAgent, tc.method, tc.path, tc.body, tc.header...).want(t, tc.status).problem(t)
				if !strings.Contains(p.Detail, tc.detail) {
					t.Errorf("detail %q does not say %q", p.Detail, tc.detail)
				}
				if tc.field != "" {
					found := false
					for _, e := range p.Errors {
						found = found || e.Field == tc.field
					}
					if !found {
						t.Errorf("errors %+v do not name %s", p.Errors, tc.field)
					}
				}
			})
		}
		if after := ts.countTickets(); after != before {
			t.Fatalf("bad requests created tickets: %d before, %d after", before, after)
		}
		var tk tend.Ticket
		ts.as(tend.RoleAgent, "GET", tpath, nil).want(t, http.StatusOK).decode(t, &tk)
		if tk.Version != base.Version || tk.Priority != base.Priority || len(tk.Messages) != 1 {
			t.Fatalf("bad requests changed the ticket: %+v", tk)
		}
	})
}

func TestDuplicateSubmission(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		body := map[string]any{"subject": "Once only", "customer": map[string]string{"email": "o@example.com"}, "body": "b"}
		var first, second tend.Ticket
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", body, "Idempotency-Key", "form-77").want(t, http.StatusCreated).decode(t, &first)
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", body, "Idempotency-Key", "form-77").want(t, http.StatusCreated).decode(t, &second)
		if first.ID != second.ID || ts.countTickets() != 1 {
			t.Fatalf("a repeated submission made tickets %d and %d", first.ID, second.ID)
		}
		body["subject"] = "Different"
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", body, "Idempotency-Key", "form-77").want(t, http.StatusConflict).problem(t)
	})
}

// Two agents change the same ticket from the same version: one succeeds,
// the other is told to reload; neither change is silently lost.
func TestConcurrentUpdatesOverHTTP(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		var tk tend.Ticket
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": "Race", "customer": map[string]string{"email": "r@example.com"}, "body": "b"}).
			want(t, http.StatusCreated).decode(t, &tk)
		path := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i, role := range []tend.Role{tend.RoleAgent, tend.RoleLead} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = ts.as(role, "PATCH", path, map[string]any{"subject": fmt.Sprint("Race by ", role), "version": tk.Version}).StatusCode
			}()
		}
		wg.Wait()
		if !(statuses[0] == 200 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 200) {
			t.Fatalf("statuses = %v, want one 200 and one 409", statuses)
		}
	})
}

func TestHealthAndMetrics(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		if r := ts.request("GET", "/healthz", "", nil).want(t, 200); string(r.body) != "ok\n" {
			t.Errorf("healthz = %q", r.body)
		}
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": "M", "customer": map[string]string{"email": "m@example.com"}, "body": "b", "channel": "phone"}).want(t, 201)
		ts.as(tend.RoleAgent, "GET", "/api/v1/tickets/1", nil)
		m := string(ts.request("GET", "/metrics", "", nil).want(t, 200).body)
		for _, want := range []string{
			`tend_http_request_duration_seconds_count{code="201",method="POST",route="POST /api/v1/tickets"} 1`,
			`route="GET /api/v1/tickets/{id}"`,
			`tend_tickets_created_total{channel="phone"} 1`,
		} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
		// Methods made up by the caller all count as one.
		for i := range 40 {
			ts.request(fmt.Sprintf("MADEUP%d", i), "/api/v1/tickets", "", nil)
			ts.request(fmt.Sprintf("BREW%d", i), "/nowhere", "", nil)
		}
		m = string(ts.request("GET", "/metrics", "", nil).want(t, 200).body)
		if strings.Contains(m, "MADEUP") || strings.Contains(m, "BREW") {
			t.Errorf("metrics carry made-up methods:\n%s", grepLines(m, "MADEUP", "BREW"))
		}
		if !strings.Contains(m, `method="other"`) {
			t.Errorf("made-up methods are not counted as other:\n%s", grepLines(m, "tend_http_request_duration_seconds_count"))
		}
		spec := ts.request("GET", "/api/v1/openapi.json", "", nil).want(t, 200)
		if !strings.Contains(string(spec.body), `"openapi"`) {
			t.Errorf("openapi.json = %.100s", spec.body)
		}
	})
}

// grepLines returns the lines of s that contain any of words.
func grepLines(s string, words ...string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		for _, w := range words {
			if strings.Contains(l, w) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}

// A reply sent with seen_message_id is refused with 409 when the customer
// wrote after that message, and the answer carries their new messages.
func TestAPIReplyHeldWhenTheCustomerWroteSince(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		var tk tend.Ticket
		ts.as(tend.RoleAgent, "POST", "/api/v1/tickets", map[string]any{"subject": "Parcel",
			"customer": map[string]string{"email": "pat@example.com"}, "body": "Where is it?"}).want(t, http.StatusCreated).decode(t, &tk)
		path := fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID)
		seen := tk.Messages[0].ID
		var later tend.Message
		ts.as(tend.RoleAgent, "POST", path, map[string]any{"body": "The box was wet, they say on the phone.", "from_customer": true}).
			want(t, http.StatusCreated).decode(t, &later)

		held := ts.as(tend.RoleAgent, "POST", path, map[string]any{"body": "It left today.", "seen_message_id": seen}).want(t, http.StatusConflict)
		if p := held.problem(t); p.Code != tend.ECONFLICT || !strings.Contains(p.Detail, "wrote again") {
			t.Errorf("problem = %+v", p)
		}
		var doc struct {
			NewMessages []tend.Message `json:"new_messages"`
		}
		held.decode(t, &doc)
		if len(doc.NewMessages) != 1 || doc.NewMessages[0].ID != later.ID {
			t.Errorf("new_messages = %+v, want message %d", doc.NewMessages, later.ID)
		}
		ts.as(tend.RoleAgent, "POST", path, map[string]any{"body": "It left today.", "seen_message_id": later.ID}).want(t, http.StatusCreated)
		// Optional: without it the reply is not held.
		ts.as(tend.RoleAgent, "POST", path, map[string]any{"body": "Tracking follows."}).want(t, http.StatusCreated)
		ts.as(tend.RoleAgent, "POST", path, map[string]any{"body": "x", "seen_message_id": "soon"}).want(t, http.StatusBadRequest)
	})
}

// Scripts know tickets by the number people write (#1001); the API by
// id. A number finds its ticket in the list, and an id that names no
// ticket says it was read as an id, so that a number given by mistake is
// told apart.
func TestAPIFindsATicketByNumber(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		newTicket(t, ts, "First", "ana@customer.example", "One.")
		second := newTicket(t, ts, "Second", "ben@customer.example", "Two.")

		var list struct{ Items []tend.Ticket }
		ts.as(tend.RoleAgent, "GET", fmt.Sprintf("/api/v1/tickets?number=%d", second.Number), nil).want(t, http.StatusOK).decode(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != second.ID {
			t.Fatalf("?number=%d lists %+v", second.Number, list.Items)
		}
		ts.as(tend.RoleAgent, "GET", fmt.Sprintf("/api/v1/tickets?number=%d&status=solved", second.Number), nil).want(t, http.StatusOK).decode(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("?number with another filter lists %+v", list.Items)
		}
		p := ts.as(tend.RoleAgent, "GET", "/api/v1/tickets?number=abc", nil).want(t, http.StatusBadRequest).problem(t)
		if len(p.Errors) != 1 || p.Errors[0].Field != "number" {
			t.Fatalf("?number=abc: %+v", p)
		}

		for _, op := range []struct{ method, path string }{
			{"GET", fmt.Sprintf("/api/v1/tickets/%d", second.Number)},
			{"PATCH", fmt.Sprintf("/api/v1/tickets/%d", second.Number)},
			{"POST", fmt.Sprintf("/api/v1/tickets/%d/messages", second.Number)},
			{"GET", fmt.Sprintf("/api/v1/tickets/%d/events", second.Number)},
		} {
			var body any
			switch op.method {
			case "PATCH":
				body = map[string]any{"priority": "high"}
			case "POST":
				body = map[string]any{"body": "Hello"}
			}
			p := ts.as(tend.RoleAgent, op.method, op.path, body).want(t, http.StatusNotFound).problem(t)
			if want := fmt.Sprintf("Ticket with id %d does not exist", second.Number); !strings.Contains(p.Detail, want) {
				t.Errorf("%s %s: %q, want it to say %q", op.method, op.path, p.Detail, want)
			}
		}
	})
}
