package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
)

// sendMails sends n mails, each a new request, over one SMTP connection.
func sendMails(t testing.TB, addr string, n int) {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range n {
		from := fmt.Sprintf("c%d@example.org", i)
		data := fmt.Sprintf("From: %s\r\nTo: support@acme.example\r\nSubject: Request %d\r\nMessage-ID: <t%d@example.org>\r\n\r\nText %d.\r\n", from, i, i, i)
		if err := c.SendMail(from, []string{"support@acme.example"}, strings.NewReader(data)); err != nil {
			t.Fatalf("mail %d: %v", i, err)
		}
	}
}

// oneMinuteDesk readies a desk on st whose default policy promises a
// first response in a minute, with a mailbox, and returns the SMTP
// address and the arguments of 'tend serve' there.
func oneMinuteDesk(t testing.TB, st storage) (smtpAddr string, args []string) {
	t.Helper()
	a, err := openApp(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.mailboxes.CreateMailbox(systemCtx(), &tend.MailboxCreate{Address: "support@acme.example"}); err != nil {
		t.Fatal(err)
	}
	one := 1
	if _, err := sqldb.NewSLAPolicyService(a.db).UpdateSLAPolicy(systemCtx(), 1, &tend.SLAPolicyPatch{
		Targets: &tend.Targets{FirstResponse: &one}}); err != nil {
		t.Fatal(err)
	}
	smtpAddr = freePort(t)
	args = []string{"serve", "--data", st.data, "--addr", "127.0.0.1:0", "--smtp-addr", smtpAddr, "--log-level", "warn"}
	if st.db != "" {
		args = append(args, "--db", st.db)
	}
	return smtpAddr, args
}

// slaEntries counts each ticket's history entries of kind.
func slaEntries(t testing.TB, a *app, kind tend.EventKind) map[int64]int {
	t.Helper()
	counts := map[int64]int{}
	page, _, err := a.tickets.FindTickets(systemCtx(), tend.TicketFilter{Limit: tend.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range page {
		events, _, err := a.tickets.FindTicketEvents(systemCtx(), tk.ID, "", tend.MaxPageSize)
		if err != nil {
			t.Fatal(err)
		}
		counts[tk.ID] = 0
		for _, e := range events {
			if e.Kind == kind {
				counts[tk.ID]++
			}
		}
	}
	return counts
}

// latestBreach is how long after its deadline the latest recorded breach
// was recorded.
func latestBreach(t *testing.T, a *app) time.Duration {
	t.Helper()
	var late time.Duration
	page, _, err := a.tickets.FindTickets(systemCtx(), tend.TicketFilter{Limit: tend.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range page {
		events, _, err := a.tickets.FindTicketEvents(systemCtx(), tk.ID, "", tend.MaxPageSize)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range events {
			if b, ok := e.Data.(tend.SLABreached); ok {
				late = max(late, e.CreatedAt.Sub(b.DueAt))
			}
		}
	}
	return late
}

func breached(counts map[int64]int) (n int) {
	for _, c := range counts {
		if c > 0 {
			n++
		}
	}
	return n
}

// 200 tickets with a one-minute first response: 'tend serve' is killed
// with SIGKILL while their timers are due, and started again; every
// ticket then has exactly one sla_breached entry, and at most one
// warning.
func TestSLATimersSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("waits a minute for real timers")
	}
	forEachEngine(t, func(t *testing.T, st storage) {
		const tickets = 200
		smtpAddr, args := oneMinuteDesk(t, st)
		server := startProcess(t, args...)
		sendMails(t, smtpAddr, tickets)

		probe, err := openApp(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		defer probe.Close()
		// Kill as soon as the first breaches are recorded, while the rest
		// are due.
		for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no breach recorded in 3 minutes:\n%s", server.output)
			}
			if n := breached(slaEntries(t, probe, tend.EventSLABreached)); n > 0 {
				break
			}
		}
		server.kill()
		before := breached(slaEntries(t, probe, tend.EventSLABreached))
		server = startProcess(t, args...)
		var counts map[int64]int
		for deadline := time.Now().Add(4 * time.Minute); ; time.Sleep(250 * time.Millisecond) {
			counts = slaEntries(t, probe, tend.EventSLABreached)
			if breached(counts) == tickets {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d tickets breached after the restart:\n%s", breached(counts), tickets, server.output)
			}
		}
		time.Sleep(2 * time.Second) // for any timer that would record twice
		server.stop(t)
		counts = slaEntries(t, probe, tend.EventSLABreached)
		if len(counts) != tickets {
			t.Fatalf("%d tickets, want %d", len(counts), tickets)
		}
		for id, n := range counts {
			if n != 1 {
				t.Errorf("ticket %d: %d sla_breached entries, want 1", id, n)
			}
		}
		for id, n := range slaEntries(t, probe, tend.EventSLAWarning) {
			if n > 1 {
				t.Errorf("ticket %d: %d sla_warning entries", id, n)
			}
		}
		t.Logf("%d of %d breaches were recorded when the server was killed; the rest after the restart, once each; the latest was recorded %s after its deadline",
			before, tickets, latestBreach(t, probe).Round(100*time.Millisecond))
	})
}

// Timers that fell due while the server was down: 200 tickets with a
// one-minute first response, the server killed at once and started again
// after every deadline has passed; reports how long after the restart the
// last breach was recorded.
func BenchmarkTimersAfterRestart(b *testing.B) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		b.Run(string(engine), func(b *testing.B) {
			for range b.N {
				st := dbStorage(b, engine)
				smtpAddr, args := oneMinuteDesk(b, st)
				server := startProcess(b, args...)
				opened := time.Now()
				sendMails(b, smtpAddr, 200)
				server.kill()
				time.Sleep(time.Until(opened.Add(75 * time.Second)))
				restarted := time.Now()
				server = startProcess(b, args...)
				probe, err := openApp(context.Background(), st)
				if err != nil {
					b.Fatal(err)
				}
				for deadline := time.Now().Add(3 * time.Minute); breached(slaEntries(b, probe, tend.EventSLABreached)) < 200; time.Sleep(100 * time.Millisecond) {
					if time.Now().After(deadline) {
						b.Fatalf("not all breaches recorded 3 minutes after the restart")
					}
				}
				b.ReportMetric(time.Since(restarted).Seconds(), "s-after-restart")
				probe.Close()
				server.stop(b)
			}
		})
	}
}
