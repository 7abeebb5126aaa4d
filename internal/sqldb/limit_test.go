package sqldb_test

import (
	"context"
	"fmt"
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
		try := func(keys ...sqldb.Attempted) error {
			_, err := attempts.Begin(ctx, "tries", keys...)
			return err
		}
		ana := sqldb.Attempted{Key: "ana from 192.0.2.1", Limit: limit}
		ben := sqldb.Attempted{Key: "ben from 192.0.2.1", Limit: limit}

		t.Run("free failures, then a wait that doubles", func(t *testing.T) {
			for i := range 3 {
				if err := try(ana); err != nil {
					t.Fatalf("free attempt %d: %v", i+1, err)
				}
			}
			err := try(ana)
			if s := wantWait(t, err); s != 2 || tend.ErrorMessage(err) != "Too many failed tries; try again in 2 seconds." {
				t.Fatalf("after the free tries: wait %d s, %q", s, tend.ErrorMessage(err))
			}
			// A refused attempt is not counted: waiting the time given is enough.
			clock.Advance(2 * time.Second)
			if err := try(ana); err != nil {
				t.Fatalf("after waiting: %v", err)
			}
			if s := wantWait(t, try(ana)); s != 4 {
				t.Fatalf("the next wait is %d s, want 4", s)
			}
		})

		t.Run("a success clears a key that names who tries, and takes itself back from a broader one", func(t *testing.T) {
			eve := sqldb.Attempted{Key: "eve from 192.0.2.5", Limit: limit, ClearedBySuccess: true}
			source := sqldb.Attempted{Key: "anyone from 192.0.2.5", Limit: tend.Limit{Free: 5, First: 2 * time.Second,
				Longest: time.Minute, Forget: time.Hour}}
			for range 3 {
				if err := try(eve, source); err != nil {
					t.Fatal(err)
				}
			}
			// eve waits 2 s after her third failure, then gets in.
			wantWait(t, try(eve, source))
			clock.Advance(2 * time.Second)
			at, err := attempts.Begin(ctx, "tries", eve, source)
			if err != nil {
				t.Fatal(err)
			}
			if err := attempts.Forgive(ctx, at); err != nil {
				t.Fatal(err)
			}
			// Signing in again at once is not held up, nor three typos after.
			for i := range 3 {
				if err := try(eve); err != nil {
					t.Fatalf("attempt %d after a success: %v", i+1, err)
				}
			}
			// The source keeps its three failures, and when the last was: its
			// two free tries left go ahead at once, then it waits 2 s.
			for i := range 2 {
				if err := try(source); err != nil {
					t.Fatalf("the source's free try %d: %v", i+4, err)
				}
			}
			if s := wantWait(t, try(source)); s != 2 {
				t.Fatalf("the source then waits %d s, want 2", s)
			}
		})

		t.Run("a success does not restart a broader key's wait", func(t *testing.T) {
			office := sqldb.Attempted{Key: "anyone from 192.0.2.6", Limit: limit}
			for range 3 {
				if err := try(office); err != nil {
					t.Fatal(err)
				}
			}
			clock.Advance(2 * time.Second)
			at, err := attempts.Begin(ctx, "tries", office)
			if err != nil {
				t.Fatal(err)
			}
			if err := attempts.Forgive(ctx, at); err != nil {
				t.Fatal(err)
			}
			// The wait after the third failure is over, success or not.
			if err := try(office); err != nil {
				t.Fatalf("right after a success: %v", err)
			}
		})

		t.Run("a success forgiven after a later failure leaves that failure counted", func(t *testing.T) {
			// Free 3: three failures, then waits.
			gus := sqldb.Attempted{Key: "anyone from 192.0.2.7", Limit: limit}
			if err := try(gus); err != nil {
				t.Fatal(err)
			}
			clock.Advance(59 * time.Minute)
			ok, err := attempts.Begin(ctx, "tries", gus)
			if err != nil {
				t.Fatal(err)
			}
			// A failure on a server whose clock is a minute behind, or in a
			// transaction that began before ok's committed.
			behind := tend.NewContextWithTime(ctx, clock.Now().Add(-time.Minute))
			if _, err := attempts.Begin(behind, "tries", gus); err != nil {
				t.Fatal(err)
			}
			if err := attempts.Forgive(ctx, ok); err != nil {
				t.Fatal(err)
			}
			// Two failures stand, the last just now: not forgotten two
			// minutes on, when the first would have been.
			clock.Advance(2 * time.Minute)
			if err := try(gus); err != nil {
				t.Fatal(err)
			}
			wantWait(t, try(gus))
		})

		t.Run("other keys are not held up", func(t *testing.T) {
			if err := try(ben); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("a success forgives its own attempt", func(t *testing.T) {
			carl := sqldb.Attempted{Key: "carl", Limit: limit}
			for i := range 10 {
				at, err := attempts.Begin(ctx, "tries", carl)
				if err != nil {
					t.Fatalf("attempt %d after successes: %v", i+1, err)
				}
				if err := attempts.Forgive(ctx, at); err != nil {
					t.Fatal(err)
				}
			}
		})

		t.Run("every key of an attempt counts, and any one can hold it up", func(t *testing.T) {
			source := sqldb.Attempted{Key: "anyone from 192.0.2.9", Limit: tend.Limit{Free: 4, First: time.Second, Longest: time.Minute, Forget: time.Hour}}
			for i := range 4 {
				pair := sqldb.Attempted{Key: "person " + string(rune('a'+i)) + " from 192.0.2.9", Limit: limit}
				if err := try(pair, source); err != nil {
					t.Fatalf("attempt %d: %v", i+1, err)
				}
			}
			fresh := sqldb.Attempted{Key: "person z from 192.0.2.9", Limit: limit}
			wantWait(t, try(fresh, source))
			// The refusal counted nothing against the fresh pair.
			clock.Advance(time.Second)
			for i := range 3 {
				if err := try(fresh); err != nil {
					t.Fatalf("the fresh pair's attempt %d: %v", i+1, err)
				}
			}
		})

		t.Run("forgotten an hour after the last failure", func(t *testing.T) {
			fay := sqldb.Attempted{Key: "fay from 192.0.2.1", Limit: limit}
			for range 3 {
				if err := try(fay); err != nil {
					t.Fatal(err)
				}
			}
			wantWait(t, try(fay))
			clock.Advance(time.Hour)
			for i := range 3 {
				if err := try(fay); err != nil {
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
					switch err := try(dana); tend.ErrorCode(err) {
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

// On the real clock, people behind one address signing in at once are
// never held up by each other's successes, and attempts that share keys,
// named in any order, never deadlock: every attempt goes ahead or waits,
// none fails.
func TestAttemptsAtOnce(t *testing.T) {
	source := tend.Limit{Free: 50, First: time.Second, Longest: time.Minute, Forget: time.Hour}
	pair := tend.Limit{Free: 5, First: time.Second, Longest: time.Minute, Forget: time.Hour}
	ctx := context.Background()
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		attempts := sqldb.NewAttempts(db)
		office := sqldb.Attempted{Key: "from 203.0.113.20", Limit: source}
		var wg sync.WaitGroup
		var held, failed atomic.Int32
		for person := range 6 {
			wg.Go(func() {
				mine := sqldb.Attempted{Key: fmt.Sprintf("person %d from 203.0.113.20", person), Limit: pair}
				for i := range 60 {
					keys := []sqldb.Attempted{mine, office}
					if i%2 == 1 {
						keys = []sqldb.Attempted{office, mine}
					}
					at, err := attempts.Begin(ctx, "sign-ins", keys...)
					switch tend.ErrorCode(err) {
					case "":
						if err := attempts.Forgive(ctx, at); err != nil {
							failed.Add(1)
							t.Error(err)
						}
					case tend.ETOOMANY:
						held.Add(1)
					default:
						failed.Add(1)
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if held.Load() != 0 || failed.Load() != 0 {
			t.Fatalf("of 360 successful sign-ins at once, %d were held up and %d failed", held.Load(), failed.Load())
		}
	})
}
