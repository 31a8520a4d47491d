-- Every read of a conference reads its invitees, actions and share list
-- by conference_id: the existing unique indexes on invitees and
-- share_list are partial (Slack users only) and cannot serve those reads,
-- and actions had none, so each was a sequential scan of the whole table.
CREATE INDEX IF NOT EXISTS invitees_conference_idx ON invitees (conference_id);
CREATE INDEX IF NOT EXISTS actions_conference_idx ON actions (conference_id);
CREATE INDEX IF NOT EXISTS share_list_conference_idx ON share_list (conference_id);
