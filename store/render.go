package store

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// RenderData is everything a batch of outbox messages needs to be
// rendered, read at once for the whole batch (RenderData): rendering a
// message reads nothing more. Whatever a message is about that no longer
// exists is absent from its map (a nil).
type RenderData struct {
	At          time.Time                          // when it was read
	Conferences map[int64]*caseconf.Conference     // by ID: every message's conference
	Reminders   map[int64]caseconf.ReminderState   // by message ID: what each reminder needs
	Outcomes    map[int64]*caseconf.Outcome        // by conference ID: absent when none is recorded
	ShareLists  map[int64][]ShareEntry             // by conference ID, with why the minutes were withheld
	Actions     map[int64]*caseconf.Action         // by ID
	Updates     map[int64]*caseconf.ActionUpdate   // by ID
	Failed      map[int64][]string                 // by conference ID: Slack users whose invitation could not be delivered
	Messages    map[int64]*Outbox                  // by ID: the messages a send_failed notice is about
	Edits       map[int64]*caseconf.ConferenceEdit // by ID: the changes to conferences notices tell of
	Emails      map[int64]EmailData                // by message ID: what an e-mail of the minutes carries
}

// RenderData reads what messages ms need to be rendered, in a few
// statements by kind for the whole batch: their conferences; the state of
// each reminder; the recorded outcomes the minutes, the case manager's
// notice and the handover offer are made from, and the share lists the
// notice lists; the actions and
// updates to actions the action messages tell of; the failed invitations
// a summary lists; the messages a failure notice is about.
func (s *DB) RenderData(ctx context.Context, ms []Outbox) (*RenderData, error) {
	d := &RenderData{At: time.Now(), Outcomes: map[int64]*caseconf.Outcome{}, ShareLists: map[int64][]ShareEntry{},
		Actions: map[int64]*caseconf.Action{}, Updates: map[int64]*caseconf.ActionUpdate{},
		Failed: map[int64][]string{}, Messages: map[int64]*Outbox{}, Emails: map[int64]EmailData{}}
	var conferences, outcomes, shareLists, summaries, actions, updates, messages, edits ids
	var emails []int64
	for _, m := range ms {
		conferences.add(m.ConferenceID)
		switch {
		case m.Kind == caseconf.KindEmailMinutes:
			emails = append(emails, m.ID)
		case m.Kind == caseconf.KindMinutes, m.Kind == caseconf.KindAmendedMinutes:
			outcomes.add(m.ConferenceID)
		case m.Kind == caseconf.KindMinutesWithheld:
			outcomes.add(m.ConferenceID)
			shareLists.add(m.ConferenceID)
		case m.Kind == caseconf.KindHandoverOffer:
			outcomes.add(m.ConferenceID)
		case m.Kind == caseconf.KindActionAmended, m.Kind == caseconf.KindActionRemoved:
			// a correction's action messages say what changed and why
			outcomes.add(m.ConferenceID)
			actions.add(m.SubjectID)
		case m.Kind == caseconf.KindSummary:
			summaries.add(m.ConferenceID)
		case m.Kind == caseconf.KindSendFailed:
			messages.add(m.SubjectID)
		case m.Kind.Subject() == caseconf.SubjectAction:
			actions.add(m.SubjectID)
		case m.Kind.Subject() == caseconf.SubjectUpdate:
			updates.add(m.SubjectID)
		case m.Kind.Subject() == caseconf.SubjectEdit:
			edits.add(m.SubjectID)
		}
	}
	var err error
	if d.Conferences, err = s.ConferenceSnapshots(ctx, conferences); err != nil {
		return nil, err
	}
	if err := s.readEmails(ctx, d, emails); err != nil {
		return nil, err
	}
	if d.Edits, err = readEdits(ctx, s.db, edits); err != nil {
		return nil, err
	}
	if len(updates) > 0 {
		var rows []updateRow
		if err := s.db.SelectContext(ctx, &rows, `SELECT `+updateColumns+` FROM action_updates WHERE id = ANY($1)`, pq.Array(updates)); err != nil {
			return nil, fmt.Errorf("render: action updates: %w", err)
		}
		for i := range rows {
			u := rows[i].update()
			d.Updates[u.ID] = u
			actions.add(u.ActionID)
		}
	}
	if len(actions) > 0 {
		var rows []actionRow
		if err := s.db.SelectContext(ctx, &rows, `SELECT `+actionColumns+` FROM actions WHERE id = ANY($1)`, pq.Array(actions)); err != nil {
			return nil, fmt.Errorf("render: actions: %w", err)
		}
		for i := range rows {
			d.Actions[rows[i].ID] = rows[i].action()
		}
	}
	if d.Reminders, err = s.reminderStates(ctx, ms, d.Actions); err != nil {
		return nil, err
	}
	// Outcomes and share lists are read conference by conference: a batch
	// holds the messages of one outcome or a few.
	for _, id := range outcomes {
		o, err := readOutcome(ctx, s.db, id)
		switch {
		case caseconf.ErrorCode(err) == caseconf.ENOTFOUND:
		case err != nil:
			return nil, err
		default:
			d.Outcomes[id] = o
		}
	}
	for _, id := range shareLists {
		if d.ShareLists[id], err = readShareList(ctx, s.db, id); err != nil {
			return nil, err
		}
	}
	if len(summaries) > 0 {
		var rows []struct {
			ConferenceID int64  `db:"conference_id"`
			UserID       string `db:"recipient_id"`
		}
		if err := s.db.SelectContext(ctx, &rows, `SELECT conference_id, recipient_id FROM outbox
			WHERE conference_id = ANY($1) AND kind = $2 AND state = 'failed' ORDER BY id`, pq.Array(summaries), caseconf.KindInvitation); err != nil {
			return nil, fmt.Errorf("render: failed invitations: %w", err)
		}
		for _, r := range rows {
			d.Failed[r.ConferenceID] = append(d.Failed[r.ConferenceID], r.UserID)
		}
	}
	if len(messages) > 0 {
		var rows []outboxRow
		if err := s.db.SelectContext(ctx, &rows, `SELECT `+outboxColumns+` FROM outbox WHERE id = ANY($1)`, pq.Array(messages)); err != nil {
			return nil, fmt.Errorf("render: outbox messages: %w", err)
		}
		for i := range rows {
			m := rows[i].outbox()
			d.Messages[m.ID] = &m
		}
	}
	return d, nil
}

// ids is a list of IDs without repeats or zeros.
type ids []int64

func (l *ids) add(id int64) {
	if id == 0 {
		return
	}
	for _, x := range *l {
		if x == id {
			return
		}
	}
	*l = append(*l, id)
}
