package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// People not on Slack, tried as someone who should not be able to touch
// them would, and with a chair who is not the case manager.

// offSlackChairedBySW calls CC-0001 chaired by the social worker (not the
// case manager), with Dr Patel (GP, by phone) not on Slack, and returns
// Dr Patel's invitee ID.
func offSlackChairedBySW(a *app) int {
	a.t.Helper()
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", scheduleForm().user("chair", "U0SW"), 0); ack["response_action"] != "clear" {
		a.t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 3)
	a.invitationsRecorded()
	return a.count(`SELECT id FROM invitees WHERE name = 'Dr Patel'`)
}

// TestOffSlackRemindersGoToTheCaseManagerOnce: with a chair who is not
// the case manager, the case manager alone is chased, once, about Dr
// Patel's reply; the chair may record it, which stops the chasing; then
// the report Dr Patel owes is chased, once, again to the case manager.
func TestOffSlackRemindersGoToTheCaseManagerOnce(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	patel := offSlackChairedBySW(a)
	a.sweep("2026-11-11T08:00:00Z")
	a.sweep("2026-11-11T09:00:00Z")
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation_unanswered' AND subject_id = $1`, patel); n != 1 ||
		a.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation_unanswered' AND subject_id = $1 AND recipient_id = 'U0CM'`, patel) != 1 {
		t.Errorf("%d reminders about Dr Patel's reply, want one to the case manager", n)
	}
	// The chair records it; the invitee on Slack and an outsider may not
	// even open the form.
	for _, u := range []string{"U0GP", "U0XX"} {
		opened := len(a.slack.CallsTo("views.open"))
		reply := a.replyTo(a.click(u, fmt.Sprintf("record_reply:%d", patel), fmt.Sprintf("i%d", patel)))
		if len(a.slack.CallsTo("views.open")) != opened || strings.Contains(reply, "Dr Patel") || strings.Contains(reply, "JS-4411") {
			t.Errorf("%s pressed Record reply: %s", u, reply)
		}
	}
	meta := a.openForm("U0SW", fmt.Sprintf("record_reply:%d", patel), fmt.Sprintf("i%d", patel), "record_reply")
	if ack := a.viewSubmission("U0SW", "record_reply", "VCHAIR", meta, form{}.choice("reply", "apologies").choice("agreed_how", "verbal").date("agreed_on", "2026-10-30"), 0); ack["response_action"] != "clear" {
		t.Fatalf("the chair recording the reply: %v", ack)
	}
	a.sweep("2026-11-12T08:00:00Z")
	a.sweep("2026-11-17T08:00:00Z")
	a.sweep("2026-11-17T09:00:00Z")
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation_unanswered' AND subject_id = $1`, patel); n != 1 {
		t.Errorf("%d reminders about Dr Patel's reply after it was recorded, want the one before", n)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'report_owed' AND subject_id = $1`, patel); n != 1 ||
		a.count(`SELECT count(*) FROM outbox WHERE kind = 'report_owed' AND subject_id = $1 AND recipient_id = 'U0CM'`, patel) != 1 {
		t.Errorf("%d reminders about Dr Patel's report, want one to the case manager", n)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE recipient_id = 'U0SW' AND kind IN ('invitation_unanswered', 'report_owed') AND subject_id = $1`, patel); n != 0 {
		t.Errorf("the chair was chased %d times about Dr Patel", n)
	}
}

