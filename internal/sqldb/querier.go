package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// querier runs SQL on either engine. Statements are written once, with
// PostgreSQL's $1 placeholders and time.Time values; the SQLite querier
// rewrites placeholders to ?1 and stores times as integer microseconds.
type querier interface {
	exec(ctx context.Context, query string, args ...any) (int64, error)
	query(ctx context.Context, query string, args ...any) (rows, error)
	queryRow(ctx context.Context, query string, args ...any) row
	script(ctx context.Context, sql string) error
}

type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

type row interface {
	Scan(dest ...any) error
}

// pgQuerier runs on a pgx pool or transaction; pgx caches prepared
// statements per connection itself.
type pgQuerier struct {
	q interface {
		Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}
}

func (p pgQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := p.q.Exec(ctx, query, args...)
	if err != nil {
		return 0, translateError(err)
	}
	return tag.RowsAffected(), nil
}

func (p pgQuerier) script(ctx context.Context, sql string) error {
	_, err := p.q.Exec(ctx, sql) // without arguments pgx sends it unprepared
	return err
}

func (p pgQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := p.q.Query(ctx, query, args...)
	if err != nil {
		return nil, translateError(err)
	}
	return pgRows{r}, nil
}

func (p pgQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	return pgRow{p.q.QueryRow(ctx, query, args...)}
}

type pgRows struct{ pgx.Rows }

func (r pgRows) Err() error { return translateError(r.Rows.Err()) }

type pgRow struct{ r pgx.Row }

func (r pgRow) Scan(dest ...any) error { return translateError(r.r.Scan(dest...)) }

// sqliteQuerier runs on the read pool or on the writer connection.
// Statements are prepared once per connection and reused: parsing SQL
// costs SQLite more than running the small statements Tend issues.
type sqliteQuerier struct {
	pool  preparer
	stmts *stmtCache
	// detached runs statements whatever becomes of the caller's context.
	detached bool
}

// preparer is a *sql.DB or a *sql.Conn.
type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// stmt returns the prepared statement for query, and what to call when
// done with it: it closes statements the cache did not keep.
func (s sqliteQuerier) stmt(ctx context.Context, query string) (*sql.Stmt, func(), error) {
	return s.stmts.get(ctx, s.pool, sqliteSQL(query))
}

