-- Business calendars and service-level policies. A calendar's hours are
-- versioned: an edit adds a version valid from the moment of the edit,
-- so that business time already counted stays counted and deadlines are
-- laid out again on the new hours from then on. hours and holidays are
-- JSON arrays (tend.BusinessHours, tend.Holiday).
CREATE TABLE calendars (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	builtin    INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX calendars_name ON calendars (lower(name));

CREATE TABLE calendar_versions (
	calendar_id INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
	valid_from  INTEGER NOT NULL,
	time_zone   TEXT NOT NULL,
	hours       TEXT NOT NULL,
	holidays    TEXT NOT NULL,
	PRIMARY KEY (calendar_id, valid_from)
);

-- Always, open at all hours, cannot be changed or deleted.
INSERT INTO calendars (id, name, builtin, created_at, updated_at) VALUES (1, 'Always', 1, 0, 0);
INSERT INTO calendar_versions (calendar_id, valid_from, time_zone, hours, holidays) VALUES (1, 0, 'UTC', '[]', '[]');

-- Policies are tried by position; the default one, which cannot be
-- removed, covers every ticket no other matches. conditions and targets
-- are JSON (tend.PolicyConditions, tend.Targets).
CREATE TABLE sla_policies (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL,
	position    INTEGER NOT NULL DEFAULT 0,
	calendar_id INTEGER NOT NULL REFERENCES calendars (id),
	conditions  TEXT NOT NULL DEFAULT '{}',
	targets     TEXT NOT NULL,
	is_default  INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX sla_policies_name ON sla_policies (lower(name));
INSERT INTO sla_policies (id, name, position, calendar_id, conditions, targets, is_default, created_at, updated_at)
VALUES (1, 'Default', 0, 1, '{}', '{"first_response":1440,"next_response":1440,"periodic_update":null,"resolution":7200,"assignment":null}', 1, 0, 0);

-- Where each ticket stands against its policy, written by its change
-- path: sla is tend.TicketSLA in a line of its own (sla_codec.go); due_at is the earliest deadline
-- passed and unmet, else of a running target (the "Next deadline" column), risk_at when the ticket
-- is or becomes at risk or breached (the At risk view), wake_at when the
-- ticket next needs a look, timer_at when the timer job last queued for it
-- is due (each timer queues the next, so a deadline that moves later
-- needs no new job). A table of its own, so that the timers' writes leave
-- the ticket's row alone.
CREATE TABLE ticket_sla (
	ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
	policy_id INTEGER NOT NULL, -- no reference: a solved ticket keeps naming a policy deleted since
	sla       TEXT NOT NULL,
	due_at    INTEGER,
	risk_at   INTEGER,
	wake_at   INTEGER,
	timer_at  INTEGER
);
CREATE INDEX ticket_sla_due ON ticket_sla (due_at, ticket_id) WHERE due_at IS NOT NULL;
CREATE INDEX ticket_sla_risk ON ticket_sla (risk_at, ticket_id) WHERE risk_at IS NOT NULL;
CREATE INDEX ticket_sla_policy ON ticket_sla (policy_id);
CREATE INDEX ticket_sla_wake ON ticket_sla (wake_at) WHERE wake_at IS NOT NULL;
