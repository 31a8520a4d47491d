-- Recording the outcome: what 0001's tables lacked, drafts, and the log of
-- every disclosure of the minutes.
ALTER TABLE outcomes
    ADD COLUMN new_lead_agency text NOT NULL DEFAULT '',
    ADD COLUMN source_key text UNIQUE;  -- the form submission that recorded it; a resubmission is a no-op

-- Attendees and apologies in one list: present is false for an apology.
ALTER TABLE outcome_attendees ADD COLUMN present boolean NOT NULL DEFAULT true;

-- An action owner not on Slack is named with their agency.
ALTER TABLE actions ADD COLUMN owner_agency text NOT NULL DEFAULT '';

-- Someone on the share list whom the minutes may not reach (the client's
-- consent does not cover their agency) is kept with why, for the case
-- manager, and being on the list lets them see nothing.
ALTER TABLE share_list ADD COLUMN withheld text;

-- An outcome saved as a draft, as its form: finished later, by the chair,
-- minute taker or case manager. It goes when the outcome is recorded.
CREATE TABLE outcome_drafts (
    conference_id  bigint PRIMARY KEY REFERENCES conferences (id) ON DELETE CASCADE,
    form           jsonb NOT NULL,
    saved_by       text NOT NULL,
    saved_at       timestamptz NOT NULL DEFAULT now(),
    source_key     text
);

-- Every disclosure of a conference's minutes: who was sent which part,
-- decided by whom and when, under which consent (or recorded reason to
-- meet without it), and when Slack took it.
CREATE TABLE disclosures (
    id             bigserial PRIMARY KEY,
    conference_id  bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    recipient_id   text NOT NULL,
    part           integer NOT NULL CHECK (part > 0),
    parts          integer NOT NULL CHECK (parts >= part),
    consent_id     bigint REFERENCES consents (id),
    basis          text NOT NULL,
    decided_by     text NOT NULL,
    decided_at     timestamptz NOT NULL,
    sent_at        timestamptz,
    UNIQUE (conference_id, recipient_id, part)
);
