-- What Tend trusts in mail, and what it keeps of mail it cannot trust.

-- The sender and a hash of the decoded text and files of the first mail
-- with a Message-ID: a second mail with that id is the same mail only when
-- both match. Rows written before are compared by Message-ID alone.
ALTER TABLE mail_ids ADD COLUMN sender TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_ids ADD COLUMN content_sha256 TEXT NOT NULL DEFAULT '';

-- Addresses a mail copied that did not become participants by themselves
-- (over the caps, or in mail that joined by the number in its subject);
-- an agent may add them.
CREATE TABLE suggested_participants (
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	email      TEXT NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	message_id INTEGER REFERENCES messages (id),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (ticket_id, email)
) WITHOUT ROWID;

-- The sender as the mail wrote it, when it was not an address Tend can
-- write to; the customer made for it keeps it too, so that their next mail
-- finds them.
ALTER TABLE messages ADD COLUMN from_raw TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN raw_address TEXT NOT NULL DEFAULT '';
CREATE INDEX customers_raw_address ON customers (raw_address) WHERE raw_address <> '';

-- Spam: marked by an agent, or by the upstream filter for a new ticket.
ALTER TABLE tickets ADD COLUMN spam INTEGER NOT NULL DEFAULT 0;
CREATE INDEX tickets_spam ON tickets (updated_at, id) WHERE spam = 1;

-- Senders whose mail is ignored: an address, or a whole domain written
-- as @example.com.
CREATE TABLE blocked_senders (
	pattern    TEXT PRIMARY KEY,
	ticket_id  INTEGER REFERENCES tickets (id), -- the spam that blocked it
	created_by INTEGER REFERENCES agents (id),
	created_at INTEGER NOT NULL
) WITHOUT ROWID;

-- An acknowledgement to a sender who may be forged does not repeat the
-- mail's subject.
ALTER TABLE outbound_mail ADD COLUMN quote_subject INTEGER NOT NULL DEFAULT 1;

-- The desk's acknowledgements of the last hour are counted for every new
-- ticket from mail (Outbox.AllAckLimit).
CREATE INDEX outbound_mail_kind ON outbound_mail (kind, created_at);
