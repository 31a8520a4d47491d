package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// visibleTo is caseconf.CanSee in SQL, for queries that filter many
// conferences at once: its case manager, chair and minute taker, invitees
// who accepted the agreement, Slack users on its share list (whether or
// not the minutes went to them: what they may see of it is
// caseconf.CanSeeDetails), and administrators. $1 is the viewer's Slack
// ID, $2 whether they are an administrator.
// TestVisibilityAgreesWithTheRule holds the two together.
const visibleTo = `($2 OR c.case_manager_id = $1 OR c.chair_id = $1 OR c.minute_taker_id = $1
	OR EXISTS (SELECT 1 FROM agreement_acknowledgements a JOIN invitees ai ON ai.id = a.invitee_id
		WHERE a.conference_id = c.id AND a.slack_user_id = $1 AND ai.removed_at IS NULL)
	OR EXISTS (SELECT 1 FROM share_list s WHERE s.conference_id = c.id AND s.slack_user_id = $1))`

// NewConference is a validated schedule and who is calling it.
type NewConference struct {
	caseconf.Schedule
	CaseManagerID string
	// SourceKey identifies the form submission; submitting the same one
	// again returns the conference it created (Created false).
	SourceKey string
	// Follows, when set, is the conference this one reviews, or (with
	// Handover) whose handover it is: the caller must be allowed to call
	// that (caseconf.CanScheduleReview, CanCallHandover), decided on the
	// locked row. A handover, once recorded, hands the client over.
	Follows  int64
	Handover bool
	// DPO are told (caseconf.KindNoConsentDPO) when the conference is scheduled
	// under a recognised reason to meet without consent.
	DPO []string
}

