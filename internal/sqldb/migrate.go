package sqldb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// foreignKeysOff, as the first line of a SQLite migration, runs it with
// foreign keys off: a file that makes a table again (SQLite cannot alter a
// constraint) would otherwise delete, by ON DELETE CASCADE, every row
// that refers to the table it drops.
const foreignKeysOff = "-- tend:foreign-keys-off\n"

// migrate applies, in name order, each migration file of the engine that
// the database has not recorded yet and apply (nil for all) accepts; each
// file runs in its own
// transaction with its record. On PostgreSQL an advisory lock keeps
// replicas that start together from racing.
func (db *DB) migrate(ctx context.Context, apply func(version string) bool) error {
	dir := "migrations/" + string(db.engine)
	names, err := fs.Glob(migrations, dir+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)

	for _, name := range names {
		version := strings.TrimSuffix(name[len(dir)+1:], ".sql")
		if apply != nil && !apply(version) {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		write := db.write
		if db.engine == SQLite && strings.HasPrefix(string(body), foreignKeysOff) {
			write = db.writeWithoutForeignKeys
		}
		err = write(ctx, func(tx *Tx) error {
			if db.engine == Postgres {
				if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(7318)`); err != nil {
					return err
				}
			}
			if err := tx.script(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at `+
				db.timeType()+` NOT NULL)`); err != nil {
				return err
			}
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
				return err
			} else if n > 0 {
				return nil
			}
			if err := tx.script(ctx, string(body)); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if step := migrationSteps[version]; step != nil {
				if err := step(ctx, tx); err != nil {
					return fmt.Errorf("%s: %w", name, err)
				}
			}
			_, err = tx.exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, version, tx.now)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// migrationSteps are what a migration needs done in Go after its SQL, in
// the same transaction: filling a new table from rows that SQL alone
// cannot take apart.
var migrationSteps = map[string]func(context.Context, *Tx) error{
	"0013_customer_words": indexAllCustomerWords,
	"0017_macro_words":    indexAllMacroWords,
}
