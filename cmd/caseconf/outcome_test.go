package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// Recording the outcome and circulating the minutes, end to end.

// heldConference calls CC-0001 with the GP (health, covered), the social
// worker (adult social care, covered) and a probation officer (not
// covered by the client's consent) on Slack, and Dr Patel off it; they
// accept and answer (the GP can't attend), and the meeting is then moved
// to Friday 30 October, before the test clock, so it has been held.
func (a *app) heldConference() int {
	a.t.Helper()
	f := scheduleForm().users("invitees", "U0GP", "U0SW", "U0PROB")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		a.t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 4)
	a.invitationsRecorded()
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	a.accept("CC-0001", "U0PROB", "Westminster Probation", "probation_police")
	for user, answer := range map[string]string{"U0GP": "apologies", "U0SW": "attending", "U0PROB": "attending"} {
		a.click(user, "respond:"+answer, a.inviteeValue("CC-0001", user))
	}
	a.eventually("the three answers", func() bool { return a.count(`SELECT count(*) FROM responses`) == 3 })
	conf := a.count(`SELECT id FROM conferences`)
	a.count(`UPDATE conferences SET starts_at = '2026-10-30 10:30+00' WHERE id = $1 RETURNING id`, conf)
	return conf
}

// modalView is the view a views.open or views.update call sent.
func modalView(t *testing.T, c fakeslack.Call) (meta string, blocks []map[string]any) {
	t.Helper()
	var v struct {
		PrivateMetadata string           `json:"private_metadata"`
		Blocks          []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(c.Params.Get("view")), &v); err != nil {
		t.Fatalf("view: %v", err)
	}
	return v.PrivateMetadata, v.Blocks
}

// element is the input element of block id in blocks, or nil.
func element(blocks []map[string]any, id string) map[string]any {
	for _, b := range blocks {
		if b["block_id"] == id {
			el, _ := b["element"].(map[string]any)
			return el
		}
	}
	return nil
}

// inModal sends a button press from inside the modal last opened, with
// its metadata and what has been typed, and returns the views.update the
// bot answers with.
func (a *app) inModal(userID, actionID, value, meta string, values form) fakeslack.Call {
	a.t.Helper()
	modals := a.slack.Modals()
	m := modals[len(modals)-1]
	updates := len(a.slack.CallsTo("views.update"))
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": fakeslack.TeamID}, "user": map[string]any{"id": userID},
		"api_app_id": fakeslack.AppID, "trigger_id": "trig-" + actionID,
		"container": map[string]any{"type": "view", "view_id": m.ID},
		"view": map[string]any{"id": m.ID, "hash": m.Hash, "type": "modal", "callback_id": "outcome",
			"private_metadata": meta, "state": map[string]any{"values": values}},
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b", "value": value, "action_ts": "1700000000.1"}},
	}
	a.send(fakeslack.Envelope{Type: fakeslack.TypeInteractive, Payload: payload})
	return a.waitCalls("views.update", updates+1)[updates]
}

// outcomeValues is the outcome form as the chair fills it in: rows 1, 3
// and 4 of the action plan (row 2 was removed).
func outcomeValues() form {
	return form{}.users("attended", "U0CM", "U0SW", "U0PROB").text("attended_others", "Dr Patel, GP, Church Street Surgery").
		users("apologies", "U0GP").choice("lead_changed", "no").
		text("summary", "Rent arrears of six weeks; two missed GP appointments").
		text("outcome_worked", "Weekly calls from the key worker").text("client_views", "Wants to stay at Acacia House").
		date("review_on", "2027-01-29").users("share_with", "U0GP", "U0SW", "U0PROB").
		text("share_others", "Dr Patel, 020 7946 0000").choice("save_as", "final").
		text("act_area_1", "Health").text("act_what_1", "Medication review at the surgery").user("act_owner_1", "U0GP").date("act_due_1", "2026-11-20").
		text("act_area_3", "Housing").text("act_what_3", "Apply for tenancy sustainment support").user("act_owner_3", "U0SW").date("act_due_3", "2026-11-27").
		text("act_area_4", "Money").text("act_what_4", "Benefits check; barrier: no ID").text("act_owner_name_4", "Ann Lee").
		text("act_owner_agency_4", "Acacia House").date("act_due_4", "2026-12-04")
}

