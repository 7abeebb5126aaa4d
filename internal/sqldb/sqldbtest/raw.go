package sqldbtest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/tendhq/tend/internal/sqldb"
)

// Exec returns a function that runs statements on the database at dsn
// behind Tend's back: for tests of what the schema refuses, or of rows
// written in an older shape.
func Exec(t *testing.T, engine sqldb.Engine, dsn string) func(string) error {
	t.Helper()
	ctx := context.Background()
	if engine == sqldb.Postgres {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(ctx) })
		return func(s string) error { _, err := conn.Exec(ctx, s); return err }
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return func(s string) error { _, err := db.Exec(s); return err }
}
