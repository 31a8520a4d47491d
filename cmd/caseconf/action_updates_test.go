package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Updating actions after the minutes went round (progress notes, new
// dates proposed and decided), the actions the case manager chases, and
// the letter to the client.

// recordOutcome records CC-0001's outcome (outcomeValues: the GP's,
// the social worker's, and Ann Lee's action, who is not on Slack) as its
// case manager, and waits for everything it sends.
func (a *app) recordOutcome() {
	a.t.Helper()
	a.recordOutcomeWith(outcomeValues())
}

// recordOutcomeWith is recordOutcome with the form's values vals (action
// rows 1, 3 and 4).
func (a *app) recordOutcomeWith(vals form) {
	a.t.Helper()
	opened, modals := len(a.slack.CallsTo("views.open")), len(a.slack.Modals())
	a.command("U0CM", "record CC-0001")
	meta, _ := modalView(a.t.(*testing.T), a.waitCalls("views.open", opened+1)[opened])
	// The fake records a call before it has answered it: each button
	// press waits for the modal's new hash, as a person would see it.
	a.eventually("the outcome form", func() bool { return len(a.slack.Modals()) > modals })
	press := func(actionID, value string) {
		ms := a.slack.Modals()
		hash := ms[len(ms)-1].Hash
		meta, _ = modalView(a.t.(*testing.T), a.inModal("U0CM", actionID, value, meta, form{}))
		a.eventually("the form updated", func() bool { ms := a.slack.Modals(); return ms[len(ms)-1].Hash != hash })
	}
	for range 3 {
		press("outcome_add", "add")
	}
	press("outcome_remove:2", "2")
	if ack := a.viewSubmission("U0CM", "outcome", "VOUT", meta, vals, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		a.t.Fatalf("outcome ack = %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
}

// openForm presses button actionID on value as userID and returns the
// metadata of the modal it opens.
func (a *app) openForm(userID, actionID, value, wantCallback string) string {
	a.t.Helper()
	opened := len(a.slack.CallsTo("views.open"))
	a.click(userID, actionID, value)
	cb, meta := viewOf(a.t.(*testing.T), a.waitCalls("views.open", opened+1)[opened])
	if cb != wantCallback {
		a.t.Fatalf("%s opened %q, want %q", actionID, cb, wantCallback)
	}
	return meta
}

// newDMs waits until userID has had n DMs since before, and returns
// their text.
func (a *app) newDMs(userID string, before, n int) []string {
	a.t.Helper()
	a.eventually(fmt.Sprintf("%d DMs to %s", n, userID), func() bool { return len(a.dmTo(userID)) >= before+n })
	var out []string
	for _, c := range a.dmTo(userID)[before:] {
		out = append(out, callText(c))
	}
	return out
}

// hasLine reports whether text (callText's, one string a line, in no
// set order) has a line that is exactly line.
func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			return true
		}
	}
	return false
}

func fieldErrors(ack map[string]any) map[string]any {
	errs, _ := ack["errors"].(map[string]any)
	return errs
}

