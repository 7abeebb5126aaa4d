// Package sqldb stores Tend's data in SQLite or PostgreSQL: one set of
// services and one set of SQL statements for both, with the few real
// differences kept in dialect.go.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/password"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Engine names a database engine.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB is an open Tend database.
type DB struct {
	engine Engine

	// SQLite allows one writer at a time. Writes queue in Go for one
	// writer goroutine (see writer.go), which keeps one connection and its
	// prepared statements; reads use their own pool and run beside the
	// writer thanks to WAL.
	sqliteWrite *sql.DB
	sqliteRead  *sql.DB
	writes      chan *writeRequest
	closing     chan struct{}
	writerDone  chan struct{}
	writer      *sql.Conn  // used by the writer goroutine only
	writeStmts  *stmtCache // statements prepared on writer
	turn        turn       // taken by the writer for each batch, and by River (see turn.go)
	readStmts   *stmtCache
	path        string

	pool *pgxpool.Pool

	// Now returns the current time. Tests and the demo generator replace it.
	Now func() time.Time
	// PasswordParams sets the cost of new password hashes.
	PasswordParams password.Params
	// SessionsEnded, if set, hears after commit of each change that ended
	// sessions of an agent (signing out, deactivation, a new password), so
	// that whatever those sessions hold open can end with them.
	SessionsEnded func(agentID int64)
	// Jobs, if set, queues the mail of notifications in the change that
	// writes them (the outbox of customer mail has its own, left unset
	// where a change mails no customer).
	Jobs Enqueuer

	// slaGen counts the changes to the service-level setup (calendars,
	// policies, the warning share); slaCache is the setup as last read,
	// good while its gen is slaGen.
	slaGen   atomic.Int64
	slaCache atomic.Pointer[slaSetup]
}

func (db *DB) sessionsEnded(agentID int64) {
	if db.SessionsEnded != nil {
		db.SessionsEnded(agentID)
	}
}

// Engine returns the engine db runs on.
func (db *DB) Engine() Engine { return db.engine }

// Open opens the database that dsn names and brings its schema up to date:
// a postgres:// or postgresql:// URL for PostgreSQL, anything else the path
// of a SQLite file (created if missing).
func Open(ctx context.Context, dsn string) (*DB, error) {
	return open(ctx, dsn, false, nil)
}

// ErrNoDatabase is returned by OpenExisting where Tend has never set up a
// database.
var ErrNoDatabase = errors.New("no Tend database there")

// OpenExisting is Open for a database Tend has set up before: it returns
// ErrNoDatabase, and creates nothing, for a SQLite file that does not exist
// or a database without Tend's schema. The command-line tools use it, so
// that one pointed at the wrong place does not make an empty help desk
// there and work on it.
func OpenExisting(ctx context.Context, dsn string) (*DB, error) {
	return open(ctx, dsn, true, nil)
}

