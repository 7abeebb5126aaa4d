package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// The macro pages and the composer's picker refuse what a person may not
// do or should not send, and write nothing when they do.
func TestMacroPagesRefuse(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	tk, err := ts.server.Tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Charged twice", Customer: tend.CustomerRef{Email: "mia@customer.example", Name: "Mia Wong"}, Body: "Twice!"})
	if err != nil {
		t.Fatal(err)
	}
	ticket := ts.URL + "/tickets/" + strconv.FormatInt(tk.Number, 10)
	agent, agentCSRF := signInClient(t, ts)
	signIn(t, agent, ts, agentCSRF, "agent@staff.example", "long enough password")
	lead, leadCSRF := signInClient(t, ts)
	signIn(t, lead, ts, leadCSRF, "lead@staff.example", "long enough password")

	form := url.Values{"csrf": {agentCSRF}, "name": {"Thanks"}, "body": {"Thanks, {{customer.first_name}}!"}, "scope": {"personal"}, "status": {"solved"}}
	if status, _ := fetchPage(t, agent, http.MethodPost, ts.URL+"/macros", form); status != http.StatusSeeOther {
		t.Fatalf("creating a macro = %d", status)
	}
	all := func() []*tend.Macro {
		list, err := ts.server.Macros.FindMacros(tend.NewContextWithPrincipal(context.Background(), tend.Principal{System: true}), tend.MacroFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	if n := len(all()); n != 1 {
		t.Fatalf("%d macros after one was created", n)
	}
	id := strconv.FormatInt(all()[0].ID, 10)

	refusals := []struct {
		name   string
		values url.Values
		status int
		says   string
	}{
		{"an unknown placeholder", url.Values{"name": {"Hi"}, "body": {"Hi {{customer.nickname}}"}, "scope": {"personal"}}, http.StatusBadRequest, "{{customer.nickname}}"},
		{"a status that is none", url.Values{"name": {"Hi"}, "body": {"Hi"}, "scope": {"personal"}, "status": {"asleep"}}, http.StatusBadRequest, "must be one of"},
		{"no name", url.Values{"body": {"Hi"}, "scope": {"personal"}}, http.StatusBadRequest, "name"},
		{"nothing to do", url.Values{"name": {"Empty"}, "scope": {"personal"}}, http.StatusBadRequest, "write a reply"},
		{"a shared macro by an agent", url.Values{"name": {"Hi"}, "body": {"Hi"}, "scope": {"shared"}}, http.StatusForbidden, ""},
		{"a team that is not a number", url.Values{"name": {"Hi"}, "body": {"Hi"}, "scope": {"team"}, "team_id": {"billing"}}, http.StatusBadRequest, "team"},
	}
	for _, r := range refusals {
		r.values.Set("csrf", agentCSRF)
		status, body := fetchPage(t, agent, http.MethodPost, ts.URL+"/macros", r.values)
		if status != r.status || !strings.Contains(body, r.says) || !strings.Contains(body, `name="name"`) {
			t.Errorf("%s: %d, want %d with the form saying %q", r.name, status, r.status, r.says)
		}
	}
	if n := len(all()); n != 1 {
		t.Errorf("refused forms left %d macros", n)
	}

	// A personal macro is its owner's alone.
	if status, _ := fetchPage(t, lead, http.MethodGet, ts.URL+"/macros/"+id, nil); status != http.StatusNotFound {
		t.Errorf("another agent opens the macro: %d", status)
	}
	if status, _ := fetchPage(t, lead, http.MethodPost, ts.URL+"/macros/"+id, url.Values{"csrf": {leadCSRF}, "name": {"Mine now"}, "body": {"x"}}); status != http.StatusNotFound {
		t.Errorf("another agent changes the macro: %d", status)
	}
	fetchPage(t, lead, http.MethodPost, ts.URL+"/macros/"+id+"/delete", url.Values{"csrf": {leadCSRF}})
	if list := all(); len(list) != 1 || list[0].Name != "Thanks" {
		t.Errorf("after another agent's attempts the macros are %+v", list)
	}
	status, body := fetchPage(t, lead, http.MethodPost, ticket+"/macro", url.Values{"csrf": {leadCSRF}, "macro_id": {id}})
	if status != http.StatusNotFound || strings.Contains(body, "Thanks,") {
		t.Errorf("another agent inserts the macro: %d %s", status, body)
	}
	if status, body := fetchPage(t, lead, http.MethodGet, ts.URL+"/macros/pick?q=thanks", nil); status != http.StatusOK || strings.TrimSpace(body) != "[]" {
		t.Errorf("another agent's picker: %d %s", status, body)
	}
	// Without the form's token nothing is inserted or counted.
	if status, _ := fetchPage(t, agent, http.MethodPost, ticket+"/macro", url.Values{"macro_id": {id}}); status != http.StatusForbidden {
		t.Errorf("insert without the token: %d", status)
	}
	if status, _ := fetchPage(t, agent, http.MethodPost, ticket+"/macro", url.Values{"csrf": {agentCSRF}, "macro_id": {"x"}}); status != http.StatusBadRequest {
		t.Errorf("insert of macro x: %d", status)
	}
	if n := all()[0].UsageCount; n != 0 {
		t.Errorf("refused inserts counted %d uses", n)
	}
	// The owner's insert fills the placeholders and counts one use.
	status, body = fetchPage(t, agent, http.MethodPost, ticket+"/macro", url.Values{"csrf": {agentCSRF}, "macro_id": {id}})
	if status != http.StatusOK || !strings.Contains(body, `"body":"Thanks, Mia!"`) || !strings.Contains(body, "sets status Solved") {
		t.Errorf("insert: %d %s", status, body)
	}

	// A reply naming a macro its author may not use is held, unsent.
	before, err := ts.server.Tickets.FindTicketByID(sys, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, macroID := range []string{id, "abc"} {
		reply := url.Values{"csrf": {leadCSRF}, "kind": {"reply"}, "body": {"Thanks, Mia!"}, "macro_id": {macroID}, "last_message_id": {strconv.FormatInt(before.Messages[len(before.Messages)-1].ID, 10)}}
		resp, err := lead.PostForm(ticket+"/messages", reply)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); !strings.Contains(loc, "held=") {
			t.Errorf("a reply with macro %s went to %q, want held", macroID, loc)
		}
	}
	after, err := ts.server.Tickets.FindTicketByID(sys, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Messages) != len(before.Messages) || after.Status != before.Status {
		t.Errorf("held replies wrote: %d messages (was %d), status %s", len(after.Messages), len(before.Messages), after.Status)
	}
}

// A reply written from a macro and held back because the customer wrote
// again keeps its macro: the page that shows it again names the macro,
// and sending from there applies its actions.
func TestHeldReplyKeepsItsMacro(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	tk, err := ts.server.Tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Charged twice", Customer: tend.CustomerRef{Email: "mia@customer.example", Name: "Mia Wong"}, Body: "Twice!"})
	if err != nil {
		t.Fatal(err)
	}
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "agent@staff.example", "long enough password")
	agent := ts.agents[tend.RoleAgent]
	pending := tend.StatusPending
	m, err := ts.server.Macros.CreateMacro(tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: agent.ID, Role: agent.Role}),
		&tend.MacroCreate{Name: "Asked for details", Body: "Could you send the receipt?", Actions: tend.MacroActions{Status: &pending}})
	if err != nil {
		t.Fatal(err)
	}
	seen := tk.Messages[len(tk.Messages)-1].ID
	if _, err := ts.server.Tickets.AddMessage(tend.NewContextWithPrincipal(context.Background(), tend.Principal{CustomerID: tk.CustomerID}), tk.ID,
		&tend.MessageCreate{Body: "Hello? Anyone?"}); err != nil {
		t.Fatal(err)
	}
	ticket := ts.URL + "/tickets/" + strconv.FormatInt(tk.Number, 10)
	reply := url.Values{"csrf": {csrf}, "kind": {"reply"}, "body": {"Could you send the receipt?"}, "macro_id": {strconv.FormatInt(m.ID, 10)},
		"last_message_id": {strconv.FormatInt(seen, 10)}, "idempotency_key": {"held-1"}}
	resp, err := c.PostForm(ticket+"/messages", reply)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if !strings.Contains(loc, "held=") {
		t.Fatalf("the reply went to %q, want held", loc)
	}
	status, page := fetchPage(t, c, http.MethodGet, ts.URL+loc, nil)
	if status != http.StatusConflict && status != http.StatusOK {
		t.Fatalf("the held page: %d", status)
	}
	mustContain(t, "the held page", page, `name="macro_id" value="`+strconv.FormatInt(m.ID, 10)+`"`, "Asked for details", "sets status Pending")
	now, _ := ts.server.Tickets.FindTicketByID(sys, tk.ID)
	reply.Set("last_message_id", strconv.FormatInt(now.Messages[len(now.Messages)-1].ID, 10))
	if resp, err = c.PostForm(ticket+"/messages", reply); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, _ := ts.server.Tickets.FindTicketByID(sys, tk.ID); got.Status != tend.StatusPending {
		t.Errorf("after sending from the held page the ticket is %s, want pending", got.Status)
	}
}

