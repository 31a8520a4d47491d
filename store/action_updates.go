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

// Updates to an action after the plan went round: progress notes and new
// dates, kept with their history (migration 0008). What people write
// never goes into an error, a log line or the audit log's detail.

type updateRow struct {
	ID        int64          `db:"id"`
	ActionID  int64          `db:"action_id"`
	Kind      string         `db:"kind"`
	State     string         `db:"state"`
	By        string         `db:"by_id"`
	At        time.Time      `db:"at"`
	Note      string         `db:"note"`
	OldDue    sql.NullTime   `db:"old_due_on"`
	NewDue    sql.NullTime   `db:"new_due_on"`
	DecidedBy sql.NullString `db:"decided_by"`
	DecidedAt sql.NullTime   `db:"decided_at"`
}

const updateColumns = `id, action_id, kind, state, by_id, at, note, old_due_on, new_due_on, decided_by, decided_at`

func (r *updateRow) update() *caseconf.ActionUpdate {
	u := &caseconf.ActionUpdate{ID: r.ID, ActionID: r.ActionID, Kind: caseconf.UpdateKind(r.Kind), State: caseconf.UpdateState(r.State),
		By: r.By, At: r.At, Note: r.Note, OldDue: dateOf(r.OldDue), NewDue: dateOf(r.NewDue), DecidedBy: r.DecidedBy.String}
	if r.DecidedAt.Valid {
		at := r.DecidedAt.Time
		u.DecidedAt = &at
	}
	return u
}

func loadUpdate(ctx context.Context, q sqlx.QueryerContext, where string, arg any, lock bool) (*caseconf.ActionUpdate, error) {
	query := `SELECT ` + updateColumns + ` FROM action_updates WHERE ` + where
	if lock {
		query += ` FOR UPDATE`
	}
	var r updateRow
	if err := sqlx.GetContext(ctx, q, &r, query, arg); err != nil {
		return nil, err
	}
	return r.update(), nil
}

// lockAction locks the conference of action id, then the action (the
// order every change that locks both takes), and reads both.
func lockAction(ctx context.Context, tx *sqlx.Tx, id int64) (*caseconf.Conference, *caseconf.Action, error) {
	a, err := loadAction(ctx, tx, id, false)
	if err != nil {
		return nil, nil, err
	}
	c, err := lockConference(ctx, tx, a.ConferenceID)
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		return nil, nil, caseconf.ActionNotFound()
	}
	if err != nil {
		return nil, nil, err
	}
	if a, err = loadAction(ctx, tx, id, true); err != nil {
		return nil, nil, err
	}
	return c, a, nil
}

// ActionUpdated is what AddProgressNote and NewActionDate did.
type ActionUpdated struct {
	Conference *caseconf.Conference
	Action     *caseconf.Action       // as it is now
	Update     *caseconf.ActionUpdate // the entry written (or written before, for a repeated submission)
	New        bool                   // false when the same submission stored it before
}

// OpenActionUpdate reads action id and its conference for v, to open a
// form that updates it, if caseconf.CanUpdateAction allows it, and
// audits the read.
func (s *DB) OpenActionUpdate(ctx context.Context, id int64, v caseconf.Viewer) (*caseconf.Conference, *caseconf.Action, error) {
	return s.openActionForm(ctx, id, v, func(c *caseconf.Conference, a *caseconf.Action) error {
		return caseconf.CanUpdateAction(c, a, v)
	})
}

