package sqldb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrServerRunning means another Tend server holds the database.
var ErrServerRunning = errors.New("another tend serve is already using this database")

// LockServer makes this process the one Tend server of the database until
// release is called or the process ends, however it ends. Being the only
// one, it knows that jobs left running belong to a server that died (see
// jobs.Queue.RecoverOrphans). SQLite uses a lock on a file beside the
// database; PostgreSQL a session advisory lock for the schema.
func (db *DB) LockServer(ctx context.Context) (release func(), err error) {
	if db.engine == SQLite {
		f, err := os.OpenFile(db.path+".serve-lock", os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", db.path, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, fmt.Errorf("%w (%s)", ErrServerRunning, db.path)
			}
			return nil, fmt.Errorf("lock %s: %w", db.path, err)
		}
		return func() { f.Close() }, nil
	}
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	var locked bool
	// The lock's two keys: a constant for Tend's server, and the schema,
	// since several Tend databases may share one PostgreSQL database.
	err = conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(1952804196, hashtext(current_schema()))`).Scan(&locked)
	if err != nil {
		conn.Release()
		return nil, fmt.Errorf("lock the database: %w", err)
	}
	if !locked {
		conn.Release()
		return nil, ErrServerRunning
	}
	return func() {
		conn.Exec(context.Background(), `SELECT pg_advisory_unlock(1952804196, hashtext(current_schema()))`)
		conn.Release()
	}, nil
}
