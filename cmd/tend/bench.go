package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/bench"
	"github.com/tendhq/tend/internal/sqldb"
)

// runBench loads a fresh Tend, run as its own process like in production,
// through its API, then measures list pages, searches and memory.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var st storage
	cfg := bench.Config{Log: stdout}
	var corpus string
	var reuse, keep bool
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&st.data, "data", "", "data folder to load into (default: a new temporary folder)")
	fs.StringVar(&st.db, "db", "", "postgres://... to run on PostgreSQL, in a new schema of that database")
	fs.IntVar(&cfg.Clients, "clients", 16, "concurrent clients while loading")
	fs.IntVar(&cfg.Tickets, "tickets", 100_000, "tickets to create")
	fs.IntVar(&cfg.Messages, "messages", 400_000, "messages in all, first messages included")
	fs.IntVar(&cfg.Lists, "lists", 1000, "list pages to time")
	fs.IntVar(&cfg.Searches, "searches", 500, "searches to time, of each kind")
	fs.StringVar(&corpus, "corpus", defaultCorpus(), "folder of ticket corpora to draw text from")
	fs.BoolVar(&reuse, "reuse", false, "with --data of an earlier run, skip loading and only measure")
	fs.BoolVar(&keep, "keep", false, "keep the data (or PostgreSQL schema) afterwards")
	if err := fs.Parse(args); err != nil {
		return err
	}
	texts, err := bench.LoadTexts(corpus)
	if err != nil {
		return err
	}
	cfg.Texts = texts

	cleanup, err := prepareBenchStorage(ctx, &st, keep, reuse)
	if err != nil {
		return err
	}
	defer cleanup()
	cfg.Token, err = benchToken(ctx, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tend bench: %s, %d CPUs, %d corpus sentences from %q\n", st.describe(), runtime.NumCPU(), texts.Len(), corpus)

	srv, err := startServer(ctx, st, stderr)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(stdout, "server started in %v (process start to first /healthz answered)\n", srv.startup.Round(time.Millisecond))
	cfg.URL = srv.url

	var rep bench.Report
	if !reuse {
		if err := bench.Load(ctx, cfg, &rep); err != nil {
			return err
		}
		if st.db != "" {
			// Searching must not depend on statistics being fresh.
			if rep.SearchMixFresh, err = bench.SearchMix(ctx, cfg); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "search, a word and a sentence's last word, %d clients, before ANALYZE: %s\n", bench.SearchClients, rep.SearchMixFresh)
			// Autovacuum would do this after such a load; it may be off.
			if err := analyze(ctx, st); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "ran ANALYZE on PostgreSQL, as autovacuum does after large changes")
		}
	}
	if err := bench.Read(ctx, cfg, &rep); err != nil {
		return err
	}
	time.Sleep(5 * time.Second)
	rss, err := bench.RSS(srv.cmd.Process.Pid)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "resident memory of the idle server: %.1f MB\n", float64(rss)/(1<<20))
	return srv.stop()
}

func analyze(ctx context.Context, st storage) error {
	a, err := openApp(ctx, st)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.db.Analyze(ctx)
}

func defaultCorpus() string {
	for _, dir := range []string{"../shared/corpora/tickets", "shared/corpora/tickets"} {
		if _, err := os.Stat(dir); err == nil {
			return dir
		}
	}
	return ""
}

// prepareBenchStorage gives the run an empty database: a temporary data
// folder, and on PostgreSQL a new schema.
func prepareBenchStorage(ctx context.Context, st *storage, keep, reuse bool) (func(), error) {
	var cleanups []func()
	cleanup := func() {
		for _, c := range cleanups {
			c()
		}
	}
	if st.data == "" {
		dir, err := os.MkdirTemp("", "tend-bench-")
		if err != nil {
			return nil, err
		}
		st.data = dir
		if !keep {
			cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		}
	}
	if st.db != "" && !reuse {
		schema := fmt.Sprintf("tend_bench_%d", time.Now().Unix())
		dsn, err := sqldb.CreateSchema(ctx, st.db, schema)
		if err != nil {
			cleanup()
			return nil, fmt.Errorf("create schema: %w", err)
		}
		base := st.db
		st.db = dsn
		if keep {
			fmt.Printf("keeping PostgreSQL schema %s; --db %s measures it again with --reuse\n", schema, dsn)
		} else {
			cleanups = append(cleanups, func() { sqldb.DropSchema(context.Background(), base, schema) })
		}
	}
	return cleanup, nil
}

// benchToken makes an admin and an API token for the run.
func benchToken(ctx context.Context, st storage) (string, error) {
	a, err := openApp(ctx, st)
	if err != nil {
		return "", err
	}
	defer a.Close()
	sys := tend.SystemContext(ctx)
	admin, err := findAgentByEmail(ctx, a.agents, "bench@bench.example", st.describe())
	if err != nil {
		admin, err = a.agents.CreateAgent(sys, &tend.AgentCreate{Name: "Bench", Email: "bench@bench.example", Role: tend.RoleAdmin})
		if err != nil {
			return "", err
		}
	}
	_, secret, err := a.tokens.CreateToken(sys, &tend.TokenCreate{AgentID: admin.ID, Name: "bench"})
	return secret, err
}

// server is a 'tend serve' child process.
type server struct {
	cmd     *exec.Cmd
	url     string
	startup time.Duration
	done    chan error
}

func startServer(ctx context.Context, st storage, stderr io.Writer) (*server, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--data", st.data, "--addr", addr, "--log-level", "warn"}
	if st.db != "" {
		args = append(args, "--db", st.db)
	}
	s := &server{cmd: exec.CommandContext(ctx, exe, args...), url: "http://" + addr, done: make(chan error, 1)}
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, stderr
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.done <- s.cmd.Wait() }()
	for time.Since(start) < 30*time.Second {
		resp, err := http.Get(s.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.startup = time.Since(start)
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("tend serve exited: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	s.stop()
	return nil, errors.New("tend serve did not answer /healthz within 30 s")
}

// stop asks the server to shut down gracefully and waits for it.
func (s *server) stop() error {
	if s.cmd.ProcessState != nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(time.Minute):
		s.cmd.Process.Kill()
		return errors.New("tend serve did not stop within a minute")
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
