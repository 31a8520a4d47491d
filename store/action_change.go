package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
)

// Closing an action as not achieved or no longer needed, and giving it to
// someone else: each on the locked conference and action, with the rule
// from the root (caseconf.CanCloseAction, caseconf.CanReassignAction),
// audited, its pending reminders cancelled and the people told through
// the outbox, in one transaction.

// ActionChanged is what CloseAction or ReassignAction did.
type ActionChanged struct {
	Conference *caseconf.Conference
	Action     *caseconf.Action // as it is now
	Before     caseconf.Owner   // ReassignAction: the owner it had
}

// CloseAction closes action id as to (not achieved, or no longer needed)
// for v, with reason, if caseconf.CanCloseAction allows it on the locked
// conference and action. In the same transaction it audits the change
// (what it was before; never the reason, which is kept on the action),
// cancels the pending reminders about the action, overtakes a new date
// waiting for the case manager, and writes the message that tells the
// case manager (unless they closed it themselves).
func (s *DB) CloseAction(ctx context.Context, id int64, v caseconf.Viewer, to caseconf.ActionStatus, reason string) (ActionChanged, error) {
	if _, _, errs := caseconf.ValidateClose(string(to), reason); errs != nil {
		return ActionChanged{}, caseconf.Errorf(caseconf.EINVALID, "An action is closed as not achieved or no longer needed, with a reason.")
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return ActionChanged{}, fmt.Errorf("close action: %w", err)
	}
	defer tx.Rollback()
	c, a, err := lockAction(ctx, tx, id)
	if err != nil {
		return ActionChanged{}, err
	}
	if err := caseconf.CanCloseAction(c, a, v, to); err != nil {
		return ActionChanged{}, err
	}
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE actions SET status = $2, close_reason = $3, closed_at = $4, closed_by = $5, updated_at = $4
		WHERE id = $1 AND status = 'open'`, id, string(to), reason, now, v.UserID); err != nil {
		return ActionChanged{}, fmt.Errorf("close action: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "action.closed", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("action %d: %s, was %s", id, to, a.Status)}); err != nil {
		return ActionChanged{}, err
	}
	if err := cancelPending(ctx, tx, c.ID, id, ActionReminderKinds, "the action is closed"); err != nil {
		return ActionChanged{}, err
	}
	if err := dropProposal(ctx, tx, id, now); err != nil {
		return ActionChanged{}, err
	}
	if v.UserID != c.CaseManagerID {
		if _, err := enqueue(ctx, tx, now, Outbox{Kind: caseconf.KindActionClosed, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindActionClosed, id),
			RecipientID: c.CaseManagerID, ConferenceID: c.ID, SubjectID: id}); err != nil {
			return ActionChanged{}, err
		}
	}
	if a, err = loadAction(ctx, tx, id, false); err != nil {
		return ActionChanged{}, err
	}
	if err := tx.Commit(); err != nil {
		return ActionChanged{}, fmt.Errorf("close action: commit: %w", err)
	}
	return ActionChanged{Conference: c, Action: a}, nil
}

// openActionForm reads action id and its conference for v, to open a
// form that changes it, if may allows it, and audits the read (the form
// shows what the action says).
func (s *DB) openActionForm(ctx context.Context, id int64, v caseconf.Viewer, may func(*caseconf.Conference, *caseconf.Action) error) (*caseconf.Conference, *caseconf.Action, error) {
	a, err := loadAction(ctx, s.db, id, false)
	if err != nil {
		return nil, nil, err
	}
	c, err := loadConference(ctx, s.db, a.ConferenceID)
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		return nil, nil, caseconf.ActionNotFound()
	}
	if err == nil {
		err = may(c, a)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := audit(ctx, s.db, auditRow{At: s.Now(), Actor: v.UserID, Action: "action.open", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("action %d", id)}); err != nil {
		return nil, nil, err
	}
	return c, a, nil
}

// OpenReassign reads action id for v's Reassign form, if
// caseconf.CanReassignAction allows it, and audits the read.
func (s *DB) OpenReassign(ctx context.Context, id int64, v caseconf.Viewer) (*caseconf.Conference, *caseconf.Action, error) {
	return s.openActionForm(ctx, id, v, func(c *caseconf.Conference, a *caseconf.Action) error { return caseconf.CanReassignAction(c, a, v) })
}

// OpenClose reads action id for v's Close form, if v may close it
// (caseconf.CanCloseAction), and audits the read.
func (s *DB) OpenClose(ctx context.Context, id int64, v caseconf.Viewer) (*caseconf.Conference, *caseconf.Action, error) {
	return s.openActionForm(ctx, id, v, func(c *caseconf.Conference, a *caseconf.Action) error {
		return caseconf.CanCloseAction(c, a, v, caseconf.ActionNotNeeded)
	})
}

// ownerDetail is an owner as the audit log may name them: a Slack user,
// the client, or someone not on Slack (whose name is not logged).
func ownerDetail(o caseconf.Owner) string {
	switch {
	case o.UserID != "":
		return o.UserID
	case o.Client:
		return "the client"
	}
	return "someone not on Slack"
}

// ReassignAction gives action id to owner o for v, if
// caseconf.CanReassignAction allows it on the locked conference and
// action and o may own it (caseconf.ValidateReassign, checked again on
// the locked rows). In the same transaction it audits the change with
// the owner before, cancels the pending reminders about the action (the
// reminder sweep plans the new owner's), and writes the messages that
// tell the new owner (or, for one not on Slack, the case manager who
// chases it) and the owner before (unless that is v, or the same person).
func (s *DB) ReassignAction(ctx context.Context, id int64, v caseconf.Viewer, o caseconf.Owner) (ActionChanged, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return ActionChanged{}, fmt.Errorf("reassign action: %w", err)
	}
	defer tx.Rollback()
	c, a, err := lockAction(ctx, tx, id)
	if err != nil {
		return ActionChanged{}, err
	}
	if err := caseconf.CanReassignAction(c, a, v); err != nil {
		return ActionChanged{}, err
	}
	o, errs := caseconf.ValidateReassign(c, a, o.UserID, o.Name, o.Agency)
	if errs != nil {
		for _, f := range []string{caseconf.FieldNewOwner, caseconf.FieldNewOwnerName, caseconf.FieldNewOwnerAgency} {
			if msg := errs[f]; msg != "" {
				return ActionChanged{}, caseconf.Errorf(caseconf.EINVALID, "%s", msg)
			}
		}
		return ActionChanged{}, caseconf.Errorf(caseconf.EINVALID, "Please choose the new owner.")
	}
	before := caseconf.OwnerOf(a)
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE actions SET owner_slack_id = $2, owner_name = $3, owner_agency = $4, owner_client = $5,
			reassigned_by = $6, reassigned_at = $7, updated_at = $7
		WHERE id = $1 AND status = 'open'`, id, nullString(o.UserID), o.Name, o.Agency, o.Client, v.UserID, now); err != nil {
		return ActionChanged{}, fmt.Errorf("reassign action: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "action.reassigned", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("action %d: owner %s, was %s", id, ownerDetail(o), ownerDetail(before))}); err != nil {
		return ActionChanged{}, err
	}
	if err := cancelPending(ctx, tx, c.ID, id, ActionReminderKinds, "the action was given to someone else"); err != nil {
		return ActionChanged{}, err
	}
	at := strconv.FormatInt(now.UnixNano(), 10)
	newTo, oldTo := caseconf.ActionChaser(o.UserID, c.CaseManagerID), caseconf.ActionChaser(before.UserID, c.CaseManagerID)
	msgs := []Outbox{{Kind: caseconf.KindActionReassigned, DedupKey: fmt.Sprintf("%s:%d:%s:%s", caseconf.KindActionReassigned, id, newTo, at),
		RecipientID: newTo, ConferenceID: c.ID, SubjectID: id}}
	if oldTo != newTo && oldTo != v.UserID {
		msgs = append(msgs, Outbox{Kind: caseconf.KindActionTakenOff, DedupKey: fmt.Sprintf("%s:%d:%s:%s", caseconf.KindActionTakenOff, id, oldTo, at),
			RecipientID: oldTo, ConferenceID: c.ID, SubjectID: id})
	}
	if _, err := enqueue(ctx, tx, now, msgs...); err != nil {
		return ActionChanged{}, err
	}
	if a, err = loadAction(ctx, tx, id, false); err != nil {
		return ActionChanged{}, err
	}
	if err := tx.Commit(); err != nil {
		return ActionChanged{}, fmt.Errorf("reassign action: commit: %w", err)
	}
	return ActionChanged{Conference: c, Action: a, Before: before}, nil
}

