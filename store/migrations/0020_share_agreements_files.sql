-- A Slack user on a conference's share list who was not invited accepts
-- the information-sharing and confidentiality agreement, naming their
-- agency, before they see case details or get the minutes; the client's
-- consent then covers them (or not) by that agency, as it does invitees.
-- Kept apart from share_list, which a correction of the record writes
-- again: an acceptance outlives it.
CREATE TABLE share_agreements (
    conference_id  bigint NOT NULL REFERENCES conferences (id) ON DELETE CASCADE,
    slack_user_id  text NOT NULL,
    agency         text NOT NULL,
    agency_kind    text NOT NULL,
    accepted_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conference_id, slack_user_id)
);

-- Every file the bot uploaded about a conference's client (an export, the
-- minutes as a PDF, a subject-access document, a calendar file), so that
-- erasure and retention delete it from Slack (files.delete) with the
-- messages. Rows outlive the conference (erasure deletes it first): the
-- client is kept by ID alone, and the row goes once the file is deleted.
-- A file about several clients (a subject-access document) has a row for
-- each.
CREATE TABLE uploaded_files (
    id             bigserial PRIMARY KEY,
    conference_id  bigint,
    client_id      bigint,
    file_id        text NOT NULL,
    kind           text NOT NULL,
    uploaded_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX uploaded_files_file_idx ON uploaded_files (file_id);
CREATE INDEX uploaded_files_client_idx ON uploaded_files (client_id);
CREATE INDEX uploaded_files_conference_idx ON uploaded_files (conference_id);
