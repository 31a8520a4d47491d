-- The outbox: every message the bot must get to a person is a row here,
-- written in the same transaction as the change that calls for it, then
-- sent, then marked sent. A crash or a Slack outage delays a message; it
-- never loses one. dedup_key makes a second enqueue of the same message
-- (the same reminder slot, say) a no-op.
CREATE TABLE outbox (
    id             bigserial PRIMARY KEY,
    kind           text NOT NULL,          -- invitation, summary, cancellation, reminder kinds, ...
    dedup_key      text NOT NULL UNIQUE,   -- kind, subject, recipient, slot
    recipient_id   text NOT NULL,          -- Slack user ID
    conference_id  bigint REFERENCES conferences (id) ON DELETE CASCADE,
    subject_id     bigint,                 -- invitee, action, consent: by kind
    state          text NOT NULL DEFAULT 'pending'
                   CHECK (state IN ('pending', 'in_flight', 'sent', 'failed', 'cancelled')),
    not_before     timestamptz NOT NULL,   -- the earliest it may go (working hours, back-off)
    attempts       integer NOT NULL DEFAULT 0,
    claimed_by     text,
    claimed_at     timestamptz,
    sent_at        timestamptz,
    channel        text,                   -- where the posted message lives, for updates and deletion
    ts             text,
    errors         text[] NOT NULL DEFAULT '{}',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due_idx ON outbox (not_before, id) WHERE state = 'pending';
CREATE INDEX outbox_in_flight_idx ON outbox (claimed_at) WHERE state = 'in_flight';
CREATE INDEX outbox_conference_idx ON outbox (conference_id);

-- Superseded by the outbox before it was ever used.
DROP TABLE reminder_deliveries;
