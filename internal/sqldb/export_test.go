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
