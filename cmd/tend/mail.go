package main

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/imapfetch"
	"github.com/tendhq/tend/internal/jobs"
	"github.com/tendhq/tend/internal/outbound"
	"github.com/tendhq/tend/internal/smtpd"
)

// mailConfig is how Tend receives and sends mail.
type mailConfig struct {
	smtpAddr        string
	maxSessions     int // SMTP connections open at once, in all
	maxPerIP        int // and from one IPv4 address or IPv6 /64
	relay           string
	relayUser       string
	relayPassword   string
	tlsCert, tlsKey string
	maxMessageSize  int64
	imapInterval    time.Duration
	// trustedAuthHosts: whose Authentication-Results to believe.
	trustedAuthHosts string
}

func (c *mailConfig) flags(fs *flag.FlagSet) error {
	fs.StringVar(&c.smtpAddr, "smtp-addr", env("TEND_SMTP_ADDR", "127.0.0.1:2525"),
		"address to receive mail on over SMTP; empty to receive none (TEND_SMTP_ADDR)")
	sessions, err := envInt("TEND_SMTP_MAX_SESSIONS", 100)
	if err != nil {
		return err
	}
	fs.IntVar(&c.maxSessions, "smtp-max-sessions", int(sessions), "SMTP connections open at once; more are refused with 421 (TEND_SMTP_MAX_SESSIONS)")
	perIP, err := envInt("TEND_SMTP_MAX_SESSIONS_PER_IP", 10)
	if err != nil {
		return err
	}
	fs.IntVar(&c.maxPerIP, "smtp-max-sessions-per-ip", int(perIP),
		"SMTP connections open at once from one IPv4 address or IPv6 /64 (TEND_SMTP_MAX_SESSIONS_PER_IP)")
	fs.StringVar(&c.relay, "smtp-relay", env("TEND_SMTP_RELAY", ""),
		"host:port of the SMTP relay that sends mail; empty writes it to DATA/outbox instead (TEND_SMTP_RELAY)")
	fs.StringVar(&c.relayUser, "smtp-relay-user", env("TEND_SMTP_RELAY_USER", ""), "user to authenticate to the relay as (TEND_SMTP_RELAY_USER)")
	fs.StringVar(&c.relayPassword, "smtp-relay-password", env("TEND_SMTP_RELAY_PASSWORD", ""),
		"password for the relay; prefer the environment variable (TEND_SMTP_RELAY_PASSWORD)")
	fs.StringVar(&c.tlsCert, "smtp-tls-cert", env("TEND_SMTP_TLS_CERT", ""), "certificate file for STARTTLS on the listener (TEND_SMTP_TLS_CERT)")
	fs.StringVar(&c.tlsKey, "smtp-tls-key", env("TEND_SMTP_TLS_KEY", ""), "key file for STARTTLS on the listener (TEND_SMTP_TLS_KEY)")
	size, err := envInt("TEND_MAX_MESSAGE_SIZE", 25<<20)
	if err != nil {
		return err
	}
	fs.Int64Var(&c.maxMessageSize, "max-message-size", size, "largest inbound mail accepted, in bytes (TEND_MAX_MESSAGE_SIZE)")
	fs.StringVar(&c.trustedAuthHosts, "mail-trusted-auth-hosts", env("TEND_MAIL_TRUSTED_AUTH_HOSTS", ""),
		"comma-separated authentication service ids (such as mx.example.com) of the upstream mail servers whose "+
			"Authentication-Results headers Tend believes; mail failing DMARC there cannot join a ticket by its number "+
			"and is acknowledged without its subject (TEND_MAIL_TRUSTED_AUTH_HOSTS)")
	fs.DurationVar(&c.imapInterval, "imap-interval", time.Minute, "how often to poll IMAP accounts (TEND_IMAP_INTERVAL)")
	if v := env("TEND_IMAP_INTERVAL", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("TEND_IMAP_INTERVAL=%q is not a duration such as 1m", v)
		}
		c.imapInterval = d
	}
	return nil
}

func (c *mailConfig) check() error {
	switch {
	case c.maxMessageSize <= 0:
		return errors.New("--max-message-size must be a positive number of bytes")
	case c.maxSessions <= 0 || c.maxPerIP <= 0:
		return errors.New("--smtp-max-sessions and --smtp-max-sessions-per-ip must be positive")
	case c.imapInterval < time.Second:
		return errors.New("--imap-interval must be at least 1s")
	case (c.tlsCert == "") != (c.tlsKey == ""):
		return errors.New("--smtp-tls-cert and --smtp-tls-key go together")
	case c.relay != "" && !strings.Contains(c.relay, ":"):
		return fmt.Errorf("--smtp-relay %q needs a port, as in smtp.example.com:587", c.relay)
	}
	return nil
}

