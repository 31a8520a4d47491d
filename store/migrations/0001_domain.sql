-- The whole case-conference domain. All times are
-- timestamptz (stored in UTC); calendar dates (consent validity, action due
-- dates, review dates) are plain dates in the configured time zone.

-- A client (service user). reference is the short identifier practitioners
-- use (initials plus case number); full_name is optional and sensitive.
CREATE TABLE clients (
    id               bigserial PRIMARY KEY,
    reference        text NOT NULL CHECK (length(reference) BETWEEN 1 AND 64),
    full_name        text CHECK (full_name IS NULL OR length(full_name) <= 200),
    case_manager_id  text NOT NULL,            -- Slack user ID of the lead worker
    created_at       timestamptz NOT NULL DEFAULT now(),
    erased_at        timestamptz               -- set when the record is erased after retention
);
CREATE INDEX clients_case_manager_idx ON clients (case_manager_id);

-- Consent to share information, or the recognised reason to meet without it.
CREATE TABLE consents (
    id                bigserial PRIMARY KEY,
    client_id         bigint NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    method            text NOT NULL CHECK (method IN ('written', 'verbal', 'none')),
    given_on          date,
    valid_until       date,
    no_consent_reason text CHECK (no_consent_reason IN
        ('cannot_locate_welfare', 'lacks_capacity', 'prison_or_hospital_agreed',
         'professionals_only', 'risk_of_violence')),
    explanation       text,
    agency_kinds      text[] NOT NULL DEFAULT '{}',  -- health_gp, adult_social_care, mental_health, ...
    recorded_by       text NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((method = 'none') = (no_consent_reason IS NOT NULL)),
    CHECK (method = 'none' OR (given_on IS NOT NULL AND valid_until IS NOT NULL AND valid_until >= given_on))
);
CREATE INDEX consents_client_idx ON consents (client_id);

-- Conference references are CC-0001, CC-0002, ... from one sequence, so two
-- callers at once can never get the same one.
CREATE SEQUENCE conference_ref_seq;

CREATE TABLE conferences (
    id                     bigserial PRIMARY KEY,
    ref                    text NOT NULL UNIQUE,
    client_id              bigint NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    consent_id             bigint REFERENCES consents (id),
    case_manager_id        text NOT NULL,
    chair_id               text NOT NULL,
    minute_taker_id        text NOT NULL,
    reasons                text[] NOT NULL DEFAULT '{}',
    purpose                text NOT NULL DEFAULT '',
    starts_at              timestamptz NOT NULL,
    duration_minutes       integer NOT NULL CHECK (duration_minutes > 0),
    place                  text NOT NULL DEFAULT '',
    client_attends         boolean NOT NULL DEFAULT false,
    client_absence_reason  text,
    client_told_how        text,
    urgent                 boolean NOT NULL DEFAULT false,
    urgent_reason          text,
    status                 text NOT NULL DEFAULT 'scheduled'
                           CHECK (status IN ('scheduled', 'cancelled', 'held', 'recorded')),
    cancel_reason          text,
    review_of_id           bigint REFERENCES conferences (id),  -- a review conference follows this one
    handover               boolean NOT NULL DEFAULT false,      -- three-way handover meeting
    source_key             text UNIQUE,   -- the form submission that created it; a resubmission is a no-op
    cm_dm_channel          text,          -- the case manager's live summary DM, for chat.update
    cm_dm_ts               text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (NOT urgent OR urgent_reason IS NOT NULL)
);
CREATE INDEX conferences_starts_idx ON conferences (starts_at);
CREATE INDEX conferences_client_idx ON conferences (client_id);

-- Invitees: Slack members (slack_user_id set) or people not on Slack (a GP
-- surgery, say), tracked by hand by the case manager.
CREATE TABLE invitees (
    id               bigserial PRIMARY KEY,
    conference_id    bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    slack_user_id    text,
    name             text NOT NULL DEFAULT '',
    role             text NOT NULL DEFAULT '',
    agency           text NOT NULL DEFAULT '',
    agency_kind      text,
    contact          text NOT NULL DEFAULT '',
    external_status  text,          -- what the case manager noted for an off-Slack invitee
    dm_channel       text,          -- where the invitation DM lives, for chat.update
    dm_ts            text,
    invited_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (slack_user_id IS NOT NULL OR name <> '')
);
CREATE UNIQUE INDEX invitees_conference_user_idx ON invitees (conference_id, slack_user_id)
    WHERE slack_user_id IS NOT NULL;
CREATE INDEX invitees_user_idx ON invitees (slack_user_id);

