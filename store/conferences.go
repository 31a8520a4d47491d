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

// Viewer is the Slack user a read is done for. Every read of a conference
// is scoped to what the viewer may see.
type Viewer struct {
	UserID string
	Admin  bool
}

// Conference is a conference as stored, with its client, consent and
// invitees.
type Conference struct {
	ID                  int64          `db:"id"`
	Ref                 string         `db:"ref"`
	ClientID            int64          `db:"client_id"`
	ClientRef           string         `db:"client_ref"`
	ClientName          sql.NullString `db:"client_name"`
	CaseManagerID       string         `db:"case_manager_id"`
	ChairID             string         `db:"chair_id"`
	MinuteTakerID       string         `db:"minute_taker_id"`
	Reasons             pq.StringArray `db:"reasons"`
	Purpose             string         `db:"purpose"`
	StartsAt            time.Time      `db:"starts_at"`
	DurationMinutes     int            `db:"duration_minutes"`
	Place               string         `db:"place"`
	ClientAttends       bool           `db:"client_attends"`
	ClientAbsenceReason sql.NullString `db:"client_absence_reason"`
	ClientToldHow       sql.NullString `db:"client_told_how"`
	Urgent              bool           `db:"urgent"`
	UrgentReason        sql.NullString `db:"urgent_reason"`
	Status              string         `db:"status"`
	CancelReason        sql.NullString `db:"cancel_reason"`
	CMDMChannel         sql.NullString `db:"cm_dm_channel"`
	CMDMTs              sql.NullString `db:"cm_dm_ts"`
	CreatedAt           time.Time      `db:"created_at"`

	ConsentMethod      string         `db:"consent_method"`
	ConsentGivenOn     sql.NullTime   `db:"consent_given_on"`
	ConsentValidUntil  sql.NullTime   `db:"consent_valid_until"`
	ConsentNoReason    sql.NullString `db:"consent_no_reason"`
	ConsentExplanation sql.NullString `db:"consent_explanation"`
	ConsentKinds       pq.StringArray `db:"consent_kinds"`

	Invitees []Invitee `db:"-"`
}

// Consent returns the conference's consent record.
func (c *Conference) Consent() caseconf.Consent {
	return caseconf.Consent{
		Method: c.ConsentMethod, GivenOn: c.ConsentGivenOn.Time, ValidUntil: c.ConsentValidUntil.Time,
		NoConsentReason: c.ConsentNoReason.String, Explanation: c.ConsentExplanation.String,
		AgencyKinds: c.ConsentKinds,
	}
}

// Ends is when the meeting is expected to finish.
func (c *Conference) Ends() time.Time {
	return c.StartsAt.Add(time.Duration(c.DurationMinutes) * time.Minute)
}

// Invitee is one person invited, on Slack or not, with their agreement and
// current answer.
type Invitee struct {
	ID           int64          `db:"id"`
	ConferenceID int64          `db:"conference_id"`
	SlackUserID  sql.NullString `db:"slack_user_id"`
	Name         string         `db:"name"`
	Role         string         `db:"role"`
	Agency       string         `db:"agency"`
	AgencyKind   sql.NullString `db:"agency_kind"`
	Contact      string         `db:"contact"`
	DMChannel    sql.NullString `db:"dm_channel"`
	DMTs         sql.NullString `db:"dm_ts"`
	AcceptedAt   sql.NullTime   `db:"accepted_at"`
	Answer       sql.NullString `db:"answer"`
	Colleague    sql.NullString `db:"colleague"`
	AnsweredAt   sql.NullTime   `db:"answered_at"`
}

// OnSlack reports whether the invitee is a Slack user.
func (i *Invitee) OnSlack() bool { return i.SlackUserID.Valid }

// Covered reports whether the conference's consent covers this invitee's
// agency. An agency not yet known is not covered.
func (i *Invitee) Covered(c *Conference) bool {
	return i.AgencyKind.Valid && c.Consent().Covers(i.AgencyKind.String)
}

// visibleTo is the one rule of who may see a conference (SPEC §4): its case
// manager, chair and minute taker, invitees who accepted the agreement,
// people on its share list, and administrators. $1 is the viewer's Slack
// ID, $2 whether they are an administrator.
const visibleTo = `($2 OR c.case_manager_id = $1 OR c.chair_id = $1 OR c.minute_taker_id = $1
	OR EXISTS (SELECT 1 FROM agreement_acknowledgements a WHERE a.conference_id = c.id AND a.slack_user_id = $1)
	OR EXISTS (SELECT 1 FROM share_list s WHERE s.conference_id = c.id AND s.slack_user_id = $1))`

