package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/blob"
	"github.com/tendhq/tend/internal/jobs"
	"github.com/tendhq/tend/internal/mailin"
	"github.com/tendhq/tend/internal/secret"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/web"
)

// testServer is Tend's HTTP server on a random loopback port, over a real
// database, with one staff member (and API token) per role.
type testServer struct {
	t        testing.TB
	URL      string
	db       *sqldb.DB
	server   *web.Server
	handler  http.Handler
	tickets  *sqldb.TicketService
	receiver *mailin.Receiver
	blobs    *blob.Store
	agents   map[tend.Role]*tend.Agent
	tokens   map[tend.Role]string
	jobs     *jobLog
}

// jobLog queues jobs on a real queue, and notes them.
type jobLog struct {
	sqldb.Enqueuer
	mu   sync.Mutex
	jobs []sqldb.Job
}

func (j *jobLog) Enqueue(ctx context.Context, tx *sqldb.Tx, job sqldb.Job) error {
	if err := j.Enqueuer.Enqueue(ctx, tx, job); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.jobs = append(j.jobs, job)
	return nil
}

// count returns how many jobs of kind were queued.
func (j *jobLog) count(kind string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for _, job := range j.jobs {
		if job.Kind() == kind {
			n++
		}
	}
	return n
}

// invitationMails returns the invitation mails queued.
func (j *jobLog) invitationMails() []tend.InvitationMail {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []tend.InvitationMail
	for _, job := range j.jobs {
		if m, ok := job.(tend.InvitationMail); ok {
			out = append(out, m)
		}
	}
	return out
}

