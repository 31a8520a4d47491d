package main

import (
	"strings"
	"testing"
)

// After the outcome, show gives those who may see the case details the
// summary and the action plan, each action with its owner, date and
// state: done, not achieved, and open (overdue, with a new date its owner
// proposed). The probation officer, whose agency the consent does not
// cover, sees no action's text; an outsider reads "no conference".
func TestShowPlanAfterOutcome(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	if got := a.commandText("U0CM", "show CC-0001"); strings.Contains(got, "Action plan") {
		t.Fatalf("show has an action plan before the outcome: %s", got)
	}
	a.recordOutcome()
	a.count(`UPDATE actions SET status = 'done', done_at = now(), done_by = 'U0GP' WHERE owner_slack_id = 'U0GP' RETURNING id`)
	a.count(`UPDATE actions SET status = 'not_achieved', closed_at = now(), closed_by = 'U0SW', close_reason = 'The panel refused it'
		WHERE owner_slack_id = 'U0SW' RETURNING id`)
	a.count(`UPDATE actions SET due_on = '2026-10-30', proposed_due_on = '2026-12-18' WHERE owner_name = 'Ann Lee' RETURNING id`)

	got := a.commandText("U0CM", "show CC-0001")
	for _, want := range []string{
		"Rent arrears of six weeks", "review by", "3 actions, 1 open",
		"Medication review at the surgery", "*done*", `owner \u003c@U0GP`,
		"Apply for tenancy sustainment support", "closed: not achieved", "The panel refused it", `owner \u003c@U0SW`,
		"Benefits check", "*open*", "overdue", "a new date proposed", "Ann Lee, Acacia House (not on Slack)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the case manager's show lacks %q: %s", want, got)
		}
	}
	if i, j := strings.Index(got, "Medication review"), strings.Index(got, "Benefits check"); i < 0 || j < i {
		t.Errorf("the plan is not in its order: %s", got)
	}
	if sw := a.commandText("U0SW", "show CC-0001"); !strings.Contains(sw, "closed: not achieved") || !strings.Contains(sw, "Benefits check") {
		t.Errorf("the social worker's show: %s", sw)
	}
	prob := a.commandText("U0PROB", "show CC-0001")
	if !strings.Contains(prob, "CC-0001") || !strings.Contains(prob, "does not cover") {
		t.Fatalf("the probation officer's show: %s", prob)
	}
	for _, secret := range []string{"Medication review", "tenancy sustainment", "Benefits check", "Rent arrears", "panel refused"} {
		if strings.Contains(prob, secret) {
			t.Errorf("the probation officer's show holds %q: %s", secret, prob)
		}
	}
	if out := a.commandText("U0OUT", "show CC-0001"); !strings.Contains(out, "no conference") || strings.Contains(out, "Benefits") {
		t.Errorf("an outsider's show: %s", out)
	}
}
