-- Failed attempts to guess a password, by what they were keyed on (an
-- address with where the attempts came from, say; only its SHA-256 is
-- kept). Kept in the database so that every server sharing it applies
-- the same limits. A row is forgotten at forget_at.
CREATE TABLE attempt_limits (
	key_hash   TEXT PRIMARY KEY,
	failures   INTEGER NOT NULL,
	last_at    INTEGER NOT NULL,
	forget_at  INTEGER NOT NULL,
	writes     BIGINT NOT NULL -- counted attempts, so that forgiving one knows if another came since
) WITHOUT ROWID;
CREATE INDEX attempt_limits_forget ON attempt_limits (forget_at);

-- Browsers that agents signed in from, by the SHA-256 of the secret in the
-- browser's cookie. A sign-in from a known browser is limited on its own,
-- so that others' failures from the same address (an office behind one
-- router) never slow down someone who has signed in there before.
CREATE TABLE known_browsers (
	hash       TEXT PRIMARY KEY,
	agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX known_browsers_agent ON known_browsers (agent_id);
