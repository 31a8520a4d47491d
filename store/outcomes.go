package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
)

// Recording a conference's outcome: drafts, the record itself with its
// action plan and share list, and the messages it calls for. What the
// recorder wrote is sensitive: it never goes into an error, a log line or
// the audit log's detail.

// OutcomeForm is what the outcome form opens with: the conference and the
// draft saved before, if any.
type OutcomeForm struct {
	Conference *caseconf.Conference
	Draft      *caseconf.OutcomeForm // nil when there is none
	DraftBy    string
	DraftAt    time.Time
	// Carried is the open actions of the plan under review, in the order
	// of that plan, for a review conference's form to start with.
	Carried []*caseconf.Action
	// Recorded is the outcome as recorded, for a form correcting it
	// (caseconf.CanAmendOutcome); nil while it is not recorded. Share is
	// its whole share list, those the minutes are withheld from too.
	Recorded *caseconf.Outcome
	Share    []ShareEntry
}

// OpenOutcome reads what the outcome form of the conference with
// reference ref (or, with ref "", ID id) shows v, if
// caseconf.CanOpenOutcome allows it at now (to record the outcome, or to
// correct it once recorded), and audits the read. To anyone but its
// chair, minute taker and case manager it does not exist.
func (s *DB) OpenOutcome(ctx context.Context, ref string, id int64, v caseconf.Viewer, now time.Time) (OutcomeForm, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return OutcomeForm{}, fmt.Errorf("open outcome: %w", err)
	}
	defer tx.Rollback()
	if ref != "" {
		err = tx.GetContext(ctx, &id, `SELECT id FROM conferences WHERE ref = upper($1)`, strings.TrimSpace(ref))
		if errors.Is(err, sql.ErrNoRows) {
			return OutcomeForm{}, caseconf.NotFound()
		}
		if err != nil {
			return OutcomeForm{}, fmt.Errorf("open outcome: %w", err)
		}
	}
	c, err := loadConference(ctx, tx, id)
	if err == nil {
		err = caseconf.CanOpenOutcome(c, v, now)
	}
	if err != nil {
		return OutcomeForm{}, err
	}
	out := OutcomeForm{Conference: c}
	if c.Status == caseconf.StatusRecorded {
		if out.Recorded, err = readOutcome(ctx, tx, id); err != nil {
			return OutcomeForm{}, err
		}
		if out.Share, err = readShareList(ctx, tx, id); err != nil {
			return OutcomeForm{}, err
		}
		if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: v.UserID, Action: "outcome.open", ConferenceID: c.ID, ClientID: c.ClientID,
			Detail: fmt.Sprintf("to correct version %d", out.Recorded.Version)}); err != nil {
			return OutcomeForm{}, err
		}
		return out, tx.Commit()
	}
	if out.Carried, err = openActionsUnderReview(ctx, tx, id); err != nil {
		return OutcomeForm{}, err
	}
	var d struct {
		Form    []byte    `db:"form"`
		SavedBy string    `db:"saved_by"`
		SavedAt time.Time `db:"saved_at"`
	}
	err = tx.GetContext(ctx, &d, `SELECT form, saved_by, saved_at FROM outcome_drafts WHERE conference_id = $1`, id)
	switch {
	case err == nil:
		var f caseconf.OutcomeForm
		if err := json.Unmarshal(d.Form, &f); err != nil {
			return OutcomeForm{}, fmt.Errorf("open outcome: draft: %w", err)
		}
		out.Draft, out.DraftBy, out.DraftAt = &f, d.SavedBy, d.SavedAt
	case !errors.Is(err, sql.ErrNoRows):
		return OutcomeForm{}, fmt.Errorf("open outcome: draft: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: v.UserID, Action: "outcome.open", ConferenceID: c.ID, ClientID: c.ClientID}); err != nil {
		return OutcomeForm{}, err
	}
	return out, tx.Commit()
}