const conferenceColumns = `c.id, c.ref, c.client_id, cl.reference AS client_ref, cl.full_name AS client_name,
	c.case_manager_id, c.chair_id, c.minute_taker_id, c.reasons, c.purpose, c.starts_at, c.duration_minutes,
	c.place, c.client_attends, c.client_absence_reason, c.client_told_how, c.urgent, c.urgent_reason,
	c.status, c.cancel_reason, c.cm_dm_channel, c.cm_dm_ts, c.created_at,
	co.method AS consent_method, co.given_on AS consent_given_on, co.valid_until AS consent_valid_until,
	co.no_consent_reason AS consent_no_reason, co.explanation AS consent_explanation,
	co.agency_kinds AS consent_kinds`

const conferenceFrom = `conferences c
	JOIN clients cl ON cl.id = c.client_id
	JOIN consents co ON co.id = c.consent_id`

const inviteeQuery = `SELECT i.id, i.conference_id, i.slack_user_id, i.name, i.role, i.agency, i.agency_kind,
	i.contact, i.dm_channel, i.dm_ts, a.accepted_at, r.answer, r.colleague, r.responded_at AS answered_at
	FROM invitees i
	LEFT JOIN agreement_acknowledgements a ON a.invitee_id = i.id
	LEFT JOIN LATERAL (SELECT answer, colleague, responded_at FROM responses
		WHERE invitee_id = i.id ORDER BY responded_at DESC, id DESC LIMIT 1) r ON true
	WHERE i.conference_id = $1
	ORDER BY i.slack_user_id IS NULL, i.id`

// NewConference is a validated schedule and who is calling it.
type NewConference struct {
	caseconf.Schedule
	CaseManagerID string
	// SourceKey identifies the form submission; submitting the same one
	// again returns the conference it created (Created false).
	SourceKey string
}

