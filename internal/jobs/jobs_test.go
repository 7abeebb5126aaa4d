package jobs

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

type orphanArgs struct{}

func (orphanArgs) Kind() string { return "orphan_test" }

// A job left running by a process that died is made available again by
// RecoverOrphans at once, not after River's rescue delay.
func TestRecoverOrphans(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		q, err := Open(ctx, db, Config{})
		if err != nil {
			t.Fatal(err)
		}
		// A job as a killed worker leaves it: running, attempted a moment ago.
		var state func() string
		if pool := db.PostgresPool(); pool != nil {
			client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{})
			if err != nil {
				t.Fatal(err)
			}
			job, err := client.Insert(ctx, orphanArgs{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pool.Exec(ctx, `UPDATE river_job SET state = 'running', attempted_at = now(), attempt = 1 WHERE id = $1`, job.Job.ID); err != nil {
				t.Fatal(err)
			}
			state = func() (s string) {
				pool.QueryRow(ctx, `SELECT state FROM river_job WHERE id = $1`, job.Job.ID).Scan(&s)
				return s
			}
		} else {
			pool, err := db.JobPool()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { pool.Close() })
			client, err := river.NewClient(riversqlite.New(pool), &river.Config{})
			if err != nil {
				t.Fatal(err)
			}
			job, err := client.Insert(ctx, orphanArgs{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pool.ExecContext(ctx, `UPDATE river_job SET state = 'running', attempted_at = ?, attempt = 1 WHERE id = ?`,
				time.Now().UTC().Add(-time.Millisecond), job.Job.ID); err != nil {
				t.Fatal(err)
			}
			state = func() (s string) {
				pool.QueryRowContext(ctx, `SELECT state FROM river_job WHERE id = ?`, job.Job.ID).Scan(&s)
				return s
			}
		}
		if got := state(); got != "running" {
			t.Fatalf("before recovery the job is %q", got)
		}
		n, err := q.RecoverOrphans(ctx)
		if err != nil || n != 1 {
			t.Fatalf("RecoverOrphans = %d, %v; want 1", n, err)
		}
		if got := state(); got != "available" {
			t.Fatalf("after recovery the job is %q, want available", got)
		}
	})
}

// River's migrations are start-up chatter: Open logs them, on a new
// database and on one already up to date, at debug only.
func TestMigrationsLogAtDebug(t *testing.T) {
	sqldbtest.Run(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		var buf bytes.Buffer
		logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		for range 2 {
			q, err := Open(ctx, db, Config{Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Stop(ctx); err != nil {
				t.Fatal(err)
			}
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		applied := 0
		for _, line := range lines {
			if !strings.Contains(line, "igration") {
				continue
			}
			if !strings.Contains(line, "level=DEBUG") {
				t.Errorf("migration logged above debug: %s", line)
			}
			if strings.Contains(line, "Applied migration") {
				applied++
			}
		}
		if applied == 0 {
			t.Errorf("no applied migration logged at debug; the log was:\n%s", buf.String())
		}
	})
}
