// Package jobs runs Tend's durable jobs with River, on SQLite or
// PostgreSQL. Jobs are inserted in the transaction of the change that
// causes them (see sqldb.Enqueuer), so a job exists exactly when its
// change committed; River retries failures with backoff.
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	"github.com/tendhq/tend/internal/sqldb"
)

// Queue is River on Tend's database.
type Queue struct {
	// orphans makes jobs left running available again; it returns how many.
	orphans func(ctx context.Context) (int64, error)
	insert  func(ctx context.Context, native any, args river.JobArgs, opts *river.InsertOpts) error
	many    func(ctx context.Context, native any, params []river.InsertManyParams) error
	start   func(ctx context.Context) error
	stop    func(ctx context.Context) error
	close   func() error
}

// Config sets up a Queue.
type Config struct {
	Workers *river.Workers
	Logger  *slog.Logger
	// MaxWorkers is how many jobs run at once.
	MaxWorkers int
	// PollInterval is how often workers look for jobs. On SQLite, which
	// cannot notify, it is also the longest a new job waits.
	PollInterval time.Duration
	// Clock, when set, is River's time, so that tests that move the
	// server's clock move the due jobs with it.
	Clock func() time.Time
	// Periodic are jobs the leader queues on a schedule (SLAPeriodic).
	Periodic []*river.PeriodicJob
}

// clock is a Config.Clock as River's time source.
type clock func() time.Time

func (c clock) Now() time.Time { return c() }
func (c clock) NowOrNil() *time.Time {
	now := c().UTC()
	return &now
}

// Open migrates River's tables and returns a queue on db. Workers start
// with Start.
func Open(ctx context.Context, db *sqldb.DB, cfg Config) (*Queue, error) {
	if cfg.MaxWorkers == 0 {
		// Tend's jobs mostly wait on other servers (a mail relay), so many
		// run at once: a worker sending one mail uses next to no CPU.
		cfg.MaxWorkers = 50
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 200 * time.Millisecond
	}
	rc := &river.Config{
		Queues:            map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}},
		Workers:           cfg.Workers,
		Logger:            cfg.Logger,
		FetchPollInterval: cfg.PollInterval,
		// River fetches at most MaxWorkers jobs, then waits this long
		// before fetching again: the two bound how many jobs a second run.
		FetchCooldown: min(cfg.PollInterval, 25*time.Millisecond),
		MaxAttempts:   16,
		// A job still running after RescueStuckJobsAfter is taken to have
		// died with its process and is run again: after a crash, mail that
		// was being sent goes out within about three minutes, not River's
		// default hour. JobTimeout ends any job well before then, so that a
		// live one is never run twice.
		JobTimeout:           time.Minute,
		RescueStuckJobsAfter: 2 * time.Minute,
	}
	if cfg.Workers == nil {
		rc.Queues = nil // insert-only, as the command-line tools need
	} else {
		rc.PeriodicJobs = cfg.Periodic
	}
	if cfg.Clock != nil {
		rc.Test.Time = clock(cfg.Clock)
	}
	if pool := db.PostgresPool(); pool != nil {
		driver := riverpgxv5.New(pool)
		if err := migrate[pgx.Tx](ctx, driver, cfg.Logger); err != nil {
			return nil, err
		}
		client, err := river.NewClient(driver, rc)
		if err != nil {
			return nil, err
		}
		return &Queue{
			insert: func(ctx context.Context, native any, args river.JobArgs, opts *river.InsertOpts) error {
				_, err := client.InsertTx(ctx, native.(pgx.Tx), args, opts)
				return err
			},
			many: func(ctx context.Context, native any, params []river.InsertManyParams) error {
				_, err := client.InsertManyTx(ctx, native.(pgx.Tx), params)
				return err
			},
			start: client.Start, stop: client.Stop, close: func() error { return nil },
			orphans: func(ctx context.Context) (int64, error) { return recoverOrphans[pgx.Tx](ctx, driver) },
		}, nil
	}
	// River has its own connection to the SQLite file, which takes turns
	// with Tend's writer (see sqldb.DB.JobPool); its inserts join Tend's
	// own transactions.
	pool, err := db.JobPool()
	if err != nil {
		return nil, err
	}
	driver := riversqlite.New(pool)
	if err := migrate[*sql.Tx](ctx, driver, cfg.Logger); err != nil {
		pool.Close()
		return nil, err
	}
	rc.PollOnly = true
	client, err := river.NewClient(driver, rc)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Queue{
		insert: func(ctx context.Context, native any, args river.JobArgs, opts *river.InsertOpts) error {
			_, err := client.InsertTx(ctx, native.(*sql.Tx), args, opts)
			return err
		},
		many: func(ctx context.Context, native any, params []river.InsertManyParams) error {
			_, err := client.InsertManyTx(ctx, native.(*sql.Tx), params)
			return err
		},
		start: client.Start, stop: client.Stop, close: pool.Close,
		orphans: func(ctx context.Context) (int64, error) { return recoverOrphans[*sql.Tx](ctx, driver) },
	}, nil
}

