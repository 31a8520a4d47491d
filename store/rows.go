package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// The row types below are how rows come out of PostgreSQL; nothing outside
// store/ sees them. Each converts to the plain domain type, the way the
// domain package wants it: no sql.Null*, no pq arrays.

type conferenceRow struct {
	ID                int64          `db:"id"`
	Ref               string         `db:"ref"`
	ClientID          int64          `db:"client_id"`
	ClientRef         string         `db:"client_ref"`
	ClientName        sql.NullString `db:"client_name"`
	CaseManagerID     string         `db:"case_manager_id"`
	ChairID           string         `db:"chair_id"`
	MinuteTakerID     string         `db:"minute_taker_id"`
	Reasons           pq.StringArray `db:"reasons"`
	Purpose           string         `db:"purpose"`
	StartsAt          time.Time      `db:"starts_at"`
	DurationMinutes   int            `db:"duration_minutes"`
	Place             string         `db:"place"`
	ClientAttends     bool           `db:"client_attends"`
	ClientAbsence     sql.NullString `db:"client_absence"`
	ChildCareManager  sql.NullString `db:"child_care_manager"`
	ClientAbsenceNote sql.NullString `db:"client_absence_reason"`
	ConsentChecked    bool           `db:"consent_checked"`
	ConsentNotChecked sql.NullString `db:"consent_not_checked_why"`
	ClientToldHow     sql.NullString `db:"client_told_how"`
	Urgent            bool           `db:"urgent"`
	UrgentReason      sql.NullString `db:"urgent_reason"`
	Status            string         `db:"status"`
	CancelReason      sql.NullString `db:"cancel_reason"`
	CMDMChannel       sql.NullString `db:"cm_dm_channel"`
	CMDMTs            sql.NullString `db:"cm_dm_ts"`
	CreatedAt         time.Time      `db:"created_at"`
	CalendarSequence  int            `db:"calendar_sequence"`

	ConsentMethod      string         `db:"consent_method"`
	ConsentGivenOn     sql.NullTime   `db:"consent_given_on"`
	ConsentValidUntil  sql.NullTime   `db:"consent_valid_until"`
	ConsentNoReason    sql.NullString `db:"consent_no_reason"`
	ConsentDecidedBy   sql.NullString `db:"consent_decided_by"`
	ConsentExplanation sql.NullString `db:"consent_explanation"`
	ConsentKinds       pq.StringArray `db:"consent_kinds"`
}

const conferenceColumns = `c.id, c.ref, c.client_id, cl.reference AS client_ref, cl.full_name AS client_name,
	c.case_manager_id, c.chair_id, c.minute_taker_id, c.reasons, c.purpose, c.starts_at, c.duration_minutes,
	c.place, c.client_attends, c.client_absence, c.child_care_manager, c.client_absence_reason, c.client_told_how,
	c.consent_checked, c.consent_not_checked_why, c.urgent, c.urgent_reason,
	c.status, c.cancel_reason, c.cm_dm_channel, c.cm_dm_ts, c.created_at, c.calendar_sequence,
	co.method AS consent_method, co.given_on AS consent_given_on, co.valid_until AS consent_valid_until,
	co.no_consent_reason AS consent_no_reason, co.decided_by AS consent_decided_by, co.explanation AS consent_explanation,
	co.agency_kinds AS consent_kinds`

const conferenceFrom = `conferences c
	JOIN clients cl ON cl.id = c.client_id
	JOIN consents co ON co.id = c.consent_id`

func (r *conferenceRow) conference() *caseconf.Conference {
	return &caseconf.Conference{
		ID: r.ID, Ref: r.Ref, ClientID: r.ClientID, ClientRef: r.ClientRef, ClientName: r.ClientName.String,
		CaseManagerID: r.CaseManagerID, ChairID: r.ChairID, MinuteTakerID: r.MinuteTakerID,
		Reasons: []string(r.Reasons), Purpose: r.Purpose, StartsAt: r.StartsAt, DurationMinutes: r.DurationMinutes,
		Place: r.Place, ClientAttends: r.ClientAttends, ClientAbsence: r.ClientAbsence.String,
		ChildCareManager: r.ChildCareManager.String, ClientAbsenceNote: r.ClientAbsenceNote.String,
		ClientToldHow: r.ClientToldHow.String, Urgent: r.Urgent, UrgentReason: r.UrgentReason.String,
		Status: caseconf.Status(r.Status), CancelReason: r.CancelReason.String,
		Summary:   caseconf.MessageRef{Channel: r.CMDMChannel.String, TS: r.CMDMTs.String},
		CreatedAt: r.CreatedAt, CalendarSequence: r.CalendarSequence,
		Consent: caseconf.Consent{
			Method: r.ConsentMethod, GivenOn: dateOf(r.ConsentGivenOn), ValidUntil: dateOf(r.ConsentValidUntil),
			NoConsentReason: r.ConsentNoReason.String, DecidedBy: r.ConsentDecidedBy.String, Explanation: r.ConsentExplanation.String,
			AgencyKinds: []string(r.ConsentKinds), Checked: r.ConsentChecked, NotCheckedWhy: r.ConsentNotChecked.String,
		},
	}
}

