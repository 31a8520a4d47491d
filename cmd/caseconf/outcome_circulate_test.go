package main

import (
	"fmt"
	"strings"
	"testing"
)

// assertCirculated checks what recording CC-0001's outcome (outcomeValues)
// stored and sent: before is how many DMs each person had; waiting the
// chair's outcome reminder that was still to go.
func assertCirculated(t *testing.T, a *app, conf int, before map[string]int, waiting int) {
	t.Helper()
	for query, want := range map[string]int{
		`SELECT count(*) FROM outcomes WHERE recorded_by = 'U0CM' AND review_on = '2027-01-29' AND summary LIKE 'Rent arrears%'`: 1,
		`SELECT count(*) FROM actions`: 3,
		`SELECT count(*) FROM actions WHERE owner_slack_id = 'U0GP' AND due_on = '2026-11-20' AND status = 'open'`:                                                                                                     1,
		`SELECT count(*) FROM actions WHERE owner_slack_id IS NULL AND owner_name = 'Ann Lee' AND owner_agency = 'Acacia House'`:                                                                                       1,
		`SELECT count(*) FROM outcome_attendees WHERE present`:                                                                                                                                                         4,
		`SELECT count(*) FROM outcome_attendees WHERE NOT present AND slack_user_id = 'U0GP'`:                                                                                                                          1,
		`SELECT count(*) FROM outcome_attendees WHERE slack_user_id = 'U0SW' AND agency = 'Westminster Adult Social Care'`:                                                                                             1,
		`SELECT count(*) FROM conferences WHERE status = 'recorded'`:                                                                                                                                                   1,
		`SELECT count(*) FROM audit_log WHERE action = 'outcome.record' AND actor_id = 'U0CM'`:                                                                                                                         1,
		`SELECT count(*) FROM share_list WHERE slack_user_id = 'U0PROB' AND withheld LIKE '%Probation%'`:                                                                                                               1,
		`SELECT count(*) FROM share_list WHERE slack_user_id IS NULL AND name = 'Dr Patel' AND contact = '020 7946 0000'`:                                                                                              1,
		`SELECT count(*) FROM disclosures WHERE recipient_id IN ('U0GP', 'U0SW') AND sent_at IS NOT NULL AND basis LIKE 'signed consent form given%checked with the client for this meeting%' AND decided_by = 'U0CM'`: 2,
		`SELECT count(*) FROM disclosures WHERE recipient_id NOT IN ('U0GP', 'U0SW')`:                                                                                                                                  0,
	} {
		if n := a.count(query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state = 'cancelled' AND 'the outcome is recorded' = ANY(errors)`, waiting); n != 1 {
		t.Error("the chair's waiting outcome reminder was not cancelled")
	}
	action := func(owner string) int {
		return a.count(`SELECT id FROM actions WHERE owner_slack_id = $1`, owner)
	}
	for user, what := range map[string]string{"U0GP": "Medication review at the surgery", "U0SW": "Apply for tenancy sustainment support"} {
		dms := a.dmTo(user)[before[user]:]
		if len(dms) != 2 {
			t.Errorf("%s got %d DMs, want the minutes and their action", user, len(dms))
			continue
		}
		var minutes, act string
		for _, dm := range dms {
			if text := callText(dm); strings.Contains(text, "Minutes of CC-0001") {
				minutes = text
			} else {
				act = "\n" + text + "\n" // callText's order is a map's: the button's value may come last
			}
		}
		for _, want := range []string{"client JS-4411", "Rent arrears of six weeks", "Wants to stay at Acacia House", "Ann Lee, Acacia House (not on Slack)",
			"Dr Patel, GP, Church Street Surgery", "*Apologies*", "Medication review at the surgery", "Friday 29 January 2027"} {
			if !strings.Contains(minutes, want) {
				t.Errorf("%s's minutes do not say %q:\n%s", user, want, minutes)
			}
		}
		if !strings.Contains(act, "An action for you") || !strings.Contains(act, what) || !strings.Contains(act, "Mark done") ||
			!strings.Contains(act, "\ndone\n") ||
			!strings.Contains(act, fmt.Sprintf("\na%d\n", action(user))) {
			t.Errorf("%s's action DM: %s", user, act)
		}
	}
	if n := len(a.dmTo("U0PROB")) - before["U0PROB"]; n != 0 {
		t.Errorf("the probation officer, whose agency the consent does not cover, got %d DMs", n)
	}
	cm := a.dmTo("U0CM")[before["U0CM"]:]
	if len(cm) != 1 {
		for _, c := range cm {
			t.Log(callText(c))
		}
		t.Fatalf("the case manager got %d DMs, want one notice", len(cm))
	}
	if text := callText(cm[0]); !strings.Contains(text, "did not go to everyone") || !strings.Contains(text, "<@U0PROB>: the client's consent does not cover their agency") ||
		!strings.Contains(text, "Dr Patel (020 7946 0000)") || strings.Contains(text, "Rent arrears") {
		t.Errorf("the case manager's notice: %s", text)
	}
}
