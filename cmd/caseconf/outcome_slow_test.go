package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// A final save that is slow (the conference row is busy for 3 s, as under
// load or a slow database) records the outcome, and its late answer tells
// the chair it worked, not "it may not have been saved".
func TestSlowFinalSaveToldItWorked(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	before := len(a.dmTo("U0CM"))

	tx, err := a.main.DB.SQL().BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`SELECT id FROM conferences WHERE id = $1 FOR UPDATE`, conf); err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(3500 * time.Millisecond); tx.Commit() }()
	ack := a.viewSubmission("U0CM", "outcome", "VZZ2", meta, minimalOutcome(), 0)
	t.Logf("ack: %v", ack)
	a.eventually("the outcome recorded", func() bool { return a.count(`SELECT count(*) FROM outcomes`) == 1 })
	a.waitAllHandled() // a late answer is told by DM before the delivery finishes
	a.waitOutboxDone(20 * time.Second)
	for _, dm := range a.dmTo("U0CM")[before:] {
		text := callText(dm)
		if strings.Contains(text, "not saved") || strings.Contains(text, "may not have been saved") {
			t.Errorf("the outcome was recorded and the minutes sent, yet the chair was told by DM it may not have been saved:\n%s", text)
		}
	}
}

// The database hangs during a final save: nothing half-stored; the
// chair is told; the same form sent again after the database returns
// records one outcome and one set of messages.
func TestHangDuringFinalSave(t *testing.T) {
	t.Parallel()
	a, proxy := startBehindProxyQuery(t, "statement_timeout=1s")
	conf := a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	proxy.Hang()
	ack := a.send(fakeslack.Envelope{Type: fakeslack.TypeInteractive, Payload: viewSubmissionPayload("U0CM", "outcome", "VZZ10", meta, minimalOutcome())})
	t.Logf("ack during hang: %s", ack.Payload)
	told := func() bool {
		for _, dm := range a.dmTo("U0CM") {
			if strings.Contains(callText(dm), "may not have been saved") {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(15 * time.Second)
	for !told() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	proxy.Resume()
	a.eventually("the database back", func() bool {
		var n int
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return a.main.DB.SQL().GetContext(ctx, &n, `SELECT 1`) == nil
	})
	outcomes := a.count(`SELECT count(*) FROM outcomes`)
	if outcomes == 0 {
		if n := a.count(`SELECT count(*) FROM actions`) + a.count(`SELECT count(*) FROM share_list`) + a.count(`SELECT count(*) FROM disclosures`) +
			a.count(`SELECT count(*) FROM conferences WHERE status = 'recorded'`); n != 0 {
			t.Fatalf("half an outcome stored: %d rows", n)
		}
		if !told() {
			t.Error("the chair was not told the outcome may not have been saved")
		}
	}
	// The same form again.
	var again map[string]any
	a.eventually("the resubmission answered", func() bool {
		again = a.viewSubmission("U0CM", "outcome", "VZZ10", meta, minimalOutcome(), 0)
		return strings.Contains(fmt.Sprint(again["view"]), "is recorded")
	})
	a.waitOutboxDone(30 * time.Second)
	if a.count(`SELECT count(*) FROM outcomes`) != 1 || a.count(`SELECT count(*) FROM outbox WHERE kind = 'minutes'`) != 2 ||
		a.count(`SELECT count(*) FROM actions WHERE conference_id = $1`, conf) != 1 {
		t.Errorf("after the hang: %d outcomes, %d minutes messages, %d actions", a.count(`SELECT count(*) FROM outcomes`),
			a.count(`SELECT count(*) FROM outbox WHERE kind = 'minutes'`), a.count(`SELECT count(*) FROM actions`))
	}
}