// open opens dsn and applies the migrations that apply accepts, or all
// of them when it is nil.
func open(ctx context.Context, dsn string, existing bool, apply func(version string) bool) (*DB, error) {
	var db *DB
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err = openPostgres(ctx, dsn)
	} else {
		if existing {
			// Looked at read-only first: opening for Tend makes the file
			// private and switches it to WAL, which a file that is not
			// Tend's must not undergo.
			if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
				return nil, ErrNoDatabase
			} else if ok, err := sqliteHasSchema(ctx, dsn); err != nil {
				return nil, err
			} else if !ok {
				return nil, ErrNoDatabase
			}
		}
		db, err = openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if existing {
		ok, err := db.hasSchema(ctx)
		if err == nil && !ok {
			err = ErrNoDatabase
		}
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := db.migrate(ctx, apply); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

func openSQLite(path string) (*DB, error) {
	if path == "" {
		return nil, fmt.Errorf("open sqlite: no path given")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	if err := makePrivate(path); err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	// synchronous=FULL: a commit reaches the disk before it returns, so an
	// acknowledged message survives a power cut, not just a crash.
	write, err := sql.Open("sqlite", sqliteDSN(path, "&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"))
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Create the file and switch it to WAL before readers connect.
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", sqliteDSN(path, "&_pragma=query_only(1)"))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxIdleTime(5 * time.Minute)
	db := &DB{engine: SQLite, sqliteWrite: write, sqliteRead: read,
		writes: make(chan *writeRequest), turn: make(turn, 1), closing: make(chan struct{}), writerDone: make(chan struct{}),
		writeStmts: newStmtCache(), readStmts: newStmtCache(), path: path, Now: time.Now, PasswordParams: password.Default}
	go db.writeLoop()
	return db, nil
}

// sqliteDSN returns the address of the SQLite file at path, with the
// settings every connection needs and then extra.
func sqliteDSN(path, extra string) string {
	return "file:" + escapePath(path) + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=temp_store(memory)" + extra
}

func escapePath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		// Read times in UTC, as from SQLite, whatever the server's zone.
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return &DB{engine: Postgres, pool: pool, Now: time.Now, PasswordParams: password.Default}, nil
}

// makePrivate creates the SQLite file at path readable by its owner only,
// or takes the group's and others' access away from one that exists, with
// its -wal and -shm files: they hold every customer's mail. SQLite gives
// the -wal and -shm files it creates the database file's mode.
func makePrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(p, fi.Mode().Perm()&^0o077); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close closes the database. For SQLite it also folds the write-ahead log
// into the main file, so a stopped Tend leaves one tidy file behind.
func (db *DB) Close() error {
	if db.pool != nil {
		db.pool.Close()
		return nil
	}
	close(db.closing)
	<-db.writerDone
	db.readStmts.close()
	db.writeStmts.close()
	if db.writer != nil {
		db.writer.Close()
	}
	_ = db.sqliteRead.Close()
	_, _ = db.sqliteWrite.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	return db.sqliteWrite.Close()
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if db.pool != nil {
		return db.pool.Ping(ctx)
	}
	return db.sqliteRead.PingContext(ctx)
}

// PoolStats describes the connection pools, for metrics.
type PoolStats struct {
	Pool     string // "write", "read" or "postgres"
	Open     int
	InUse    int
	Idle     int
	MaxOpen  int
	WaitTime time.Duration // total time spent waiting for a connection
	Waits    int64
}

// Stats returns the state of each connection pool.
func (db *DB) Stats() []PoolStats {
	if db.pool != nil {
		s := db.pool.Stat()
		return []PoolStats{{Pool: "postgres", Open: int(s.TotalConns()), InUse: int(s.AcquiredConns()),
			Idle: int(s.IdleConns()), MaxOpen: int(s.MaxConns()), WaitTime: s.EmptyAcquireWaitTime(),
			Waits: s.EmptyAcquireCount()}}
	}
	conv := func(name string, s sql.DBStats) PoolStats {
		return PoolStats{Pool: name, Open: s.OpenConnections, InUse: s.InUse, Idle: s.Idle,
			MaxOpen: s.MaxOpenConnections, WaitTime: s.WaitDuration, Waits: s.WaitCount}
	}
	return []PoolStats{conv("write", db.sqliteWrite.Stats()), conv("read", db.sqliteRead.Stats())}
}

// Clock is the clock of everything Tend decides: db.Now, as it is when
// read, so that a test or the demo moving db.Now moves it too.
func (db *DB) Clock() tend.Clock { return func() time.Time { return db.Now() } }

// now returns the current time in the precision both engines keep.
func (db *DB) now() time.Time { return db.Now().UTC().Truncate(time.Microsecond) }

// nowFor returns the time a change made under ctx happens at: the one ctx
// carries (see tend.NewContextWithTime), or now.
func (db *DB) nowFor(ctx context.Context) time.Time {
	if t, ok := tend.TimeFromContext(ctx); ok {
		return t.UTC().Truncate(time.Microsecond)
	}
	return db.now()
}

// Tx is a unit of work: a transaction for writes, or the read pool for
// reads. Its now is fixed when it starts, so every row it writes carries
// the same time.
type Tx struct {
	querier
	db  *DB
	now time.Time
	// native is the engine's own transaction (*sql.Tx or pgx.Tx) for work
	// that must join it, such as inserting River jobs; nil for reads.
	native any
	// sla is the service-level setup, read once per transaction by the
	// first change that lays out deadlines (a recompute changes hundreds).
	sla *slaSetup
	// batch, while set, pools the reads and writes of many changes
	// (changeBatch).
	batch *changeBatch
}

// Native returns the engine's own transaction: a *sql.Tx on SQLite, a
// pgx.Tx on PostgreSQL, nil outside a write.
func (tx *Tx) Native() any { return tx.native }

// write runs fn in a transaction and commits it if fn returns nil.
func (db *DB) write(ctx context.Context, fn func(tx *Tx) error) error {
	if db.pool != nil {
		ptx, err := db.pool.Begin(ctx)
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		defer ptx.Rollback(context.WithoutCancel(ctx))
		if err := fn(&Tx{querier: pgQuerier{ptx}, db: db, now: db.nowFor(ctx), native: ptx}); err != nil {
			return err
		}
		if err := ptx.Commit(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("commit: %w", translateError(err))
		}
		return nil
	}
	return db.writeSQLite(ctx, fn)
}

// read runs fn against the read pool, outside any transaction.
func (db *DB) read(ctx context.Context, fn func(q *Tx) error) error {
	if db.pool != nil {
		return fn(&Tx{querier: pgQuerier{db.pool}, db: db, now: db.nowFor(ctx)})
	}
	return fn(&Tx{querier: sqliteQuerier{pool: db.sqliteRead, stmts: db.readStmts}, db: db, now: db.nowFor(ctx)})
}

// readIndexed is read, except that on PostgreSQL fn runs in a read-only
// transaction whose statements are planned without sequential scans: for
// statements that have one right way to read a table, which the planner
// cannot tell from its estimates (see pgNewest).
func (db *DB) readIndexed(ctx context.Context, fn func(q *Tx) error) error {
	if db.pool == nil {
		return db.read(ctx, fn)
	}
	ptx, err := db.pool.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer ptx.Rollback(context.WithoutCancel(ctx))
	if _, err := ptx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		return err
	}
	if err := fn(&Tx{querier: pgQuerier{ptx}, db: db, now: db.nowFor(ctx)}); err != nil {
		return err
	}
	return ptx.Commit(context.WithoutCancel(ctx))
}

