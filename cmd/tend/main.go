// Command tend runs the Tend help desk and its administration commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"
	// The zone database, so that agents' and customers' time zones load
	// on hosts without one (a scratch container).
	_ "time/tzdata"

	"github.com/riverqueue/river"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/blob"
	"github.com/tendhq/tend/internal/jobs"
	"github.com/tendhq/tend/internal/mailin"
	"github.com/tendhq/tend/internal/secret"
	"github.com/tendhq/tend/internal/sqldb"
)

const usage = `Tend is a help desk in one binary.

Usage:
  tend serve [flags]            run the help desk (web, API and workers)
  tend user create [flags]      add a staff member
  tend token create [flags]     print a new API token for a staff member
  tend mail import [flags] PATH import mail files, mboxes and Maildirs
  tend bench [flags]            measure Tend on this machine
  tend version                  print the version

Run 'tend COMMAND -h' for the flags of a command. Every flag has an
environment twin, such as --data and TEND_DATA.
`

var version = "dev"

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tend:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr)
	case "user":
		if len(rest) == 0 || rest[0] != "create" {
			return fmt.Errorf("usage: tend user create --email E --name N --role agent|lead|manager|admin --password-stdin")
		}
		return userCreate(ctx, rest[1:], stdin, stdout, stderr)
	case "token":
		if len(rest) == 0 || rest[0] != "create" {
			return fmt.Errorf("usage: tend token create --email E --name LABEL")
		}
		return tokenCreate(ctx, rest[1:], stdout, stderr)
	case "mail":
		if len(rest) == 0 || rest[0] != "import" {
			return fmt.Errorf("usage: tend mail import [--mailbox ADDRESS] PATH...")
		}
		return mailImport(ctx, rest[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "tend", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// env returns the environment's value for name, or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// envInt returns the environment's whole number for name, or def; a value
// that is not a whole number is an error naming the variable.
func envInt(name string, def int64) (int64, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a whole number", name, v)
	}
	return n, nil
}

// cliError turns a service error into a line for the terminal: the
// user-facing message of a domain error, or the error itself when it is
// an internal one, which an operator needs to see.
func cliError(err error) error {
	if tend.ErrorCode(err) == tend.EINTERNAL {
		return err
	}
	return errors.New(tend.ErrorMessage(err))
}

// storage is where Tend keeps its data: the --data folder and the --db
// address.
type storage struct {
	data string
	db   string
}

func (s *storage) flags(fs *flag.FlagSet) {
	fs.StringVar(&s.data, "data", env("TEND_DATA", "./tend-data"), "data folder: SQLite file, attachments, local outbox (TEND_DATA)")
	fs.StringVar(&s.db, "db", env("TEND_DATABASE_URL", ""), "database: empty for SQLite in the data folder, or postgres://... (TEND_DATABASE_URL)")
}

// dsn returns the database to open.
func (s *storage) dsn() string {
	if s.db != "" {
		return s.db
	}
	return filepath.Join(s.data, "tend.db")
}

// describe names the database for messages: a SQLite file by its full
// path, so that a wrong --data shows, and a PostgreSQL URL without its
// password.
func (s *storage) describe() string {
	if s.db == "" {
		path := s.dsn()
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return "SQLite " + path
	}
	u, err := url.Parse(s.db)
	if err != nil {
		return "PostgreSQL (an address that is not a URL)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	if q := u.Query(); q.Has("password") || q.Has("sslpassword") {
		q.Del("password")
		q.Del("sslpassword")
		u.RawQuery = q.Encode()
	}
	return "PostgreSQL " + u.String()
}

// app is an open database with its services.
type app struct {
	db            *sqldb.DB
	blobs         *blob.Store
	agents        *sqldb.AgentService
	teams         *sqldb.TeamService
	customers     *sqldb.CustomerService
	organizations *sqldb.OrganizationService
	tickets       *sqldb.TicketService
	search        *sqldb.SearchService
	tokens        *sqldb.TokenService
	settings      *sqldb.SettingsService
	mailboxes     *sqldb.MailboxService
	savedViews    *sqldb.SavedViewService
	macros        *sqldb.MacroService
	fields        *sqldb.FieldService
	calendars     *sqldb.CalendarService
	slaPolicies   *sqldb.SLAPolicyService
	notifications *sqldb.NotificationService
	outbox        *sqldb.Outbox
	inbound       *sqldb.InboundService
	outbound      *sqldb.OutboundService
	blocked       *sqldb.BlockedSenderService
	queue         *jobs.Queue // nil until openQueue
}

func openApp(ctx context.Context, st storage) (*app, error) {
	if err := os.MkdirAll(st.data, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	db, err := sqldb.Open(ctx, st.dsn())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", st.describe(), err)
	}
	blobs, err := blob.Open(filepath.Join(st.data, "attachments"))
	if err != nil {
		db.Close()
		return nil, err
	}
	key, err := secret.LoadKey(os.Getenv("TEND_SECRET_KEY"), filepath.Join(st.data, "secret.key"))
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("secret key: %w", err)
	}
	box, err := secret.New(key)
	if err != nil {
		db.Close()
		return nil, err
	}
	a := &app{
		db:            db,
		blobs:         blobs,
		agents:        sqldb.NewAgentService(db),
		teams:         sqldb.NewTeamService(db),
		customers:     sqldb.NewCustomerService(db),
		organizations: sqldb.NewOrganizationService(db),
		tickets:       sqldb.NewTicketService(db, blobs),
		search:        sqldb.NewSearchService(db),
		tokens:        sqldb.NewTokenService(db),
		settings:      sqldb.NewSettingsService(db),
		mailboxes:     sqldb.NewMailboxService(db, box),
		savedViews:    sqldb.NewSavedViewService(db),
		outbox:        sqldb.NewOutbox(db, nil),
		outbound:      sqldb.NewOutboundService(db),
		blocked:       sqldb.NewBlockedSenderService(db),
	}
	a.tickets.Outbox = a.outbox
	a.macros = sqldb.NewMacroService(db, a.tickets)
	a.fields = sqldb.NewFieldService(db)
	a.calendars = sqldb.NewCalendarService(db)
	a.slaPolicies = sqldb.NewSLAPolicyService(db)
	a.notifications = sqldb.NewNotificationService(db)
	a.outbound.Signer = box
	a.agents.Secrets = box
	a.inbound = sqldb.NewInboundService(db, a.tickets, a.outbox)
	a.inbound.Signer = box
	return a, nil
}

