package sqldb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/tendhq/tend"
)

// openWorkDB opens an empty database on engine whose reads all go through
// one connection, so that what a search reads can be counted there.
func openWorkDB(t *testing.T, engine Engine) *DB {
	t.Helper()
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "tend.db")
	if engine == Postgres {
		base := os.Getenv("TEND_TEST_POSTGRES_URL")
		if base == "" {
			t.Skip("PostgreSQL tests skipped: set TEND_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test to run them")
		}
		schema := fmt.Sprintf("tend_test_work_%d_%d", os.Getpid(), time.Now().UnixNano())
		var err error
		if dsn, err = CreateSchema(ctx, base, schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { DropSchema(context.Background(), base, schema) })
		dsn += "&pool_max_conns=1"
	}
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if engine == SQLite {
		db.sqliteRead.SetMaxOpenConns(1)
	}
	return db
}

// readSoFar returns how much db has read: on PostgreSQL the rows of
// tickets and messages that its scans fetched, on SQLite the pages its
// read connection looked at.
func readSoFar(t *testing.T, db *DB) int64 {
	t.Helper()
	ctx := context.Background()
	if db.engine == Postgres {
		if _, err := db.pool.Exec(ctx, `SELECT pg_stat_force_next_flush()`); err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := db.pool.QueryRow(ctx, `SELECT COALESCE(SUM(seq_tup_read + COALESCE(idx_tup_fetch, 0)), 0)::bigint
			FROM pg_stat_user_tables WHERE relid IN ('tickets'::regclass, 'messages'::regclass)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	conn, err := db.sqliteRead.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int64
	err = conn.Raw(func(dc any) error {
		for _, op := range []sqlite.DBStatusOp{sqlite.DBStatusCacheHit, sqlite.DBStatusCacheMiss} {
			v, _, err := dc.(sqlite.DBStatus).Status(op, false)
			if err != nil {
				return err
			}
			n += int64(v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// fillForWork adds n tickets with a message each: "card" and "the" are in
// all of them, the pair "topup verified" only in the oldest three.
func fillForWork(t *testing.T, db *DB, n int, rare string) {
	t.Helper()
	ctx := context.Background()
	sys := tend.SystemContext(ctx)
	first, err := NewTicketService(db, nil).CreateTicket(sys, &tend.TicketCreate{Subject: "Topup verified for the card",
		Customer: tend.CustomerRef{Email: "w@example.com"}, Body: "The topup was verified, and the card still waits."})
	if err != nil {
		t.Fatal(err)
	}
	series := `WITH RECURSIVE g (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $1)`
	if db.engine == Postgres {
		series = `WITH g (n) AS (SELECT generate_series(1, $1))`
	}
	err = db.write(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, series+`
			INSERT INTO tickets (number, subject, status, priority, channel, customer_id, created_at, updated_at)
			SELECT 2000 + n, CASE WHEN n < 3 THEN 'Topup verified for the card' ELSE 'The card question ' || n || ' ' || $3 END,
				'new', 'normal', 'api', $2, $4, $4 FROM g`, n-1, first.CustomerID, rare, tx.now); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO messages (ticket_id, kind, author_type, author_customer_id, body_text, created_at)
			SELECT id, 'reply', 'customer', customer_id, CASE WHEN number < 2003 THEN 'The topup was verified, and the card still waits.'
				ELSE 'Where is the card I ordered? Number ' || number || ' ' || $2 END, $1
			FROM tickets WHERE number >= 2000 ORDER BY id`, tx.now, rare)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// What a search reads does not grow with the help desk for a rare pair of
// words, whatever PostgreSQL's planner estimates: with no statistics, with
// statistics that say the rare words are everywhere, and with the generic
// plans it keeps for prepared statements; nor, on SQLite, with the size of
// the page.
func TestSearchWorkIsBounded(t *testing.T) {
	const n = 10_000
	for _, c := range []struct {
		name   string
		engine Engine
		stale  bool // statistics from when the rare words were everywhere
	}{
		{"sqlite", SQLite, false},
		{"postgres", Postgres, false},
		{"postgres/stale statistics", Postgres, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := openWorkDB(t, c.engine)
			ctx := context.Background()
			rare := ""
			if c.stale {
				rare = "topup verified"
			}
			fillForWork(t, db, n, rare)
			if c.stale {
				if _, err := db.pool.Exec(ctx, `ANALYZE tickets; ANALYZE messages`); err != nil {
					t.Fatal(err)
				}
				err := db.write(ctx, func(tx *Tx) error {
					if _, err := tx.exec(ctx, `UPDATE tickets SET subject = replace(subject, ' topup verified', '')`); err != nil {
						return err
					}
					_, err := tx.exec(ctx, `UPDATE messages SET body_text = replace(body_text, ' topup verified', '')`)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			search := NewSearchService(db)
			sys := tend.SystemContext(ctx)
			read := func(q string, limit int) int64 {
				t.Helper()
				var most int64
				// Prepared statements may turn generic after five runs.
				for range 7 {
					before := readSoFar(t, db)
					hits, _, err := search.Search(sys, q, tend.SearchFilter{}, "", limit)
					if err != nil {
						t.Fatal(err)
					}
					if len(hits) == 0 {
						t.Fatalf("%q finds nothing", q)
					}
					most = max(most, readSoFar(t, db)-before)
				}
				return most
			}
			if c.engine == SQLite {
				card, rarePair := read("card", 20), read("topup verified", 20)
				t.Logf("pages read for card: %d, for topup verified: %d", card, rarePair)
				if rarePair > card {
					t.Errorf("topup verified read %d pages, card %d", rarePair, card)
				}
				// Each statement with MATCH makes FTS5 look at every segment
				// of its index for each word: a page of many hits costs
				// the statements of a page of few.
				statements := func(limit int) int64 {
					before := db.readStmts.runs.Load()
					if _, _, err := search.Search(sys, "card", tend.SearchFilter{}, "", limit); err != nil {
						t.Fatal(err)
					}
					return db.readStmts.runs.Load() - before
				}
				if few, many := statements(2), statements(50); many > few {
					t.Errorf("a page of 50 ran %d statements, one of 2 %d", many, few)
				}
				return
			}
			// The one connection plans as PostgreSQL chooses, then with the
			// generic plans it keeps for prepared statements.
			for _, mode := range []string{"auto", "force_generic_plan"} {
				if _, err := db.pool.Exec(ctx, `SET plan_cache_mode = `+mode); err != nil {
					t.Fatal(err)
				}
				// The newest matches, their tickets and excerpts: a few
				// thousand rows of the 2×10,000, however rare the words.
				for _, q := range []string{"card", "topup verified"} {
					rows := read(q, 20)
					t.Logf("%s: rows read for %s: %d", mode, q, rows)
					if rows > 3*pgFirstLook {
						t.Errorf("%s: %q read %d rows of tickets and messages", mode, q, rows)
					}
				}
			}
		})
	}
}
