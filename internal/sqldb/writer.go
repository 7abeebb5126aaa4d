package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime/debug"
)

// SQLite has one writer, and with synchronous=FULL each commit waits for
// the disk. Writes that arrive together are therefore committed together:
// a single writer goroutine takes every write queued at that moment, runs
// each in its own savepoint inside one transaction, and commits once. A
// failed write rolls back to its savepoint without touching the others;
// every caller hears back only after the commit that makes its write
// durable. This is group commit, the way databases that fsync have long
// shared one flush among many transactions.

// maxBatch bounds how many writes share one commit, and so how long the
// first of them waits.
const maxBatch = 64

// errClosed is returned by writes after Close.
var errClosed = errors.New("sqldb: database closed")

type writeRequest struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
	// panicked holds a panic of fn, re-raised in the caller's goroutine.
	panicked any
	// noForeignKeys runs fn alone, in a transaction of its own, with
	// foreign keys off (see writeWithoutForeignKeys).
	noForeignKeys bool
}

// writeSQLite queues fn for the writer and waits for its outcome.
func (db *DB) writeSQLite(ctx context.Context, fn func(tx *Tx) error) error {
	return db.submit(&writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// submit queues req for the writer and waits for its outcome.
func (db *DB) submit(req *writeRequest) error {
	ctx := req.ctx
	select {
	case db.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-db.closing:
		return errClosed
	}
	// Once queued, the write may commit whatever happens to ctx, so wait.
	err := <-req.done
	if req.panicked != nil {
		panic(req.panicked)
	}
	return err
}

// writeWithoutForeignKeys runs fn in a transaction of its own with
// SQLite's foreign keys off, as rebuilding a table that other tables
// refer to needs (the pragma is a no-op inside a transaction). fn must
// leave every foreign key satisfied: PRAGMA foreign_key_check runs
// before the commit, and any violation rolls it all back.
func (db *DB) writeWithoutForeignKeys(ctx context.Context, fn func(tx *Tx) error) error {
	req := &writeRequest{ctx: ctx, done: make(chan error, 1), noForeignKeys: true, fn: func(tx *Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		var n int
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&n)
		if err == nil && n > 0 {
			err = fmt.Errorf("%d rows break a foreign key", n)
		}
		return err
	}}
	return db.submit(req)
}

// writeLoop is the writer goroutine. It ends when the database closes.
func (db *DB) writeLoop() {
	defer close(db.writerDone)
	var held *writeRequest // taken while collecting, but must run alone
	for {
		first := held
		held = nil
		if first == nil {
			select {
			case first = <-db.writes:
			case <-db.closing:
				return
			}
		}
		batch := []*writeRequest{first}
	collect:
		for len(batch) < maxBatch && !first.noForeignKeys {
			select {
			case r := <-db.writes:
				if r.noForeignKeys {
					held = r
					break collect
				}
				batch = append(batch, r)
			default:
				break collect
			}
		}
		db.runBatch(batch)
	}
}

// execWriter runs a statement on the writer connection.
func (db *DB) execWriter(sql string) error {
	_, err := db.writer.ExecContext(context.Background(), sql)
	return err
}

func (db *DB) runBatch(batch []*writeRequest) {
	// answer tells each of reqs the outcome of its write.
	answer := func(reqs []*writeRequest, err error) {
		for _, r := range reqs {
			r.done <- err
		}
	}
	db.turn.take(context.Background())
	defer db.turn.give()
	if db.writer == nil {
		w, err := db.sqliteWrite.Conn(context.Background())
		if err != nil {
			answer(batch, fmt.Errorf("writer connection: %w", err))
			return
		}
		db.writer = w
	}
	if batch[0].noForeignKeys {
		if err := db.execWriter("PRAGMA foreign_keys = OFF"); err != nil {
			answer(batch, fmt.Errorf("foreign keys off: %w", err))
			return
		}
		defer func() {
			if db.writer != nil {
				if err := db.execWriter("PRAGMA foreign_keys = ON"); err != nil {
					db.dropWriter() // a new connection has them on
				}
			}
		}()
	}
	// The transaction is begun through database/sql (IMMEDIATE, from the
	// DSN) so that River can insert jobs in it; Tend's own statements run
	// on the same connection, and so in the same transaction.
	stx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		db.dropWriter()
		answer(batch, fmt.Errorf("begin: %w", translateError(err)))
		return
	}
	var written []*writeRequest
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- err // gave up while queued: not run
			continue
		}
		err := db.execWriter("SAVEPOINT w")
		if err == nil {
			if err = db.runOne(r, stx); err == nil {
				err = db.execWriter("RELEASE w")
				if err == nil {
					written = append(written, r)
					continue
				}
			}
			if rbErr := db.execWriter("ROLLBACK TO w"); rbErr == nil {
				if relErr := db.execWriter("RELEASE w"); relErr == nil {
					r.done <- err
					continue
				}
			}
		}
		// The transaction itself failed: nothing in it can be kept.
		stx.Rollback()
		db.dropWriter()
		r.done <- err
		answer(written, fmt.Errorf("write batch: %w", err))
		answer(batch[i+1:], fmt.Errorf("write batch: %w", err))
		return
	}
	if err := stx.Commit(); err != nil {
		stx.Rollback()
		db.dropWriter()
		answer(written, fmt.Errorf("commit: %w", translateError(err)))
		return
	}
	answer(written, nil)
}

// runOne runs one write's fn. Its statements run detached from the
// caller's context: interrupting SQLite mid-statement can roll back the
// whole transaction, which holds other callers' writes.
func (db *DB) runOne(r *writeRequest, stx *sql.Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			r.panicked = fmt.Sprintf("%v\n%s", v, debug.Stack())
			err = fmt.Errorf("write panicked: %v", v)
		}
	}()
	tx := &Tx{querier: sqliteQuerier{pool: db.writer, stmts: db.writeStmts, detached: true}, db: db, now: db.nowFor(r.ctx), native: stx}
	return r.fn(tx)
}

// dropWriter discards the writer connection after a failure, so that the
// next batch starts on a fresh one: reporting it bad makes database/sql
// close it rather than keep it in the pool.
func (db *DB) dropWriter() {
	if db.writer == nil {
		return
	}
	db.writeStmts.close()
	db.writer.Raw(func(any) error { return driver.ErrBadConn })
	db.writer.Close()
	db.writer = nil
}