func (s sqliteQuerier) context(ctx context.Context) context.Context {
	if s.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

func (s sqliteQuerier) exec(ctx context.Context, query string, args ...any) (int64, error) {
	ctx = s.context(ctx)
	st, done, err := s.stmt(ctx, query)
	if err != nil {
		return 0, translateError(err)
	}
	defer done()
	res, err := st.ExecContext(ctx, sqliteArgs(args)...)
	if err != nil {
		return 0, translateError(err)
	}
	return res.RowsAffected()
}

func (s sqliteQuerier) query(ctx context.Context, query string, args ...any) (rows, error) {
	ctx = s.context(ctx)
	st, done, err := s.stmt(ctx, query)
	if err != nil {
		return nil, translateError(err)
	}
	r, err := st.QueryContext(ctx, sqliteArgs(args)...)
	if err != nil {
		done()
		return nil, translateError(err)
	}
	return &sqliteRows{r: r, done: done}, nil
}

func (s sqliteQuerier) queryRow(ctx context.Context, query string, args ...any) row {
	ctx = s.context(ctx)
	st, done, err := s.stmt(ctx, query)
	if err != nil {
		return errRow{translateError(err)}
	}
	return sqliteRow{r: st.QueryRowContext(ctx, sqliteArgs(args)...), done: done}
}

// script runs several statements, unprepared, as migrations need.
func (s sqliteQuerier) script(ctx context.Context, sql string) error {
	_, err := s.pool.ExecContext(s.context(ctx), sql)
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// stmtCache holds the prepared statements of one pool. Lists build their
// SQL from filters, so the number of distinct statements is bounded but
// not small; past maxCached, statements are prepared for one use and
// closed after it.
type stmtCache struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
	// runs counts the statements run through the cache, so that tests can
	// tell what an operation costs.
	runs atomic.Int64
}

const maxCached = 1000

func newStmtCache() *stmtCache { return &stmtCache{stmts: map[string]*sql.Stmt{}} }

func (c *stmtCache) get(ctx context.Context, pool preparer, query string) (*sql.Stmt, func(), error) {
	c.runs.Add(1)
	keep := func() {}
	c.mu.Lock()
	st, ok := c.stmts[query]
	c.mu.Unlock()
	if ok {
		return st, keep, nil
	}
	st, err := pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prior, ok := c.stmts[query]; ok {
		st.Close()
		return prior, keep, nil
	}
	if len(c.stmts) >= maxCached {
		return st, func() { st.Close() }, nil
	}
	c.stmts[query] = st
	return st, keep, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}

type sqliteRows struct {
	r    *sql.Rows
	done func() // called once, on Close
}

func (r *sqliteRows) Next() bool             { return r.r.Next() }
func (r *sqliteRows) Err() error             { return translateError(r.r.Err()) }
func (r *sqliteRows) Scan(dest ...any) error { return scanSQLite(r.r.Scan, dest) }

func (r *sqliteRows) Close() {
	r.r.Close()
	if r.done != nil {
		r.done()
		r.done = nil
	}
}

type sqliteRow struct {
	r    *sql.Row
	done func()
}

func (r sqliteRow) Scan(dest ...any) error {
	defer r.done()
	return translateError(scanSQLite(r.r.Scan, dest))
}

// scanSQLite scans times from their integer microseconds.
func scanSQLite(scan func(...any) error, dest []any) error {
	var conv []func()
	for i, d := range dest {
		switch d := d.(type) {
		case *time.Time:
			var v int64
			dest[i] = &v
			conv = append(conv, func() { *d = time.UnixMicro(v).UTC() })
		case **time.Time:
			var v sql.NullInt64
			dest[i] = &v
			conv = append(conv, func() {
				if v.Valid {
					t := time.UnixMicro(v.Int64).UTC()
					*d = &t
				} else {
					*d = nil
				}
			})
		}
	}
	if err := scan(dest...); err != nil {
		return err
	}
	for _, c := range conv {
		c()
	}
	return nil
}

func sqliteArgs(in []any) []any {
	out := make([]any, len(in))
	for i, a := range in {
		switch a := a.(type) {
		case time.Time:
			out[i] = a.UnixMicro()
		case *time.Time:
			if a != nil {
				out[i] = a.UnixMicro()
			}
		default:
			out[i] = a
		}
	}
	return out
}

// sqliteStatements remembers rewritten statements, up to a bound: the
// statements of lists vary with their filters.
var sqliteStatements struct {
	sync.Map // PostgreSQL text -> SQLite text
	n        atomic.Int64
}

// sqliteSQL rewrites $N placeholders to SQLite's ?N, which binds by number
// just as $N does.
func sqliteSQL(query string) string {
	if s, ok := sqliteStatements.Load(query); ok {
		return s.(string)
	}
	var b strings.Builder
	b.Grow(len(query))
	for i := 0; i < len(query); i++ {
		c := query[i]
		if c == '$' && i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9' {
			c = '?'
		}
		b.WriteByte(c)
	}
	s := b.String()
	if sqliteStatements.n.Add(1) <= maxCached {
		sqliteStatements.Store(query, s)
	}
	return s
}

// args collects statement arguments and hands out their placeholders.
type args []any

// add appends v and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

// list appends each value and returns their placeholders, comma-separated.
func list[T any](a *args, values []T) string {
	ph := make([]string, len(values))
	for i, v := range values {
		ph[i] = a.add(v)
	}
	return strings.Join(ph, ", ")
}
