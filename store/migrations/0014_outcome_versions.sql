-- Correcting the record (issue 14, part 4): after the outcome is recorded
-- its chair, minute taker or case manager may correct it. Every earlier
-- version is kept as it was, with who made it, when and why; the outcome
-- row holds the latest, numbered.
ALTER TABLE outcomes
    ADD COLUMN version      integer NOT NULL DEFAULT 1 CHECK (version > 0),
    ADD COLUMN amended_by   text,
    ADD COLUMN amended_at   timestamptz,
    ADD COLUMN amend_reason text NOT NULL DEFAULT '';  -- what changed and why, from the version before

-- An earlier version: the outcome and its action plan as they were
-- (caseconf.Outcome as JSON), who made it (recorded or corrected it) and
-- when, and why it differed from the one before ('' for the first); and
-- the correction that replaced it, with its form submission (a
-- resubmission is a no-op).
CREATE TABLE outcome_versions (
    conference_id  bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    version        integer NOT NULL CHECK (version > 0),
    outcome        jsonb NOT NULL,
    made_by        text NOT NULL,
    made_at        timestamptz NOT NULL,
    reason         text NOT NULL DEFAULT '',
    replaced_by    text NOT NULL,
    replaced_at    timestamptz NOT NULL,
    source_key     text UNIQUE,
    PRIMARY KEY (conference_id, version)
);

-- An action a correction took out of the plan: closed if it was open,
-- kept with its history, and no longer in the minutes.
ALTER TABLE actions ADD COLUMN removed_at timestamptz;

-- Each version's minutes are disclosed, and logged, in their own right.
ALTER TABLE disclosures ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0);
ALTER TABLE disclosures DROP CONSTRAINT disclosures_conference_id_recipient_id_part_key;
ALTER TABLE disclosures ADD CONSTRAINT disclosures_version_part_key UNIQUE (conference_id, recipient_id, version, part);
