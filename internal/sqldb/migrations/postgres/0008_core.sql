-- A merged customer stays, as a tombstone pointing to the customer kept,
-- so that the ids in ticket history and the audit log always name the
-- same person.
ALTER TABLE customers ADD COLUMN merged_into_id BIGINT REFERENCES customers (id);

-- Replies go to the address the customer last wrote from on the ticket.
CREATE INDEX inbound_mail_ticket ON inbound_mail (ticket_id, id) WHERE ticket_id IS NOT NULL;
