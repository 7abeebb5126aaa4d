-- Agents hear of service-level warnings and breaches.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
	CHECK (kind IN ('assigned', 'mentioned', 'customer_replied', 'changed', 'sla_warning', 'sla_breached'));
