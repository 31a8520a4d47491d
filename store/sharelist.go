package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// The share list's Slack users and their agreement: someone on it who was
// not invited sees case details and gets the minutes only once they have
// accepted the information-sharing agreement, naming their agency
// (share_agreements), and while the client's consent covers it.

// sharerRow is one Slack user on a share list with their agreement.
type sharerRow struct {
	ConferenceID int64        `db:"conference_id"`
	UserID       string       `db:"slack_user_id"`
	Agency       string       `db:"agency"`
	AgencyKind   string       `db:"agency_kind"`
	AcceptedAt   sql.NullTime `db:"accepted_at"`
}

// loadSharers fills in the share list (ShareList, Sharers) of each of
// confs, by ID: every Slack user on it, with the agreement they accepted
// for the conference (and the agency they named then) or, before, the
// agency they last told caseconf.
func loadSharers(ctx context.Context, q sqlx.QueryerContext, confs map[int64]*caseconf.Conference) error {
	if len(confs) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(confs))
	for id := range confs {
		ids = append(ids, id)
	}
	var rows []sharerRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT s.conference_id, s.slack_user_id,
			coalesce(sa.agency, ua.agency, '') AS agency, coalesce(sa.agency_kind, ua.agency_kind, '') AS agency_kind, sa.accepted_at
		FROM share_list s
		LEFT JOIN share_agreements sa ON sa.conference_id = s.conference_id AND sa.slack_user_id = s.slack_user_id
		LEFT JOIN user_agencies ua ON ua.slack_user_id = s.slack_user_id
		WHERE s.conference_id = ANY($1) AND s.slack_user_id IS NOT NULL ORDER BY s.conference_id, s.id`, pq.Array(ids)); err != nil {
		return fmt.Errorf("load share list: %w", err)
	}
	for _, r := range rows {
		c := confs[r.ConferenceID]
		if c == nil {
			continue
		}
		sh := caseconf.Sharer{UserID: r.UserID, Agency: r.Agency, AgencyKind: r.AgencyKind}
		if r.AcceptedAt.Valid {
			at := r.AcceptedAt.Time
			sh.AcceptedAt = &at
		}
		c.ShareList = append(c.ShareList, r.UserID)
		c.Sharers = append(c.Sharers, sh)
	}
	return nil
}

// AcceptShareAgreement records that Slack user userID, on the share list
// of conference id and not invited to it, accepted its information-sharing
// and confidentiality agreement (caseconf.CanAcceptShare), with the agency
// they gave when caseconf did not know it (remembered for the user; one
// given when it is known is ignored, as for an invitee). Accepting twice
// keeps the first time. Once the outcome is recorded the minutes are
// decided for them again (caseconf.MinutesWithheld): if they may have them
// now, the minutes as the record stands (amended minutes once it was
// corrected) go to them through the outbox, each part's disclosure logged.
// It returns the conference as they now see it, and whether the minutes
// were sent to them.
func (s *DB) AcceptShareAgreement(ctx context.Context, id int64, userID string, agency *AgencyAnswer, parts MinutesParts) (*caseconf.Conference, bool, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("accept agreement: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	c, err := lockConference(ctx, tx, id)
	if err != nil {
		return nil, false, err
	}
	if err := caseconf.CanAcceptShare(c, userID); err != nil {
		return nil, false, err
	}
	sh := c.SharerFor(userID)
	if sh.Accepted() {
		return c, false, tx.Commit() // a double press: nothing changes
	}
	name, kind := sh.Agency, sh.AgencyKind
	if kind == "" {
		if agency == nil || agency.Kind == "" {
			return nil, false, caseconf.Errorf(caseconf.EINVALID, "Please say which agency you work for.")
		}
		name, kind = agency.Agency, agency.Kind
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_agencies (slack_user_id, agency, agency_kind, updated_at)
			VALUES ($1, $2, $3, $4) ON CONFLICT (slack_user_id) DO UPDATE
			SET agency = EXCLUDED.agency, agency_kind = EXCLUDED.agency_kind, updated_at = EXCLUDED.updated_at`,
			userID, name, kind, now); err != nil {
			return nil, false, fmt.Errorf("accept agreement: remember agency: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO share_agreements (conference_id, slack_user_id, agency, agency_kind, accepted_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, c.ID, userID, name, kind, now); err != nil {
		return nil, false, fmt.Errorf("accept agreement: %w", err)
	}
	if c, err = loadConference(ctx, tx, id); err != nil {
		return nil, false, err
	}
	sent, why, err := shareMinutes(ctx, tx, c, userID, userID, parts, now)
	if err != nil {
		return nil, false, err
	}
	detail := "on the share list, agency kind " + kind
	switch {
	case sent:
		detail += "; minutes sent"
	case why != "":
		detail += "; minutes withheld: " + why
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: userID, Action: "agreement.accept", ConferenceID: c.ID, ClientID: c.ClientID, Detail: detail}); err != nil {
		return nil, false, err
	}
	return c, sent, tx.Commit()
}

