-- A DM is claimed before it is sent, so two handlers of the same form
-- (a double press, two replicas) send it once. A claim older than two
-- minutes is taken to be from a process that died, and may be taken over.
ALTER TABLE invitees ADD COLUMN dm_claimed_at timestamptz;
ALTER TABLE conferences ADD COLUMN cm_dm_claimed_at timestamptz;
