package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// Edit is a change to a conference as submitted: the schedule as its
// form now stands (caseconf.ScheduleForm.ValidateEdit), who submitted it,
// the conference's calendar SEQUENCE when the form was opened (a change
// saved since makes the form stale), and the form submission.
type Edit struct {
	ConferenceID int64
	Viewer       caseconf.Viewer
	Opened       int
	SourceKey    string
	// Form is the form as typed; it is validated against the conference
	// as it is under the lock, so the notice and consent rules see the
	// meeting's date as stored.
	Form caseconf.ScheduleForm
	Cal  caseconf.Calendar
}

// EditForm reads the conference with reference ref (or, when ref is "",
// ID id) for its edit form, if v may change it now (caseconf.CanEdit),
// auditing the read. To someone who may not see it, it does not exist.
func (s *DB) EditForm(ctx context.Context, ref string, id int64, v caseconf.Viewer, now time.Time) (*caseconf.Conference, error) {
	where, arg := `c.id = $3`, any(id)
	if ref != "" {
		where, arg = `c.ref = upper($3)`, any(strings.TrimSpace(ref))
	}
	var refusal error
	c, err := s.readConferenceThen(ctx, v, "conference.edit_form", where, arg, func(_ *sqlx.Tx, c *caseconf.Conference) error {
		refusal = caseconf.CanEdit(c, v, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, refusal
}

// EditConference saves edit e, if its submitter may change the conference
// (caseconf.CanEdit, decided on the locked row) and nothing was saved
// since the form was opened (otherwise caseconf.EditStale): the
// conference's fields; invitees added, corrected and taken off (kept,
// with when; their waiting reminders and messages cancelled); the change,
// with what each thing was before, in conference_edits and the audit log;
// and, written down in the same transaction, an invitation with its
// calendar file for each new invitee, and for everyone else involved one
// notice of what changed with the calendar file at its raised SEQUENCE,
// or, for those no longer involved, that they are not, with the calendar's
// cancellation. A move re-plans the reminders tied to the meeting's date.
//
// It returns the conference as it now is and the edit, or a nil edit when
// the form changed nothing. Field errors come back as caseconf.FieldErrors
// in errs. The same form submitted again returns the edit it saved.
func (s *DB) EditConference(ctx context.Context, e Edit) (c *caseconf.Conference, edit *caseconf.ConferenceEdit, errs caseconf.FieldErrors, err error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("edit conference: %w", err)
	}
	defer tx.Rollback()
	now := s.Now()
	before, err := lockConference(ctx, tx, e.ConferenceID)
	if err != nil {
		return nil, nil, nil, err
	}
	if e.SourceKey != "" {
		if done, err := editBySource(ctx, tx, e.SourceKey); err != nil {
			return nil, nil, nil, err
		} else if done != nil {
			if done.ConferenceID != before.ID || done.By != e.Viewer.UserID {
				return nil, nil, nil, caseconf.Errorf(caseconf.ECONFLICT, "This form has already been used. Please open it again with `/caseconf edit %s`.", before.Ref)
			}
			return before, done, nil, tx.Commit()
		}
	}
	if err := caseconf.CanEdit(before, e.Viewer, now); err != nil {
		return nil, nil, nil, err
	}
	if before.CalendarSequence != e.Opened {
		return nil, nil, nil, caseconf.EditStale(before.Ref)
	}
	sched, errs := e.Form.ValidateEdit(before, now, e.Cal)
	if errs != nil {
		return nil, nil, errs, nil
	}
	plan, err := caseconf.PlanEdit(before, sched)
	if err != nil {
		return nil, nil, nil, err
	}
	if plan.Empty() {
		return before, nil, nil, tx.Commit()
	}

	_, err = tx.ExecContext(ctx, `UPDATE conferences SET reasons = $2, purpose = $3, starts_at = $4, duration_minutes = $5,
			place = $6, chair_id = $7, minute_taker_id = $8, client_attends = $9, client_absence = $10,
			client_told_how = $11, urgent = $12, urgent_reason = $13, updated_at = $14, child_care_manager = $15,
			calendar_sequence = calendar_sequence + 1
		WHERE id = $1`,
		before.ID, pq.StringArray(sched.Reasons), sched.Purpose, sched.StartsAt.UTC(), sched.LengthMinutes, sched.Place,
		sched.Chair, sched.MinuteTaker, sched.ClientAttends, nullString(sched.ClientAbsence), nullString(sched.ClientToldHow),
		sched.Urgent, nullString(sched.UrgentReason), now, nullString(sched.ChildCareManager))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("edit conference: %w", err)
	}
	if err := insertInvitees(ctx, tx, before.ID, plan.InviteSlack, plan.AddExternal, now); err != nil {
		return nil, nil, nil, err
	}
	for _, x := range plan.UpdateExternal {
		if _, err := tx.ExecContext(ctx, `UPDATE invitees SET name = $3, role = $4, agency = $5, agency_kind = $6, email = $7, phone = $8
			WHERE id = $1 AND conference_id = $2 AND slack_user_id IS NULL`,
			x.ID, before.ID, x.Name, x.Role, x.Agency, x.AgencyKind, x.Email, x.Phone); err != nil {
			return nil, nil, nil, fmt.Errorf("edit conference: invitee: %w", err)
		}
	}
	if len(plan.Uninvite) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE invitees SET removed_at = $3 WHERE conference_id = $1 AND id = ANY($2)`,
			before.ID, pq.Array(plan.Uninvite), now); err != nil {
			return nil, nil, nil, fmt.Errorf("edit conference: uninvite: %w", err)
		}
		// Nothing more goes to them about it but the notice below: an
		// invitation or calendar file not yet sent, and every reminder.
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', errors = array_append(errors, 'no longer invited')
			WHERE conference_id = $1 AND subject_id = ANY($2) AND kind = ANY($3) AND state = 'pending'`,
			before.ID, pq.Array(plan.Uninvite), pq.Array(kindTexts(caseconf.KindInvitation, caseconf.KindCalendar,
				caseconf.KindInvitationUnanswered, caseconf.KindReportOwed, caseconf.KindEmailInvitation, caseconf.KindEmailChange))); err != nil {
			return nil, nil, nil, fmt.Errorf("edit conference: uninvite: %w", err)
		}
	}
	edit = &caseconf.ConferenceEdit{ConferenceID: before.ID, Sequence: before.CalendarSequence + 1, By: e.Viewer.UserID, At: now, Changes: plan.Changes}
	if err := replanMeetingReminders(ctx, tx, before.ID); err != nil {
		return nil, nil, nil, err
	}
	changes, err := json.Marshal(edit.Changes)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("edit conference: %w", err)
	}
	if err := tx.GetContext(ctx, &edit.ID, `INSERT INTO conference_edits (conference_id, sequence, edited_by, edited_at, changes, source_key)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, before.ID, edit.Sequence, edit.By, now, string(changes), nullString(e.SourceKey)); err != nil {
		return nil, nil, nil, fmt.Errorf("edit conference: %w", err)
	}
	// The audit names what changed; what each was before is the edit's
	// row (conference_edits), which the record's history shows.
	if err := audit(ctx, tx, auditRow{At: now, Actor: e.Viewer.UserID, Action: "conference.edit", ConferenceID: before.ID, ClientID: before.ClientID,
		Detail: "change " + strconv.FormatInt(edit.ID, 10) + ": " + edit.Fields()}); err != nil {
		return nil, nil, nil, err
	}
	c, err = loadConference(ctx, tx, before.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	if ids := readdressed(before, c); s.Mail && len(ids) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', errors = array_append(errors, 'the address was corrected')
			WHERE conference_id = $1 AND subject_id = ANY($2) AND kind = ANY($3) AND state = 'pending'`,
			before.ID, pq.Array(ids), pq.Array(kindTexts(caseconf.KindEmailInvitation, caseconf.KindEmailChange))); err != nil {
			return nil, nil, nil, fmt.Errorf("edit conference: readdressed: %w", err)
		}
	}
	if _, err := enqueue(ctx, tx, now, append(editMessages(before, c, edit), s.emailEditMessages(before, c, edit)...)...); err != nil {
		return nil, nil, nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, nil, nil, fmt.Errorf("edit conference: commit: %w", err)
	}
	return c, edit, nil, nil
}

