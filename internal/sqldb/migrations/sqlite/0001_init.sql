-- Times are INTEGER microseconds since the Unix epoch, UTC.

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE organizations (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL, -- the name case-folded by Tend, the same on both engines
	tier       TEXT NOT NULL DEFAULT 'standard' CHECK (tier IN ('standard', 'priority')),
	notes      TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX organizations_name ON organizations (name_key);

CREATE TABLE organization_domains (
	domain          TEXT PRIMARY KEY,
	organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
	position        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX organization_domains_organization ON organization_domains (organization_id);

CREATE TABLE customers (
	id              INTEGER PRIMARY KEY,
	name            TEXT NOT NULL DEFAULT '',
	name_key        TEXT NOT NULL DEFAULT '',
	phone           TEXT NOT NULL DEFAULT '',
	organization_id INTEGER REFERENCES organizations (id),
	notes           TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
);
CREATE INDEX customers_organization ON customers (organization_id, id);
CREATE INDEX customers_name ON customers (name_key, id);

-- Addresses are stored lower-cased; each belongs to one customer.
CREATE TABLE customer_emails (
	email       TEXT PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
	position    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX customer_emails_customer ON customer_emails (customer_id, position);

CREATE TABLE agents (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL,
	email         TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL CHECK (role IN ('agent', 'lead', 'manager', 'admin')),
	active        INTEGER NOT NULL DEFAULT 1,
	password_hash TEXT NOT NULL DEFAULT '',
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);

CREATE TABLE teams (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	name_key   TEXT NOT NULL,
	lead_id    INTEGER REFERENCES agents (id),
	manager_id INTEGER REFERENCES agents (id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (name_key);

CREATE TABLE team_members (
	team_id  INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
	agent_id INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	PRIMARY KEY (team_id, agent_id)
) WITHOUT ROWID;
CREATE INDEX team_members_agent ON team_members (agent_id, team_id);

CREATE TABLE tickets (
	id                 INTEGER PRIMARY KEY,
	number             INTEGER NOT NULL UNIQUE,
	subject            TEXT NOT NULL,
	status             TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
	priority           TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	channel            TEXT NOT NULL CHECK (channel IN ('email', 'web', 'portal', 'phone', 'chat', 'api')),
	customer_id        INTEGER NOT NULL REFERENCES customers (id),
	organization_id    INTEGER REFERENCES organizations (id),
	owner_id           INTEGER REFERENCES agents (id),
	team_id            INTEGER REFERENCES teams (id),
	tags               TEXT NOT NULL DEFAULT '', -- space-separated; ticket_tags is the index
	reopen_count       INTEGER NOT NULL DEFAULT 0,
	version            INTEGER NOT NULL DEFAULT 1,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	first_responded_at INTEGER,
	solved_at          INTEGER,
	closed_at          INTEGER
);
-- Lists read one of these in order and stop after a page.
CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_owner ON tickets (owner_id, status, updated_at, id);
CREATE INDEX tickets_team ON tickets (team_id, status, updated_at, id);
CREATE INDEX tickets_customer ON tickets (customer_id, updated_at, id);
CREATE INDEX tickets_organization ON tickets (organization_id, updated_at, id);

CREATE TABLE ticket_tags (
	tag       TEXT NOT NULL,
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	PRIMARY KEY (tag, ticket_id)
) WITHOUT ROWID;
CREATE INDEX ticket_tags_ticket ON ticket_tags (ticket_id);

CREATE TABLE messages (
	id                 INTEGER PRIMARY KEY,
	ticket_id          INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	kind               TEXT NOT NULL CHECK (kind IN ('reply', 'note')),
	author_type        TEXT NOT NULL CHECK (author_type IN ('customer', 'agent', 'system')),
	author_agent_id    INTEGER REFERENCES agents (id),
	author_customer_id INTEGER REFERENCES customers (id),
	body_text          TEXT NOT NULL,
	body_html          TEXT NOT NULL DEFAULT '',
	created_at         INTEGER NOT NULL
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);

CREATE TABLE attachments (
	id           INTEGER PRIMARY KEY,
	message_id   INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
	sha256       TEXT NOT NULL,
	name         TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	created_at   INTEGER NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE ticket_events (
	id         INTEGER PRIMARY KEY,
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	kind       TEXT NOT NULL,
	actor_type TEXT NOT NULL,
	actor_id   INTEGER,
	data       TEXT NOT NULL DEFAULT '{}',
	created_at INTEGER NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
CREATE TRIGGER ticket_events_no_update BEFORE UPDATE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
CREATE TRIGGER ticket_events_no_delete BEFORE DELETE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;

CREATE TABLE audit_log (
	id           INTEGER PRIMARY KEY,
	actor_type   TEXT NOT NULL,
	actor_id     INTEGER,
	action       TEXT NOT NULL,
	subject_type TEXT NOT NULL,
	subject_id   INTEGER NOT NULL,
	data         TEXT NOT NULL DEFAULT '{}',
	created_at   INTEGER NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	agent_id     INTEGER NOT NULL REFERENCES agents (id),
	name         TEXT NOT NULL,
	hash         TEXT NOT NULL UNIQUE, -- SHA-256 of the secret
	prefix       TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at   INTEGER
);
CREATE INDEX api_tokens_agent ON api_tokens (agent_id);

CREATE TABLE sessions (
	hash       TEXT PRIMARY KEY, -- SHA-256 of the secret
	agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_agent ON sessions (agent_id);

-- A repeated submission with the same key returns what the first created.
CREATE TABLE idempotency_keys (
	principal    TEXT NOT NULL, -- agent:ID, customer:ID or system
	key          TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	ticket_id    INTEGER NOT NULL,
	message_id   INTEGER,
	created_at   INTEGER NOT NULL,
	PRIMARY KEY (principal, key)
) WITHOUT ROWID;

-- Full-text indexes over the tables they read from, kept in step by
-- triggers so that no write path can forget them.
CREATE VIRTUAL TABLE ticket_fts USING fts5 (
	subject, content = 'tickets', content_rowid = 'id',
	tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER tickets_fts_insert AFTER INSERT ON tickets BEGIN
	INSERT INTO ticket_fts (rowid, subject) VALUES (new.id, new.subject);
END;
CREATE TRIGGER tickets_fts_update AFTER UPDATE OF subject ON tickets WHEN old.subject <> new.subject BEGIN
	INSERT INTO ticket_fts (ticket_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
	INSERT INTO ticket_fts (rowid, subject) VALUES (new.id, new.subject);
END;
CREATE TRIGGER tickets_fts_delete AFTER DELETE ON tickets BEGIN
	INSERT INTO ticket_fts (ticket_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
END;

CREATE VIRTUAL TABLE message_fts USING fts5 (
	body_text, content = 'messages', content_rowid = 'id',
	tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
	INSERT INTO message_fts (rowid, body_text) VALUES (new.id, new.body_text);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body_text ON messages WHEN old.body_text <> new.body_text BEGIN
	INSERT INTO message_fts (message_fts, rowid, body_text) VALUES ('delete', old.id, old.body_text);
	INSERT INTO message_fts (rowid, body_text) VALUES (new.id, new.body_text);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
	INSERT INTO message_fts (message_fts, rowid, body_text) VALUES ('delete', old.id, old.body_text);
END;
