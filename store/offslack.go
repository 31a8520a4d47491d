package store

import (
	"context"
	"fmt"
	"time"

	"github.com/caseconf/caseconf"
)

// People not on Slack: their case manager (or the chair) records their
// replies and agreement (RecordReply) and enters their reports
// (EnterReport, in reports.go).

// OffSlackInvitee reads the conference of invitee inviteeID, someone not
// on Slack, for v to record their reply (caseconf.CanRecordReply) or, with
// report, to enter their report (caseconf.CanEnterReport): what the form
// shows. The read is audited.
func (s *DB) OffSlackInvitee(ctx context.Context, inviteeID int64, v caseconf.Viewer, report bool) (*caseconf.Conference, *caseconf.Invitee, *caseconf.Report, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read invitee: %w", err)
	}
	defer tx.Rollback()
	c, inv, err := invitation(ctx, tx, inviteeID, false)
	if err != nil {
		return nil, nil, nil, err
	}
	action := "reply.open"
	if report {
		action = "report.enter_open"
		err = caseconf.CanEnterReport(c, v, inv)
	} else {
		err = caseconf.CanRecordReply(c, v, inv)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	var rep *caseconf.Report
	if report {
		if rep, err = loadReport(ctx, tx, inv.ID); err != nil {
			return nil, nil, nil, err
		}
	}
	if err := audit(ctx, tx, auditRow{At: s.Now(), Actor: v.UserID, Action: action, ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("invitee %d", inv.ID)}); err != nil {
		return nil, nil, nil, err
	}
	return c, inv, rep, tx.Commit()
}

// RecordReply stores, for invitee inviteeID (someone not on Slack), the
// reply and the agreement v recorded, if caseconf.CanRecordReply allows it
// on the locked conference. A reply different from the current one is
// added to the history of answers, marked as recorded by v ("no reply
// yet" too: it takes the reply back); the agreement is recorded (or, for
// "not yet", taken back) with how and on what date. Each change is
// audited, and the reminders the case manager gets for them stop as an
// answer of the invitee's own would stop them. changed is false when
// nothing differed.
func (s *DB) RecordReply(ctx context.Context, inviteeID int64, v caseconf.Viewer, r caseconf.Reply) (c *caseconf.Conference, inv *caseconf.Invitee, changed bool, err error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, false, fmt.Errorf("record reply: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	c, inv, err = invitation(ctx, tx, inviteeID, true)
	if err == nil {
		err = caseconf.CanRecordReply(c, v, inv)
	}
	if err != nil {
		return nil, nil, false, err
	}
	if !r.Answer.Valid() && r.Answer != caseconf.AnswerNoReply {
		return nil, nil, false, caseconf.Errorf(caseconf.EINVALID, "That is not a reply we know.")
	}
	var colleague, reason string
	switch r.Answer {
	case caseconf.AnswerColleague:
		colleague = r.Line
		if colleague == "" {
			return nil, nil, false, caseconf.Errorf(caseconf.EINVALID, "Please name the colleague they are sending.")
		}
	case caseconf.AnswerNotInvolved:
		reason = r.Line
	}
	cur := inv.Response
	same := (cur == nil && r.Answer == caseconf.AnswerNoReply) ||
		(cur != nil && cur.Answer == r.Answer && cur.Colleague == colleague && cur.Reason == reason)
	if !same {
		changed = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO responses (invitee_id, answer, colleague, reason, responded_at, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6)`, inv.ID, string(r.Answer), nullString(colleague), nullString(reason), now, v.UserID); err != nil {
			return nil, nil, false, fmt.Errorf("record reply: %w", err)
		}
		if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "reply.record", ConferenceID: c.ID, ClientID: c.ClientID,
			Detail: fmt.Sprintf("invitee %d: %s", inv.ID, r.Answer)}); err != nil {
			return nil, nil, false, err
		}
		if r.Answer != caseconf.AnswerNoReply {
			if err := cancelPending(ctx, tx, c.ID, inv.ID, InvitationReminderKinds, "their reply is recorded"); err != nil {
				return nil, nil, false, err
			}
		}
		if !caseconf.ReportOwed(r.Answer, false, true) {
			if err := cancelPending(ctx, tx, c.ID, inv.ID, ReportReminderKinds, "their reply owes no report"); err != nil {
				return nil, nil, false, err
			}
		}
	}
	switch {
	case r.AgreedHow == caseconf.AgreedNotYet && inv.Accepted():
		changed = true
		if _, err := tx.ExecContext(ctx, `DELETE FROM agreement_acknowledgements WHERE invitee_id = $1`, inv.ID); err != nil {
			return nil, nil, false, fmt.Errorf("record reply: agreement: %w", err)
		}
		if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "agreement.record", ConferenceID: c.ID, ClientID: c.ClientID,
			Detail: fmt.Sprintf("invitee %d: not yet", inv.ID)}); err != nil {
			return nil, nil, false, err
		}
	case r.AgreedHow == caseconf.AgreedNotYet:
	case !inv.Accepted() || inv.AcceptedHow != r.AgreedHow || !sameDay(*inv.AcceptedAt, r.AgreedOn):
		changed = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO agreement_acknowledgements (invitee_id, conference_id, slack_user_id, accepted_at, how, recorded_by)
			VALUES ($1, $2, NULL, $3, $4, $5) ON CONFLICT (invitee_id) DO UPDATE
			SET accepted_at = EXCLUDED.accepted_at, how = EXCLUDED.how, recorded_by = EXCLUDED.recorded_by`,
			inv.ID, c.ID, r.AgreedOn, r.AgreedHow, v.UserID); err != nil {
			return nil, nil, false, fmt.Errorf("record reply: agreement: %w", err)
		}
		if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "agreement.record", ConferenceID: c.ID, ClientID: c.ClientID,
			Detail: fmt.Sprintf("invitee %d: %s on %s", inv.ID, r.AgreedHow, r.AgreedOn.Format(caseconf.DateLayout))}); err != nil {
			return nil, nil, false, err
		}
	}
	if !changed {
		return c, inv, false, tx.Commit()
	}
	c, inv, err = invitation(ctx, tx, inviteeID, false)
	if err != nil {
		return nil, nil, false, err
	}
	return c, inv, true, tx.Commit()
}

// sameDay reports whether a stored time and a calendar date (midnight
// UTC) are the same day, read in UTC as the date was stored.
func sameDay(at, day time.Time) bool {
	return at.UTC().Format(caseconf.DateLayout) == day.UTC().Format(caseconf.DateLayout)
}
