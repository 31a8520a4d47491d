package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// Outbox is a message the bot must get to a person. It is written in the
// transaction of the change that calls for it (or by the reminder sweep),
// claimed by one sender, sent outside any transaction, and finished with
// an update guarded by the claim. The message is rendered when it is sent,
// from the data as it is then.
type Outbox struct {
	ID           int64
	Kind         caseconf.MessageKind
	DedupKey     string // unique: a second enqueue of the same key is a no-op
	RecipientID  string // Slack user ID
	ConferenceID int64  // 0 for none
	SubjectID    int64  // what it names: Kind.Subject(); 0 for none
	NotBefore    time.Time
	Attempts     int // including the one under way, once claimed
	ClaimedBy    string
	Errors       []string
	CreatedAt    time.Time // when the change that called for it was made
}

// invitationMessages are the invitations, each with its calendar file,
// and the case manager's summary a newly stored conference calls for.
func invitationMessages(c *caseconf.Conference) []Outbox {
	var out []Outbox
	for _, inv := range c.Invitees {
		if inv.OnSlack() {
			out = append(out, Outbox{Kind: caseconf.KindInvitation, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindInvitation, inv.ID),
				RecipientID: inv.SlackUserID, ConferenceID: c.ID, SubjectID: inv.ID},
				calendarMessage(c, &inv))
		}
	}
	return append(out, Outbox{Kind: caseconf.KindSummary, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindSummary, c.ID),
		RecipientID: c.CaseManagerID, ConferenceID: c.ID, SubjectID: c.ID})
}

// cancellationMessages tell every invitee on Slack of a cancellation, and
// send their calendars its METHOD:CANCEL.
func cancellationMessages(c *caseconf.Conference) []Outbox {
	var out []Outbox
	for _, inv := range c.Invitees {
		if inv.OnSlack() {
			out = append(out, Outbox{Kind: caseconf.KindCancellation, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindCancellation, inv.ID),
				RecipientID: inv.SlackUserID, ConferenceID: c.ID, SubjectID: inv.ID},
				Outbox{Kind: caseconf.KindCalendarCancel, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindCalendarCancel, inv.ID),
					RecipientID: inv.SlackUserID, ConferenceID: c.ID, SubjectID: inv.ID})
		}
	}
	return out
}

// calendarMessage uploads conference c, as it stands at its calendar
// SEQUENCE, into the DM of invitee inv (on Slack) as a calendar file: one
// per invitee and SEQUENCE, so a change that raises it sends the file
// again.
func calendarMessage(c *caseconf.Conference, inv *caseconf.Invitee) Outbox {
	return Outbox{Kind: caseconf.KindCalendar, DedupKey: fmt.Sprintf("%s:%d:%d", caseconf.KindCalendar, inv.ID, c.CalendarSequence),
		RecipientID: inv.SlackUserID, ConferenceID: c.ID, SubjectID: inv.ID}
}

// SendFailed marks message m failed and, in the same transaction, writes
// the notice that tells the case manager so, once ("" for nobody to tell).
func (s *DB) SendFailed(ctx context.Context, m Outbox, caseManager, reason string) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("send failed: %w", err)
	}
	defer tx.Rollback()
	// The conference first, as every change to it locks it first (an
	// answer, an erasure): the summary lists failed invitations, so this
	// waits for a summary being recorded as posted (MarkPosted), and one
	// of the two re-renders it. A conference erased meanwhile gets no
	// notice.
	exists := false
	if m.ConferenceID != 0 {
		var id int64
		err := tx.GetContext(ctx, &id, `SELECT id FROM conferences WHERE id = $1 FOR SHARE`, m.ConferenceID)
		switch {
		case err == nil:
			exists = true
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("send failed: %w", err)
		}
	}
	if err := finish(ctx, tx, m, `state = 'failed', errors = array_append(errors, $3), attachment = NULL`, reason); err != nil {
		return err
	}
	if caseManager != "" && exists {
		if _, err := enqueue(ctx, tx, s.Now(), Outbox{Kind: caseconf.KindSendFailed, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindSendFailed, m.ID),
			RecipientID: caseManager, ConferenceID: m.ConferenceID, SubjectID: m.ID}); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// FailedInvitations lists the Slack users of conference id whose
// invitation could not be delivered.
func (s *DB) FailedInvitations(ctx context.Context, id int64) ([]string, error) {
	return failedInvitations(ctx, s.db, id)
}

