-- The built-in calendar and the default policy were made when service
-- levels came, not in 1970: they say so from this migration's time.
UPDATE calendars SET created_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER), updated_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)
	WHERE id = 1 AND created_at = 0;
UPDATE sla_policies SET created_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER), updated_at = CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)
	WHERE is_default AND created_at = 0;
