package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/caseconf/caseconf"
)

// Reminders in the outbox (written by the sweep, snoozed by their
// recipients) and the outbox's figures for /metrics.

// snoozedMark is the mark in a snoozed reminder's dedup key.
const snoozedMark = ":snoozed:"

// EnqueueReminders writes reminders as Enqueue does, except one whose
// recipient has snoozed the same reminder (kind, subject and recipient)
// to a time after, or less than 12 hours before, its own: the snooze
// stands in for it, so a snooze moves the reminder rather than adding one.
func (s *DB) EnqueueReminders(ctx context.Context, msgs ...Outbox) (int, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue reminders: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	n := 0
	for _, m := range msgs {
		res, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, created_at)
			SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM outbox o
				WHERE o.subject_id = $5 AND o.recipient_id = $3 AND o.kind = $1 AND o.dedup_key LIKE 'reminder:%:snoozed:%'
				AND o.state IN ('pending', 'in_flight', 'sent') AND o.not_before > $6::timestamptz - interval '12 hours')
			ON CONFLICT (dedup_key) DO NOTHING`,
			m.Kind, m.DedupKey, m.RecipientID, nullID(m.ConferenceID), nullID(m.SubjectID), m.NotBefore, now)
		if err != nil {
			return n, fmt.Errorf("enqueue %s: %w", m.Kind, err)
		}
		if k, err := res.RowsAffected(); err == nil {
			n += int(k)
		}
	}
	return n, tx.Commit()
}

// OutboxStat is how many messages of one kind are in one state.
type OutboxStat struct {
	Kind  string `db:"kind"`
	State string `db:"state"`
	Count int64  `db:"count"`
}

// OutboxStats counts the messages pending, in flight and failed by kind,
// and says when the oldest pending one became due (zero when none is
// pending).
func (s *DB) OutboxStats(ctx context.Context) ([]OutboxStat, time.Time, error) {
	var stats []OutboxStat
	// Only the states a message waits in, and failed: each is indexed
	// and stays small however long the table grows (sent and cancelled
	// messages are counted as they happen, in
	// caseconf_outbox_messages_total).
	if err := s.db.SelectContext(ctx, &stats, `SELECT kind, state, count(*) AS count FROM outbox
		WHERE state IN ('pending', 'in_flight', 'failed') GROUP BY kind, state ORDER BY kind, state`); err != nil {
		return nil, time.Time{}, fmt.Errorf("outbox stats: %w", err)
	}
	var oldest sql.NullTime
	if err := s.db.GetContext(ctx, &oldest, `SELECT min(not_before) FROM outbox WHERE state = 'pending'`); err != nil {
		return nil, time.Time{}, fmt.Errorf("outbox stats: %w", err)
	}
	return stats, oldest.Time, nil
}

// Snooze writes reminder id again for userID, to go at until, and reports
// the new message. Only the reminder's own recipient may, and only once it
// has reached them; for anyone else, or anything else, it is ENOTFOUND.
// Snoozing the same reminder to the same moment twice writes it once.
func (s *DB) Snooze(ctx context.Context, id int64, userID string, until time.Time) (Outbox, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return Outbox{}, fmt.Errorf("snooze: %w", err)
	}
	defer tx.Rollback()
	var r outboxRow
	err = tx.GetContext(ctx, &r, `SELECT `+outboxColumns+` FROM outbox
		WHERE id = $1 AND recipient_id = $2 AND state = 'sent' AND dedup_key LIKE 'reminder:%'`, id, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return Outbox{}, caseconf.Errorf(caseconf.ENOTFOUND, "That reminder is not yours to snooze, or is gone.")
	}
	if err != nil {
		return Outbox{}, fmt.Errorf("snooze: %w", err)
	}
	m := r.outbox()
	// The last snooze wins: a copy snoozed earlier and still to come is
	// dropped.
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', errors = array_append(errors, 'snoozed again')
		WHERE subject_id IS NOT DISTINCT FROM $1 AND recipient_id = $2 AND kind = $3 AND state = 'pending'
			AND dedup_key LIKE 'reminder:%:snoozed:%'`, nullID(m.SubjectID), m.RecipientID, m.Kind); err != nil {
		return Outbox{}, fmt.Errorf("snooze: %w", err)
	}
	m.ID, m.Attempts, m.ClaimedBy, m.Errors = 0, 0, "", nil
	base, _, _ := strings.Cut(m.DedupKey, snoozedMark)
	m.DedupKey = base + snoozedMark + until.UTC().Format(time.RFC3339)
	m.NotBefore = until
	if _, err := enqueue(ctx, tx, s.Now(), m); err != nil {
		return Outbox{}, err
	}
	return m, tx.Commit()
}
