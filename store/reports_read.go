package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
)

// Reading the agency reports: for the people caseconf.CanReadReports
// allows, in the transaction that reads (and audits) the conference.

// ConferenceReportsByRef reads the conference with reference ref as
// ConferenceByRef does (to someone who may not see it, it does not exist;
// the read is audited as action) and, if caseconf.CanReadReports allows
// v, its agency reports: each invitee's latest, oldest first. Reading
// them is audited too ("report.read", naming whose, never what they
// say). For anyone else reports is nil, and the conference is still
// returned: the caller may say how many came, or why they may not read
// them.
func (s *DB) ConferenceReportsByRef(ctx context.Context, ref string, v caseconf.Viewer, action string) (*caseconf.Conference, []caseconf.Report, error) {
	sh, err := s.conferenceReports(ctx, v, action, `c.ref = upper($3)`, strings.TrimSpace(ref), false)
	return sh.Conference, sh.Reports, err
}

// ConferenceReportsByID is ConferenceReportsByRef for the internal ID
// that buttons carry.
func (s *DB) ConferenceReportsByID(ctx context.Context, id int64, v caseconf.Viewer, action string) (*caseconf.Conference, []caseconf.Report, error) {
	sh, err := s.conferenceReports(ctx, v, action, `c.id = $3`, id, false)
	return sh.Conference, sh.Reports, err
}

// Shown is what show says of a conference: the conference, the agency
// reports v may read, and its recorded outcome with the action plan
// (nil unless caseconf.CanSeePlan allows v).
type Shown struct {
	Conference *caseconf.Conference
	Reports    []caseconf.Report
	Outcome    *caseconf.Outcome
}

// ShowByRef reads conference ref for show, as ConferenceReportsByRef
// reads it ("conference.show"), and, in the same transaction, its
// recorded outcome and action plan, if caseconf.CanSeePlan allows v.
func (s *DB) ShowByRef(ctx context.Context, ref string, v caseconf.Viewer) (Shown, error) {
	return s.conferenceReports(ctx, v, "conference.show", `c.ref = upper($3)`, strings.TrimSpace(ref), true)
}

// ShowByID is ShowByRef for the internal ID that buttons carry.
func (s *DB) ShowByID(ctx context.Context, id int64, v caseconf.Viewer) (Shown, error) {
	return s.conferenceReports(ctx, v, "conference.show", `c.id = $3`, id, true)
}

func (s *DB) conferenceReports(ctx context.Context, v caseconf.Viewer, action, where string, arg any, plan bool) (Shown, error) {
	var sh Shown
	c, err := s.readConferenceThen(ctx, v, action, where, arg, func(tx *sqlx.Tx, c *caseconf.Conference) error {
		if plan && caseconf.CanSeePlan(c, v) {
			o, err := readOutcome(ctx, tx, c.ID)
			if err != nil && caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
				return err
			}
			sh.Outcome = o
		}
		if caseconf.CanReadReports(c, v, s.Now()) != nil {
			return nil
		}
		reports, err := loadReports(ctx, tx, c)
		sh.Reports = reports
		if err != nil || len(reports) == 0 {
			return err
		}
		whose := make([]string, len(reports))
		for i, r := range reports {
			whose[i] = strconv.FormatInt(r.InviteeID, 10)
		}
		return audit(ctx, tx, auditRow{At: s.Now(), Actor: v.UserID, Action: "report.read", ConferenceID: c.ID, ClientID: c.ClientID,
			Detail: "reports of invitees " + strings.Join(whose, ",")})
	})
	if err != nil {
		return Shown{}, err
	}
	sh.Conference = c
	return sh, nil
}

// loadReports reads the latest report of each invitee of c, oldest first.
// Only reports by an invitee of c whose agency its consent covers are
// returned (no other can be written; this is the stricter check again).
func loadReports(ctx context.Context, q sqlx.QueryerContext, c *caseconf.Conference) ([]caseconf.Report, error) {
	var rows []reportRow
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT conference_id, invitee_id, author_id, author_agency, author_role,
			involvement, recent_contact, concerns, worked, not_worked, recommendations, revision, submitted_at, updated_at,
			entered_by, received_how, received_on
		FROM reports WHERE conference_id = $1 ORDER BY submitted_at, invitee_id`, c.ID)
	if err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	out := make([]caseconf.Report, 0, len(rows))
	for i := range rows {
		if inv := c.Invitee(rows[i].InviteeID); inv != nil && c.Covered(inv) {
			out = append(out, *rows[i].report())
		}
	}
	return out, nil
}
