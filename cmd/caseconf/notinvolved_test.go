package main

import (
	"strings"
	"testing"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// An invitee not involved with the client answers "Not involved" with a
// line of explanation: the case manager's summary says so with the line;
// no reminder chases them (while one does chase the invitee who can't
// attend, and the one who has not answered); and gaps counts them on
// their own, not as a missing report.
func TestNotInvolvedIsNotChasedAndCountedOnItsOwn(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	f := scheduleForm().users("invitees", "U0GP", "U0SW", "U0PROB") // Friday 20 November 2026
	if ack := a.viewSubmission("U0CM", "schedule", "VNI", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 4)
	a.invitationsRecorded()
	a.accept("CC-0001", "U0GP", "Acacia Medical Centre", "health_gp")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	gp, gpID := a.inviteeValue("CC-0001", "U0GP"), a.inviteeID("CC-0001", "U0GP")
	a.click("U0SW", "respond:apologies", a.inviteeValue("CC-0001", "U0SW"))

	// The GP: Not involved, with why.
	meta := a.openForm("U0GP", "respond:not_involved", gp, "not_involved")
	ack := a.viewSubmission("U0GP", "not_involved", "VNIBAD", meta, form{}.text("not_involved_why", "Not\x00 ours"), 0)
	if errs, _ := ack["errors"].(map[string]any); errs["not_involved_why"] == nil || a.count(`SELECT count(*) FROM responses WHERE invitee_id = $1`, gpID) != 0 {
		t.Fatalf("a NUL in the explanation: %v", ack)
	}
	// Someone else's submission with the GP's invitation changes nothing.
	a.viewSubmission("U0OUT", "not_involved", "VNIOUT", meta, form{}, 0)
	if n := a.count(`SELECT count(*) FROM responses WHERE invitee_id = $1`, gpID); n != 0 {
		t.Fatalf("an outsider answered for the GP")
	}
	if ack := a.viewSubmission("U0GP", "not_involved", "VNIGP", meta, form{}.text("not_involved_why", "Not registered with this practice"), 0); ack["response_action"] != "clear" {
		t.Fatalf("not involved: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM responses WHERE invitee_id = $1 AND answer = 'not_involved' AND reason = 'Not registered with this practice'`, gpID); n != 1 {
		t.Fatalf("%d not-involved answers stored with the reason", n)
	}
	var summary string
	a.eventually("the case manager's summary to say the GP is not involved, and why", func() bool {
		for _, u := range a.slack.CallsTo("chat.update") {
			if u.Params.Get("channel") == fakeslack.DMChannelID("U0CM") {
				summary = callText(u)
			}
		}
		return strings.Contains(summary, "<@U0GP> — *Not involved* with this client — Not registered with this practice") &&
			strings.Contains(summary, "<@U0SW> — can't attend")
	})
	for _, line := range strings.Split(summary, "\n") {
		if strings.Contains(line, "<@U0GP>") && strings.Contains(line, "report owed") {
			t.Errorf("the summary says the GP owes a report: %s", line)
		}
	}

	// Seven working days before (Wednesday 11th), three (Tuesday 17th),
	// and the day before (Thursday 19th): the one who has not answered
	// and the one who can't attend are chased; the GP never is.
	for _, at := range []string{"2026-11-11T08:00:00Z", "2026-11-17T08:00:00Z", "2026-11-19T08:00:00Z"} {
		a.sweep(at)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'report_owed' AND recipient_id = 'U0SW'`); n == 0 {
		t.Fatal("no report-owed reminder for the social worker who can't attend: the sweeps did not run as meant")
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation_unanswered' AND recipient_id = 'U0PROB'`); n == 0 {
		t.Fatal("no invitation reminder for probation, who has not answered")
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE recipient_id = 'U0GP' AND kind IN ('report_owed', 'invitation_unanswered')`); n != 0 {
		t.Errorf("%d reminders chased the GP who is not involved", n)
	}
	if got := a.remindersTo("U0GP"); len(got) != 0 {
		t.Errorf("the GP was reminded: %q", got)
	}

	// Gaps over November: the GP's practice under "not involved" only.
	_, reply := a.commandReply("U0CM", "gaps 2026-11-01 2026-11-30")
	if !strings.Contains(reply, "Gaps for") {
		t.Fatalf("gaps answered %q", reply)
	}
	ups, err := a.waitFileUploads(ctxFor(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	csv := string(ups[0].Content)
	for _, want := range []string{
		"agency,from,to,not_answered,without_report,actions_overdue,actions_overdue_over_28_days,not_involved\n",
		"\nAcacia Medical Centre,2026-11-01,2026-11-30,0,0,0,0,1\n",
		"\nWestminster Adult Social Care,2026-11-01,2026-11-30,0,1,0,0,0\n",
	} {
		if !strings.Contains(csv, want) {
			t.Errorf("the gaps CSV lacks %q:\n%s", want, csv)
		}
	}
	var table string
	for _, c := range a.dmTo("U0CM") {
		if text := callText(c); strings.Contains(text, "Gaps and blocks") {
			table = text
		}
	}
	if !strings.Contains(table, "Not inv.") || !strings.Contains(table, "Acacia Medical Centre             0       0       0     0        1") {
		t.Errorf("the gaps table does not show the GP's practice as not involved only:\n%s", table)
	}
}
