package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// The review's outcome form starts with the open actions of the plan
// under review, filled in; one kept is carried into the new plan (the
// old one closed as carried forward), one dropped is closed as no longer
// needed with the reason; the choices survive a draft; and no reminder
// chases the old ones.
func TestReviewCarriesTheOpenActions(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()

	// CC-0001's outcome, with two actions: the social worker's and one
	// for Ann Lee, who is not on Slack.
	opened := len(a.slack.CallsTo("views.open"))
	a.click("U0CM", "record", fmt.Sprintf("c%d", conf))
	meta, _ := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	meta, _ = modalView(t, a.inModal("U0CM", "outcome_add", "add", meta, form{}))
	plan := minimalOutcome().text("act_area_2", "Money").text("act_what_2", "Benefits check").
		text("act_owner_name_2", "Ann Lee").text("act_owner_agency_2", "Acacia House").date("act_due_2", "2026-11-27")
	if ack := a.viewSubmission("U0CM", "outcome", "VOUT", meta, plan, 0); ack["response_action"] != "update" {
		t.Fatalf("the first outcome: %v", ack)
	}
	var old []int
	for _, area := range []string{"Housing", "Money"} {
		old = append(old, a.count(`SELECT id FROM actions WHERE conference_id = $1 AND area_of_need = $2 AND status = 'open'`, conf, area))
	}

	// The review, called from CC-0001 and then held.
	if ack := a.viewSubmission("U0CM", "schedule", "VR", fmt.Sprintf("review:c%d", conf), scheduleForm(), 0); ack["response_action"] != "clear" {
		t.Fatalf("the review form answered %v", ack)
	}
	review := a.count(`SELECT id FROM conferences WHERE review_of_id = $1`, conf)
	a.exec(`UPDATE conferences SET starts_at = '2026-11-02 08:00+00' WHERE id = $1`, review)

	// Its outcome form: both open actions, filled in, each with its choice.
	opened = len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "record CC-0002")
	meta, blocks := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	for id, want := range map[string]string{"act_area_1": "Housing", "act_what_1": "Tenancy support", "act_area_2": "Money",
		"act_owner_name_2": "Ann Lee", "act_owner_agency_2": "Acacia House"} {
		if got := element(blocks, id)["initial_value"]; got != want {
			t.Errorf("%s is filled in with %v, want %q", id, got, want)
		}
	}
	if element(blocks, "act_owner_1")["initial_user"] != "U0SW" || element(blocks, "act_due_1")["initial_date"] != "2026-11-27" ||
		element(blocks, "act_due_2")["initial_date"] != "2026-11-27" {
		t.Error("the owner or the dates of the actions under review are not filled in")
	}
	for _, id := range []string{"act_choice_1", "act_choice_2"} {
		if element(blocks, id) == nil {
			t.Errorf("no choice %s", id)
		}
	}
	if element(blocks, "act_choice_3") != nil || element(blocks, "act_area_3") == nil {
		t.Error("the form has no blank row for a new action, or a choice on it")
	}
	if len(blocks) > 100 {
		t.Fatalf("%d blocks", len(blocks))
	}

	// Keep the first, drop the second: kept as a draft, the form opens
	// again with the choices made.
	values := form{}.users("attended", "U0CM", "U0SW").choice("lead_changed", "no").
		text("summary", "Tenancy steadier").text("client_views", "Wants to stay").
		date("review_on", "2027-01-29").users("share_with", "U0SW").choice("save_as", "draft").
		text("act_area_1", "Housing").text("act_what_1", "Tenancy support").user("act_owner_1", "U0SW").date("act_due_1", "2026-11-27").
		choice("act_choice_1", "keep").
		text("act_area_2", "Money").text("act_what_2", "Benefits check").text("act_owner_name_2", "Ann Lee").
		text("act_owner_agency_2", "Acacia House").date("act_due_2", "2026-11-27").choice("act_choice_2", "drop")
	if ack := a.viewSubmission("U0CM", "outcome", "VRD", meta, values, 0); ack["response_action"] != "update" {
		t.Fatalf("the draft: %v", ack)
	}
	opened = len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "record CC-0002")
	meta, blocks = modalView(t, a.waitCalls("views.open", opened+1)[opened])
	for id, want := range map[string]string{"act_choice_1": "keep", "act_choice_2": "drop"} {
		opt, _ := element(blocks, id)["initial_option"].(map[string]any)
		if opt["value"] != want {
			t.Errorf("the draft reopened: %s = %v, want %s", id, opt, want)
		}
	}

	if ack := a.viewSubmission("U0CM", "outcome", "VRO", meta, values.choice("save_as", "final"), 0); ack["response_action"] != "update" {
		t.Fatalf("the review's outcome: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	kept := a.count(`SELECT id FROM actions WHERE conference_id = $1 AND area_of_need = 'Housing' AND owner_slack_id = 'U0SW' AND status = 'open'`, review)
	if n := a.count(`SELECT count(*) FROM actions WHERE conference_id = $1`, review); kept == 0 || n != 1 {
		t.Fatalf("the new plan has %d actions, the kept one %d", n, kept)
	}
	var reasons []string
	for _, id := range old {
		var status, reason string
		if err := a.main.DB.SQL().QueryRow(`SELECT status, coalesce(close_reason, '') FROM actions WHERE id = $1`, id).Scan(&status, &reason); err != nil {
			t.Fatal(err)
		}
		reasons = append(reasons, status+": "+reason)
	}
	if !strings.HasPrefix(reasons[0], "not_needed: carried forward") || reasons[1] != "not_needed: dropped at review CC-0002" {
		t.Errorf("the old actions: %q", reasons)
	}

	// Two working days before the 27th: the kept action's owner is
	// reminded; nothing chases the old ones.
	a.sweep("2026-11-25T09:30:00Z")
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_due_soon' AND subject_id = $1`, kept); n != 1 {
		t.Fatalf("the kept action's reminder: %d", n)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind LIKE 'action_%' AND kind <> 'action_assigned' AND state <> 'cancelled'
		AND subject_id IN ($1, $2)`, old[0], old[1]); n != 0 {
		t.Errorf("%d reminders chase the old actions", n)
	}
}