// CreateConference stores a new conference with its client, consent and
// invitees, gives it the next reference, and audits the creation. created
// is false when the same submission (SourceKey) was stored before; the
// conference returned is then that one.
func (s *DB) CreateConference(ctx context.Context, n NewConference) (conf *Conference, created bool, err error) {
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

	clientID, err := upsertClient(ctx, tx, n.ClientRef, n.ClientName, n.CaseManagerID, now)
	if err != nil {
		return nil, false, err
	}
	var consentID int64
	c := n.Consent
	err = tx.GetContext(ctx, &consentID, `INSERT INTO consents
		(client_id, method, given_on, valid_until, no_consent_reason, explanation, agency_kinds, recorded_by, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		clientID, c.Method, nullDate(c.GivenOn), nullDate(c.ValidUntil), nullString(c.NoConsentReason),
		nullString(c.Explanation), pq.StringArray(c.AgencyKinds), n.CaseManagerID, now)
	if err != nil {
		return nil, false, fmt.Errorf("create conference: consent: %w", err)
	}

	var id int64
	err = tx.GetContext(ctx, &id, `INSERT INTO conferences
		(ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id, reasons, purpose, starts_at,
		 duration_minutes, place, client_attends, client_absence_reason, client_told_how, urgent, urgent_reason,
		 source_key, created_at, updated_at)
		VALUES ((SELECT 'CC-' || CASE WHEN n < 10000 THEN lpad(n::text, 4, '0') ELSE n::text END
		         FROM nextval('conference_ref_seq') AS n), $1, $2, $3, $4, $5, $6, $7, $8,
		 $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
		RETURNING id`,
		clientID, consentID, n.CaseManagerID, n.Chair, n.MinuteTaker, pq.StringArray(n.Reasons), n.Purpose,
		n.StartsAt.UTC(), n.LengthMinutes, n.Place, n.ClientAttends, nullString(n.ClientAbsenceReason),
		nullString(n.ClientToldHow), n.Urgent, nullString(n.UrgentReason), nullString(n.SourceKey), now)
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "23505" && pqErr.Constraint == "conferences_source_key_key" {
		// The same submission committed concurrently: hand back that one.
		tx.Rollback()
		return s.conferenceBySourceKey(ctx, n.SourceKey, n.CaseManagerID)
	}
	if err != nil {
		return nil, false, fmt.Errorf("create conference: %w", err)
	}

	for _, u := range n.SlackInvitees {
		// A Slack user's agency is remembered from an earlier answer.
		_, err = tx.ExecContext(ctx, `INSERT INTO invitees (conference_id, slack_user_id, agency, agency_kind, invited_at)
			SELECT $1, $2, coalesce(ua.agency, ''), ua.agency_kind, $3
			FROM (SELECT 1) one LEFT JOIN user_agencies ua ON ua.slack_user_id = $2`, id, u, now)
		if err != nil {
			return nil, false, fmt.Errorf("create conference: invitee: %w", err)
		}
	}
	for _, e := range n.External {
		_, err = tx.ExecContext(ctx, `INSERT INTO invitees (conference_id, name, role, agency, agency_kind, contact, invited_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, e.Name, e.Role, e.Agency, e.AgencyKind, e.Contact, now)
		if err != nil {
			return nil, false, fmt.Errorf("create conference: external invitee: %w", err)
		}
	}
	if err := audit(ctx, tx, now, n.CaseManagerID, "conference.create", id, ""); err != nil {
		return nil, false, err
	}
	conf, err = loadConference(ctx, tx, id)
	if err != nil {
		return nil, false, err
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("create conference: commit: %w", err)
	}
	return conf, true, nil
}

func (s *DB) conferenceBySourceKey(ctx context.Context, key, caseManager string) (*Conference, bool, error) {
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
// same form created, auditing the read, and commits tx.
func (s *DB) repeatedSubmission(ctx context.Context, tx *sqlx.Tx, id int64, caseManager string) (*Conference, bool, error) {
	c, err := loadConference(ctx, tx, id)
	if err != nil {
		return nil, false, err
	}
	if err := audit(ctx, tx, s.Now(), caseManager, "conference.create.repeat", id, ""); err != nil {
		return nil, false, err
	}
	return c, false, tx.Commit()
}

// upsertClient finds the case manager's client with this reference, or
// creates it. A full name given now is kept.
func upsertClient(ctx context.Context, tx sqlx.ExtContext, ref, name, caseManager string, now time.Time) (int64, error) {
	var id int64
	err := sqlx.GetContext(ctx, tx, &id, `SELECT id FROM clients
		WHERE reference = $1 AND case_manager_id = $2 AND erased_at IS NULL ORDER BY id LIMIT 1`, ref, caseManager)
	switch {
	case err == nil:
		if name != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE clients SET full_name = $2 WHERE id = $1`, id, name); err != nil {
				return 0, fmt.Errorf("client: %w", err)
			}
		}
		return id, nil
	case !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("client: %w", err)
	}
	err = sqlx.GetContext(ctx, tx, &id, `INSERT INTO clients (reference, full_name, case_manager_id, created_at)
		VALUES ($1, $2, $3, $4) RETURNING id`, ref, nullString(name), caseManager, now)
	if err != nil {
		return 0, fmt.Errorf("client: %w", err)
	}
	return id, nil
}

// loadConference reads a conference and its invitees with no access check:
// callers have made one.
func loadConference(ctx context.Context, q sqlx.QueryerContext, id int64) (*Conference, error) {
	var c Conference
	err := sqlx.GetContext(ctx, q, &c, `SELECT `+conferenceColumns+` FROM `+conferenceFrom+` WHERE c.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmt.Errorf("load conference: %w", err)
	}
	if err := sqlx.SelectContext(ctx, q, &c.Invitees, inviteeQuery, id); err != nil {
		return nil, fmt.Errorf("load invitees: %w", err)
	}
	return &c, nil
}

// notFound is the one answer for a conference that does not exist and one
// the viewer may not see: they must read the same.
func notFound() error {
	return caseconf.Errorf(caseconf.ENOTFOUND, "There is no conference with that reference that you can see.")
}

// ConferenceByRef reads the conference with reference ref if v may see it,
// and audits the read as action. For a conference v may not see it returns
// the same ENOTFOUND as for one that does not exist.
func (s *DB) ConferenceByRef(ctx context.Context, ref string, v Viewer, action string) (*Conference, error) {
	return s.readConference(ctx, v, action, `c.ref = upper($3)`, ref)
}

// ConferenceByID is ConferenceByRef for the internal ID that buttons and
// modals carry.
func (s *DB) ConferenceByID(ctx context.Context, id int64, v Viewer, action string) (*Conference, error) {
	return s.readConference(ctx, v, action, `c.id = $3`, id)
}

func (s *DB) readConference(ctx context.Context, v Viewer, action, where string, arg any) (*Conference, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read conference: %w", err)
	}
	defer tx.Rollback()
	var id int64
	err = tx.GetContext(ctx, &id, `SELECT c.id FROM conferences c WHERE `+where+` AND `+visibleTo, v.UserID, v.Admin, arg)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmt.Errorf("read conference: %w", err)
	}
	c, err := loadConference(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if err := audit(ctx, tx, s.Now(), v.UserID, action, id, ""); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

// ConferenceSnapshot reads a conference with no viewer and no audit row.
// It is only for re-rendering a message already delivered to the people
// entitled to it (the case manager's summary), never for showing a
// conference to someone who asked.
func (s *DB) ConferenceSnapshot(ctx context.Context, id int64) (*Conference, error) {
	return loadConference(ctx, s.db, id)
}

// Invitation reads the conference behind invitee inviteeID for that
// invitee's own Slack user, whether or not they have accepted the
// agreement yet: it is what their invitation DM shows. For any other user
// it is ENOTFOUND. The read is audited as action.
func (s *DB) Invitation(ctx context.Context, inviteeID int64, userID, action string) (*Conference, *Invitee, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("read invitation: %w", err)
	}
	defer tx.Rollback()
	c, inv, err := invitation(ctx, tx, inviteeID, userID, false)
	if err != nil {
		return nil, nil, err
	}
	if err := audit(ctx, tx, s.Now(), userID, action, c.ID, ""); err != nil {
		return nil, nil, err
	}
	return c, inv, tx.Commit()
}

// invitation loads the invitee's conference for their own Slack user. With
// lock it also locks the conference row, so a change made on the strength
// of what it read (an answer, an acceptance) cannot interleave with a
// cancellation.
func invitation(ctx context.Context, tx *sqlx.Tx, inviteeID int64, userID string, lock bool) (*Conference, *Invitee, error) {
	var confID int64
	q := `SELECT conference_id FROM invitees WHERE id = $1 AND slack_user_id = $2`
	if lock {
		q = `SELECT c.id FROM invitees i JOIN conferences c ON c.id = i.conference_id
			WHERE i.id = $1 AND i.slack_user_id = $2 FOR UPDATE OF c`
	}
	err := tx.GetContext(ctx, &confID, q, inviteeID, userID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read invitation: %w", err)
	}
	c, err := loadConference(ctx, tx, confID)
	if err != nil {
		return nil, nil, err
	}
	for i := range c.Invitees {
		if c.Invitees[i].ID == inviteeID {
			return c, &c.Invitees[i], nil
		}
	}
	return nil, nil, notFound()
}

// AgencyAnswer is the agency an invitee says they work for.
type AgencyAnswer struct {
	Agency, Kind string
}

// AcceptAgreement records that the invitee's own Slack user accepted the
// information-sharing and confidentiality agreement, with their agency when
// they gave it (and remembers that agency for the user). Accepting twice
// keeps the first time. It returns the conference as the invitee now sees it.
func (s *DB) AcceptAgreement(ctx context.Context, inviteeID int64, userID string, agency *AgencyAnswer) (*Conference, *Invitee, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("accept agreement: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	c, inv, err := invitation(ctx, tx, inviteeID, userID, true)
	if err != nil {
		return nil, nil, err
	}
	if c.Status == caseconf.StatusCancelled {
		return nil, nil, caseconf.Errorf(caseconf.ECONFLICT, "This conference has been cancelled.")
	}
	if agency != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE invitees SET agency = $2, agency_kind = $3 WHERE id = $1`,
			inv.ID, agency.Agency, agency.Kind); err != nil {
			return nil, nil, fmt.Errorf("accept agreement: agency: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_agencies (slack_user_id, agency, agency_kind, updated_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (slack_user_id) DO UPDATE
			SET agency = EXCLUDED.agency, agency_kind = EXCLUDED.agency_kind, updated_at = EXCLUDED.updated_at`,
			userID, agency.Agency, agency.Kind, now); err != nil {
			return nil, nil, fmt.Errorf("accept agreement: remember agency: %w", err)
		}
	} else if !inv.AgencyKind.Valid {
		return nil, nil, caseconf.Errorf(caseconf.EINVALID, "Please say which agency you work for.")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_acknowledgements (invitee_id, conference_id, slack_user_id, accepted_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (invitee_id) DO NOTHING`, inv.ID, c.ID, userID, now); err != nil {
		return nil, nil, fmt.Errorf("accept agreement: %w", err)
	}
	if err := audit(ctx, tx, now, userID, "agreement.accept", c.ID, ""); err != nil {
		return nil, nil, err
	}
	c, inv, err = invitation(ctx, tx, inviteeID, userID, false)
	if err != nil {
		return nil, nil, err
	}
	return c, inv, tx.Commit()
}

// RecordResponse stores an invitee's answer (attending, sending a named
// colleague, or apologies with a report). Only the invitee's own Slack user
// may answer, only after accepting the agreement, and only until the
// meeting starts. Every answer is kept with its time; the latest counts.
func (s *DB) RecordResponse(ctx context.Context, inviteeID int64, userID, answer, colleague string) (*Conference, *Invitee, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("record response: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	c, inv, err := invitation(ctx, tx, inviteeID, userID, true)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case !inv.AcceptedAt.Valid:
		return nil, nil, caseconf.Errorf(caseconf.ENOTREADY, "Please read and accept the information-sharing and confidentiality agreement first.")
	case c.Status == caseconf.StatusCancelled:
		return nil, nil, caseconf.Errorf(caseconf.ECONFLICT, "This conference has been cancelled.")
	case !now.Before(c.StartsAt):
		return nil, nil, caseconf.Errorf(caseconf.ECONFLICT, "The meeting has started, so answers can no longer be changed.")
	}
	switch answer {
	case caseconf.AnswerAttending, caseconf.AnswerApologies:
		colleague = ""
	case caseconf.AnswerColleague:
		if colleague == "" {
			return nil, nil, caseconf.Errorf(caseconf.EINVALID, "Please name the colleague you are sending.")
		}
	default:
		return nil, nil, caseconf.Errorf(caseconf.EINVALID, "That is not an answer we know.")
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO responses (invitee_id, answer, colleague, responded_at)
		VALUES ($1, $2, $3, $4)`, inv.ID, answer, nullString(colleague), now); err != nil {
		return nil, nil, fmt.Errorf("record response: %w", err)
	}
	if err := audit(ctx, tx, now, userID, "response."+answer, c.ID, ""); err != nil {
		return nil, nil, err
	}
	c, inv, err = invitation(ctx, tx, inviteeID, userID, false)
	if err != nil {
		return nil, nil, err
	}
	return c, inv, tx.Commit()
}

// CancelConference marks the conference cancelled with the reason. Only
// its case manager may; anyone else who may see it gets EFORBIDDEN, and
// anyone who may not, ENOTFOUND.
func (s *DB) CancelConference(ctx context.Context, id int64, v Viewer, reason string) (*Conference, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("cancel conference: %w", err)
	}
	defer tx.Rollback()
	var row struct {
		CaseManagerID string `db:"case_manager_id"`
		Status        string `db:"status"`
	}
	err = tx.GetContext(ctx, &row, `SELECT c.case_manager_id, c.status FROM conferences c
		WHERE c.id = $3 AND `+visibleTo+` FOR UPDATE`, v.UserID, v.Admin, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound()
	}
	if err != nil {
		return nil, fmt.Errorf("cancel conference: %w", err)
	}
	switch {
	case row.CaseManagerID != v.UserID:
		return nil, caseconf.Errorf(caseconf.EFORBIDDEN, "Only the case manager can cancel this conference.")
	case row.Status == caseconf.StatusCancelled:
		return nil, caseconf.Errorf(caseconf.ECONFLICT, "This conference is already cancelled.")
	}
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE conferences SET status = 'cancelled', cancel_reason = $2, updated_at = $3
		WHERE id = $1`, id, reason, now); err != nil {
		return nil, fmt.Errorf("cancel conference: %w", err)
	}
	if err := audit(ctx, tx, now, v.UserID, "conference.cancel", id, ""); err != nil {
		return nil, err
	}
	c, err := loadConference(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

// SetInvitationMessage remembers where an invitee's invitation DM is, so it
// can be updated.
func (s *DB) SetInvitationMessage(ctx context.Context, inviteeID int64, channel, ts string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE invitees SET dm_channel = $2, dm_ts = $3 WHERE id = $1`, inviteeID, channel, ts)
	if err != nil {
		return fmt.Errorf("set invitation message: %w", err)
	}
	return nil
}

