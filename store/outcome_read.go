package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
)

// Reading a recorded outcome, for the messages it calls for. Like
// ConferenceSnapshot these take no viewer and write no audit row: they
// are only for rendering a message to the people entitled to it, decided
// when the outcome was recorded and checked again when it is sent.

// OutcomeSnapshot reads the recorded outcome of conference id, with its
// attendees, apologies, action plan (in the order recorded) and the
// people its minutes go to. A conference with no recorded outcome is
// caseconf.NotFound.
func (s *DB) OutcomeSnapshot(ctx context.Context, id int64) (*caseconf.Outcome, error) {
	return readOutcome(ctx, s.db, id)
}

// readOutcome is OutcomeSnapshot on q: the database, or the transaction
// that records the outcome (RecordOutcome counts the minutes' parts from
// exactly what the sender will read).
func readOutcome(ctx context.Context, q sqlx.QueryerContext, id int64) (*caseconf.Outcome, error) {
	o, err := readOutcomeRow(ctx, q, id)
	switch {
	case err != nil:
		return nil, fmt.Errorf("read outcome: %w", err)
	case o == nil:
		return nil, caseconf.NotFound()
	}
	var actions []actionRow
	if err := sqlx.SelectContext(ctx, q, &actions, `SELECT `+actionColumns+` FROM actions WHERE conference_id = $1 AND removed_at IS NULL ORDER BY id`, id); err != nil {
		return nil, fmt.Errorf("read outcome: actions: %w", err)
	}
	for i := range actions {
		o.Actions = append(o.Actions, *actions[i].action())
	}
	share, err := readShareList(ctx, q, id)
	if err != nil {
		return nil, err
	}
	for _, e := range share {
		if e.Withheld == "" {
			o.ShareWith = append(o.ShareWith, caseconf.Person{UserID: e.UserID, Name: e.Name, Contact: e.Contact})
		}
	}
	return o, nil
}

// readOutcomeRow reads the recorded outcome of conference id with its
// attendees and apologies (not its actions or share list), or nil when
// none is recorded. The snapshot and the whole record both read it so.
func readOutcomeRow(ctx context.Context, q sqlx.QueryerContext, id int64) (*caseconf.Outcome, error) {
	var r struct {
		RecordedBy    string         `db:"recorded_by"`
		RecordedAt    time.Time      `db:"recorded_at"`
		LeadChanged   bool           `db:"lead_changed"`
		NewCaseMgr    sql.NullString `db:"new_case_manager_id"`
		NewLeadAgency string         `db:"new_lead_agency"`
		Summary       string         `db:"summary"`
		Worked        string         `db:"worked"`
		NotWorked     string         `db:"not_worked"`
		ClientViews   string         `db:"client_views"`
		ReviewOn      sql.NullTime   `db:"review_on"`
		Version       int            `db:"version"`
		AmendedBy     sql.NullString `db:"amended_by"`
		AmendedAt     sql.NullTime   `db:"amended_at"`
		AmendReason   string         `db:"amend_reason"`
	}
	err := sqlx.GetContext(ctx, q, &r, `SELECT recorded_by, recorded_at, lead_changed, new_case_manager_id, new_lead_agency,
		summary, worked, not_worked, client_views, review_on, version, amended_by, amended_at, amend_reason
		FROM outcomes WHERE conference_id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	o := &caseconf.Outcome{ConferenceID: id, RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt, LeadChanged: r.LeadChanged,
		NewCaseManagerID: r.NewCaseMgr.String, NewLeadAgency: r.NewLeadAgency, Summary: r.Summary, Worked: r.Worked,
		NotWorked: r.NotWorked, ClientViews: r.ClientViews, ReviewOn: dateOf(r.ReviewOn),
		Version: r.Version, AmendedBy: r.AmendedBy.String, AmendedAt: r.AmendedAt.Time, AmendReason: r.AmendReason}
	var people []struct {
		UserID   sql.NullString `db:"slack_user_id"`
		Name     string         `db:"name"`
		JobTitle string         `db:"job_title"`
		Agency   string         `db:"agency"`
		Present  bool           `db:"present"`
	}
	if err := sqlx.SelectContext(ctx, q, &people, `SELECT slack_user_id, name, job_title, agency, present FROM outcome_attendees
		WHERE conference_id = $1 ORDER BY id`, id); err != nil {
		return nil, fmt.Errorf("attendees: %w", err)
	}
	for _, p := range people {
		person := caseconf.Person{UserID: p.UserID.String, Name: p.Name, JobTitle: p.JobTitle, Agency: p.Agency}
		if p.Present {
			o.Attended = append(o.Attended, person)
		} else {
			o.Apologies = append(o.Apologies, person)
		}
	}
	return o, nil
}

// ShareEntry is one person on a conference's share list.
type ShareEntry struct {
	UserID   string // "" for someone not on Slack
	Name     string
	Contact  string
	Withheld string // why the minutes may not go to them; "" when they may
}

func readShareList(ctx context.Context, q sqlx.QueryerContext, id int64) ([]ShareEntry, error) {
	var rows []struct {
		UserID   sql.NullString `db:"slack_user_id"`
		Name     string         `db:"name"`
		Contact  string         `db:"contact"`
		Withheld sql.NullString `db:"withheld"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT slack_user_id, name, contact, withheld FROM share_list
		WHERE conference_id = $1 ORDER BY slack_user_id IS NULL, id`, id); err != nil {
		return nil, fmt.Errorf("read share list: %w", err)
	}
	out := make([]ShareEntry, len(rows))
	for i, r := range rows {
		out[i] = ShareEntry{UserID: r.UserID.String, Name: r.Name, Contact: r.Contact, Withheld: r.Withheld.String}
	}
	return out, nil
}

// agencyKind is the kind of agency Slack user userID last told caseconf
// they work for (when they accepted an invitation), or "" when it does
// not know.
func agencyKind(ctx context.Context, q sqlx.QueryerContext, userID string) (string, error) {
	var kind string
	err := sqlx.GetContext(ctx, q, &kind, `SELECT agency_kind FROM user_agencies WHERE slack_user_id = $1`, userID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("agency kind: %w", err)
	}
	return kind, nil
}
