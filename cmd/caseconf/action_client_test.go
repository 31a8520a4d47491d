package main

import (
	"strings"
	"testing"
	"time"
)

// The client owns an action: the outcome form takes "the client" with no
// agency; the minutes and the case manager's notice name "the client" as
// its owner; on its day the case manager is reminded, as for anyone not
// on Slack; the export shows it.
func TestActionOwnedByTheClient(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	cm := len(a.dmTo("U0CM"))
	a.recordOutcomeWith(outcomeValues().text("act_owner_name_4", "The client").without("act_owner_agency_4"))
	action := a.count(`SELECT id FROM actions WHERE owner_client AND owner_name = 'the client' AND owner_agency = '' AND owner_slack_id IS NULL`)
	if action == 0 {
		t.Fatal("the client's action was not stored as theirs")
	}
	var minutes, notice string
	for _, text := range a.dmsSince("U0SW", 0) {
		if strings.Contains(text, "Benefits check") {
			minutes += text
		}
	}
	for _, text := range a.dmsSince("U0CM", cm) {
		if strings.Contains(text, "is recorded") || strings.Contains(text, "chase") {
			notice += text
		}
	}
	if !strings.Contains(minutes, "the client") {
		t.Errorf("the minutes do not name the client as the owner: %s", minutes)
	}
	if !strings.Contains(notice, "Benefits check") || !strings.Contains(notice, "the client") {
		t.Errorf("the case manager's notice does not list the client's action to chase: %s", notice)
	}

	// On its day (Friday 4 December) the case manager is reminded.
	cm = len(a.dmTo("U0CM"))
	a.sweep("2026-12-04T08:00:00Z")
	got := a.dmsSince("U0CM", cm)
	if containing(got, "due *today*") != 1 || containing(got, "Benefits check") != 1 || containing(got, "the client") != 1 {
		t.Errorf("the case manager's reminders on the day: %q", got)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE subject_id = $1 AND kind = 'action_due_today' AND recipient_id = 'U0CM' AND state = 'sent'`, action); n != 1 {
		t.Errorf("%d due-today reminders to the case manager", n)
	}
	// It is on the case manager's list, with Reassign.
	if list := a.commandText("U0CM", "actions"); !strings.Contains(list, "the client") || !strings.Contains(list, "action_reassign") {
		t.Errorf("the case manager's actions: %s", list)
	}
	a.waitOutboxDone(20 * time.Second)
}
