package sqldb

import "context"

// SetSearchBatch makes word matches come in batches of n until restore is
// called, so that tests can page across batches with a few tickets.
func SetSearchBatch(n int) (restore func()) {
	old := searchBatch
	searchBatch = n
	return func() { searchBatch = old }
}

// MarkBouncing marks email as bouncing for good with reason, as a proved
// bounce of mail sent to it would.
func MarkBouncing(db *DB, email, reason string) error {
	return db.write(context.Background(), func(tx *Tx) error {
		_, err := tx.exec(context.Background(), `UPDATE customer_emails SET bouncing_since = $2, bounce_reason = $3
			WHERE email = $1`, email, tx.now, reason)
		return err
	})
}

// ReindexCustomerWords drops every customer's words and fills them again
// as the migration that added them does.
func ReindexCustomerWords(db *DB) error {
	return db.write(context.Background(), func(tx *Tx) error {
		if _, err := tx.exec(context.Background(), `DELETE FROM customer_words`); err != nil {
			return err
		}
		return indexAllCustomerWords(context.Background(), tx)
	})
}

// OpenMigratedWithout opens dsn as Open does, but leaves out the
// migration named skip: a database with rows for it to carry over, when
// the code of today writes the tables of later migrations.
func OpenMigratedWithout(ctx context.Context, dsn, skip string) (*DB, error) {
	return open(ctx, dsn, false, func(version string) bool { return version != skip })
}

// WriterForeignKeys reports whether writes check foreign keys (always so
// on PostgreSQL).
func WriterForeignKeys(db *DB) (on bool, err error) {
	if db.engine != SQLite {
		return true, nil
	}
	err = db.write(context.Background(), func(tx *Tx) error {
		return tx.queryRow(context.Background(), `PRAGMA foreign_keys`).Scan(&on)
	})
	return on, err
}

// SQLiteSchemaOf returns the type, name and SQL of every index and
// trigger on table, by name, on SQLite.
func SQLiteSchemaOf(db *DB, table string) ([]string, error) {
	var out []string
	err := db.read(context.Background(), func(q *Tx) (err error) {
		out, err = queryAll(context.Background(), q, scanString, `SELECT type || ' ' || name || ': ' || COALESCE(sql, '')
			FROM sqlite_master WHERE tbl_name = $1 AND type IN ('index', 'trigger') ORDER BY name`, table)
		return err
	})
	return out, err
}

// ReindexMacroWords drops every macro's words and fills them again as the
// migration that added them does.
func ReindexMacroWords(db *DB) error {
	return db.write(context.Background(), func(tx *Tx) error {
		if _, err := tx.exec(context.Background(), `DELETE FROM macro_words`); err != nil {
			return err
		}
		return indexAllMacroWords(context.Background(), tx)
	})
}

// InvitationMailSecret returns what the agent's unspent invitation keeps
// in mail_secret; nil when it keeps nothing.
func InvitationMailSecret(db *DB, agentID int64) (*string, error) {
	var v *string
	err := db.read(context.Background(), func(q *Tx) error {
		return q.queryRow(context.Background(), `SELECT mail_secret FROM invitations WHERE agent_id = $1 AND used_at IS NULL`, agentID).Scan(&v)
	})
	return v, err
}
