package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// Agency reports: one per invitee, the latest in reports and every save
// in report_revisions. Report text is the author's own and sensitive: it
// never goes into an error, a log line or the audit log's detail.

type reportRow struct {
	ConferenceID    int64          `db:"conference_id"`
	InviteeID       int64          `db:"invitee_id"`
	AuthorID        string         `db:"author_id"`
	Agency          string         `db:"author_agency"`
	Role            string         `db:"author_role"`
	Involvement     string         `db:"involvement"`
	LastContact     string         `db:"recent_contact"`
	Concerns        string         `db:"concerns"`
	Worked          string         `db:"worked"`
	NotWorked       string         `db:"not_worked"`
	Recommendations string         `db:"recommendations"`
	Revision        int            `db:"revision"`
	SubmittedAt     time.Time      `db:"submitted_at"`
	UpdatedAt       time.Time      `db:"updated_at"`
	EnteredBy       sql.NullString `db:"entered_by"`
	ReceivedHow     sql.NullString `db:"received_how"`
	ReceivedOn      sql.NullTime   `db:"received_on"`
}

func (r *reportRow) report() *caseconf.Report {
	return &caseconf.Report{InviteeID: r.InviteeID, ConferenceID: r.ConferenceID, AuthorID: r.AuthorID,
		Agency: r.Agency, Role: r.Role, Involvement: r.Involvement, LastContact: r.LastContact, Concerns: r.Concerns,
		Worked: r.Worked, NotWorked: r.NotWorked, Recommendations: r.Recommendations, Revision: r.Revision,
		SubmittedAt: r.SubmittedAt, UpdatedAt: r.UpdatedAt, Received: r.receipt()}
}

// receipt is how an entered report arrived; nil for one written in Slack.
func (r *reportRow) receipt() *caseconf.ReportReceipt {
	if !r.EnteredBy.Valid {
		return nil
	}
	return &caseconf.ReportReceipt{How: r.ReceivedHow.String, On: dateOf(r.ReceivedOn), EnteredBy: r.EnteredBy.String}
}

// loadReport reads the latest report of an invitee; nil when they have
// not written one.
func loadReport(ctx context.Context, q sqlx.QueryerContext, inviteeID int64) (*caseconf.Report, error) {
	var r reportRow
	err := sqlx.GetContext(ctx, q, &r, `SELECT conference_id, invitee_id, author_id, author_agency, author_role,
			involvement, recent_contact, concerns, worked, not_worked, recommendations, revision, submitted_at, updated_at,
			entered_by, received_how, received_on
		FROM reports WHERE invitee_id = $1`, inviteeID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	return r.report(), nil
}

// ReportDraft reads what the report form of invitee inviteeID shows its
// own Slack user, if caseconf.CanWriteReport allows: the conference, the
// invitee, and their latest report (nil before the first). The read is
// audited. To anyone else the invitation does not exist.
func (s *DB) ReportDraft(ctx context.Context, inviteeID int64, userID string) (*caseconf.Conference, *caseconf.Invitee, *caseconf.Report, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open report: %w", err)
	}
	defer tx.Rollback()
	c, inv, err := invitation(ctx, tx, inviteeID, false)
	if err == nil {
		err = caseconf.CanWriteReport(c, inv, userID)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	rep, err := loadReport(ctx, tx, inv.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: userID, Action: "report.open", ConferenceID: c.ID, ClientID: c.ClientID}); err != nil {
		return nil, nil, nil, err
	}
	return c, inv, rep, tx.Commit()
}

