-- Ticket lists agents named and kept: a filter as query parameters.
CREATE TABLE saved_views (
	id         INTEGER PRIMARY KEY,
	agent_id   INTEGER NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
	name       TEXT NOT NULL,
	filter     TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX saved_views_agent ON saved_views (agent_id, name);

-- The Content-ID of an inline part, so that HTML mail can show its cid:
-- images in place.
ALTER TABLE attachments ADD COLUMN content_id TEXT NOT NULL DEFAULT '';
