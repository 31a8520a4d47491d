-- Actions over time (issue 14): besides done, an action is closed as not
-- achieved or as no longer needed, with why, by whom and when; the client
-- may own an action (owner_name is then 'the client', with no agency), as
-- may someone not on Slack with no agency (a carer).
ALTER TABLE actions DROP CONSTRAINT IF EXISTS actions_status_check;
ALTER TABLE actions ADD CONSTRAINT actions_status_check
    CHECK (status IN ('open', 'done', 'not_achieved', 'not_needed'));
ALTER TABLE actions
    ADD COLUMN closed_at    timestamptz,
    ADD COLUMN closed_by    text,
    ADD COLUMN close_reason text NOT NULL DEFAULT '',
    ADD COLUMN owner_client boolean NOT NULL DEFAULT false,
    -- the last time the case manager or chair gave it to someone else (the
    -- owner before is in the audit log), for the messages that tell of it
    ADD COLUMN reassigned_by text,
    ADD COLUMN reassigned_at timestamptz;
ALTER TABLE actions ADD CONSTRAINT actions_closed_check
    CHECK ((status IN ('not_achieved', 'not_needed')) = (closed_at IS NOT NULL AND close_reason <> ''));
ALTER TABLE actions ADD CONSTRAINT actions_client_check
    CHECK (NOT owner_client OR (owner_slack_id IS NULL AND owner_agency = ''));
