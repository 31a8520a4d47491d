package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/caseconf/caseconf"
)

// Reminder kinds the store stops when what they chase is done, in the
// transaction of that change (as text, for the queries).
var (
	// InvitationReminderKinds chase an invitee for an answer.
	InvitationReminderKinds = kindTexts(caseconf.KindInvitationUnanswered)
	// ReportReminderKinds chase an invitee who can't attend for a report.
	ReportReminderKinds = kindTexts(caseconf.KindReportOwed)
	// ActionReminderKinds chase an action's owner, or its case manager.
	ActionReminderKinds = kindTexts(caseconf.KindActionDueSoon, caseconf.KindActionDueToday, caseconf.KindActionOverdue, caseconf.KindActionOverdueManager)
	// OutcomeReminderKinds chase the chair for the outcome.
	OutcomeReminderKinds = kindTexts(caseconf.KindOutcomeNotRecorded)
)

// kindTexts is kinds as the text the database keeps.
func kindTexts(kinds ...caseconf.MessageKind) []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = string(k)
	}
	return out
}

// cancelPending drops, in tx, the pending outbox messages of kinds about
// subject (an invitee or an action, by kind) of the conference, snoozed
// copies included, keeping why. A message already in flight is left to
// its sender, whose rendering at send time finds it no longer applies.
func cancelPending(ctx context.Context, tx sqlx.ExecerContext, conferenceID, subject int64, kinds []string, why string) error {
	_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'cancelled', errors = array_append(errors, $4)
		WHERE conference_id = $1 AND subject_id = $2 AND kind = ANY($3) AND state = 'pending'`,
		conferenceID, subject, pq.Array(kinds), why)
	if err != nil {
		return fmt.Errorf("cancel pending reminders: %w", err)
	}
	return nil
}
