package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/demo"
	"github.com/tendhq/tend/internal/web"
)

type serveConfig struct {
	storage
	addr              string
	baseURL           string
	metricsAddr       string
	demo              bool
	maxAttachmentSize int64
	secureCookies     bool
	trustProxy        bool
	logLevel          string
	logFormat         string
	mail              mailConfig
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.storage.flags(fs)
	fs.StringVar(&cfg.addr, "addr", env("TEND_ADDR", "127.0.0.1:8080"), "address to serve the web and API on (TEND_ADDR)")
	fs.StringVar(&cfg.baseURL, "base-url", env("TEND_BASE_URL", ""),
		"the address people open Tend at, such as https://help.example.com, for the links it gives out (TEND_BASE_URL); "+
			"without it, the one set under Settings → General")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", env("TEND_METRICS_ADDR", ""),
		"serve /metrics on this address only, instead of beside the web (TEND_METRICS_ADDR)")
	fs.BoolVar(&cfg.demo, "demo", env("TEND_DEMO", "") == "true", "fill an empty database with a demo help desk (TEND_DEMO=true)")
	maxAttachment, err := envInt("TEND_MAX_ATTACHMENT_SIZE", tend.DefaultMaxAttachmentSize)
	if err != nil {
		return err
	}
	fs.Int64Var(&cfg.maxAttachmentSize, "max-attachment-size", maxAttachment, "largest attachment accepted, in bytes (TEND_MAX_ATTACHMENT_SIZE)")
	fs.BoolVar(&cfg.secureCookies, "secure-cookies", env("TEND_SECURE_COOKIES", "") == "true",
		"mark cookies Secure even over plain HTTP, as behind a TLS proxy (TEND_SECURE_COOKIES=true)")
	fs.BoolVar(&cfg.trustProxy, "trust-proxy", env("TEND_TRUST_PROXY", "") == "true",
		"believe X-Forwarded-For and X-Forwarded-Proto from a reverse proxy in front of Tend (TEND_TRUST_PROXY=true)")
	if err := cfg.mail.flags(fs); err != nil {
		return err
	}
	fs.StringVar(&cfg.logLevel, "log-level", env("TEND_LOG_LEVEL", "info"), "debug, info, warn or error (TEND_LOG_LEVEL)")
	fs.StringVar(&cfg.logFormat, "log-format", env("TEND_LOG_FORMAT", "text"), "text or json (TEND_LOG_FORMAT)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.maxAttachmentSize <= 0 {
		return fmt.Errorf("--max-attachment-size must be a positive number of bytes, such as 26214400 for 25 MB")
	}
	if err := cfg.mail.check(); err != nil {
		return err
	}
	if cfg.baseURL != "" {
		cfg.baseURL = tend.NormalizeBaseURL(cfg.baseURL)
		if err := tend.ValidateBaseURL(cfg.baseURL); err != nil {
			return fmt.Errorf("--base-url %q: %s", cfg.baseURL, tend.ErrorFields(err)["base_url"])
		}
	}
	logger, err := newLogger(stderr, cfg.logLevel, cfg.logFormat)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return runServer(ctx, cfg, logger, stdout, nil)
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format: %q is not text or json", format)
}

