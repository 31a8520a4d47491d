-- People not on Slack are full participants: their e-mail address and
-- phone apart (the old free-text contact is split: one with an "@" is an
-- e-mail address, anything else a phone number); their replies, recorded
-- by the case manager or chair, kept in responses with who recorded them
-- ('no_reply' takes a recorded reply back: "no reply yet"); how they
-- accepted the information-sharing agreement; and reports the case
-- manager enters on their behalf, with how and when each arrived.
ALTER TABLE invitees
    ADD COLUMN email text NOT NULL DEFAULT '',
    ADD COLUMN phone text NOT NULL DEFAULT '';
UPDATE invitees SET email = btrim(contact) WHERE slack_user_id IS NULL AND contact LIKE '%@%';
UPDATE invitees SET phone = btrim(contact) WHERE slack_user_id IS NULL AND contact NOT LIKE '%@%' AND btrim(contact) <> '';
-- Never written: their replies are in responses now.
ALTER TABLE invitees DROP COLUMN external_status;

ALTER TABLE responses DROP CONSTRAINT responses_answer_check;
ALTER TABLE responses ADD CONSTRAINT responses_answer_check
    CHECK (answer IN ('attending', 'colleague', 'apologies', 'not_involved', 'no_reply'));
ALTER TABLE responses ADD COLUMN recorded_by text;  -- who recorded it for someone not on Slack

ALTER TABLE agreement_acknowledgements ALTER COLUMN slack_user_id DROP NOT NULL;
ALTER TABLE agreement_acknowledgements
    ADD COLUMN how text CHECK (how IN ('signed_form', 'email', 'verbal')),  -- someone not on Slack: how they accepted
    ADD COLUMN recorded_by text;
ALTER TABLE agreement_acknowledgements ADD CONSTRAINT agreement_acknowledgements_who_check
    CHECK (slack_user_id IS NOT NULL OR (how IS NOT NULL AND recorded_by IS NOT NULL));

ALTER TABLE reports
    ADD COLUMN entered_by   text,  -- the case manager who entered it for someone not on Slack
    ADD COLUMN received_how text,  -- how and when it arrived, as they wrote it
    ADD COLUMN received_on  date;
ALTER TABLE report_revisions
    ADD COLUMN entered_by   text,
    ADD COLUMN received_how text,
    ADD COLUMN received_on  date;
