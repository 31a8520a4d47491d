package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The social worker closes their action as not achieved, from its DM:
// strangers, forged presses and forms, and a form without a reason or a
// choice change nothing; the reason is stored, the case manager told
// once, the waiting reminder cancelled and no more are sent; the state
// shows in /caseconf actions, /caseconf plan and on Home; Mark done is
// refused after.
func TestActionClosedNotAchieved(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	action, value := a.ownedAction("U0SW")
	waiting := a.pendingReminder("action_due_today", action, "U0SW", "2026-11-27")

	var dm string
	for _, c := range a.dmTo("U0SW") {
		if text := callText(c); strings.Contains(text, "An action for you") {
			dm = text
		}
	}
	if !hasLine(dm, "Close…") || !hasLine(dm, "action_close") || !hasLine(dm, value) {
		t.Fatalf("the owner's action DM has no Close button: %s", dm)
	}

	opened := len(a.slack.CallsTo("views.open"))
	for _, u := range []string{"U0OUT", "U0GP", "U0PROB"} {
		if reply := a.replyTo(a.click(u, "action_close", value)); !strings.Contains(reply, "not yours") {
			t.Errorf("%s pressing Close: %s", u, reply)
		}
	}
	if reply := a.replyTo(a.click("U0SW", "action_close", "a999999")); !strings.Contains(reply, "not yours") {
		t.Errorf("Close on no action: %s", reply)
	}
	if n := len(a.slack.CallsTo("views.open")); n != opened {
		t.Fatalf("a refused press opened %d forms", n-opened)
	}
	good := form{}.choice("close_as", "not_achieved").text("close_reason", "The tenancy panel refused the referral")
	for _, u := range []string{"U0OUT", "U0GP"} {
		if ack := a.viewSubmission(u, "action_close", "VF-"+u, value, good, 0); !strings.Contains(fmt.Sprint(ack["view"]), "not yours") {
			t.Errorf("%s's forged close: %v", u, ack)
		}
	}
	meta := a.openForm("U0SW", "action_close", value, "action_close")
	for field, bad := range map[string]form{
		"close_reason": form{}.choice("close_as", "not_achieved").text("close_reason", " \u200b "),
		"close_as":     form{}.text("close_reason", "Why not"),
	} {
		if errs := fieldErrors(a.viewSubmission("U0SW", "action_close", "VBAD", meta, bad, 0)); errs[field] == nil {
			t.Errorf("a close without %s: %v", field, errs)
		}
	}
	if errs := fieldErrors(a.viewSubmission("U0SW", "action_close", "VDONE", meta, form{}.choice("close_as", "done").text("close_reason", "x"), 0)); errs["close_as"] == nil {
		t.Errorf("a forged choice of done: %v", errs)
	}
	if a.count(`SELECT count(*) FROM actions WHERE id = $1 AND status = 'open' AND close_reason = ''`, action) != 1 ||
		a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.closed'`) != 0 ||
		a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_closed'`) != 0 ||
		a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state = 'pending'`, waiting) != 1 {
		t.Fatal("a refused close changed something")
	}

	cm := len(a.dmTo("U0CM"))
	ack := a.viewSubmission("U0SW", "action_close", "VOK", meta, good, 0)
	if v := fmt.Sprint(ack["view"]); !strings.Contains(v, "closed as *not achieved*") {
		t.Fatalf("close ack: %v", ack)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM actions WHERE status = 'not_achieved' AND close_reason = 'The tenancy panel refused the referral' AND closed_by = 'U0SW' AND closed_at IS NOT NULL`: 1,
		`SELECT count(*) FROM audit_log WHERE action = 'action.closed' AND actor_id = 'U0SW' AND detail LIKE '%: not_achieved, was open'`:                                         1,
		fmt.Sprintf(`SELECT count(*) FROM outbox WHERE id = %d AND state = 'cancelled'`, waiting):                                                                                 1,
		`SELECT count(*) FROM audit_log WHERE detail LIKE '%tenancy panel%'`:                                                                                                      0,
	} {
		if n := a.count(query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	a.waitOutboxDone(20 * time.Second)
	if got := a.dmsSince("U0CM", cm); len(got) != 1 || !strings.Contains(got[0], "<@U0SW> closed an action from *CC-0001* as *not achieved*") ||
		!strings.Contains(got[0], "The tenancy panel refused the referral") {
		t.Errorf("the case manager's notice: %q", got)
	}
	// Closed again, or marked done: refused, and nothing changes.
	if ack := a.viewSubmission("U0SW", "action_close", "VOK2", meta, good.choice("close_as", "not_needed"), 0); !strings.Contains(fmt.Sprint(ack["view"]), "already closed") {
		t.Errorf("closing twice: %v", ack)
	}
	if reply := a.replyTo(a.click("U0SW", "done", value)); !strings.Contains(reply, "already closed") {
		t.Errorf("Mark done on a closed action: %s", reply)
	}
	if a.count(`SELECT count(*) FROM actions WHERE id = $1 AND status = 'not_achieved' AND done_at IS NULL`, action) != 1 {
		t.Fatal("the closed action changed")
	}

	// Its state, wherever it is listed.
	if got := a.commandText("U0SW", "actions"); !strings.Contains(got, "closed: not achieved") || !strings.Contains(got, "tenancy panel refused") {
		t.Errorf("/caseconf actions: %s", got)
	}
	if got := a.commandText("U0CM", "plan CC-0001"); !strings.Contains(got, "closed: not achieved") || !strings.Contains(got, "3 actions, 2 open") {
		t.Errorf("/caseconf plan: %s", got)
	}
	if home, _ := a.openHome("U0SW"); !strings.Contains(home, "Actions closed lately") || !strings.Contains(home, "closed: not achieved") {
		t.Errorf("Home: %s", home)
	}

	// No more reminders: on its day (Friday 27 November) the GP's
	// overdue action is chased, the social worker's is not.
	sw, gp := len(a.dmTo("U0SW")), len(a.dmTo("U0GP"))
	a.sweep("2026-11-27T08:00:00Z")
	if got := a.dmsSince("U0GP", gp); containing(got, "*overdue*") != 1 {
		t.Fatalf("the GP's overdue reminder (the sweep's positive sign): %q", got)
	}
	if got := a.dmsSince("U0SW", sw); len(got) != 0 {
		t.Errorf("the closed action was chased: %q", got)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE subject_id = $1 AND kind IN ('action_due_soon', 'action_due_today', 'action_overdue', 'action_overdue_cm') AND state <> 'cancelled'`, action); n != 0 {
		t.Errorf("%d reminders for the closed action", n)
	}
}