func newTestServer(t testing.TB, db *sqldb.DB, configure ...func(*web.Server)) *testServer {
	t.Helper()
	ts := newBareServer(t, db, configure...)
	sys := tend.SystemContext(context.Background())
	for _, role := range tend.Roles {
		a, err := ts.server.Agents.CreateAgent(sys, &tend.AgentCreate{Name: string(role) + " person", Email: string(role) + "@staff.example",
			Role: role, Password: "long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		_, secret, err := ts.server.Tokens.CreateToken(sys, &tend.TokenCreate{AgentID: a.ID, Name: "test"})
		if err != nil {
			t.Fatal(err)
		}
		ts.agents[role], ts.tokens[role] = a, secret
	}
	// A desk set up in the web knows its address from the setup page.
	if _, err := ts.server.Settings.UpdateSettings(sys, &tend.Settings{Name: "Tend", BaseURL: ts.URL}); err != nil {
		t.Fatal(err)
	}
	return ts
}

// newBareServer is a test server over db without any staff, as on a first
// start. configure may change the server before it starts.
func newBareServer(t testing.TB, db *sqldb.DB, configure ...func(*web.Server)) *testServer {
	t.Helper()
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	tokens := sqldb.NewTokenService(db)
	settings := sqldb.NewSettingsService(db)
	agents := sqldb.NewAgentService(db)
	tickets := sqldb.NewTicketService(db, blobs)
	tickets.MaxAttachmentSize = 64 << 10
	// Jobs are queued for real and left unworked: sending is not tested here.
	queue, err := jobs.Open(context.Background(), db, jobs.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tickets.Outbox = sqldb.NewOutbox(db, queue)
	box, _ := secret.New(make([]byte, secret.KeySize))
	agents.Secrets = box
	log := &jobLog{Enqueuer: queue}
	db.Jobs = log
	inbound := sqldb.NewInboundService(db, tickets, tickets.Outbox)
	inbound.Signer = box
	receiver := &mailin.Receiver{Inbound: inbound, Blobs: blobs, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	srv := &web.Server{
		Agents: agents, Teams: sqldb.NewTeamService(db), Customers: sqldb.NewCustomerService(db),
		Organizations: sqldb.NewOrganizationService(db), Tickets: tickets, Search: sqldb.NewSearchService(db),
		Tokens: tokens, Sessions: tokens, Setup: settings, Settings: settings, Audit: settings,
		Mailboxes: sqldb.NewMailboxService(db, box), Inbound: inbound, BlockedSenders: sqldb.NewBlockedSenderService(db), RetryInbound: receiver.Retry, Quarantine: receiver,
		SavedViews: sqldb.NewSavedViewService(db), Macros: sqldb.NewMacroService(db, tickets), Fields: sqldb.NewFieldService(db), Calendars: sqldb.NewCalendarService(db), SLAPolicies: sqldb.NewSLAPolicyService(db), Notifications: sqldb.NewNotificationService(db), Blobs: blobs, Ping: db.Ping, MaxAttachmentSize: 64 << 10, MaxBodySize: 256 << 10,
		Clock: db.Clock(),
	}
	for _, c := range configure {
		c(srv)
	}
	h, err := srv.Handler()
	if err != nil {
		t.Fatal(err)
	}
	notify := func(c tend.TicketChange) {
		srv.Metrics.TicketChanged(c)
		srv.TicketChanged(c)
	}
	tickets.Notify = notify
	db.SessionsEnded = srv.SessionsEnded
	srv.Agents.(*sqldb.AgentService).Notify = notify
	srv.Customers.(*sqldb.CustomerService).Notify = notify
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	t.Cleanup(srv.Shutdown) // before hs.Close, which waits for the live streams to end
	return &testServer{t: t, URL: hs.URL, db: db, server: srv, handler: h, tickets: tickets, receiver: receiver, blobs: blobs,
		agents: map[tend.Role]*tend.Agent{}, tokens: map[tend.Role]string{}, jobs: log}
}

// response is an HTTP response with its body read.
type response struct {
	*http.Response
	body []byte
}

// decode reads the body as JSON into v, failing the test otherwise.
func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v\n%s", r.Request.Method, r.Request.URL.Path, err, r.body)
	}
}

// problem reads the body as a problem document.
func (r response) problem(t testing.TB) problemDoc {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("%s %s: %d with Content-Type %q, want application/problem+json\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, ct, r.body)
	}
	var p problemDoc
	r.decode(t, &p)
	if p.Status != r.StatusCode || p.Detail == "" || p.Code == "" {
		t.Fatalf("incomplete problem: %s", r.body)
	}
	return p
}

type problemDoc struct {
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	Errors []struct {
		Field  string `json:"field"`
		Detail string `json:"detail"`
	} `json:"errors"`
}

// request sends a request with token (none if empty) and body: a string is
// sent as is, anything else as JSON.
func (ts *testServer) request(method, path, token string, body any, header ...string) response {
	ts.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			ts.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, ts.URL+path, r)
	if err != nil {
		ts.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		ts.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.t.Fatal(err)
	}
	return response{Response: resp, body: b}
}

// as sends a request as the staff member with role.
func (ts *testServer) as(role tend.Role, method, path string, body any, header ...string) response {
	ts.t.Helper()
	return ts.request(method, path, ts.tokens[role], body, header...)
}

// want fails unless the response has status.
func (r response) want(t testing.TB, status int) response {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.body)
	}
	return r
}

// countTickets returns how many tickets exist, read straight from the
// service as Tend itself.
func (ts *testServer) countTickets() int {
	ts.t.Helper()
	n := 0
	f := tend.TicketFilter{Limit: 200}
	for {
		list, next, err := ts.tickets.FindTickets(tend.SystemContext(context.Background()), f)
		if err != nil {
			ts.t.Fatal(err)
		}
		n += len(list)
		if next == "" {
			return n
		}
		f.Cursor = next
	}
}

// deliver hands raw, with \n line ends, to mailbox mb as mail over SMTP
// would, and returns the ticket it joined or began.
func (ts *testServer) deliver(t testing.TB, mb *tend.Mailbox, raw string) *tend.Ticket {
	t.Helper()
	rec, err := ts.receiver.Receive(context.Background(), "smtp", mb.ID, []string{mb.Address}, []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
	if err != nil || rec.TicketID == nil {
		t.Fatalf("receive: %+v, %v", rec, err)
	}
	tk, err := ts.server.Tickets.FindTicketByID(tend.SystemContext(context.Background()), *rec.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}