// OutcomeConference reads conference id for v while they work in its
// outcome form (adding or removing a row, checking what they submit), if
// caseconf.CanOpenOutcome allows it at now. It is not audited: the form
// was, when it opened, and so is what is saved.
func (s *DB) OutcomeConference(ctx context.Context, id int64, v caseconf.Viewer, now time.Time) (*caseconf.Conference, error) {
	c, err := loadConference(ctx, s.db, id)
	if err == nil {
		err = caseconf.CanOpenOutcome(c, v, now)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// SaveOutcomeDraft keeps the outcome form f of conference id as its draft
// (replacing any before), if caseconf.CanRecordOutcome allows v at now on
// the locked conference, and audits it.
func (s *DB) SaveOutcomeDraft(ctx context.Context, id int64, v caseconf.Viewer, now time.Time, f caseconf.OutcomeForm, sourceKey string) (*caseconf.Conference, error) {
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("save outcome draft: %w", err)
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("save outcome draft: %w", err)
	}
	defer tx.Rollback()
	c, err := lockConference(ctx, tx, id)
	if err == nil {
		err = caseconf.CanRecordOutcome(c, v, now)
	}
	if err != nil {
		return nil, err
	}
	at := s.Now()
	// As text: with binary parameters, bytes would be taken for jsonb's
	// binary form.
	if _, err := tx.ExecContext(ctx, `INSERT INTO outcome_drafts (conference_id, form, saved_by, saved_at, source_key)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conference_id) DO UPDATE
		SET form = EXCLUDED.form, saved_by = EXCLUDED.saved_by, saved_at = EXCLUDED.saved_at, source_key = EXCLUDED.source_key`,
		id, string(raw), v.UserID, at, nullString(sourceKey)); err != nil {
		return nil, fmt.Errorf("save outcome draft: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: at, Actor: v.UserID, Action: "outcome.draft", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("%d action rows", len(f.Actions))}); err != nil {
		return nil, err
	}
	return c, tx.Commit()
}

// MinutesParts is how many messages the minutes of conference c take,
// with its outcome o as stored: one outbox message and one disclosure for
// each part, to each recipient. How the minutes fit into messages is the
// bot's business (Slack's limits); RecordOutcome asks it inside its
// transaction, of the conference and outcome read back as the sender will
// read them (the share list without those the minutes are withheld from,
// attendees with their invitations' titles), so the parts written are the
// parts the sender renders. nil: one.
type MinutesParts func(c *caseconf.Conference, o *caseconf.Outcome) int

// Recorded is what RecordOutcome did.
type Recorded struct {
	Conference *caseconf.Conference // as it is now
	New        bool                 // false when the same submission recorded it before
	Recipients int                  // Slack users the minutes go to
	Withheld   int                  // Slack users on the share list they do not go to
}

// RecordOutcome records the outcome o of conference id for v, if
// caseconf.CanRecordOutcome allows it at now on the locked conference. In
// one transaction: the outcome, its attendees and apologies, the action
// plan, the share list (each Slack user on it kept with why the minutes
// may not go to them, if they may not: caseconf.MinutesWithheld), the
// conference marked recorded, the audit row, the chair's waiting
// reminders cancelled, the draft dropped, and the messages: each part of
// the minutes to each Slack user they may go to (each disclosure logged
// with the consent it rests on), each action to its owner on Slack, and
// one notice to the case manager (caseconf.KindMinutesWithheld).
// sourceKey identifies the form submission: the same one again records
// nothing (New false); any other once the outcome is recorded is refused.
// meeting is the start of the meeting o was checked against
// (caseconf.OutcomeForm.Validate): if the meeting has moved since, o is
// refused. parts says how many messages the minutes take.
func (s *DB) RecordOutcome(ctx context.Context, id int64, v caseconf.Viewer, now, meeting time.Time, o caseconf.Outcome, sourceKey string, parts MinutesParts) (Recorded, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return Recorded{}, fmt.Errorf("record outcome: %w", err)
	}
	defer tx.Rollback()
	c, err := lockConference(ctx, tx, id)
	if err != nil {
		return Recorded{}, err
	}
	rule := caseconf.CanRecordOutcome(c, v, now)
	if caseconf.ErrorCode(rule) == caseconf.ENOTFOUND {
		return Recorded{}, rule
	}
	if sourceKey != "" {
		var prev struct {
			ConferenceID int64  `db:"conference_id"`
			RecordedBy   string `db:"recorded_by"`
		}
		err := tx.GetContext(ctx, &prev, `SELECT conference_id, recorded_by FROM outcomes WHERE source_key = $1`, sourceKey)
		switch {
		case err == nil && prev.ConferenceID == id && prev.RecordedBy == v.UserID:
			return Recorded{Conference: c}, tx.Commit()
		case err == nil:
			return Recorded{}, caseconf.Errorf(caseconf.ECONFLICT, "This form has already been used.")
		case !errors.Is(err, sql.ErrNoRows):
			return Recorded{}, fmt.Errorf("record outcome: %w", err)
		}
	}
	if rule != nil {
		return Recorded{}, rule
	}
	if !meeting.Equal(c.StartsAt) {
		return Recorded{}, caseconf.Errorf(caseconf.ECONFLICT, "The meeting's time has changed since this form was opened. Please open it again (`/caseconf record %s`).", c.Ref)
	}
	at := s.Now()
	var consentID sql.NullInt64
	if err := tx.GetContext(ctx, &consentID, `SELECT consent_id FROM conferences WHERE id = $1`, id); err != nil {
		return Recorded{}, fmt.Errorf("record outcome: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO outcomes (conference_id, recorded_by, lead_changed, new_case_manager_id,
			new_lead_agency, summary, worked, not_worked, client_views, review_on, recorded_at, updated_at, source_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12)`,
		id, v.UserID, o.LeadChanged, nullString(o.NewCaseManagerID), o.NewLeadAgency, o.Summary, o.Worked, o.NotWorked,
		o.ClientViews, nullDate(o.ReviewOn), at, nullString(sourceKey)); err != nil {
		return Recorded{}, fmt.Errorf("record outcome: %w", err)
	}
	if err := insertPeople(ctx, tx, c, o); err != nil {
		return Recorded{}, err
	}
	if err := settleAtReview(ctx, tx, c, v, o.Settled, at); err != nil {
		return Recorded{}, err
	}
	var msgs []Outbox
	for _, a := range o.Actions {
		if a.OwnerID != "" && !caseconf.CanOwnAction(c, a.OwnerID) {
			return Recorded{}, caseconf.Errorf(caseconf.ECONFLICT, "An action's owner on Slack is not invited to %s: invite them, or name them as someone not on Slack.", c.Ref)
		}
	}
	for _, a := range o.Actions {
		var aid int64
		if err := tx.GetContext(ctx, &aid, `INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, owner_name,
				owner_agency, owner_client, due_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			id, a.Area, a.What, nullString(a.OwnerID), a.OwnerName, a.OwnerAgency, a.OwnerClient, nullDate(a.DueOn), at); err != nil {
			return Recorded{}, fmt.Errorf("record outcome: action: %w", err)
		}
		if a.OwnerID != "" {
			msgs = append(msgs, Outbox{Kind: caseconf.KindActionAssigned, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindActionAssigned, aid),
				RecipientID: a.OwnerID, ConferenceID: id, SubjectID: aid})
		}
	}
	recipients, withheld, others, offers, err := insertShareList(ctx, tx, c, o.ShareWith, now)
	if err != nil {
		return Recorded{}, err
	}
	// After: whom the minutes did not reach, the actions the case manager
	// chases and the letter to the client to draft.
	after := append([]Outbox{{Kind: caseconf.KindMinutesWithheld, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindMinutesWithheld, id),
		RecipientID: c.CaseManagerID, ConferenceID: id, SubjectID: id}}, handoverOffer(c, o)...) // store/handover.go
	if _, err := tx.ExecContext(ctx, `UPDATE conferences SET status = 'recorded', updated_at = $2 WHERE id = $1`, id, at); err != nil {
		return Recorded{}, fmt.Errorf("record outcome: %w", err)
	}
	if err := handOver(ctx, tx, c, v.UserID, at); err != nil { // store/handover.go
		return Recorded{}, err
	}
	n := 0
	if len(recipients) > 0 {
		if n, err = countParts(ctx, tx, id, parts); err != nil {
			return Recorded{}, err
		}
	}
	basis := c.Consent.Basis()
	for _, u := range recipients {
		for part := 1; part <= n; part++ {
			msgs = append(msgs, Outbox{Kind: caseconf.KindMinutes, DedupKey: fmt.Sprintf("%s:%d:%s:%d", caseconf.KindMinutes, id, u, part),
				RecipientID: u, ConferenceID: id, SubjectID: int64(part)})
			if _, err := tx.ExecContext(ctx, `INSERT INTO disclosures (conference_id, recipient_id, part, parts, consent_id, basis,
					decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
				id, u, part, n, consentID, basis, v.UserID, at); err != nil {
				return Recorded{}, fmt.Errorf("record outcome: disclosure: %w", err)
			}
		}
	}
	msgs = append(msgs, offers...)
	msgs = append(msgs, after...)
	if _, err := tx.ExecContext(ctx, `DELETE FROM outcome_drafts WHERE conference_id = $1`, id); err != nil {
		return Recorded{}, fmt.Errorf("record outcome: draft: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: at, Actor: v.UserID, Action: "outcome.record", ConferenceID: id, ClientID: c.ClientID,
		Detail: fmt.Sprintf("%d actions; minutes to %d on Slack, withheld from %d, %d not on Slack", len(o.Actions), len(recipients), withheld, others)}); err != nil {
		return Recorded{}, err
	}
	if err := cancelPending(ctx, tx, id, id, OutcomeReminderKinds, "the outcome is recorded"); err != nil {
		return Recorded{}, err
	}
	if _, err := enqueue(ctx, tx, at, msgs...); err != nil {
		return Recorded{}, err
	}
	if c, err = loadConference(ctx, tx, id); err != nil {
		return Recorded{}, err
	}
	if err := tx.Commit(); err != nil {
		return Recorded{}, fmt.Errorf("record outcome: commit: %w", err)
	}
	return Recorded{Conference: c, New: true, Recipients: len(recipients), Withheld: withheld}, nil
}

// countParts is how many parts the minutes of conference id take, as
// recorded in tx so far (MinutesParts).
func countParts(ctx context.Context, tx *sqlx.Tx, id int64, parts MinutesParts) (int, error) {
	if parts == nil {
		return 1, nil
	}
	c, err := loadConference(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	o, err := readOutcome(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	return max(1, parts(c, o)), nil
}

// insertPeople stores who attended and who sent apologies; a Slack user
// invited to the conference is kept with the job title and agency their
// invitation holds.
func insertPeople(ctx context.Context, tx *sqlx.Tx, c *caseconf.Conference, o caseconf.Outcome) error {
	for _, list := range []struct {
		people  []caseconf.Person
		present bool
	}{{o.Attended, true}, {o.Apologies, false}} {
		for _, p := range list.people {
			if inv := c.InviteeFor(p.UserID); inv != nil {
				p.Name, p.JobTitle, p.Agency = inv.Name, inv.Role, inv.Agency
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO outcome_attendees (conference_id, slack_user_id, name, job_title, agency, present)
				VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, nullString(p.UserID), p.Name, p.JobTitle, p.Agency, list.present); err != nil {
				return fmt.Errorf("record outcome: attendees: %w", err)
			}
		}
	}
	return nil
}

// insertShareList stores the share list, deciding for each Slack user on
// it whether the minutes may go to them (caseconf.MinutesWithheld, on the
// agreement they accepted: an invitee's on their invitation, anyone else's
// as someone on the share list). It returns the Slack users they go to,
// how many they are withheld from, how many are not on Slack, and the
// offers of the agreement to those on it who were not invited and have
// not accepted it yet (the minutes go to them once they do).
func insertShareList(ctx context.Context, tx *sqlx.Tx, c *caseconf.Conference, people []caseconf.Person, now time.Time) (recipients []string, withheld, others int, offers []Outbox, err error) {
	seen := map[string]bool{}
	var users []string
	for _, p := range people {
		if p.UserID == "" {
			others++
			if _, err := tx.ExecContext(ctx, `INSERT INTO share_list (conference_id, name, contact) VALUES ($1, $2, $3)`,
				c.ID, p.Name, p.Contact); err != nil {
				return nil, 0, 0, nil, fmt.Errorf("record outcome: share list: %w", err)
			}
			continue
		}
		if seen[p.UserID] {
			continue
		}
		seen[p.UserID] = true
		users = append(users, p.UserID)
		if _, err := tx.ExecContext(ctx, `INSERT INTO share_list (conference_id, slack_user_id) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, c.ID, p.UserID); err != nil {
			return nil, 0, 0, nil, fmt.Errorf("record outcome: share list: %w", err)
		}
	}
	c.ShareList, c.Sharers = nil, nil
	if err := loadSharers(ctx, tx, map[int64]*caseconf.Conference{c.ID: c}); err != nil {
		return nil, 0, 0, nil, err
	}
	for _, u := range users {
		why := caseconf.MinutesWithheld(c, u, now)
		if why == "" {
			recipients = append(recipients, u)
			continue
		}
		withheld++
		if caseconf.OffersShareAgreement(c, u) {
			offers = append(offers, shareOffer(c, u))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE share_list SET withheld = $3 WHERE conference_id = $1 AND slack_user_id = $2`,
			c.ID, u, why); err != nil {
			return nil, 0, 0, nil, fmt.Errorf("record outcome: share list: %w", err)
		}
	}
	return recipients, withheld, others, offers, nil
}

// reviewOf is the conference conference id reviews, or 0.
func reviewOf(ctx context.Context, tx *sqlx.Tx, id int64) (int64, error) {
	var of sql.NullInt64
	if err := tx.GetContext(ctx, &of, `SELECT review_of_id FROM conferences WHERE id = $1`, id); err != nil {
		return 0, fmt.Errorf("review of: %w", err)
	}
	return of.Int64, nil
}

// openActionsUnderReview is the open actions of the plan conference id
// reviews, in the order of that plan: none when it reviews none.
func openActionsUnderReview(ctx context.Context, tx *sqlx.Tx, id int64) ([]*caseconf.Action, error) {
	of, err := reviewOf(ctx, tx, id)
	if err != nil || of == 0 {
		return nil, err
	}
	var rows []actionRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+actionColumns+` FROM actions WHERE conference_id = $1 AND status = 'open' ORDER BY id`, of); err != nil {
		return nil, fmt.Errorf("open outcome: plan under review: %w", err)
	}
	out := make([]*caseconf.Action, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].action())
	}
	return out, nil
}

// settleAtReview applies the review c's choices for the open actions of
// the plan under review (caseconf.SettledAs), on the locked rows, each as
// caseconf.CanSettleAtReview allows: done, or closed as no longer needed
// with the reason (carried forward, or dropped at the review), by v, each
// audited, its pending reminders cancelled and a new date waiting on the
// case manager overtaken. One closed since the form opened is left as it
// is; a kept one is carried into the new plan all the same.
func settleAtReview(ctx context.Context, tx *sqlx.Tx, c *caseconf.Conference, v caseconf.Viewer, settled []caseconf.Settled, at time.Time) error {
	if len(settled) == 0 {
		return nil
	}
	of, err := reviewOf(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	for _, s := range settled {
		old, a, err := lockAction(ctx, tx, s.ActionID)
		if err != nil {
			return err
		}
		ok, err := caseconf.CanSettleAtReview(c, of, a)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		to, reason := caseconf.SettledAs(s.Choice, c.Ref)
		if to == caseconf.ActionDone {
			_, err = tx.ExecContext(ctx, `UPDATE actions SET status = 'done', done_at = $2, done_by = $3, updated_at = $2
				WHERE id = $1 AND status = 'open'`, a.ID, at, v.UserID)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE actions SET status = $2, close_reason = $3, closed_at = $4, closed_by = $5, updated_at = $4
				WHERE id = $1 AND status = 'open'`, a.ID, string(to), reason, at, v.UserID)
		}
		if err != nil {
			return fmt.Errorf("record outcome: settle action: %w", err)
		}
		if err := audit(ctx, tx, auditRow{At: at, Actor: v.UserID, Action: "action.settled", ConferenceID: old.ID, ClientID: old.ClientID,
			Detail: fmt.Sprintf("action %d: %s at review conference %d, now %s", a.ID, s.Choice, c.ID, to)}); err != nil {
			return err
		}
		if err := cancelPending(ctx, tx, old.ID, a.ID, ActionReminderKinds, "the action was settled at the review"); err != nil {
			return err
		}
		if err := dropProposal(ctx, tx, a.ID, at); err != nil {
			return err
		}
	}
	return nil
}
