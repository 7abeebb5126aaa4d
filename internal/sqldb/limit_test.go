package sqldb_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// wantWait fails unless err is ETOOMANY, and returns its wait in seconds.
func wantWait(t *testing.T, err error) int {
	t.Helper()
	if tend.ErrorCode(err) != tend.ETOOMANY {
		t.Fatalf("got %v, want ETOOMANY", err)
	}
	return int(tend.ErrorRetryAfter(err) / time.Second)
}

func TestAttempts(t *testing.T) {
	limit := tend.Limit{Free: 3, First: 2 * time.Second, Longest: time.Minute, Forget: time.Hour}
	ctx := context.Background()
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		clock := sqldbtest.NewClock(db)
		attempts := sqldb.NewAttempts(db)
		ana := sqldb.Attempted{Key: "ana from 192.0.2.1", Limit: limit}
		ben := sqldb.Attempted{Key: "ben from 192.0.2.1", Limit: limit}

		t.Run("free failures, then a wait that doubles", func(t *testing.T) {
			for i := range 3 {
				if err := attempts.Begin(ctx, "tries", ana); err != nil {
					t.Fatalf("free attempt %d: %v", i+1, err)
				}
			}
			err := attempts.Begin(ctx, "tries", ana)
			if s := wantWait(t, err); s != 2 || tend.ErrorMessage(err) != "Too many failed tries; try again in 2 seconds." {
				t.Fatalf("after the free tries: wait %d s, %q", s, tend.ErrorMessage(err))
			}
			// A refused attempt is not counted: waiting the time given is enough.
			clock.Advance(2 * time.Second)
			if err := attempts.Begin(ctx, "tries", ana); err != nil {
				t.Fatalf("after waiting: %v", err)
			}
			if s := wantWait(t, attempts.Begin(ctx, "tries", ana)); s != 4 {
				t.Fatalf("the next wait is %d s, want 4", s)
			}
		})

		t.Run("other keys are not held up", func(t *testing.T) {
			if err := attempts.Begin(ctx, "tries", ben); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("a success forgives its own attempt", func(t *testing.T) {
			carl := sqldb.Attempted{Key: "carl", Limit: limit}
			for i := range 10 {
				if err := attempts.Begin(ctx, "tries", carl); err != nil {
					t.Fatalf("attempt %d after successes: %v", i+1, err)
				}
				if err := attempts.Forgive(ctx, carl); err != nil {
					t.Fatal(err)
				}
			}
		})

		t.Run("every key of an attempt counts, and any one can hold it up", func(t *testing.T) {
			source := sqldb.Attempted{Key: "anyone from 192.0.2.9", Limit: tend.Limit{Free: 4, First: time.Second, Longest: time.Minute, Forget: time.Hour}}
			for i := range 4 {
				pair := sqldb.Attempted{Key: "person " + string(rune('a'+i)) + " from 192.0.2.9", Limit: limit}
				if err := attempts.Begin(ctx, "tries", pair, source); err != nil {
					t.Fatalf("attempt %d: %v", i+1, err)
				}
			}
			fresh := sqldb.Attempted{Key: "person z from 192.0.2.9", Limit: limit}
			wantWait(t, attempts.Begin(ctx, "tries", fresh, source))
			// The refusal counted nothing against the fresh pair.
			clock.Advance(time.Second)
			for i := range 3 {
				if err := attempts.Begin(ctx, "tries", fresh); err != nil {
					t.Fatalf("the fresh pair's attempt %d: %v", i+1, err)
				}
			}
		})

		t.Run("forgotten an hour after the last failure", func(t *testing.T) {
			wantWait(t, attempts.Begin(ctx, "tries", ana))
			clock.Advance(time.Hour)
			for i := range 3 {
				if err := attempts.Begin(ctx, "tries", ana); err != nil {
					t.Fatalf("attempt %d an hour on: %v", i+1, err)
				}
			}
		})

		t.Run("parallel attempts cannot race past the count", func(t *testing.T) {
			dana := sqldb.Attempted{Key: "dana", Limit: limit}
			var wg sync.WaitGroup
			var passed, held atomic.Int32
			for range 24 {
				wg.Go(func() {
					switch err := attempts.Begin(ctx, "tries", dana); tend.ErrorCode(err) {
					case "":
						passed.Add(1)
					case tend.ETOOMANY:
						held.Add(1)
					default:
						t.Error(err)
					}
				})
			}
			wg.Wait()
			if passed.Load() != 3 || held.Load() != 21 {
				t.Fatalf("%d attempts went ahead and %d were held, want 3 and 21", passed.Load(), held.Load())
			}
		})
	})
}
