package sqldb_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/tendhq/tend"
	"github.com/tendhq/tend/internal/sqldb"
	"github.com/tendhq/tend/internal/sqldb/sqldbtest"
)

// The history cannot be rewritten, not even by SQL run on the database
// behind Tend's back.
func TestHistoryIsAppendOnly(t *testing.T) {
	for _, engine := range []sqldb.Engine{sqldb.SQLite, sqldb.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dsn := sqldbtest.DSN(t, engine)
			db, err := sqldb.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			e := newEnv(t, db)
			bo := e.mustAgent(t, "bo", tend.RoleAgent)
			e.mustTicket(t, as(bo), "Keep me", "k@example.com", "history")

			exec := rawExec(t, engine, dsn)
			for _, stmt := range []string{
				`UPDATE ticket_events SET kind = 'forged'`, `DELETE FROM ticket_events`,
				`UPDATE audit_log SET action = 'forged'`, `DELETE FROM audit_log`,
			} {
				if err := exec(stmt); err == nil {
					t.Errorf("%s succeeded", stmt)
				}
			}
		})
	}
}

func rawExec(t *testing.T, engine sqldb.Engine, dsn string) func(string) error {
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
