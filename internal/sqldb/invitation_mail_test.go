package sqldb_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/secret"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// secretOf is the secret of an invitation just made.
func secretOf(n *tend.NewInvitation, err error) (string, error) {
	if err != nil {
		return "", err
	}
	return n.Secret, nil
}

// failingQueue refuses every job, as a queue whose insert fails would.
type failingQueue struct{}

func (failingQueue) Enqueue(context.Context, *sqldb.Tx, sqldb.Job) error {
	return errors.New("queue is down")
}

// An invitation asked to be mailed queues its mail with it and keeps the
// link's secret sealed, never in clear, until the mail is handed over or
// the link spent; without a mailbox it is made but not mailed, and says
// why. A queue that refuses the job leaves nothing half-written.
func TestInvitationMail(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		e := newEnv(t, db)
		box, err := secret.New([]byte(strings.Repeat("k", secret.KeySize)))
		if err != nil {
			t.Fatal(err)
		}
		e.agents.Secrets = box
		queue := &jobCounter{}
		db.Jobs = queue
		admin := e.mustAgent(t, "ada", tend.RoleAdmin)
		team, err := e.teams.CreateTeam(system, &tend.TeamCreate{Name: "Billing"})
		if err != nil {
			t.Fatal(err)
		}
		nia, err := e.agents.CreateAgent(system, &tend.AgentCreate{Name: "Nia Park", Email: "nia@staff.example", Role: tend.RoleAgent, TeamIDs: []int64{team.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.settings.UpdateSettings(system, &tend.Settings{Name: "Acme", BaseURL: "https://help.acme.example"}); err != nil {
			t.Fatal(err)
		}

		t.Run("no mailbox", func(t *testing.T) {
			made, err := e.agents.CreateInvitation(as(admin), nia.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if made.MailedTo != "" || !strings.Contains(made.NotMailed, "no mailbox") || queue.count() != 0 {
				t.Errorf("without a mailbox: %+v, %d jobs", made, queue.count())
			}
			if v, err := sqldb.InvitationMailSecret(db, nia.ID); err != nil || v != nil {
				t.Errorf("mail_secret = %v, %v; want NULL", v, err)
			}
		})
		if _, err := sqldb.NewMailboxService(db, nil).CreateMailbox(system, &tend.MailboxCreate{Address: "help@acme.example", Name: "Acme Help"}); err != nil {
			t.Fatal(err)
		}

		t.Run("not asked", func(t *testing.T) {
			made, err := e.agents.CreateInvitation(as(admin), nia.ID, false)
			if err != nil || made.MailedTo != "" || made.NotMailed != "" || queue.count() != 0 {
				t.Fatalf("%+v, %v, %d jobs", made, err, queue.count())
			}
		})

		var made *tend.NewInvitation
		t.Run("mailed", func(t *testing.T) {
			made, err = e.agents.CreateInvitation(as(admin), nia.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			if made.MailedTo != "nia@staff.example" || made.NotMailed != "" {
				t.Errorf("made = %+v", made)
			}
			if queue.count() != 1 {
				t.Fatalf("%d jobs queued, want 1", queue.count())
			}
			job, ok := queue.jobs[0].(tend.InvitationMail)
			if !ok || job.Kind() != "invitation_mail" || job.Hash == "" || strings.Contains(job.Hash, made.Secret) {
				t.Fatalf("the job = %#v", queue.jobs[0])
			}
			sealed, err := sqldb.InvitationMailSecret(db, nia.ID)
			if err != nil || sealed == nil {
				t.Fatalf("mail_secret = %v, %v", sealed, err)
			}
			if strings.Contains(*sealed, made.Secret) {
				t.Errorf("mail_secret holds the secret in clear: %q", *sealed)
			}
			if open, err := box.Open(*sealed); err != nil || open != made.Secret {
				t.Errorf("mail_secret opens to %q, %v", open, err)
			}
			o, err := e.agents.FindInvitationMail(system, job.Hash, "")
			if err != nil {
				t.Fatal(err)
			}
			link := "https://help.acme.example/invite?token=" + made.Secret
			if o.To.Email != "nia@staff.example" || o.FromAddress != "help@acme.example" || o.ReturnPath != "help@acme.example" ||
				o.Subject != "You are invited to Acme's help desk" || !o.AutoSubmitted ||
				!strings.HasPrefix(o.MailMessageID, "invitation-") || !strings.HasSuffix(o.MailMessageID, "@acme.example") {
				t.Errorf("the mail = %+v", o)
			}
			for _, want := range []string{link, "ada invited you", "Billing", "works once, until"} {
				if !strings.Contains(o.Text, want) {
					t.Errorf("the mail lacks %q:\n%s", want, o.Text)
				}
			}
			// Written again, as a retry does, it is the same mail.
			again, err := e.agents.FindInvitationMail(system, job.Hash, "https://tend.acme.example")
			if err != nil || again.MailMessageID != o.MailMessageID || !again.Date.Equal(o.Date) ||
				!strings.Contains(again.Text, "https://tend.acme.example/invite?token="+made.Secret) {
				t.Errorf("written again: %+v, %v", again, err)
			}
			if err := e.agents.MarkInvitationMailed(system, job.Hash); err != nil {
				t.Fatal(err)
			}
			if v, _ := sqldb.InvitationMailSecret(db, nia.ID); v != nil {
				t.Errorf("after mailing, mail_secret = %q", *v)
			}
			if _, err := e.agents.FindInvitationMail(system, job.Hash, ""); tend.ErrorCode(err) != tend.ENOTFOUND {
				t.Errorf("mailed already, the mail is %v", err)
			}
		})

		t.Run("spent", func(t *testing.T) {
			queue.jobs = nil
			made, err := e.agents.CreateInvitation(as(admin), nia.ID, true)
			if err != nil || queue.count() != 1 {
				t.Fatalf("%v, %d jobs", err, queue.count())
			}
			hash := queue.jobs[0].(tend.InvitationMail).Hash
			if _, err := e.agents.AcceptInvitation(system, made.Secret, "long enough password"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.agents.FindInvitationMail(system, hash, ""); tend.ErrorCode(err) != tend.ENOTFOUND {
				t.Errorf("a spent invitation's mail is %v", err)
			}
		})

		t.Run("the queue refuses", func(t *testing.T) {
			bo, err := e.agents.CreateAgent(system, &tend.AgentCreate{Name: "Bo", Email: "bo@staff.example", Role: tend.RoleAgent})
			if err != nil {
				t.Fatal(err)
			}
			first, err := e.agents.CreateInvitation(as(admin), bo.ID, false)
			if err != nil {
				t.Fatal(err)
			}
			db.Jobs = failingQueue{}
			defer func() { db.Jobs = queue }()
			if _, err := e.agents.CreateInvitation(as(admin), bo.ID, true); err == nil {
				t.Fatal("made an invitation whose mail could not be queued")
			}
			// The earlier link stands: the new one was not half made.
			if a, err := e.agents.CheckInvitation(system, first.Secret); err != nil || a.ID != bo.ID {
				t.Errorf("the earlier link: %v, %v", a, err)
			}
			if v, _ := sqldb.InvitationMailSecret(db, bo.ID); v != nil {
				t.Errorf("mail_secret = %q", *v)
			}
		})

		t.Run("expired", func(t *testing.T) {
			queue.jobs = nil
			cy, err := e.agents.CreateAgent(system, &tend.AgentCreate{Name: "Cy", Email: "cy@staff.example", Role: tend.RoleAgent})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.agents.CreateInvitation(as(admin), cy.ID, true); err != nil {
				t.Fatal(err)
			}
			hash := queue.jobs[0].(tend.InvitationMail).Hash
			later := tend.NewContextWithTime(system, time.Now().Add(tend.InvitationTTL+time.Hour))
			if _, err := e.agents.FindInvitationMail(later, hash, ""); tend.ErrorCode(err) != tend.ENOTFOUND {
				t.Errorf("an expired invitation's mail is %v", err)
			}
		})
	})
}
