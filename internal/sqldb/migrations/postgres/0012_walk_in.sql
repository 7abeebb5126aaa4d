-- A ticket can come in by walk-in: a customer at the desk, whose words
-- the agent writes down.
ALTER TABLE tickets DROP CONSTRAINT tickets_channel_check;
ALTER TABLE tickets ADD CONSTRAINT tickets_channel_check
	CHECK (channel IN ('email', 'web', 'portal', 'phone', 'chat', 'api', 'walk_in'));
