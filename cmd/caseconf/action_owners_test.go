package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// An action owner the consent does not cover (probation) gets their
// action without its text, and their Mark done shows no text; someone
// the conference does not involve at all cannot be made an owner.
func TestActionOwnersNotCoveredSeeNoText(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	f := minimalOutcome().text("act_area_1", "Secret area").text("act_what_1", "Secret step").user("act_owner_1", "U0PROB").
		text("act_area_2", "Secret area two").text("act_what_2", "Secret step two").user("act_owner_2", "U0OUT").date("act_due_2", "2026-11-27")
	before := map[string]int{"U0PROB": len(a.dmTo("U0PROB")), "U0OUT": len(a.dmTo("U0OUT"))}
	var st map[string]any
	json.Unmarshal([]byte(meta), &st)
	st["r"], st["n"] = []int{1, 2}, 3
	m, _ := json.Marshal(st)
	ack := a.viewSubmission("U0CM", "outcome", "VZZ9", string(m), f, 0)
	if errs, _ := ack["errors"].(map[string]any); errs["act_owner_2"] == nil || len(errs) != 1 {
		t.Fatalf("an outsider as owner: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM outcomes`); n != 0 {
		t.Fatal("an outcome with an outsider as owner was stored")
	}
	st["r"] = []int{1}
	m, _ = json.Marshal(st)
	if ack := a.viewSubmission("U0CM", "outcome", "VZZ9b", string(m), f, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("ack: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	if n := len(a.dmTo("U0OUT")) - before["U0OUT"]; n != 0 {
		t.Errorf("the outsider got %d DMs", n)
	}
	for _, u := range []string{"U0PROB"} {
		dms := a.dmTo(u)[before[u]:]
		var got string
		for _, dm := range dms {
			got += callText(dm)
		}
		if strings.Contains(got, "Secret") || strings.Contains(got, "JS-4411") {
			t.Errorf("%s, not covered, read the action: %s", u, got)
		}
		if !strings.Contains(got, "An action for you") {
			t.Errorf("%s was not told of their action: %s", u, got)
		}
	}
	id := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0PROB'`)
	if reply := a.replyTo(a.click("U0PROB", "done", fmt.Sprintf("a%d", id))); strings.Contains(reply, "Secret") {
		t.Errorf("Mark done showed the uncovered owner the action: %s", reply)
	}
}

// An owner who was not invited and is not on the share list (a colleague
// given an action at the meeting) may not see the conference: the outcome
// form refuses them on the owner's field, so no DM shows them case
// details, and /caseconf actions never lists less than they were DMed.
func TestActionOwnerNotInvited(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	opened := len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "record CC-0001")
	meta, _ := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	vals := minimalOutcome().user("act_owner_1", "U0NEWBIE").text("act_what_1", "ZZNEWBIEACTION tenancy support")
	ack := a.viewSubmission("U0CM", "outcome", "VZZO", meta, vals, 0)
	if ack["response_action"] != "errors" || fieldErrors(ack)["act_owner_1"] == nil {
		t.Errorf("an outcome naming an owner who was not invited was not refused on the owner's field: %v", ack)
	}
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	var dm string
	for _, c := range a.dmTo("U0NEWBIE") {
		dm += callText(c)
	}
	if strings.Contains(dm, "ZZNEWBIEACTION") || strings.Contains(dm, "JS-4411") {
		t.Errorf("the uninvited owner's action DM shows case details: %s", strings.ReplaceAll(dm, "\n", " | "))
	}
	list := a.commandText("U0NEWBIE", "actions")
	if dm != "" && strings.Contains(list, "no open actions") {
		t.Errorf("U0NEWBIE was DMed an action (%d DMs) but /caseconf actions says %q", len(a.dmTo("U0NEWBIE")), list)
	}
}
