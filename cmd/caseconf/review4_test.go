package main

// Probes from a hostile and newcomer review of the outbox and reminders:
// each found a defect (now fixed) or confirmed a refusal, and stays as a
// regression test.

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// callAsChair calls a conference with form f as U0CM (case manager and chair)
// and waits for its DMs.
func (k *kindsApp) callAsChair(viewID string, f form) {
	k.t.Helper()
	before := len(k.slack.CallsTo("chat.postMessage"))
	if ack := k.viewSubmission("U0CM", "schedule", viewID, "", f, 0); ack["response_action"] != "clear" {
		k.t.Fatalf("calling a conference: %v", ack)
	}
	k.waitCalls("chat.postMessage", before+3)
	k.invitationsRecorded()
	k.waitOutboxDone(10 * time.Second)
}

// A 09:00 meeting on the Tuesday after a four-day weekend (Friday and
// Monday holidays): nobody's working window on the day opens before the
// meeting, so the morning-of reminder is planned for the working day
// before (Thursday), and must still be sent then, four calendar days
// ahead. (Easter and Christmas give exactly this gap every year.)
func TestConferenceTodayBeforeALongWeekend(t *testing.T) {
	t.Parallel()
	k := startKindsApp(t, "2026-11-20,2026-11-23")
	k.callAsChair("V1", scheduleForm().date("date", "2026-11-24").clock("time", "09:00"))
	k.consentOutOfTheWay()

	rows, _ := k.sweepRows(time.Date(2026, 11, 19, 5, 0, 0, 0, time.UTC)) // Thursday, the last working day before
	var planned []reminderRow
	for _, r := range rows {
		if r.Kind == "conference_today" {
			planned = append(planned, r)
		}
	}
	if len(planned) == 0 {
		t.Fatalf("no conference_today planned on Thursday for a Tuesday 09:00 meeting: %v", rows)
	}
	k.clock.set(time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC))
	k.waitOutboxDone(20 * time.Second)
	var state, why string
	if err := k.main.DB.SQL().QueryRow(`SELECT state, array_to_string(errors, '|') FROM outbox WHERE id = $1`, planned[0].ID).Scan(&state, &why); err != nil {
		t.Fatal(err)
	}
	if state != "sent" {
		t.Errorf("the chair's morning-of reminder (%v) ended %s: %q", planned[0], state, why)
	}
	// And on the day itself nothing is planned (the window opens at the meeting).
	rows, _ = k.sweepRows(time.Date(2026, 11, 24, 0, 5, 0, 0, time.UTC))
	for _, r := range rows {
		if r.Kind == "conference_today" {
			t.Logf("on the day: %v", r)
		}
	}
	if n := len(k.remindersTo("U0CM")); n == 0 {
		t.Errorf("the chair got no 'conference today/tomorrow/coming up' reminder at all")
	}
}

