package sqldb

import (
	"context"
	"fmt"

	"github.com/tendhq/tend"
)

// indexCustomerWords records the words customer id is found by, from
// their name and addresses as they are now in tx. Every change to either
// calls it; a customer merged into another is found by no word.
func indexCustomerWords(ctx context.Context, tx *Tx, id int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM customer_words WHERE customer_id = $1`, id); err != nil {
		return fmt.Errorf("index customer: %w", err)
	}
	var name string
	var merged *int64
	if err := tx.queryRow(ctx, `SELECT name, merged_into_id FROM customers WHERE id = $1`, id).Scan(&name, &merged); err != nil {
		return fmt.Errorf("index customer: %w", err)
	}
	if merged != nil {
		return nil
	}
	emails, err := queryAll(ctx, tx, scanString, `SELECT email FROM customer_emails WHERE customer_id = $1 ORDER BY position`, id)
	if err != nil {
		return fmt.Errorf("index customer: %w", err)
	}
	return insertCustomerWords(ctx, tx, id, tend.CustomerWords(name, emails))
}

// wordPrefix is a condition that customer_words.word starts with prefix:
// a range of its index on either engine (PostgreSQL compares the column
// byte by byte).
func wordPrefix(a *args, prefix string) string {
	return "(word >= " + a.add(prefix) + " AND word < " + a.add(prefix+"\U0010FFFF") + ")"
}

func insertCustomerWords(ctx context.Context, tx *Tx, id int64, words []string) error {
	if len(words) == 0 {
		return nil
	}
	var a args
	values := ""
	for i, w := range words {
		if i > 0 {
			values += ", "
		}
		values += "(" + a.add(w) + ", " + a.add(id) + ")"
	}
	if _, err := tx.exec(ctx, `INSERT INTO customer_words (word, customer_id) VALUES `+values+` ON CONFLICT DO NOTHING`, a...); err != nil {
		return fmt.Errorf("index customer: %w", err)
	}
	return nil
}

// indexAllCustomerWords fills customer_words for every customer, a batch
// at a time.
func indexAllCustomerWords(ctx context.Context, tx *Tx) error {
	type person struct {
		id     int64
		name   string
		emails []string
	}
	var after int64
	for {
		batch, err := queryAll(ctx, tx, func(r row) (*person, error) {
			p := &person{}
			return p, r.Scan(&p.id, &p.name)
		}, `SELECT id, name FROM customers WHERE merged_into_id IS NULL AND id > $1 ORDER BY id LIMIT 1000`, after)
		if err != nil || len(batch) == 0 {
			return err
		}
		after = batch[len(batch)-1].id
		err = attachValues(ctx, tx, batch, func(p *person) int64 { return p.id }, func(in string) string {
			return `SELECT customer_id, email FROM customer_emails WHERE customer_id ` + in + ` ORDER BY customer_id, position`
		}, func(p *person, email string) { p.emails = append(p.emails, email) })
		if err != nil {
			return err
		}
		for _, p := range batch {
			if err := insertCustomerWords(ctx, tx, p.id, tend.CustomerWords(p.name, p.emails)); err != nil {
				return err
			}
		}
	}
}