func failedInvitations(ctx context.Context, q sqlx.QueryerContext, id int64) ([]string, error) {
	var users []string
	err := sqlx.SelectContext(ctx, q, &users, `SELECT recipient_id FROM outbox
		WHERE conference_id = $1 AND kind = $2 AND state = 'failed' ORDER BY id`, id, caseconf.KindInvitation)
	if err != nil {
		return nil, fmt.Errorf("failed invitations: %w", err)
	}
	return users, nil
}

// OutboxMessage reads one outbox message by ID; one that is not there is
// caseconf.NotFound.
func (s *DB) OutboxMessage(ctx context.Context, id int64) (Outbox, error) {
	var r outboxRow
	err := s.db.GetContext(ctx, &r, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Outbox{}, caseconf.NotFound()
	}
	if err != nil {
		return Outbox{}, fmt.Errorf("outbox message: %w", err)
	}
	return r.outbox(), nil
}

type outboxRow struct {
	ID           int64          `db:"id"`
	Kind         string         `db:"kind"`
	DedupKey     string         `db:"dedup_key"`
	RecipientID  string         `db:"recipient_id"`
	ConferenceID sql.NullInt64  `db:"conference_id"`
	SubjectID    sql.NullInt64  `db:"subject_id"`
	NotBefore    time.Time      `db:"not_before"`
	Attempts     int            `db:"attempts"`
	ClaimedBy    sql.NullString `db:"claimed_by"`
	Errors       pq.StringArray `db:"errors"`
	CreatedAt    time.Time      `db:"created_at"`
}

func (r *outboxRow) outbox() Outbox {
	return Outbox{ID: r.ID, Kind: caseconf.MessageKind(r.Kind), DedupKey: r.DedupKey, RecipientID: r.RecipientID,
		ConferenceID: r.ConferenceID.Int64, SubjectID: r.SubjectID.Int64, NotBefore: r.NotBefore,
		Attempts: r.Attempts, ClaimedBy: r.ClaimedBy.String, Errors: []string(r.Errors), CreatedAt: r.CreatedAt}
}

const outboxColumns = `id, kind, dedup_key, recipient_id, conference_id, subject_id, not_before, attempts, claimed_by, errors, created_at`

// enqueue writes messages in tx. A message whose DedupKey is already in
// the outbox, in any state, is skipped. It reports how many were new.
func enqueue(ctx context.Context, tx sqlx.ExtContext, now time.Time, msgs ...Outbox) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	// One statement for them all, in order: a change that invites a
	// hundred people writes some three hundred messages, and a round trip
	// each would hold its form's answer past Slack's three seconds.
	kinds, keys, to, notBefore := make([]string, len(msgs)), make([]string, len(msgs)), make([]string, len(msgs)), make([]string, len(msgs))
	confs, subjects := make([]sql.NullInt64, len(msgs)), make([]sql.NullInt64, len(msgs))
	for i, m := range msgs {
		nb := m.NotBefore
		if nb.IsZero() {
			nb = now
		}
		kinds[i], keys[i], to[i], notBefore[i] = string(m.Kind), m.DedupKey, m.RecipientID, nb.UTC().Format(time.RFC3339Nano)
		confs[i], subjects[i] = nullID(m.ConferenceID), nullID(m.SubjectID)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, created_at)
		SELECT m.kind, m.dedup_key, m.recipient_id, m.conference_id, m.subject_id, m.not_before, $7
		FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::timestamptz[]) WITH ORDINALITY
			AS m(kind, dedup_key, recipient_id, conference_id, subject_id, not_before, ord)
		ORDER BY m.ord
		ON CONFLICT (dedup_key) DO NOTHING`,
		pq.Array(kinds), pq.Array(keys), pq.Array(to), pq.Array(confs), pq.Array(subjects), pq.Array(notBefore), now)
	if err != nil {
		return 0, fmt.Errorf("enqueue %d messages (%s first): %w", len(msgs), msgs[0].Kind, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, nil
	}
	return int(n), nil
}

// Enqueue writes messages that no other change calls for (reminders) in
// one transaction, skipping any whose DedupKey is already there, and
// reports how many were new.
func (s *DB) Enqueue(ctx context.Context, msgs ...Outbox) (int, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("enqueue: %w", err)
	}
	defer tx.Rollback()
	n, err := enqueue(ctx, tx, s.Now(), msgs...)
	if err != nil {
		return 0, err
	}
	return n, tx.Commit()
}

// ClaimOutbox marks up to limit messages due at now as in flight for
// worker, in one short statement, and returns them. Rows another worker
// has locked are skipped, so any number of senders (replicas, `caseconf
// sweep`) claim each message once.
func (s *DB) ClaimOutbox(ctx context.Context, worker string, now time.Time, limit int) ([]Outbox, error) {
	var rows []outboxRow
	// claimed_at is the database's own clock, as the rescue's cutoff is:
	// a claim's age must not depend on when a sender's pass began.
	err := s.db.SelectContext(ctx, &rows, `UPDATE outbox SET state = 'in_flight', claimed_by = $1, claimed_at = now(),
			attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND not_before <= $2
			ORDER BY not_before, id LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING `+outboxColumns, worker, now, limit)
	if err != nil {
		return nil, fmt.Errorf("claim outbox: %w", err)
	}
	out := make([]Outbox, len(rows))
	for i := range rows {
		out[i] = rows[i].outbox()
	}
	return out, nil
}

