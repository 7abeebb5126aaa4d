package web_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// pageWords is a page's text without its tags and with its spaces folded,
// as a reader reads it.
func pageWords(page string) string {
	return strings.Join(strings.Fields(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " ")), " ")
}

// The ticket page words each target's deadline from the server's clock,
// at risk and breached said so; the history says what the timers
// recorded; the list shows the next deadline, sorts by it, and the At
// risk view holds the agent's and their teams' tickets past 75% of a
// target, with its count.
func TestServiceLevelsOnPages(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	clock := sqldbtest.NewClock(db)
	ts := newTestServer(t, db)
	agent := ts.agents[tend.RoleAgent]
	mine := newTicket(t, ts, "Printer on fire", "ida@customer.example", "Smoke.")
	if _, err := ts.tickets.UpdateTicket(system, mine.ID, &tend.TicketUpdate{OwnerID: &agent.ID}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(5 * time.Hour)
	later := newTicket(t, ts, "Toner low", "jo@customer.example", "Running out.")
	if _, err := ts.tickets.UpdateTicket(system, later.ID, &tend.TicketUpdate{OwnerID: &agent.ID}); err != nil {
		t.Fatal(err)
	}
	others := newTicket(t, ts, "Not mine", "kim@customer.example", "Hello")
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "agent@staff.example", "long enough password")
	get := func(path string) string {
		t.Helper()
		status, body := fetchPage(t, c, http.MethodGet, ts.URL+path, nil)
		if status != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, status, body)
		}
		return pageWords(body)
	}
	want := func(page string, words ...string) {
		t.Helper()
		for _, w := range words {
			if !strings.Contains(page, w) {
				t.Errorf("the page does not say %q:\n%s", w, page)
			}
		}
	}
	page := get(fmt.Sprintf("/tickets/%d", mine.Number))
	want(page, "Service levels", "First response due in 19 h", "Resolution due in 4 days 19 h", "Under policy Default")
	if strings.Contains(page, "at risk") {
		t.Errorf("a ticket 5 hours old is at risk:\n%s", page)
	}
	want(get("/tickets?view=at-risk"), "At risk 0", "No tickets here.")

	clock.Advance(13*time.Hour + 10*time.Minute) // 18 h 10 min: past 75% of the first response's day
	page = get(fmt.Sprintf("/tickets/%d", mine.Number))
	want(page, "First response due in 5 h 50 min (at risk)")
	list := get("/tickets?view=at-risk")
	want(list, "At risk 1", "Printer on fire", "First response ! at risk, due in 5 h 50 min")
	for _, s := range []string{"Toner low", "Not mine"} {
		if strings.Contains(list, s) {
			t.Errorf("At risk lists %q:\n%s", s, list)
		}
	}

	clock.Advance(6 * time.Hour) // 24 h 10 min: breached 10 minutes ago, before any timer
	page = get(fmt.Sprintf("/tickets/%d?history=1", mine.Number))
	want(page, "First response breached 10 min ago")
	// A reply meets it late, and records the breach.
	ctx := tend.NewContextWithPrincipal(t.Context(), tend.Principal{AgentID: agent.ID, Role: agent.Role})
	if _, err := ts.tickets.AddMessage(ctx, mine.ID, &tend.MessageCreate{Kind: tend.KindReply, Body: "Sorry, on it"}); err != nil {
		t.Fatal(err)
	}
	page = get(fmt.Sprintf("/tickets/%d?history=1", mine.Number))
	want(page, "First response met 10 min late", "Tend recorded that the first response target was breached (it was due 09:00)")

	// The list, by the next deadline, soonest first and last.
	list = get("/tickets?status=new&status=open&sort=due_at")
	want(list, "Next deadline", "Toner low", "First response ! at risk, due in 4 h 50 min", "Resolution due in 3 days 23 h")
	order := func(page string, subjects ...string) {
		t.Helper()
		last := -1
		for _, s := range subjects {
			i := strings.Index(page, s)
			if i < last {
				t.Errorf("%q is not after the ones before it in %s", s, page)
			}
			last = i
		}
	}
	order(list, "Toner low", "Not mine", "Printer on fire")
	order(get("/tickets?status=new&status=open&sort=-due_at"), "Printer on fire", "Not mine", "Toner low")

	// The API takes the same filter and order.
	var res struct {
		Items []tend.Ticket `json:"items"`
	}
	ts.as(tend.RoleAgent, "GET", "/api/v1/tickets?at_risk=true&sort=due_at", nil).want(t, http.StatusOK).decode(t, &res)
	if len(res.Items) != 2 || res.Items[0].ID != later.ID || res.Items[1].ID != others.ID {
		t.Errorf("at risk by deadline: %+v", res.Items)
	}
	p := ts.as(tend.RoleAgent, "GET", "/api/v1/tickets?at_risk=maybe", nil).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "at_risk" {
		t.Errorf("at_risk=maybe: %+v", p)
	}
}
