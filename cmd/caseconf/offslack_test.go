package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// inScheduleForm presses a button inside the scheduling form last opened
// or updated (call: that views.open or views.update), as Slack sends it:
// the view with its blocks and what has been typed. It returns the
// views.update the bot answers with.
func (a *app) inScheduleForm(userID string, call fakeslack.Call, actionID, value string, values form) fakeslack.Call {
	a.t.Helper()
	var view map[string]any
	if err := json.Unmarshal([]byte(call.Params.Get("view")), &view); err != nil {
		a.t.Fatalf("view: %v", err)
	}
	var modals []fakeslack.Modal
	a.eventually("the form to be open", func() bool { modals = a.slack.Modals(); return len(modals) > 0 })
	m := modals[len(modals)-1]
	view["id"], view["hash"], view["state"] = m.ID, m.Hash, map[string]any{"values": values}
	updates := len(a.slack.CallsTo("views.update"))
	a.send(fakeslack.Envelope{Type: fakeslack.TypeInteractive, Payload: map[string]any{
		"type": "block_actions", "team": map[string]any{"id": fakeslack.TeamID}, "user": map[string]any{"id": userID},
		"api_app_id": fakeslack.AppID, "trigger_id": "trig-" + actionID,
		"container": map[string]any{"type": "view", "view_id": m.ID},
		"view":      view,
		"actions":   []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b", "value": value, "action_ts": "1700000000.1"}},
	}})
	return a.waitCalls("views.update", updates+1)[updates]
}

// blockIDsOf are the block IDs of a views.open or views.update call's view, in order.
func blockIDsOf(t *testing.T, c fakeslack.Call) []string {
	t.Helper()
	_, blocks := modalView(t, c)
	var out []string
	for _, b := range blocks {
		id, _ := b["block_id"].(string)
		out = append(out, id)
	}
	return out
}

// replyText is everything in the reply to a slash command (show answers
// in its ack).
func (a *app) replyText(user, text string) string {
	a.t.Helper()
	var body any
	if err := json.Unmarshal(a.command(user, text).Payload, &body); err != nil {
		a.t.Fatal(err)
	}
	return "\n" + strings.Join(jsonStrings(body), "\n") + "\n"
}

