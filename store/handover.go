package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
)

// handoverOffer is the message the outcome o of conference c calls for,
// if any (caseconf.HandoverDue). It is written with the outcome.
func handoverOffer(c *caseconf.Conference, o caseconf.Outcome) []Outbox {
	if !caseconf.HandoverDue(c, &o) {
		return nil
	}
	return []Outbox{{Kind: caseconf.KindHandoverOffer, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindHandoverOffer, c.ID),
		RecipientID: c.CaseManagerID, ConferenceID: c.ID, SubjectID: c.ID}}
}

// HandoverForm reads conference id and its recorded outcome for v, to
// fill in the handover form, if caseconf.CanCallHandover allows it, and
// audits the read. To anyone but its case manager it does not exist.
func (s *DB) HandoverForm(ctx context.Context, id int64, v caseconf.Viewer) (*caseconf.Conference, *caseconf.Outcome, error) {
	c, err := s.ConferenceByID(ctx, id, v, "conference.handover_form")
	if err != nil {
		return nil, nil, err
	}
	if err := caseconf.CanReadHandover(c, v); err != nil {
		return nil, nil, err // the outcome is not read for them
	}
	o, err := s.OutcomeSnapshot(ctx, id)
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		o, err = nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if err := caseconf.CanCallHandover(c, o, v); err != nil {
		return nil, nil, err
	}
	return c, o, nil
}

// mayFollow decides, on the locked row of the conference n follows,
// whether its caller may call the review or handover n is.
// It returns the client the new conference is about: the followed
// conference's, whose reference the form must keep (a review or handover
// is about the same client, and their record stays one).
func mayFollow(ctx context.Context, tx *sqlx.Tx, n NewConference) (clientID int64, err error) {
	if n.Follows == 0 {
		return 0, nil
	}
	c, err := lockConference(ctx, tx, n.Follows)
	if err != nil {
		return 0, err
	}
	v := caseconf.Viewer{UserID: n.CaseManagerID}
	if !n.Handover {
		err = caseconf.CanScheduleReview(c, v)
	} else {
		var o *caseconf.Outcome
		if o, err = outcomeChange(ctx, tx, c.ID); err == nil {
			err = caseconf.CanCallHandover(c, o, v)
		}
	}
	if err != nil {
		return 0, err
	}
	if !strings.EqualFold(strings.TrimSpace(n.ClientRef), c.ClientRef) {
		return 0, caseconf.Errorf(caseconf.EINVALID, "This form follows %s, about client %s: keep that reference (call a new conference for another client).", c.Ref, c.ClientRef)
	}
	return c.ClientID, nil
}

// outcomeChange reads whether conference id's outcome changed the lead
// agency or case manager (nil: no outcome).
func outcomeChange(ctx context.Context, tx *sqlx.Tx, id int64) (*caseconf.Outcome, error) {
	var row struct {
		LeadChanged   bool           `db:"lead_changed"`
		NewCM         sql.NullString `db:"new_case_manager_id"`
		NewLeadAgency string         `db:"new_lead_agency"`
	}
	err := tx.GetContext(ctx, &row, `SELECT lead_changed, new_case_manager_id, new_lead_agency FROM outcomes WHERE conference_id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("outcome: %w", err)
	}
	return &caseconf.Outcome{LeadChanged: row.LeadChanged, NewCaseManagerID: row.NewCM.String, NewLeadAgency: row.NewLeadAgency}, nil
}

// handOver, when conference c is a handover meeting whose outcome is
// being recorded, gives the client to the new case manager named by the
// outcome it follows: every conference of the client the old case
// manager held (the plan, its actions, the reviews) is theirs from now
// on, and the reminders still waiting for the old one are dropped (the
// next sweep writes them for the new one). Audited.
func handOver(ctx context.Context, tx *sqlx.Tx, c *caseconf.Conference, actor string, at time.Time) error {
	var row struct {
		Handover bool          `db:"handover"`
		Follows  sql.NullInt64 `db:"review_of_id"`
	}
	if err := tx.GetContext(ctx, &row, `SELECT handover, review_of_id FROM conferences WHERE id = $1`, c.ID); err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	if !row.Handover || !row.Follows.Valid {
		return nil
	}
	var from struct {
		ClientID      int64          `db:"client_id"`
		CaseManagerID string         `db:"case_manager_id"`
		LeadChanged   bool           `db:"lead_changed"`
		NewCM         sql.NullString `db:"new_case_manager_id"`
		NewLeadAgency string         `db:"new_lead_agency"`
	}
	// The client handed over is the followed conference's (the same as
	// this one's: mayFollow saw to that).
	err := tx.GetContext(ctx, &from, `SELECT c.client_id, c.case_manager_id, o.lead_changed, o.new_case_manager_id, o.new_lead_agency
		FROM conferences c JOIN outcomes o ON o.conference_id = c.id WHERE c.id = $1`, row.Follows.Int64)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	to := caseconf.HandoverTo(&caseconf.Conference{CaseManagerID: from.CaseManagerID},
		&caseconf.Outcome{LeadChanged: from.LeadChanged, NewCaseManagerID: from.NewCM.String, NewLeadAgency: from.NewLeadAgency})
	if to == "" {
		return nil // a new lead agency only: nobody on Slack to hand to
	}
	res, err := tx.ExecContext(ctx, `UPDATE conferences SET case_manager_id = $3, updated_at = $4
		WHERE client_id = $1 AND case_manager_id = $2 AND status <> 'cancelled'`, from.ClientID, from.CaseManagerID, to, at)
	if err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	moved, _ := res.RowsAffected()
	if _, err := tx.ExecContext(ctx, `UPDATE clients SET case_manager_id = $2 WHERE id = $1`, from.ClientID, to); err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	if err := passOnProposals(ctx, tx, from.ClientID, to, at); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', errors = array_append(errors, 'the client was handed over')
		WHERE state = 'pending' AND recipient_id = $2 AND dedup_key LIKE 'reminder:%'
			AND conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`, from.ClientID, from.CaseManagerID); err != nil {
		return fmt.Errorf("handover: %w", err)
	}
	return audit(ctx, tx, auditRow{At: at, Actor: actor, Action: "client.handover", ConferenceID: c.ID, ClientID: from.ClientID,
		Detail: fmt.Sprintf("case manager %s to %s; %d conferences", from.CaseManagerID, to, moved)})
}

// passOnProposals asks the new case manager, once the client is theirs,
// to decide each new date still waiting for the old one: the same notice,
// with Accept and Keep the old date, sent to them.
func passOnProposals(ctx context.Context, tx *sqlx.Tx, clientID int64, to string, at time.Time) error {
	var waiting []struct {
		ID           int64 `db:"id"`
		ConferenceID int64 `db:"conference_id"`
	}
	if err := tx.SelectContext(ctx, &waiting, `SELECT u.id, u.conference_id FROM action_updates u
		JOIN conferences c ON c.id = u.conference_id
		WHERE c.client_id = $1 AND u.state = 'proposed' ORDER BY u.id`, clientID); err != nil {
		return fmt.Errorf("handover: proposals: %w", err)
	}
	var msgs []Outbox
	for _, w := range waiting {
		msgs = append(msgs, Outbox{Kind: caseconf.KindActionUpdate, DedupKey: fmt.Sprintf("%s:%d:%s", caseconf.KindActionUpdate, w.ID, to),
			RecipientID: to, ConferenceID: w.ConferenceID, SubjectID: w.ID})
	}
	_, err := enqueue(ctx, tx, at, msgs...)
	return err
}
