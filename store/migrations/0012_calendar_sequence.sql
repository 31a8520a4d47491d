-- The SEQUENCE of a conference's calendar file (RFC 5545): 0 when it is
-- called, raised by every change the invitees' calendars must follow (a
-- cancellation; a later edit).
ALTER TABLE conferences ADD COLUMN IF NOT EXISTS calendar_sequence integer NOT NULL DEFAULT 0;
