package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// mailWithFile writes a mail from from with a line of text and one PDF of
// size bytes: over the test server's limit of 64 KB, it is quarantined.
func mailWithFile(from string, size int) string {
	return "From: " + from + "\r\nTo: help@matrix.example\r\nSubject: The scan\r\nMessage-ID: <scan." + from + ">\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nHere is the scan of my invoice.\r\n--b\r\nContent-Type: application/pdf; name=scan.pdf\r\n" +
		"Content-Disposition: attachment; filename=scan.pdf\r\n\r\n" + strings.Repeat("%PDF scan data\r\n", size/16+1) + "--b--\r\n"
}

// quarantine sets up a mailbox and quarantines a mail whose file is too
// large; it returns the record and the mail as sent.
func quarantine(t *testing.T, ts *testServer) (*tend.InboundRecord, string) {
	t.Helper()
	mb, err := ts.server.Mailboxes.CreateMailbox(tend.SystemContext(context.Background()), &tend.MailboxCreate{Address: "help@matrix.example"})
	if err != nil {
		t.Fatal(err)
	}
	raw := mailWithFile("zoe@example.org", 70<<10)
	rec, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, nil, []byte(raw))
	if err != nil || rec.Outcome != tend.OutcomeFailed {
		t.Fatalf("quarantine a mail: %+v, %v", rec, err)
	}
	return rec, raw
}

// checkEML fails unless resp is raw, as a file to save.
func checkEML(t *testing.T, id int64, header http.Header, body []byte, raw string) {
	t.Helper()
	if !bytes.Equal(body, []byte(raw)) {
		t.Errorf("the download is %d bytes, not the %d received", len(body), len(raw))
	}
	want := map[string]string{"Content-Type": "message/rfc822", "X-Content-Type-Options": "nosniff",
		"Content-Disposition": fmt.Sprintf(`attachment; filename="inbound-%d.eml"`, id)}
	for k, v := range want {
		if got := header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if csp := header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy: %q", csp)
	}
}

// Admins download any mail received exactly as it arrived; no one else.
func TestAPIInboundRaw(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		rec, raw := quarantine(t, ts)
		path := fmt.Sprintf("/api/v1/mail/inbound/%d/raw", rec.ID)
		resp := ts.as(tend.RoleAdmin, "GET", path, nil).want(t, http.StatusOK)
		checkEML(t, rec.ID, resp.Header, resp.body, raw)

		if p := ts.as(tend.RoleAgent, "GET", path, nil).want(t, http.StatusForbidden).problem(t); p.Code != tend.EFORBIDDEN {
			t.Fatalf("an agent: %+v", p)
		}
		ts.as(tend.RoleAdmin, "GET", fmt.Sprintf("/api/v1/mail/inbound/%d/raw", rec.ID+100), nil).want(t, http.StatusNotFound)
		ts.as(tend.RoleAdmin, "GET", "/api/v1/mail/inbound/x/raw", nil).want(t, http.StatusNotFound)
	})
}

// An admin makes a ticket of a quarantined mail: its file is left out and
// named, and a second try is a conflict that says so.
func TestAPIInboundTicket(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ts := newTestServer(t, db)
		rec, _ := quarantine(t, ts)
		path := fmt.Sprintf("/api/v1/mail/inbound/%d/ticket", rec.ID)
		ts.as(tend.RoleManager, "POST", path, nil).want(t, http.StatusForbidden)
		if ts.countTickets() != 0 {
			t.Fatal("a manager's refused take made a ticket")
		}

		var taken tend.InboundRecord
		ts.as(tend.RoleAdmin, "POST", path, nil).want(t, http.StatusOK).decode(t, &taken)
		if taken.ID != rec.ID || taken.Outcome != tend.OutcomeCreated || taken.TicketID == nil {
			t.Fatalf("taken: %+v", taken)
		}
		var tk tend.Ticket
		ts.as(tend.RoleAdmin, "GET", fmt.Sprintf("/api/v1/tickets/%d", *taken.TicketID), nil).want(t, http.StatusOK).decode(t, &tk)
		if body := tk.Messages[0].Body; !strings.Contains(body, "Here is the scan of my invoice.") || !strings.Contains(body, "scan.pdf") {
			t.Fatalf("the ticket's mail reads %q", body)
		}

		p := ts.as(tend.RoleAdmin, "POST", path, nil).want(t, http.StatusConflict).problem(t)
		if !strings.Contains(p.Detail, "no longer in quarantine") {
			t.Fatalf("taking it twice: %+v", p)
		}
		if ts.countTickets() != 1 {
			t.Fatalf("%d tickets after two takes", ts.countTickets())
		}
	})
}

