package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// handoverDetail reads the audit detail of a handover ("case manager U1
// to U2; 3 conferences").
var handoverDetail = regexp.MustCompile(`^case manager (\S+) to (\S+);`)

// ClientChronology reads, in one transaction, the chronology of client
// clientID (one client: caseconf.ResolveClient) as v is shown it
// (caseconf.WholeChronology, caseconf.InChronology): its conferences in
// date order, each with its recorded outcome and action plan where v may
// see them, and, for its case manager and administrators, consent given,
// renewed and withdrawn and the handovers. A client v is shown nothing of
// reads, like one that is not there, as caseconf.NotFound. The read is
// audited once ("client.chronology"), by client.
func (s *DB) ClientChronology(ctx context.Context, clientID int64, v caseconf.Viewer) (*caseconf.Chronology, error) {
	if v.UserID == "" {
		return nil, caseconf.NotFound()
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("client chronology: %w", err)
	}
	defer tx.Rollback()
	var cl struct {
		Reference     string `db:"reference"`
		CaseManagerID string `db:"case_manager_id"`
	}
	err = tx.GetContext(ctx, &cl, `SELECT reference, case_manager_id FROM clients WHERE id = $1 AND erased_at IS NULL`, clientID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, caseconf.NotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("client chronology: %w", err)
	}
	out := &caseconf.Chronology{ClientRef: cl.Reference}
	whole := caseconf.WholeChronology(cl.CaseManagerID, v)
	if err := readChronologyConferences(ctx, tx, out, clientID, cl.CaseManagerID, v, whole); err != nil {
		return nil, err
	}
	if whole {
		out.Whole = true
		if err := readChronologyConsents(ctx, tx, out, clientID); err != nil {
			return nil, err
		}
		if err := readChronologyHandovers(ctx, tx, out, clientID); err != nil {
			return nil, err
		}
	} else if len(out.Conferences) == 0 {
		return nil, caseconf.NotFound()
	}
	if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: v.UserID, Action: "client.chronology", ClientID: clientID,
		Detail: fmt.Sprintf("%d conferences", len(out.Conferences))}); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("client chronology: commit: %w", err)
	}
	return out, nil
}

func readChronologyConferences(ctx context.Context, tx *sqlx.Tx, out *caseconf.Chronology, clientID int64, caseManagerID string, v caseconf.Viewer, whole bool) error {
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `SELECT id FROM conferences WHERE client_id = $1 ORDER BY starts_at, id`, clientID); err != nil {
		return fmt.Errorf("client chronology: conferences: %w", err)
	}
	for _, id := range ids {
		c, err := loadConference(ctx, tx, id)
		if err != nil {
			return err
		}
		if !caseconf.InChronology(c, caseManagerID, v) {
			continue
		}
		item := caseconf.ChronologyConference{Conference: c}
		if c.Status == caseconf.StatusRecorded && (whole || caseconf.CanSeePlan(c, v)) {
			o, err := readOutcome(ctx, tx, c.ID)
			if err != nil && caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
				return err
			}
			item.Outcome = o
		}
		out.Conferences = append(out.Conferences, item)
	}
	return nil
}

func readChronologyConsents(ctx context.Context, tx *sqlx.Tx, out *caseconf.Chronology, clientID int64) error {
	var rows []struct {
		Method     string         `db:"method"`
		GivenOn    sql.NullTime   `db:"given_on"`
		ValidUntil sql.NullTime   `db:"valid_until"`
		Reason     sql.NullString `db:"no_consent_reason"`
		DecidedBy  sql.NullString `db:"decided_by"`
		Kinds      pq.StringArray `db:"agency_kinds"`
		By         string         `db:"recorded_by"`
		At         time.Time      `db:"recorded_at"`
		Change     sql.NullString `db:"change"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT k.method, k.given_on, k.valid_until, k.no_consent_reason, k.decided_by, k.agency_kinds,
			k.recorded_by, k.recorded_at,
			(SELECT a.action FROM audit_log a WHERE a.client_id = k.client_id AND a.action IN ('consent.renew', 'consent.withdraw')
				AND a.detail = 'consent ' || k.id ORDER BY a.id LIMIT 1) AS change
		FROM consents k WHERE k.client_id = $1 ORDER BY k.recorded_at, k.id`, clientID); err != nil {
		return fmt.Errorf("client chronology: consents: %w", err)
	}
	for i, r := range rows {
		change := caseconf.ConsentGiven
		switch {
		case r.Change.String == "consent.withdraw":
			change = caseconf.ConsentWithdrawn
		case r.Change.String == "consent.renew" || i > 0:
			change = caseconf.ConsentRenewed
		}
		out.Consents = append(out.Consents, caseconf.ConsentEvent{At: r.At, By: r.By, Change: change,
			Consent: caseconf.Consent{Method: r.Method, GivenOn: dateOf(r.GivenOn), ValidUntil: dateOf(r.ValidUntil),
				NoConsentReason: r.Reason.String, DecidedBy: r.DecidedBy.String, AgencyKinds: r.Kinds}})
	}
	return nil
}

func readChronologyHandovers(ctx context.Context, tx *sqlx.Tx, out *caseconf.Chronology, clientID int64) error {
	var rows []struct {
		At     time.Time      `db:"at"`
		Detail string         `db:"detail"`
		Ref    sql.NullString `db:"ref"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT a.at, a.detail, c.ref FROM audit_log a LEFT JOIN conferences c ON c.id = a.conference_id
		WHERE a.client_id = $1 AND a.action = 'client.handover' ORDER BY a.at, a.id`, clientID); err != nil {
		return fmt.Errorf("client chronology: handovers: %w", err)
	}
	for _, r := range rows {
		h := caseconf.HandoverEvent{At: r.At, ConferenceRef: r.Ref.String}
		if m := handoverDetail.FindStringSubmatch(r.Detail); m != nil {
			h.From, h.To = m[1], m[2]
		}
		out.Handovers = append(out.Handovers, h)
	}
	return nil
}