func TestOutcomeRecordedAndCirculated(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()

	// Monday 2 November, the working day after: the chair is reminded,
	// with a button to record the outcome.
	a.sweep("2026-11-02T09:30:00Z")
	got := a.remindersTo("U0CM")
	if len(got) != 1 || !strings.Contains(got[0], "have not been recorded") || !strings.Contains(got[0], "\nrecord\n") ||
		!strings.Contains(got[0], fmt.Sprintf("\nc%d\n", conf)) {
		t.Fatalf("the outcome reminder: %q", got)
	}
	waiting := a.pendingReminder("outcome_not_recorded", conf, "U0CM", "2026-11-04")

	// Outsiders, and invitees, are told it does not exist.
	opened := len(a.slack.CallsTo("views.open"))
	missing := decodeReply(t, a.command("U0OUT", "record CC-9999").Payload).Text
	for _, u := range []string{"U0OUT", "U0GP"} {
		if got := decodeReply(t, a.command(u, "record CC-0001").Payload).Text; got != missing || !strings.Contains(got, "no conference") {
			t.Errorf("%s: record CC-0001 reads %q, CC-9999 %q", u, got, missing)
		}
	}
	if reply := a.replyTo(a.click("U0OUT", "record", fmt.Sprintf("c%d", conf))); !strings.Contains(reply, "no conference") {
		t.Errorf("an outsider's Record outcome: %s", reply)
	}
	if n := len(a.slack.CallsTo("views.open")); n != opened {
		t.Fatalf("outsiders opened %d forms", n-opened)
	}

	// The reminder's button opens the form, filled in from the answers.
	a.click("U0CM", "record", fmt.Sprintf("c%d", conf))
	open := a.waitCalls("views.open", opened+1)[opened]
	meta, blocks := modalView(t, open)
	for id, want := range map[string][]string{"attended": {"U0CM", "U0SW", "U0PROB"}, "apologies": {"U0GP"}, "share_with": {"U0GP", "U0SW", "U0PROB"}} {
		var users []string
		for _, u := range element(blocks, id)["initial_users"].([]any) {
			users = append(users, u.(string))
		}
		if !slices.Equal(users, want) {
			t.Errorf("%s is filled in with %v, want %v", id, users, want)
		}
	}
	if el := element(blocks, "share_others"); el["initial_value"] != "Dr Patel, 020 7946 0000" || element(blocks, "act_area_1") == nil {
		t.Errorf("share list not on Slack: %v; the first action row: %v", el, element(blocks, "act_area_1"))
	}

	// Add action three times, remove the second row: what was typed stays.
	typed := form{}.text("act_area_1", "Health")
	for range 3 {
		meta, blocks = modalView(t, a.inModal("U0CM", "outcome_add", "add", meta, typed))
	}
	if element(blocks, "act_area_4") == nil || element(blocks, "act_area_1")["initial_value"] != "Health" {
		t.Fatal("Add action lost a row or what was typed")
	}
	meta, blocks = modalView(t, a.inModal("U0CM", "outcome_remove:2", "2", meta, typed))
	if element(blocks, "act_area_2") != nil || element(blocks, "act_area_3") == nil || element(blocks, "act_area_4") == nil {
		t.Fatal("Remove did not take out just the second row")
	}

	// Invalid input is answered field by field; nothing is stored.
	bad := outcomeValues().date("review_on", "2026-10-29").date("act_due_3", "2026-10-31").without("act_owner_1").text("act_what_4", "Check\x00")
	ack := a.viewSubmission("U0CM", "outcome", "VBAD", meta, bad, 0)
	errs, _ := ack["errors"].(map[string]any)
	for field, want := range map[string]string{"review_on": "after this meeting", "act_due_3": "passed", "act_owner_1": "needs an owner", "act_what_4": "control character"} {
		if msg, _ := errs[field].(string); !strings.Contains(msg, want) {
			t.Errorf("%s: %q, want it to say %q (ack %v)", field, msg, want, ack)
		}
	}
	if n := a.count(`SELECT count(*) FROM outcomes`) + a.count(`SELECT count(*) FROM actions`) + a.count(`SELECT count(*) FROM share_list`) +
		a.count(`SELECT count(*) FROM outbox WHERE kind IN ('minutes', 'action_assigned', 'minutes_withheld')`); n != 0 {
		t.Fatalf("an invalid outcome stored %d rows", n)
	}

	// Saved: one transaction, and the messages go round.
	before := map[string]int{}
	for _, u := range []string{"U0GP", "U0SW", "U0PROB", "U0CM"} {
		before[u] = len(a.dmTo(u))
	}
	if ack := a.viewSubmission("U0CM", "outcome", "VOUT", meta, outcomeValues(), 0); ack["response_action"] != "update" ||
		!strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("outcome ack = %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	assertCirculated(t, a, conf, before, waiting)

	// Sent again (the same form), or a second form: one outcome, one set
	// of messages.
	outbox := a.count(`SELECT count(*) FROM outbox`)
	a.viewSubmission("U0CM", "outcome", "VOUT", meta, outcomeValues(), 1)
	if ack := a.viewSubmission("U0CM", "outcome", "VOUT2", meta, outcomeValues(), 0); !strings.Contains(fmt.Sprint(ack["view"]), "already recorded") {
		t.Errorf("a second outcome form: %v", ack)
	}
	if a.count(`SELECT count(*) FROM outcomes`) != 1 || a.count(`SELECT count(*) FROM actions`) != 3 || a.count(`SELECT count(*) FROM outbox`) != outbox {
		t.Fatal("a repeated submission recorded or sent something again")
	}
	// record REF after the outcome opens the form to correct it
	// (outcome_amend_test.go).
	opened = len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "record CC-0001")
	if _, blocks := modalView(t, a.waitCalls("views.open", opened+1)[opened]); element(blocks, "amend_reason") == nil {
		t.Errorf("record after recording did not open the form to correct it")
	}

	// The reminder stops: no more on Wednesday or Friday.
	cm := len(a.remindersTo("U0CM"))
	a.sweep("2026-11-04T09:30:00Z")
	a.sweep("2026-11-06T09:30:00Z")
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'outcome_not_recorded' AND state <> 'cancelled'`); n != 1 || len(a.remindersTo("U0CM")) != cm {
		t.Errorf("outcome reminders after it was recorded: %d in the outbox besides the first", n-1)
	}
	if logs := a.logs.String(); strings.Contains(logs, "Rent arrears") || strings.Contains(logs, "JS-4411") || strings.Contains(logs, "Acacia") {
		t.Error("the minutes or the client's reference in the logs")
	}
}

// A draft is kept, sends nothing and stops no reminder; the form opens
// again (from show's button) as it was left; then finished.
func TestOutcomeDraftFinishedLater(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	if r := decodeReply(t, a.command("U0CM", "help").Payload); !strings.Contains(r.Text, "`/caseconf record REF` — Record the outcome") {
		t.Errorf("help does not list record: %q", r.Text)
	}
	show := decodeReply(t, a.command("U0CM", "show CC-0001").Payload)
	if raw := string(mustJSON(t, show.Blocks)); !strings.Contains(raw, `"action_id":"record"`) {
		t.Fatalf("show has no Record outcome button for the case manager: %s", raw)
	}
	if gp := decodeReply(t, a.command("U0GP", "show CC-0001").Payload); strings.Contains(string(mustJSON(t, gp.Blocks)), `"action_id":"record"`) {
		t.Error("an invitee's show offers Record outcome")
	}
	opened := len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "record CC-0001")
	meta, _ := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	meta, _ = modalView(t, a.inModal("U0CM", "outcome_add", "add", meta, form{}))
	draft := form{}.users("attended", "U0CM").text("summary", "Half written").choice("save_as", "draft").
		text("act_area_2", "Housing").date("act_due_2", "2020-01-01")
	if ack := a.viewSubmission("U0CM", "outcome", "VDRAFT", meta, draft, 0); !strings.Contains(fmt.Sprint(ack["view"]), "Draft saved") {
		t.Fatalf("draft ack = %v", ack)
	}
	if a.count(`SELECT count(*) FROM outcome_drafts WHERE saved_by = 'U0CM'`) != 1 || a.count(`SELECT count(*) FROM outcomes`) != 0 ||
		a.count(`SELECT count(*) FROM conferences WHERE status = 'recorded'`) != 0 || a.count(`SELECT count(*) FROM outbox WHERE kind LIKE 'minutes%'`) != 0 {
		t.Fatal("a draft recorded the outcome or sent something")
	}

	a.click("U0CM", "record", fmt.Sprintf("c%d", conf))
	again := a.waitCalls("views.open", opened+2)[opened+1]
	meta, blocks := modalView(t, again)
	if element(blocks, "summary")["initial_value"] != "Half written" || element(blocks, "act_area_2")["initial_value"] != "Housing" ||
		element(blocks, "act_area_1") == nil || !strings.Contains(callText(again), "This is the draft") {
		t.Fatalf("the draft did not open as it was left: %s", callText(again))
	}
	if opt, _ := element(blocks, "save_as")["initial_option"].(map[string]any); opt["value"] != "draft" {
		t.Errorf("save as: %v, want the draft's choice", opt)
	}
	final := outcomeValues().without("act_area_3").without("act_what_3").without("act_owner_3").without("act_due_3").
		without("act_area_4").without("act_what_4").without("act_owner_name_4").without("act_owner_agency_4").without("act_due_4").
		text("act_area_2", "Housing").text("act_what_2", "Tenancy support").user("act_owner_2", "U0SW").date("act_due_2", "2026-11-27")
	if ack := a.viewSubmission("U0CM", "outcome", "VFINAL", meta, final, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("final ack = %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	if a.count(`SELECT count(*) FROM outcome_drafts`) != 0 || a.count(`SELECT count(*) FROM actions`) != 2 ||
		a.count(`SELECT count(*) FROM disclosures WHERE sent_at IS NOT NULL`) != 2 {
		t.Error("finishing the draft did not record it as the final outcome")
	}
}
