-- Custom ticket fields an admin defines, and each ticket's values. A key
-- names a field in the API and never changes; choices are a JSON array.
CREATE TABLE fields (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: history names fields by id
	key        TEXT NOT NULL UNIQUE,
	label      TEXT NOT NULL,
	type       TEXT NOT NULL CHECK (type IN ('text', 'choice', 'number', 'date')),
	choices    TEXT NOT NULL DEFAULT '[]',
	required   INTEGER NOT NULL DEFAULT 0,
	position   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);

-- A ticket's value of a field, written by the ticket's change path; no
-- row is no value. Lists filter by (field, value).
CREATE TABLE ticket_field_values (
	ticket_id INTEGER NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
	field_id  INTEGER NOT NULL REFERENCES fields (id) ON DELETE CASCADE,
	value     TEXT NOT NULL,
	PRIMARY KEY (ticket_id, field_id)
);
CREATE INDEX ticket_field_values_value ON ticket_field_values (field_id, value, ticket_id);
