package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// SQLite lets one connection write at a time, and a connection that finds
// the file locked sleeps and tries again. Against Tend's writer, which
// commits batch after batch while mail streams in, such a connection can
// lose every time: River, on connections of its own, would not send a
// single mail until the stream ended. So writers take turns in Go instead:
// the writer goroutine for each batch and River for each of its
// transactions and statements wait in one queue, served in order.

// turn is the right to write to the SQLite file; whoever holds its one
// slot may write.
type turn chan struct{}

func (t turn) take(ctx context.Context) error {
	select {
	case t <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t turn) give() { <-t }

// JobPool returns connections to the SQLite file for River, which wait
// their turn with Tend's writer. River's inserts do not use it: they join
// Tend's own transactions.
func (db *DB) JobPool() (*sql.DB, error) {
	if db.engine != SQLite {
		return nil, fmt.Errorf("JobPool is for SQLite; River uses the PostgreSQL pool")
	}
	pool := sql.OpenDB(turnConnector{dsn: sqliteDSN(db.path, "&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate"),
		driver: db.sqliteWrite.Driver(), turn: db.turn})
	pool.SetMaxOpenConns(1)
	return pool, nil
}

type turnConnector struct {
	dsn    string
	driver driver.Driver
	turn   turn
}

func (c turnConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &turnConn{conn: conn.(sqliteConn), turn: c.turn}, nil
}

func (c turnConnector) Driver() driver.Driver { return c.driver }

// sqliteConn is what the SQLite driver's connections do.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// turnConn holds the turn from the start of a transaction to its end, and
// for each statement run outside one, until its rows are closed.
type turnConn struct {
	conn sqliteConn
	turn turn
	inTx bool
}

func (c *turnConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *turnConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &turnStmt{Stmt: st, c: c}, nil
}

func (c *turnConn) Close() error { return c.conn.Close() }

func (c *turnConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *turnConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if err := c.turn.take(ctx); err != nil {
		return nil, err
	}
	tx, err := c.conn.BeginTx(ctx, opts)
	if err != nil {
		c.turn.give()
		return nil, err
	}
	c.inTx = true
	return &turnTx{tx: tx, c: c}, nil
}

// outsideTx takes the turn for one statement run outside a transaction;
// release gives it back.
func (c *turnConn) outsideTx(ctx context.Context) (release func(), err error) {
	if c.inTx {
		return func() {}, nil
	}
	if err := c.turn.take(ctx); err != nil {
		return nil, err
	}
	return c.turn.give, nil
}

func (c *turnConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	release, err := c.outsideTx(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return c.conn.ExecContext(ctx, query, args)
}

func (c *turnConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	release, err := c.outsideTx(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.conn.QueryContext(ctx, query, args)
	if err != nil {
		release()
		return nil, err
	}
	return &turnRows{Rows: rows, release: release}, nil
}

func (c *turnConn) Ping(ctx context.Context) error         { return c.conn.Ping(ctx) }
func (c *turnConn) ResetSession(ctx context.Context) error { return c.conn.ResetSession(ctx) }
func (c *turnConn) IsValid() bool                          { return c.conn.IsValid() }
func (c *turnConn) endTx()                                 { c.inTx = false; c.turn.give() }
func (t *turnTx) Commit() error                            { defer t.c.endTx(); return t.tx.Commit() }
func (t *turnTx) Rollback() error                          { defer t.c.endTx(); return t.tx.Rollback() }
func (r *turnRows) Close() error                           { defer r.release(); return r.Rows.Close() }

type turnTx struct {
	tx driver.Tx
	c  *turnConn
}

type turnRows struct {
	driver.Rows
	release func()
}

// turnStmt is a prepared statement that, run outside a transaction, takes
// the turn as a plain statement does.
type turnStmt struct {
	driver.Stmt
	c *turnConn
}

func (s *turnStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	release, err := s.c.outsideTx(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *turnStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	release, err := s.c.outsideTx(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		release()
		return nil, err
	}
	return &turnRows{Rows: rows, release: release}, nil
}
