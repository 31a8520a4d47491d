package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// A batch waiting its turn has its claims renewed: a rescue in between
// does not take them, and a message rescued before the renewal is no
// longer the worker's to send.
func TestOutboxTouchClaims(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	if _, err := s.Enqueue(ctx, msg("a", t0), msg("b", t0), msg("c", t0)); err != nil {
		t.Fatal(err)
	}
	batch, err := s.ClaimOutbox(ctx, "w1", t0, 10)
	if err != nil || len(batch) != 3 {
		t.Fatalf("claim = %+v, %v", batch, err)
	}
	// "a" is rescued (its claim aged) and claimed by another worker.
	if _, err := s.SQL().Exec(`UPDATE outbox SET claimed_at = now() - interval '1 hour' WHERE dedup_key = 'a'`); err != nil {
		t.Fatal(err)
	}
	if n, err := s.RescueOutbox(ctx, time.Minute); err != nil || n != 1 {
		t.Fatalf("rescue = %d, %v", n, err)
	}
	if got, _ := s.ClaimOutbox(ctx, "w2", t0, 10); len(got) != 1 || got[0].DedupKey != "a" {
		t.Fatalf("w2 claimed %+v", got)
	}
	// The others aged too, but are renewed before any rescue.
	if _, err := s.SQL().Exec(`UPDATE outbox SET claimed_at = now() - interval '50 seconds' WHERE claimed_by = 'w1'`); err != nil {
		t.Fatal(err)
	}
	kept, err := s.TouchClaims(ctx, batch)
	if err != nil || len(kept) != 2 || kept[0].DedupKey != "b" || kept[1].DedupKey != "c" {
		t.Fatalf("touch = %+v, %v; want b and c still w1's", kept, err)
	}
	if n, _ := s.RescueOutbox(ctx, time.Minute); n != 0 {
		t.Fatalf("%d renewed claims rescued", n)
	}
}

// Claimed messages a worker did not try go back as they were: not counted
// as an attempt, due when asked.
func TestOutboxReleaseClaims(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	if _, err := s.Enqueue(ctx, msg("a", t0), msg("b", t0)); err != nil {
		t.Fatal(err)
	}
	batch, _ := s.ClaimOutbox(ctx, "w1", t0, 10)
	if err := s.ReleaseClaims(ctx, batch[:1], time.Time{}); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseClaims(ctx, batch[1:], t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimOutbox(ctx, "w2", t0, 10)
	if err != nil || len(got) != 1 || got[0].DedupKey != "a" || got[0].Attempts != 1 {
		t.Fatalf("claim after release = %+v, %v; want a again, attempt 1", got, err)
	}
	if got, _ := s.ClaimOutbox(ctx, "w2", t0.Add(time.Minute), 10); len(got) != 1 || got[0].DedupKey != "b" {
		t.Fatalf("b released for a minute later: claim then = %+v", got)
	}
	// Releasing what is no longer one's own changes nothing.
	if err := s.ReleaseClaims(ctx, batch, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM outbox WHERE state = 'in_flight' AND claimed_by = 'w2'`); n != 2 {
		t.Fatalf("another worker's release took back %d of w2's claims", 2-n)
	}
}

// Marking sent commits without waiting for the disk, for that statement
// only: the connection goes back to the pool as it came.
func TestMarkSentAsyncCommitStaysInItsTransaction(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	s.SQL().SetMaxOpenConns(1) // every statement on the one connection
	if _, err := s.Enqueue(ctx, msg("a", t0)); err != nil {
		t.Fatal(err)
	}
	batch, _ := s.ClaimOutbox(ctx, "w1", t0, 1)
	if err := s.MarkSent(ctx, batch[0], caseconf.MessageRef{Channel: "D1", TS: "1.1"}); err != nil {
		t.Fatal(err)
	}
	var setting string
	if err := s.SQL().Get(&setting, `SHOW synchronous_commit`); err != nil || setting != "on" {
		t.Fatalf("synchronous_commit after MarkSent = %q, %v; want on", setting, err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM outbox WHERE state = 'sent' AND sent_at IS NOT NULL AND claimed_by IS NULL`); n != 1 {
		t.Fatal("the mark did not record when it was sent")
	}
}

// The sender reads a batch's conferences at once: each as the one-by-one
// read gives it, and none that does not exist.
func TestConferenceSnapshotsAgreeWithOneByOne(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	a := create(t, s, schedule("U0CM", "U0GP", "U0SW"))
	b := create(t, s, scheduleFor("U0CM2", "KB-2200", "U0HV"))
	if _, _, err := s.AcceptAgreement(ctx, inviteeFor(t, a, "U0GP").ID, "U0GP", &store.AgencyAnswer{Agency: "Church St", Kind: "health_gp"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ConferenceSnapshots(ctx, []int64{b.ID, a.ID, 999})
	if err != nil || len(got) != 2 {
		t.Fatalf("snapshots = %d, %v; want 2", len(got), err)
	}
	for _, id := range []int64{a.ID, b.ID} {
		one, err := s.ConferenceSnapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[id], one) {
			t.Errorf("conference %d read in a batch:\n%+v\none by one:\n%+v", id, got[id], one)
		}
	}
}

// A snooze moves a reminder: while the snoozed copy is to come, and for
// 12 hours after it came, the daily sweep writes no other reminder of the
// same kind about the same thing to the same person; others still go.
func TestSnoozeStandsInForTheDailyReminder(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	reminder := func(day, to string) store.Outbox {
		return store.Outbox{Kind: "invitation_unanswered", DedupKey: "reminder:invitation_unanswered:41:" + to + ":" + day,
			RecipientID: to, SubjectID: 41, NotBefore: now}
	}
	if n, err := s.EnqueueReminders(ctx, reminder("2026-11-02", "U0GP")); err != nil || n != 1 {
		t.Fatalf("first reminder = %d, %v", n, err)
	}
	sent, _ := s.ClaimOutbox(ctx, "w1", now, 1)
	if err := s.MarkSent(ctx, sent[0], caseconf.MessageRef{Channel: "D1", TS: "1.1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Snooze(ctx, sent[0].ID, "U0GP", t0.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// The next morning's sweep, before the snoozed copy has gone.
	now = t0.Add(23 * time.Hour)
	if n, err := s.EnqueueReminders(ctx, reminder("2026-11-03", "U0GP"), reminder("2026-11-03", "U0SW")); err != nil || n != 1 {
		t.Fatalf("sweep while snoozed wrote %d (%v), want 1: the other invitee's only", n, err)
	}
	// The snoozed copy goes; a sweep soon after writes nothing more for
	// the GP that day, nor the day after within 12 hours of it.
	now = t0.Add(24 * time.Hour)
	got, _ := s.ClaimOutbox(ctx, "w1", now, 10)
	for _, m := range got {
		if err := s.MarkSent(ctx, m, caseconf.MessageRef{Channel: "D1", TS: "1.2"}); err != nil {
			t.Fatal(err)
		}
	}
	now = t0.Add(30 * time.Hour)
	if n, _ := s.EnqueueReminders(ctx, reminder("2026-11-03", "U0GP")); n != 0 {
		t.Fatalf("a reminder 6 hours after its snoozed copy came was written")
	}
	now = t0.Add(48 * time.Hour)
	if n, _ := s.EnqueueReminders(ctx, reminder("2026-11-04", "U0GP")); n != 1 {
		t.Fatalf("the day after the snooze, the reminder was not written")
	}
}
