-- A snoozed reminder stands in for the reminders of the same kind,
-- subject and recipient that the daily sweep would write meanwhile: the
-- sweep looks for one by this index.
CREATE INDEX outbox_snoozed_idx ON outbox (subject_id, recipient_id, kind) WHERE dedup_key LIKE 'reminder:%:snoozed:%';

-- /metrics counts the messages waiting and those given up, by kind, on
-- every scrape: each from a small index, however long the table grows.
CREATE INDEX outbox_failed_idx ON outbox (kind) WHERE state = 'failed';
CREATE INDEX outbox_in_flight_kind_idx ON outbox (kind) WHERE state = 'in_flight';
