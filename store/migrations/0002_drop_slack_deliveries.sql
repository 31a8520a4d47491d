-- Slack delivery keys were written before every acknowledgement to drop
-- retries. Slack retries only Events API deliveries, never slash commands
-- or interactions, and writing the key before the effect made events
-- at-most-once. Each effect now carries its own idempotency (a form's view
-- ID, status guards, the same answer being no change), so the table goes.
DROP TABLE slack_deliveries;
