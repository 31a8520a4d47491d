package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

func outcome() caseconf.Outcome {
	return caseconf.Outcome{
		Attended: []caseconf.Person{{UserID: "U0CM"}, {UserID: "U0GP"}}, Summary: "Arrears", ClientViews: "Wants to stay",
		ReviewOn:  t0.AddDate(0, 3, 0),
		ShareWith: []caseconf.Person{{UserID: "U0GP"}, {UserID: "U0HO"}, {Name: "Dr Patel", Contact: "020"}},
		Actions: []caseconf.Action{{Area: "Health", What: "Review medication", OwnerID: "U0GP", DueOn: t0.AddDate(0, 1, 0)},
			{Area: "Housing", What: "Tenancy support", OwnerName: "Ann Lee", OwnerAgency: "Acacia House", DueOn: t0.AddDate(0, 1, 0)}},
	}
}

// Recording the outcome from several replicas at once: the same form
// submission records it once, other forms are refused, and the messages
// it calls for are written once.
func TestRecordOutcomeConcurrently(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	c := create(t, s, schedule("U0CM", "U0GP", "U0HO"))
	for user, kind := range map[string]string{"U0GP": "health_gp", "U0HO": "probation_police"} {
		if _, _, err := s.AcceptAgreement(ctx, inviteeFor(t, c, user).ID, user, &store.AgencyAnswer{Agency: "x", Kind: kind}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RecordOutcome(ctx, c.ID, caseconf.Viewer{UserID: "U0CM"}, now, c.StartsAt, outcome(), "view:VEARLY", nil); caseconf.ErrorCode(err) != caseconf.ECONFLICT {
		t.Fatalf("recording before the meeting: %v", err)
	}
	now = c.StartsAt.Add(2 * time.Hour)
	if _, err := s.RecordOutcome(ctx, c.ID, caseconf.Viewer{UserID: "U0GP"}, now, c.StartsAt, outcome(), "view:VGP", nil); caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
		t.Fatalf("an invitee recording: %v, want not found", err)
	}
	if _, err := s.SaveOutcomeDraft(ctx, c.ID, caseconf.Viewer{UserID: "U0CM"}, now, caseconf.OutcomeForm{Summary: "half"}, "view:VD"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	results := map[string]int{}
	for i := range 8 {
		key := "view:VSAME"
		if i%2 == 1 {
			key = fmt.Sprint("view:V", i)
		}
		wg.Go(func() {
			rec, err := s.RecordOutcome(ctx, c.ID, caseconf.Viewer{UserID: "U0CM"}, now, c.StartsAt, outcome(), key, nil)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && rec.New:
				results["new"]++
			case err == nil:
				results["again"]++
			case caseconf.ErrorCode(err) == caseconf.ECONFLICT:
				results["refused"]++
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if results["new"] != 1 || results["new"]+results["again"]+results["refused"] != 8 {
		t.Fatalf("eight submissions at once: %v", results)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM outcomes`:                                                                      1,
		`SELECT count(*) FROM actions`:                                                                       2,
		`SELECT count(*) FROM outcome_drafts`:                                                                0,
		`SELECT count(*) FROM conferences WHERE status = 'recorded'`:                                         1,
		`SELECT count(*) FROM outbox WHERE kind = 'minutes' AND recipient_id = 'U0GP'`:                       1,
		`SELECT count(*) FROM outbox WHERE kind = 'minutes' AND recipient_id = 'U0HO'`:                       0,
		`SELECT count(*) FROM outbox WHERE kind = 'action_assigned'`:                                         1,
		`SELECT count(*) FROM outbox WHERE kind = 'minutes_withheld' AND recipient_id = 'U0CM'`:              1,
		`SELECT count(*) FROM disclosures WHERE recipient_id = 'U0GP' AND basis LIKE 'signed consent form%'`: 1,
		`SELECT count(*) FROM share_list WHERE slack_user_id = 'U0HO' AND withheld LIKE '%cover%'`:           1,
		`SELECT count(*) FROM audit_log WHERE action = 'outcome.record'`:                                     1,
	} {
		if n := countRows(t, s, query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
	// Being on the share list lets the housing officer see nothing more.
	got, err := s.ConferenceSnapshot(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if caseconf.CanSeeDetails(got, caseconf.Viewer{UserID: "U0HO"}) {
		t.Error("the share list let an uncovered agency see case details")
	}
	o, err := s.OutcomeSnapshot(ctx, c.ID)
	if err != nil || len(o.Actions) != 2 || o.Actions[1].OwnerAgency != "Acacia House" || len(o.ShareWith) != 2 || o.Attended[1].Agency != "x" {
		t.Fatalf("outcome read back: %+v, %v", o, err)
	}
}

// RecordOutcome asks how many parts the minutes take of the record as the
// sender will read it (the conference recorded, attendees with their
// invitations' agencies, the share list without those the minutes are
// withheld from), and writes that many to each recipient, each disclosure
// saying how many there are.
func TestRecordOutcomeWritesTheMinutesInParts(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	c := create(t, s, schedule("U0CM", "U0GP", "U0HO"))
	for user, kind := range map[string]string{"U0GP": "health_gp", "U0HO": "probation_police"} {
		if _, _, err := s.AcceptAgreement(ctx, inviteeFor(t, c, user).ID, user, &store.AgencyAnswer{Agency: "x", Kind: kind}); err != nil {
			t.Fatal(err)
		}
	}
	now = c.StartsAt.Add(2 * time.Hour)
	var asked []string
	parts := func(c *caseconf.Conference, o *caseconf.Outcome) int {
		asked = append(asked, fmt.Sprintf("%s %d actions, %s attended from %s", c.Status, len(o.Actions), o.Attended[1].UserID, o.Attended[1].Agency))
		for _, p := range o.ShareWith {
			asked = append(asked, "shared with "+p.UserID+p.Name)
		}
		return 3
	}
	if _, err := s.RecordOutcome(ctx, c.ID, caseconf.Viewer{UserID: "U0CM"}, now, c.StartsAt, outcome(), "view:V1", parts); err != nil {
		t.Fatal(err)
	}
	want := []string{"recorded 2 actions, U0GP attended from x", "shared with U0GP", "shared with Dr Patel"}
	if fmt.Sprint(asked) != fmt.Sprint(want) {
		t.Errorf("asked of %q, want %q", asked, want)
	}
	for query, want := range map[string]int{
		`SELECT count(*) FROM outbox WHERE kind = 'minutes' AND recipient_id = 'U0GP' AND subject_id BETWEEN 1 AND 3`: 3,
		`SELECT count(*) FROM outbox WHERE kind = 'minutes'`:                                                          3,
		`SELECT count(*) FROM disclosures WHERE recipient_id = 'U0GP' AND part BETWEEN 1 AND 3 AND parts = 3`:         3,
		`SELECT count(*) FROM disclosures`:                                                                            3,
	} {
		if n := countRows(t, s, query); n != want {
			t.Errorf("%s = %d, want %d", query, n, want)
		}
	}
}
