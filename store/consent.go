package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// noConsentMessages are the DPO notices a conference scheduled without
// consent (on a recorded basis for sharing without it) calls for: one per
// DPO. A client who consents and does not attend calls for none.
func noConsentMessages(c *caseconf.Conference, consent caseconf.Consent, dpo []string) []Outbox {
	if consent.Method != caseconf.ConsentNone {
		return nil
	}
	var out []Outbox
	seen := map[string]bool{}
	for _, id := range dpo {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, Outbox{Kind: caseconf.KindNoConsentDPO, DedupKey: fmt.Sprintf("%s:%d:%s", caseconf.KindNoConsentDPO, c.ID, id),
			RecipientID: id, ConferenceID: c.ID, SubjectID: c.ID})
	}
	return out
}

// consentWithheldKinds are the outbox messages that carry case details to
// an invitee and are cancelled when the client's consent stops covering
// their agency (caseconf.CanSeeDetails decided on the changed consent).
// Reminders that only chase (an action's owner, the meeting today) stay:
// they render without details for an agency not covered.
var consentWithheldKinds = kindTexts(caseconf.KindMinutes, caseconf.KindActionAssigned, caseconf.KindActionUpdate, caseconf.KindActionDate, caseconf.KindReportOwed)

// ClientConsent is the current consent (latestConsent) of client
// clientID (one client: caseconf.ResolveClient), if v may change it (their
// case manager, or an administrator). Anyone else, or a client that is
// not there or erased, gets the same ENOTFOUND.
func (s *DB) ClientConsent(ctx context.Context, clientID int64, v caseconf.Viewer) (current caseconf.Consent, err error) {
	var cm string
	err = s.db.GetContext(ctx, &cm, `SELECT case_manager_id FROM clients WHERE id = $1 AND erased_at IS NULL`, clientID)
	if errors.Is(err, sql.ErrNoRows) {
		return current, caseconf.ConsentNotFound()
	}
	if err != nil {
		return current, fmt.Errorf("client consent: %w", err)
	}
	if err := caseconf.CanChangeConsent(cm, v); err != nil {
		return current, err
	}
	return latestConsent(ctx, s.db, clientID)
}

// latestConsent is the client's consent a change narrows or replaces: the
// latest consent recorded, passing over conferences called without it
// since (a change never reaches them; they keep their basis), so that a
// meeting held without consent cannot hide the signed form the client's
// earlier conferences still share under, nor stop its withdrawal. Only a
// client who never consented gets the latest basis without it.
func latestConsent(ctx context.Context, q sqlx.QueryerContext, clientID int64) (caseconf.Consent, error) {
	var row struct {
		Method      string         `db:"method"`
		GivenOn     sql.NullTime   `db:"given_on"`
		ValidUntil  sql.NullTime   `db:"valid_until"`
		Reason      sql.NullString `db:"no_consent_reason"`
		DecidedBy   sql.NullString `db:"decided_by"`
		Explanation sql.NullString `db:"explanation"`
		Kinds       pq.StringArray `db:"agency_kinds"`
	}
	err := sqlx.GetContext(ctx, q, &row, `SELECT method, given_on, valid_until, no_consent_reason, decided_by, explanation, agency_kinds
		FROM consents WHERE client_id = $1 ORDER BY method = 'none', recorded_at DESC, id DESC LIMIT 1`, clientID)
	if errors.Is(err, sql.ErrNoRows) {
		return caseconf.Consent{}, nil
	}
	if err != nil {
		return caseconf.Consent{}, fmt.Errorf("client consent: %w", err)
	}
	return caseconf.Consent{Method: row.Method, GivenOn: row.GivenOn.Time, ValidUntil: row.ValidUntil.Time,
		NoConsentReason: row.Reason.String, DecidedBy: row.DecidedBy.String, Explanation: row.Explanation.String, AgencyKinds: row.Kinds}, nil
}

