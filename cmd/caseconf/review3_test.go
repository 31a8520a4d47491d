package main

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
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

// A message claimed late in a long pass is not taken to be abandoned
// while it is still being sent: another replica rescuing stuck rows every
// 100 ms, posts that take 1 s each, and StuckAfter 2.5 s send each
// reminder once.
func TestRescueWhileStillSendingSendsOnce(t *testing.T) {
	t.Parallel()
	const stuck = 2500 * time.Millisecond
	a := startAppWith(t, nil, func(m *Main) { m.OutboxStuckAfter = stuck })
	a.scheduled("V1")
	conf := a.count(`SELECT id FROM conferences`)
	for _, owner := range []string{"U0CM", "U0X1"} {
		if _, err := a.main.DB.SQL().Exec(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
			VALUES ($1, 'Housing', 'Call', $2, '2026-11-11')`, conf, owner); err != nil {
			t.Fatal(err)
		}
	}
	a.slack.FailEvery("chat.postMessage", fakeslack.Failure{Delay: time.Second})
	before := a.delivered()
	// Another replica's sender: each of its passes begins with a rescue.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			a.main.DB.RescueOutbox(context.Background(), stuck)
		}
	}()
	// 4 reminders: U0GP, U0SW unanswered; U0CM, U0X1 action due today.
	if res, err := a.main.Sweeper.RunOnce(context.Background(), time.Date(2026, 11, 11, 3, 0, 0, 0, time.UTC), false); err != nil || res.New != 4 {
		t.Fatalf("sweep = %+v, %v", res, err)
	}
	time.Sleep(8 * time.Second)
	close(stop)
	<-done
	a.waitOutboxDone(30 * time.Second)
	after := a.delivered()
	for user, n := range after {
		if n-before[user] > 1 {
			t.Errorf("%s got %d reminders from one sweep, want 1 (no crash; every send took 1 s < StuckAfter %v)", user, n-before[user], stuck)
		}
	}
}
