-- A fourth answer to an invitation: not involved with this client, with an
-- optional line of explanation (reason) for the case manager. No report is
-- owed for it.
ALTER TABLE responses DROP CONSTRAINT responses_answer_check;
ALTER TABLE responses ADD CONSTRAINT responses_answer_check
    CHECK (answer IN ('attending', 'colleague', 'apologies', 'not_involved'));
ALTER TABLE responses ADD COLUMN reason text;
ALTER TABLE responses ADD CONSTRAINT responses_reason_check CHECK (reason IS NULL OR answer = 'not_involved');
