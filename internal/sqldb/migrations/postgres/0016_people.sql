-- The IANA time zone each agent reads times in, and each customer lives
-- in; '' is not set (an agent's pages then follow their browser).
ALTER TABLE agents ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
