package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// sweep runs the reminder sweep as if it were at (RFC 3339) and waits for
// the outbox to deliver what is due.
func (a *app) sweep(at string) int {
	a.t.Helper()
	when, err := time.Parse(time.RFC3339, at)
	if err != nil {
		a.t.Fatal(err)
	}
	res, err := a.main.Sweeper.RunOnce(context.Background(), when, false)
	if err != nil {
		a.t.Fatalf("sweep at %s: %v", at, err)
	}
	a.waitOutboxDone(20 * time.Second)
	return res.New
}

// remindersTo are the reminder DMs a user got, in order.
func (a *app) remindersTo(userID string) []string {
	var out []string
	for _, c := range a.dmTo(userID) {
		if text := callText(c); strings.Contains(text, "Reminder") || strings.Contains(text, "is today") ||
			strings.Contains(text, "is tomorrow") || strings.Contains(text, "is coming up") {
			out = append(out, text)
		}
	}
	return out
}

// Invitation reminders reach each invitee in their own working hours: a
// GP in London and a social worker in New York, 7 and 3 working days
// before, not at the weekend, once per slot however often the sweep runs,
// and not once they have answered.
func TestInvitationRemindersInEachRecipientsHours(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.AddUser(slackUser("U0GP", "Dr Gill"))
	ny := slackUser("U0SW", "Sam Worker")
	ny.TZ = "America/New_York"
	a.slack.AddUser(ny)
	a.scheduled("V1") // Friday 20 November 2026, 10:30 London

	// Wednesday 11 November, 03:00 UTC: seven working days before. The
	// case manager is chased for Dr Patel, who is not on Slack.
	if n := a.sweep("2026-11-11T03:00:00Z"); n != 3 {
		t.Fatalf("first sweep wrote %d reminders, want 3", n)
	}
	var due []struct {
		Recipient string    `db:"recipient_id"`
		NotBefore time.Time `db:"not_before"`
	}
	if err := a.main.DB.SQL().Select(&due, `SELECT recipient_id, not_before FROM outbox WHERE kind = 'invitation_unanswered' ORDER BY recipient_id`); err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		"U0GP": time.Date(2026, 11, 11, 9, 0, 0, 0, time.UTC),  // 09:00 in London
		"U0SW": time.Date(2026, 11, 11, 14, 0, 0, 0, time.UTC), // 09:00 in New York, not 03:00 or 22:00
		"U0CM": time.Date(2026, 11, 11, 9, 0, 0, 0, time.UTC),  // for Dr Patel
	}
	for _, d := range due {
		if !d.NotBefore.Equal(want[d.Recipient]) {
			t.Errorf("%s's reminder goes at %v, want %v", d.Recipient, d.NotBefore.UTC(), want[d.Recipient])
		}
	}
	for _, u := range []string{"U0GP", "U0SW"} {
		got := a.remindersTo(u)
		if len(got) != 1 || !strings.Contains(got[0], "not yet answered the invitation to *CC-0001*") || !strings.Contains(got[0], "\nagree\n") {
			t.Fatalf("%s's reminders = %q", u, got)
		}
		if strings.Contains(got[0], "Acacia") {
			t.Errorf("a reminder before the agreement shows case details: %s", got[0])
		}
	}
	if n := a.sweep("2026-11-11T16:00:00Z"); n != 0 {
		t.Fatalf("a second sweep of the same day wrote %d reminders", n)
	}
	if n := a.sweep("2026-11-14T10:00:00Z"); n != 0 { // Saturday
		t.Fatalf("a Saturday sweep wrote %d reminders", n)
	}

	// The GP answers; on Tuesday 17th (three working days before) only
	// the social worker is reminded.
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	a.click("U0GP", "respond:attending", a.inviteeValue("CC-0001", "U0GP"))
	a.eventually("the answer", func() bool { return a.count(`SELECT count(*) FROM responses`) == 1 })
	if n := a.sweep("2026-11-17T08:00:00Z"); n != 2 {
		t.Fatalf("sweep on the 17th wrote %d reminders, want 2 (the GP has answered; the case manager, for Dr Patel)", n)
	}
	if got := a.remindersTo("U0CM"); len(got) != 2 || !strings.Contains(got[1], "Dr Patel (Church Street Surgery), not on Slack, has not replied") {
		t.Errorf("the case manager's reminders about Dr Patel = %q", got)
	}
	if n := len(a.remindersTo("U0GP")); n != 1 {
		t.Errorf("the GP got %d reminders after answering", n)
	}
	if n := len(a.remindersTo("U0SW")); n != 2 {
		t.Errorf("the social worker got %d reminders, want 2", n)
	}
}