// CreateConference stores a new conference with its client, consent and
// invitees, gives it the next reference, and audits the creation. created
// is false when the same submission (SourceKey) was stored before; the
// conference returned is then that one. A submission with the same
// SourceKey from any other user is refused (ECONFLICT) and reveals nothing.
func (s *DB) CreateConference(ctx context.Context, n NewConference) (conf *caseconf.Conference, created bool, err error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("create conference: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()

	if n.SourceKey != "" {
		var id int64
		err := tx.GetContext(ctx, &id, `SELECT id FROM conferences WHERE source_key = $1`, n.SourceKey)
		if err == nil {
			return s.repeatedSubmission(ctx, tx, id, n.CaseManagerID)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, false, fmt.Errorf("create conference: %w", err)
		}
	}

	clientID, err := mayFollow(ctx, tx, n)
	if err != nil {
		return nil, false, err
	}
	if clientID != 0 { // a review or handover: the same client's record
		if n.ClientName != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE clients SET full_name = $2 WHERE id = $1`, clientID, n.ClientName); err != nil {
				return nil, false, fmt.Errorf("create conference: client: %w", err)
			}
		}
	} else if clientID, err = upsertClient(ctx, tx, n.ClientRef, n.ClientName, n.CaseManagerID, now); err != nil {
		return nil, false, err
	}
	var consentID int64
	c := n.Consent
	err = tx.GetContext(ctx, &consentID, `INSERT INTO consents
		(client_id, method, given_on, valid_until, no_consent_reason, decided_by, explanation, agency_kinds, recorded_by, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		clientID, c.Method, nullDate(c.GivenOn), nullDate(c.ValidUntil), nullString(c.NoConsentReason), nullString(c.DecidedBy),
		nullString(c.Explanation), pq.StringArray(c.AgencyKinds), n.CaseManagerID, now)
	if err != nil {
		return nil, false, fmt.Errorf("create conference: consent: %w", err)
	}

	var id int64
	err = tx.GetContext(ctx, &id, `INSERT INTO conferences
		(ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id, reasons, purpose, starts_at,
		 duration_minutes, place, client_attends, client_absence, client_told_how, urgent, urgent_reason,
		 source_key, created_at, updated_at, child_care_manager, consent_checked, consent_not_checked_why)
		VALUES ((SELECT 'CC-' || CASE WHEN n < 10000 THEN lpad(n::text, 4, '0') ELSE n::text END
		         FROM nextval('conference_ref_seq') AS n), $1, $2, $3, $4, $5, $6, $7, $8,
		 $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19, $20)
		RETURNING id`,
		clientID, consentID, n.CaseManagerID, n.Chair, n.MinuteTaker, pq.StringArray(n.Reasons), n.Purpose,
		n.StartsAt.UTC(), n.LengthMinutes, n.Place, n.ClientAttends, nullString(n.ClientAbsence),
		nullString(n.ClientToldHow), n.Urgent, nullString(n.UrgentReason), nullString(n.SourceKey), now,
		nullString(n.ChildCareManager), c.Checked, nullString(c.NotCheckedWhy))
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "23505" && pqErr.Constraint == "conferences_source_key_key" {
		// The same submission committed concurrently: hand back that one.
		tx.Rollback()
		return s.conferenceBySourceKey(ctx, n.SourceKey, n.CaseManagerID)
	}
	if err != nil {
		return nil, false, fmt.Errorf("create conference: %w", err)
	}
	if err := insertInvitees(ctx, tx, id, n.SlackInvitees, n.External, now); err != nil {
		return nil, false, err
	}
	if n.Follows != 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE conferences SET review_of_id = $2, handover = $3 WHERE id = $1`, id, n.Follows, n.Handover); err != nil {
			return nil, false, fmt.Errorf("create conference: %w", err)
		}
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: n.CaseManagerID, Action: "conference.create", ConferenceID: id, ClientID: clientID}); err != nil {
		return nil, false, err
	}
	conf, err = loadConference(ctx, tx, id)
	if err != nil {
		return nil, false, err
	}
	// The invitations and the summary are written down with the
	// conference: a crash or an outage after the commit delays them, and
	// never loses them.
	if _, err := enqueue(ctx, tx, now, append(invitationMessages(conf), s.emailInvitations(conf)...)...); err != nil {
		return nil, false, err
	}
	if _, err := enqueue(ctx, tx, now, noConsentMessages(conf, n.Consent, n.DPO)...); err != nil {
		return nil, false, err
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("create conference: commit: %w", err)
	}
	return conf, true, nil
}

func (s *DB) conferenceBySourceKey(ctx context.Context, key, caseManager string) (*caseconf.Conference, bool, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("create conference: %w", err)
	}
	defer tx.Rollback()
	var id int64
	if err := tx.GetContext(ctx, &id, `SELECT id FROM conferences WHERE source_key = $1`, key); err != nil {
		return nil, false, fmt.Errorf("create conference: %w", err)
	}
	return s.repeatedSubmission(ctx, tx, id, caseManager)
}

// repeatedSubmission returns the conference an earlier submission of the
// same form created, auditing the read, and commits tx. Only the user who
// submitted it first gets it: a form's view ID belongs to one user, so the
// same ID from anyone else is a forgery.
func (s *DB) repeatedSubmission(ctx context.Context, tx *sqlx.Tx, id int64, caseManager string) (*caseconf.Conference, bool, error) {
	c, err := loadConference(ctx, tx, id)
	if err != nil {
		return nil, false, err
	}
	if c.CaseManagerID != caseManager {
		return nil, false, caseconf.Errorf(caseconf.ECONFLICT, "This form has already been used. Please start again with `/caseconf new`.")
	}
	if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: caseManager, Action: "conference.create.repeat", ConferenceID: id, ClientID: c.ClientID}); err != nil {
		return nil, false, err
	}
	return c, false, tx.Commit()
}

// loadConference reads a conference with its invitees and share list, with
// no access check: callers make one.
func loadConference(ctx context.Context, q sqlx.QueryerContext, id int64) (*caseconf.Conference, error) {
	var row conferenceRow
	err := sqlx.GetContext(ctx, q, &row, `SELECT `+conferenceColumns+` FROM `+conferenceFrom+` WHERE c.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, caseconf.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load conference: %w", err)
	}
	c := row.conference()
	var invitees []inviteeRow
	if err := sqlx.SelectContext(ctx, q, &invitees, inviteeQuery, id); err != nil {
		return nil, fmt.Errorf("load invitees: %w", err)
	}
	c.Invitees = make([]caseconf.Invitee, len(invitees))
	for i := range invitees {
		c.Invitees[i] = invitees[i].invitee()
	}
	if err := loadSharers(ctx, q, map[int64]*caseconf.Conference{id: c}); err != nil {
		return nil, err
	}
	return c, nil
}

// ConferenceByRef reads the conference with reference ref if v may see it,
// and audits the read as action. For a conference v may not see it returns
// the same ENOTFOUND as for one that does not exist.
func (s *DB) ConferenceByRef(ctx context.Context, ref string, v caseconf.Viewer, action string) (*caseconf.Conference, error) {
	return s.readConference(ctx, v, action, `c.ref = upper($3)`, strings.TrimSpace(ref))
}

// ConferenceByID is ConferenceByRef for the internal ID that buttons and
// modals carry.
func (s *DB) ConferenceByID(ctx context.Context, id int64, v caseconf.Viewer, action string) (*caseconf.Conference, error) {
	return s.readConference(ctx, v, action, `c.id = $3`, id)
}

func (s *DB) readConference(ctx context.Context, v caseconf.Viewer, action, where string, arg any) (*caseconf.Conference, error) {
	return s.readConferenceThen(ctx, v, action, where, arg, nil)
}

// readConferenceThen is readConference with then, when not nil, run in
// the same transaction on the conference read, before the commit.
func (s *DB) readConferenceThen(ctx context.Context, v caseconf.Viewer, action, where string, arg any,
	then func(*sqlx.Tx, *caseconf.Conference) error) (*caseconf.Conference, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read conference: %w", err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.GetContext(ctx, &id, `SELECT c.id FROM conferences c WHERE `+where+` AND `+visibleTo, v.UserID, v.Admin, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, caseconf.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("read conference: %w", err)
	}
	c, err := loadConference(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if !caseconf.CanSee(c, v) {
		// The SQL filter and the rule disagree: trust the stricter.
		return nil, caseconf.NotFound()
	}
	if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: v.UserID, Action: action, ConferenceID: id, ClientID: c.ClientID}); err != nil {
		return nil, err
	}
	if then != nil {
		if err := then(tx, c); err != nil {
			return nil, err
		}
	}
	return c, tx.Commit()
}

