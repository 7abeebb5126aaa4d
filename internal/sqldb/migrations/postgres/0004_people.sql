-- The messages a customer wrote, found without reading every message:
-- merging customers moves them, and deleting a customer checks for them.
CREATE INDEX messages_author_customer ON messages (author_customer_id) WHERE author_customer_id IS NOT NULL;