// AddProgressNote adds a progress note to action id for v, if
// caseconf.CanUpdateAction allows it on the locked conference and action:
// kept in its history and as its latest note, audited, and the case
// manager told (unless it is theirs), in one transaction. sourceKey
// identifies the form submission: the same one again stores nothing.
func (s *DB) AddProgressNote(ctx context.Context, id int64, v caseconf.Viewer, note, sourceKey string) (ActionUpdated, error) {
	return s.updateAction(ctx, id, v, sourceKey, "action.note", func(tx *sqlx.Tx, c *caseconf.Conference, a *caseconf.Action, at time.Time) (*caseconf.ActionUpdate, []Outbox, error) {
		u := &caseconf.ActionUpdate{ActionID: a.ID, Kind: caseconf.UpdateNote, State: caseconf.UpdateMade, By: v.UserID, At: at, Note: note}
		if err := insertUpdate(ctx, tx, c, u, sourceKey); err != nil {
			return nil, nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE actions SET progress = $2, updated_at = $3 WHERE id = $1`, a.ID, note, at); err != nil {
			return nil, nil, fmt.Errorf("progress note: %w", err)
		}
		return u, nil, nil
	})
}

// NewActionDate gives action id the new date due for v, with why, if
// caseconf.CanUpdateAction allows it on the locked conference and action.
// From its case manager or chair (caseconf.NewDateTakesEffect) the date
// moves at once: the reminders waiting for the old date are cancelled
// (the sweep times the next from the new one), any date proposed before
// is overtaken, and the owner is told. From its owner it is a proposal:
// kept as the date waiting (overtaking any before it) for the case
// manager to accept or not. Either way it is kept in the history,
// audited, and the case manager told (unless it is theirs), in one
// transaction. sourceKey identifies the form submission.
func (s *DB) NewActionDate(ctx context.Context, id int64, v caseconf.Viewer, due time.Time, reason, sourceKey string) (ActionUpdated, error) {
	return s.updateAction(ctx, id, v, sourceKey, "action.date", func(tx *sqlx.Tx, c *caseconf.Conference, a *caseconf.Action, at time.Time) (*caseconf.ActionUpdate, []Outbox, error) {
		if a.DueOn.Format(caseconf.DateLayout) == due.Format(caseconf.DateLayout) {
			return nil, nil, caseconf.Errorf(caseconf.EINVALID, "That is the date it has already.")
		}
		u := &caseconf.ActionUpdate{ActionID: a.ID, Kind: caseconf.UpdateNewDate, State: caseconf.UpdateProposed, By: v.UserID, At: at,
			Note: reason, OldDue: a.DueOn, NewDue: due}
		if err := dropProposal(ctx, tx, a.ID, at); err != nil {
			return nil, nil, err
		}
		var msgs []Outbox
		if caseconf.NewDateTakesEffect(c, v) {
			u.State = caseconf.UpdateMade
			if err := moveDue(ctx, tx, c.ID, a.ID, due, at); err != nil {
				return nil, nil, err
			}
		}
		if err := insertUpdate(ctx, tx, c, u, sourceKey); err != nil {
			return nil, nil, err
		}
		if u.State == caseconf.UpdateProposed {
			if _, err := tx.ExecContext(ctx, `UPDATE actions SET proposed_due_on = $2, updated_at = $3 WHERE id = $1`, a.ID, nullDate(due), at); err != nil {
				return nil, nil, fmt.Errorf("propose date: %w", err)
			}
		} else if a.OwnerID != "" && a.OwnerID != v.UserID {
			msgs = append(msgs, dateNotice(c, u, a.OwnerID))
		}
		return u, msgs, nil
	})
}

// updateAction is the transaction AddProgressNote and NewActionDate
// share: lock, a repeated submission, the rule, then write (which stores
// the update and says whom else to tell), the audit row and the case
// manager's notice.
func (s *DB) updateAction(ctx context.Context, id int64, v caseconf.Viewer, sourceKey, auditAction string,
	write func(*sqlx.Tx, *caseconf.Conference, *caseconf.Action, time.Time) (*caseconf.ActionUpdate, []Outbox, error)) (ActionUpdated, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return ActionUpdated{}, fmt.Errorf("update action: %w", err)
	}
	defer tx.Rollback()
	c, a, err := lockAction(ctx, tx, id)
	if err != nil {
		return ActionUpdated{}, err
	}
	rule := caseconf.CanUpdateAction(c, a, v)
	if caseconf.ErrorCode(rule) == caseconf.ENOTFOUND {
		return ActionUpdated{}, rule
	}
	if sourceKey != "" {
		prev, err := loadUpdate(ctx, tx, `source_key = $1`, sourceKey, false)
		switch {
		case err == nil && prev.ActionID == id && prev.By == v.UserID:
			return ActionUpdated{Conference: c, Action: a, Update: prev}, tx.Commit()
		case err == nil:
			return ActionUpdated{}, caseconf.Errorf(caseconf.ECONFLICT, "This form has already been used.")
		case !errors.Is(err, sql.ErrNoRows):
			return ActionUpdated{}, fmt.Errorf("update action: %w", err)
		}
	}
	if rule != nil {
		return ActionUpdated{}, rule
	}
	at := s.Now()
	u, msgs, err := write(tx, c, a, at)
	if err != nil {
		return ActionUpdated{}, err
	}
	detail := fmt.Sprintf("action %d", id)
	if u.Kind == caseconf.UpdateNewDate {
		auditAction += map[caseconf.UpdateState]string{caseconf.UpdateMade: ".change", caseconf.UpdateProposed: ".propose"}[u.State]
		detail += fmt.Sprintf(": %s to %s", u.OldDue.Format(caseconf.DateLayout), u.NewDue.Format(caseconf.DateLayout))
	}
	if err := audit(ctx, tx, auditRow{At: at, Actor: v.UserID, Action: auditAction, ConferenceID: c.ID, ClientID: c.ClientID, Detail: detail}); err != nil {
		return ActionUpdated{}, err
	}
	if v.UserID != c.CaseManagerID {
		msgs = append(msgs, Outbox{Kind: caseconf.KindActionUpdate, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindActionUpdate, u.ID),
			RecipientID: c.CaseManagerID, ConferenceID: c.ID, SubjectID: u.ID})
	}
	if _, err := enqueue(ctx, tx, at, msgs...); err != nil {
		return ActionUpdated{}, err
	}
	if a, err = loadAction(ctx, tx, id, false); err != nil {
		return ActionUpdated{}, err
	}
	if err := tx.Commit(); err != nil {
		return ActionUpdated{}, fmt.Errorf("update action: commit: %w", err)
	}
	return ActionUpdated{Conference: c, Action: a, Update: u, New: true}, nil
}

func insertUpdate(ctx context.Context, tx *sqlx.Tx, c *caseconf.Conference, u *caseconf.ActionUpdate, sourceKey string) error {
	err := tx.GetContext(ctx, &u.ID, `INSERT INTO action_updates (action_id, conference_id, kind, state, by_id, at, note, old_due_on, new_due_on, source_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		u.ActionID, c.ID, string(u.Kind), string(u.State), u.By, u.At, u.Note, nullDate(u.OldDue), nullDate(u.NewDue), nullString(sourceKey))
	if err != nil {
		return fmt.Errorf("action update: %w", err)
	}
	return nil
}

// moveDue gives action id its new date and cancels the reminders waiting
// for the old one.
func moveDue(ctx context.Context, tx *sqlx.Tx, conferenceID, id int64, due, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE actions SET due_on = $2, proposed_due_on = NULL, updated_at = $3 WHERE id = $1`,
		id, nullDate(due), at); err != nil {
		return fmt.Errorf("move action date: %w", err)
	}
	return cancelPending(ctx, tx, conferenceID, id, ActionReminderKinds, "the action's date moved")
}

// dropProposal marks the date waiting for action id's case manager, if
// any, overtaken (by another date, or the action being done).
func dropProposal(ctx context.Context, tx sqlx.ExecerContext, id int64, at time.Time) error {
	if _, err := tx.ExecContext(ctx, `UPDATE action_updates SET state = 'superseded', decided_at = $2
		WHERE action_id = $1 AND state = 'proposed'`, id, at); err != nil {
		return fmt.Errorf("drop proposed date: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE actions SET proposed_due_on = NULL WHERE id = $1 AND proposed_due_on IS NOT NULL`, id); err != nil {
		return fmt.Errorf("drop proposed date: %w", err)
	}
	return nil
}

// dateNotice tells to (the owner, or whoever proposed it) of what became
// of a new date.
func dateNotice(c *caseconf.Conference, u *caseconf.ActionUpdate, to string) Outbox {
	return Outbox{Kind: caseconf.KindActionDate, DedupKey: fmt.Sprintf("%s:%d:%s", caseconf.KindActionDate, u.ID, to),
		RecipientID: to, ConferenceID: c.ID, SubjectID: u.ID}
}

// DateDecided is what DecideActionDate did.
type DateDecided struct {
	Conference *caseconf.Conference
	Action     *caseconf.Action       // as it is now
	Update     *caseconf.ActionUpdate // the proposal, as it is now
	Changed    bool                   // false when it was decided (or overtaken) before
}

// DecideActionDate accepts (accept) the date proposed in update id, or
// keeps the old one, for v, if caseconf.CanDecideDate allows it on the
// locked conference, action and proposal. Accepting moves the action's
// date and cancels the reminders waiting for the old one. In the same
// transaction the decision is audited and whoever proposed the date is
// told. A proposal decided or overtaken before changes nothing more.
func (s *DB) DecideActionDate(ctx context.Context, id int64, v caseconf.Viewer, accept bool) (DateDecided, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return DateDecided{}, fmt.Errorf("decide date: %w", err)
	}
	defer tx.Rollback()
	u, err := loadUpdate(ctx, tx, `id = $1`, id, false)
	if errors.Is(err, sql.ErrNoRows) {
		return DateDecided{}, caseconf.CanDecideDate(nil, nil, nil, v)
	}
	if err != nil {
		return DateDecided{}, fmt.Errorf("decide date: %w", err)
	}
	c, a, err := lockAction(ctx, tx, u.ActionID)
	if caseconf.ErrorCode(err) == caseconf.ENOTFOUND {
		return DateDecided{}, caseconf.CanDecideDate(nil, nil, nil, v)
	}
	if err != nil {
		return DateDecided{}, err
	}
	if u, err = loadUpdate(ctx, tx, `id = $1`, id, true); err != nil {
		return DateDecided{}, fmt.Errorf("decide date: %w", err)
	}
	if err := caseconf.CanDecideDate(c, a, u, v); err != nil {
		return DateDecided{}, err
	}
	if u.State != caseconf.UpdateProposed {
		return DateDecided{Conference: c, Action: a, Update: u}, tx.Commit()
	}
	at := s.Now()
	state, what := caseconf.UpdateKept, "action.date.keep"
	if accept {
		if err := caseconf.CanAcceptDate(u, at); err != nil {
			return DateDecided{}, err
		}
		state, what = caseconf.UpdateAccepted, "action.date.accept"
		if err := moveDue(ctx, tx, c.ID, a.ID, u.NewDue, at); err != nil {
			return DateDecided{}, err
		}
	} else if _, err := tx.ExecContext(ctx, `UPDATE actions SET proposed_due_on = NULL, updated_at = $2 WHERE id = $1`, a.ID, at); err != nil {
		return DateDecided{}, fmt.Errorf("decide date: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE action_updates SET state = $2, decided_by = $3, decided_at = $4 WHERE id = $1`,
		id, string(state), v.UserID, at); err != nil {
		return DateDecided{}, fmt.Errorf("decide date: %w", err)
	}
	if err := audit(ctx, tx, auditRow{At: at, Actor: v.UserID, Action: what, ConferenceID: c.ID, ClientID: c.ClientID,
		Detail: fmt.Sprintf("action %d: %s proposed %s", a.ID, u.OldDue.Format(caseconf.DateLayout), u.NewDue.Format(caseconf.DateLayout))}); err != nil {
		return DateDecided{}, err
	}
	if u.By != v.UserID {
		if _, err := enqueue(ctx, tx, at, dateNotice(c, u, u.By)); err != nil {
			return DateDecided{}, err
		}
	}
	if u, err = loadUpdate(ctx, tx, `id = $1`, id, false); err != nil {
		return DateDecided{}, fmt.Errorf("decide date: %w", err)
	}
	if a, err = loadAction(ctx, tx, a.ID, false); err != nil {
		return DateDecided{}, err
	}
	if err := tx.Commit(); err != nil {
		return DateDecided{}, fmt.Errorf("decide date: commit: %w", err)
	}
	return DateDecided{Conference: c, Action: a, Update: u, Changed: true}, nil
}
