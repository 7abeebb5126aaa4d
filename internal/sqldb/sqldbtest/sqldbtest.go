// Package sqldbtest opens real databases for tests: a SQLite file always,
// and PostgreSQL when TEND_TEST_POSTGRES_URL names a server.
package sqldbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/tendhq/tend/internal/password"
	"github.com/tendhq/tend/internal/sqldb"
)

// PostgresURLVar names the variable that points the tests at PostgreSQL.
const PostgresURLVar = "TEND_TEST_POSTGRES_URL"

// Cheap makes password hashing fast in tests; its strength does not matter
// there.
var Cheap = password.Params{Memory: 64, Time: 1, Threads: 1}

// Run runs fn once per engine, as subtests named "sqlite" and "postgres".
// Without TEND_TEST_POSTGRES_URL the PostgreSQL subtest is skipped with a
// note on how to enable it; with it set, a server that cannot be reached
// fails the test.
func Run(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			fn(t, Open(t, engine))
		})
	}
}

// Open returns a new, empty, migrated database on engine, removed when the
// test ends.
func Open(tb testing.TB, engine sqldb.Engine) *sqldb.DB {
	tb.Helper()
	dsn := DSN(tb, engine)
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", engine, err)
	}
	db.PasswordParams = Cheap
	tb.Cleanup(func() { db.Close() })
	return db
}

// DSN returns the address of a new, empty database on engine: a file in a
// temporary folder, or a fresh schema on the PostgreSQL server, dropped
// when the test ends.
func DSN(tb testing.TB, engine sqldb.Engine) string {
	tb.Helper()
	if engine == sqldb.SQLite {
		return filepath.Join(tb.TempDir(), "tend.db")
	}
	base := os.Getenv(PostgresURLVar)
	if base == "" {
		tb.Skipf("PostgreSQL tests skipped: set %s=postgres://postgres@127.0.0.1:5432/test to run them", PostgresURLVar)
	}
	ctx := context.Background()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "tend_test_" + hex.EncodeToString(b)
	dsn, err := sqldb.CreateSchema(ctx, base, schema)
	if err != nil {
		tb.Fatalf("%s is set but PostgreSQL cannot be used: %v", PostgresURLVar, err)
	}
	tb.Cleanup(func() { sqldb.DropSchema(ctx, base, schema) })
	return dsn
}
