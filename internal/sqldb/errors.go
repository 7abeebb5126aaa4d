package sqldb

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/tendhq/tend"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errNoRows is what a query that finds nothing returns, on either engine.
var errNoRows = errors.New("no rows")

// constraintError is a violated constraint, told apart by kind so that
// services can say what the user should change.
type constraintError struct {
	kind string // "unique" or "foreign_key"
	err  error
}

func (e *constraintError) Error() string { return e.kind + " violation: " + e.err.Error() }
func (e *constraintError) Unwrap() error { return e.err }

func isUniqueViolation(err error) bool {
	var c *constraintError
	return errors.As(err, &c) && c.kind == "unique"
}

func isForeignKeyViolation(err error) bool {
	var c *constraintError
	return errors.As(err, &c) && c.kind == "foreign_key"
}

// translateError maps each engine's errors for "no rows" and constraint
// violations to one form.
func translateError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) || errors.Is(err, pgx.ErrNoRows) {
		return errNoRows
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &constraintError{kind: "unique", err: err}
		case "23503":
			return &constraintError{kind: "foreign_key", err: err}
		case "22021", "22P05":
			// Text the domain did not check, such as a filter value, with a
			// character PostgreSQL cannot store.
			return tend.Errorf(tend.EINVALID, "Text must not contain NUL or other characters that cannot be stored.")
		}
		return err
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &constraintError{kind: "unique", err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &constraintError{kind: "foreign_key", err: err}
		}
	}
	return err
}
