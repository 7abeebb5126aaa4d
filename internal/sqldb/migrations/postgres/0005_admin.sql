-- One-time links with which invited agents set a password. Only the
-- SHA-256 of the secret is kept. A spent link keeps its row, so that
-- following it again says it was used rather than that it is unknown.
CREATE TABLE invitations (
	hash       TEXT PRIMARY KEY,
	agent_id   BIGINT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL,
	used_at    TIMESTAMPTZ
);
CREATE INDEX invitations_agent ON invitations (agent_id);
