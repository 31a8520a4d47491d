package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
)

// A handover is called from the conference whose outcome named a new
// case manager, by its case manager only; once the handover meeting's
// outcome is recorded, the new case manager holds every conference of the
// client, and the reminders waiting for the old one are dropped.
func TestHandoverHandsTheClientOver(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	first := create(t, s, schedule("U0CM", "U0GP"))
	if _, err := s.SQL().Exec(`UPDATE conferences SET status = 'recorded' WHERE id = $1;`, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SQL().Exec(`INSERT INTO outcomes (conference_id, recorded_by, lead_changed, new_case_manager_id) VALUES ($1, 'U0CM', true, 'U0NEW')`, first.ID); err != nil {
		t.Fatal(err)
	}
	waiting := countRows(t, s, `INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before)
		VALUES ('review_approaching', 'reminder:review_approaching:1:U0CM:x', 'U0CM', $1, $1, now() + interval '1 day') RETURNING id`, first.ID)

	handover := schedule("U0CM", "U0NEW")
	handover.Follows, handover.Handover, handover.SourceKey = first.ID, true, "view:H1"
	// Someone else cannot call it, even knowing the conference's ID.
	forged := handover
	forged.CaseManagerID, forged.SourceKey = "U0GP", "view:H2"
	if _, _, err := s.CreateConference(ctx, forged); caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
		t.Fatalf("an invitee calling the handover = %v, want not found", err)
	}
	second := create(t, s, handover)
	if n := countRows(t, s, `SELECT count(*) FROM conferences WHERE id = $1 AND handover AND review_of_id = $2`, second.ID, first.ID); n != 1 {
		t.Fatal("the handover conference does not say what it follows")
	}

	// The handover meeting is held and its outcome recorded.
	now := second.StartsAt.Add(2 * time.Hour)
	if _, err := s.RecordOutcome(ctx, second.ID, caseconf.Viewer{UserID: "U0CM"}, now, second.StartsAt,
		caseconf.Outcome{Summary: "Handed over"}, "view:O1", nil); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM conferences WHERE client_id = $1 AND case_manager_id = 'U0NEW'`, first.ClientID); n != 2 {
		t.Fatalf("%d of the client's 2 conferences are the new case manager's", n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM outbox WHERE id = $1 AND state = 'cancelled'`, waiting); n != 1 {
		t.Error("a reminder waiting for the old case manager was not dropped")
	}
	if n := countRows(t, s, `SELECT count(*) FROM audit_log WHERE action = 'client.handover' AND client_id = $1`, first.ClientID); n != 1 {
		t.Error("the handover is not audited")
	}
}

// A review is called by the reviewed conference's case manager only.
func TestReviewFollowsOnlyForItsCaseManager(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	first := create(t, s, schedule("U0CM", "U0GP"))
	review := schedule("U0GP")
	review.Follows, review.SourceKey = first.ID, "view:R1"
	if _, _, err := s.CreateConference(ctx, review); caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
		t.Fatalf("an invitee calling the review = %v, want not found", err)
	}
	review.CaseManagerID = "U0CM"
	c := create(t, s, review)
	if n := countRows(t, s, `SELECT count(*) FROM conferences WHERE id = $1 AND NOT handover AND review_of_id = $2`, c.ID, first.ID); n != 1 {
		t.Fatal("the review does not say what it follows")
	}
}
