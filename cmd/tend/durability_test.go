package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/mailtest"
)

// TestMain lets the test binary stand in for the tend binary, so that a
// test can run 'tend serve' as a process of its own and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("TEND_TEST_RUN_AS_TEND") == "1" {
		for i, arg := range os.Args {
			if arg == "--" {
				os.Args = append([]string{"tend"}, os.Args[i+1:]...)
				break
			}
		}
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// process is 'tend serve' running as a child process.
type process struct {
	cmd    *exec.Cmd
	output *syncBuffer
	exited chan struct{}
}

func startProcess(t testing.TB, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "TEND_TEST_RUN_AS_TEND=1")
	p := &process{cmd: cmd, output: &syncBuffer{}, exited: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = p.output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	go func() {
		s := bufio.NewScanner(stdout)
		once := sync.Once{}
		for s.Scan() {
			fmt.Fprintln(p.output, s.Text())
			if strings.HasPrefix(s.Text(), "Tend is listening") {
				once.Do(func() { close(ready) })
			}
		}
		cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() { p.kill() })
	select {
	case <-ready:
	case <-p.exited:
		t.Fatalf("tend serve exited:\n%s", p.output)
	case <-time.After(60 * time.Second):
		t.Fatalf("tend serve did not start:\n%s", p.output)
	}
	return p
}

func (p *process) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

func (p *process) stop(t testing.TB) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(time.Minute):
		t.Fatalf("tend serve did not stop on SIGTERM:\n%s", p.output)
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// streamMail sends mail over one SMTP connection until it fails, and
// reports each Message-ID tried and whether it got its 250.
func streamMail(addr string, conn int, tried func(id string, ok bool)) {
	c, err := smtp.Dial(addr)
	if err != nil {
		return
	}
	defer c.Close()
	if c.Hello("sender.example.org") != nil {
		return
	}
	for i := 0; ; i++ {
		id := fmt.Sprintf("m%d-%d@example.org", conn, i)
		from := fmt.Sprintf("c%d-%d@example.org", conn, i)
		data := fmt.Sprintf("From: %s\r\nTo: support@acme.example\r\nSubject: Request %s\r\nMessage-ID: <%s>\r\n\r\nText of %s.\r\n",
			from, id, id, id)
		err := c.Mail(from, nil)
		if err == nil {
			err = c.Rcpt("support@acme.example", nil)
		}
		var w interface {
			Write([]byte) (int, error)
			Close() error
		}
		if err == nil {
			w, err = c.Data()
		}
		if err == nil {
			_, err = w.Write([]byte(data))
		}
		if err == nil {
			err = w.Close()
		}
		tried(id, err == nil)
		if err != nil {
			return
		}
	}
}