-- The agency a Slack user works for, remembered from their first answer.
CREATE TABLE user_agencies (
    slack_user_id  text PRIMARY KEY,
    agency         text NOT NULL,
    agency_kind    text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Acknowledgement of the information-sharing and confidentiality agreement.
CREATE TABLE agreement_acknowledgements (
    invitee_id     bigint PRIMARY KEY REFERENCES invitees (id) ON DELETE CASCADE,
    conference_id  bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    slack_user_id  text NOT NULL,
    accepted_at    timestamptz NOT NULL DEFAULT now()
);

-- Every answer an invitee gives; the latest is the current one.
CREATE TABLE responses (
    id             bigserial PRIMARY KEY,
    invitee_id     bigint NOT NULL REFERENCES invitees (id) ON DELETE CASCADE,
    answer         text NOT NULL CHECK (answer IN ('attending', 'colleague', 'apologies')),
    colleague      text,            -- the briefed colleague, when sending one
    responded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX responses_invitee_idx ON responses (invitee_id, responded_at DESC);

-- Written agency reports.
CREATE TABLE reports (
    id               bigserial PRIMARY KEY,
    conference_id    bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    invitee_id       bigint NOT NULL REFERENCES invitees (id) ON DELETE CASCADE,
    author_id        text NOT NULL,
    involvement      text NOT NULL DEFAULT '',
    recent_contact   text NOT NULL DEFAULT '',
    concerns         text NOT NULL DEFAULT '',
    worked           text NOT NULL DEFAULT '',
    not_worked       text NOT NULL DEFAULT '',
    recommendations  text NOT NULL DEFAULT '',
    submitted_at     timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (invitee_id)
);

-- The recorded outcome (minutes) of a conference.
CREATE TABLE outcomes (
    conference_id        bigint PRIMARY KEY REFERENCES conferences (id) ON DELETE CASCADE,
    recorded_by          text NOT NULL,
    apologies            text NOT NULL DEFAULT '',
    lead_changed         boolean NOT NULL DEFAULT false,
    new_case_manager_id  text,
    summary              text NOT NULL DEFAULT '',
    worked               text NOT NULL DEFAULT '',
    not_worked           text NOT NULL DEFAULT '',
    client_views         text NOT NULL DEFAULT '',
    review_on            date,
    recorded_at          timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Who attended, with job titles and agencies.
CREATE TABLE outcome_attendees (
    id             bigserial PRIMARY KEY,
    conference_id  bigint NOT NULL REFERENCES outcomes (conference_id) ON DELETE CASCADE,
    slack_user_id  text,
    name           text NOT NULL DEFAULT '',
    job_title      text NOT NULL DEFAULT '',
    agency         text NOT NULL DEFAULT ''
);
CREATE INDEX outcome_attendees_conference_idx ON outcome_attendees (conference_id);

-- The action plan.
CREATE TABLE actions (
    id              bigserial PRIMARY KEY,
    conference_id   bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    area_of_need    text NOT NULL,
    action          text NOT NULL,
    owner_slack_id  text,
    owner_name      text NOT NULL DEFAULT '',
    due_on          date NOT NULL,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
    progress        text NOT NULL DEFAULT '',
    proposed_due_on date,
    done_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (owner_slack_id IS NOT NULL OR owner_name <> '')
);
CREATE INDEX actions_owner_idx ON actions (owner_slack_id) WHERE status = 'open';
CREATE INDEX actions_due_idx ON actions (due_on) WHERE status = 'open';

-- Who the notes are shared with (by default every invitee).
CREATE TABLE share_list (
    id             bigserial PRIMARY KEY,
    conference_id  bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    slack_user_id  text,
    name           text NOT NULL DEFAULT '',
    contact        text NOT NULL DEFAULT '',
    CHECK (slack_user_id IS NOT NULL OR name <> '')
);
CREATE UNIQUE INDEX share_list_user_idx ON share_list (conference_id, slack_user_id)
    WHERE slack_user_id IS NOT NULL;

-- Every read and change of a conference record: who, what, which, when.
-- detail never holds client identifiers or report text.
CREATE TABLE audit_log (
    id             bigserial PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT now(),
    actor_id       text NOT NULL,
    action         text NOT NULL,
    conference_id  bigint REFERENCES conferences (id) ON DELETE SET NULL,
    client_id      bigint REFERENCES clients (id) ON DELETE SET NULL,
    detail         text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_conference_idx ON audit_log (conference_id, at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);

-- One row per reminder per recipient per time slot: the unique key makes a
-- second enqueue a no-op, and the state column lets one replica claim a row
-- (FOR UPDATE SKIP LOCKED), send outside the transaction, then finish it.
CREATE TABLE reminder_deliveries (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL,
    subject_id       bigint NOT NULL,        -- conference, action or consent, by kind
    recipient_id     text NOT NULL,          -- Slack user ID
    slot             text NOT NULL,          -- e.g. '2026-12-01:7wd'
    state            text NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'cancelled')),
    due_at           timestamptz NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    claimed_at       timestamptz,
    claimed_by       text,
    sent_at          timestamptz,
    errors           text[] NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, subject_id, recipient_id, slot)
);
CREATE INDEX reminder_deliveries_due_idx ON reminder_deliveries (next_attempt_at)
    WHERE state IN ('pending', 'in_flight');

-- Slack deliveries already acted on, so a retry is recognised and dropped.
CREATE TABLE slack_deliveries (
    key          text PRIMARY KEY,
    kind         text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slack_deliveries_received_idx ON slack_deliveries (received_at);
