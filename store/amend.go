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
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// Correcting the record: a new version of a recorded outcome, the one
// before kept as it was, the amended minutes to the share list and the
// owners of the actions it added, changed or removed told. What anyone
// wrote (the record, what changed and why) never goes into an error, a
// log line or the audit log's detail.

// Amended is what AmendOutcome did.
type Amended struct {
	Conference *caseconf.Conference // as it is now
	New        bool                 // false when the same submission made it before
	Version    int                  // the version it made
	Recipients int                  // Slack users the amended minutes go to
	Withheld   int                  // Slack users on the share list they do not go to
	Plan       caseconf.PlanChanges // what it did to the action plan
}

// AmendOutcome corrects the recorded outcome of conference id, version
// version of it as the form opened, to o with why (what changed and why),
// for v, if caseconf.CanAmendOutcome allows it on the locked conference.
// In one transaction: the version replaced kept as it was
// (outcome_versions: the outcome and its plan, who made it, when and
// why), the outcome and its attendees updated, the action plan changed as
// caseconf.ComparePlans says (changed actions keep their IDs and history;
// a removed one is closed, not deleted; reminders of a removed action or
// one that changed hands are cancelled, and of one whose date moved are
// cancelled to be planned again from the new date), the share list
// replaced (each Slack user on it decided again), each part of the
// amended minutes to each Slack user they may go to (each disclosure
// logged with its version and the consent it rests on), each added or
// changed action to its chaser and each removed one, or one that changed
// hands, to its chaser before, and the audit row. sourceKey identifies the
// form submission: the same one again does nothing (New false); a form
// opened on an earlier version than the latest is refused, so nothing is
// sent twice. meeting is the start of the meeting o was checked against.
func (s *DB) AmendOutcome(ctx context.Context, id int64, v caseconf.Viewer, meeting time.Time, version int, o caseconf.Outcome, why, sourceKey string, parts MinutesParts) (Amended, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return Amended{}, fmt.Errorf("amend outcome: %w", err)
	}
	defer tx.Rollback()
	c, err := lockConference(ctx, tx, id)
	if err != nil {
		return Amended{}, err
	}
	rule := caseconf.CanAmendOutcome(c, v)
	if caseconf.ErrorCode(rule) == caseconf.ENOTFOUND {
		return Amended{}, rule
	}
	if sourceKey != "" {
		var prev struct {
			ConferenceID int64  `db:"conference_id"`
			By           string `db:"replaced_by"`
			Version      int    `db:"version"`
		}
		err := tx.GetContext(ctx, &prev, `SELECT conference_id, replaced_by, version FROM outcome_versions WHERE source_key = $1`, sourceKey)
		switch {
		case err == nil && prev.ConferenceID == id && prev.By == v.UserID:
			return Amended{Conference: c, Version: prev.Version + 1}, tx.Commit()
		case err == nil:
			return Amended{}, caseconf.Errorf(caseconf.ECONFLICT, "This form has already been used.")
		case !errors.Is(err, sql.ErrNoRows):
			return Amended{}, fmt.Errorf("amend outcome: %w", err)
		}
	}
	if rule != nil {
		return Amended{}, rule
	}
	if msg := caseconf.CheckAmendReason(why); msg != "" {
		return Amended{}, caseconf.Errorf(caseconf.EINVALID, "%s", msg)
	}
	if !meeting.Equal(c.StartsAt) {
		return Amended{}, caseconf.Errorf(caseconf.ECONFLICT, "The meeting's time has changed since this form was opened. Please open it again (`/caseconf record %s`).", c.Ref)
	}
	was, err := readOutcome(ctx, tx, id)
	if err != nil {
		return Amended{}, err
	}
	if was.Version != version {
		return Amended{}, caseconf.Errorf(caseconf.ECONFLICT, "The record of %s has been corrected since this form was opened, so this correction was not saved and nothing was sent. Please open it again (`/caseconf record %s`) and make your correction to the latest version.", c.Ref, c.Ref)
	}
	plan := caseconf.ComparePlans(was.Actions, o.Actions)
	for _, a := range plan.Added {
		if a.OwnerID != "" && !caseconf.CanOwnAction(c, a.OwnerID) {
			return Amended{}, ownerNotInvited(c)
		}
	}
	for _, ch := range plan.Changed {
		if ch.OwnerChanged() && ch.After.OwnerID != "" && !caseconf.CanOwnAction(c, ch.After.OwnerID) {
			return Amended{}, ownerNotInvited(c)
		}
	}
	at := s.Now()
	why = strings.TrimSpace(why)
	next := was.Version + 1

	// The version replaced, as it was.
	made, madeAt := was.RecordedBy, was.RecordedAt
	if was.AmendedBy != "" {
		made, madeAt = was.AmendedBy, was.AmendedAt
	}
	snapshot, err := json.Marshal(was)
	if err != nil {
		return Amended{}, fmt.Errorf("amend outcome: %w", err)
	}
	// As text: with binary parameters, bytes would be taken for jsonb's
	// binary form.
	if _, err := tx.ExecContext(ctx, `INSERT INTO outcome_versions (conference_id, version, outcome, made_by, made_at, reason,
			replaced_by, replaced_at, source_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id, was.Version, string(snapshot), made, madeAt, was.AmendReason, v.UserID, at, nullString(sourceKey)); err != nil {
		return Amended{}, fmt.Errorf("amend outcome: version: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE outcomes SET summary = $2, worked = $3, not_worked = $4, client_views = $5, review_on = $6,
			version = $7, amended_by = $8, amended_at = $9, amend_reason = $10, updated_at = $9 WHERE conference_id = $1`,
		id, o.Summary, o.Worked, o.NotWorked, o.ClientViews, nullDate(o.ReviewOn), next, v.UserID, at, why); err != nil {
		return Amended{}, fmt.Errorf("amend outcome: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outcome_attendees WHERE conference_id = $1`, id); err != nil {
		return Amended{}, fmt.Errorf("amend outcome: attendees: %w", err)
	}
	if err := insertPeople(ctx, tx, c, o); err != nil {
		return Amended{}, err
	}
	msgs, err := amendPlan(ctx, tx, c, v, plan, next, at)
	if err != nil {
		return Amended{}, err
	}

	// The share list, decided again, and the amended minutes.
	if _, err := tx.ExecContext(ctx, `DELETE FROM share_list WHERE conference_id = $1`, id); err != nil {
		return Amended{}, fmt.Errorf("amend outcome: share list: %w", err)
	}
	recipients, withheld, others, offers, err := insertShareList(ctx, tx, c, o.ShareWith, at)
	if err != nil {
		return Amended{}, err
	}
	msgs = append(msgs, offers...)
	// Minutes of an earlier version not sent yet are not sent now: these
	// go instead.
	if err := cancelMinutes(ctx, tx, id, "the record was corrected: the amended minutes go instead"); err != nil {
		return Amended{}, err
	}
	var consentID sql.NullInt64
	if err := tx.GetContext(ctx, &consentID, `SELECT consent_id FROM conferences WHERE id = $1`, id); err != nil {
		return Amended{}, fmt.Errorf("amend outcome: %w", err)
	}
	n := 0
	if len(recipients) > 0 {
		if n, err = countParts(ctx, tx, id, parts); err != nil {
			return Amended{}, err
		}
	}
	basis := c.Consent.Basis()
	for _, u := range recipients {
		for part := 1; part <= n; part++ {
			msgs = append(msgs, Outbox{Kind: caseconf.KindAmendedMinutes, DedupKey: fmt.Sprintf("%s:%d:%s:%d:%d", caseconf.KindAmendedMinutes, id, u, next, part),
				RecipientID: u, ConferenceID: id, SubjectID: caseconf.AmendedPart(next, part)})
			if _, err := tx.ExecContext(ctx, `INSERT INTO disclosures (conference_id, recipient_id, version, part, parts, consent_id, basis,
					decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
				id, u, next, part, n, consentID, basis, v.UserID, at); err != nil {
				return Amended{}, fmt.Errorf("amend outcome: disclosure: %w", err)
			}
		}
	}
	if err := audit(ctx, tx, auditRow{At: at, Actor: v.UserID, Action: "outcome.amend", ConferenceID: id, ClientID: c.ClientID,
		Detail: fmt.Sprintf("version %d replaced by version %d (version %d kept as it was); actions: %d added, %d changed, %d removed; amended minutes to %d on Slack, withheld from %d, %d not on Slack",
			was.Version, next, was.Version, len(plan.Added), len(plan.Changed), len(plan.Removed), len(recipients), withheld, others)}); err != nil {
		return Amended{}, err
	}
	if _, err := enqueue(ctx, tx, at, msgs...); err != nil {
		return Amended{}, err
	}
	if c, err = loadConference(ctx, tx, id); err != nil {
		return Amended{}, err
	}
	if err := tx.Commit(); err != nil {
		return Amended{}, fmt.Errorf("amend outcome: commit: %w", err)
	}
	return Amended{Conference: c, New: true, Version: next, Recipients: len(recipients), Withheld: withheld, Plan: plan}, nil
}

func ownerNotInvited(c *caseconf.Conference) error {
	return caseconf.Errorf(caseconf.ECONFLICT, "An action's owner on Slack is not invited to %s: invite them, or name them as someone not on Slack.", c.Ref)
}

// amendPlan applies plan, the changes a correction (making version
// version) makes to c's action plan, each audited, and returns the
// messages to their chasers.
func amendPlan(ctx context.Context, tx *sqlx.Tx, c *caseconf.Conference, v caseconf.Viewer, plan caseconf.PlanChanges, version int, at time.Time) ([]Outbox, error) {
	var msgs []Outbox
	tell := func(kind caseconf.MessageKind, aid int64, to string) {
		msgs = append(msgs, Outbox{Kind: kind, DedupKey: fmt.Sprintf("%s:%d:%s:%d", kind, aid, to, version),
			RecipientID: to, ConferenceID: c.ID, SubjectID: aid})
	}
	note := func(aid int64, what string) error {
		return audit(ctx, tx, auditRow{At: at, Actor: v.UserID, Action: "action.amended", ConferenceID: c.ID, ClientID: c.ClientID,
			Detail: fmt.Sprintf("action %d: %s when the record was corrected (version %d)", aid, what, version)})
	}
	for _, a := range plan.Added {
		var aid int64
		if err := tx.GetContext(ctx, &aid, `INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, owner_name,
				owner_agency, owner_client, due_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			c.ID, a.Area, a.What, nullString(a.OwnerID), a.OwnerName, a.OwnerAgency, a.OwnerClient, nullDate(a.DueOn), at); err != nil {
			return nil, fmt.Errorf("amend outcome: action: %w", err)
		}
		if err := note(aid, "added"); err != nil {
			return nil, err
		}
		tell(caseconf.KindActionAmended, aid, caseconf.ActionChaser(a.OwnerID, c.CaseManagerID))
	}
	for _, ch := range plan.Changed {
		b, a := ch.Before, ch.After
		if _, err := tx.ExecContext(ctx, `UPDATE actions SET area_of_need = $2, action = $3, owner_slack_id = $4, owner_name = $5,
				owner_agency = $6, owner_client = $7, due_on = $8, updated_at = $9 WHERE id = $1`,
			b.ID, a.Area, a.What, nullString(a.OwnerID), a.OwnerName, a.OwnerAgency, a.OwnerClient, nullDate(a.DueOn), at); err != nil {
			return nil, fmt.Errorf("amend outcome: action: %w", err)
		}
		var what []string
		if b.Area != a.Area || b.What != a.What {
			what = append(what, "what is to be done")
		}
		if ch.OwnerChanged() || !b.DueOn.Equal(nullDate(a.DueOn).Time) {
			// Its reminders are planned again, for its owner and date now.
			if err := cancelPending(ctx, tx, c.ID, b.ID, ActionReminderKinds, "the record was corrected"); err != nil {
				return nil, err
			}
		}
		if ch.OwnerChanged() {
			what = append(what, "owner")
		}
		if !b.DueOn.Equal(nullDate(a.DueOn).Time) {
			what = append(what, "date")
			if err := dropProposal(ctx, tx, b.ID, at); err != nil { // a date proposed before is overtaken
				return nil, err
			}
		}
		if err := note(b.ID, "changed ("+strings.Join(what, ", ")+")"); err != nil {
			return nil, err
		}
		to, was := caseconf.ActionChaser(a.OwnerID, c.CaseManagerID), caseconf.ActionChaser(b.OwnerID, c.CaseManagerID)
		tell(caseconf.KindActionAmended, b.ID, to)
		if was != to {
			tell(caseconf.KindActionRemoved, b.ID, was)
		}
	}
	for _, b := range plan.Removed {
		reason := "Removed from the plan when the record of " + c.Ref + " was corrected."
		if _, err := tx.ExecContext(ctx, `UPDATE actions SET removed_at = $2, updated_at = $2,
				status = CASE WHEN status = 'open' THEN 'not_needed' ELSE status END,
				close_reason = CASE WHEN status = 'open' THEN $3 ELSE close_reason END,
				closed_at = CASE WHEN status = 'open' THEN $2 ELSE closed_at END,
				closed_by = CASE WHEN status = 'open' THEN $4 ELSE closed_by END
			WHERE id = $1`, b.ID, at, reason, v.UserID); err != nil {
			return nil, fmt.Errorf("amend outcome: remove action: %w", err)
		}
		if err := cancelPending(ctx, tx, c.ID, b.ID, ActionReminderKinds, "the action was removed when the record was corrected"); err != nil {
			return nil, err
		}
		if err := dropProposal(ctx, tx, b.ID, at); err != nil {
			return nil, err
		}
		if err := note(b.ID, "removed"); err != nil {
			return nil, err
		}
		tell(caseconf.KindActionRemoved, b.ID, caseconf.ActionChaser(b.OwnerID, c.CaseManagerID))
	}
	return msgs, nil
}

// cancelMinutes drops the minutes of conference id not yet sent, of
// every version, keeping why. Parts already in flight are left to their
// sender, whose rendering finds them overtaken.
func cancelMinutes(ctx context.Context, tx sqlx.ExecerContext, id int64, why string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', errors = array_append(errors, $3)
		WHERE conference_id = $1 AND kind = ANY($2) AND state = 'pending'`,
		id, pq.Array(kindTexts(caseconf.KindMinutes, caseconf.KindAmendedMinutes)), why); err != nil {
		return fmt.Errorf("amend outcome: cancel minutes: %w", err)
	}
	return nil
}