// ConsentChanged is what a change of consent did.
type ConsentChanged struct {
	Conferences []string // the references it now applies to
	Cancelled   int      // messages to agencies no longer covered, not sent
}

// ChangeConsent records c as the client's consent (a renewal or, with
// withdraw, a withdrawal) by v, who must be the client's case manager or an
// administrator; applies it to the client's conferences that are not
// cancelled and were not called without consent (they keep their
// recorded basis); cancels, in the same transaction, pending messages carrying
// case details to invitees it no longer covers (consentWithheldKinds); and
// audits it against the client and each conference.
func (s *DB) ChangeConsent(ctx context.Context, clientID int64, v caseconf.Viewer, c caseconf.Consent, withdraw bool) (ConsentChanged, error) {
	var out ConsentChanged
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return out, fmt.Errorf("change consent: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	var cm string
	err = tx.GetContext(ctx, &cm, `SELECT case_manager_id FROM clients WHERE id = $1 AND erased_at IS NULL FOR UPDATE`, clientID)
	if errors.Is(err, sql.ErrNoRows) {
		return out, caseconf.ConsentNotFound()
	}
	if err != nil {
		return out, fmt.Errorf("change consent: %w", err)
	}
	if err := caseconf.CanChangeConsent(cm, v); err != nil {
		return out, err
	}
	var consentID int64
	if err := tx.GetContext(ctx, &consentID, `INSERT INTO consents
		(client_id, method, given_on, valid_until, no_consent_reason, explanation, agency_kinds, recorded_by, recorded_at)
		VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8) RETURNING id`,
		clientID, c.Method, nullDate(c.GivenOn), nullDate(c.ValidUntil), nullString(c.Explanation),
		pq.StringArray(c.AgencyKinds), v.UserID, now); err != nil {
		return out, fmt.Errorf("change consent: %w", err)
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, `UPDATE conferences c SET consent_id = $2, updated_at = $3
		WHERE c.client_id = $1 AND c.status <> 'cancelled'
		AND NOT EXISTS (SELECT 1 FROM consents k WHERE k.id = c.consent_id AND k.method = 'none')
		RETURNING c.id`, clientID, consentID, now); err != nil {
		return out, fmt.Errorf("change consent: conferences: %w", err)
	}
	action, detail := "consent.renew", fmt.Sprintf("consent %d", consentID)
	if withdraw {
		action = "consent.withdraw"
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: action, ClientID: clientID, Detail: detail}); err != nil {
		return out, err
	}
	for _, id := range ids {
		conf, err := loadConference(ctx, tx, id)
		if err != nil {
			return out, err
		}
		out.Conferences = append(out.Conferences, conf.Ref)
		var pending []struct {
			ID        int64  `db:"id"`
			Recipient string `db:"recipient_id"`
		}
		if err := tx.SelectContext(ctx, &pending, `SELECT id, recipient_id FROM outbox
			WHERE conference_id = $1 AND state = 'pending' AND kind = ANY($2) FOR UPDATE`, id, pq.Array(consentWithheldKinds)); err != nil {
			return out, fmt.Errorf("change consent: outbox: %w", err)
		}
		var drop []int64
		for _, p := range pending {
			if !caseconf.CanSeeDetails(conf, caseconf.Viewer{UserID: p.Recipient}) {
				drop = append(drop, p.ID)
			}
		}
		if len(drop) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', errors = array_append(errors, 'consent no longer covers the recipient''s agency')
				WHERE id = ANY($1)`, pq.Array(drop)); err != nil {
				return out, fmt.Errorf("change consent: outbox: %w", err)
			}
			out.Cancelled += len(drop)
		}
		if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: action, ConferenceID: id, ClientID: clientID,
			Detail: fmt.Sprintf("%s; %d messages stopped", detail, len(drop))}); err != nil {
			return out, err
		}
	}
	if err := tx.Commit(); err != nil {
		return out, fmt.Errorf("change consent: %w", err)
	}
	return out, nil
}
