// Package web serves Tend over HTTP: the JSON API under /api/v1, the
// sign-in pages, health and metrics. Handlers are thin: they parse, call a
// domain service, and render; services decide who may do what.
package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/tendhq/tend"
)

// Server holds what the handlers need. cmd/tend fills it in.
type Server struct {
	Agents        tend.AgentService
	Teams         tend.TeamService
	Customers     tend.CustomerService
	Organizations tend.OrganizationService
	Tickets       tend.TicketService
	Search        tend.SearchService
	Tokens        tend.TokenService
	Sessions      tend.SessionService
	Setup         tend.SetupService
	Settings      tend.SettingsService
	Audit         tend.AuditService
	Mailboxes     tend.MailboxService
	SavedViews    tend.SavedViewService
	Macros        tend.MacroService
	Fields        tend.FieldService
	Calendars     tend.CalendarService
	SLAPolicies   tend.SLAPolicyService
	Notifications tend.NotificationService
	Inbound       tend.InboundService
	// BlockedSenders is the list of senders whose mail is ignored.
	BlockedSenders tend.BlockedSenderService
	// RetryInbound runs a quarantined mail through the pipeline again.
	RetryInbound func(ctx context.Context, id int64) (*tend.InboundRecord, error)
	// Quarantine gives inbound mail back as received and makes a ticket
	// of a quarantined one by hand (mailin.Receiver).
	Quarantine interface {
		Raw(ctx context.Context, id int64) (*tend.InboundRecord, io.ReadSeekCloser, error)
		TakeAsTicket(ctx context.Context, id int64) (*tend.InboundRecord, error)
	}

	// Blobs serves attachment content.
	Blobs interface {
		Get(sum string) (io.ReadSeekCloser, error)
	}
	// Ping reports whether the database answers, for /healthz.
	Ping func(ctx context.Context) error

	Logger  *slog.Logger
	Metrics *Metrics

	// MaxAttachmentSize bounds one attachment; requests that carry
	// attachments may be as large as its base64 form plus MaxBodySize.
	MaxAttachmentSize int64
	// MaxBodySize bounds every other request body.
	MaxBodySize int64
	// SecureCookies marks cookies Secure even when the request did not
	// arrive over TLS, as behind a proxy that ends TLS.
	SecureCookies bool
	// TrustProxy believes X-Forwarded-For and X-Forwarded-Proto, which
	// only a reverse proxy in front of Tend may set.
	TrustProxy bool
	// BaseURL is the address people open Tend at (tend serve --base-url);
	// when set it wins over the one stored in the settings. Links Tend
	// gives out are built from one or the other, never from a request.
	BaseURL string
	// MetricsElsewhere leaves /metrics out of Handler: it is served on an
	// address of its own (tend serve --metrics-addr), kept from the public.
	MetricsElsewhere bool
	// SessionTTL is how long a web sign-in lasts.
	SessionTTL time.Duration
	// Clock is the time pages show and decide by: the database's.
	Clock tend.Clock

	pages        *pages
	counts       countCache
	held         heldForms
	invitations  invitationForms
	live         *hub
	stopping     chan struct{}
	stopOnce     sync.Once
	proxyWarning sync.Once

	// LiveKeepAlive and LiveWriteTimeout are how often a live stream says
	// it is there, and how long each write may take; 20 s and 15 s unless
	// a test sets them.
	LiveKeepAlive, LiveWriteTimeout time.Duration
}

// TicketChanged tells open pages about a change to a ticket; it is (part
// of) the ticket service's Notify.
func (s *Server) TicketChanged(c tend.TicketChange) {
	s.counts.changed()
	if s.live != nil {
		s.live.ticketChanged(c)
	}
}

// SessionsEnded ends the live streams of sessions of the agent that have
// ended; it is the store's sqldb.DB.SessionsEnded.
func (s *Server) SessionsEnded(agentID int64) {
	if s.live != nil {
		s.live.sessionsEnded(agentID)
	}
}

// Shutdown ends the live update streams, which would otherwise hold a
// graceful shutdown open; register it with http.Server.RegisterOnShutdown.
func (s *Server) Shutdown() {
	s.stopOnce.Do(func() {
		if s.stopping != nil {
			close(s.stopping)
		}
	})
}

// DefaultMaxBodySize bounds a request without attachments.
const DefaultMaxBodySize = 1 << 20

// Handler returns the server's routes wrapped in its middleware. It fails
// if a template cannot be parsed.
func (s *Server) Handler() (http.Handler, error) {
	if s.Logger == nil {
		s.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.MaxBodySize == 0 {
		s.MaxBodySize = DefaultMaxBodySize
	}
	if s.MaxAttachmentSize == 0 {
		s.MaxAttachmentSize = tend.DefaultMaxAttachmentSize
	}
	if s.SessionTTL == 0 {
		s.SessionTTL = 7 * 24 * time.Hour
	}
	if s.Metrics == nil {
		s.Metrics = NewMetrics()
	}
	if s.live == nil {
		s.live, s.stopping = newHub(), make(chan struct{})
		go s.expirePresence()
	}
	p, err := loadPages(s.Clock)
	if err != nil {
		return nil, err
	}
	s.pages = p

	mux := http.NewServeMux()
	for _, rt := range s.apiRoutes() {
		mux.Handle(rt.method+" "+apiPrefix+rt.path, s.requireToken(rt.handler))
	}
	mux.HandleFunc("GET "+apiPrefix+"/openapi.json", serveOpenAPI)
	mux.HandleFunc(apiPrefix+"/", s.apiNotFound)
	mux.HandleFunc("GET /healthz", s.healthz)
	if !s.MetricsElsewhere {
		mux.Handle("GET /metrics", s.Metrics.Handler())
	}
	s.pageRoutes(mux)

	// withSource comes first: it passes on a copy of the request, and the
	// route pattern that observe reports is set on the request the mux gets.
	return s.withSource(s.observe(s.recoverPanics(securityHeaders(mux)))), nil
}

// withSource tells the services where each request comes from, for the
// limits on guessing passwords.
func (s *Server) withSource(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.TrustProxy && r.Header.Get("X-Forwarded-For") != "" {
			s.proxyWarning.Do(func() {
				s.Logger.Warn("requests come through a proxy (they carry X-Forwarded-For) but --trust-proxy is off: " +
					"every client then has the proxy's address, in the logs and in the limits on guessing passwords, " +
					"where one client's failures slow down everyone. Start Tend with --trust-proxy if the proxy is yours.")
			})
		}
		next.ServeHTTP(w, r.WithContext(tend.NewContextWithSource(r.Context(), s.clientIP(r))))
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if s.Ping != nil {
		if err := s.Ping(ctx); err != nil {
			s.Logger.Error("health check", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "database unavailable\n")
			return
		}
	}
	io.WriteString(w, "ok\n")
}

// expirePresence forgets pages that went quiet, until shutdown.
func (s *Server) expirePresence() {
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case now := <-tick.C:
			s.live.expire(now)
		case <-s.stopping:
			return
		}
	}
}
