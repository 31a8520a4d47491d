package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// Marking an action done from its reminder.

// responses are the bodies posted to one response_url, in order.
func (a *app) responses(respID string) []string {
	var out []string
	for _, c := range a.slack.CallsTo(fakeslack.MethodResponseURL) {
		if c.ResponseURLID == respID {
			out = append(out, string(c.Body))
		}
	}
	return out
}

// bodyText is a JSON body's strings, decoded, one per line.
func bodyText(t *testing.T, body string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("body %s: %v", body, err)
	}
	return strings.Join(jsonStrings(v), "\n")
}

// Mark done on an action's reminder: a stranger's press changes nothing;
// the owner's marks it done, turns the message into "done", stops the
// action's reminders and tells the case manager once; a second press
// changes nothing.
func TestMarkDoneStopsActionReminders(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	conf := a.count(`SELECT id FROM conferences`)
	action := a.count(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
		VALUES ($1, 'Housing', 'Apply for tenancy support', 'U0SW', '2026-11-18') RETURNING id`, conf)
	value := fmt.Sprintf("a%d", action)

	a.sweep("2026-11-18T08:00:00Z")
	var reminder string
	for _, c := range a.dmTo("U0SW") {
		if text := callText(c); strings.Contains(text, "due *today*") {
			reminder = text
		}
	}
	if !strings.Contains(reminder, "\ndone\n") || !strings.Contains(reminder, "\n"+value+"\n") || !strings.Contains(reminder, "Mark done") {
		t.Fatalf("the action reminder has no Mark done button: %s", reminder)
	}
	waiting := a.pendingReminder("action_overdue", action, "U0SW", "2026-11-25")

	// A stranger, and a forged value.
	if reply := a.replyTo(a.click("U0OUT", "done", value)); !strings.Contains(reply, "not yours") || strings.Contains(reply, `"replace_original":true`) {
		t.Fatalf("a stranger's Mark done answered %s", reply)
	}
	if reply := a.replyTo(a.click("U0SW", "done", "a999999")); !strings.Contains(reply, "not yours") {
		t.Fatalf("Mark done on no action answered %s", reply)
	}
	if n := a.count(`SELECT count(*) FROM actions WHERE status = 'open'`) + a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state = 'pending'`, waiting); n != 2 ||
		a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.done'`)+a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_done'`) != 0 {
		t.Fatal("a stranger's Mark done changed something")
	}

	cmBefore := len(a.dmTo("U0CM"))
	resp := a.click("U0SW", "done", value)
	var replaced struct {
		ReplaceOriginal bool   `json:"replace_original"`
		Text            string `json:"text"`
	}
	body := a.replyTo(resp)
	if err := json.Unmarshal([]byte(body), &replaced); err != nil || !replaced.ReplaceOriginal ||
		!strings.Contains(bodyText(t, body), "marked done by <@U0SW>") || !strings.Contains(bodyText(t, body), "Apply for tenancy support") {
		t.Fatalf("the clicked reminder was not turned into a done message: %s", body)
	}
	if n := a.count(`SELECT count(*) FROM actions WHERE id = $1 AND status = 'done' AND done_by = 'U0SW' AND done_at IS NOT NULL`, action); n != 1 {
		t.Fatal("the action is not stored as done by its owner")
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.done' AND actor_id = 'U0SW'`); n != 1 {
		t.Fatalf("marking done audited %d times", n)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state = 'cancelled' AND 'the action is done' = ANY(errors)`, waiting); n != 1 {
		t.Fatal("the action's reminder still waiting was not cancelled")
	}
	a.waitOutboxDone(20 * time.Second)
	cm := a.dmTo("U0CM")
	if len(cm) != cmBefore+1 {
		t.Fatalf("the case manager got %d DMs, want one notice", len(cm)-cmBefore)
	}
	if text := callText(cm[len(cm)-1]); !strings.Contains(text, "<@U0SW> marked an action from *CC-0001* done") || !strings.Contains(text, "Apply for tenancy support") {
		t.Fatalf("the case manager's notice: %s", text)
	}

	// Pressed again: the message still says done; nothing else changes.
	a.click("U0SW", "done", value)
	a.eventually("the second press's answer", func() bool { return len(a.responses(resp)) == 2 })
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.done'`); n != 1 {
		t.Fatalf("a second press audited again (%d)", n)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_done'`); n != 1 {
		t.Fatalf("a second press wrote %d notices", n)
	}

	// A week on, the overdue reminder it would have had is not written.
	swBefore := len(a.dmTo("U0SW"))
	a.sweep("2026-11-25T08:00:00Z")
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind LIKE 'action\_%' AND kind <> 'action_done' AND state <> 'cancelled'`); n != 1 {
		t.Fatalf("%d action reminders besides the one sent before it was done", n)
	}
	if n := len(a.dmTo("U0SW")); n != swBefore {
		t.Fatal("the owner was reminded of a done action")
	}
	told := 0
	for _, c := range a.dmTo("U0CM") {
		if strings.Contains(callText(c), "Apply for tenancy support") {
			told++
		}
	}
	if told != 1 {
		t.Fatalf("the case manager was told of the action %d times", told)
	}
}

// The case manager chases an owner not on Slack, and may mark the action
// done; they are not told what they did themselves.
func TestCaseManagerMarksDoneForAnOwnerNotOnSlack(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	conf := a.count(`SELECT id FROM conferences`)
	action := a.count(`INSERT INTO actions (conference_id, area_of_need, action, owner_name, due_on)
		VALUES ($1, 'Health', 'Review medication', 'Dr Patel', '2026-11-18') RETURNING id`, conf)
	a.sweep("2026-11-18T08:00:00Z")
	cmBefore := len(a.dmTo("U0CM"))
	if reply := a.replyTo(a.click("U0GP", "done", fmt.Sprintf("a%d", action))); !strings.Contains(reply, "not yours") {
		t.Fatalf("an invitee who does not own it: %s", reply)
	}
	if body := a.replyTo(a.click("U0CM", "done", fmt.Sprintf("a%d", action))); !strings.Contains(bodyText(t, body), "marked done by <@U0CM>") {
		t.Fatalf("the case manager's Mark done: %s", body)
	}
	a.waitOutboxDone(20 * time.Second)
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_done'`); n != 0 || len(a.dmTo("U0CM")) != cmBefore {
		t.Fatal("the case manager was told of their own change")
	}
}