// Pressing both Snooze buttons of one reminder queues one copy: the last
// snooze wins.
func TestSnoozeTwiceLastWins(t *testing.T) {
	t.Parallel()
	k := startKindsApp(t, "")
	a := k.app
	a.scheduled("V1")
	// On the real clock (the sender's), so that snoozed copies wait for
	// a time still to come: the meeting a month on, and a reminder about
	// it that has reached the GP.
	k.clock.set(time.Now())
	k.exec(`UPDATE conferences SET starts_at = now() + interval '30 days'`)
	id := a.count(`INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, state, created_at)
		SELECT 'invitation_unanswered', 'reminder:invitation_unanswered:' || i.id || ':U0GP:today', 'U0GP', i.conference_id, i.id, now(), 'sent', now()
		FROM invitees i WHERE i.slack_user_id = 'U0GP' RETURNING id`)
	for _, b := range []string{"snooze:1", "snooze:3"} {
		days := b[len(b)-1:]
		if reply := a.replyTo(a.click("U0GP", b, fmt.Sprintf("o%d.d%s", id, days))); !strings.Contains(reply, "Snoozed") {
			t.Fatalf("%s answered %s", b, reply)
		}
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE dedup_key LIKE '%:snoozed:%' AND recipient_id = 'U0GP' AND state <> 'cancelled'`); n != 1 {
		t.Errorf("one reminder snoozed twice queued %d copies, want 1 (the later snooze replacing the earlier)", n)
	}
}

// Invitation reminders are daily in the last two working days. The GP
// snoozes Wednesday's "until tomorrow"; Thursday's own reminder, due in
// the same window, is not written: one DM at 09:00 on Thursday.
func TestSnoozeStandsInForTheNextDaysReminder(t *testing.T) {
	t.Parallel()
	k := startKindsApp(t, "")
	k.scheduled("V1") // Friday 20 November 10:30
	k.consentOutOfTheWay()
	k.sweepRows(time.Date(2026, 11, 18, 6, 0, 0, 0, time.UTC)) // Wednesday: two working days before
	k.waitOutboxDone(20 * time.Second)
	id := k.count(`SELECT id FROM outbox WHERE kind = 'invitation_unanswered' AND recipient_id = 'U0GP'`)
	k.clock.set(time.Date(2026, 11, 18, 10, 0, 0, 0, time.UTC))
	if reply := k.replyTo(k.click("U0GP", "snooze:1", fmt.Sprintf("o%d.d1", id))); !strings.Contains(reply, "Snoozed") {
		t.Fatalf("snooze answered %s", reply)
	}
	rows, _ := k.sweepRows(time.Date(2026, 11, 19, 6, 0, 0, 0, time.UTC)) // Thursday
	t.Logf("Thursday's sweep wrote %v", rows)
	k.clock.set(time.Date(2026, 11, 19, 9, 0, 0, 0, time.UTC))
	k.waitOutboxDone(20 * time.Second)
	var thursday []time.Time
	if err := k.main.DB.SQL().Select(&thursday, `SELECT not_before FROM outbox WHERE kind = 'invitation_unanswered'
		AND recipient_id = 'U0GP' AND state = 'sent' AND not_before >= '2026-11-19' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(thursday) != 1 {
		t.Errorf("the GP got %d 'you have not answered' reminders on Thursday (at %v), want 1", len(thursday), thursday)
	}
}

// A DM that Slack rate-limits seven times (1 s each) and then answers
// once with a 500 is still delivered: a 429 is not an attempt, so it does
// not use up the retries meant for failures.
func TestRateLimitsDoNotUseUpRetries(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	for range 7 {
		a.slack.FailNext("chat.postMessage", fakeslack.Failure{Status: http.StatusTooManyRequests, RetryAfter: 1, Channel: "U0GP"})
	}
	a.slack.FailNext("chat.postMessage", fakeslack.Failure{Status: http.StatusInternalServerError, Channel: "U0GP"})
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", scheduleForm(), 0); ack["response_action"] != "clear" {
		t.Fatalf("ack = %v", ack)
	}
	deadline := time.Now().Add(60 * time.Second)
	for a.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation' AND recipient_id = 'U0GP' AND state IN ('sent', 'failed')`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the GP's invitation neither sent nor failed after 60 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var state, errs string
	var attempts int
	if err := a.main.DB.SQL().QueryRow(`SELECT state, attempts, array_to_string(errors, ' | ') FROM outbox WHERE kind = 'invitation' AND recipient_id = 'U0GP'`).Scan(&state, &attempts, &errs); err != nil {
		t.Fatal(err)
	}
	if state != "sent" {
		t.Errorf("after 7 rate limits and ONE 500 the invitation is %s (attempts %d): %s", state, attempts, errs)
	}
}

// A message that cannot be put together (what it is about is gone) is
// not retried for ever.
func TestUnrenderableMessageNotRetriedForEver(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	conf := a.count(`SELECT id FROM conferences`)
	id := a.count(`INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, attempts, created_at)
		VALUES ('send_failed', 'zz:poison', 'U0CM', $1, 987654321, now(), 20, now()) RETURNING id`, conf)
	a.eventually("the poison message to be tried", func() bool {
		return a.count(`SELECT attempts FROM outbox WHERE id = $1`, id) > 20 && a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state <> 'in_flight'`, id) == 1
	})
	var state, errs string
	if err := a.main.DB.SQL().QueryRow(`SELECT state, array_to_string(errors, ' | ') FROM outbox WHERE id = $1`, id).Scan(&state, &errs); err != nil {
		t.Fatal(err)
	}
	if state != "failed" && state != "cancelled" {
		t.Errorf("a message tried 21 times that cannot be rendered is %s (%s): it will be retried for ever", state, errs)
	}
}

// Bad input in the report form: each problem answered on its field,
// nothing stored, nothing of it in the logs. (Expected to pass.)
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
	// Line separator U+2028 in a one-line field is not a control character.
	ack := a.viewSubmission("U0GP", "report", "VLS", gp, reportValues().text("report_agency", "Church\u2028Street"), 0)
	if ack["response_action"] != "errors" {
		t.Logf("U+2028 in the one-line agency field was accepted: %v", ack)
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
// and the same view submitted by two users at once. (Expected to pass.)
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

// Mark done: the chair of another conference, forged values, and the
// owner and case manager pressing at once. (Expected to pass.)
func TestMarkDoneHostile(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	// A second conference, by someone else, chaired by U0X2.
	f := scheduleForm().user("chair", "U0X2").user("minute_taker", "U0X2").users("invitees", "U0GP")
	if ack := a.viewSubmission("U0X2", "schedule", "V2", "", f, 0); ack["response_action"] != "clear" {
		t.Fatalf("second conference: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	conf := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	action := a.count(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
		VALUES ($1, 'Housing', 'secret-action text', 'U0SW', '2026-11-18') RETURNING id`, conf)
	for _, v := range []string{fmt.Sprintf("a%d", action), fmt.Sprintf("a%d.c%d", action, conf), fmt.Sprintf("o%d", action), fmt.Sprintf("a0%d", action)} {
		reply := a.replyTo(a.click("U0X2", "done", v))
		if strings.Contains(reply, "secret-action") || strings.Contains(reply, "replace_original\":true") {
			t.Errorf("U0X2's Mark done %s answered %s", v, reply)
		}
	}
	if a.count(`SELECT count(*) FROM actions WHERE status = 'done'`) != 0 {
		t.Fatal("an outsider marked the action done")
	}
	var wg sync.WaitGroup
	for _, u := range []string{"U0SW", "U0CM", "U0SW", "U0CM"} {
		wg.Go(func() { a.click(u, "done", fmt.Sprintf("a%d", action)) })
	}
	wg.Wait()
	a.eventually("the action done", func() bool { return a.count(`SELECT count(*) FROM actions WHERE status = 'done'`) == 1 })
	a.waitHandled("interactive", a.metric(`caseconf_slack_deliveries_total{kind="interactive",outcome="handled"}`))
	time.Sleep(time.Second)
	a.waitOutboxDone(20 * time.Second)
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.done'`); n != 1 {
		t.Errorf("marked done %d times", n)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_done'`); n > 1 {
		t.Errorf("%d notices", n)
	}
	if strings.Contains(a.logs.String(), "secret-action") {
		t.Error("action text in the logs")
	}
}

