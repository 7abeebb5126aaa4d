package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// syncBuffer is a buffer that the server and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// running is a 'tend serve' running in the test's process.
type running struct {
	url    string
	stdout *syncBuffer
	stop   func() error
}

func startServe(t *testing.T, cfg serveConfig) *running {
	t.Helper()
	if cfg.addr == "" {
		cfg.addr = "127.0.0.1:0"
	}
	if cfg.maxAttachmentSize == 0 {
		cfg.maxAttachmentSize = 1 << 20
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- runServer(ctx, cfg, logger, out, ready) }()
	r := &running{stdout: out}
	var once sync.Once
	var stopErr error
	r.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(time.Minute):
				t.Error("server did not stop")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { r.stop() })
	select {
	case r.url = <-ready:
	case err := <-done:
		t.Fatalf("serve: %v\n%s", err, out)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start")
	}
	return r
}

// dbStorage returns storage on engine in a new temporary folder.
func dbStorage(t testing.TB, engine sqldb.Engine) storage {
	st := storage{data: t.TempDir()}
	if engine == sqldb.Postgres {
		st.db = sqldbtest.DSN(t, engine)
	}
	return st
}

func forEachEngine(t *testing.T, fn func(t *testing.T, st storage)) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(engine), func(t *testing.T) { fn(t, dbStorage(t, engine)) })
	}
}

var setupLink = regexp.MustCompile(`(http://\S+/setup\?token=\S+)`)

// A first start prints a one-time setup link; following it creates the
// first admin and signs them in. Stopping closes everything cleanly.
func TestFirstRunSetup(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st storage) {
		srv := startServe(t, serveConfig{storage: st})
		m := setupLink.FindStringSubmatch(srv.stdout.String())
		if m == nil {
			t.Fatalf("no setup link printed:\n%s", srv.stdout)
		}
		if !strings.Contains(srv.stdout.String(), "Tend is listening on "+srv.url) {
			t.Errorf("start-up message missing:\n%s", srv.stdout)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		form, err := c.Get(m[1])
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(form.Body)
		form.Body.Close()
		csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
		if form.StatusCode != 200 || csrf == nil {
			t.Fatalf("setup page: %d\n%s", form.StatusCode, page)
		}
		// The page offers the address it was opened at; the admin keeps it.
		offered := regexp.MustCompile(`name="base_url" type="url" required value="([^"]+)"`).FindSubmatch(page)
		if offered == nil || string(offered[1]) != srv.url {
			t.Fatalf("the setup page offers the address %q, want %s", offered, srv.url)
		}
		token, _ := url.Parse(m[1])
		resp, err := c.PostForm(srv.url+"/setup", url.Values{"csrf": {string(csrf[1])}, "token": {token.Query().Get("token")},
			"name": {"Ana Admin"}, "email": {"ana@example.com"}, "password": {"a long enough password"}, "base_url": {string(offered[1])}})
		if err != nil {
			t.Fatal(err)
		}
		home, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(home), `class="who" href="/profile">Ana Admin`) || !strings.Contains(string(home), "My open tickets") {
			t.Fatalf("after setup: %d\n%s", resp.StatusCode, home)
		}
		// The link works once.
		again, _ := c.Get(m[1])
		again.Body.Close()
		if again.StatusCode != http.StatusConflict {
			t.Errorf("setup link reused: %d", again.StatusCode)
		}

		health, _ := http.Get(srv.url + "/healthz")
		health.Body.Close()
		metrics, _ := http.Get(srv.url + "/metrics")
		mb, _ := io.ReadAll(metrics.Body)
		metrics.Body.Close()
		if health.StatusCode != 200 || !strings.Contains(string(mb), `tend_db_connections{pool=`) {
			t.Errorf("healthz %d; metrics without pool figures:\n%.500s", health.StatusCode, mb)
		}
		if err := srv.stop(); err != nil {
			t.Fatalf("stop: %v", err)
		}

		// A second start finds the admin and prints no link.
		srv = startServe(t, serveConfig{storage: st})
		if setupLink.MatchString(srv.stdout.String()) {
			t.Errorf("setup link printed although an admin exists:\n%s", srv.stdout)
		}
	})
}

