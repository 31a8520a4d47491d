package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// Acting on what the reminders chase: writing the report, answering
// (and, in acting_done_test.go, marking an action done). Each stops the
// reminders about it, in the transaction of the change.

// reportValues is a valid report form, as its author submits it.
func reportValues() form {
	return form{}.text("report_agency", "Church Street Surgery").text("report_role", "GP partner").
		text("involvement", "Registered patient; monthly medication reviews").
		text("last_contact", "Surgery appointment, 28 October").
		text("concerns", "Missed two appointments; marked weight loss").
		text("worked", "").text("not_worked", "Appointment letters").
		text("recommendations", "A joint home visit with the key worker")
}

// viewOf is the view a views.open call opened.
func viewOf(t *testing.T, c fakeslack.Call) (callbackID, metadata string) {
	t.Helper()
	var v struct {
		CallbackID      string `json:"callback_id"`
		PrivateMetadata string `json:"private_metadata"`
	}
	if err := json.Unmarshal([]byte(c.Params.Get("view")), &v); err != nil {
		t.Fatalf("views.open view: %v", err)
	}
	return v.CallbackID, v.PrivateMetadata
}

// pendingReminder writes a reminder the sweep would have timed for a later
// working window (the recipient's next morning, say): pending, not yet due.
func (a *app) pendingReminder(kind string, subject int, recipient, day string) int {
	a.t.Helper()
	conf := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	key := fmt.Sprintf("reminder:%s:%d:%s:%s", kind, subject, recipient, day)
	return a.count(`INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, created_at)
		VALUES ($1, $2, $3, $4, $5, now() + interval '1 day', now()) RETURNING id`, kind, key, recipient, conf, subject)
}