// migrate brings River's tables up to date. River's migrator reports
// each migration it applies, and that there was none, at info: chatter at
// every start-up, so it is logged at debug; warnings and errors stay.
func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], logger *slog.Logger) error {
	if logger != nil {
		logger = slog.New(debugHandler{logger.Handler()})
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: logger})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	return nil
}

// RecoverOrphans runs again, at once, the jobs that were running when the
// server last stopped, such as mail being sent when the power went. Call
// it before Start, and only while holding the server lock
// (sqldb.DB.LockServer): then no job can be running anywhere else.
func (q *Queue) RecoverOrphans(ctx context.Context) (int64, error) {
	n, err := q.orphans(ctx)
	if err != nil {
		return 0, fmt.Errorf("recover jobs left running: %w", err)
	}
	return n, nil
}

// recoverOrphans does at once what River's rescuer does after
// RescueStuckJobsAfter, since the rescuer cannot tell a dead worker from a
// slow one: it makes every running job available again.
func recoverOrphans[TTx any](ctx context.Context, driver riverdriver.Driver[TTx]) (int64, error) {
	exec := driver.GetExecutor()
	var n int64
	for {
		now := time.Now().UTC()
		stuck, err := exec.JobGetStuck(ctx, &riverdriver.JobGetStuckParams{Max: 500, StuckHorizon: now.Add(time.Second)})
		if err != nil || len(stuck) == 0 {
			return n, err
		}
		note, err := json.Marshal(rivertype.AttemptError{At: now, Error: "Tend stopped while this job ran; running it again"})
		if err != nil {
			return n, err
		}
		params := &riverdriver.JobRescueManyParams{StuckHorizon: now.Add(time.Second)}
		for _, job := range stuck {
			params.ID = append(params.ID, job.ID)
			params.Error = append(params.Error, note)
			params.FinalizedAt = append(params.FinalizedAt, nil)
			params.ScheduledAt = append(params.ScheduledAt, now)
			params.State = append(params.State, string(rivertype.JobStateAvailable))
		}
		if _, err := exec.JobRescueMany(ctx, params); err != nil {
			return n, err
		}
		n += int64(len(stuck))
	}
}

// Enqueue inserts job in tx; it runs once tx commits, or at its RunAt
// when it has one.
func (q *Queue) Enqueue(ctx context.Context, tx *sqldb.Tx, job sqldb.Job) error {
	if tx.Native() == nil {
		return fmt.Errorf("enqueue %s: not in a write transaction", job.Kind())
	}
	return q.insert(ctx, tx.Native(), job, insertOpts(job))
}

// EnqueueMany inserts jobs in tx, in one statement.
func (q *Queue) EnqueueMany(ctx context.Context, tx *sqldb.Tx, jobs []sqldb.Job) error {
	if tx.Native() == nil {
		return fmt.Errorf("enqueue %d jobs: not in a write transaction", len(jobs))
	}
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		params[i] = river.InsertManyParams{Args: j, InsertOpts: insertOpts(j)}
	}
	return q.many(ctx, tx.Native(), params)
}

// insertOpts schedules a job that has its moment (RunAt).
func insertOpts(job sqldb.Job) *river.InsertOpts {
	if timed, ok := job.(interface{ RunAt() time.Time }); ok {
		return &river.InsertOpts{ScheduledAt: timed.RunAt()}
	}
	return nil
}

// Start runs the workers until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.start(ctx) }

// Stop lets running jobs finish, stops the workers and closes River's own
// connections.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.stop(ctx)
	if cerr := q.close(); err == nil {
		err = cerr
	}
	return err
}

// debugHandler passes records below warning on at debug level.
type debugHandler struct{ slog.Handler }

func quieter(l slog.Level) slog.Level {
	if l < slog.LevelWarn {
		return min(l, slog.LevelDebug)
	}
	return l
}

func (h debugHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.Handler.Enabled(ctx, quieter(l))
}

func (h debugHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = quieter(r.Level)
	return h.Handler.Handle(ctx, r)
}

func (h debugHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return debugHandler{h.Handler.WithAttrs(attrs)}
}

func (h debugHandler) WithGroup(name string) slog.Handler {
	return debugHandler{h.Handler.WithGroup(name)}
}