// A request in flight when the server is told to stop still completes.
func TestGracefulShutdown(t *testing.T) {
	st := dbStorage(t, sqldb.SQLite)
	setUpDesk(t, st)
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "create", "--data", st.data, "--email", "bo@example.com", "--name", "Bo", "--role", "agent"},
		strings.NewReader(""), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"token", "create", "--data", st.data, "--email", "bo@example.com", "--name", "test"},
		nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(out.String())
	srv := startServe(t, serveConfig{storage: st})

	// The body arrives slowly; the server is stopped while it does.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", srv.url+"/api/v1/tickets", pr)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	result := make(chan int, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			result <- 0
			return
		}
		resp.Body.Close()
		result <- resp.StatusCode
	}()
	io.WriteString(pw, `{"subject": "In flight", "customer": {"email": "f@example.com"},`)
	time.Sleep(100 * time.Millisecond)
	stopped := make(chan error, 1)
	go func() { stopped <- srv.stop() }()
	time.Sleep(200 * time.Millisecond)
	io.WriteString(pw, `"body": "finished after the stop began"}`)
	pw.Close()
	if code := <-result; code != http.StatusCreated {
		t.Fatalf("request in flight got %d, want 201", code)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	a, err := openApp(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	hits, _, err := a.search.Search(systemCtx(), "finished", tend.SearchFilter{}, "", 5)
	if err != nil || len(hits) != 1 {
		t.Fatalf("ticket written during shutdown: %v, %v", hits, err)
	}
}

// The commands print what scripts need and nothing else: token create
// prints the token alone, and it works against the API.
func TestUserAndTokenCommands(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st storage) {
		setUpDesk(t, st)
		common := storageArgs(st)
		var out bytes.Buffer
		args := append([]string{"user", "create", "--email", "Lee@Example.com", "--name", "Lee Lead", "--role", "lead", "--password-stdin"}, common...)
		if err := run(context.Background(), args, strings.NewReader("correct horse battery\n"), &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "Created lead Lee Lead <lee@example.com>") {
			t.Errorf("user create said %q", out.String())
		}
		err := run(context.Background(), append([]string{"user", "create", "--email", "lee@example.com", "--name", "Again", "--password-stdin"}, common...),
			strings.NewReader("another password\n"), io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "already belongs") {
			t.Errorf("duplicate user: %v", err)
		}
		err = run(context.Background(), append([]string{"user", "create", "--email", "x@example.com", "--name", "X", "--role", "boss"}, common...),
			nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "role: must be one of") {
			t.Errorf("bad role: %v", err)
		}

		out.Reset()
		if err := run(context.Background(), append([]string{"token", "create", "--email", "lee@example.com", "--name", "ci"}, common...), nil, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		token := strings.TrimSuffix(out.String(), "\n")
		if !regexp.MustCompile(`^tend_[A-Za-z0-9_-]{43}$`).MatchString(token) {
			t.Fatalf("token create printed %q, want the token alone", out.String())
		}

		srv := startServe(t, serveConfig{storage: st})
		req, _ := http.NewRequest("GET", srv.url+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var me struct {
			Email string `json:"email"`
			Role  string `json:"role"`
		}
		json.NewDecoder(resp.Body).Decode(&me)
		resp.Body.Close()
		if me.Email != "lee@example.com" || me.Role != "lead" {
			t.Fatalf("/me = %+v", me)
		}
	})
}

func systemCtx() context.Context { return tend.SystemContext(context.Background()) }

// --demo fills an empty desk once, prints the sign-ins, and the sign-ins
// work; a restart with --demo keeps the same desk.
func TestServeDemo(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st storage) {
		srv := startServe(t, serveConfig{storage: st, demo: true})
		out := srv.stdout.String()
		if !strings.Contains(out, "admin@demo.example") || !strings.Contains(out, "Demo help desk ready") || setupLink.MatchString(out) ||
			!strings.Contains(out, "Mail to support@demo.example sent to the SMTP listener opens a ticket.") {
			t.Fatalf("serve --demo printed:\n%s", out)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		form, err := c.Get(srv.url + "/login")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(form.Body)
		form.Body.Close()
		csrf := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
		resp, err := c.PostForm(srv.url+"/login", url.Values{"csrf": {string(csrf[1])}, "email": {"admin@demo.example"}, "password": {"tend-demo-password"}})
		if err != nil {
			t.Fatal(err)
		}
		home, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The demo admin lands on a desk with tickets in its views.
		if open := regexp.MustCompile(`data-count="open">([1-9][0-9]*)<`).FindSubmatch(home); !strings.Contains(string(home), "Halcyra Support") || open == nil {
			t.Fatalf("demo sign-in: %d\n%s", resp.StatusCode, home)
		}
		if err := srv.stop(); err != nil {
			t.Fatal(err)
		}
		a, err := openApp(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		before, _, _ := a.tickets.FindTickets(systemCtx(), tend.TicketFilter{Limit: 200})
		// The demo desk knows its address, so that its invitations work.
		if settings, err := a.settings.FindSettings(systemCtx()); err != nil || settings.BaseURL != srv.url {
			t.Errorf("the demo's address is %+v (%v), want %s", settings, err, srv.url)
		}
		a.Close()

		srv = startServe(t, serveConfig{storage: st, demo: true})
		srv.stop()
		a, err = openApp(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		after, _, _ := a.tickets.FindTickets(systemCtx(), tend.TicketFilter{Limit: 200})
		if len(before) != 200 || len(after) != 200 || before[0].ID != after[0].ID {
			t.Fatalf("a second --demo start changed the desk")
		}
	})
}

// Two servers on one database would both work its jobs; the second is
// refused with a message that says what to do.
func TestOneServerPerDatabase(t *testing.T) {
	forEachEngine(t, func(t *testing.T, st storage) {
		srv := startServe(t, serveConfig{storage: st})
		err := runServer(context.Background(), serveConfig{storage: st, addr: "127.0.0.1:0"}, slog.New(slog.DiscardHandler), io.Discard, nil)
		if err == nil || !strings.Contains(err.Error(), "another tend serve is already using this database") {
			t.Fatalf("a second server on the same database: %v", err)
		}
		if err := srv.stop(); err != nil {
			t.Fatal(err)
		}
		startServe(t, serveConfig{storage: st}) // the lock went with the first
	})
}

// With --metrics-addr, /metrics is served there alone, and no longer
// beside the web, which may face the internet.
func TestMetricsOnTheirOwnAddress(t *testing.T) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := free.Addr().String()
	free.Close()
	srv := startServe(t, serveConfig{storage: dbStorage(t, sqldb.SQLite), metricsAddr: addr})
	public, err := http.Get(srv.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	public.Body.Close()
	if public.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics beside the web: %d, want 404", public.StatusCode)
	}
	private, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(private.Body)
	private.Body.Close()
	if private.StatusCode != 200 || !strings.Contains(string(body), `tend_http_request_duration_seconds_count{code="404",method="GET",route="unmatched"} 1`) {
		t.Errorf("/metrics on %s: %d\n%.800s", addr, private.StatusCode, body)
	}
	if other, err := http.Get("http://" + addr + "/healthz"); err == nil {
		other.Body.Close()
		if other.StatusCode != http.StatusNotFound {
			t.Errorf("the metrics address serves /healthz: %d", other.StatusCode)
		}
	}
}

// --base-url is checked at start, and the links printed for people to
// open start with it.
func TestBaseURLFlag(t *testing.T) {
	var stderr bytes.Buffer
	err := serve(context.Background(), []string{"--data", t.TempDir(), "--base-url", "help.acme.example"}, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--base-url") || !strings.Contains(err.Error(), "https://help.example.com") {
		t.Fatalf("a base URL without a scheme: %v", err)
	}
	srv := startServe(t, serveConfig{storage: dbStorage(t, sqldb.SQLite), baseURL: "https://help.acme.example"})
	if !strings.Contains(srv.stdout.String(), "\n  https://help.acme.example/setup?token=") {
		t.Fatalf("the setup link does not use the base URL:\n%s", srv.stdout)
	}
}
