-- A duplicate merged into another ticket names the one kept: mail that
-- later answers the duplicate joins that one.
ALTER TABLE tickets ADD COLUMN merged_into_id BIGINT REFERENCES tickets (id);

-- Related tickets, linked both ways: one row each way, so that each
-- ticket reads its links by its own key.
CREATE TABLE ticket_links (
	ticket_id  BIGINT NOT NULL REFERENCES tickets (id),
	linked_id  BIGINT NOT NULL REFERENCES tickets (id),
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (ticket_id, linked_id)
);

-- What a bulk change answered, so that a retry with the same
-- Idempotency-Key gets the same answer.
ALTER TABLE idempotency_keys ADD COLUMN response TEXT NOT NULL DEFAULT '';