// The settings page counts the quarantine; the mail page explains each
// mail, downloads it and makes a ticket of it, once.
func TestQuarantinePages(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	rec, raw := quarantine(t, ts)
	id := strID(rec.ID)

	lead, csrf := signInClient(t, ts)
	signIn(t, lead, ts, csrf, "lead@staff.example", "long enough password")
	if status, page := fetchPage(t, lead, "GET", ts.URL+"/settings/mail/inbound/"+id+"/raw", nil); status != http.StatusForbidden ||
		strings.Contains(page, "scan data") {
		t.Fatalf("a lead downloading: %d", status)
	}
	if status, _ := fetchPage(t, lead, "POST", ts.URL+"/settings/mail/inbound/"+id+"/ticket", url.Values{"csrf": {csrf}}); status != http.StatusForbidden {
		t.Fatalf("a lead making a ticket: %d", status)
	}

	admin, csrf := signInClient(t, ts)
	signIn(t, admin, ts, csrf, "admin@staff.example", "long enough password")
	if _, page := fetchPage(t, admin, "GET", ts.URL+"/settings", nil); !strings.Contains(page, `<a href="/settings/mail#quarantine">1 mail in quarantine</a>`) {
		t.Fatalf("the settings page does not count the quarantine:\n%s", page)
	}
	_, page := fetchPage(t, admin, "GET", ts.URL+"/settings/mail", nil)
	for _, want := range []string{"scan.pdf is 70.0 KB", "A file in it is over the size limit", `href="/settings/mail/inbound/` + id + `/raw"`,
		`action="/settings/mail/inbound/` + id + `/ticket"`, "Make a ticket"} {
		if !strings.Contains(page, want) {
			t.Errorf("the mail page lacks %q", want)
		}
	}
	resp, err := admin.Get(ts.URL + "/settings/mail/inbound/" + id + "/raw")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	resp.Body.Close()
	checkEML(t, rec.ID, resp.Header, body.Bytes(), raw)

	if status, _ := fetchPage(t, admin, "POST", ts.URL+"/settings/mail/inbound/"+id+"/ticket", url.Values{}); status != http.StatusForbidden ||
		ts.countTickets() != 0 {
		t.Fatalf("a form without its CSRF token: %d, %d tickets", status, ts.countTickets())
	}
	resp, err = admin.PostForm(ts.URL+"/settings/mail/inbound/"+id+"/ticket", url.Values{"csrf": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sys := tend.SystemContext(context.Background())
	taken, err := ts.server.Inbound.FindInboundByID(sys, rec.ID)
	if err != nil || taken.Outcome != tend.OutcomeCreated {
		t.Fatalf("after making a ticket: %+v, %v", taken, err)
	}
	tk, err := ts.tickets.FindTicketByID(sys, *taken.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	number := strID(tk.Number)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tickets/"+number {
		t.Fatalf("making a ticket: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	status, page := fetchPage(t, admin, "POST", ts.URL+"/settings/mail/inbound/"+id+"/ticket", url.Values{"csrf": {csrf}})
	if status != http.StatusConflict || !strings.Contains(page, "This mail is no longer in quarantine: it is in ticket #"+number+".") ||
		!strings.Contains(page, `<a href="/tickets/`+number+`">`) || ts.countTickets() != 1 {
		t.Fatalf("the second click: %d, %d tickets\n%s", status, ts.countTickets(), page)
	}
	if _, page := fetchPage(t, admin, "GET", ts.URL+"/settings", nil); strings.Contains(page, "in quarantine") {
		t.Fatalf("an empty quarantine is counted:\n%s", page)
	}
	resp, err = admin.Get(ts.URL + "/settings/mail/inbound/" + id + "/ticket")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/settings/mail" {
		t.Fatalf("GET at the form's address: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}
