package sqldb

import (
	"context"
	"errors"
	"slices"
	"strings"
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
	return a.db.write(ctx, func(tx *Tx) error { return beginAttempt(ctx, tx, what, keys) })
}

// Forgive takes back the count of an attempt that succeeded.
func (a *Attempts) Forgive(ctx context.Context, keys ...Attempted) error {
	// A success must be forgiven even if the request that made it has
	// ended meanwhile.
	ctx = context.WithoutCancel(ctx)
	return a.db.write(ctx, func(tx *Tx) error { return forgiveAttempt(ctx, tx, keys) })
}

func beginAttempt(ctx context.Context, tx *Tx, what string, keys []Attempted) error {
	if _, err := tx.exec(ctx, `DELETE FROM attempt_limits WHERE forget_at <= $1`, tx.now); err != nil {
		return err
	}
	// Rows are locked in the order of their hashes, so that two attempts
	// sharing keys cannot each hold one the other waits for.
	keys = slices.Clone(keys)
	slices.SortFunc(keys, func(a, b Attempted) int { return strings.Compare(hashSecret(a.Key), hashSecret(b.Key)) })
	var wait time.Duration
	counts := make([]int, len(keys))
	for i, k := range keys {
		hash := hashSecret(k.Key)
		// The row is made first, so that on PostgreSQL the lock below holds
		// even for a key never seen: two first attempts then take turns.
		if _, err := tx.exec(ctx, `INSERT INTO attempt_limits (key_hash, failures, last_at, forget_at) VALUES ($1, 0, $2, $3)
			ON CONFLICT (key_hash) DO NOTHING`, hash, tx.now, tx.now.Add(k.Limit.Forget)); err != nil {
			return err
		}
		var last time.Time
		if err := tx.queryRow(ctx, `SELECT failures, last_at FROM attempt_limits WHERE key_hash = $1`+tx.db.forUpdate(),
			hash).Scan(&counts[i], &last); err != nil {
			return err
		}
		wait = max(wait, k.Limit.RetryAfter(counts[i], last, tx.now))
	}
	if wait > 0 {
		return tend.TooMany(wait, what)
	}
	for i, k := range keys {
		if _, err := tx.exec(ctx, `UPDATE attempt_limits SET failures = $2, last_at = $3, forget_at = $4 WHERE key_hash = $1`,
			hashSecret(k.Key), counts[i]+1, tx.now, tx.now.Add(k.Limit.Forget)); err != nil {
			return err
		}
	}
	return nil
}

func forgiveAttempt(ctx context.Context, tx *Tx, keys []Attempted) error {
	var errs []error
	for _, k := range keys {
		_, err := tx.exec(ctx, `UPDATE attempt_limits SET failures = failures - 1 WHERE key_hash = $1 AND failures > 0`, hashSecret(k.Key))
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
