-- An invitation to be mailed keeps its link's secret until the
-- invitation_mail job has handed the mail over, sealed with the desk's
-- secret key (secret.Box), so that a copy of the database alone does not
-- give it away; NULL once mailed, spent, or when it was never to be
-- mailed. invited_by is the agent who made it, whom the mail names.
ALTER TABLE invitations ADD COLUMN mail_secret TEXT;
ALTER TABLE invitations ADD COLUMN invited_by BIGINT REFERENCES agents (id) ON DELETE SET NULL;
