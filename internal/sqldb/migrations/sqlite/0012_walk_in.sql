-- tend:foreign-keys-off
-- A ticket can come in by walk-in: a customer at the desk, whose words
-- the agent writes down.
--
-- SQLite cannot change a CHECK constraint, so the table is made again
-- (https://sqlite.org/lang_altertable.html#otheralter). The runner turns
-- foreign keys off around this file, which it runs in one transaction:
-- with them on, dropping tickets would delete every message and tag
-- (ON DELETE CASCADE), and the rows that name a ticket keep naming it by
-- its id, which the copy keeps. It checks the foreign keys before the
-- commit. Columns are in the order ALTER TABLE added them, so that
-- SELECT * reads as before.
CREATE TABLE tickets_new (
	id                 INTEGER PRIMARY KEY,
	number             INTEGER NOT NULL UNIQUE,
	subject            TEXT NOT NULL,
	status             TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'on_hold', 'solved', 'closed')),
	priority           TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	channel            TEXT NOT NULL CHECK (channel IN ('email', 'web', 'portal', 'phone', 'chat', 'api', 'walk_in')),
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
	closed_at          INTEGER,
	mailbox_id         INTEGER REFERENCES mailboxes (id),
	reply_token        TEXT, -- in support+TOKEN@domain
	previous_ticket_id INTEGER REFERENCES tickets (id),
	spam               INTEGER NOT NULL DEFAULT 0,
	merged_into_id     INTEGER REFERENCES tickets (id)
);
INSERT INTO tickets_new (id, number, subject, status, priority, channel, customer_id, organization_id, owner_id,
	team_id, tags, reopen_count, version, created_at, updated_at, first_responded_at, solved_at, closed_at,
	mailbox_id, reply_token, previous_ticket_id, spam, merged_into_id)
SELECT id, number, subject, status, priority, channel, customer_id, organization_id, owner_id,
	team_id, tags, reopen_count, version, created_at, updated_at, first_responded_at, solved_at, closed_at,
	mailbox_id, reply_token, previous_ticket_id, spam, merged_into_id
FROM tickets;

-- Dropping the table drops its indexes and triggers; the full-text index
-- (ticket_fts, content = 'tickets') reads the new table by name and the
-- same rowids, so it stays as it is.
DROP TABLE tickets;
ALTER TABLE tickets_new RENAME TO tickets;

CREATE INDEX tickets_status_updated ON tickets (status, updated_at, id);
CREATE INDEX tickets_updated ON tickets (updated_at, id);
CREATE INDEX tickets_owner ON tickets (owner_id, status, updated_at, id);
CREATE INDEX tickets_team ON tickets (team_id, status, updated_at, id);
CREATE INDEX tickets_customer ON tickets (customer_id, updated_at, id);
CREATE INDEX tickets_organization ON tickets (organization_id, updated_at, id);
CREATE UNIQUE INDEX tickets_reply_token ON tickets (reply_token);
CREATE INDEX tickets_spam ON tickets (updated_at, id) WHERE spam = 1;

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