// transport returns where outbound mail goes: the relay, or the outbox
// folder in the data folder.
func (c *mailConfig) transport(data string) (outbound.Transport, string) {
	if c.relay == "" {
		dir := filepath.Join(data, "outbox")
		return outbound.Outbox{Dir: dir}, "written to " + dir
	}
	return outbound.Relay{Addr: c.relay, Username: c.relayUser, Password: c.relayPassword},
		"sent through " + c.relay
}

// startMail starts the job queue with its mail sender, the SMTP listener
// and the IMAP poller. stop shuts them down in order: no new mail in,
// then the queue finishes what it is sending.
func startMail(ctx context.Context, a *app, cfg serveConfig, logger *slog.Logger, stdout io.Writer) (stop func(), err error) {
	transport, where := cfg.mail.transport(cfg.data)
	workers := river.NewWorkers()
	river.AddWorker(workers, &outbound.Sender{Store: a.outbound, Content: blobContent(a), Transport: transport, Logger: logger})
	river.AddWorker(workers, &outbound.NotificationSender{Store: a.notifications, Transport: transport, Logger: logger})
	river.AddWorker(workers, &outbound.InvitationSender{Store: a.agents, Transport: transport, Logger: logger, BaseURL: cfg.baseURL})
	jobs.AddSLAWorkers(workers, a.tickets, logger)
	if err := a.openQueue(ctx, workers, logger); err != nil {
		return nil, err
	}
	// This process holds the server lock: jobs left running died with the
	// last server, and run again now rather than when River's rescuer
	// would notice them.
	if n, err := a.queue.RecoverOrphans(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		logger.Warn("jobs were running when Tend last stopped; running them again", "jobs", n)
	}
	if err := a.queue.Start(ctx); err != nil {
		return nil, fmt.Errorf("start job queue: %w", err)
	}
	// Open tickets from before service levels are laid out once, in the
	// background.
	go func() {
		if n, err := a.tickets.LayOutMissingSLA(tend.SystemContext(ctx)); err != nil {
			logger.Error("laying out service levels of open tickets", "err", err)
		} else if n > 0 {
			logger.Info("service levels laid out for open tickets that had none", "tickets", n)
		}
	}()
	for _, host := range strings.Split(cfg.mail.trustedAuthHosts, ",") {
		if host = strings.TrimSpace(host); host != "" {
			a.inbound.TrustedAuthHosts = append(a.inbound.TrustedAuthHosts, host)
		}
	}
	receiver := a.receiver(logger)
	var stops []func()
	stopAll := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if cfg.mail.smtpAddr != "" {
		var tlsConfig *tls.Config
		if cfg.mail.tlsCert != "" {
			cert, err := tls.LoadX509KeyPair(cfg.mail.tlsCert, cfg.mail.tlsKey)
			if err != nil {
				return nil, fmt.Errorf("SMTP certificate: %w", err)
			}
			tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		}
		srv, err := smtpd.New(smtpd.Config{Addr: cfg.mail.smtpAddr, MaxMessageBytes: cfg.mail.maxMessageSize, TLS: tlsConfig,
			MaxSessions: cfg.mail.maxSessions, MaxSessionsPerIP: cfg.mail.maxPerIP, SpoolDir: filepath.Join(cfg.data, "spool")},
			a.mailboxes, receiver, logger)
		if err != nil {
			return nil, err
		}
		ln, err := net.Listen("tcp", cfg.mail.smtpAddr)
		if err != nil {
			return nil, fmt.Errorf("listen for SMTP on %s: %w", cfg.mail.smtpAddr, err)
		}
		go func() {
			if err := srv.Serve(ln); err != nil && !errors.Is(err, net.ErrClosed) {
				logger.Error("smtp listener stopped", "err", err)
			}
		}()
		stops = append(stops, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
		})
		fmt.Fprintf(stdout, "Receiving mail over SMTP on %s; outbound mail is %s\n", ln.Addr(), where)
	}
	// A configuration made in code rather than from flags (as tests make
	// it) may leave the interval unset.
	interval := cmp.Or(cfg.mail.imapInterval, time.Minute)
	pollCtx, cancelPoll := context.WithCancel(context.Background())
	poller := &imapfetch.Poller{Mailboxes: a.mailboxes, Receiver: receiver, Interval: interval,
		MaxMessageBytes: cfg.mail.maxMessageSize, Logger: logger}
	polled := make(chan struct{})
	go func() { poller.Run(pollCtx); close(polled) }()
	stops = append(stops, func() { cancelPoll(); <-polled })
	return stopAll, nil
}

func blobContent(a *app) func(string) (io.ReadCloser, error) {
	return func(sum string) (io.ReadCloser, error) { return a.blobs.Get(sum) }
}
