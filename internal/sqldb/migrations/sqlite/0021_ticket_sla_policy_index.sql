-- Which open tickets a policy holds is asked only when the policy is
-- deleted, and is answered from the open tickets; the index cost every
-- recompute a write per ticket.
DROP INDEX ticket_sla_policy;
