package main

import (
	"fmt"
	"testing"
)

// Dates that make sense: each date outside its window is answered on its
// own field, and nothing is stored: a conference, consent given or valid
// until, a review, an action's date, and an action's new date.
func TestDatesOutsideTheirWindowsAnsweredOnTheirFields(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	refused := func(t *testing.T, ack map[string]any, field string) {
		t.Helper()
		errs, _ := ack["errors"].(map[string]any)
		if ack["response_action"] != "errors" || errs[field] == nil {
			t.Fatalf("ack = %v, want an error on %s", ack, field)
		}
	}

	for i, tc := range []struct {
		name, field string
		form        form
	}{
		{"Conference9999", "date", scheduleForm().date("date", "9999-12-31")},
		{"ConferenceJustPastTwoYears", "date", scheduleForm().date("date", "2028-11-03").date("consent_until", "2029-06-01")},
		{"ConsentGiven1900", "consent_given", scheduleForm().date("consent_given", "1900-01-01")},
		{"ConsentGivenTomorrow", "consent_given", scheduleForm().date("consent_given", "2026-11-03")},
		{"ConsentUntil9999", "consent_until", scheduleForm().date("consent_until", "9999-12-31")},
	} {
		t.Run("Schedule"+tc.name, func(t *testing.T) {
			refused(t, a.viewSubmission("U0CM", "schedule", fmt.Sprintf("VWIN%d", i), "", tc.form, 0), tc.field)
		})
	}
	if n := a.count(`SELECT count(*) FROM conferences`); n != 0 {
		t.Fatalf("%d conferences stored from dates out of their windows", n)
	}

	// A conference that was held, for the forms after it.
	a.heldConference()
	consents := a.count(`SELECT count(*) FROM consents`)
	renew := func() form {
		return form{}.choice("consent_change", "renew").choice("consent_method", "written").
			date("consent_given", "2026-11-02").choices("agency_kinds", "health_gp")
	}
	refused(t, a.viewSubmission("U0CM", "consent", "VWINC1", "JS-4411", renew().date("consent_given", "1900-01-01"), 0), "consent_given")
	refused(t, a.viewSubmission("U0CM", "consent", "VWINC2", "JS-4411", renew().date("consent_until", "9999-12-31"), 0), "consent_until")
	if n := a.count(`SELECT count(*) FROM consents`); n != consents {
		t.Errorf("%d consents recorded from dates out of their windows", n-consents)
	}

	meta, _ := a.openOutcomeAs("U0CM")
	refused(t, a.viewSubmission("U0CM", "outcome", "VWINO1", meta, minimalOutcome().date("review_on", "9999-12-31"), 0), "review_on")
	refused(t, a.viewSubmission("U0CM", "outcome", "VWINO2", meta, minimalOutcome().date("review_on", "2028-10-31"), 0), "review_on")
	refused(t, a.viewSubmission("U0CM", "outcome", "VWINO3", meta, minimalOutcome().date("act_due_1", "9999-12-31"), 0), "act_due_1")
	if n := a.count(`SELECT count(*) FROM outcomes`) + a.count(`SELECT count(*) FROM actions`); n != 0 {
		t.Fatalf("%d outcomes and actions stored from dates out of their windows", n)
	}

	// The plan recorded, a new date for an action, by its owner and by
	// the case manager (whose date would take effect at once).
	a.recordOutcome()
	sw := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0SW'`)
	due := a.count(`SELECT count(*) FROM actions WHERE due_on > '2031-11-02'`)
	updates := a.count(`SELECT count(*) FROM action_updates`)
	for _, user := range []string{"U0SW", "U0CM"} {
		meta := a.openForm(user, "action_date", fmt.Sprintf("a%d", sw), "action_date")
		refused(t, a.viewSubmission(user, "action_date", "VWINA"+user, meta, form{}.date("new_due", "9999-12-31").text("due_reason", "Panel"), 0), "new_due")
		refused(t, a.viewSubmission(user, "action_date", "VWINB"+user, meta, form{}.date("new_due", "2031-11-03").text("due_reason", "Panel"), 0), "new_due")
	}
	if n := a.count(`SELECT count(*) FROM action_updates`); n != updates {
		t.Errorf("%d action updates stored from new dates out of their window", n-updates)
	}
	if n := a.count(`SELECT count(*) FROM actions WHERE due_on > '2031-11-02'`); n != due || due != 0 {
		t.Errorf("%d actions moved past the window (%d before)", n, due)
	}
}
