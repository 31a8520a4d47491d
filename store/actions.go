package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
)

type actionRow struct {
	ID           int64          `db:"id"`
	ConferenceID int64          `db:"conference_id"`
	Area         string         `db:"area_of_need"`
	What         string         `db:"action"`
	OwnerID      sql.NullString `db:"owner_slack_id"`
	OwnerName    string         `db:"owner_name"`
	OwnerAgency  string         `db:"owner_agency"`
	DueOn        time.Time      `db:"due_on"`
	Status       string         `db:"status"`
	DoneAt       sql.NullTime   `db:"done_at"`
	DoneBy       sql.NullString `db:"done_by"`
	OwnerClient  bool           `db:"owner_client"`
	ClosedAt     sql.NullTime   `db:"closed_at"`
	ClosedBy     sql.NullString `db:"closed_by"`
	CloseReason  string         `db:"close_reason"`
	ReassignedBy sql.NullString `db:"reassigned_by"`
	ReassignedAt sql.NullTime   `db:"reassigned_at"`
	ProposedDue  sql.NullTime   `db:"proposed_due_on"`
	RemovedAt    sql.NullTime   `db:"removed_at"`
}

// actionColumns are the columns an actionRow reads, in order;
// actionColumnsA the same of actions aliased a.
const (
	actionColumns = `id, conference_id, area_of_need, action, owner_slack_id, owner_name, owner_agency, owner_client,
		due_on, status, done_at, done_by, closed_at, closed_by, close_reason, reassigned_by, reassigned_at, proposed_due_on, removed_at`
	actionColumnsA = `a.id, a.conference_id, a.area_of_need, a.action, a.owner_slack_id, a.owner_name, a.owner_agency, a.owner_client,
		a.due_on, a.status, a.done_at, a.done_by, a.closed_at, a.closed_by, a.close_reason, a.reassigned_by, a.reassigned_at, a.proposed_due_on, a.removed_at`
)

func (r *actionRow) action() *caseconf.Action {
	a := &caseconf.Action{ID: r.ID, ConferenceID: r.ConferenceID, Area: r.Area, What: r.What, OwnerID: r.OwnerID.String,
		OwnerName: r.OwnerName, OwnerAgency: r.OwnerAgency, OwnerClient: r.OwnerClient, DueOn: r.DueOn, Status: caseconf.ActionStatus(r.Status), DoneBy: r.DoneBy.String,
		ClosedBy: r.ClosedBy.String, CloseReason: r.CloseReason, ReassignedBy: r.ReassignedBy.String}
	if r.DoneAt.Valid {
		at := r.DoneAt.Time
		a.DoneAt = &at
	}
	if r.ClosedAt.Valid {
		at := r.ClosedAt.Time
		a.ClosedAt = &at
	}
	if r.ReassignedAt.Valid {
		at := r.ReassignedAt.Time
		a.ReassignedAt = &at
	}
	if r.ProposedDue.Valid {
		on := dateOf(r.ProposedDue)
		a.ProposedDueOn = &on
	}
	if r.RemovedAt.Valid {
		at := r.RemovedAt.Time
		a.RemovedAt = &at
	}
	return a
}

// loadAction reads one action; with lock, FOR UPDATE. An action that does
// not exist is caseconf.ActionNotFound.
func loadAction(ctx context.Context, q sqlx.QueryerContext, id int64, lock bool) (*caseconf.Action, error) {
	query := `SELECT ` + actionColumns + ` FROM actions WHERE id = $1`
	if lock {
		query += ` FOR UPDATE`
	}
	var r actionRow
	err := sqlx.GetContext(ctx, q, &r, query, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, caseconf.ActionNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("read action: %w", err)
	}
	return r.action(), nil
}

// ActionSnapshot reads an action with no viewer and no audit row. Like
// ConferenceSnapshot it is only for rendering a message to the people
// entitled to it.
func (s *DB) ActionSnapshot(ctx context.Context, id int64) (*caseconf.Action, error) {
	return loadAction(ctx, s.db, id, false)
}

// ActionDone is what MarkActionDone did.
type ActionDone struct {
	Conference *caseconf.Conference
	Action     *caseconf.Action // as it is now
	Changed    bool             // false when it was done already
}

// MarkActionDone marks action id done for v, if caseconf.CanMarkDone
// allows it on the locked conference and action. In the same transaction
// it audits the change, cancels the pending reminders about the action,
// overtakes a new date waiting for the case manager, and writes the
// message that tells the case manager (unless they marked it done
// themselves). An action done already changes nothing.
func (s *DB) MarkActionDone(ctx context.Context, id int64, v caseconf.Viewer) (ActionDone, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return ActionDone{}, fmt.Errorf("mark action done: %w", err)
	}
	defer tx.Rollback()
	a, err := loadAction(ctx, tx, id, false)
	if err != nil {
		return ActionDone{}, err
	}
	// The conference first, then the action: the order every change that
	// locks both takes.
	c, err := lockConference(ctx, tx, a.ConferenceID)
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		return ActionDone{}, caseconf.ActionNotFound()
	}
	if err != nil {
		return ActionDone{}, err
	}
	if a, err = loadAction(ctx, tx, id, true); err != nil {
		return ActionDone{}, err
	}
	if err := caseconf.CanMarkDone(c, a, v); err != nil {
		return ActionDone{}, err
	}
	if a.Done() {
		return ActionDone{Conference: c, Action: a}, tx.Commit()
	}
	now := s.Now()
	if _, err := tx.ExecContext(ctx, `UPDATE actions SET status = 'done', done_at = $2, done_by = $3, updated_at = $2
		WHERE id = $1 AND status = 'open'`, id, now, v.UserID); err != nil {
		return ActionDone{}, fmt.Errorf("mark action done: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: now, Actor: v.UserID, Action: "action.done", ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("action %d", id)}); err != nil {
		return ActionDone{}, err
	}
	if err := cancelPending(ctx, tx, c.ID, id, ActionReminderKinds, "the action is done"); err != nil {
		return ActionDone{}, err
	}
	if err := dropProposal(ctx, tx, id, now); err != nil { // a date waiting for the case manager no longer matters
		return ActionDone{}, err
	}
	if v.UserID != c.CaseManagerID {
		if _, err := enqueue(ctx, tx, now, Outbox{Kind: caseconf.KindActionDone, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindActionDone, id),
			RecipientID: c.CaseManagerID, ConferenceID: c.ID, SubjectID: id}); err != nil {
			return ActionDone{}, err
		}
	}
	if a, err = loadAction(ctx, tx, id, false); err != nil {
		return ActionDone{}, err
	}
	if err := tx.Commit(); err != nil {
		return ActionDone{}, fmt.Errorf("mark action done: commit: %w", err)
	}
	return ActionDone{Conference: c, Action: a, Changed: true}, nil
}