// ConferenceSnapshot reads a conference with no viewer and no audit row.
// It is only for re-rendering a message already delivered to the people
// entitled to it (the case manager's summary), never for showing a
// conference to someone who asked.
func (s *DB) ConferenceSnapshot(ctx context.Context, id int64) (*caseconf.Conference, error) {
	return loadConference(ctx, s.db, id)
}

// CancelConference marks the conference cancelled with the reason, if v
// may cancel it (caseconf.CanCancel, decided on the locked row).
func (s *DB) CancelConference(ctx context.Context, id int64, v caseconf.Viewer, reason string) (*caseconf.Conference, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("cancel conference: %w", err)
	}
	defer tx.Rollback()
	c, err := lockConference(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := caseconf.CanCancel(c, v); err != nil {
		return nil, err
	}
	now := s.Now()
	// A cancellation is a change the invitees' calendars follow: it raises
	// the calendar SEQUENCE its METHOD:CANCEL carries.
	if _, err := tx.ExecContext(ctx, `UPDATE conferences SET status = 'cancelled', cancel_reason = $2, updated_at = $3,
		calendar_sequence = calendar_sequence + 1
		WHERE id = $1 AND status = 'scheduled'`, id, reason, now); err != nil {
		return nil, fmt.Errorf("cancel conference: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "conference.cancel", ConferenceID: id, ClientID: c.ClientID}); err != nil {
		return nil, err
	}
	c, err = loadConference(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if _, err := enqueue(ctx, tx, now, append(cancellationMessages(c), s.emailCancellations(c)...)...); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

// lockConference locks the conference row for the rest of tx and reads
// it, so a change decided on what was read cannot interleave with another.
func lockConference(ctx context.Context, tx *sqlx.Tx, id int64) (*caseconf.Conference, error) {
	var locked int64
	err := tx.GetContext(ctx, &locked, `SELECT id FROM conferences WHERE id = $1 FOR UPDATE`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, caseconf.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("lock conference: %w", err)
	}
	return loadConference(ctx, tx, id)
}

// ListEntry is one line of a user's upcoming conferences: the conference's
// reference, time and organisers, and the user's own invitation if any
// (Invitees holds at most that one).
type ListEntry struct {
	caseconf.Conference
}

// Me is the user's own invitation in the entry, or nil.
func (e *ListEntry) Me() *caseconf.Invitee {
	if len(e.Invitees) == 0 {
		return nil
	}
	return &e.Invitees[0]
}

// Upcoming lists the scheduled conferences starting after now in which the
// user is case manager, chair, minute taker or invitee, soonest first, at
// most limit. The list is audited as one read naming the conferences.
func (s *DB) Upcoming(ctx context.Context, userID string, now time.Time, limit int) ([]ListEntry, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list conferences: %w", err)
	}
	defer tx.Rollback()
	var rows []struct {
		ID            int64          `db:"id"`
		Ref           string         `db:"ref"`
		StartsAt      time.Time      `db:"starts_at"`
		CaseManagerID string         `db:"case_manager_id"`
		ChairID       string         `db:"chair_id"`
		MinuteTakerID string         `db:"minute_taker_id"`
		Status        string         `db:"status"`
		InviteeID     sql.NullInt64  `db:"invitee_id"`
		AcceptedAt    sql.NullTime   `db:"accepted_at"`
		Answer        sql.NullString `db:"answer"`
		Colleague     sql.NullString `db:"colleague"`
		AnsweredAt    sql.NullTime   `db:"answered_at"`
	}
	err = tx.SelectContext(ctx, &rows, `SELECT c.id, c.ref, c.starts_at, c.case_manager_id, c.chair_id, c.minute_taker_id,
			c.status, i.id AS invitee_id, a.accepted_at, r.answer, r.colleague, r.responded_at AS answered_at
		FROM conferences c
		LEFT JOIN invitees i ON i.conference_id = c.id AND i.slack_user_id = $1 AND i.removed_at IS NULL
		LEFT JOIN agreement_acknowledgements a ON a.invitee_id = i.id
		LEFT JOIN LATERAL (SELECT answer, colleague, responded_at FROM responses WHERE invitee_id = i.id
			ORDER BY responded_at DESC, id DESC LIMIT 1) r ON true
		WHERE c.status = 'scheduled' AND c.starts_at > $2
		  AND (c.case_manager_id = $1 OR c.chair_id = $1 OR c.minute_taker_id = $1 OR i.id IS NOT NULL)
		ORDER BY c.starts_at, c.id
		LIMIT $3`, userID, now, limit)
	if err != nil {
		return nil, fmt.Errorf("list conferences: %w", err)
	}
	out := make([]ListEntry, len(rows))
	ids := make([]string, len(rows))
	for i, r := range rows {
		e := ListEntry{caseconf.Conference{ID: r.ID, Ref: r.Ref, StartsAt: r.StartsAt, CaseManagerID: r.CaseManagerID,
			ChairID: r.ChairID, MinuteTakerID: r.MinuteTakerID, Status: caseconf.Status(r.Status)}}
		if r.InviteeID.Valid {
			inv := inviteeRow{ID: r.InviteeID.Int64, ConferenceID: r.ID, SlackUserID: nullString(userID),
				AcceptedAt: r.AcceptedAt, Answer: r.Answer, Colleague: r.Colleague, AnsweredAt: r.AnsweredAt}
			e.Invitees = []caseconf.Invitee{inv.invitee()}
		}
		out[i] = e
		ids[i] = strconv.FormatInt(r.ID, 10)
	}
	if len(out) > 0 {
		// One entry for the whole list, naming the conferences by their
		// numeric IDs, as every audit entry does.
		if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: userID, Action: "conference.list", Detail: "conferences " + strings.Join(ids, ",")}); err != nil {
			return nil, err
		}
	}
	return out, tx.Commit()
}