// TouchClaims renews the claim on messages ms, all claimed by one worker
// and not yet sent, so that a batch waiting its turn is not taken for
// abandoned; it returns those still claimed (any rescued meanwhile belong
// to someone else now, and must not be sent).
func (s *DB) TouchClaims(ctx context.Context, ms []Outbox) ([]Outbox, error) {
	if len(ms) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	var still []int64
	if err := s.db.SelectContext(ctx, &still, `UPDATE outbox SET claimed_at = now()
		WHERE id = ANY($1) AND state = 'in_flight' AND claimed_by = $2 RETURNING id`, pq.Array(ids), ms[0].ClaimedBy); err != nil {
		return nil, fmt.Errorf("touch claims: %w", err)
	}
	kept := make(map[int64]bool, len(still))
	for _, id := range still {
		kept[id] = true
	}
	out := ms[:0:0]
	for _, m := range ms {
		if kept[m.ID] {
			out = append(out, m)
		}
	}
	return out, nil
}

// ReleaseClaims puts messages a worker claimed but did not try (it is
// stopping, or Slack rate-limited it) back as they were, due at next at
// the earliest (zero: at once); the claim does not count as an attempt.
func (s *DB) ReleaseClaims(ctx context.Context, ms []Outbox, next time.Time) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'pending', claimed_by = NULL, claimed_at = NULL,
			attempts = attempts - 1, not_before = greatest(not_before, coalesce($3, not_before))
		WHERE id = ANY($1) AND state = 'in_flight' AND claimed_by = $2`, pq.Array(ids), ms[0].ClaimedBy, nullTime(next)); err != nil {
		return fmt.Errorf("release claims: %w", err)
	}
	return nil
}

// errNotClaimed is returned when finishing a message that is no longer
// in flight for this worker: it was rescued after taking too long, and
// someone else has it now.
var errNotClaimed = caseconf.Errorf(caseconf.ECONFLICT, "this message is no longer claimed by this sender")

// ErrNotClaimed reports whether err says the message was no longer claimed.
func ErrNotClaimed(err error) bool { return errors.Is(err, errNotClaimed) }

// finish updates a claimed message, guarded by its claim.
func finish(ctx context.Context, x sqlx.ExtContext, m Outbox, set string, args ...any) error {
	return finishWith(ctx, x, "", m, set, args...)
}

// finishWith is finish in a statement that begins with with (a WITH
// clause, whose own changes are made whether or not m is still claimed).
// A message marked sent (sentSet) that an erasure detached from its
// client while it was being posted then queues its own deletion from
// Slack: the sender deletes it within moments, not at the next retention
// run (which would still catch it: its row keeps the erased mark).
func finishWith(ctx context.Context, x sqlx.ExtContext, with string, m Outbox, set string, args ...any) error {
	var detached []bool
	err := sqlx.SelectContext(ctx, x, &detached, with+` UPDATE outbox SET `+set+`, claimed_by = NULL, claimed_at = NULL
		WHERE id = $1 AND state = 'in_flight' AND claimed_by = $2 RETURNING starts_with(dedup_key, '`+erasedPrefix+`')`,
		append([]any{m.ID, m.ClaimedBy}, args...)...)
	if err != nil {
		return fmt.Errorf("finish outbox %d: %w", m.ID, err)
	}
	if len(detached) != 1 {
		return errNotClaimed
	}
	if detached[0] && set == sentSet {
		if _, err := x.ExecContext(ctx, `INSERT INTO outbox (kind, dedup_key, recipient_id, not_before, created_at)
			SELECT $2, $2 || ':' || channel || ':' || ts, channel, now(), now() FROM outbox
			WHERE id = $1 AND channel IS NOT NULL AND ts IS NOT NULL ON CONFLICT (dedup_key) DO NOTHING`, m.ID, caseconf.KindDeleteMessage); err != nil {
			return fmt.Errorf("finish outbox %d: delete what an erasure left: %w", m.ID, err)
		}
	}
	return nil
}

func (s *DB) finish(ctx context.Context, m Outbox, set string, args ...any) error {
	return finish(ctx, s.db, m, set, args...)
}

// sentSet marks a message sent ($3 the time, $4 and $5 where it lives)
// and has its transaction commit without waiting for the write-ahead log
// to reach disk (MarkPosted).
const sentSet = `state = 'sent', channel = $4, ts = $5,
	sent_at = CASE WHEN set_config('synchronous_commit', 'off', true) = 'off' THEN $3::timestamptz END`

// MarkSent records that Slack took the message, and where it lives, as
// MarkPosted does, for a message whose posting changes nothing else.
func (s *DB) MarkSent(ctx context.Context, m Outbox, at caseconf.MessageRef) error {
	return s.finish(ctx, m, sentSet, s.Now(), nullString(at.Channel), nullString(at.TS))
}

// Posted is what MarkPosted found, for what a posting re-renders: for an
// invitation or a summary, its conference as it is now, read once the
// message's place was recorded (so an answer given while it was being
// posted is in it); for a summary, also who its invitations could not
// reach. Conference is nil for other kinds, and for a conference gone.
type Posted struct {
	Conference *caseconf.Conference
	Failed     []string
}

// MarkPosted records that Slack took message m, and where it lives: it
// marks m sent and, in the same statement, makes what its posting changes
// by kind (where an invitation or the case manager's summary is, for
// updates; when part of the minutes reached its recipient, in the log of
// disclosures). Those are recorded even if m is no longer claimed (it was
// posted all the same); m is then errNotClaimed.
//
// It commits without waiting for the write-ahead log to reach disk
// (synchronous_commit off, for this one transaction): the one marking a
// message sent is the commonest write there is, and waiting for the disk
// would double what each message costs the database. If the database
// server itself crashes within a moment of the mark (not this process:
// the server), the mark can be lost with what came with it, and the
// message is rescued and posted again — at least once, as after any crash
// — never lost: its claim was committed durably.
func (s *DB) MarkPosted(ctx context.Context, m Outbox, at caseconf.MessageRef) (Posted, error) {
	args := []any{s.Now(), nullString(at.Channel), nullString(at.TS)}
	switch m.Kind {
	case caseconf.KindMinutes:
		err := finishWith(ctx, s.db, `WITH delivered AS (UPDATE disclosures SET sent_at = $6
			WHERE conference_id = $7 AND recipient_id = $8 AND version = 1 AND part = $9 AND sent_at IS NULL)`,
			m, sentSet, append(args, time.Now(), m.ConferenceID, m.RecipientID, m.SubjectID)...)
		return Posted{}, err
	case caseconf.KindAmendedMinutes:
		version, part := caseconf.SplitAmendedPart(m.SubjectID)
		err := finishWith(ctx, s.db, `WITH delivered AS (UPDATE disclosures SET sent_at = $6
			WHERE conference_id = $7 AND recipient_id = $8 AND version = $9 AND part = $10 AND sent_at IS NULL)`,
			m, sentSet, append(args, time.Now(), m.ConferenceID, m.RecipientID, version, part)...)
		return Posted{}, err
	case caseconf.KindInvitation, caseconf.KindSummary:
		return s.markPostedAndRead(ctx, m, args)
	case caseconf.KindEmailMinutes:
		// The PDF goes from the row once the mail server has it.
		err := finishWith(ctx, s.db, `WITH delivered AS (UPDATE disclosures SET sent_at = $6 WHERE outbox_id = $7 AND sent_at IS NULL)`,
			m, sentSet+`, attachment = NULL`, append(args, time.Now(), m.ID)...)
		return Posted{}, err
	}
	return Posted{}, s.finish(ctx, m, sentSet, args...)
}

// markPostedAndRead is MarkPosted for an invitation or a summary. The
// conference row is locked first (an answer, an acceptance or a report
// locks it too), so a change to it either came before and is in what is
// read here, or waits for this to commit and then finds the message
// posted, and updates it itself.
func (s *DB) markPostedAndRead(ctx context.Context, m Outbox, args []any) (Posted, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return Posted{}, fmt.Errorf("mark posted: %w", err)
	}
	defer tx.Rollback()
	// The conference first, in a statement of its own (a data-modifying
	// WITH runs after the main statement, so a lock taken there would
	// come after the outbox row's): every change to it locks it first.
	if _, err := tx.ExecContext(ctx, `SELECT 1 FROM conferences WHERE id = $1 FOR SHARE`, m.ConferenceID); err != nil {
		return Posted{}, fmt.Errorf("mark posted: %w", err)
	}
	with := `WITH placed AS (UPDATE invitees SET dm_channel = $4, dm_ts = $5 WHERE id = $7 AND conference_id = $6)`
	if m.Kind == caseconf.KindSummary {
		with = `WITH placed AS (UPDATE conferences SET cm_dm_channel = $4, cm_dm_ts = $5 WHERE id = $6)`
		args = append(args, m.ConferenceID)
	} else {
		args = append(args, m.ConferenceID, m.SubjectID)
	}
	finished := finishWith(ctx, tx, with, m, sentSet, args...)
	if finished != nil && !ErrNotClaimed(finished) {
		return Posted{}, finished
	}
	var p Posted
	p.Conference, err = loadConference(ctx, tx, m.ConferenceID)
	switch {
	case caseconf.ErrorCode(err) == caseconf.ENOTFOUND:
		p.Conference = nil
	case err != nil:
		return Posted{}, err
	case m.Kind == caseconf.KindSummary:
		if p.Failed, err = failedInvitations(ctx, tx, m.ConferenceID); err != nil {
			return Posted{}, err
		}
	}
	if err := tx.Commit(); err != nil {
		return Posted{}, fmt.Errorf("mark posted: %w", err)
	}
	return p, finished
}

// MarkRateLimited puts the message back for next, when Slack's rate limit
// allows: keeping why, but not counting the try as an attempt (a backlog
// waiting its turn must not use up the retries meant for failures).
func (s *DB) MarkRateLimited(ctx context.Context, m Outbox, reason string, next time.Time) error {
	return s.finish(ctx, m, `state = 'pending', not_before = $3, errors = array_append(errors, $4), attempts = attempts - 1`, next, reason)
}

// MarkRetry puts the message back to be tried at next, keeping why this
// attempt failed.
func (s *DB) MarkRetry(ctx context.Context, m Outbox, reason string, next time.Time) error {
	return s.finish(ctx, m, `state = 'pending', not_before = $3, errors = array_append(errors, $4)`, next, reason)
}

// MarkFailed gives the message up, keeping why.
func (s *DB) MarkFailed(ctx context.Context, m Outbox, reason string) error {
	return s.finish(ctx, m, `state = 'failed', errors = array_append(errors, $3), attachment = NULL`, reason)
}

// MarkCancelled drops a message that no longer applies (its conference
// was cancelled, its action done), keeping why.
func (s *DB) MarkCancelled(ctx context.Context, m Outbox, reason string) error {
	return s.finish(ctx, m, `state = 'cancelled', errors = array_append(errors, $3), attachment = NULL`, reason)
}

// RescueOutbox puts back messages that have been in flight for longer
// than stuck by the database's clock (their sender died or hung), so
// another sender takes them. Slack may have posted some of them: the
// guarantee is at least once.
func (s *DB) RescueOutbox(ctx context.Context, stuck time.Duration) (int64, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = 'pending', claimed_by = NULL, claimed_at = NULL,
			errors = array_append(errors, 'rescued: its sender stopped while sending')
		WHERE state = 'in_flight' AND claimed_at < now() - $1 * interval '1 millisecond'`, stuck.Milliseconds())
	if err != nil {
		return 0, fmt.Errorf("rescue outbox: %w", err)
	}
	return res.RowsAffected()
}
