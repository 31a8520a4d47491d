package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// ReminderFacts reads what the reminder policy needs about the days
// around now: conferences not cancelled that meet within 60 days either
// side (or have a review date within 30 days), with their invitees'
// answers and reports (those not on Slack too: their chaser is the case
// manager); open actions; and each client's current consent if
// it ends within 30 days. Erased clients are left out. Nothing is audited:
// this is the service reading for itself, and what it sends is.
func (s *DB) ReminderFacts(ctx context.Context, now time.Time) (caseconf.ReminderFacts, error) {
	var f caseconf.ReminderFacts
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead})
	if err != nil {
		return f, fmt.Errorf("reminder facts: %w", err)
	}
	defer tx.Rollback()

	type confRow struct {
		ID            int64        `db:"id"`
		CaseManagerID string       `db:"case_manager_id"`
		ChairID       string       `db:"chair_id"`
		StartsAt      time.Time    `db:"starts_at"`
		Recorded      bool         `db:"recorded"`
		ReviewOn      sql.NullTime `db:"review_on"`
	}
	// Each read below is folded into the facts row by row: the sweep holds
	// the facts, never their rows as well.
	index := map[int64]int{}
	var ids []int64
	err = eachRow(ctx, tx, func(c *confRow) error {
		index[c.ID] = len(f.Conferences)
		ids = append(ids, c.ID)
		f.Conferences = append(f.Conferences, caseconf.ConferenceFacts{ID: c.ID, CaseManagerID: c.CaseManagerID,
			ChairID: c.ChairID, StartsAt: c.StartsAt, OutcomeRecorded: c.Recorded, ReviewOn: dateOf(c.ReviewOn)})
		return nil
	}, `SELECT c.id, c.case_manager_id, c.chair_id, c.starts_at,
			(o.conference_id IS NOT NULL) AS recorded, o.review_on
		FROM conferences c JOIN clients cl ON cl.id = c.client_id AND cl.erased_at IS NULL
		LEFT JOIN outcomes o ON o.conference_id = c.id
		WHERE c.status <> 'cancelled'
		  AND (c.starts_at BETWEEN $1::timestamptz - interval '60 days' AND $1::timestamptz + interval '60 days'
		       OR o.review_on BETWEEN $1::date AND $1::date + 30)
		ORDER BY c.id`, now)
	if err != nil {
		return f, fmt.Errorf("reminder facts: conferences: %w", err)
	}
	if ids == nil {
		ids = []int64{}
	}
	type invRow struct {
		ID           int64          `db:"id"`
		ConferenceID int64          `db:"conference_id"`
		SlackUserID  string         `db:"slack_user_id"`
		Answer       sql.NullString `db:"answer"`
		Report       bool           `db:"report"`
		AgencyKind   string         `db:"agency_kind"`
		Consented    pq.StringArray `db:"agency_kinds"`
	}
	err = eachRow(ctx, tx, func(inv *invRow) error {
		c := &f.Conferences[index[inv.ConferenceID]]
		c.Invitees = append(c.Invitees, caseconf.InviteeFacts{ID: inv.ID, SlackUserID: inv.SlackUserID,
			Answer: caseconf.Answer(inv.Answer.String), ReportSent: inv.Report,
			Covered: caseconf.Consent{AgencyKinds: inv.Consented}.Covers(inv.AgencyKind)})
		return nil
	}, `SELECT i.id, i.conference_id, coalesce(i.slack_user_id, '') AS slack_user_id,
			NULLIF(r.answer, 'no_reply') AS answer,
			EXISTS (SELECT 1 FROM reports rp WHERE rp.invitee_id = i.id) AS report,
			coalesce(i.agency_kind, '') AS agency_kind, coalesce(co.agency_kinds, '{}') AS agency_kinds
		FROM invitees i
		JOIN conferences c ON c.id = i.conference_id
		LEFT JOIN consents co ON co.id = c.consent_id
		LEFT JOIN LATERAL (SELECT answer FROM responses WHERE invitee_id = i.id
			ORDER BY responded_at DESC, id DESC LIMIT 1) r ON true
		WHERE i.removed_at IS NULL AND i.conference_id = ANY($1)
		ORDER BY i.id`, pq.Array(ids))
	if err != nil {
		return f, fmt.Errorf("reminder facts: invitees: %w", err)
	}

	type actionRow struct {
		ID            int64          `db:"id"`
		ConferenceID  int64          `db:"conference_id"`
		OwnerID       sql.NullString `db:"owner_slack_id"`
		CaseManagerID string         `db:"case_manager_id"`
		DueOn         time.Time      `db:"due_on"`
	}
	err = eachRow(ctx, tx, func(a *actionRow) error {
		f.Actions = append(f.Actions, caseconf.ActionFacts{ID: a.ID, ConferenceID: a.ConferenceID,
			OwnerID: a.OwnerID.String, CaseManagerID: a.CaseManagerID, DueOn: a.DueOn})
		return nil
	}, `SELECT a.id, a.conference_id, a.owner_slack_id, c.case_manager_id, a.due_on
		FROM actions a JOIN conferences c ON c.id = a.conference_id AND c.status <> 'cancelled'
		JOIN clients cl ON cl.id = c.client_id AND cl.erased_at IS NULL
		WHERE a.status = 'open' AND a.due_on <= $1::date + 14
		ORDER BY a.id`, now)
	if err != nil {
		return f, fmt.Errorf("reminder facts: actions: %w", err)
	}

	var consents []struct {
		ID            int64     `db:"id"`
		ConferenceID  int64     `db:"conference_id"`
		CaseManagerID string    `db:"case_manager_id"`
		ValidUntil    time.Time `db:"valid_until"`
	}
	// Each client's current consent is the one recorded last, whatever
	// became of the conference that recorded it; the reminder names the
	// client's latest conference that was not cancelled.
	err = tx.SelectContext(ctx, &consents, `SELECT co.id, c.id AS conference_id, c.case_manager_id, co.valid_until FROM (
			SELECT DISTINCT ON (client_id) id, client_id, valid_until FROM consents
			ORDER BY client_id, recorded_at DESC, id DESC) co
		JOIN clients cl ON cl.id = co.client_id AND cl.erased_at IS NULL
		JOIN LATERAL (SELECT id, case_manager_id FROM conferences WHERE client_id = co.client_id AND status <> 'cancelled'
			ORDER BY starts_at DESC, id DESC LIMIT 1) c ON true
		WHERE co.valid_until BETWEEN $1::date AND $1::date + 30
		ORDER BY co.id`, now)
	if err != nil {
		return f, fmt.Errorf("reminder facts: consents: %w", err)
	}
	for _, c := range consents {
		f.Consents = append(f.Consents, caseconf.ConsentFacts{ID: c.ID, ConferenceID: c.ConferenceID,
			CaseManagerID: c.CaseManagerID, ValidUntil: c.ValidUntil})
	}
	return f, tx.Commit()
}

// ReviewDate is the review date recorded in conference id's outcome; zero
// when none is.
func (s *DB) ReviewDate(ctx context.Context, id int64) (time.Time, error) {
	var on sql.NullTime
	if err := s.db.GetContext(ctx, &on, `SELECT max(review_on) FROM outcomes WHERE conference_id = $1`, id); err != nil {
		return time.Time{}, fmt.Errorf("review date: %w", err)
	}
	return dateOf(on), nil
}