// A reply whose macro was deleted after it was inserted is held, and the
// page says so once, in words: sending again sends the text alone.
func TestHeldReplyOfADeletedMacro(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	tk, err := ts.server.Tickets.CreateTicket(sys, &tend.TicketCreate{Subject: "Charged twice", Customer: tend.CustomerRef{Email: "mia@customer.example", Name: "Mia Wong"}, Body: "Twice!"})
	if err != nil {
		t.Fatal(err)
	}
	c, csrf := signInClient(t, ts)
	signIn(t, c, ts, csrf, "agent@staff.example", "long enough password")
	agent := ts.agents[tend.RoleAgent]
	ctx := tend.NewContextWithPrincipal(context.Background(), tend.Principal{AgentID: agent.ID, Role: agent.Role})
	pending := tend.StatusPending
	m, err := ts.server.Macros.CreateMacro(ctx, &tend.MacroCreate{Name: "Asked for details", Body: "Could you send the receipt?", Actions: tend.MacroActions{Status: &pending}})
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.server.Macros.DeleteMacro(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	ticket := ts.URL + "/tickets/" + strconv.FormatInt(tk.Number, 10)
	macroID := strconv.FormatInt(m.ID, 10)
	reply := url.Values{"csrf": {csrf}, "kind": {"reply"}, "body": {"Could you send the receipt?"}, "macro_id": {macroID},
		"last_message_id": {strconv.FormatInt(tk.Messages[len(tk.Messages)-1].ID, 10)}, "idempotency_key": {"gone-1"}}
	resp, err := c.PostForm(ticket+"/messages", reply)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if !strings.Contains(loc, "held=") {
		t.Fatalf("the reply went to %q, want held", loc)
	}
	_, page := fetchPage(t, c, http.MethodGet, ts.URL+loc, nil)
	start := strings.Index(page, `id="composer-error"`)
	if start < 0 {
		t.Fatalf("the held page says nothing:\n%s", page)
	}
	notice := page[start : start+strings.Index(page[start:], "</p>")]
	if strings.Count(notice, "macro you inserted") != 1 || strings.Contains(notice, "does not exist") || strings.Contains(notice, macroID) {
		t.Errorf("the notice repeats itself or names the macro's id: %q", notice)
	}
	mustContain(t, "the notice", notice, "deleted", "nothing was sent", "your text without the macro")
	if strings.Contains(page, `name="macro_id" value="`+macroID+`"`) {
		t.Error("the held form still names the deleted macro")
	}
	// Sent again as the page has it, the reply goes without the macro.
	reply.Del("macro_id")
	reply.Set("held", loc[strings.Index(loc, "held=")+len("held="):])
	if resp, err = c.PostForm(ticket+"/messages", reply); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got, _ := ts.server.Tickets.FindTicketByID(sys, tk.ID)
	if len(got.Messages) != 2 || got.Status == tend.StatusPending {
		t.Errorf("sent again: %d messages, status %s; want the reply alone", len(got.Messages), got.Status)
	}
}