func TestProgressNoteAndProposedDate(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	action, value := a.ownedAction("U0GP")

	var dm string
	for _, c := range a.dmTo("U0GP") {
		if text := callText(c); strings.Contains(text, "An action for you") {
			dm = text
		}
	}
	for _, want := range []string{"Mark done", "Add progress note", "Propose new date", "action_note", "action_date", value} {
		if !hasLine(dm, want) {
			t.Fatalf("the owner's action DM lacks %q: %s", want, dm)
		}
	}

	// Anyone else pressing the owner's buttons is told it is not theirs,
	// no form opens, and a forged submission changes nothing.
	opened := len(a.slack.CallsTo("views.open"))
	for _, u := range []string{"U0OUT", "U0SW", "U0PROB"} {
		for _, act := range []string{"action_note", "action_date"} {
			if reply := a.replyTo(a.click(u, act, value)); !strings.Contains(reply, "not yours") {
				t.Errorf("%s pressing %s: %s", u, act, reply)
			}
		}
	}
	if n := len(a.slack.CallsTo("views.open")); n != opened {
		t.Fatalf("someone else's press opened %d forms", n-opened)
	}
	for _, forged := range []struct{ user, callback string }{{"U0OUT", "action_note"}, {"U0SW", "action_date"}} {
		ack := a.viewSubmission(forged.user, forged.callback, "VF-"+forged.user, value,
			form{}.text("progress_note", "Forged").date("new_due", "2026-12-11").text("due_reason", "Forged"), 0)
		if !strings.Contains(fmt.Sprint(ack["view"]), "not yours") {
			t.Errorf("%s's forged %s: %v", forged.user, forged.callback, ack)
		}
	}
	unchanged := func(when string) {
		t.Helper()
		if n := a.count(`SELECT count(*) FROM action_updates`) + a.count(`SELECT count(*) FROM audit_log WHERE action LIKE 'action.%' AND action <> 'action.open'`) +
			a.count(`SELECT count(*) FROM outbox WHERE kind IN ('action_update', 'action_date')`); n != 0 {
			t.Fatalf("%s: %d rows written", when, n)
		}
		if a.count(`SELECT count(*) FROM actions WHERE id = $1 AND due_on = '2026-11-20' AND progress = '' AND proposed_due_on IS NULL`, action) != 1 {
			t.Fatalf("%s: the action changed", when)
		}
	}
	unchanged("someone else's presses")

	// The owner's progress note: a blank one is answered on the field and
	// nothing stored; a note is kept, once, and the case manager told.
	meta := a.openForm("U0GP", "action_note", value, "action_note")
	if msg, _ := fieldErrors(a.viewSubmission("U0GP", "action_note", "VN0", meta, form{}.text("progress_note", " \u200b "), 0))["progress_note"].(string); !strings.Contains(msg, "write the note") {
		t.Errorf("a blank note: %q", msg)
	}
	unchanged("a blank note")
	cm := len(a.dmTo("U0CM"))
	note := form{}.text("progress_note", "Appointment booked for 18 November")
	if ack := a.viewSubmission("U0GP", "action_note", "VN1", meta, note, 0); !strings.Contains(fmt.Sprint(ack["view"]), "Progress note saved") {
		t.Fatalf("note ack = %v", ack)
	}
	a.viewSubmission("U0GP", "action_note", "VN1", meta, note, 1) // Slack's retry
	a.waitOutboxDone(20 * time.Second)
	for query, want := range map[string]int{
		`SELECT count(*) FROM action_updates WHERE kind = 'note' AND by_id = 'U0GP' AND note = 'Appointment booked for 18 November'`: 1,
		`SELECT count(*) FROM actions WHERE progress = 'Appointment booked for 18 November'`:                                         1,
		`SELECT count(*) FROM audit_log WHERE action = 'action.note' AND actor_id = 'U0GP'`:                                          1,
		`SELECT count(*) FROM outbox WHERE kind = 'action_update' AND recipient_id = 'U0CM' AND state = 'sent'`:                      1,
	} {
		if n := a.count(query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	if got := a.newDMs("U0CM", cm, 1); len(got) != 1 || !strings.Contains(got[0], "<@U0GP> added a progress note") || !strings.Contains(got[0], "Appointment booked") {
		t.Errorf("the case manager's notice of the note: %q", got)
	}

	// Propose new date: bad input answered field by field, nothing stored.
	meta = a.openForm("U0GP", "action_date", value, "action_date")
	for _, bad := range []struct {
		values form
		want   map[string]string
	}{
		{form{}.date("new_due", "2026-11-02").text("due_reason", ""), map[string]string{"new_due": "after today", "due_reason": "why"}},
		{form{}.text("due_reason", "Pharmacist away"), map[string]string{"new_due": "choose the new date"}},
		{form{}.date("new_due", "2026-11-20").text("due_reason", "Pharmacist away"), map[string]string{"new_due": "already"}},
		{form{}.date("new_due", "2026-12-11").text("due_reason", strings.Repeat("x", 501)), map[string]string{"due_reason": "500 characters"}},
	} {
		errs := fieldErrors(a.viewSubmission("U0GP", "action_date", "VBAD", meta, bad.values, 0))
		for field, want := range bad.want {
			if msg, _ := errs[field].(string); !strings.Contains(msg, want) {
				t.Errorf("%v: %s = %q, want it to say %q", bad.values, field, msg, want)
			}
		}
	}
	if n := a.count(`SELECT count(*) FROM action_updates WHERE kind = 'new_date'`); n != 0 {
		t.Fatalf("invalid dates stored %d updates", n)
	}

	// A valid proposal waits for the case manager: the date stays.
	waiting := a.pendingReminder("action_due_soon", action, "U0GP", "2026-11-18")
	cm = len(a.dmTo("U0CM"))
	proposal := form{}.date("new_due", "2026-12-11").text("due_reason", "The surgery's pharmacist is away until December")
	if ack := a.viewSubmission("U0GP", "action_date", "VD1", meta, proposal, 0); !strings.Contains(fmt.Sprint(ack["view"]), "Proposed") {
		t.Fatalf("proposal ack = %v", ack)
	}
	if a.count(`SELECT count(*) FROM actions WHERE id = $1 AND due_on = '2026-11-20' AND proposed_due_on = '2026-12-11'`, action) != 1 ||
		a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.date.propose' AND actor_id = 'U0GP'`) != 1 {
		t.Fatal("the proposal moved the action, or was not kept and audited")
	}
	update := a.count(`SELECT id FROM action_updates WHERE state = 'proposed' AND old_due_on = '2026-11-20' AND new_due_on = '2026-12-11'`)
	uvalue := fmt.Sprintf("u%d", update)
	got := a.newDMs("U0CM", cm, 1)
	if !strings.Contains(got[0], "<@U0GP> proposes a new date") || !strings.Contains(got[0], "pharmacist is away") ||
		!hasLine(got[0], "date_accept") || !strings.Contains(got[0], "Keep the old date") || !hasLine(got[0], uvalue) {
		t.Fatalf("the case manager's proposal: %s", got[0])
	}

	// Only the case manager or chair decides: the owner's press, or an
	// outsider's, changes nothing.
	for _, u := range []string{"U0GP", "U0OUT"} {
		if reply := a.replyTo(a.click(u, "date_accept", uvalue)); !strings.Contains(reply, "not yours to decide") {
			t.Errorf("%s accepting: %s", u, reply)
		}
	}
	if a.count(`SELECT count(*) FROM action_updates WHERE id = $1 AND state = 'proposed'`, update) != 1 ||
		a.count(`SELECT count(*) FROM actions WHERE id = $1 AND due_on = '2026-11-20'`, action) != 1 {
		t.Fatal("someone else's Accept changed something")
	}

	// The case manager accepts: the action moves, the reminder waiting for
	// the old date is cancelled, and the owner is told.
	gp := len(a.dmTo("U0GP"))
	body := a.replyTo(a.click("U0CM", "date_accept", uvalue))
	if !strings.Contains(body, `"replace_original":true`) || !strings.Contains(bodyText(t, body), "<@U0CM> accepted it") {
		t.Fatalf("the clicked proposal was not turned into the decision: %s", body)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM actions WHERE due_on = '2026-12-11' AND proposed_due_on IS NULL AND status = 'open'`:                             1,
		`SELECT count(*) FROM action_updates WHERE state = 'accepted' AND decided_by = 'U0CM' AND decided_at IS NOT NULL`:                      1,
		`SELECT count(*) FROM audit_log WHERE action = 'action.date.accept' AND actor_id = 'U0CM'`:                                             1,
		fmt.Sprintf(`SELECT count(*) FROM outbox WHERE id = %d AND state = 'cancelled' AND 'the action''s date moved' = ANY(errors)`, waiting): 1,
	} {
		if n := a.count(query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	a.waitOutboxDone(20 * time.Second)
	if got := a.newDMs("U0GP", gp, 1); len(got) != 1 || !strings.Contains(got[0], "<@U0CM> agreed the new date") ||
		!strings.Contains(got[0], "Friday 11 December 2026") || !strings.Contains(got[0], "Propose new date") {
		t.Errorf("the owner's notice: %q", got)
	}
	// Pressed again, either button: nothing more changes.
	a.replyTo(a.click("U0CM", "date_keep", uvalue))
	if a.count(`SELECT count(*) FROM audit_log WHERE action LIKE 'action.date.%' AND actor_id = 'U0CM'`) != 1 ||
		a.count(`SELECT count(*) FROM actions WHERE due_on = '2026-12-11'`) != 1 {
		t.Error("a second press changed the decision")
	}

	// Reminders follow the new date: none for the old one on 18 November,
	// the due-soon two working days before the new one.
	a.sweep("2026-11-18T08:00:00Z")
	// Not waited for: the reminder is timed for 9 December's working hours.
	if _, err := a.main.Sweeper.RunOnce(context.Background(), time.Date(2026, 12, 9, 8, 0, 0, 0, time.UTC), false); err != nil {
		t.Fatal(err)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_due_soon' AND subject_id = $1 AND state <> 'cancelled'`, action); n != 1 ||
		a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_due_soon' AND subject_id = $1 AND dedup_key LIKE '%:2026-12-09'`, action) != 1 {
		t.Errorf("due-soon reminders for the moved action: %d, want the one for the new date", n)
	}

	// Mark done, from the same DM: the action is done, the case manager told.
	cm = len(a.dmTo("U0CM"))
	a.replyTo(a.click("U0GP", "done", value))
	if got := a.newDMs("U0CM", cm, 1); !strings.Contains(strings.Join(got, "\n"), "<@U0GP> marked an action from *CC-0001* done") {
		t.Errorf("the case manager's notice of done: %q", got)
	}
	if logs := a.logs.String(); strings.Contains(logs, "Appointment booked") || strings.Contains(logs, "pharmacist") || strings.Contains(logs, "Medication review") {
		t.Error("what was written about the action is in the logs")
	}
}

