-- Editing a conference. An invitee taken off the list is kept, with when
-- (their answers, agreement and any report stay on the record), and is no
-- longer part of the conference: every read of invitees skips them, and
-- their agreement no longer lets them see it. Someone invited again is a
-- new invitee.
ALTER TABLE invitees ADD COLUMN IF NOT EXISTS removed_at timestamptz;
DROP INDEX IF EXISTS invitees_conference_user_idx;
CREATE UNIQUE INDEX invitees_conference_user_idx ON invitees (conference_id, slack_user_id)
    WHERE slack_user_id IS NOT NULL AND removed_at IS NULL;

-- Each saved change to a conference, with what each changed thing was
-- before and became (caseconf.FieldChange, as JSON), and the calendar
-- SEQUENCE it raised the conference to. The change notices render from
-- it. source_key is the form submission: submitting the same form again
-- saves nothing more.
CREATE TABLE IF NOT EXISTS conference_edits (
    id             bigserial PRIMARY KEY,
    conference_id  bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    sequence       integer NOT NULL,
    edited_by      text NOT NULL,
    edited_at      timestamptz NOT NULL,
    changes        jsonb NOT NULL,
    source_key     text UNIQUE
);
CREATE INDEX IF NOT EXISTS conference_edits_conference_idx ON conference_edits (conference_id, id);
