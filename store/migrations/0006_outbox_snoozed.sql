-- A snoozed reminder stands in for the reminders of the same kind,
-- subject and recipient that the daily sweep would write meanwhile: the
-- sweep looks for one by this index.
CREATE INDEX outbox_snoozed_idx ON outbox (subject_id, recipient_id, kind) WHERE dedup_key LIKE 'reminder:%:snoozed:%';
