-- Agency reports keep every version. reports holds the latest, one per
-- invitee (UNIQUE (invitee_id)); report_revisions holds each save, with
-- the form submission (Slack view ID) that made it, so the same
-- submission is stored once however often it arrives.
ALTER TABLE reports
    ADD COLUMN author_agency text NOT NULL DEFAULT '',
    ADD COLUMN author_role   text NOT NULL DEFAULT '',
    ADD COLUMN revision      integer NOT NULL DEFAULT 1 CHECK (revision > 0);

CREATE TABLE report_revisions (
    id               bigserial PRIMARY KEY,
    report_id        bigint NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    conference_id    bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    invitee_id       bigint NOT NULL REFERENCES invitees (id) ON DELETE CASCADE,
    revision         integer NOT NULL CHECK (revision > 0),
    author_id        text NOT NULL,
    author_agency    text NOT NULL DEFAULT '',
    author_role      text NOT NULL DEFAULT '',
    involvement      text NOT NULL DEFAULT '',
    recent_contact   text NOT NULL DEFAULT '',
    concerns         text NOT NULL DEFAULT '',
    worked           text NOT NULL DEFAULT '',
    not_worked       text NOT NULL DEFAULT '',
    recommendations  text NOT NULL DEFAULT '',
    source_key       text UNIQUE,   -- the form submission that saved it; a resubmission is a no-op
    saved_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (report_id, revision)
);
CREATE INDEX report_revisions_invitee_idx ON report_revisions (invitee_id);

-- Reports written before there was a history are its first revision.
INSERT INTO report_revisions (report_id, conference_id, invitee_id, revision, author_id, author_agency, author_role,
    involvement, recent_contact, concerns, worked, not_worked, recommendations, saved_at)
SELECT id, conference_id, invitee_id, revision, author_id, author_agency, author_role,
    involvement, recent_contact, concerns, worked, not_worked, recommendations, updated_at
FROM reports;
