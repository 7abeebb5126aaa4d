-- tend:foreign-keys-off
-- Agents hear of service-level warnings and breaches: the notifications
-- table is made again with the two new kinds (SQLite cannot alter a
-- CHECK constraint).
CREATE TABLE notifications_new (
	id         INTEGER PRIMARY KEY,
	agent_id   INTEGER NOT NULL REFERENCES agents (id),
	kind       TEXT NOT NULL CHECK (kind IN ('assigned', 'mentioned', 'customer_replied', 'changed', 'sla_warning', 'sla_breached')),
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	actor      TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	read_at    INTEGER
);
INSERT INTO notifications_new SELECT id, agent_id, kind, ticket_id, actor, created_at, read_at FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_agent ON notifications (agent_id, id);
CREATE INDEX notifications_unread ON notifications (agent_id, id) WHERE read_at IS NULL;
CREATE INDEX notifications_unread_ticket ON notifications (agent_id, ticket_id) WHERE read_at IS NULL;
