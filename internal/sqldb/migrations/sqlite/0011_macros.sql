-- Macros: canned replies with placeholders and actions, personal (owner
-- agent), a team's (team) or shared by all staff.
CREATE TABLE macros (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	body        TEXT NOT NULL DEFAULT '',
	actions     TEXT NOT NULL DEFAULT '{}',
	scope       TEXT NOT NULL CHECK (scope IN ('personal', 'team', 'shared')),
	owner_id    INTEGER REFERENCES agents (id),
	team_id     INTEGER REFERENCES teams (id),
	usage_count INTEGER NOT NULL DEFAULT 0,
	created_by  INTEGER REFERENCES agents (id),
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	CHECK ((scope = 'personal') = (owner_id IS NOT NULL)),
	CHECK ((scope = 'team') = (team_id IS NOT NULL))
);
CREATE INDEX macros_owner ON macros (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX macros_team ON macros (team_id) WHERE team_id IS NOT NULL;

-- The entries one change to a ticket records share its change id, so that
-- history reads them as one step; entries recorded alone have none.
ALTER TABLE ticket_events ADD COLUMN change_id TEXT NOT NULL DEFAULT '';

-- A customer's first name, when the first word of their name is not it.
ALTER TABLE customers ADD COLUMN first_name TEXT NOT NULL DEFAULT '';

-- What a mailbox adds to replies, and the acknowledgement it sends; empty
-- is Tend's own acknowledgement and no signature.
CREATE TABLE mailbox_texts (
	mailbox_id      INTEGER PRIMARY KEY REFERENCES mailboxes (id),
	signature       TEXT NOT NULL DEFAULT '',
	acknowledgement TEXT NOT NULL DEFAULT '',
	updated_at      INTEGER NOT NULL
);
