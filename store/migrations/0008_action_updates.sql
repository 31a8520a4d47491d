-- Every update to an action after the plan went round: progress notes,
-- and new dates (made at once by the case manager or chair, or proposed
-- by the owner and then accepted, kept or overtaken). The history is the
-- record; actions.progress (the latest note) and actions.proposed_due_on
-- (the date waiting for the case manager) are kept in step with it, in
-- the same transaction, for lists and the export.
CREATE TABLE action_updates (
    id             bigserial PRIMARY KEY,
    action_id      bigint NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    conference_id  bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('note', 'new_date')),
    state          text NOT NULL CHECK (state IN ('made', 'proposed', 'accepted', 'kept', 'superseded')),
    by_id          text NOT NULL,
    at             timestamptz NOT NULL,
    note           text NOT NULL,          -- the note, or why the date should move
    old_due_on     date,
    new_due_on     date,
    decided_by     text,
    decided_at     timestamptz,
    source_key     text UNIQUE,            -- the form submission; a resubmission is a no-op
    CHECK ((kind = 'new_date') = (new_due_on IS NOT NULL AND old_due_on IS NOT NULL)),
    CHECK (kind = 'new_date' OR state = 'made')
);
CREATE INDEX action_updates_action_idx ON action_updates (action_id, id);
-- At most one date waits for the case manager per action.
CREATE UNIQUE INDEX action_updates_proposed_idx ON action_updates (action_id) WHERE state = 'proposed';
