-- Agents who follow a ticket hear of its changes as its owner does.
CREATE TABLE ticket_followers (
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	agent_id   INTEGER NOT NULL REFERENCES agents (id),
	created_at INTEGER NOT NULL,
	PRIMARY KEY (ticket_id, agent_id)
) WITHOUT ROWID;
CREATE INDEX ticket_followers_agent ON ticket_followers (agent_id);

-- What each agent is told of changes to tickets, written by the change.
CREATE TABLE notifications (
	id         INTEGER PRIMARY KEY,
	agent_id   INTEGER NOT NULL REFERENCES agents (id),
	kind       TEXT NOT NULL CHECK (kind IN ('assigned', 'mentioned', 'customer_replied', 'changed')),
	ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
	actor      TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	read_at    INTEGER
);
CREATE INDEX notifications_agent ON notifications (agent_id, id);
CREATE INDEX notifications_unread ON notifications (agent_id, id) WHERE read_at IS NULL;
-- Opening a ticket reads its notifications: an agent with thousands
-- unread must not have them all scanned for the few of one ticket.
CREATE INDEX notifications_unread_ticket ON notifications (agent_id, ticket_id) WHERE read_at IS NULL;

-- The kinds of notification mailed to the agent, comma-separated.
ALTER TABLE agents ADD COLUMN notify_email TEXT NOT NULL DEFAULT '';
