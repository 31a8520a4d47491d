package store

import (
	"context"
	"fmt"
	"time"
)

// DM is a message to one person that must go out once: an invitee's
// invitation, or a conference's summary to its case manager.
type DM int

// The DMs that are claimed before they are sent.
const (
	DMInvitation DM = iota // keyed by invitee ID
	DMSummary              // keyed by conference ID
)

// staleClaim is how long a claim holds before another process may take
// it over (the one that made it died between claiming and recording).
const staleClaim = 2 * time.Minute

// ClaimDM reports whether the caller may send the DM: it has not been
// posted, and nobody else is sending it. Two handlers of the same form, on
// one replica or two, get true once between them. The caller records the
// posted message (SetInvitationMessage, SetSummaryMessage) or, if Slack
// refused it, ReleaseDM so that a later attempt may send it.
func (s *DB) ClaimDM(ctx context.Context, kind DM, id int64) (bool, error) {
	q := `UPDATE invitees SET dm_claimed_at = $2 WHERE id = $1 AND dm_ts IS NULL
		AND (dm_claimed_at IS NULL OR dm_claimed_at < $3)`
	if kind == DMSummary {
		q = `UPDATE conferences SET cm_dm_claimed_at = $2 WHERE id = $1 AND cm_dm_ts IS NULL
		AND (cm_dm_claimed_at IS NULL OR cm_dm_claimed_at < $3)`
	}
	now := s.Now()
	res, err := s.db.ExecContext(ctx, q, id, now, now.Add(-staleClaim))
	if err != nil {
		return false, fmt.Errorf("claim DM: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseDM gives up a claim whose DM could not be sent.
func (s *DB) ReleaseDM(ctx context.Context, kind DM, id int64) error {
	q := `UPDATE invitees SET dm_claimed_at = NULL WHERE id = $1 AND dm_ts IS NULL`
	if kind == DMSummary {
		q = `UPDATE conferences SET cm_dm_claimed_at = NULL WHERE id = $1 AND cm_dm_ts IS NULL`
	}
	if _, err := s.db.ExecContext(ctx, q, id); err != nil {
		return fmt.Errorf("release DM: %w", err)
	}
	return nil
}