type inviteeRow struct {
	ID           int64          `db:"id"`
	ConferenceID int64          `db:"conference_id"`
	SlackUserID  sql.NullString `db:"slack_user_id"`
	Name         string         `db:"name"`
	Role         string         `db:"role"`
	Agency       string         `db:"agency"`
	AgencyKind   sql.NullString `db:"agency_kind"`
	Contact      string         `db:"contact"`
	Email        string         `db:"email"`
	Phone        string         `db:"phone"`
	AcceptedHow  sql.NullString `db:"accepted_how"`
	RecordedBy   sql.NullString `db:"recorded_by"`
	DMChannel    sql.NullString `db:"dm_channel"`
	DMTs         sql.NullString `db:"dm_ts"`
	AcceptedAt   sql.NullTime   `db:"accepted_at"`
	Answer       sql.NullString `db:"answer"`
	Colleague    sql.NullString `db:"colleague"`
	Reason       sql.NullString `db:"reason"`
	AnsweredAt   sql.NullTime   `db:"answered_at"`
	ReportAt     sql.NullTime   `db:"report_at"`
}

// inviteeSelect reads the invitees still invited (not taken off by an
// edit) with their agreement, report and latest answer, for an AND to
// narrow; inviteeQuery is those of conference $1, in the order they are
// shown.
const inviteeSelect = `SELECT i.id, i.conference_id, i.slack_user_id, i.name, i.role, i.agency, i.agency_kind,
	i.contact, i.email, i.phone, i.dm_channel, i.dm_ts, a.accepted_at, a.how AS accepted_how,
	r.answer, r.colleague, r.reason, r.responded_at AS answered_at, r.recorded_by,
	rp.updated_at AS report_at
	FROM invitees i
	LEFT JOIN agreement_acknowledgements a ON a.invitee_id = i.id
	LEFT JOIN reports rp ON rp.invitee_id = i.id
	LEFT JOIN LATERAL (SELECT answer, colleague, reason, responded_at, recorded_by FROM responses
		WHERE invitee_id = i.id ORDER BY responded_at DESC, id DESC LIMIT 1) r ON true
	WHERE i.removed_at IS NULL`

const inviteeQuery = inviteeSelect + `
	AND i.conference_id = $1
	ORDER BY i.slack_user_id IS NULL, i.id`

func (r *inviteeRow) invitee() caseconf.Invitee {
	inv := caseconf.Invitee{
		ID: r.ID, ConferenceID: r.ConferenceID, SlackUserID: r.SlackUserID.String, Name: r.Name, Role: r.Role,
		Agency: r.Agency, AgencyKind: r.AgencyKind.String, Email: r.Email, Phone: r.Phone,
		Contact:     caseconf.ContactLine(r.Email, r.Phone),
		AcceptedHow: r.AcceptedHow.String,
		Invitation:  caseconf.MessageRef{Channel: r.DMChannel.String, TS: r.DMTs.String},
	}
	if inv.Contact == "" {
		inv.Contact = r.Contact // a row from before e-mail and phone were apart
	}
	if r.AcceptedAt.Valid {
		at := r.AcceptedAt.Time
		inv.AcceptedAt = &at
	}
	if r.ReportAt.Valid {
		at := r.ReportAt.Time
		inv.ReportAt = &at
	}
	if r.Answer.Valid && caseconf.Answer(r.Answer.String) != caseconf.AnswerNoReply {
		inv.Response = &caseconf.Response{Answer: caseconf.Answer(r.Answer.String), Colleague: r.Colleague.String, Reason: r.Reason.String,
			At: r.AnsweredAt.Time, RecordedBy: r.RecordedBy.String}
	}
	return inv
}

// dateOf is a stored calendar date, or the zero time for none. lib/pq
// hands dates back at midnight UTC; callers read them as calendar dates.
func dateOf(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullDate(t time.Time) sql.NullTime {
	if t.IsZero() {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), Valid: true}
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

// eachRow runs query and hands each row to f, scanned into a T (by its
// db tags), one at a time: a read whose result is folded into something
// else never holds all its rows as well.
func eachRow[T any](ctx context.Context, q sqlx.QueryerContext, f func(*T) error, query string, args ...any) error {
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r T
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		if err := f(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}
