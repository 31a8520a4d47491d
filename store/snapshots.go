package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// Reading for the outbox sender: what a batch of claimed messages needs to
// be rendered, in a few statements for the whole batch rather than a few
// per message (RenderData, store/render.go).

// ConferenceSnapshots reads conferences by ID with no viewer and no audit
// row, as ConferenceSnapshot does, in three statements whatever their
// number. A conference that does not exist is absent from the map.
func (s *DB) ConferenceSnapshots(ctx context.Context, ids []int64) (map[int64]*caseconf.Conference, error) {
	out := make(map[int64]*caseconf.Conference, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []conferenceRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+conferenceColumns+` FROM `+conferenceFrom+` WHERE c.id = ANY($1)`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load conferences: %w", err)
	}
	for i := range rows {
		c := rows[i].conference()
		out[c.ID] = c
	}
	var invitees []inviteeRow
	if err := s.db.SelectContext(ctx, &invitees, inviteeSelect+`
		AND i.conference_id = ANY($1) ORDER BY i.conference_id, i.slack_user_id IS NULL, i.id`, pq.Array(ids)); err != nil {
		return nil, fmt.Errorf("load invitees: %w", err)
	}
	for i := range invitees {
		if c := out[invitees[i].ConferenceID]; c != nil {
			c.Invitees = append(c.Invitees, invitees[i].invitee())
		}
	}
	if err := loadSharers(ctx, s.db, out); err != nil {
		return nil, err
	}
	for _, c := range out {
		if c.Invitees == nil {
			c.Invitees = []caseconf.Invitee{}
		}
	}
	return out, nil
}

// reminderStates works out, for each reminder in ms, what it needs to say
// (caseconf.ReminderState), keyed by the message's ID: one statement for
// each of reports, outcomes and consents that the batch's kinds need. An
// action reminder's action is taken from actions, read with the batch.
func (s *DB) reminderStates(ctx context.Context, ms []Outbox, actions map[int64]*caseconf.Action) (map[int64]caseconf.ReminderState, error) {
	var invitees, conferences, consents []int64
	for _, m := range ms {
		if !m.Kind.Reminder() {
			continue
		}
		switch m.Kind.Subject() {
		case caseconf.SubjectInvitee:
			invitees = append(invitees, m.SubjectID)
		case caseconf.SubjectConference:
			conferences = append(conferences, m.ConferenceID)
		case caseconf.SubjectConsent:
			consents = append(consents, m.SubjectID)
		}
	}
	reported := map[int64]bool{}
	if len(invitees) > 0 {
		var ids []int64
		if err := s.db.SelectContext(ctx, &ids, `SELECT invitee_id FROM reports WHERE invitee_id = ANY($1)`, pq.Array(invitees)); err != nil {
			return nil, fmt.Errorf("reminder state: reports: %w", err)
		}
		for _, id := range ids {
			reported[id] = true
		}
	}
	reviews := map[int64]sql.NullTime{} // present: the outcome is recorded
	if len(conferences) > 0 {
		var rows []struct {
			ConferenceID int64        `db:"conference_id"`
			ReviewOn     sql.NullTime `db:"review_on"`
		}
		if err := s.db.SelectContext(ctx, &rows, `SELECT conference_id, review_on FROM outcomes WHERE conference_id = ANY($1)`, pq.Array(conferences)); err != nil {
			return nil, fmt.Errorf("reminder state: outcomes: %w", err)
		}
		for _, r := range rows {
			reviews[r.ConferenceID] = r.ReviewOn
		}
	}
	until := map[int64]time.Time{}
	if len(consents) > 0 {
		var rows []struct {
			ID         int64     `db:"id"`
			ValidUntil time.Time `db:"valid_until"`
		}
		// Only while it is still the client's current consent: a renewal
		// recorded since the sweep stops the reminder.
		if err := s.db.SelectContext(ctx, &rows, `SELECT co.id, co.valid_until FROM consents co
			WHERE co.id = ANY($1) AND co.valid_until IS NOT NULL AND NOT EXISTS (SELECT 1 FROM consents later
				WHERE later.client_id = co.client_id AND (later.recorded_at, later.id) > (co.recorded_at, co.id))`, pq.Array(consents)); err != nil {
			return nil, fmt.Errorf("reminder state: consents: %w", err)
		}
		for _, r := range rows {
			until[r.ID] = dateOf(sql.NullTime{Time: r.ValidUntil, Valid: true})
		}
	}
	out := make(map[int64]caseconf.ReminderState, len(ms))
	for _, m := range ms {
		if !m.Kind.Reminder() {
			continue
		}
		var st caseconf.ReminderState
		switch m.Kind.Subject() {
		case caseconf.SubjectInvitee:
			st.ReportSent = reported[m.SubjectID]
		case caseconf.SubjectConference:
			review, recorded := reviews[m.ConferenceID]
			st.OutcomeRecorded, st.ReviewOn = recorded, dateOf(review)
		case caseconf.SubjectAction:
			if a := actions[m.SubjectID]; a != nil && a.ConferenceID == m.ConferenceID {
				st.Action = a
			}
		case caseconf.SubjectConsent:
			st.ConsentUntil = until[m.SubjectID]
		}
		out[m.ID] = st
	}
	return out, nil
}
