package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

func report(concerns string) caseconf.Report {
	return caseconf.Report{Agency: "Church St", Role: "GP", Involvement: "Registered patient", LastContact: "Last week",
		Concerns: concerns, Recommendations: "A home visit"}
}

// Saves of one report from several replicas at once: the same form
// submission is stored once, and different ones each become the next
// revision, with the latest as the report.
func TestSaveReportConcurrently(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	c := create(t, s, schedule("U0CM", "U0GP"))
	gp := inviteeFor(t, c, "U0GP")
	if _, _, err := s.AcceptAgreement(ctx, gp.ID, "U0GP", &store.AgencyAnswer{Agency: "Church St", Kind: "health_gp"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveReport(ctx, gp.ID, "U0CM", report("x"), "view:VOUT"); caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
		t.Fatalf("someone else saving the GP's report: %v, want not found", err)
	}
	var wg sync.WaitGroup
	news := make([]bool, 8)
	for i := range 8 {
		wg.Go(func() {
			saved, err := s.SaveReport(ctx, gp.ID, "U0GP", report("same"), "view:VSAME")
			if err != nil {
				t.Error(err)
			}
			news[i] = saved.New
		})
	}
	wg.Wait()
	created := 0
	for _, n := range news {
		if n {
			created++
		}
	}
	if created != 1 || countRows(t, s, `SELECT count(*) FROM report_revisions`) != 1 {
		t.Fatalf("one submission sent 8 times at once saved %d times, %d revisions", created, countRows(t, s, `SELECT count(*) FROM report_revisions`))
	}
	for i := range 8 {
		wg.Go(func() {
			if _, err := s.SaveReport(ctx, gp.ID, "U0GP", report(fmt.Sprint("v", i)), fmt.Sprint("view:V", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := countRows(t, s, `SELECT count(DISTINCT revision) FROM report_revisions WHERE invitee_id = $1`, gp.ID); n != 9 {
		t.Fatalf("%d distinct revisions after 9 different saves", n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM reports r JOIN report_revisions v ON v.report_id = r.id AND v.revision = r.revision
		WHERE r.revision = 9 AND r.concerns = v.concerns`); n != 1 {
		t.Fatal("the report is not its latest revision")
	}
	if _, err := s.SaveReport(ctx, gp.ID, "U0GP", report("again"), "view:V3"); err != nil {
		t.Fatalf("an earlier submission again: %v", err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM audit_log WHERE action LIKE 'report.%' AND actor_id = 'U0GP'`); n != 9 {
		t.Fatalf("%d saves audited, want 9", n)
	}
}

// An action marked done by its owner on two replicas at once is done
// once: one audit row, one message to the case manager.
func TestMarkActionDoneConcurrently(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	c := create(t, s, schedule("U0CM", "U0GP"))
	var id int64
	if err := s.SQL().GetContext(ctx, &id, `INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
		VALUES ($1, 'Housing', 'Call', 'U0GP', '2026-11-18') RETURNING id`, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkActionDone(ctx, id, caseconf.Viewer{UserID: "U0SW"}); caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
		t.Fatalf("a stranger marking it done: %v", err)
	}
	if _, err := s.MarkActionDone(ctx, id+1000, caseconf.Viewer{UserID: "U0GP"}); caseconf.ErrorMessage(err) != caseconf.ErrorMessage(caseconf.ActionNotFound()) {
		t.Fatalf("no such action: %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	changed := 0
	for range 8 {
		wg.Go(func() {
			done, err := s.MarkActionDone(ctx, id, caseconf.Viewer{UserID: "U0GP"})
			if err != nil || !done.Action.Done() || done.Action.DoneBy != "U0GP" {
				t.Errorf("mark done: %v, %+v", err, done.Action)
			}
			if done.Changed {
				mu.Lock()
				changed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if changed != 1 {
		t.Fatalf("marked done %d times", changed)
	}
	if n := countRows(t, s, `SELECT count(*) FROM audit_log WHERE action = 'action.done'`); n != 1 {
		t.Fatalf("%d audit rows", n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM outbox WHERE kind = $1 AND recipient_id = 'U0CM'`, caseconf.KindActionDone); n != 1 {
		t.Fatalf("%d messages to the case manager", n)
	}
}