// A reminder rendered when it is sent says nothing that has changed: the
// conference cancelled after the sweep wrote the reminder, nothing about
// it is sent.
func TestReminderForACancelledConferenceIsNotSent(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	// The sweep writes the reminders and they go; then they are put back
	// as if not yet sent, and the conference is cancelled.
	// The GP, the social worker, and the case manager for Dr Patel.
	res, err := a.main.Sweeper.RunOnce(context.Background(), time.Date(2026, 11, 11, 3, 0, 0, 0, time.UTC), false)
	if err != nil || res.New != 3 {
		t.Fatalf("sweep = %+v, %v", res, err)
	}
	a.waitOutboxDone(20 * time.Second)
	before := len(a.remindersTo("U0GP"))
	if _, err := a.main.DB.SQL().Exec(`UPDATE outbox SET state = 'pending', not_before = now() WHERE kind = 'invitation_unanswered'`); err != nil {
		t.Fatal(err)
	}
	if _, err := a.main.DB.SQL().Exec(`UPDATE conferences SET status = 'cancelled'`); err != nil {
		t.Fatal(err)
	}
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	if n := len(a.remindersTo("U0GP")); n != before {
		t.Fatalf("a reminder about a cancelled conference was sent")
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation_unanswered' AND state = 'cancelled'`); n != 3 {
		t.Fatalf("%d reminders cancelled, want 3", n)
	}
}

// Snooze sends the reminder again in the recipient's next window; only
// the recipient can snooze it.
func TestSnoozeMovesAReminder(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.sweep("2026-11-11T03:00:00Z")
	if n := len(a.remindersTo("U0GP")); n != 1 {
		t.Fatalf("%d reminders before snoozing", n)
	}
	id := a.count(`SELECT id FROM outbox WHERE kind = 'invitation_unanswered' AND recipient_id = 'U0GP'`)
	if dm := callText(a.dmTo("U0GP")[len(a.dmTo("U0GP"))-1]); !strings.Contains(dm, fmt.Sprintf("\no%d.d1\n", id)) {
		t.Fatalf("the reminder has no snooze button for itself: %s", dm)
	}

	// Someone else's click on it changes nothing.
	reply := a.replyTo(a.click("U0SW", "snooze:1", fmt.Sprintf("o%d.d1", id)))
	if !strings.Contains(reply, "not yours") {
		t.Fatalf("a stranger's snooze answered %s", reply)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE dedup_key LIKE '%:snoozed:%'`); n != 0 {
		t.Fatal("a stranger snoozed someone's reminder")
	}

	reply = a.replyTo(a.click("U0GP", "snooze:1", fmt.Sprintf("o%d.d1", id)))
	if !strings.Contains(reply, "Snoozed") {
		t.Fatalf("snooze answered %s", reply)
	}
	var nb time.Time
	if err := a.main.DB.SQL().Get(&nb, `SELECT not_before FROM outbox WHERE dedup_key LIKE '%:snoozed:%' AND recipient_id = 'U0GP'`); err != nil {
		t.Fatal(err)
	}
	// The app's clock says Monday 2 November 09:00: tomorrow's window in London.
	if want := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC); !nb.Equal(want) {
		t.Fatalf("snoozed until %v, want %v", nb.UTC(), want)
	}
	a.waitOutboxDone(20 * time.Second)
	if n := len(a.remindersTo("U0GP")); n != 2 {
		t.Fatalf("%d reminders after the snooze came due, want 2", n)
	}
}

// A reminder about an action stops once the action is done.
func TestActionRemindersStopWhenDone(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	conf := a.count(`SELECT id FROM conferences`)
	if _, err := a.main.DB.SQL().Exec(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
		VALUES ($1, 'Housing', 'Apply for the tenancy <b>support</b>', 'U0SW', '2026-11-18'),
		       ($1, 'Health', 'Book the Acacia House clinic', 'U0OUTSIDER', '2026-11-18')`, conf); err != nil {
		t.Fatal(err)
	}
	// The outbox runs on the real clock: these days are past, so what is
	// due goes at once.
	a.sweep("2026-11-18T08:00:00Z")
	var action string
	for _, c := range a.dmTo("U0SW") {
		if text := callText(c); strings.Contains(text, "due *today*") {
			action = text
		}
	}
	if !strings.Contains(action, "&lt;b&gt;support&lt;/b&gt;") {
		t.Fatalf("action reminder = %q", action)
	}
	// An owner who may not see case details is told an action is due,
	// not what it says.
	if len(a.dmTo("U0OUTSIDER")) != 1 {
		t.Fatalf("the outside owner got %d DMs", len(a.dmTo("U0OUTSIDER")))
	}
	outsider := callText(a.dmTo("U0OUTSIDER")[0])
	if strings.Contains(outsider, "Acacia") || strings.Contains(outsider, "clinic") || !strings.Contains(outsider, "withheld") {
		t.Fatalf("an owner who may not see case details got: %s", outsider)
	}
	if _, err := a.main.DB.SQL().Exec(`UPDATE actions SET status = 'done'`); err != nil {
		t.Fatal(err)
	}
	before := len(a.dmTo("U0SW"))
	a.sweep("2026-11-25T08:00:00Z") // a week overdue, had it not been done
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind LIKE 'action_%'`); n != 2 {
		t.Fatalf("%d action reminders; a done action must produce no more", n)
	}
	if n := len(a.dmTo("U0SW")); n != before {
		t.Fatal("a reminder about a done action was sent")
	}
}

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
			t.Errorf("a conference_today reminder planned on the day, after it was sent the working day before: %v", r)
		}
	}
	if n := len(k.remindersTo("U0CM")); n == 0 {
		t.Errorf("the chair got no 'conference today/tomorrow/coming up' reminder at all")
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
