-- Who marked an action done (a Slack user), told to the case manager.
ALTER TABLE actions ADD COLUMN done_by text;
