package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// A proposal cannot be accepted once its date has passed (the action
// would be overdue the moment it moved); and reminders follow a date the
// case manager moves while the action is overdue.
func TestStaleProposalAndOverdueMove(t *testing.T) {
	t.Parallel()
	clock := &movableClock{}
	clock.set(testNow)
	a := startAppWith(t, nil, func(m *Main) { m.Now = clock.now })
	a.heldConference()
	a.recordOutcome()
	gp := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0GP'`)
	gpv := fmt.Sprintf("a%d", gp)
	meta := a.openForm("U0GP", "action_date", gpv, "action_date")
	a.viewSubmission("U0GP", "action_date", "VZZS", meta, form{}.date("new_due", "2026-11-05").text("due_reason", "Sooner"), 0)
	uv := fmt.Sprintf("u%d", a.count(`SELECT id FROM action_updates WHERE state = 'proposed'`))
	clock.set(time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC))
	reply := a.replyTo(a.click("U0CM", "date_accept", uv))
	if a.count(`SELECT count(*) FROM actions WHERE id = $1 AND due_on = '2026-11-05'`, gp) == 1 {
		t.Errorf("on 10 November the case manager's Accept moved the action to 5 November, in the past (%s)", bodyTextSafe(reply))
	}

	// The social worker's action, due 27 November, is overdue by 1
	// December; the case manager moves it to 18 December: no overdue
	// reminder should go out after that.
	sw := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0SW'`)
	clock.set(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	if _, err := a.main.Sweeper.RunOnce(context.Background(), clock.now(), false); err != nil {
		t.Fatal(err)
	}
	before := a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_overdue' AND subject_id = $1`, sw)
	clock.set(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	meta = a.openForm("U0CM", "action_date", fmt.Sprintf("a%d", sw), "action_date")
	ack := a.viewSubmission("U0CM", "action_date", "VZZM", meta, form{}.date("new_due", "2026-12-18").text("due_reason", "Panel"), 0)
	if !strings.Contains(fmt.Sprint(ack), "18 December") {
		t.Fatalf("move: %v", ack)
	}
	for _, day := range []int{2, 8, 9, 15, 16} {
		clock.set(time.Date(2026, 12, day, 8, 0, 0, 0, time.UTC))
		if _, err := a.main.Sweeper.RunOnce(context.Background(), clock.now(), false); err != nil {
			t.Fatal(err)
		}
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind IN ('action_overdue', 'action_overdue_cm') AND subject_id = $1 AND state <> 'cancelled' AND created_at > '2026-12-01 09:00+00'`, sw); n != 0 {
		t.Errorf("%d overdue reminders written after the date moved to 18 December (before the move: %d)", n, before)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_due_soon' AND subject_id = $1 AND state <> 'cancelled' AND dedup_key LIKE '%:2026-12-16'`, sw); n != 1 {
		t.Errorf("%d due-soon reminders for the new date", n)
	}
}

func bodyTextSafe(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}
