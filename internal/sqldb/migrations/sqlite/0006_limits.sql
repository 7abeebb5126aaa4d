-- Failed attempts to guess a password, by what they were keyed on (an
-- address with where the attempts came from, say; only its SHA-256 is
-- kept). Kept in the database so that every server sharing it applies
-- the same limits. A row is forgotten at forget_at.
CREATE TABLE attempt_limits (
	key_hash   TEXT PRIMARY KEY,
	failures   INTEGER NOT NULL,
	last_at    INTEGER NOT NULL,
	forget_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX attempt_limits_forget ON attempt_limits (forget_at);