// shareMinutes decides again, once c's outcome is recorded, whether
// userID on its share list (not invited) may have the minutes
// (caseconf.MinutesWithheld), and records why not on the share list; if
// they may, the minutes as the record stands go to them (decided by
// decidedBy), each part's disclosure logged; minutes already on their way
// or sent to them are not sent again. If they may not, minutes still
// waiting to go to them are stopped. It reports whether minutes were
// sent, and why they are withheld.
func shareMinutes(ctx context.Context, tx *sqlx.Tx, c *caseconf.Conference, userID, decidedBy string, parts MinutesParts, now time.Time) (sent bool, why string, err error) {
	if c.Status != caseconf.StatusRecorded {
		return false, "", nil
	}
	why = caseconf.MinutesWithheld(c, userID, now)
	if _, err := tx.ExecContext(ctx, `UPDATE share_list SET withheld = $3 WHERE conference_id = $1 AND slack_user_id = $2`,
		c.ID, userID, nullString(why)); err != nil {
		return false, "", fmt.Errorf("share list: %w", err)
	}
	if why != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', errors = array_append(errors, 'the minutes are withheld from the recipient')
			WHERE conference_id = $1 AND recipient_id = $2 AND state = 'pending' AND kind = ANY($3)`,
			c.ID, userID, pq.Array(consentWithheldKinds)); err != nil {
			return false, "", fmt.Errorf("share list: outbox: %w", err)
		}
		return false, why, nil
	}
	o, err := readOutcomeRow(ctx, tx, c.ID)
	if err != nil {
		return false, "", fmt.Errorf("share list: %w", err)
	}
	n, err := countParts(ctx, tx, c.ID, parts)
	if err != nil {
		return false, "", err
	}
	msgs, err := discloseMinutes(ctx, tx, c, userID, o.Version, n, decidedBy, now)
	if err != nil {
		return false, "", err
	}
	if _, err := enqueue(ctx, tx, now, msgs...); err != nil {
		return false, "", err
	}
	return true, "", nil
}

// CorrectShareAgency corrects the agency (name and kind) that Slack user
// userID, on the share list of conference id and not invited, named when
// accepting its agreement: by the case manager (caseconf.
// CanCorrectShareAgency), audited with what it was. What they may see is
// decided on the corrected kind at every read; the minutes are decided
// again at once (shareMinutes): withheld now, those still waiting are
// stopped; covered now, they go. It reports whether anything changed.
func (s *DB) CorrectShareAgency(ctx context.Context, id int64, userID string, v caseconf.Viewer, agency AgencyAnswer, parts MinutesParts) (*caseconf.Conference, bool, error) {
	if n, k := caseconf.CheckAgency(agency.Agency, agency.Kind); n != "" || k != "" {
		return nil, false, caseconf.Errorf(caseconf.EINVALID, "%s", strings.TrimSpace(n+" "+k))
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("correct agency: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	c, err := lockConference(ctx, tx, id)
	if err != nil {
		return nil, false, err
	}
	sh := c.SharerFor(userID)
	if err := caseconf.CanCorrectShareAgency(c, v, sh); err != nil {
		return nil, false, err
	}
	if sh.Agency == agency.Agency && sh.AgencyKind == agency.Kind {
		return c, false, tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE share_agreements SET agency = $3, agency_kind = $4 WHERE conference_id = $1 AND slack_user_id = $2`,
		c.ID, userID, agency.Agency, agency.Kind); err != nil {
		return nil, false, fmt.Errorf("correct agency: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO user_agencies (slack_user_id, agency, agency_kind, updated_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT (slack_user_id) DO UPDATE
		SET agency = EXCLUDED.agency, agency_kind = EXCLUDED.agency_kind, updated_at = EXCLUDED.updated_at`,
		userID, agency.Agency, agency.Kind, now); err != nil {
		return nil, false, fmt.Errorf("correct agency: remember agency: %w", err)
	}
	was := sh.Agency + ", " + caseconf.Label(caseconf.AgencyKinds, sh.AgencyKind)
	if c, err = loadConference(ctx, tx, id); err != nil {
		return nil, false, err
	}
	sent, why, err := shareMinutes(ctx, tx, c, userID, v.UserID, parts, now)
	if err != nil {
		return nil, false, err
	}
	detail := fmt.Sprintf("share list %s: agency %q, %s (was %q)", userID, agency.Agency, caseconf.Label(caseconf.AgencyKinds, agency.Kind), was)
	switch {
	case sent:
		detail += "; minutes sent"
	case why != "":
		detail += "; minutes withheld"
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "share.agency_corrected", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: detail}); err != nil {
		return nil, false, err
	}
	return c, true, tx.Commit()
}

// discloseMinutes is the messages that take the n parts of version
// version of c's minutes (amended minutes after the first) to Slack user
// to, with each part's disclosure logged under c's consent, decided by
// decidedBy at at.
func discloseMinutes(ctx context.Context, tx *sqlx.Tx, c *caseconf.Conference, to string, version, n int, decidedBy string, at time.Time) ([]Outbox, error) {
	var consentID sql.NullInt64
	if err := tx.GetContext(ctx, &consentID, `SELECT consent_id FROM conferences WHERE id = $1`, c.ID); err != nil {
		return nil, fmt.Errorf("disclose minutes: %w", err)
	}
	var msgs []Outbox
	for part := 1; part <= n; part++ {
		if version <= 1 {
			msgs = append(msgs, Outbox{Kind: caseconf.KindMinutes, DedupKey: fmt.Sprintf("%s:%d:%s:%d", caseconf.KindMinutes, c.ID, to, part),
				RecipientID: to, ConferenceID: c.ID, SubjectID: int64(part)})
		} else {
			msgs = append(msgs, Outbox{Kind: caseconf.KindAmendedMinutes, DedupKey: fmt.Sprintf("%s:%d:%s:%d:%d", caseconf.KindAmendedMinutes, c.ID, to, version, part),
				RecipientID: to, ConferenceID: c.ID, SubjectID: caseconf.AmendedPart(version, part)})
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO disclosures (conference_id, recipient_id, version, part, parts, consent_id, basis,
				decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
			c.ID, to, max(version, 1), part, n, consentID, c.Consent.Basis(), decidedBy, at); err != nil {
			return nil, fmt.Errorf("disclose minutes: %w", err)
		}
	}
	return msgs, nil
}

// shareOffer is the message offering Slack user userID, on c's share list
// and not invited, its agreement.
func shareOffer(c *caseconf.Conference, userID string) Outbox {
	return Outbox{Kind: caseconf.KindShareAgreement, DedupKey: fmt.Sprintf("%s:%d:%s", caseconf.KindShareAgreement, c.ID, userID),
		RecipientID: userID, ConferenceID: c.ID, SubjectID: c.ID}
}