// The case manager keeps the old date the social worker proposed, and
// moves actions at once themselves; they are not told of their own
// changes, and the owner on Slack is.
func TestCaseManagerDecidesAndMovesDates(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	sw := fmt.Sprintf("a%d", a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0SW'`))
	ann := fmt.Sprintf("a%d", a.count(`SELECT id FROM actions WHERE owner_name = 'Ann Lee'`))

	meta := a.openForm("U0SW", "action_date", sw, "action_date")
	cm := len(a.dmTo("U0CM"))
	a.viewSubmission("U0SW", "action_date", "VSW", meta, form{}.date("new_due", "2026-12-18").text("due_reason", "Waiting for the tenancy panel"), 0)
	a.newDMs("U0CM", cm, 1)
	uvalue := fmt.Sprintf("u%d", a.count(`SELECT id FROM action_updates WHERE state = 'proposed'`))
	swDMs := len(a.dmTo("U0SW"))
	if body := a.replyTo(a.click("U0CM", "date_keep", uvalue)); !strings.Contains(bodyText(t, body), "<@U0CM> kept the old date") {
		t.Fatalf("keeping the old date: %s", body)
	}
	if a.count(`SELECT count(*) FROM actions WHERE owner_slack_id = 'U0SW' AND due_on = '2026-11-27' AND proposed_due_on IS NULL`) != 1 ||
		a.count(`SELECT count(*) FROM action_updates WHERE state = 'kept' AND decided_by = 'U0CM'`) != 1 {
		t.Fatal("keeping the old date changed the action, or was not kept")
	}
	if got := a.newDMs("U0SW", swDMs, 1); !strings.Contains(got[0], "<@U0CM> kept the date") || !strings.Contains(got[0], "Friday 27 November 2026") {
		t.Errorf("the social worker's notice: %q", got)
	}

	// The case manager's own new dates take effect at once: for Ann Lee
	// (not on Slack) nobody is told; the social worker is.
	a.waitOutboxDone(20 * time.Second)
	cm, swDMs = len(a.dmTo("U0CM")), len(a.dmTo("U0SW"))
	for _, m := range []struct{ value, view string }{{ann, "VANN"}, {sw, "VSW2"}} {
		meta := a.openForm("U0CM", "action_date", m.value, "action_date")
		ack := a.viewSubmission("U0CM", "action_date", m.view, meta, form{}.date("new_due", "2027-01-08").text("due_reason", "Agreed at the home visit"), 0)
		if !strings.Contains(fmt.Sprint(ack["view"]), "now due on *Friday 8 January 2027*") {
			t.Errorf("the case manager's new date: %v", ack)
		}
	}
	if n := a.count(`SELECT count(*) FROM actions WHERE due_on = '2027-01-08'`); n != 2 ||
		a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.date.change' AND actor_id = 'U0CM'`) != 2 {
		t.Fatalf("%d actions moved at once, want 2", n)
	}
	a.waitOutboxDone(20 * time.Second)
	if n := len(a.dmTo("U0CM")) - cm; n != 0 {
		t.Errorf("the case manager was told of their own changes (%d DMs)", n)
	}
	if got := a.newDMs("U0SW", swDMs, 1); len(got) != 1 || !strings.Contains(got[0], "<@U0CM> moved your action from *CC-0001* to *Friday 8 January 2027*") ||
		!strings.Contains(got[0], "Agreed at the home visit") {
		t.Errorf("the social worker's notice: %q", got)
	}
}