// openQueue opens the durable job queue, with workers to run jobs, or
// without to only insert them; mail is queued from then on.
func (a *app) openQueue(ctx context.Context, workers *river.Workers, logger *slog.Logger) error {
	cfg := jobs.Config{Workers: workers, Logger: logger}
	if workers != nil {
		cfg.Periodic = jobs.SLAPeriodic()
	}
	q, err := jobs.Open(ctx, a.db, cfg)
	if err != nil {
		return fmt.Errorf("job queue: %w", err)
	}
	a.queue, a.outbox.Jobs, a.db.Jobs = q, q, q
	return nil
}

// receiver returns the inbound mail pipeline.
func (a *app) receiver(logger *slog.Logger) *mailin.Receiver {
	return &mailin.Receiver{Inbound: a.inbound, Blobs: a.blobs, Logger: logger, Clock: a.db.Clock()}
}

func (a *app) Close() error {
	if a.queue != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		a.queue.Stop(ctx)
	}
	return a.db.Close()
}

// findAgentByEmail returns the agent with that address, as Tend itself.
// where names the database, so that not finding them shows a wrong --data
// or --db.
func findAgentByEmail(ctx context.Context, agents tend.AgentService, email, where string) (*tend.Agent, error) {
	list, _, err := agents.FindAgents(tend.SystemContext(ctx), tend.AgentFilter{Email: email})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("no staff member has the address %s in %s", email, where)
	}
	return list[0], nil
}