// ReportDraftByRef is ReportDraft for v's own invitation to the
// conference with reference ref. Someone who may see the conference but
// was not invited to it is told that reports are the invitees'; to anyone
// else it does not exist.
func (s *DB) ReportDraftByRef(ctx context.Context, ref string, v caseconf.Viewer) (*caseconf.Conference, *caseconf.Invitee, *caseconf.Report, error) {
	ref = strings.ToUpper(strings.TrimSpace(ref))
	var id int64
	err := s.db.GetContext(ctx, &id, `SELECT i.id FROM invitees i JOIN conferences c ON c.id = i.conference_id
		WHERE c.ref = $1 AND i.slack_user_id = $2 AND i.removed_at IS NULL`, ref, v.UserID)
	if errors.Is(err, sql.ErrNoRows) {
		var confID int64
		err = s.db.GetContext(ctx, &confID, `SELECT id FROM conferences WHERE ref = $1`, ref)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil, nil, caseconf.NotFound()
		}
		if err != nil {
			return nil, nil, nil, fmt.Errorf("open report: %w", err)
		}
		c, err := loadConference(ctx, s.db, confID)
		if err != nil {
			return nil, nil, nil, err
		}
		if !caseconf.CanSee(c, v) {
			return nil, nil, nil, caseconf.NotFound()
		}
		return nil, nil, nil, caseconf.Errorf(caseconf.EFORBIDDEN, "Agency reports are written by the people invited to %s, and you are not one of them.", c.Ref)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("open report: %w", err)
	}
	return s.ReportDraft(ctx, id, v.UserID)
}

// SavedReport is what SaveReport did.
type SavedReport struct {
	Conference *caseconf.Conference // as it is now, the invitee's report time included
	Invitee    *caseconf.Invitee
	Revision   int  // the report's revision now
	New        bool // false when the same submission was saved before
}

// SaveReport stores the report r of invitee inviteeID, written by its own
// Slack user, if caseconf.CanWriteReport allows it on the locked
// conference. The latest save is the report; every save is kept as a
// revision. In the same transaction the save is audited and the pending
// reminders asking for this report are cancelled. sourceKey identifies
// the form submission: the same one again stores nothing (New false);
// the same one for another invitee or from another user is refused.
func (s *DB) SaveReport(ctx context.Context, inviteeID int64, userID string, r caseconf.Report, sourceKey string) (SavedReport, error) {
	r.Received = nil
	return s.saveReport(ctx, inviteeID, userID, r, sourceKey, func(c *caseconf.Conference, inv *caseconf.Invitee) error {
		return caseconf.CanWriteReport(c, inv, userID)
	})
}

// EnterReport stores the report r that invitee inviteeID, not on Slack,
// sent by other means, entered on their behalf by v, if
// caseconf.CanEnterReport allows it: with how and when it arrived
// (r.Received; who entered it is v), and the same history, audit and
// reminders as SaveReport.
func (s *DB) EnterReport(ctx context.Context, inviteeID int64, v caseconf.Viewer, r caseconf.Report, sourceKey string) (SavedReport, error) {
	if r.Received == nil {
		return SavedReport{}, caseconf.Errorf(caseconf.EINVALID, "Please say how and when the report arrived.")
	}
	rec := *r.Received
	rec.EnteredBy = v.UserID
	r.Received = &rec
	return s.saveReport(ctx, inviteeID, v.UserID, r, sourceKey, func(c *caseconf.Conference, inv *caseconf.Invitee) error {
		return caseconf.CanEnterReport(c, v, inv)
	})
}