// PlanByRef reads conference ref's action plan, in the order of the plan,
// for v (caseconf.CanManagePlan), auditing the read ("plan.list").
func (s *DB) PlanByRef(ctx context.Context, ref string, v caseconf.Viewer) (*caseconf.Conference, []*caseconf.Action, error) {
	return s.readPlan(ctx, v, `c.ref = upper($3)`, strings.TrimSpace(ref))
}

// PlanByID is PlanByRef for the internal ID a page button carries.
func (s *DB) PlanByID(ctx context.Context, id int64, v caseconf.Viewer) (*caseconf.Conference, []*caseconf.Action, error) {
	return s.readPlan(ctx, v, `c.id = $3`, id)
}

func (s *DB) readPlan(ctx context.Context, v caseconf.Viewer, where string, arg any) (*caseconf.Conference, []*caseconf.Action, error) {
	var out []*caseconf.Action
	c, err := s.readConferenceThen(ctx, v, "plan.list", where, arg, func(tx *sqlx.Tx, c *caseconf.Conference) error {
		if err := caseconf.CanManagePlan(c, v); err != nil {
			return err
		}
		var rows []actionRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+actionColumns+` FROM actions WHERE conference_id = $1 ORDER BY id`, c.ID); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
		for i := range rows {
			out = append(out, rows[i].action())
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return c, out, nil
}