// A 'tend serve' killed with SIGKILL in the middle of a stream of inbound
// mail loses none that it answered 250 to and half-writes none it did
// not; after a restart, the acknowledgements it had queued while the relay
// was down each reach the relay exactly once.
func TestMailSurvivesSIGKILL(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st storage) {
		a, err := openApp(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.mailboxes.CreateMailbox(systemCtx(), &tend.MailboxCreate{Address: "support@acme.example"}); err != nil {
			t.Fatal(err)
		}
		a.Close()
		smtpAddr, relayAddr := freePort(t), freePort(t) // nothing listens at the relay yet
		args := []string{"serve", "--data", st.data, "--addr", "127.0.0.1:0", "--smtp-addr", smtpAddr,
			"--smtp-relay", relayAddr, "--log-level", "warn"}
		if st.db != "" {
			args = append(args, "--db", st.db)
		}
		server := startProcess(t, args...)

		var mu sync.Mutex
		answered := map[string]bool{} // Message-ID: got 250
		var acked atomic.Int64
		var wg sync.WaitGroup
		for conn := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				streamMail(smtpAddr, conn, func(id string, ok bool) {
					mu.Lock()
					answered[id] = ok
					mu.Unlock()
					if ok {
						acked.Add(1)
					}
				})
			}()
		}
		for deadline := time.Now().Add(30 * time.Second); acked.Load() < 150; {
			if time.Now().After(deadline) {
				t.Fatalf("only %d mails accepted in 30s:\n%s", acked.Load(), server.output)
			}
			time.Sleep(5 * time.Millisecond)
		}
		// Let the first acknowledgements fail against the missing relay, so
		// that some are waiting to be tried again when the process dies.
		probe, err := openApp(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; {
			if o, err := probe.outbound.FindOutbound(context.Background(), 1); err == nil && o.Attempts > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no acknowledgement was tried in 30s:\n%s", server.output)
			}
			time.Sleep(5 * time.Millisecond)
		}
		probe.Close()
		t.Logf("killing after %d mails answered", acked.Load())
		server.kill()
		wg.Wait()

		sink, err := mailtest.Start(mailtest.Options{Addr: relayAddr})
		if err != nil {
			t.Fatal(err)
		}
		defer sink.Close()
		server = startProcess(t, args...)

		// Every ticket queued one acknowledgement; wait until the sink has
		// had as many mails as there are tickets, then a little longer
		// for any that would come twice.
		a, err = openApp(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		records := allInbound(t, a)
		// Acknowledgements that were being tried when the process died wait
		// for River to rescue them, about three minutes.
		for deadline := time.Now().Add(5 * time.Minute); len(sink.Received()) < len(records); {
			if time.Now().After(deadline) {
				t.Fatalf("the sink received %d acknowledgements of %d:\n%s", len(sink.Received()), len(records), server.output)
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(time.Second)
		server.stop(t)

		got := map[string]int{}
		for _, r := range records {
			got[r.MessageID]++
			if r.Outcome != tend.OutcomeCreated || r.TicketID == nil {
				t.Errorf("inbound %s: outcome %s", r.MessageID, r.Outcome)
				continue
			}
			ticket, err := a.tickets.FindTicketByID(systemCtx(), *r.TicketID)
			if err != nil || len(ticket.Messages) != 1 || ticket.Messages[0].Body != "Text of "+r.MessageID+"." {
				t.Errorf("ticket of %s is half-written: %v %+v", r.MessageID, err, ticket)
			}
		}
		accepted, refused := 0, 0
		for id, ok := range answered {
			if ok {
				accepted++
				if got[id] != 1 {
					t.Errorf("%s got 250 but is stored %d times", id, got[id])
				}
			} else {
				refused++
				if got[id] > 1 {
					t.Errorf("%s is stored %d times", id, got[id])
				}
			}
		}
		tickets, cursor := 0, ""
		for {
			page, next, err := a.tickets.FindTickets(systemCtx(), tend.TicketFilter{Cursor: cursor, Limit: tend.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			tickets += len(page)
			if cursor = next; next == "" {
				break
			}
		}
		if tickets != len(records) {
			t.Errorf("%d tickets for %d inbound mails", tickets, len(records))
		}
		retried := 0
		sent := map[string]int{}
		for _, m := range sink.Received() {
			sent[m.MessageID]++
		}
		// A transaction cut off by the kill may have taken an id
		// (PostgreSQL's identities are not rolled back), so ids can have
		// gaps; every acknowledgement is looked for among the ids past them.
		found := 0
		for id := int64(1); found < len(records) && id <= int64(len(records))+1000; id++ {
			o, err := a.outbound.FindOutbound(context.Background(), id)
			if tend.ErrorCode(err) == tend.ENOTFOUND {
				continue
			} else if err != nil {
				t.Fatalf("outbound %d: %v", id, err)
			}
			found++
			if o.Attempts > 1 {
				retried++
			}
			if o.Status != "sent" || sent[o.MailMessageID] != 1 {
				t.Errorf("acknowledgement %d: status %s, reached the sink %d times", id, o.Status, sent[o.MailMessageID])
			}
		}
		if found != len(records) {
			t.Errorf("%d acknowledgements queued for %d tickets", found, len(records))
		}
		if len(sink.Received()) != len(records) {
			t.Errorf("the sink received %d mails for %d tickets", len(sink.Received()), len(records))
		}
		t.Logf("%d mails answered 250 before the kill, %d cut off; %d stored; %d acknowledgements delivered once each after restart, %d of them after failing while the relay was down",
			accepted, refused, len(records), len(sent), retried)
	})
}

func allInbound(t *testing.T, a *app) []*tend.InboundRecord {
	t.Helper()
	var all []*tend.InboundRecord
	cursor := ""
	for {
		page, next, err := a.inbound.FindInbound(systemCtx(), tend.InboundFilter{Cursor: cursor, Limit: tend.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if next == "" {
			return all
		}
		cursor = next
	}
}