// A conference with eight people not on Slack, added one by one with Add
// person not on Slack (one added too many and removed again): their
// replies recorded for five (one "not involved", one "can't attend"
// whose report is entered, one "can't attend" with none) and a sixth's
// taken back; only the case manager and the chair may record them; gaps
// counts every one of the eight exactly; and the case manager is chased
// for those with no reply, and for the report still owed, with Record
// reply on the reminder.
func TestPeopleNotOnSlackAreFullParticipants(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)

	// The form opens with one row; Add person not on Slack adds eight
	// more, keeping what was typed; Remove takes the fourth out.
	a.command("U0CM", "new")
	view := a.waitCalls("views.open", 1)[0]
	if view.Refused != "" {
		t.Fatalf("Slack refused the scheduling form: %s", view.Refused)
	}
	if ids := blockIDsOf(t, view); !slices.Contains(ids, "ext_name_0") || slices.Contains(ids, "ext_name_1") || !slices.Contains(ids, "ext_rows") {
		t.Fatalf("the new form's blocks: %v", ids)
	}
	typed := form{}.text("ext_name_0", "Dr Ayo Patel").text("purpose", "Keep the tenancy")
	for range 8 {
		view = a.inScheduleForm("U0CM", view, "ext_add", "add", typed)
	}
	if el := element(func() []map[string]any { _, b := modalView(t, view); return b }(), "ext_name_0"); el["initial_value"] != "Dr Ayo Patel" {
		t.Errorf("what was typed in the first row was lost: %v", el)
	}
	if el := element(func() []map[string]any { _, b := modalView(t, view); return b }(), "purpose"); el["initial_value"] != "Keep the tenancy" {
		t.Errorf("the purpose typed was lost: %v", el)
	}
	view = a.inScheduleForm("U0CM", view, "ext_remove:3", "3", typed)
	ids := blockIDsOf(t, view)
	var rows []int
	for n := range 12 {
		if slices.Contains(ids, fmt.Sprintf("ext_name_%d", n)) {
			rows = append(rows, n)
		}
	}
	if !slices.Equal(rows, []int{0, 1, 2, 4, 5, 6, 7, 8}) || len(ids) > 100 {
		t.Fatalf("rows %v in %d blocks after adding eight and removing the fourth", rows, len(ids))
	}
	text := callText(view)
	if n := strings.Count(view.Params.Get("view"), `"action_id":"ext_remove:`); n != 8 {
		t.Errorf("%d Remove buttons, want 8", n)
	}
	for _, label := range []string{"Add person not on Slack", "Name", "Job title", "Agency", "Kind of agency", "E-mail", "Phone"} {
		if !strings.Contains(text, "\n"+label+"\n") {
			t.Errorf("the form has no %q", label)
		}
	}

	// Eight people, each from their own agency; one row has neither
	// e-mail nor phone: the form says so on that row.
	f := scheduleForm().without("ext_name_0").without("ext_role_0").without("ext_agency_0").without("ext_agency_kind_0").without("ext_phone_0")
	for i, n := range rows {
		letter := string(rune('A' + i))
		f = f.text(fmt.Sprintf("ext_name_%d", n), "Person "+letter).text(fmt.Sprintf("ext_role_%d", n), "Worker").
			text(fmt.Sprintf("ext_agency_%d", n), "Agency "+letter).choice(fmt.Sprintf("ext_agency_kind_%d", n), "housing")
		if i%2 == 0 {
			f = f.text(fmt.Sprintf("ext_email_%d", n), "person."+strings.ToLower(letter)+"@example.org")
		} else {
			f = f.text(fmt.Sprintf("ext_phone_%d", n), "020 7946 000"+fmt.Sprint(i))
		}
	}
	modals := a.slack.Modals()
	viewID := modals[len(modals)-1].ID
	bad := form{}
	for k, v := range f {
		bad[k] = v
	}
	bad.without("ext_phone_8")
	ack := a.viewSubmission("U0CM", "schedule", viewID, "", bad, 0)
	if errs, _ := ack["errors"].(map[string]any); errs == nil || !strings.Contains(fmt.Sprint(errs["ext_email_8"]), "e-mail address or phone") {
		t.Fatalf("a row with no way to reach them: %v", ack)
	}
	if ack := a.viewSubmission("U0CM", "schedule", viewID, "", f, 0); ack["response_action"] != "clear" {
		t.Fatalf("the form with eight people not on Slack: %v", ack)
	}
	a.waitCalls("chat.postMessage", 3) // the summary and the two invitations on Slack
	a.invitationsRecorded()
	if n := a.count(`SELECT count(*) FROM invitees WHERE slack_user_id IS NULL AND (email <> '' OR phone <> '') AND contact = ''`); n != 8 {
		t.Fatalf("%d people not on Slack stored with e-mail or phone, want 8", n)
	}
	person := map[string]int{}
	for i := range 8 {
		letter := string(rune('A' + i))
		person[letter] = a.count(`SELECT id FROM invitees WHERE name = $1`, "Person "+letter)
	}
	val := func(letter string) string { return fmt.Sprintf("i%d", person[letter]) }

	// show gives the case manager Record reply and Add report received
	// for each of the eight.
	show := a.replyText("U0CM", "show CC-0001")
	for i := range 8 {
		if !strings.Contains(show, "\nRecord reply: Person "+string(rune('A'+i))+"\n") {
			t.Errorf("show has no Record reply for Person %c:\n%s", 'A'+i, show)
		}
	}
	if strings.Count(show, "\nAdd report received\n") != 8 {
		t.Errorf("show has %d Add report received buttons, want 8", strings.Count(show, "\nAdd report received\n"))
	}
	if strings.Contains(a.replyText("U0GP", "show CC-0001"), "Record reply") {
		t.Error("an invitee was offered Record reply")
	}

	// Record reply: the case manager records five replies and takes a
	// sixth back; a colleague must be named.
	record := func(letter, reply, line, how, on string) map[string]any {
		t.Helper()
		meta := a.openForm("U0CM", "record_reply:"+fmt.Sprint(person[letter]), val(letter), "record_reply")
		values := form{}.choice("reply", reply).text("reply_line", line).choice("agreed_how", how)
		if on != "" {
			values = values.date("agreed_on", on)
		}
		return a.viewSubmission("U0CM", "record_reply", "VREPLY"+letter+reply, meta, values, 0)
	}
	if ack := record("B", "colleague", "", "not_yet", ""); ack["errors"] == nil {
		t.Fatalf("a colleague not named: %v", ack)
	}
	for _, r := range [][5]string{
		{"A", "attending", "", "signed_form", "2026-10-30"},
		{"B", "colleague", "Sam Reed", "email", "2026-10-31"},
		{"C", "apologies", "", "verbal", "2026-11-02"},
		{"D", "not_involved", "Discharged in May", "not_yet", ""},
		{"E", "apologies", "", "not_yet", ""},
		{"F", "attending", "", "not_yet", ""},
		{"F", "no_reply", "", "not_yet", ""},
	} {
		if ack := record(r[0], r[1], r[2], r[3], r[4]); ack["response_action"] != "clear" {
			t.Fatalf("recording %v: %v", r, ack)
		}
	}
	if n := a.count(`SELECT count(*) FROM responses WHERE recorded_by = 'U0CM'`); n != 7 {
		t.Errorf("%d replies recorded by the case manager, want 7", n)
	}
	if n := a.count(`SELECT count(*) FROM agreement_acknowledgements WHERE slack_user_id IS NULL AND recorded_by = 'U0CM'`); n != 3 {
		t.Errorf("%d agreements recorded, want 3", n)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'reply.record' AND actor_id = 'U0CM'`); n != 7 {
		t.Errorf("%d replies audited, want 7", n)
	}
	// Nobody else may: an invitee's forged submission changes nothing.
	a.viewSubmission("U0SW", "record_reply", "VFORGED", val("G"), form{}.choice("reply", "attending").choice("agreed_how", "not_yet"), 0)
	if n := a.count(`SELECT count(*) FROM responses WHERE invitee_id = $1`, person["G"]); n != 0 {
		t.Fatal("an invitee recorded a reply for someone not on Slack")
	}

	// Add report received: the report Person C sent, entered by the case
	// manager with how and when it came.
	meta := a.openForm("U0CM", "enter_report:"+fmt.Sprint(person["C"]), val("C"), "report_received")
	rep := form{}.text("report_agency", "Agency C").text("report_role", "Worker").text("involvement", "Weekly visits").
		text("last_contact", "Home visit, 28 October").text("concerns", "Arrears").text("recommendations", "Refer to tenancy support").
		text("received_how", "by e-mail from Person C").date("received_on", "2026-11-02")
	if ack := a.viewSubmission("U0CM", "report_received", "VREPC", meta, rep, 0); ack["response_action"] != "clear" {
		t.Fatalf("entering the report: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM reports WHERE invitee_id = $1 AND entered_by = 'U0CM' AND received_how = 'by e-mail from Person C' AND received_on = '2026-11-02'`, person["C"]); n != 1 {
		t.Fatalf("the entered report stored %d times", n)
	}
	if n := a.count(`SELECT count(*) FROM report_revisions WHERE invitee_id = $1 AND entered_by = 'U0CM'`, person["C"]); n != 1 {
		t.Errorf("the entered report has %d revisions", n)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'report.enter'`); n != 1 {
		t.Errorf("the entered report audited %d times", n)
	}
	// It reads as theirs, marked as entered by the case manager.
	reports := a.replyText("U0CM", "reports CC-0001")
	if !strings.Contains(reports, "Person C (not on Slack) · Agency C · Worker · received 2 Nov 2026, by e-mail from Person C · entered by <@U0CM>") ||
		!strings.Contains(reports, "Refer to tenancy support") {
		t.Errorf("the reports read:\n%s", reports)
	}
	show = a.replyText("U0CM", "show CC-0001")
	for _, want := range []string{"Person A (Worker, Agency A) — not on Slack · person.a@example.org", "agreement accepted (signed form, 30 Oct); attending",
		"sending a colleague: Sam Reed", "report sent", "(entered by the case manager)", "*Not involved* with this client — Discharged in May",
		"Person F (Worker, Agency F) — not on Slack · 020 7946 0005\n      agreement not yet accepted; no answer yet"} {
		if !strings.Contains(show, want) {
			t.Errorf("show lacks %q:\n%s", want, show)
		}
	}

	// Seven working days before: the case manager is chased for the three
	// with no reply (F, G, H), with Record reply; three before, for the
	// report E still owes.
	a.sweep("2026-11-11T08:00:00Z")
	for _, l := range []string{"F", "G", "H"} {
		if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation_unanswered' AND recipient_id = 'U0CM' AND subject_id = $1`, person[l]); n != 1 {
			t.Errorf("%d reminders to the case manager about Person %s's reply, want 1", n, l)
		}
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation_unanswered' AND recipient_id = 'U0CM'`); n != 3 {
		t.Errorf("%d reminders about replies to the case manager, want 3", n)
	}
	a.sweep("2026-11-17T08:00:00Z")
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'report_owed' AND recipient_id = 'U0CM'`); n != 1 ||
		a.count(`SELECT count(*) FROM outbox WHERE kind = 'report_owed' AND subject_id = $1`, person["E"]) != 1 {
		t.Errorf("the report owed by Person E: %d reminders to the case manager", n)
	}
	got := strings.Join(a.remindersTo("U0CM"), "\n")
	for _, want := range []string{"Person F (Agency F), not on Slack, has not replied to the invitation to *CC-0001*", "\nRecord reply: Person G\n",
		"Person E (Agency E), not on Slack, can't attend *CC-0001*", "\nAdd report received\n", "You can reach them at person.g@example.org"} {
		if !strings.Contains(got, want) {
			t.Errorf("the case manager's reminders lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Person A ") || strings.Contains(got, "Person C ") || strings.Contains(got, "Person D ") {
		t.Errorf("someone who replied (or owes nothing) was chased:\n%s", got)
	}

	// Gaps: exact for all eight.
	_, reply := a.commandReply("U0CM", "gaps 2026-11-01 2026-11-30")
	if !strings.Contains(reply, "Gaps for") {
		t.Fatalf("gaps answered %q", reply)
	}
	ups, err := a.waitFileUploads(ctxFor(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	var csv string
	for _, u := range ups {
		if strings.HasPrefix(u.Filename, "gaps-") {
			csv = string(u.Content)
		}
	}
	want := []string{
		"agency,from,to,not_answered,without_report,actions_overdue,actions_overdue_over_28_days,not_involved\n",
		"\nAgency E,2026-11-01,2026-11-30,0,1,0,0,0\n",
		"\nAgency D,2026-11-01,2026-11-30,0,0,0,0,1\n",
		"\nAgency F,2026-11-01,2026-11-30,1,0,0,0,0\n",
		"\nAgency G,2026-11-01,2026-11-30,1,0,0,0,0\n",
		"\nAgency H,2026-11-01,2026-11-30,1,0,0,0,0\n",
	}
	for _, w := range want {
		if !strings.Contains(csv, w) {
			t.Errorf("the gaps CSV lacks %q:\n%s", w, csv)
		}
	}
	for _, l := range []string{"A", "B", "C"} {
		if strings.Contains(csv, "\nAgency "+l+",") {
			t.Errorf("Agency %s, which replied (and sent its report), has a gap:\n%s", l, csv)
		}
	}
}
