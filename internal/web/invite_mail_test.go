package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

var inviteToken = regexp.MustCompile(`/invite\?token=([A-Za-z0-9_-]+)`)

// The invite form offers to mail the link, ticked once there is a mailbox
// to send from. Ticked, the page says where the link is mailed and still
// shows it; the mail is queued with the link the page shows. Without a
// mailbox the page says why nothing was mailed. "New link" can mail too.
func TestInvitationFormMailsTheLink(t *testing.T) {
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	sc := newStaffClient(t, ts, tend.RoleAdmin)
	invite := func(name string, mail bool) (int, string) {
		t.Helper()
		form := url.Values{"csrf": {sc.csrf}, "name": {name}, "email": {strings.ToLower(name) + "@staff.example"}, "role": {"agent"}}
		if mail {
			form.Set("mail", "1")
		}
		return fetchPage(t, sc.c, http.MethodPost, ts.URL+"/settings/agents", form)
	}
	box := regexp.MustCompile(`<input type="checkbox" id="invite-mail" name="mail" value="1"( checked)?>`)

	_, body := sc.get("/settings/agents")
	if m := box.FindStringSubmatch(body); m == nil || m[1] != "" || !strings.Contains(body, "no mailbox to send it from yet") {
		t.Fatalf("without a mailbox the box is not offered unticked:\n%s", body)
	}
	status, body := invite("Ola", true)
	if status != http.StatusOK || !strings.Contains(body, `id="invite-not-mailed"`) || !strings.Contains(body, "no mailbox to send it from") ||
		!inviteToken.MatchString(body) || ts.jobs.count("invitation_mail") != 0 {
		t.Fatalf("ticked without a mailbox: %d, %d jobs\n%s", status, ts.jobs.count("invitation_mail"), body)
	}

	if _, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "help@acme.example", Name: "Acme Help"}); err != nil {
		t.Fatal(err)
	}
	_, body = sc.get("/settings/agents")
	if m := box.FindStringSubmatch(body); m == nil || m[1] != " checked" {
		t.Fatalf("with a mailbox the box is not ticked:\n%s", body)
	}

	status, body = invite("Nia", true)
	m := inviteToken.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil || !strings.Contains(body, "Mailed to nia@staff.example.") {
		t.Fatalf("inviting with the box ticked: %d\n%s", status, body)
	}
	if n := ts.jobs.count("invitation_mail"); n != 1 {
		t.Fatalf("%d invitation mails queued, want 1", n)
	}
	// What is queued is the link the page shows.
	hash := sha256.Sum256([]byte(m[1]))
	o, err := ts.server.Agents.(*sqldb.AgentService).FindInvitationMail(sys, hex.EncodeToString(hash[:]), "")
	if err != nil || o.To.Email != "nia@staff.example" || !strings.Contains(o.Text, ts.URL+"/invite?token="+m[1]) {
		t.Fatalf("the queued mail: %+v, %v", o, err)
	}

	status, body = invite("Pia", false)
	if status != http.StatusOK || strings.Contains(body, "Mailed to") || strings.Contains(body, "invite-not-mailed") ||
		ts.jobs.count("invitation_mail") != 1 {
		t.Fatalf("inviting with the box unticked: %d, %d jobs\n%s", status, ts.jobs.count("invitation_mail"), body)
	}

	// A new link for Pia, mailed this time.
	found, _, err := ts.server.Agents.FindAgents(sys, tend.AgentFilter{Email: "pia@staff.example"})
	if err != nil || len(found) != 1 {
		t.Fatalf("%v, %v", found, err)
	}
	if !strings.Contains(body, `name="mail" value="1" checked> E-mail the link to them<span class="visually-hidden"> (Pia)</span>`) {
		t.Errorf("the New link form offers no ticked mail box:\n%s", body)
	}
	status, body = fetchPage(t, sc.c, http.MethodPost, ts.URL+"/settings/agents/"+strID(found[0].ID)+"/invitation",
		url.Values{"csrf": {sc.csrf}, "mail": {"1"}})
	if status != http.StatusOK || !strings.Contains(body, "Mailed to pia@staff.example.") || !inviteToken.MatchString(body) ||
		ts.jobs.count("invitation_mail") != 2 {
		t.Fatalf("a new link, mailed: %d, %d jobs\n%s", status, ts.jobs.count("invitation_mail"), body)
	}

	// The answer reloaded sends its form again, key and all: it makes no
	// other link, so the one just mailed still works.
	again := url.Values{"csrf": {sc.csrf}, "mail": {"1"}, "key": {"page-key-7"}}
	_, body = fetchPage(t, sc.c, http.MethodPost, ts.URL+"/settings/agents/"+strID(found[0].ID)+"/invitation", again)
	mailed := inviteToken.FindStringSubmatch(body)
	if mailed == nil {
		t.Fatalf("a new link with a key:\n%s", body)
	}
	status, body = fetchPage(t, sc.c, http.MethodPost, ts.URL+"/settings/agents/"+strID(found[0].ID)+"/invitation", again)
	if status != http.StatusOK || !strings.Contains(body, "This form made Pia") || inviteToken.MatchString(body) || ts.jobs.count("invitation_mail") != 3 {
		t.Fatalf("the same form again: %d, %d jobs\n%s", status, ts.jobs.count("invitation_mail"), body)
	}
	if _, err := ts.server.Agents.CheckInvitation(context.Background(), mailed[1]); err != nil {
		t.Errorf("the mailed link after the form came again: %v", err)
	}
	// Nor does the invitation form sent twice.
	form := url.Values{"csrf": {sc.csrf}, "name": {"Ria"}, "email": {"ria@staff.example"}, "role": {"agent"}, "key": {"page-key-8"}}
	fetchPage(t, sc.c, http.MethodPost, ts.URL+"/settings/agents", form)
	if status, body = fetchPage(t, sc.c, http.MethodPost, ts.URL+"/settings/agents", form); status != http.StatusOK || !strings.Contains(body, "This form made Ria") {
		t.Errorf("the invitation form again: %d\n%s", status, body)
	}
}
