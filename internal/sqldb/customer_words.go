package sqldb

import (
	"context"
	"fmt"
	"strings"

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

// wordsMatch is a condition that each of prefixes starts one of the words
// table (customer_words or macro_words) holds for the row's id: ranges of
// the words' index on either engine (PostgreSQL compares them byte by
// byte), intersected, so that neither engine can walk one word's matches
// probing each against the next.
func wordsMatch(a *args, table, column string, prefixes []string) string {
	sets := make([]string, len(prefixes))
	for i, p := range prefixes {
		sets[i] = "SELECT " + column + " FROM " + table + " WHERE word >= " + a.add(p) + " AND word < " + a.add(p+"\U0010FFFF")
	}
	return "id IN (" + strings.Join(sets, " INTERSECT ") + ")"
}

func insertCustomerWords(ctx context.Context, tx *Tx, id int64, words []string) error {
	if err := insertWords(ctx, tx, "customer_words (word, customer_id)", id, words); err != nil {
		return fmt.Errorf("index customer: %w", err)
	}
	return nil
}

// insertWords adds a row (word, id) to into, "table (word column, id
// column)", for each of words, a few hundred to a statement.
func insertWords(ctx context.Context, tx *Tx, into string, id int64, words []string) error {
	for len(words) > 0 {
		batch := words[:min(len(words), 200)]
		words = words[len(batch):]
		var a args
		values := make([]string, len(batch))
		for i, w := range batch {
			values[i] = "(" + a.add(w) + ", " + a.add(id) + ")"
		}
		if _, err := tx.exec(ctx, `INSERT INTO `+into+` VALUES `+strings.Join(values, ", ")+` ON CONFLICT DO NOTHING`, a...); err != nil {
			return err
		}
	}
	return nil
}

// indexMacroWords records the words the picker finds macro id by.
func indexMacroWords(ctx context.Context, tx *Tx, id int64, name, body string) error {
	if _, err := tx.exec(ctx, `DELETE FROM macro_words WHERE macro_id = $1`, id); err != nil {
		return fmt.Errorf("index macro: %w", err)
	}
	if err := insertWords(ctx, tx, "macro_words (word, macro_id)", id, tend.MacroWords(name, body)); err != nil {
		return fmt.Errorf("index macro: %w", err)
	}
	return nil
}

// indexAllMacroWords fills macro_words for every macro.
func indexAllMacroWords(ctx context.Context, tx *Tx) error {
	type macro struct {
		id         int64
		name, body string
	}
	all, err := queryAll(ctx, tx, func(r row) (m macro, err error) { return m, r.Scan(&m.id, &m.name, &m.body) },
		`SELECT id, name, body FROM macros ORDER BY id`)
	if err != nil {
		return err
	}
	for _, m := range all {
		if err := indexMacroWords(ctx, tx, m.id, m.name, m.body); err != nil {
			return err
		}
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