// CreateSchema creates a new schema on the PostgreSQL server at url and
// returns url pointed at it, so that tests and benchmarks each get an
// empty database without creating one.
func CreateSchema(ctx context.Context, url, schema string) (string, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "", err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return "", err
	}
	return withSearchPath(url, schema)
}

// DropSchema removes a schema made by CreateSchema, with everything in it.
func DropSchema(ctx context.Context, url, schema string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	return err
}

func withSearchPath(rawURL, schema string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Advice returns warnings about the database's setup that an operator
// should act on; none for SQLite.
func (db *DB) Advice(ctx context.Context) ([]string, error) {
	if db.pool == nil {
		return nil, nil
	}
	var autovacuum string
	if err := db.pool.QueryRow(ctx, `SELECT current_setting('autovacuum')`).Scan(&autovacuum); err != nil {
		return nil, err
	}
	if autovacuum == "off" {
		return []string{"PostgreSQL's autovacuum is off, so planner statistics go stale and searches and lists slow down " +
			"as the help desk grows: turn autovacuum on, or run ANALYZE after large imports and regularly"}, nil
	}
	return nil, nil
}

// Analyze refreshes PostgreSQL's planner statistics now, as autovacuum does
// after large changes. It does nothing on SQLite, whose queries are written
// for its indexes and which Tend keeps free of ANALYZE data: with it,
// modernc.org/sqlite prepares statements anew on every call.
func (db *DB) Analyze(ctx context.Context) error {
	if db.pool == nil {
		return nil
	}
	_, err := db.pool.Exec(ctx, "ANALYZE")
	return err
}

// PostgresPool returns the PostgreSQL pool, nil on SQLite.
func (db *DB) PostgresPool() *pgxpool.Pool { return db.pool }