// SetSummaryMessage remembers where the case manager's summary DM is.
func (s *DB) SetSummaryMessage(ctx context.Context, conferenceID int64, channel, ts string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE conferences SET cm_dm_channel = $2, cm_dm_ts = $3 WHERE id = $1`, conferenceID, channel, ts)
	if err != nil {
		return fmt.Errorf("set summary message: %w", err)
	}
	return nil
}

// Role is how a user is involved in a conference, for their list.
type Role string

// Roles, most responsible first.
const (
	RoleCaseManager Role = "case manager"
	RoleChair       Role = "chair"
	RoleMinutes     Role = "minute taker"
	RoleInvitee     Role = "invitee"
)

// ListEntry is one line of a user's upcoming conferences.
type ListEntry struct {
	ID            int64          `db:"id"`
	Ref           string         `db:"ref"`
	StartsAt      time.Time      `db:"starts_at"`
	CaseManagerID string         `db:"case_manager_id"`
	ChairID       string         `db:"chair_id"`
	MinuteTakerID string         `db:"minute_taker_id"`
	InviteeID     sql.NullInt64  `db:"invitee_id"`
	Accepted      bool           `db:"accepted"`
	Answer        sql.NullString `db:"answer"`
}

// Roles lists the user's roles in the entry.
func (e *ListEntry) Roles(userID string) []Role {
	var r []Role
	if e.CaseManagerID == userID {
		r = append(r, RoleCaseManager)
	}
	if e.ChairID == userID {
		r = append(r, RoleChair)
	}
	if e.MinuteTakerID == userID {
		r = append(r, RoleMinutes)
	}
	if e.InviteeID.Valid {
		r = append(r, RoleInvitee)
	}
	return r
}

// Upcoming lists the scheduled conferences starting after now in which the
// user is case manager, chair, minute taker or invitee, soonest first, at
// most limit. Each entry listed is audited as a read.
func (s *DB) Upcoming(ctx context.Context, userID string, now time.Time, limit int) ([]ListEntry, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("list conferences: %w", err)
	}
	defer tx.Rollback()
	var out []ListEntry
	err = tx.SelectContext(ctx, &out, `SELECT c.id, c.ref, c.starts_at, c.case_manager_id, c.chair_id, c.minute_taker_id,
			i.id AS invitee_id, (a.invitee_id IS NOT NULL) AS accepted, r.answer
		FROM conferences c
		LEFT JOIN invitees i ON i.conference_id = c.id AND i.slack_user_id = $1
		LEFT JOIN agreement_acknowledgements a ON a.invitee_id = i.id
		LEFT JOIN LATERAL (SELECT answer FROM responses WHERE invitee_id = i.id
			ORDER BY responded_at DESC, id DESC LIMIT 1) r ON true
		WHERE c.status = 'scheduled' AND c.starts_at > $2
		  AND (c.case_manager_id = $1 OR c.chair_id = $1 OR c.minute_taker_id = $1 OR i.id IS NOT NULL)
		ORDER BY c.starts_at, c.id
		LIMIT $3`, userID, now, limit)
	if err != nil {
		return nil, fmt.Errorf("list conferences: %w", err)
	}
	at := s.Now()
	for _, e := range out {
		if err := audit(ctx, tx, at, userID, "conference.list", e.ID, ""); err != nil {
			return nil, err
		}
	}
	return out, tx.Commit()
}

// audit writes one audit row. detail must never hold client identifiers or
// free text from a form.
func audit(ctx context.Context, x sqlx.ExecerContext, at time.Time, actor, action string, conferenceID int64, detail string) error {
	_, err := x.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, action, conference_id, detail)
		VALUES ($1, $2, $3, $4, $5)`, at, actor, action, conferenceID, detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	At           time.Time     `db:"at"`
	ActorID      string        `db:"actor_id"`
	Action       string        `db:"action"`
	ConferenceID sql.NullInt64 `db:"conference_id"`
	Detail       string        `db:"detail"`
}

// AuditFor returns a conference's audit trail, oldest first.
func (s *DB) AuditFor(ctx context.Context, conferenceID int64) ([]AuditEntry, error) {
	var out []AuditEntry
	err := s.db.SelectContext(ctx, &out, `SELECT at, actor_id, action, conference_id, detail FROM audit_log
		WHERE conference_id = $1 ORDER BY at, id`, conferenceID)
	if err != nil {
		return nil, fmt.Errorf("audit trail: %w", err)
	}
	return out, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullDate(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), Valid: true}
}
