package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// Correcting the record, end to end (issue 14, part 4), and the outcome
// form's one submit button saying what it will do.

// submitLabel is the submit button's text of the view a views.open or
// views.update call sent.
func submitLabel(t *testing.T, c fakeslack.Call) string {
	t.Helper()
	var v struct {
		Submit struct {
			Text string `json:"text"`
		} `json:"submit"`
	}
	if err := json.Unmarshal([]byte(c.Params.Get("view")), &v); err != nil {
		t.Fatalf("view: %v", err)
	}
	return v.Submit.Text
}

// chooseInModal picks option value of radio buttons actionID in the modal
// last opened (its input dispatches the choice), and returns the
// views.update the bot answers with.
func (a *app) chooseInModal(userID, actionID, value, meta string, values form) fakeslack.Call {
	a.t.Helper()
	modals := a.slack.Modals()
	m := modals[len(modals)-1]
	updates := len(a.slack.CallsTo("views.update"))
	payload := map[string]any{
		"type": "block_actions", "team": map[string]any{"id": fakeslack.TeamID}, "user": map[string]any{"id": userID},
		"api_app_id": fakeslack.AppID, "trigger_id": "trig-" + actionID + value,
		"container": map[string]any{"type": "view", "view_id": m.ID},
		"view": map[string]any{"id": m.ID, "hash": m.Hash, "type": "modal", "callback_id": "outcome",
			"private_metadata": meta, "state": map[string]any{"values": values.choice(actionID, value)}},
		"actions": []map[string]any{{"type": "radio_buttons", "action_id": actionID, "block_id": actionID,
			"selected_option": map[string]any{"value": value, "text": map[string]any{"type": "plain_text", "text": value}}, "action_ts": "1700000000.1"}},
	}
	a.send(fakeslack.Envelope{Type: fakeslack.TypeInteractive, Payload: payload})
	return a.waitCalls("views.update", updates+1)[updates]
}

// The form does not choose Final for anyone: until Save as is chosen the
// button says Save, and pressing it asks for the choice; choosing
// relabels it.
func TestOutcomeSaveAsNotPreselected(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	opened := len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "record CC-0001")
	open := a.waitCalls("views.open", opened+1)[opened]
	meta, blocks := modalView(t, open)
	if el := element(blocks, "save_as"); el == nil || el["initial_option"] != nil || submitLabel(t, open) != "Save" {
		t.Fatalf("save as: %v; the button says %q", el, submitLabel(t, open))
	}
	a.eventually("the outcome form", func() bool { return len(a.slack.Modals()) > 0 })
	for choice, label := range map[string]string{"final": "Record and send minutes", "draft": "Save draft"} {
		ms := a.slack.Modals()
		hash := ms[len(ms)-1].Hash
		update := a.chooseInModal("U0CM", "save_as", choice, meta, form{}.text("summary", "Typed"))
		_, blocks := modalView(t, update)
		if got := submitLabel(t, update); got != label || element(blocks, "summary")["initial_value"] != "Typed" {
			t.Errorf("choosing %s: the button says %q, want %q (or what was typed is lost)", choice, got, label)
		}
		a.eventually("the form updated", func() bool { ms := a.slack.Modals(); return ms[len(ms)-1].Hash != hash })
	}
	ack := a.viewSubmission("U0CM", "outcome", "VNOCHOICE", meta, minimalOutcome().without("save_as"), 0)
	if errs, _ := ack["errors"].(map[string]any); !strings.Contains(fmt.Sprint(errs["save_as"]), "Please choose") {
		t.Errorf("submitted without a choice: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM outcomes`) + a.count(`SELECT count(*) FROM outcome_drafts`); n != 0 {
		t.Errorf("a submission without a choice stored %d rows", n)
	}
}

// amendedValues is the corrected outcome: the arrears were eight weeks,
// the GP's review moved to the 25th, Ann Lee's action is removed (its row
// 3 taken out) and the social worker has a new one (in a new row, which
// takes the number 3 again: it starts blank).
func amendedValues() form {
	return form{}.users("attended", "U0CM", "U0SW", "U0PROB").text("attended_others", "Dr Patel, GP, Church Street Surgery").
		users("apologies", "U0GP").choice("lead_changed", "no").
		text("summary", "Rent arrears of eight weeks; two missed GP appointments").
		text("outcome_worked", "Weekly calls from the key worker").text("client_views", "Wants to stay at Acacia House").
		date("review_on", "2027-01-29").users("share_with", "U0GP", "U0SW", "U0PROB").text("share_others", "Dr Patel, 020 7946 0000").
		text("act_area_1", "Health").text("act_what_1", "Medication review at the surgery").user("act_owner_1", "U0GP").date("act_due_1", "2026-11-25").
		text("act_area_2", "Housing").text("act_what_2", "Apply for tenancy sustainment support").user("act_owner_2", "U0SW").date("act_due_2", "2026-11-27").
		text("act_area_3", "Money").text("act_what_3", "Food bank voucher").user("act_owner_3", "U0SW").date("act_due_3", "2026-11-13")
}

