package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
)

// The few places where SQLite and PostgreSQL need different SQL.

// timeType is the column type of a timestamp.
func (db *DB) timeType() string {
	if db.engine == Postgres {
		return "TIMESTAMPTZ"
	}
	return "INTEGER"
}

// hasSchema reports whether Tend has migrated the database before.
func (db *DB) hasSchema(ctx context.Context) (bool, error) {
	query := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if db.engine == Postgres {
		query = `SELECT COUNT(*) FROM pg_catalog.pg_class WHERE oid = to_regclass('schema_migrations')`
	}
	var n int
	err := db.read(ctx, func(q *Tx) error { return q.queryRow(ctx, query).Scan(&n) })
	if err != nil {
		return false, fmt.Errorf("look for Tend's schema: %w", err)
	}
	return n > 0, nil
}

// sqliteHasSchema is hasSchema for the SQLite file at path, read without
// changing it.
func sqliteHasSchema(ctx context.Context, path string) (bool, error) {
	ro, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		return false, err
	}
	defer ro.Close()
	var n int
	err = ro.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look for Tend's schema in %s: %w", path, err)
	}
	return n > 0, nil
}

// forUpdate locks the rows a SELECT reads until the transaction ends. SQLite
// needs nothing: its one writer holds the whole database.
func (db *DB) forUpdate() string {
	if db.engine == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// forShare locks the rows a SELECT reads against change, not against other
// readers, until the transaction ends.
// forUpdateOf is forUpdate for a query that joins other tables: it locks
// the rows of table alone.
func (db *DB) forUpdateOf(table string) string {
	if db.engine == Postgres {
		return " FOR UPDATE OF " + table
	}
	return ""
}

func (db *DB) forShare() string {
	if db.engine == Postgres {
		return " FOR SHARE"
	}
	return ""
}

// skipLocked locks the rows a SELECT reads, passing over those another
// transaction holds instead of waiting for them.
func (db *DB) skipLocked() string {
	if db.engine == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// spamOnly reads the tickets marked spam from their partial index, which
// is small: SQLite uses a partial index only when told to and when the
// query says its condition in the same words.
func (db *DB) spamOnly() (from, where string) {
	if db.engine == Postgres {
		return "tickets t", "t.spam"
	}
	return "tickets t INDEXED BY tickets_spam", "t.spam = 1"
}

// nextTicketNumber is an expression for the next ticket number. SQLite's
// single writer makes MAX()+1 safe; PostgreSQL draws from a sequence so
// that concurrent creations never wait on each other.
func (db *DB) nextTicketNumber() string {
	if db.engine == Postgres {
		return "nextval('ticket_number_seq')"
	}
	return "(SELECT COALESCE(MAX(number), 999) + 1 FROM tickets)"
}

// prefixMatch is a condition that expr starts with prefix, written so that
// an index on expr serves it.
func (db *DB) prefixMatch(a *args, expr, prefix string) string {
	if db.engine == Postgres {
		return expr + " LIKE " + a.add(escapeLike(prefix)+"%")
	}
	// SQLite's LIKE cannot use an expression index; a range can.
	return "(" + expr + " >= " + a.add(prefix) + " AND " + expr + " < " + a.add(prefix+"\U0010FFFF") + ")"
}

func escapeLike(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' || s[i] == '_' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