// replanMeetingReminders drops the waiting reminders timed by the
// meeting's date and sent to those it involves (an invitee's answer and
// report chased, the morning of the meeting), and frees their slots, so
// the next sweep plans them afresh from the conference as it now is: for
// its new date, its new chair, without those no longer invited.
func replanMeetingReminders(ctx context.Context, tx *sqlx.Tx, conferenceID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', errors = array_append(errors, 'the conference changed'),
			dedup_key = dedup_key || ':replanned:' || id
		WHERE conference_id = $1 AND kind = ANY($2) AND state = 'pending'`,
		conferenceID, pq.Array(kindTexts(caseconf.KindInvitationUnanswered, caseconf.KindReportOwed, caseconf.KindConferenceToday)))
	if err != nil {
		return fmt.Errorf("edit conference: reminders: %w", err)
	}
	return nil
}

// editMessages are the messages edit e of a conference (before it, and
// after) calls for: to each new invitee on Slack, the invitation and its
// calendar file; to each invitee on Slack still invited, their invitation
// updated in place; to each Slack user still involved, one notice of what
// changed (caseconf.NoticeOfEdit) and, if invited, the calendar file at
// the new SEQUENCE; to each no longer involved, a notice saying so, and,
// if they were invited, the calendar's cancellation and the deletion of
// their invitation.
func editMessages(before, after *caseconf.Conference, e *caseconf.ConferenceEdit) []Outbox {
	var out []Outbox
	for i := range after.Invitees {
		inv := &after.Invitees[i]
		if inv.OnSlack() && before.InviteeFor(inv.SlackUserID) == nil {
			out = append(out, Outbox{Kind: caseconf.KindInvitation, DedupKey: fmt.Sprintf("%s:%d", caseconf.KindInvitation, inv.ID),
				RecipientID: inv.SlackUserID, ConferenceID: after.ID, SubjectID: inv.ID},
				calendarMessage(after, inv))
		}
	}
	// Each invitation already out is updated in place to the conference
	// as it now stands (once per change: the latest wins).
	for i := range after.Invitees {
		inv := &after.Invitees[i]
		if inv.OnSlack() && before.Invitee(inv.ID) != nil {
			out = append(out, Outbox{Kind: caseconf.KindInvitationUpdate, DedupKey: fmt.Sprintf("%s:%d:%d", caseconf.KindInvitationUpdate, inv.ID, e.Sequence),
				RecipientID: inv.SlackUserID, ConferenceID: after.ID, SubjectID: inv.ID})
		}
	}
	// The invitation of someone taken off the list goes from their DMs,
	// with the details they saw in it and buttons that no longer work:
	// the notice below tells them why.
	for i := range before.Invitees {
		inv := &before.Invitees[i]
		if inv.OnSlack() && after.Invitee(inv.ID) == nil && inv.Invitation.Posted() {
			out = append(out, Outbox{Kind: caseconf.KindDeleteMessage,
				DedupKey:    string(caseconf.KindDeleteMessage) + ":" + inv.Invitation.Channel + ":" + inv.Invitation.TS,
				RecipientID: inv.Invitation.Channel})
		}
	}
	n := caseconf.NoticeOfEdit(before, after)
	for _, u := range n.Changed {
		out = append(out, Outbox{Kind: caseconf.KindConferenceChanged, DedupKey: fmt.Sprintf("%s:%d:%s", caseconf.KindConferenceChanged, e.ID, u),
			RecipientID: u, ConferenceID: after.ID, SubjectID: e.ID})
		if inv := after.InviteeFor(u); inv != nil {
			out = append(out, calendarMessage(after, inv))
		}
	}
	for _, u := range n.Dropped {
		out = append(out, Outbox{Kind: caseconf.KindUninvited, DedupKey: fmt.Sprintf("%s:%d:%s", caseconf.KindUninvited, e.ID, u),
			RecipientID: u, ConferenceID: after.ID, SubjectID: e.ID})
		if inv := before.InviteeFor(u); inv != nil {
			out = append(out, Outbox{Kind: caseconf.KindCalendarCancel, DedupKey: fmt.Sprintf("%s:%d:%d", caseconf.KindCalendarCancel, inv.ID, e.Sequence),
				RecipientID: u, ConferenceID: after.ID, SubjectID: inv.ID})
		}
	}
	return out
}

// editBySource is the edit a form submission saved, or nil.
func editBySource(ctx context.Context, tx *sqlx.Tx, key string) (*caseconf.ConferenceEdit, error) {
	var rows []editRow
	if err := tx.SelectContext(ctx, &rows, `SELECT `+editColumns+` FROM conference_edits WHERE source_key = $1`, key); err != nil {
		return nil, fmt.Errorf("edit conference: %w", err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return rows[0].edit()
}

const editColumns = `id, conference_id, sequence, edited_by, edited_at, changes`

type editRow struct {
	ID           int64     `db:"id"`
	ConferenceID int64     `db:"conference_id"`
	Sequence     int       `db:"sequence"`
	EditedBy     string    `db:"edited_by"`
	EditedAt     time.Time `db:"edited_at"`
	Changes      []byte    `db:"changes"`
}

func (r *editRow) edit() (*caseconf.ConferenceEdit, error) {
	e := &caseconf.ConferenceEdit{ID: r.ID, ConferenceID: r.ConferenceID, Sequence: r.Sequence, By: r.EditedBy, At: r.EditedAt}
	if err := json.Unmarshal(r.Changes, &e.Changes); err != nil {
		return nil, fmt.Errorf("read a conference's change %d: %w", r.ID, err)
	}
	return e, nil
}

// readEdits reads the edits with these IDs.
func readEdits(ctx context.Context, q sqlx.QueryerContext, ids []int64) (map[int64]*caseconf.ConferenceEdit, error) {
	out := map[int64]*caseconf.ConferenceEdit{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []editRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+editColumns+` FROM conference_edits WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	for i := range rows {
		e, err := rows[i].edit()
		if err != nil {
			return nil, err
		}
		out[e.ID] = e
	}
	return out, nil
}

// ConferenceEdits reads every change saved to conference id, oldest
// first, for its record (the caller has checked who may read it).
func conferenceEdits(ctx context.Context, q sqlx.QueryerContext, id int64) ([]*caseconf.ConferenceEdit, error) {
	var rows []editRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+editColumns+` FROM conference_edits WHERE conference_id = $1 ORDER BY id`, id); err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	out := make([]*caseconf.ConferenceEdit, 0, len(rows))
	for i := range rows {
		e, err := rows[i].edit()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
