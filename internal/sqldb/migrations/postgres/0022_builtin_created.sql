-- The built-in calendar and the default policy were made when service
-- levels came, not in 1970: they say so from this migration's time.
UPDATE calendars SET created_at = now(), updated_at = now() WHERE id = 1 AND created_at = 'epoch';
UPDATE sla_policies SET created_at = now(), updated_at = now() WHERE is_default AND created_at = 'epoch';
