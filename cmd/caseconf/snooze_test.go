package main

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// "X is today" cannot be snoozed once the meeting is over (nor to a time
// after it starts): the recipient is told there is nothing to snooze, and
// nothing is sent later.
func TestSnoozedConferenceTodayNotSentAfterTheMeeting(t *testing.T) {
	t.Parallel()
	var clock atomic.Pointer[time.Time]
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	clock.Store(&start)
	a := startAppWith(t, nil, func(m *Main) { m.Now = func() time.Time { return *clock.Load() } })
	a.scheduled("V1") // Friday 20 November 10:30; chair U0CM
	meetingDay := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	clock.Store(&meetingDay)
	a.sweep("2026-11-20T06:00:00Z")
	id := a.count(`SELECT id FROM outbox WHERE kind = 'conference_today' AND recipient_id = 'U0CM'`)
	if id == 0 {
		t.Fatal("no conference_today reminder")
	}
	afterwards := time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	clock.Store(&afterwards)
	before := len(a.remindersTo("U0CM"))
	// Snoozing it is answered honestly: there is nothing to come back to.
	if reply := a.replyTo(a.click("U0CM", "snooze:1", fmt.Sprintf("o%d.d1", id))); !strings.Contains(reply, "Nothing to snooze") {
		t.Fatalf("snooze after the meeting answered %s", reply)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE dedup_key LIKE '%:snoozed:%'`); n != 0 {
		t.Fatalf("a reminder about a meeting that is over was snoozed (%d copies)", n)
	}
	a.waitOutboxDone(20 * time.Second)
	if got := a.remindersTo("U0CM"); len(got) != before {
		t.Fatalf("after the meeting, a snoozed reminder was sent: %q", got[len(got)-1])
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