const amendReason = "Arrears were eight weeks, not six; the GP review moved to the 25th; the benefits check is for the review"

// Done when 4: an amended outcome keeps both versions, sends the amended
// minutes to each on the share list once, and tells the owners of the
// actions added, changed and removed; nobody else may correct it, the
// reason is required, and a repeated or stale form sends nothing again.
func TestOutcomeAmended(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	gpAction, _ := a.ownedAction("U0GP")
	annAction := a.count(`SELECT id FROM actions WHERE owner_name = 'Ann Lee'`)

	// Outsiders, and invitees who are not its chair, minute taker or
	// case manager, are told it does not exist.
	opened := len(a.slack.CallsTo("views.open"))
	for _, u := range []string{"U0OUT", "U0GP", "U0SW"} {
		if got := decodeReply(t, a.command(u, "record CC-0001").Payload).Text; !strings.Contains(got, "no conference") {
			t.Errorf("%s: record CC-0001 after the outcome reads %q", u, got)
		}
	}
	if n := len(a.slack.CallsTo("views.open")); n != opened {
		t.Fatalf("others opened %d forms", n-opened)
	}

	// The case manager's record CC-0001 opens the form filled in with
	// what was recorded, asking what changed and why, and saying what its
	// button does.
	modals := len(a.slack.Modals())
	a.command("U0CM", "record CC-0001")
	open := a.waitCalls("views.open", opened+1)[opened]
	meta, blocks := modalView(t, open)
	if element(blocks, "summary")["initial_value"] != "Rent arrears of six weeks; two missed GP appointments" ||
		element(blocks, "act_owner_1")["initial_user"] != "U0GP" || element(blocks, "act_owner_name_3")["initial_value"] != "Ann Lee" ||
		element(blocks, "act_due_2")["initial_date"] != "2026-11-27" || element(blocks, "share_others")["initial_value"] != "Dr Patel, 020 7946 0000" {
		t.Errorf("the form did not open with what was recorded: %s", callText(open))
	}
	if element(blocks, "amend_reason") == nil || element(blocks, "save_as") != nil || submitLabel(t, open) != "Send amended minutes" ||
		!strings.Contains(callText(open), "What changed and why") {
		t.Errorf("the correction form: %q, button %q", callText(open), submitLabel(t, open))
	}
	a.eventually("the form", func() bool { return len(a.slack.Modals()) > modals })
	press := func(actionID, value string) {
		ms := a.slack.Modals()
		hash := ms[len(ms)-1].Hash
		meta, _ = modalView(t, a.inModal("U0CM", actionID, value, meta, form{}))
		a.eventually("the form updated", func() bool { ms := a.slack.Modals(); return ms[len(ms)-1].Hash != hash })
	}
	press("outcome_remove:3", "3")
	press("outcome_add", "add")

	// What changed and why is required; nothing is stored without it.
	outbox := a.count(`SELECT count(*) FROM outbox`)
	ack := a.viewSubmission("U0CM", "outcome", "VNOREASON", meta, amendedValues(), 0)
	if errs, _ := ack["errors"].(map[string]any); !strings.Contains(fmt.Sprint(errs["amend_reason"]), "what changed and why") {
		t.Errorf("no reason: %v", ack)
	}
	if a.count(`SELECT count(*) FROM outcome_versions`) != 0 || a.count(`SELECT count(*) FROM outbox`) != outbox {
		t.Fatal("a correction without a reason stored or sent something")
	}

	before := map[string]int{}
	for _, u := range []string{"U0GP", "U0SW", "U0PROB", "U0CM"} {
		before[u] = len(a.dmTo(u))
	}
	ack = a.viewSubmission("U0CM", "outcome", "VAMEND", meta, amendedValues().text("amend_reason", amendReason), 0)
	if ack["response_action"] != "update" || !strings.Contains(fmt.Sprint(ack["view"]), "is corrected") {
		t.Fatalf("amendment ack = %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)

	// Both versions are kept: the first as it was, with who made it;
	// the outcome is the second, with who corrected it and why.
	for query, want := range map[string]int{
		`SELECT count(*) FROM outcome_versions WHERE version = 1 AND made_by = 'U0CM' AND replaced_by = 'U0CM' AND outcome->>'Summary' LIKE '%six weeks%'`: 1,
		`SELECT count(*) FROM outcomes WHERE version = 2 AND amended_by = 'U0CM' AND summary LIKE '%eight weeks%' AND amend_reason LIKE 'Arrears were%'`:   1,
		`SELECT count(*) FROM actions`: 4, // Ann Lee's kept, closed
		`SELECT count(*) FROM actions WHERE owner_name = 'Ann Lee' AND removed_at IS NOT NULL AND status = 'not_needed'`:  1,
		`SELECT count(*) FROM actions WHERE owner_slack_id = 'U0GP' AND due_on = '2026-11-25'`:                            1,
		`SELECT count(*) FROM disclosures WHERE version = 2 AND recipient_id IN ('U0GP', 'U0SW') AND sent_at IS NOT NULL`: 2,
		`SELECT count(*) FROM disclosures WHERE version = 2 AND recipient_id NOT IN ('U0GP', 'U0SW')`:                     0,
		`SELECT count(*) FROM audit_log WHERE action = 'outcome.amend' AND detail LIKE '%1 added, 1 changed, 1 removed%'`: 1,
	} {
		if n := a.count(query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	if id, _ := a.ownedAction("U0GP"); id != gpAction {
		t.Errorf("the changed action has a new ID: %d, was %d", id, gpAction)
	}

	// The amended minutes go to each on the share list the consent
	// covers, once each (one part), saying what changed and why; the
	// probation officer, not covered, gets nothing.
	amended := map[string][]string{}
	for _, u := range []string{"U0GP", "U0SW", "U0PROB", "U0CM"} {
		for _, dm := range a.dmTo(u)[before[u]:] {
			amended[u] = append(amended[u], callText(dm))
		}
	}
	for _, u := range []string{"U0GP", "U0SW"} {
		n := 0
		for _, text := range amended[u] {
			if strings.Contains(text, "Amended minutes of CC-0001") {
				n++
				if !strings.Contains(text, "eight weeks") || !strings.Contains(text, "the GP review moved to the 25th") || strings.Contains(text, "six weeks") {
					t.Errorf("%s's amended minutes: %s", u, text)
				}
			}
		}
		if n != 1 {
			t.Errorf("%s got the amended minutes %d times, want once: %q", u, n, amended[u])
		}
	}
	if len(amended["U0PROB"]) != 0 {
		t.Errorf("the probation officer, whom the consent does not cover, got %q", amended["U0PROB"])
	}
	// The GP is told of their changed action, the social worker of their
	// new one (not of the one that did not change), and the case manager,
	// who chased Ann Lee's, that it was removed.
	told := func(u string, wants ...string) {
		t.Helper()
		for _, text := range amended[u] {
			if strings.Contains(text, "Amended minutes") {
				continue
			}
			ok := true
			for _, w := range wants {
				ok = ok && strings.Contains(text, w)
			}
			if ok {
				return
			}
		}
		t.Errorf("%s was not told %q: %q", u, wants, amended[u])
	}
	told("U0GP", "was corrected", "Medication review at the surgery", "Wednesday 25 November 2026")
	told("U0SW", "was corrected", "Food bank voucher")
	told("U0CM", "was corrected", "removed", "Benefits check")
	if len(amended["U0GP"]) != 2 || len(amended["U0SW"]) != 2 {
		t.Errorf("the GP got %d messages, the social worker %d: want the amended minutes and one about their action", len(amended["U0GP"]), len(amended["U0SW"]))
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE subject_id = $1 AND kind LIKE 'action_due%' AND state = 'pending'`, annAction); n != 0 {
		t.Errorf("%d reminders of the removed action still pending", n)
	}

	// The history: show says it was corrected, and why; the export keeps
	// the first version as it was, and logs each disclosure by version.
	if show := string(mustJSON(t, decodeReply(t, a.command("U0CM", "show CC-0001").Payload).Blocks)); !strings.Contains(show, "*Corrected*") ||
		!strings.Contains(show, "the GP review moved to the 25th") || !strings.Contains(show, "Correct the record") {
		t.Errorf("show after the correction: %s", show)
	}
	if gp := string(mustJSON(t, decodeReply(t, a.command("U0GP", "show CC-0001").Payload).Blocks)); strings.Contains(gp, "Correct the record") {
		t.Error("an invitee's show offers Correct the record")
	}
	a.commandReply("U0CM", "export CC-0001")
	ups, err := a.waitFileUploads(ctxFor(t), 1)
	if err != nil || len(ups) != 1 {
		t.Fatalf("uploads: %d, %v", len(ups), err)
	}
	doc := string(ups[0].Content)
	for _, want := range []string{"## Earlier versions of the outcome", "### Version 1", "Rent arrears of six weeks", "Benefits check",
		"Rent arrears of eight weeks", "of the amended minutes (version 2)", "outcome corrected"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the export does not have %q", want)
		}
	}

	// The same submission again, or the form opened on version 1
	// submitted again: nothing more is stored or sent.
	outbox = a.count(`SELECT count(*) FROM outbox`)
	a.viewSubmission("U0CM", "outcome", "VAMEND", meta, amendedValues().text("amend_reason", amendReason), 1)
	stale := a.viewSubmission("U0CM", "outcome", "VSTALE", meta, amendedValues().text("amend_reason", "Another change"), 0)
	if !strings.Contains(fmt.Sprint(stale["view"]), "corrected since this form was opened") {
		t.Errorf("a stale correction: %v", stale)
	}
	a.waitAllHandled()
	if a.count(`SELECT count(*) FROM outbox`) != outbox || a.count(`SELECT count(*) FROM outcome_versions`) != 1 {
		t.Error("a repeated or stale correction stored or sent something again")
	}
	if logs := a.logs.String(); strings.Contains(logs, "eight weeks") || strings.Contains(logs, "GP review moved") {
		t.Error("the record or what changed and why in the logs")
	}
}