// Mark done: the chair of another conference, forged values, and the
// owner and case manager pressing at once.
func TestMarkDoneForgedAndConcurrent(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	// A second conference, by someone else (for their own client), chaired by U0X2.
	f := scheduleForm().text("client_ref", "KB-2200").user("chair", "U0X2").user("minute_taker", "U0X2").users("invitees", "U0GP")
	if ack := a.viewSubmission("U0X2", "schedule", "V2", "", f, 0); ack["response_action"] != "clear" {
		t.Fatalf("second conference: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	conf := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	action := a.count(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
		VALUES ($1, 'Housing', 'secret-action text', 'U0SW', '2026-11-18') RETURNING id`, conf)
	for _, v := range []string{fmt.Sprintf("a%d", action), fmt.Sprintf("a%d.c%d", action, conf), fmt.Sprintf("o%d", action), fmt.Sprintf("a0%d", action)} {
		reply := a.replyTo(a.click("U0X2", "done", v))
		if strings.Contains(reply, "secret-action") || strings.Contains(reply, "replace_original\":true") {
			t.Errorf("U0X2's Mark done %s answered %s", v, reply)
		}
	}
	if a.count(`SELECT count(*) FROM actions WHERE status = 'done'`) != 0 {
		t.Fatal("an outsider marked the action done")
	}
	var wg sync.WaitGroup
	for _, u := range []string{"U0SW", "U0CM", "U0SW", "U0CM"} {
		wg.Go(func() { a.click(u, "done", fmt.Sprintf("a%d", action)) })
	}
	wg.Wait()
	a.eventually("the action done", func() bool { return a.count(`SELECT count(*) FROM actions WHERE status = 'done'`) == 1 })
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.done'`); n != 1 {
		t.Errorf("marked done %d times", n)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_done'`); n > 1 {
		t.Errorf("%d notices", n)
	}
	if strings.Contains(a.logs.String(), "secret-action") {
		t.Error("action text in the logs")
	}
}