// saveReport is SaveReport and EnterReport, with check the rule for who
// may save it.
func (s *DB) saveReport(ctx context.Context, inviteeID int64, userID string, r caseconf.Report, sourceKey string, check func(*caseconf.Conference, *caseconf.Invitee) error) (SavedReport, error) {
	var enteredBy, receivedHow sql.NullString
	var receivedOn sql.NullTime
	if r.Received != nil {
		enteredBy = sql.NullString{String: r.Received.EnteredBy, Valid: true}
		receivedHow = sql.NullString{String: r.Received.How, Valid: true}
		receivedOn = sql.NullTime{Time: r.Received.On, Valid: true}
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return SavedReport{}, fmt.Errorf("save report: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	c, inv, err := invitation(ctx, tx, inviteeID, true)
	if err == nil {
		err = check(c, inv)
	}
	if err != nil {
		return SavedReport{}, err
	}
	if sourceKey != "" {
		// The conference row is locked: a concurrent save of the same
		// submission has committed, or waits for this one.
		var prev struct {
			InviteeID int64  `db:"invitee_id"`
			AuthorID  string `db:"author_id"`
			Revision  int    `db:"revision"`
		}
		err := tx.GetContext(ctx, &prev, `SELECT invitee_id, author_id, revision FROM report_revisions WHERE source_key = $1`, sourceKey)
		switch {
		case err == nil && prev.InviteeID == inv.ID && prev.AuthorID == userID:
			return SavedReport{Conference: c, Invitee: inv, Revision: prev.Revision}, tx.Commit()
		case err == nil:
			return SavedReport{}, caseconf.Errorf(caseconf.ECONFLICT, "This form has already been used. Please open the report again (`/caseconf report %s`).", c.Ref)
		case !errors.Is(err, sql.ErrNoRows):
			return SavedReport{}, fmt.Errorf("save report: %w", err)
		}
	}
	var saved struct {
		ID       int64 `db:"id"`
		Revision int   `db:"revision"`
	}
	err = tx.GetContext(ctx, &saved, `INSERT INTO reports (conference_id, invitee_id, author_id, author_agency, author_role,
			involvement, recent_contact, concerns, worked, not_worked, recommendations, submitted_at, updated_at, revision,
			entered_by, received_how, received_on)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1, $13, $14, $15)
		ON CONFLICT (invitee_id) DO UPDATE SET author_id = EXCLUDED.author_id, author_agency = EXCLUDED.author_agency,
			author_role = EXCLUDED.author_role, involvement = EXCLUDED.involvement, recent_contact = EXCLUDED.recent_contact,
			concerns = EXCLUDED.concerns, worked = EXCLUDED.worked, not_worked = EXCLUDED.not_worked,
			recommendations = EXCLUDED.recommendations, updated_at = EXCLUDED.updated_at, revision = reports.revision + 1,
			entered_by = EXCLUDED.entered_by, received_how = EXCLUDED.received_how, received_on = EXCLUDED.received_on
		RETURNING id, revision`,
		c.ID, inv.ID, userID, r.Agency, r.Role, r.Involvement, r.LastContact, r.Concerns, r.Worked, r.NotWorked, r.Recommendations, now,
		enteredBy, receivedHow, receivedOn)
	if err != nil {
		return SavedReport{}, fmt.Errorf("save report: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO report_revisions (report_id, conference_id, invitee_id, revision, author_id,
			author_agency, author_role, involvement, recent_contact, concerns, worked, not_worked, recommendations, source_key, saved_at,
			entered_by, received_how, received_on)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		saved.ID, c.ID, inv.ID, saved.Revision, userID, r.Agency, r.Role, r.Involvement, r.LastContact, r.Concerns,
		r.Worked, r.NotWorked, r.Recommendations, nullString(sourceKey), now, enteredBy, receivedHow, receivedOn)
	if pqErr, ok := errors.AsType[*pq.Error](err); ok && pqErr.Code == "23505" {
		// The same submission saved for another invitee meanwhile: a
		// forged or replayed form.
		return SavedReport{}, caseconf.Errorf(caseconf.ECONFLICT, "This form has already been used. Please open the report again (`/caseconf report %s`).", c.Ref)
	}
	if err != nil {
		return SavedReport{}, fmt.Errorf("save report: revision: %w", err)
	}
	action := "report.submit"
	if saved.Revision > 1 {
		action = "report.update"
	}
	if r.Received != nil {
		action = "report.enter" // by the case manager, for someone not on Slack
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: userID, Action: action, ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("invitee %d, revision %d", inv.ID, saved.Revision)}); err != nil {
		return SavedReport{}, err
	}
	if err := cancelPending(ctx, tx, c.ID, inv.ID, ReportReminderKinds, "the report has come"); err != nil {
		return SavedReport{}, err
	}
	c, inv, err = invitation(ctx, tx, inviteeID, false)
	if err != nil {
		return SavedReport{}, err
	}
	if err := tx.Commit(); err != nil {
		return SavedReport{}, fmt.Errorf("save report: commit: %w", err)
	}
	return SavedReport{Conference: c, Invitee: inv, Revision: saved.Revision, New: true}, nil
}