// The GP can't attend; the report-owed reminder carries a Write report
// button; the report is stored, the reminder still waiting is cancelled,
// a later sweep sends none, and the case manager's summary says it came.
func TestReportFromTheReminderStopsIt(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1") // Friday 20 November
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	gp := a.inviteeValue("CC-0001", "U0GP")
	gpID := a.inviteeID("CC-0001", "U0GP")
	a.click("U0GP", "respond:apologies", gp)
	a.eventually("the answer", func() bool { return a.count(`SELECT count(*) FROM responses`) == 1 })
	a.eventually("the summary to say a report is owed", func() bool {
		for _, u := range a.slack.CallsTo("chat.update") {
			if u.Params.Get("channel") == fakeslack.DMChannelID("U0CM") && strings.Contains(callText(u), "<@U0GP> — can't attend") &&
				strings.Contains(callText(u), "report owed") {
				return true
			}
		}
		return false
	})

	// Tuesday 17th, three working days before: the reminder goes.
	a.sweep("2026-11-17T08:00:00Z")
	got := a.remindersTo("U0GP")
	if len(got) != 1 || !strings.Contains(got[0], "counting on your written report") ||
		!strings.Contains(got[0], "\nreport\n") || !strings.Contains(got[0], "\n"+gp+"\n") {
		t.Fatalf("report-owed reminders = %q, want one with a Write report button", got)
	}
	waiting := a.pendingReminder("report_owed", gpID, "U0GP", "2026-11-19")

	opened := len(a.slack.CallsTo("views.open"))
	a.click("U0GP", "report", gp)
	open := a.waitCalls("views.open", opened+1)[opened]
	cb, meta := viewOf(t, open)
	body := callText(open)
	if cb != "report" || meta != gp || !strings.Contains(body, "Church Street Surgery") || !strings.Contains(body, "JS-4411") {
		t.Fatalf("report form: callback %q, metadata %q:\n%s", cb, meta, body)
	}
	for _, block := range []string{"report_role", "involvement", "last_contact", "concerns", "worked", "not_worked", "recommendations"} {
		if !strings.Contains(body, "\n"+block+"\n") {
			t.Errorf("the report form has no %s field", block)
		}
	}
	if ack := a.viewSubmission("U0GP", "report", "VREP1", meta, reportValues(), 0); ack["response_action"] != "clear" {
		t.Fatalf("report ack = %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM reports WHERE invitee_id = $1 AND author_id = 'U0GP' AND author_role = 'GP partner'
		AND concerns = 'Missed two appointments; marked weight loss' AND worked = '' AND revision = 1`, gpID); n != 1 {
		t.Fatal("the report was not stored as written")
	}
	if n := a.count(`SELECT count(*) FROM report_revisions WHERE invitee_id = $1 AND source_key = 'view:VREP1'`, gpID); n != 1 {
		t.Fatal("the report's first revision was not kept")
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'report.submit' AND actor_id = 'U0GP'`); n != 1 {
		t.Errorf("the report audited %d times", n)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state = 'cancelled' AND 'the report has come' = ANY(errors)`, waiting); n != 1 {
		t.Fatal("the reminder still waiting for the report was not cancelled")
	}
	var summary, invitation string
	a.eventually("the summary and the GP's invitation to show the report", func() bool {
		for _, u := range a.slack.CallsTo("chat.update") {
			text := callText(u)
			switch u.Params.Get("channel") {
			case fakeslack.DMChannelID("U0CM"):
				summary = text
			case fakeslack.DMChannelID("U0GP"):
				invitation = text
			}
		}
		return strings.Contains(summary, "report sent") && strings.Contains(invitation, "Your agency report:* sent")
	})
	if !strings.Contains(summary, "<@U0GP> — can't attend") || strings.Contains(summary, "report owed") {
		t.Errorf("summary after the report: %s", summary)
	}
	if !strings.Contains(invitation, "Update report") {
		t.Errorf("the GP's invitation offers no way to update the report: %s", invitation)
	}

	// Thursday 19th, the working day before: nothing more about the report.
	a.sweep("2026-11-19T08:00:00Z")
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'report_owed' AND state <> 'cancelled'`); n != 1 {
		t.Errorf("%d report-owed reminders besides the cancelled one, want just the first", n)
	}
	for _, r := range a.remindersTo("U0GP")[1:] {
		if strings.Contains(r, "written report") {
			t.Errorf("a report-owed reminder after the report came: %s", r)
		}
	}
	if logs := a.logs.String(); strings.Contains(logs, "weight loss") || strings.Contains(logs, "home visit") {
		t.Error("report text in the logs")
	}
}

// /caseconf report opens the form too; the same submission twice is
// stored once; saving again keeps the latest as the report and every
// version in its history.
func TestReportByCommandKeepsHistory(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	sw := a.inviteeID("CC-0001", "U0SW")
	a.click("U0SW", "respond:attending", a.inviteeValue("CC-0001", "U0SW"))
	a.eventually("the answer", func() bool { return a.count(`SELECT count(*) FROM responses`) == 1 })

	if r := decodeReply(t, a.command("U0SW", "report CC-0001").Payload); r.Text != "" {
		t.Fatalf("report answered %q, want the form", r.Text)
	}
	open := a.waitCalls("views.open", 2)[1]
	if open.Params.Get("trigger_id") == "" {
		t.Fatal("views.open without the command's trigger_id")
	}
	cb, meta := viewOf(t, open)
	if cb != "report" || meta != fmt.Sprintf("i%d", sw) || !strings.Contains(callText(open), "Westminster Adult Social Care") {
		t.Fatalf("report form: %q %q %s", cb, meta, callText(open))
	}
	for range 2 {
		if ack := a.viewSubmission("U0SW", "report", "VSW1", meta, reportValues().text("report_agency", "Westminster ASC"), 0); ack["response_action"] != "clear" {
			t.Fatalf("report ack = %v", ack)
		}
	}
	a.waitHandled("interactive", 5) // agree, the agreement, attending, and the two submissions
	if n := a.count(`SELECT count(*) FROM report_revisions WHERE invitee_id = $1`, sw); n != 1 {
		t.Fatalf("the same submission twice saved %d revisions", n)
	}

	a.command("U0SW", "report cc-0001")
	again := a.waitCalls("views.open", 3)[2]
	if text := callText(again); !strings.Contains(text, "Missed two appointments") || !strings.Contains(text, "Save changes") || !strings.Contains(text, "version 1") {
		t.Fatalf("the form opened again is not the report as saved: %s", text)
	}
	if ack := a.viewSubmission("U0SW", "report", "VSW2", meta, reportValues().text("concerns", "Rent arrears growing"), 0); ack["response_action"] != "clear" {
		t.Fatalf("second report ack = %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM reports WHERE invitee_id = $1 AND revision = 2 AND concerns = 'Rent arrears growing'`, sw); n != 1 {
		t.Fatal("the report is not the latest version")
	}
	if n := a.count(`SELECT count(*) FROM report_revisions WHERE invitee_id = $1 AND revision = 1 AND concerns = 'Missed two appointments; marked weight loss'`, sw); n != 1 {
		t.Fatal("the first version is not kept")
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action IN ('report.submit', 'report.update') AND actor_id = 'U0SW'`); n != 2 {
		t.Errorf("%d saves audited, want 2", n)
	}
	a.eventually("the summary to show the report", func() bool {
		ups := a.slack.CallsTo("chat.update")
		for i := len(ups) - 1; i >= 0; i-- {
			if ups[i].Params.Get("channel") == fakeslack.DMChannelID("U0CM") {
				return strings.Contains(callText(ups[i]), "<@U0SW> — attending") && strings.Contains(callText(ups[i]), "report sent")
			}
		}
		return false
	})

	// The case manager, who may see the conference, is told reports are
	// the invitees'.
	if r := decodeReply(t, a.command("U0CM", "report CC-0001").Payload); !strings.Contains(r.Text, "written by the people invited") {
		t.Errorf("the case manager's report answered %q", r.Text)
	}
	if r := decodeReply(t, a.command("U0SW", "report").Payload); !strings.Contains(r.Text, "Usage: `/caseconf report") {
		t.Errorf("report with no reference answered %q", r.Text)
	}
	if r := decodeReply(t, a.command("U0SW", "help").Payload); !strings.Contains(r.Text, "`/caseconf report REF` — Write or update your agency report") {
		t.Errorf("help does not list report: %q", r.Text)
	}
}

// Someone who is not the invitee can neither open the report form nor
// submit one (a forged view): it reads as a conference that does not
// exist, and nothing is stored.
func TestOutsiderCannotOpenOrSubmitAReport(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	gp := a.inviteeValue("CC-0001", "U0GP")
	opened := len(a.slack.CallsTo("views.open"))

	hidden := decodeReply(t, a.command("U0OUT", "report CC-0001").Payload)
	missing := decodeReply(t, a.command("U0OUT", "report CC-9999").Payload)
	if hidden.Text != missing.Text || !strings.Contains(hidden.Text, "no conference") {
		t.Fatalf("report CC-0001 reads %q, CC-9999 reads %q", hidden.Text, missing.Text)
	}
	if reply := a.replyTo(a.click("U0OUT", "report", gp)); !strings.Contains(reply, "no conference") {
		t.Fatalf("an outsider's Write report answered %s", reply)
	}
	// The social worker has not accepted the agreement: first things first.
	if reply := a.replyTo(a.click("U0SW", "report", a.inviteeValue("CC-0001", "U0SW"))); !strings.Contains(reply, "accept the information-sharing") {
		t.Fatalf("Write report before the agreement answered %s", reply)
	}
	if n := len(a.slack.CallsTo("views.open")); n != opened {
		t.Fatalf("refused requests opened %d forms", n-opened)
	}
	ack := a.viewSubmission("U0OUT", "report", "VFORGE", gp, reportValues(), 0)
	if ack["response_action"] != "update" || !strings.Contains(fmt.Sprint(ack["view"]), "There is no conference with that reference") {
		t.Fatalf("forged report: %v", ack)
	}
	for _, v := range []string{"i999999", "c1", "", "i1.i2"} {
		a.viewSubmission("U0OUT", "report", "VFORGE"+v, v, reportValues(), 0)
	}
	if n := a.count(`SELECT count(*) FROM reports`) + a.count(`SELECT count(*) FROM report_revisions`); n != 0 {
		t.Fatalf("forged reports stored %d rows", n)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE actor_id = 'U0OUT'`); n != 0 {
		t.Errorf("refused requests wrote %d audit rows", n)
	}
}

// Bad input is answered in the form, field by field, and nothing is
// stored.
func TestInvalidReportAnsweredFieldByField(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	gp := a.inviteeValue("CC-0001", "U0GP")
	bad := reportValues().text("involvement", "  \u200b ").text("report_role", "GP\npartner").
		text("concerns", strings.Repeat("x", 3001)).text("recommendations", "Visit\x07 soon").text("report_agency", "")
	ack := a.viewSubmission("U0GP", "report", "VBAD", gp, bad, 0)
	errs, _ := ack["errors"].(map[string]any)
	if ack["response_action"] != "errors" || len(errs) != 5 {
		t.Fatalf("ack = %v, want errors on five fields", ack)
	}
	for field, want := range map[string]string{
		"report_agency": "name your agency", "involvement": "involved", "report_role": "one line",
		"concerns": "3000 characters", "recommendations": "control character",
	} {
		if msg, _ := errs[field].(string); !strings.Contains(msg, want) {
			t.Errorf("%s: %q, want it to say %q", field, msg, want)
		}
	}
	a.waitHandled("interactive", 3)
	if n := a.count(`SELECT count(*) FROM reports`) + a.count(`SELECT count(*) FROM report_revisions`) +
		a.count(`SELECT count(*) FROM audit_log WHERE action LIKE 'report.%'`); n != 0 {
		t.Fatalf("an invalid report stored %d rows", n)
	}
}

// An answer cancels the invitee's invitation reminders still waiting to
// go (not anyone else's); an answer that is not "can't attend" cancels
// the report reminders too.
func TestAnsweringCancelsPendingReminders(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	gpID, swID := a.inviteeID("CC-0001", "U0GP"), a.inviteeID("CC-0001", "U0SW")
	gpWaiting := a.pendingReminder("invitation_unanswered", gpID, "U0GP", "2026-11-17")
	swWaiting := a.pendingReminder("invitation_unanswered", swID, "U0SW", "2026-11-17")
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	gp := a.inviteeValue("CC-0001", "U0GP")
	if n := a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state = 'pending'`, gpWaiting); n != 1 {
		t.Fatal("accepting the agreement is not an answer, but it cancelled the reminder")
	}

	a.click("U0GP", "respond:apologies", gp)
	a.eventually("the GP's invitation reminder to be cancelled", func() bool {
		return a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state = 'cancelled' AND 'the invitee has answered' = ANY(errors)`, gpWaiting) == 1
	})
	if n := a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state = 'pending'`, swWaiting); n != 1 {
		t.Fatal("the GP's answer cancelled the social worker's reminder")
	}

	reportWaiting := a.pendingReminder("report_owed", gpID, "U0GP", "2026-11-19")
	a.click("U0GP", "respond:attending", gp)
	a.eventually("the report reminder to be cancelled once the GP can attend", func() bool {
		return a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state = 'cancelled'`, reportWaiting) == 1
	})
}

// Bad input in the report form: each problem answered on its field,
// nothing stored, nothing of it in the logs.
func TestReportBadInputAnsweredByField(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	gp := a.inviteeValue("CC-0001", "U0GP")
	cases := []struct {
		name  string
		field string
		value string
	}{
		{"nul", "concerns", "secret-nul\x00text"},
		{"bell", "concerns", "secret-bell\x07text"},
		{"rtl override", "involvement", "secret-rtl\u202eetxt"},
		{"rtl isolate", "recommendations", "secret-iso\u2067x\u2069"},
		{"huge", "concerns", "secret-huge" + strings.Repeat("x", 3001)},
		{"whitespace only", "concerns", "   \n\t  "},
		{"zero width only", "recommendations", "\u200b\u200b\ufeff"},
		{"newline in agency", "report_agency", "secret-agency\nSurgery"},
		{"huge agency", "report_agency", strings.Repeat("A", 500)},
		{"invalid utf8", "concerns", "secret-bad\xff\xfe"},
	}
	for i, tc := range cases {
		ack := a.viewSubmission("U0GP", "report", fmt.Sprintf("VBAD%d", i), gp, reportValues().text(tc.field, tc.value), 0)
		errs, _ := ack["errors"].(map[string]any)
		if ack["response_action"] != "errors" || errs[tc.field] == nil {
			t.Errorf("%s: ack %v, want an error on %s", tc.name, ack, tc.field)
		}
	}
	// Line separator U+2028 breaks a line as a newline does: a one-line
	// field refuses it (caseconf.CheckText).
	ack := a.viewSubmission("U0GP", "report", "VLS", gp, reportValues().text("report_agency", "Church\u2028Street"), 0)
	if errs, _ := ack["errors"].(map[string]any); ack["response_action"] != "errors" || errs["report_agency"] == nil {
		t.Errorf("U+2028 in the one-line agency field was accepted: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM reports WHERE concerns LIKE 'secret%' OR involvement LIKE 'secret%'`); n != 0 {
		t.Errorf("%d bad reports stored", n)
	}
	if logs := a.logs.String(); strings.Contains(logs, "secret-") {
		t.Error("report text in the logs")
	}
}

// A report submitted after the conference is cancelled, a forged
// private_metadata (the GP's invitee, submitted by the social worker),
// and the same view submitted by two users at once.
func TestReportForgedAndAfterCancel(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	gp := a.inviteeValue("CC-0001", "U0GP")
	sw := a.inviteeValue("CC-0001", "U0SW")
	for _, meta := range []string{gp, gp + ".c1", "i0", "i-1", "i99999999999999999999", "", "c1", "x" + gp} {
		ack := a.viewSubmission("U0SW", "report", "VFORGE"+meta, meta, reportValues(), 0)
		if ack["response_action"] == "clear" {
			t.Errorf("the social worker's submission with metadata %q was accepted", meta)
		}
	}
	// Concurrent same view: GP and SW race with VRACE, each with their own metadata.
	var wg sync.WaitGroup
	for _, u := range []struct{ user, meta string }{{"U0GP", gp}, {"U0SW", sw}, {"U0GP", gp}, {"U0SW", sw}} {
		wg.Go(func() { a.viewSubmission(u.user, "report", "VRACE", u.meta, reportValues(), 0) })
	}
	wg.Wait()
	if n := a.count(`SELECT count(*) FROM report_revisions WHERE source_key = 'view:VRACE'`); n != 1 {
		t.Errorf("one view saved %d times", n)
	}
	if n := a.count(`SELECT count(*) FROM reports WHERE invitee_id = $1 AND author_id <> 'U0GP'`, a.inviteeID("CC-0001", "U0GP")); n != 0 {
		t.Error("someone else wrote the GP's report")
	}
	a.command("U0CM", "cancel CC-0001")
	a.eventually("cancel modal", func() bool { return len(a.slack.CallsTo("views.open")) > 0 })
	a.exec(`UPDATE conferences SET status = 'cancelled' WHERE ref = 'CC-0001'`)
	before := a.count(`SELECT count(*) FROM report_revisions`)
	ack := a.viewSubmission("U0GP", "report", "VAFTER", gp, reportValues(), 0)
	if ack["response_action"] == "clear" || a.count(`SELECT count(*) FROM report_revisions`) != before {
		t.Errorf("a report was saved for a cancelled conference: %v", ack)
	}
	reply := a.replyTo(a.click("U0GP", "report", gp))
	if !strings.Contains(reply, "cancelled") {
		t.Errorf("Write report after cancel answered %s", reply)
	}
}