// Snoozing a reminder about something already dealt with (the action is
// done) is answered "nothing to snooze", not with a promise the sender
// would then silently break.
func TestSnoozeAfterDoneSaysNothingToSnooze(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	conf := a.count(`SELECT id FROM conferences`)
	action := a.count(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
		VALUES ($1, 'Housing', 'Apply', 'U0SW', '2026-11-18') RETURNING id`, conf)
	a.sweep("2026-11-16T08:00:00Z") // due soon
	soon := a.count(`SELECT id FROM outbox WHERE kind = 'action_due_soon'`)
	a.click("U0SW", "done", fmt.Sprintf("a%d", action))
	a.eventually("done", func() bool { return a.count(`SELECT count(*) FROM actions WHERE status = 'done'`) == 1 })
	reply := a.replyTo(a.click("U0SW", "snooze:1", fmt.Sprintf("o%d.d1", soon)))
	if strings.Contains(reply, "you will be reminded again") {
		t.Errorf("snoozing a reminder about a done action answered %s", reply)
	}
}

// The database goes silent for 15 s just after Slack took a DM: the
// sender keeps trying to record it (and renews its claim) until the
// database answers, so it is not rescued and posted again.
func TestDatabaseBlipAfterPostSendsOnce(t *testing.T) {
	t.Parallel()
	// Messages are rescued after 25 s: longer than the silence; short for the test.
	a, proxy := startBehindProxyWith(t, "", func(m *Main) { m.OutboxStuckAfter = 25 * time.Second })
	a.slack.FailNext("chat.postMessage", fakeslack.Failure{Delay: 2 * time.Second, Channel: "U0GP"})
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", scheduleForm(), 0); ack["response_action"] != "clear" {
		t.Fatalf("ack = %v", ack)
	}
	a.eventually("the GP's post to reach Slack", func() bool { return len(a.dmTo("U0GP")) == 1 })
	proxy.Hang()
	time.Sleep(15 * time.Second)
	proxy.Resume()
	// A batch claimed when the database went silent, and not put back,
	// is rescued after the rescue time (25 s here).
	a.waitOutboxDone(60 * time.Second)
	t.Logf("outbox: %d rescued; logs mention record failure: %v", a.count(`SELECT count(*) FROM outbox WHERE array_to_string(errors,'|') LIKE '%rescued%'`),
		strings.Contains(a.logs.String(), "could not record a posted message"))
	for _, l := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(l, "outbox") || strings.Contains(l, "WARN") || strings.Contains(l, "ERROR") {
			t.Log(l)
		}
	}
	for _, c := range a.slack.CallsTo("chat.postMessage") {
		t.Log(c.At.Format("15:04:05.000"), c.Params.Get("channel"), c.Failed)
	}
	if n := a.delivered()["U0GP"]; n != 1 {
		t.Errorf("the GP's invitation was posted %d times after a 15 s database blip (no crash)", n)
	}
}

// An invitee whose agency the client's consent does not cover can still
// answer "can't attend"; they are not chased for a report they may not
// share.
func TestUncoveredInviteeNotChasedForAReport(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0SW", "Westminster Probation", "probation_police") // not in the consent's kinds
	sw := a.inviteeValue("CC-0001", "U0SW")
	a.click("U0SW", "respond:apologies", sw)
	a.eventually("the answer", func() bool { return a.count(`SELECT count(*) FROM responses`) == 1 })
	a.sweep("2026-11-17T08:00:00Z")
	var chased string
	for _, r := range a.remindersTo("U0SW") {
		if strings.Contains(r, "written report") {
			chased = r
		}
	}
	if chased != "" {
		t.Errorf("an invitee not covered by consent is chased for a report: %q", chased)
	}
}
