package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
)

// gapsScope limits the gaps report to what $1 may ask about: everything
// for an administrator ($2), otherwise the conferences of the clients they
// manage (the conference's case manager, or the client's).
const gapsScope = `c.status <> 'cancelled' AND ($2 OR c.case_manager_id = $1
	OR c.client_id IN (SELECT id FROM clients WHERE case_manager_id = $1))`

// IsCaseManager reports whether the user manages any client, or is the
// case manager of any conference.
func (s *DB) IsCaseManager(ctx context.Context, userID string) (bool, error) {
	return isCaseManager(ctx, s.db, userID)
}

func isCaseManager(ctx context.Context, q sqlx.QueryerContext, userID string) (bool, error) {
	if userID == "" {
		return false, nil
	}
	var ok bool
	err := sqlx.GetContext(ctx, q, &ok, `SELECT EXISTS (SELECT 1 FROM clients WHERE case_manager_id = $1 AND erased_at IS NULL)
		OR EXISTS (SELECT 1 FROM conferences WHERE case_manager_id = $1)`, userID)
	if err != nil {
		return false, fmt.Errorf("case manager check: %w", err)
	}
	return ok, nil
}

// GapFacts reads the invitations of conferences that started between
// startFrom (inclusive) and startTo (exclusive), and the open actions due
// from dueFrom to dueTo (dates, inclusive), that v may report on (see
// caseconf.AggregateGaps), if caseconf.CanRunGaps allows them. The read
// is audited ("gaps.read"), without naming any client.
func (s *DB) GapFacts(ctx context.Context, v caseconf.Viewer, startFrom, startTo, dueFrom, dueTo time.Time) ([]caseconf.GapInvitation, []caseconf.GapAction, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("gaps: %w", err)
	}
	defer tx.Rollback()
	cm := false
	if !v.Admin {
		if cm, err = isCaseManager(ctx, tx, v.UserID); err != nil {
			return nil, nil, err
		}
	}
	if err := caseconf.CanRunGaps(v, cm); err != nil {
		return nil, nil, err
	}
	var invs []struct {
		Agency      string `db:"agency"`
		Answered    bool   `db:"answered"`
		Apologies   bool   `db:"apologies"`
		NotInvolved bool   `db:"not_involved"`
		Reported    bool   `db:"reported"`
	}
	if err := tx.SelectContext(ctx, &invs, `SELECT
			COALESCE(NULLIF(btrim(i.agency), ''), ua.agency, '') AS agency,
			COALESCE(r.answer <> 'no_reply', false) AS answered,
			COALESCE(r.answer = 'apologies', false) AS apologies,
			COALESCE(r.answer = 'not_involved', false) AS not_involved,
			EXISTS (SELECT 1 FROM reports rp WHERE rp.invitee_id = i.id) AS reported
		FROM invitees i
		JOIN conferences c ON c.id = i.conference_id
		LEFT JOIN user_agencies ua ON ua.slack_user_id = i.slack_user_id
		LEFT JOIN LATERAL (SELECT answer FROM responses WHERE invitee_id = i.id
			ORDER BY responded_at DESC, id DESC LIMIT 1) r ON true
		WHERE i.removed_at IS NULL AND `+gapsScope+` AND c.starts_at >= $3 AND c.starts_at < $4`,
		v.UserID, v.Admin, startFrom, startTo); err != nil {
		return nil, nil, fmt.Errorf("gaps: invitations: %w", err)
	}
	var acts []struct {
		Agency string    `db:"agency"`
		DueOn  time.Time `db:"due_on"`
	}
	if err := tx.SelectContext(ctx, &acts, `SELECT
			COALESCE(NULLIF(btrim(a.owner_agency), ''), NULLIF(btrim(i.agency), ''), ua.agency, '') AS agency,
			a.due_on
		FROM actions a
		JOIN conferences c ON c.id = a.conference_id
		LEFT JOIN user_agencies ua ON ua.slack_user_id = a.owner_slack_id
		LEFT JOIN invitees i ON i.conference_id = a.conference_id AND i.slack_user_id = a.owner_slack_id AND i.removed_at IS NULL
		WHERE `+gapsScope+` AND a.status = 'open' AND a.due_on >= $3::date AND a.due_on <= $4::date`,
		v.UserID, v.Admin, dueFrom.Format("2006-01-02"), dueTo.Format("2006-01-02")); err != nil {
		return nil, nil, fmt.Errorf("gaps: actions: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: v.UserID, Action: "gaps.read",
		Detail: fmt.Sprintf("period %s to %s", dueFrom.Format("2006-01-02"), dueTo.Format("2006-01-02"))}); err != nil {
		return nil, nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, fmt.Errorf("gaps: %w", err)
	}
	outI := make([]caseconf.GapInvitation, len(invs))
	for i, r := range invs {
		outI[i] = caseconf.GapInvitation{Agency: r.Agency, Answered: r.Answered, Apologies: r.Apologies, NotInvolved: r.NotInvolved, Reported: r.Reported}
	}
	outA := make([]caseconf.GapAction, len(acts))
	for i, r := range acts {
		outA[i] = caseconf.GapAction{Agency: r.Agency, DueOn: r.DueOn}
	}
	return outI, outA, nil
}