// The case manager's notice after the outcome lists the actions of people
// not on Slack to chase, and drafts the letter to the client: for the
// case manager only, once the outcome is recorded.
func TestActionsToChaseAndClientLetter(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	cvalue := fmt.Sprintf("c%d", conf)
	if reply := a.replyTo(a.click("U0CM", "client_letter", cvalue)); !strings.Contains(reply, "not recorded yet") {
		t.Errorf("a letter before the outcome: %s", reply)
	}
	cm := len(a.dmTo("U0CM"))
	a.recordOutcome()
	var notices []string
	for _, c := range a.dmTo("U0CM")[cm:] {
		if text := callText(c); strings.Contains(text, "Draft letter to the client") {
			notices = append(notices, text)
		}
	}
	if len(notices) != 1 {
		t.Fatalf("the case manager got %d notices, want one", len(notices))
	}
	notice := notices[0]
	for _, want := range []string{"did not go to everyone", "owned by people not on Slack", "Benefits check; barrier: no ID",
		"Ann Lee, Acacia House (not on Slack) · by Friday 4 December 2026", "Draft letter to the client", "client_letter", cvalue} {
		if !strings.Contains(notice, want) || (want == cvalue || want == "client_letter") && !hasLine(notice, want) {
			t.Errorf("the case manager's notice lacks %q:\n%s", want, notice)
		}
	}
	if strings.Contains(notice, "Medication review") {
		t.Error("the notice lists an action whose owner is on Slack")
	}

	// Nobody else drafts it: an outsider reads "no conference"; an invitee
	// is told it is the case manager's.
	if reply := a.replyTo(a.click("U0OUT", "client_letter", cvalue)); !strings.Contains(reply, "no conference") {
		t.Errorf("an outsider's letter: %s", reply)
	}
	if reply := a.replyTo(a.click("U0GP", "client_letter", cvalue)); !strings.Contains(reply, "Only the case manager") || strings.Contains(reply, "Jane") {
		t.Errorf("an invitee's letter: %s", reply)
	}

	resp := a.click("U0CM", "client_letter", cvalue) // the same response_url as before the outcome
	a.eventually("the letter", func() bool { return len(a.responses(resp)) == 2 })
	body := a.responses(resp)[1]
	var reply struct {
		ResponseType string `json:"response_type"`
		Blocks       []struct {
			Text struct{ Type, Text string } `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(body), &reply); err != nil || reply.ResponseType != "ephemeral" {
		t.Fatalf("the letter: %v %s", err, body)
	}
	var letter strings.Builder
	for _, b := range reply.Blocks {
		if strings.Contains(letter.String(), "Dear") || strings.Contains(b.Text.Text, "Dear") {
			if b.Text.Type != "plain_text" {
				t.Errorf("the letter is in a %s section", b.Text.Type)
			}
			letter.WriteString(b.Text.Text)
		}
	}
	for _, want := range []string{"Dear Jane Smith", "Thank you for coming to the meeting about your support on Friday 30 October 2026",
		"What you told us\nWants to stay at Acacia House", "Medication review at the surgery", "By: Friday 20 November 2026",
		"Who: Ann Lee, Acacia House", "Church Street Surgery", "Friday 29 January 2027", "Case manager"} {
		if !strings.Contains(letter.String(), want) {
			t.Errorf("the letter lacks %q:\n%s", want, letter.String())
		}
	}
	// Each press by someone who may see the conference is audited, the
	// one before the outcome too.
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'conference.client_letter' AND actor_id = 'U0CM'`); n != 2 {
		t.Errorf("the letter was audited %d times", n)
	}
	if logs := a.logs.String(); strings.Contains(logs, "Jane Smith") || strings.Contains(logs, "Benefits check") {
		t.Error("the letter or the plan is in the logs")
	}
	// show offers the letter to the case manager once the outcome is
	// recorded, and to nobody else.
	showOf := func(u string) string { return string(a.command(u, "show CC-0001").Payload) }
	if r := showOf("U0CM"); !strings.Contains(r, "Draft letter to the client") {
		t.Errorf("the case manager's show has no letter button: %s", r)
	}
	if r := showOf("U0GP"); strings.Contains(r, "Draft letter to the client") {
		t.Error("an invitee's show offers the letter to the client")
	}
}

// Forged and repeated updates: done actions, other actions' metadata, a
// form reused for another action, concurrent submissions of one form,
// Accept after done, Accept by another conference's chair.
func TestForgedAndRepeatedUpdates(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	gp := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0GP'`)
	sw := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0SW'`)
	gpv, swv := fmt.Sprintf("a%d", gp), fmt.Sprintf("a%d", sw)

	// The GP forges the social worker's action into a form.
	for _, cb := range []string{"action_note", "action_date"} {
		ack := a.viewSubmission("U0GP", cb, "VZZF-"+cb, swv, form{}.text("progress_note", "Forged").date("new_due", "2026-12-11").text("due_reason", "Forged"), 0)
		if !strings.Contains(fmt.Sprint(ack), "not yours") {
			t.Errorf("the GP's forged %s on the social worker's action: %v", cb, ack)
		}
	}
	// Concurrent submissions of one note form: one note.
	meta := a.openForm("U0GP", "action_note", gpv, "action_note")
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.viewSubmission("U0GP", "action_note", "VZZC", meta, form{}.text("progress_note", "ZZCONCURRENT"), i%3)
		}()
	}
	wg.Wait()
	if n := a.count(`SELECT count(*) FROM action_updates WHERE note = 'ZZCONCURRENT'`); n != 1 {
		t.Errorf("one note form submitted concurrently stored %d notes", n)
	}
	// The case manager reuses a note form's view for another action.
	m1 := a.openForm("U0CM", "action_note", gpv, "action_note")
	a.viewSubmission("U0CM", "action_note", "VZZR", m1, form{}.text("progress_note", "first"), 0)
	ack := a.viewSubmission("U0CM", "action_note", "VZZR", swv, form{}.text("progress_note", "second"), 0)
	if n := a.count(`SELECT count(*) FROM action_updates WHERE action_id = $1`, sw); n != 0 {
		t.Errorf("a reused form stored a note on another action: %v", ack)
	}
	// A proposal, then the action done: Accept changes nothing.
	meta = a.openForm("U0GP", "action_date", gpv, "action_date")
	a.viewSubmission("U0GP", "action_date", "VZZP", meta, form{}.date("new_due", "2026-12-11").text("due_reason", "Away"), 0)
	u := a.count(`SELECT id FROM action_updates WHERE state = 'proposed'`)
	uv := fmt.Sprintf("u%d", u)
	// Another conference's chair presses Accept.
	if reply := a.replyTo(a.click("U0OTHER", "date_accept", uv)); !strings.Contains(reply, "not yours") {
		t.Errorf("another chair's Accept: %s", reply)
	}
	a.click("U0GP", "done", gpv)
	a.eventually("done", func() bool { return a.count(`SELECT count(*) FROM actions WHERE id = $1 AND status = 'done'`, gp) == 1 })
	reply := a.replyTo(a.click("U0CM", "date_accept", uv))
	if a.count(`SELECT count(*) FROM actions WHERE id = $1 AND due_on = '2026-11-20'`, gp) != 1 {
		t.Errorf("Accept after done moved the action: %s", reply)
	}
	// Note or new date on a done action, by the owner or the case manager.
	for _, u := range []string{"U0GP", "U0CM"} {
		ack := a.viewSubmission(u, "action_note", "VZZDONE-"+u, gpv, form{}.text("progress_note", "after done"), 0)
		if !strings.Contains(fmt.Sprint(ack), "already done") {
			t.Errorf("%s's note on a done action: %v", u, ack)
		}
		ack = a.viewSubmission(u, "action_date", "VZZDONED-"+u, gpv, form{}.date("new_due", "2027-01-08").text("due_reason", "after done"), 0)
		if !strings.Contains(fmt.Sprint(ack), "already done") {
			t.Errorf("%s's new date on a done action: %v", u, ack)
		}
	}
	if n := a.count(`SELECT count(*) FROM action_updates WHERE note = 'after done'`); n != 0 {
		t.Errorf("%d updates stored on a done action", n)
	}
	// Control characters and a NUL in a note: answered on the field.
	meta = a.openForm("U0SW", "action_note", swv, "action_note")
	for i, bad := range []string{"a\x00b", "a\x1b[31mb", strings.Repeat("é", 1001)} {
		ack := a.viewSubmission("U0SW", "action_note", fmt.Sprintf("VZZBAD%d", i), meta, form{}.text("progress_note", bad), 0)
		if fieldErrors(ack)["progress_note"] == nil {
			t.Errorf("note %q: %v", bad[:3], ack)
		}
	}
}
