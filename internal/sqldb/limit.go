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
}

// Begin counts an attempt against each of keys. It returns ETOOMANY, with
// the longest wait among them, when any key must wait; then nothing is
// counted. what names the attempts in the message, as in "sign-ins".
func (a *Attempts) Begin(ctx context.Context, what string, keys ...Attempted) error {
	a.sweep(ctx)
	return a.db.write(ctx, func(tx *Tx) error { return beginAttempt(ctx, tx, what, keys) })
}

// Forgive takes back the count of an attempt that succeeded.
func (a *Attempts) Forgive(ctx context.Context, keys ...Attempted) error {
	// A success must be forgiven even if the request that made it has
	// ended meanwhile.
	ctx = context.WithoutCancel(ctx)
	return a.db.write(ctx, func(tx *Tx) error {
		var errs []error
		for _, hash := range hashesInLockOrder(keys) {
			_, err := tx.exec(ctx, `UPDATE attempt_limits SET failures = failures - 1 WHERE key_hash = $1 AND failures > 0`, hash)
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

// hashesInLockOrder returns the keys' hashes in the order their rows are
// locked in, by every transaction: two attempts that share keys then
// never each hold one that the other waits for.
func hashesInLockOrder(keys []Attempted) []string {
	hashes := make([]string, len(keys))
	for i, k := range keys {
		hashes[i] = hashSecret(k.Key)
	}
	slices.Sort(hashes)
	return hashes
}

func beginAttempt(ctx context.Context, tx *Tx, what string, keys []Attempted) error {
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b Attempted) int { return strings.Compare(hashSecret(a.Key), hashSecret(b.Key)) })
	var wait time.Duration
	counts, lasts := make([]int, len(keys)), make([]time.Time, len(keys))
	for i, k := range keys {
		// One statement makes the row if need be and locks it (ON CONFLICT
		// DO UPDATE locks the row it meets), so that two first attempts
		// take turns like any others.
		var forgetAt time.Time
		err := tx.queryRow(ctx, `INSERT INTO attempt_limits (key_hash, failures, last_at, forget_at) VALUES ($1, 0, $2, $2)
			ON CONFLICT (key_hash) DO UPDATE SET key_hash = excluded.key_hash
			RETURNING failures, last_at, forget_at`, hashSecret(k.Key), tx.now).Scan(&counts[i], &lasts[i], &forgetAt)
		if err != nil {
			return err
		}
		if !tx.now.Before(forgetAt) {
			counts[i] = 0 // forgotten, if not swept yet
		}
		wait = max(wait, k.Limit.RetryAfter(counts[i], lasts[i], tx.now))
	}
	if wait > 0 {
		return tend.TooMany(wait, what)
	}
	for i, k := range keys {
		// A transaction that waited for the row may have begun before the
		// one that wrote it: the last failure never moves back.
		last := tx.now
		if lasts[i].After(last) {
			last = lasts[i]
		}
		if _, err := tx.exec(ctx, `UPDATE attempt_limits SET failures = $2, last_at = $3, forget_at = $4 WHERE key_hash = $1`,
			hashSecret(k.Key), counts[i]+1, last, last.Add(k.Limit.Forget)); err != nil {
			return err
		}
	}
	return nil
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
