package sqldb

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tendhq/tend"
)

// Attempts keeps count of failed attempts at something guessable (a
// password, later a portal form) in the database, so that every server
// sharing it slows the same guesser down. Each attempt is counted as a
// failure before it is tried, which no number of parallel requests can
// race past; a success forgives its own count afterwards, so that only
// failures stay counted.
type Attempts struct {
	db *DB

	mu    sync.Mutex
	swept time.Time
}

// NewAttempts returns the attempt counts of db.
func NewAttempts(db *DB) *Attempts { return &Attempts{db: db} }

// Attempted is one count an attempt goes against: a key, such as an
// address with the source of the attempt, and its limit.
type Attempted struct {
	Key   string
	Limit tend.Limit
	// ClearedBySuccess marks a key that a success clears of all its
	// failures: one that names who tries (an address and its source), so
	// that a success proves they know the secret. A broader key (a source
	// trying any address) only takes the successful attempt back.
	ClearedBySuccess bool
}

// Attempt is an attempt Begin counted, to be forgiven if it succeeds.
type Attempt struct {
	keys []attemptedRow // in lock order
}

// attemptedRow is a key's row as an attempt left it.
type attemptedRow struct {
	Attempted
	hash string
	// before is the last failure before the attempt, and wrote the one the
	// attempt wrote, as the row's write number write.
	before, wrote time.Time
	write         int64
}

// Begin counts an attempt against each of keys. It returns ETOOMANY, with
// the longest wait among them, when any key must wait; then nothing is
// counted. what names the attempts in the message, as in "sign-ins".
func (a *Attempts) Begin(ctx context.Context, what string, keys ...Attempted) (*Attempt, error) {
	a.sweep(ctx)
	var at *Attempt
	err := a.db.write(ctx, func(tx *Tx) (err error) {
		at, err = beginAttempt(ctx, tx, what, keys)
		return err
	})
	return at, err
}

// Forgive takes back the count of an attempt that succeeded: as though it
// had never been made, unless another attempt has been counted since.
func (a *Attempts) Forgive(ctx context.Context, at *Attempt) error {
	// A success must be forgiven even if the request that made it has
	// ended meanwhile.
	ctx = context.WithoutCancel(ctx)
	return a.db.write(ctx, func(tx *Tx) error {
		var errs []error
		for _, k := range at.keys {
			var err error
			if k.ClearedBySuccess {
				_, err = tx.exec(ctx, `DELETE FROM attempt_limits WHERE key_hash = $1`, k.hash)
			} else {
				_, err = tx.exec(ctx, `UPDATE attempt_limits SET failures = failures - 1,
					last_at = CASE WHEN writes = $2 THEN $3 ELSE last_at END,
					forget_at = CASE WHEN writes = $2 THEN $4 ELSE forget_at END
					WHERE key_hash = $1 AND failures > 0`, k.hash, k.write, k.before, k.before.Add(k.Limit.Forget))
			}
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

func beginAttempt(ctx context.Context, tx *Tx, what string, keys []Attempted) (*Attempt, error) {
	// Rows are locked in the order of their hashes, by every transaction:
	// two attempts that share keys then never each hold one that the other
	// waits for.
	at := &Attempt{keys: make([]attemptedRow, len(keys))}
	for i, k := range keys {
		at.keys[i] = attemptedRow{Attempted: k, hash: hashSecret(k.Key)}
	}
	slices.SortFunc(at.keys, func(a, b attemptedRow) int { return strings.Compare(a.hash, b.hash) })
	var wait time.Duration
	counts, seqs := make([]int, len(keys)), make([]int64, len(keys))
	for i := range at.keys {
		k := &at.keys[i]
		// One statement makes the row if need be and locks it (ON CONFLICT
		// DO UPDATE locks the row it meets), so that two first attempts
		// take turns like any others.
		var forgetAt time.Time
		err := tx.queryRow(ctx, `INSERT INTO attempt_limits (key_hash, failures, last_at, forget_at, writes) VALUES ($1, 0, $2, $2, 0)
			ON CONFLICT (key_hash) DO UPDATE SET key_hash = excluded.key_hash
			RETURNING failures, last_at, forget_at, writes`, k.hash, tx.now).Scan(&counts[i], &k.before, &forgetAt, &seqs[i])
		if err != nil {
			return nil, err
		}
		if !tx.now.Before(forgetAt) {
			counts[i] = 0 // forgotten, if not swept yet
		}
		wait = max(wait, k.Limit.RetryAfter(counts[i], k.before, tx.now))
	}
	if wait > 0 {
		return nil, tend.TooMany(wait, what)
	}
	for i := range at.keys {
		k := &at.keys[i]
		// A transaction that waited for the row may have begun before the
		// one that wrote it: the last failure never moves back. The count
		// of writes tells Forgive whether another attempt came since.
		k.wrote = tx.now
		if k.before.After(k.wrote) {
			k.wrote = k.before
		}
		k.write = seqs[i] + 1
		if _, err := tx.exec(ctx, `UPDATE attempt_limits SET failures = $2, last_at = $3, forget_at = $4, writes = $5
			WHERE key_hash = $1`, k.hash, counts[i]+1, k.wrote, k.wrote.Add(k.Limit.Forget), k.write); err != nil {
			return nil, err
		}
	}
	return at, nil
}

// sweep deletes forgotten counts, at most once a minute, in a transaction
// of its own that waits for no row: on PostgreSQL it skips the rows that
// attempts hold, which could otherwise deadlock with it.
func (a *Attempts) sweep(ctx context.Context) {
	now := a.db.now()
	a.mu.Lock()
	due := now.Sub(a.swept) >= time.Minute
	if due {
		a.swept = now
	}
	a.mu.Unlock()
	if !due {
		return
	}
	ctx = context.WithoutCancel(ctx)
	err := a.db.write(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM attempt_limits WHERE key_hash IN (
			SELECT key_hash FROM attempt_limits WHERE forget_at <= $1 LIMIT 1000`+tx.db.skipLocked()+`)`, tx.now)
		return err
	})
	if err != nil {
		a.mu.Lock()
		a.swept = time.Time{} // try again at the next attempt
		a.mu.Unlock()
	}
}
