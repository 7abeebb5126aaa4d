package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/jhillyerd/enmime/v2"
	"github.com/riverqueue/river"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/outbound"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// An admin invites an agent with the mail box ticked, as it is once there
// is a support address; the page says it was mailed. The invitation_mail
// job writes the mail to the outbox folder, and the invited agent follows
// the link in it, signed out, chooses a password and lands signed in.
func TestBrowserInvitationByMail(t *testing.T) {
	b := newBrowser(t)
	ts := newTestServer(t, sqldbtest.Open(t, sqldb.SQLite))
	sys := tend.SystemContext(context.Background())
	if _, err := ts.server.Mailboxes.CreateMailbox(sys, &tend.MailboxCreate{Address: "help@acme.example", Name: "Acme Help"}); err != nil {
		t.Fatal(err)
	}

	b.signIn(ts.URL, tend.RoleAdmin)
	b.do(chromedp.Navigate(ts.URL+"/settings/agents"), chromedp.WaitVisible(css(`#invite-mail`)))
	ticked, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector('#invite-mail').checked`))
	if err != nil {
		t.Fatal(err)
	}
	if !ticked {
		t.Fatal("with a support address, the mail box is not ticked")
	}
	b.do(
		chromedp.SendKeys(css(`#name`), "Ola Berg"),
		chromedp.SendKeys(css(`#email`), "ola@staff.example"),
		chromedp.Click(css(`.admin-form button[type=submit]`)),
		chromedp.WaitVisible(css(`#invite-mailed`)),
	)
	if said := b.text(`#invite-mailed`); !strings.Contains(said, "Mailed to ola@staff.example") {
		t.Fatalf("the page says %q", said)
	}
	shown := b.text(`#invite-link`)
	b.screenshot("admin-invite-mailed")

	// The job, as the queue would run it, into the outbox folder.
	queued := ts.jobs.invitationMails()
	if len(queued) != 1 {
		t.Fatalf("%d invitation mails queued, want 1", len(queued))
	}
	dir := t.TempDir()
	sender := &outbound.InvitationSender{Store: ts.server.Agents.(*sqldb.AgentService), Transport: outbound.Outbox{Dir: dir},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := sender.Work(context.Background(), &river.Job[tend.InvitationMail]{Args: queued[0]}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("the outbox holds %v", files)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	env, err := enmime.ReadEnvelope(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if to := env.GetHeader("To"); !strings.Contains(to, "ola@staff.example") {
		t.Errorf("the mail is to %q", to)
	}
	at := strings.Index(env.Text, ts.URL+"/invite?token=")
	if at < 0 {
		t.Fatalf("the mail has no link:\n%s", env.Text)
	}
	link := strings.Fields(env.Text[at:])[0]
	if link != shown {
		t.Errorf("the mailed link %q is not the one shown, %q", link, shown)
	}

	b.do(chromedp.Click(css(`.signout button`)), chromedp.WaitVisible(css(`form[action="/login"]`)))
	b.do(chromedp.Navigate(link), chromedp.WaitVisible(css(`#password`)))
	if body := b.text(`main`); !strings.Contains(body, "Welcome, Ola Berg") {
		t.Fatalf("the invitation page says %q", body)
	}
	b.do(
		chromedp.SendKeys(css(`#password`), "ola's own password"),
		chromedp.SendKeys(css(`#confirm`), "ola's own password"),
		chromedp.Click(css(`button[type=submit]`)),
		chromedp.WaitVisible(css(`.signout`)),
	)
	if a, err := ts.server.Agents.Authenticate(sys, "ola@staff.example", "ola's own password"); err != nil || a.Invited {
		t.Errorf("after joining: %+v, %v", a, err)
	}
}
