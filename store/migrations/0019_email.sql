-- E-mail to people not on Slack (CASECONF_SMTP_URL) and the minutes as a
-- password-protected PDF.
--
-- An e-mail is an outbox row like any message: its recipient_id is the
-- address it goes to; the encrypted minutes PDF an e-mail carries is kept
-- in its row only until it is sent (its password is kept nowhere).
ALTER TABLE outbox ADD COLUMN attachment bytea;

-- Each minutes PDF made is a disclosure to each person not on Slack it is
-- for: by name and e-mail address (recipient_id is the address, or the
-- name when they have none), how it goes (e-mailed, or to the case
-- manager to pass on by hand) and, once e-mailed, the outbox row that
-- carried it (sent_at when the mail server took it).
ALTER TABLE disclosures
    ADD COLUMN recipient_name text,
    ADD COLUMN medium text NOT NULL DEFAULT 'slack' CHECK (medium IN ('slack', 'email', 'by_hand')),
    ADD COLUMN outbox_id bigint;
ALTER TABLE disclosures DROP CONSTRAINT disclosures_version_part_key;
CREATE UNIQUE INDEX disclosures_version_part_key ON disclosures (conference_id, recipient_id, version, part) WHERE medium = 'slack';
CREATE INDEX disclosures_outbox_idx ON disclosures (outbox_id) WHERE outbox_id IS NOT NULL;

-- The address replies to caseconf's e-mails go to, for a case manager
-- whose Slack profile has none (/caseconf email-address).
CREATE TABLE user_emails (
    slack_user_id  text PRIMARY KEY,
    email          text NOT NULL,
    set_at         timestamptz NOT NULL
);
