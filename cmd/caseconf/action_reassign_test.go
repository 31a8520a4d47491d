package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// dmsSince is the text of userID's DMs since the before'th.
func (a *app) dmsSince(userID string, before int) []string {
	var out []string
	for _, c := range a.dmTo(userID)[before:] {
		out = append(out, callText(c))
	}
	return out
}

// containing is how many of texts contain s.
func containing(texts []string, s string) int {
	n := 0
	for _, t := range texts {
		if strings.Contains(t, s) {
			n++
		}
	}
	return n
}

// The case manager gives the GP's action to the social worker, from
// /caseconf plan: the GP (its owner) and a stranger may not, nor may a
// forged press or form; the new and the old owner are told once each,
// the GP's waiting reminder is cancelled, and on the due date the social
// worker is reminded, not the GP.
func TestActionReassigned(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	action, value := a.ownedAction("U0GP")
	waiting := a.pendingReminder("action_due_soon", action, "U0GP", "2026-11-18")

	// The plan, for the case manager, has Reassign on each open action;
	// the GP, not running the conference, is told who may; a stranger
	// reads an unknown reference.
	plan := a.commandText("U0CM", "plan CC-0001")
	for _, want := range []string{"Action plan of CC-0001", "action_reassign", value, "Reassign", "Close…", "Ann Lee, Acacia House (not on Slack)"} {
		if !strings.Contains(plan, want) {
			t.Fatalf("the plan lacks %q: %s", want, plan)
		}
	}
	if got := a.commandText("U0GP", "plan CC-0001"); !strings.Contains(got, "case manager and chair") || strings.Contains(got, "action_reassign") {
		t.Errorf("the GP's plan: %s", got)
	}
	if got := a.commandText("U0OUT", "plan CC-0001"); strings.Contains(got, "Action plan") || strings.Contains(got, "Medication") {
		t.Errorf("a stranger's plan: %s", got)
	}

	// Refusals: the owner, a stranger, a forged action; forged forms.
	opened := len(a.slack.CallsTo("views.open"))
	if reply := a.replyTo(a.click("U0GP", "action_reassign", value)); !strings.Contains(reply, "case manager or the chair") {
		t.Errorf("the owner pressing Reassign: %s", reply)
	}
	if reply := a.replyTo(a.click("U0OUT", "action_reassign", value)); !strings.Contains(reply, "not yours") {
		t.Errorf("a stranger pressing Reassign: %s", reply)
	}
	if reply := a.replyTo(a.click("U0CM", "action_reassign", "a999999")); !strings.Contains(reply, "not yours") {
		t.Errorf("Reassign on no action: %s", reply)
	}
	if n := len(a.slack.CallsTo("views.open")); n != opened {
		t.Fatalf("a refused press opened %d forms", n-opened)
	}
	for _, f := range []struct{ user, meta, want string }{
		{"U0GP", value, "case manager or the chair"}, {"U0OUT", value, "not yours"}, {"U0CM", "a999999", "not yours"}, {"U0CM", "junk", "not yours"},
	} {
		ack := a.viewSubmission(f.user, "action_reassign", "VF-"+f.user+f.meta, f.meta, form{}.user("new_owner", "U0SW"), 0)
		if !strings.Contains(fmt.Sprint(ack["view"]), f.want) {
			t.Errorf("%s's forged reassign of %s: %v", f.user, f.meta, ack)
		}
	}
	unchanged := func(when string) {
		t.Helper()
		if a.count(`SELECT count(*) FROM actions WHERE id = $1 AND owner_slack_id = 'U0GP' AND reassigned_by IS NULL`, action) != 1 ||
			a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.reassigned'`) != 0 ||
			a.count(`SELECT count(*) FROM outbox WHERE kind IN ('action_reassigned', 'action_taken_off')`) != 0 ||
			a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state = 'pending'`, waiting) != 1 {
			t.Fatalf("%s: something changed", when)
		}
	}
	unchanged("refused presses and forms")

	// The case manager's form: an outsider, or the owner it has, is
	// answered on the field.
	meta := a.openForm("U0CM", "action_reassign", value, "action_reassign")
	for _, bad := range []form{form{}.user("new_owner", "U0OUT"), form{}.user("new_owner", "U0GP"), form{}, form{}.text("new_owner_agency", "GP")} {
		ack := a.viewSubmission("U0CM", "action_reassign", "VBAD", meta, bad, 0)
		if errs := fieldErrors(ack); len(errs) == 0 {
			t.Errorf("reassigning with %v: %v", bad, ack)
		}
	}
	unchanged("bad forms")

	gp, sw := len(a.dmTo("U0GP")), len(a.dmTo("U0SW"))
	ack := a.viewSubmission("U0CM", "action_reassign", "VOK", meta, form{}.user("new_owner", "U0SW"), 0)
	if v := fmt.Sprint(ack["view"]); !strings.Contains(v, "Reassigned") || !strings.Contains(v, "<@U0SW>") || !strings.Contains(v, "<@U0GP>") {
		t.Fatalf("reassign ack: %v", ack)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM actions WHERE owner_slack_id = 'U0SW' AND reassigned_by = 'U0CM' AND status = 'open'`:                       1,
		`SELECT count(*) FROM audit_log WHERE action = 'action.reassigned' AND actor_id = 'U0CM' AND detail LIKE '%owner U0SW, was U0GP'`: 1,
		fmt.Sprintf(`SELECT count(*) FROM outbox WHERE id = %d AND state = 'cancelled'`, waiting):                                         1,
	} {
		if n := a.count(query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	a.waitOutboxDone(20 * time.Second)
	swGot, gpGot := a.dmsSince("U0SW", sw), a.dmsSince("U0GP", gp)
	if len(swGot) != 1 || !strings.Contains(swGot[0], "<@U0CM> gave *you* an action") || !strings.Contains(swGot[0], "Medication review") ||
		!strings.Contains(swGot[0], "Mark done") {
		t.Errorf("the new owner's DMs: %q", swGot)
	}
	if len(gpGot) != 1 || !strings.Contains(gpGot[0], "gave an action of yours from *CC-0001* to <@U0SW>") || !strings.Contains(gpGot[0], "not be reminded") {
		t.Errorf("the old owner's DMs: %q", gpGot)
	}
	// Pressed again with the same form: the social worker owns it already.
	if ack := a.viewSubmission("U0CM", "action_reassign", "VOK", meta, form{}.user("new_owner", "U0SW"), 0); len(fieldErrors(ack)) == 0 {
		t.Errorf("the same reassignment again: %v", ack)
	}

	// On the day it is due (Friday 20 November) the social worker is
	// reminded; the GP is not.
	gp, sw = len(a.dmTo("U0GP")), len(a.dmTo("U0SW"))
	a.sweep("2026-11-20T08:00:00Z")
	if got := a.dmsSince("U0SW", sw); containing(got, "due *today*") != 1 || containing(got, "Medication review") != 1 {
		t.Errorf("the new owner's reminders on the day: %q", got)
	}
	if got := a.dmsSince("U0GP", gp); len(got) != 0 {
		t.Errorf("the old owner was reminded: %q", got)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE subject_id = $1 AND kind LIKE 'action_%' AND recipient_id = 'U0GP' AND state = 'sent' AND kind <> 'action_assigned' AND kind <> 'action_taken_off'`, action); n != 0 {
		t.Errorf("%d action messages went to the old owner", n)
	}
}

// The chair gives the social worker's action to someone not on Slack
// (a carer, with no agency): the social worker is told, the case manager
// (who chases it now) is told with its buttons.
func TestActionReassignedOffSlack(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	action, value := a.ownedAction("U0SW")
	meta := a.openForm("U0CM", "action_reassign", value, "action_reassign")
	sw, cm := len(a.dmTo("U0SW")), len(a.dmTo("U0CM"))
	ack := a.viewSubmission("U0CM", "action_reassign", "VCARER", meta, form{}.text("new_owner_name", "Mary Lee (carer)"), 0)
	if !strings.Contains(fmt.Sprint(ack["view"]), "Reassigned") {
		t.Fatalf("ack: %v", ack)
	}
	if a.count(`SELECT count(*) FROM actions WHERE id = $1 AND owner_slack_id IS NULL AND owner_name = 'Mary Lee (carer)' AND owner_agency = ''`, action) != 1 ||
		a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.reassigned' AND detail LIKE '%owner someone not on Slack, was U0SW'`) != 1 {
		t.Fatal("the action was not given to the carer, or not audited")
	}
	a.waitOutboxDone(20 * time.Second)
	if got := a.dmsSince("U0SW", sw); len(got) != 1 || !strings.Contains(got[0], "Mary Lee (carer) (not on Slack)") {
		t.Errorf("the old owner's DMs: %q", got)
	}
	if got := a.dmsSince("U0CM", cm); len(got) != 1 || !strings.Contains(got[0], "you chase it") || !strings.Contains(got[0], "Mark done") {
		t.Errorf("the case manager's DMs: %q", got)
	}
	if logs := a.logs.String(); strings.Contains(logs, "Mary Lee") {
		t.Error("the carer's name is in the logs")
	}
}

// A plan of 30 actions does not fit one message: /caseconf plan pages it,
// and Next page replaces the page shown with the next, whose actions
// carry their buttons; an outsider's press of the page button reads as
// an unknown reference.
func TestPlanIsPaged(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.recordedWith30Actions()
	// A reply this long goes through response_url, not the ack.
	id := "cmd-plan-pages"
	payload := a.slack.NewSlashCommand("U0CM", "C0CHANNEL", "plan CC-0001")
	payload["response_url"] = a.slack.ResponseURL(id)
	a.send(fakeslack.Envelope{Type: fakeslack.TypeSlashCommands, Payload: payload})
	first := a.replyTo(id)
	if !strings.Contains(first, "Page 1 of") || !strings.Contains(first, "planpage:next") || strings.Contains(first, "Area 30") {
		t.Fatalf("the first page of a 30-action plan: %s", first)
	}
	respID := a.click("U0CM", "planpage:next", fmt.Sprintf("c%d.p1", conf))
	second := a.replyTo(respID)
	if !strings.Contains(second, "Page 2 of") || !strings.Contains(second, "action_reassign") || strings.Contains(second, "Area 1:") {
		t.Errorf("the second page: %s", second)
	}
	outsider := a.replyTo(a.click("U0OUT", "planpage:next", fmt.Sprintf("c%d.p1", conf)))
	if strings.Contains(outsider, "Area") || !strings.Contains(outsider, "no conference with that reference") {
		t.Errorf("an outsider's page press: %s", outsider)
	}
}
