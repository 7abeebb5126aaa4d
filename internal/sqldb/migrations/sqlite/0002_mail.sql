-- The email channel: support addresses, the Message-IDs that thread
-- replies, participants, inbound mail as received, and outbound mail.

CREATE TABLE mailboxes (
	id                  INTEGER PRIMARY KEY,
	address             TEXT NOT NULL UNIQUE, -- lower-cased, such as support@example.com
	name                TEXT NOT NULL DEFAULT '',
	team_id             INTEGER REFERENCES teams (id),
	imap_host           TEXT NOT NULL DEFAULT '', -- empty: mail arrives over SMTP only
	imap_port           INTEGER NOT NULL DEFAULT 993,
	imap_security       TEXT NOT NULL DEFAULT 'tls' CHECK (imap_security IN ('tls', 'starttls', 'none')),
	imap_username       TEXT NOT NULL DEFAULT '',
	imap_auth           TEXT NOT NULL DEFAULT 'password' CHECK (imap_auth IN ('password', 'xoauth2')),
	imap_secret         TEXT NOT NULL DEFAULT '', -- password or token, sealed with the data key
	imap_folder         TEXT NOT NULL DEFAULT 'INBOX',
	imap_done_folder    TEXT NOT NULL DEFAULT '', -- empty: mark fetched mail seen instead of moving it
	imap_uidvalidity    INTEGER NOT NULL DEFAULT 0,
	imap_last_uid       INTEGER NOT NULL DEFAULT 0,
	imap_last_success_at INTEGER,
	imap_last_error     TEXT NOT NULL DEFAULT '',
	imap_last_error_at  INTEGER,
	created_at          INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL
);

ALTER TABLE tickets ADD COLUMN mailbox_id INTEGER REFERENCES mailboxes (id);
ALTER TABLE tickets ADD COLUMN reply_token TEXT; -- in support+TOKEN@domain
ALTER TABLE tickets ADD COLUMN previous_ticket_id INTEGER REFERENCES tickets (id);
CREATE UNIQUE INDEX tickets_reply_token ON tickets (reply_token);

ALTER TABLE messages ADD COLUMN quoted_text TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN quoted_html TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN delivery TEXT NOT NULL DEFAULT ''; -- '', queued, sent, failed
ALTER TABLE messages ADD COLUMN delivery_error TEXT NOT NULL DEFAULT '';

ALTER TABLE customer_emails ADD COLUMN bouncing_since INTEGER;
ALTER TABLE customer_emails ADD COLUMN bounce_reason TEXT NOT NULL DEFAULT '';

-- Every Message-ID Tend received or sent, and the ticket it belongs to.
CREATE TABLE mail_ids (
	message_id   TEXT PRIMARY KEY,
	ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
	direction    TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	created_at   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX mail_ids_ticket ON mail_ids (ticket_id, created_at);

-- Addresses copied on a ticket's mail; they receive its replies.
CREATE TABLE ticket_participants (
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	email     TEXT NOT NULL,
	name      TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (ticket_id, email)
) WITHOUT ROWID;

-- Mail as received, kept whatever became of it: what it did, or why it
-- failed (quarantined, retryable).
CREATE TABLE inbound_mail (
	id          INTEGER PRIMARY KEY,
	mailbox_id  INTEGER REFERENCES mailboxes (id),
	source      TEXT NOT NULL CHECK (source IN ('smtp', 'imap', 'import')),
	message_id  TEXT NOT NULL DEFAULT '',
	sender      TEXT NOT NULL DEFAULT '',
	subject     TEXT NOT NULL DEFAULT '',
	raw_sha256  TEXT NOT NULL,
	size        INTEGER NOT NULL,
	outcome     TEXT NOT NULL, -- created, added, duplicate, bounce, auto_reply, ignored, failed
	ticket_id   INTEGER REFERENCES tickets (id),
	detail      TEXT NOT NULL DEFAULT '',
	received_at INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE INDEX inbound_mail_outcome ON inbound_mail (outcome, id);

-- Mail Tend sends, one row per mail; a River job delivers it.
CREATE TABLE outbound_mail (
	id              INTEGER PRIMARY KEY,
	ticket_id       INTEGER NOT NULL REFERENCES tickets (id),
	message_id      INTEGER REFERENCES messages (id), -- NULL for automatic mail
	mailbox_id      INTEGER NOT NULL REFERENCES mailboxes (id),
	kind            TEXT NOT NULL CHECK (kind IN ('reply', 'acknowledgement')),
	mail_message_id TEXT NOT NULL UNIQUE,
	to_address      TEXT NOT NULL,
	cc_addresses    TEXT NOT NULL DEFAULT '', -- space-separated
	status          TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      INTEGER NOT NULL,
	sent_at         INTEGER
);
CREATE INDEX outbound_mail_ticket ON outbound_mail (ticket_id);
CREATE INDEX outbound_mail_to ON outbound_mail (to_address, kind, created_at);