// TestOffSlackAfterCancellationAndFromAnotherConference: the case manager
// of another conference cannot open or save Record reply or Add report
// received for Dr Patel of this one; after the cancellation nobody can.
func TestOffSlackAfterCancellationAndFromAnotherConference(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	patel := offSlackChairedBySW(a)
	meta := a.openForm("U0CM", fmt.Sprintf("enter_report:%d", patel), fmt.Sprintf("i%d", patel), "report_received")
	replyMeta := a.openForm("U0CM", fmt.Sprintf("record_reply:%d", patel), fmt.Sprintf("i%d", patel), "record_reply")

	// U0GP calls a conference of their own, then forges buttons and
	// forms with Dr Patel's ID.
	other := scheduleForm().text("client_ref", "AB-1234").user("chair", "U0GP").user("minute_taker", "U0GP").users("invitees", "U0SW")
	if ack := a.viewSubmission("U0GP", "schedule", "V2", "", other, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	rep := form{}.text("report_agency", "Agency").text("report_role", "GP").text("involvement", "Forged").
		text("last_contact", "None").text("concerns", "None").text("recommendations", "None").
		text("received_how", "forged").date("received_on", "2026-11-02")
	for _, act := range []string{"record_reply", "enter_report"} {
		opened := len(a.slack.CallsTo("views.open"))
		reply := a.replyTo(a.click("U0GP", fmt.Sprintf("%s:%d", act, patel), fmt.Sprintf("i%d", patel)))
		if len(a.slack.CallsTo("views.open")) != opened || strings.Contains(reply, "JS-4411") {
			t.Errorf("another conference's chair pressed %s: %s", act, reply)
		}
	}
	a.viewSubmission("U0GP", "report_received", "VFORGE1", meta, rep, 0)
	a.viewSubmission("U0GP", "record_reply", "VFORGE2", replyMeta, form{}.choice("reply", "not_involved").choice("agreed_how", "not_yet"), 0)
	if n := a.count(`SELECT count(*) FROM reports`) + a.count(`SELECT count(*) FROM responses WHERE invitee_id = $1`, patel); n != 0 {
		t.Fatalf("forged forms saved %d rows", n)
	}

	// Cancelled: the forms opened before cannot be saved, nor opened again.
	opened := len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "cancel CC-0001")
	cancelMeta := a.waitCalls("views.open", opened+1)[opened].JSON()["view"].(map[string]any)["private_metadata"].(string)
	if ack := a.viewSubmission("U0CM", "cancel", "VX", cancelMeta, form{}.text("cancel_reason", "Not needed"), 0); ack["response_action"] != "clear" {
		t.Fatalf("cancel ack = %v", ack)
	}
	a.eventually("the cancellation", func() bool {
		return a.count(`SELECT count(*) FROM conferences WHERE ref = 'CC-0001' AND status = 'cancelled'`) == 1
	})
	if ack := a.viewSubmission("U0CM", "report_received", "VLATE1", meta, rep, 0); ack["response_action"] == "clear" {
		t.Errorf("a report entered after the cancellation: %v", ack)
	}
	if ack := a.viewSubmission("U0CM", "record_reply", "VLATE2", replyMeta, form{}.choice("reply", "attending").choice("agreed_how", "not_yet"), 0); ack["response_action"] == "clear" {
		t.Errorf("a reply recorded after the cancellation: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM reports`) + a.count(`SELECT count(*) FROM responses WHERE invitee_id = $1`, patel); n != 0 {
		t.Errorf("%d rows saved after the cancellation", n)
	}
	opened = len(a.slack.CallsTo("views.open"))
	a.replyTo(a.click("U0CM", fmt.Sprintf("record_reply:%d", patel), fmt.Sprintf("i%d", patel)))
	if len(a.slack.CallsTo("views.open")) != opened {
		t.Error("Record reply opened after the cancellation")
	}
}

// TestEditRemovesSomeoneNotOnSlackWithAReplyAndAReport: Person B replied
// (can't attend) and their report was entered; the case manager then
// takes them off. They are e-mailed that they are no longer invited;
// show no longer offers Record reply for them; nothing chases them; the
// gaps do not count them. (Their report is kept, but no longer shown
// with the conference's reports, as for anyone taken off.)
func TestEditRemovesSomeoneNotOnSlackWithAReplyAndAReport(t *testing.T) {
	t.Parallel()
	a, srv := startMailApp(t)
	offSlackConferenceThen(a, func() { srv.Wait(t, 3, 15*time.Second) })
	personB := a.count(`SELECT id FROM invitees WHERE name = 'Person B'`)
	a.exec(`UPDATE conferences SET starts_at = '2026-11-20 10:30+00'`)
	meta := a.openForm("U0CM", fmt.Sprintf("record_reply:%d", personB), fmt.Sprintf("i%d", personB), "record_reply")
	if ack := a.viewSubmission("U0CM", "record_reply", "VRB", meta, form{}.choice("reply", "apologies").choice("agreed_how", "signed_form").date("agreed_on", "2026-10-30"), 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	meta = a.openForm("U0CM", fmt.Sprintf("enter_report:%d", personB), fmt.Sprintf("i%d", personB), "report_received")
	rep := form{}.text("report_agency", "Agency B").text("report_role", "Worker").text("involvement", "Monthly visits").
		text("last_contact", "Phone call").text("concerns", "Arrears").text("recommendations", "Budgeting support").
		text("received_how", "by e-mail from Person B").date("received_on", "2026-11-01")
	if ack := a.viewSubmission("U0CM", "report_received", "VREPB", meta, rep, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.waitOutboxDone(20 * time.Second)

	editMeta, blocks := a.openEdit("U0CM", "CC-0001")
	edit := formFromModal(blocks)
	row := ""
	for k, v := range edit {
		if strings.HasPrefix(k, "ext_name_") && fmt.Sprint(v) == fmt.Sprint(form{}.text(k, "Person B")[k]) {
			row = strings.TrimPrefix(k, "ext_name_")
		}
	}
	if row == "" {
		t.Fatalf("Person B's row is not in the edit form: %v", edit)
	}
	for _, f := range []string{"name", "role", "agency", "agency_kind", "email", "phone"} {
		edit.without("ext_" + f + "_" + row)
	}
	if ack := a.viewSubmission("U0CM", "conference_edit", "VEDIT", editMeta, edit, 0); ack["response_action"] != "clear" {
		t.Fatalf("the edit: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	got := byRecipient(t, srv.Messages())
	if es := got["person.b@example.org"]; len(es) != 2 || !strings.Contains(es[1].text, "no longer invited") {
		t.Errorf("Person B got %d e-mails", len(es))
	} else {
		assertNoClientDetails(t, es[1])
	}
	show := a.replyText("U0CM", "show CC-0001")
	if strings.Contains(show, "Record reply: Person B") || strings.Contains(show, "Person B (Worker") {
		t.Errorf("show still lists Person B:\n%s", show)
	}
	a.sweep("2026-11-11T08:00:00Z")
	a.sweep("2026-11-17T08:00:00Z")
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind IN ('invitation_unanswered', 'report_owed') AND subject_id = $1`, personB); n != 0 {
		t.Errorf("%d reminders about Person B after they were taken off", n)
	}
	if n := a.count(`SELECT count(*) FROM reports WHERE invitee_id = $1`, personB); n != 1 {
		t.Errorf("Person B's report: %d rows", n)
	}
	if _, reply := a.commandReply("U0CM", "gaps 2026-11-01 2026-11-30"); strings.Contains(reply, "1 agencies") {
		t.Errorf("gaps: %q", reply)
	}
	ups, err := a.waitFileUploads(ctxFor(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range ups {
		if strings.HasPrefix(u.Filename, "gaps-") && strings.Contains(string(u.Content), "\nAgency,") {
			t.Errorf("the gaps count Person B, taken off:\n%s", u.Content)
		}
	}
}

// TestOffSlackFieldsThatGrowWhenEscaped: someone not on Slack whose name,
// job title and agency are each 200 ampersands (1,000 characters once
// escaped for Slack): Record reply, Add report received, show and the
// case manager's reminders about them all stay within Slack's limits
// (the fake Slack fails the test on anything real Slack would refuse).
func TestOffSlackFieldsThatGrowWhenEscaped(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	amp := strings.Repeat("&", 200)
	f := scheduleForm().text("ext_name_0", amp).text("ext_role_0", amp).text("ext_agency_0", amp)
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 3)
	a.invitationsRecorded()
	id := a.count(`SELECT id FROM invitees WHERE slack_user_id IS NULL`)
	meta := a.openForm("U0CM", fmt.Sprintf("record_reply:%d", id), fmt.Sprintf("i%d", id), "record_reply")
	if ack := a.viewSubmission("U0CM", "record_reply", "VR", meta, form{}.choice("reply", "apologies").choice("agreed_how", "not_yet"), 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.openForm("U0CM", fmt.Sprintf("enter_report:%d", id), fmt.Sprintf("i%d", id), "report_received")
	if show := a.replyText("U0CM", "show CC-0001"); !strings.Contains(show, "CC-0001") {
		t.Errorf("show: %q", show)
	}
	a.sweep("2026-11-17T08:00:00Z")
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'report_owed' AND subject_id = $1 AND state = 'sent'`, id); n != 1 {
		t.Errorf("%d reminders about the report sent", n)
	}
	for _, c := range a.slack.Calls() {
		if c.Refused != "" {
			t.Errorf("Slack refused %s: %s", c.Method, c.Refused)
		}
	}
}
