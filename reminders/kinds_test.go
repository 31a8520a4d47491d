package reminders_test

import (
	"slices"
	"testing"

	"github.com/caseconf/caseconf/reminders"
	"github.com/caseconf/caseconf/store"
)

// The store cancels pending reminders by kind when what they chase is
// done (an answer, a report, an action marked done); it names the kinds
// itself, since this package imports it. They must be this package's.
func TestStoreStopsTheRightKinds(t *testing.T) {
	kinds := func(ks ...reminders.Kind) []string {
		out := make([]string, len(ks))
		for i, k := range ks {
			out[i] = string(k)
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		store, want []string
	}{
		{"Invitation", store.InvitationReminderKinds, kinds(reminders.InvitationUnanswered)},
		{"Report", store.ReportReminderKinds, kinds(reminders.ReportOwed)},
		{"Outcome", store.OutcomeReminderKinds, kinds(reminders.OutcomeNotRecorded)},
		{"Action", store.ActionReminderKinds, kinds(reminders.ActionDueSoon, reminders.ActionDueToday, reminders.ActionOverdue, reminders.ActionOverdueManager)},
	} {
		if !slices.Equal(tc.store, tc.want) {
			t.Errorf("%s: the store stops %v, the reminders are %v", tc.name, tc.store, tc.want)
		}
	}
}