// runServer serves until ctx ends, then lets requests in flight finish and
// closes the database. If ready is not nil it receives the base URL once
// the server accepts connections.
func runServer(ctx context.Context, cfg serveConfig, logger *slog.Logger, stdout io.Writer, ready chan<- string) error {
	start := time.Now()
	a, err := openApp(ctx, cfg.storage)
	if err != nil {
		return err
	}
	defer func() {
		if err := a.Close(); err != nil {
			logger.Error("close database", "err", err)
		}
		logger.Info("database closed")
	}()
	unlock, err := a.db.LockServer(ctx)
	if err != nil {
		return fmt.Errorf("%w; stop it first, or give this one its own --data or --db", err)
	}
	defer unlock()
	a.tickets.MaxAttachmentSize = cfg.maxAttachmentSize
	advice, err := a.db.Advice(ctx)
	if err != nil {
		return err
	}
	for _, w := range advice {
		logger.Warn(w)
	}

	metrics := web.NewMetrics(poolCollector{a.db})
	srv := &web.Server{
		Agents: a.agents, Teams: a.teams, Customers: a.customers, Organizations: a.organizations, Tickets: a.tickets,
		Search: a.search, Tokens: a.tokens, Sessions: a.tokens, Setup: a.settings, Settings: a.settings, Audit: a.settings,
		Mailboxes: a.mailboxes, Inbound: a.inbound, BlockedSenders: a.blocked, RetryInbound: a.receiver(logger).Retry, Quarantine: a.receiver(logger),
		SavedViews: a.savedViews, Macros: a.macros, Fields: a.fields, Calendars: a.calendars, SLAPolicies: a.slaPolicies, Notifications: a.notifications, Blobs: a.blobs, Ping: a.db.Ping, Logger: logger, Metrics: metrics,
		MaxAttachmentSize: cfg.maxAttachmentSize, SecureCookies: cfg.secureCookies, TrustProxy: cfg.trustProxy,
		MetricsElsewhere: cfg.metricsAddr != "", BaseURL: cfg.baseURL, Clock: a.db.Clock(),
	}
	handler, err := srv.Handler()
	if err != nil {
		return err
	}
	defer srv.Shutdown()
	notify := func(c tend.TicketChange) {
		metrics.TicketChanged(c)
		srv.TicketChanged(c)
	}
	a.tickets.Notify, a.agents.Notify, a.customers.Notify = notify, notify, notify
	a.db.SessionsEnded = srv.SessionsEnded

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	base := "http://" + displayAddr(ln.Addr().String())
	// Links printed for people to open: the public address when one is
	// known, else where this process listens.
	public := base
	if cfg.baseURL != "" {
		public = cfg.baseURL
	}

	if cfg.demo {
		signIns, err := demo.Seed(ctx, demo.Services{Agents: a.agents, Teams: a.teams, Organizations: a.organizations,
			Customers: a.customers, Tickets: a.tickets, Settings: a.settings, Mailboxes: a.mailboxes, Macros: a.macros, Fields: a.fields})
		if err != nil {
			ln.Close()
			return fmt.Errorf("demo: %w", err)
		}
		if err := demoBaseURL(ctx, a, public); err != nil {
			ln.Close()
			return fmt.Errorf("demo: %w", err)
		}
		fmt.Fprintf(stdout, "Demo help desk ready. Sign in at %s/login as any of (password %q):\n", public, demo.Password)
		for _, s := range signIns {
			fmt.Fprintf(stdout, "  %-28s %s\n", s.Email, s.Role)
		}
		fmt.Fprintf(stdout, "Mail to %s sent to the SMTP listener opens a ticket.\n", demo.SupportAddress)
	} else if n, err := a.agents.CountAdmins(ctx); err != nil {
		ln.Close()
		return err
	} else if n == 0 {
		secret, err := a.settings.NewSetupToken(ctx)
		if err != nil {
			ln.Close()
			return err
		}
		fmt.Fprintf(stdout, "No admin yet. Open this link to create the first one (it works once):\n  %s/setup?token=%s\n", public, secret)
	} else if cfg.baseURL == "" {
		if st, err := a.settings.FindSettings(tend.SystemContext(ctx)); err == nil && st.BaseURL == "" {
			logger.Warn("Tend does not know the address people open it at, so it can make no invitation links: " +
				"set it under Settings → General, or start Tend with --base-url")
		}
	}

	stopMail, err := startMail(ctx, a, cfg, logger, stdout)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMail()

	if cfg.metricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.metricsAddr, metrics, logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopMetrics()
	}

	hs := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(srv.Shutdown)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	logger.Info("tend listening", "url", base, "database", cfg.storage.describe(), "data", cfg.data,
		"startup", time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "Tend is listening on %s (%s)\n", base, cfg.storage.describe())
	if ready != nil {
		ready <- base
	}

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		logger.Error("requests still running after 30 s; closing their connections", "err", err)
		hs.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// displayAddr turns a listening address into one a browser can open.
func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}

// serveMetrics serves /metrics alone on addr, for a scraper on a private
// network, until the returned function is called.
func serveMetrics(addr string, metrics *web.Metrics, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr: listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go hs.Serve(ln)
	logger.Info("metrics listening", "url", "http://"+displayAddr(ln.Addr().String())+"/metrics")
	return func() { hs.Close() }, nil
}

// demoBaseURL gives the demo desk an address, so that its invitation
// links work at once: where it listens, unless it has one.
func demoBaseURL(ctx context.Context, a *app, base string) error {
	ctx = tend.SystemContext(ctx)
	st, err := a.settings.FindSettings(ctx)
	if err != nil || st.BaseURL != "" {
		return err
	}
	st.BaseURL = base
	_, err = a.settings.UpdateSettings(ctx, st)
	return err
}
