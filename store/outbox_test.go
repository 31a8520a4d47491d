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

func msg(key string, notBefore time.Time) store.Outbox {
	return store.Outbox{Kind: "test", DedupKey: key, RecipientID: "U0GP", NotBefore: notBefore}
}

func TestOutboxEnqueueOnce(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	n, err := s.Enqueue(ctx, msg("a", t0), msg("b", t0), msg("a", t0))
	if err != nil || n != 2 {
		t.Fatalf("enqueue = %d, %v; want 2 new (the repeated key skipped)", n, err)
	}
	if n, err := s.Enqueue(ctx, msg("b", t0)); err != nil || n != 0 {
		t.Fatalf("enqueue of a key already there = %d, %v; want 0", n, err)
	}
}

func TestOutboxClaimAndFinish(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	if _, err := s.Enqueue(ctx, msg("due", t0), msg("later", t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	got, err := s.ClaimOutbox(ctx, "w1", t0, 10)
	if err != nil || len(got) != 1 || got[0].DedupKey != "due" || got[0].Attempts != 1 || got[0].ClaimedBy != "w1" {
		t.Fatalf("claim = %+v, %v; want only the due message, attempt 1, claimed by w1", got, err)
	}
	if again, _ := s.ClaimOutbox(ctx, "w2", t0, 10); len(again) != 0 {
		t.Fatalf("a message in flight was claimed again: %+v", again)
	}
	other := got[0]
	other.ClaimedBy = "w2"
	if err := s.MarkSent(ctx, other, caseconf.MessageRef{Channel: "D1", TS: "1.1"}); !store.ErrNotClaimed(err) {
		t.Fatalf("another sender finishing it = %v, want not claimed", err)
	}
	if err := s.MarkSent(ctx, got[0], caseconf.MessageRef{Channel: "D1", TS: "1.1"}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, got[0], caseconf.MessageRef{Channel: "D1", TS: "1.1"}); !store.ErrNotClaimed(err) {
		t.Fatalf("finishing twice = %v, want not claimed", err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM outbox WHERE state = 'sent' AND channel = 'D1' AND ts = '1.1'`); n != 1 {
		t.Fatal("where the message lives was not recorded")
	}
	later, err := s.ClaimOutbox(ctx, "w1", t0.Add(time.Hour), 10)
	if err != nil || len(later) != 1 || later[0].DedupKey != "later" {
		t.Fatalf("claim at its time = %+v, %v", later, err)
	}
}

func TestOutboxRetryKeepsErrorsAndWaits(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	if _, err := s.Enqueue(ctx, msg("m", t0)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.ClaimOutbox(ctx, "w1", t0, 1)
	if err := s.MarkRetry(ctx, got[0], "slack: 500", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if early, _ := s.ClaimOutbox(ctx, "w1", t0.Add(59*time.Second), 1); len(early) != 0 {
		t.Fatal("claimed before its retry time")
	}
	again, _ := s.ClaimOutbox(ctx, "w2", t0.Add(time.Minute), 1)
	if len(again) != 1 || again[0].Attempts != 2 || len(again[0].Errors) != 1 || again[0].Errors[0] != "slack: 500" {
		t.Fatalf("retried claim = %+v, want attempt 2 with the first error kept", again)
	}
	if err := s.MarkFailed(ctx, again[0], "slack: user_not_found"); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM outbox WHERE state = 'failed' AND cardinality(errors) = 2`); n != 1 {
		t.Fatal("failed message does not keep both errors")
	}
}

func TestOutboxRescue(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	if _, err := s.Enqueue(ctx, msg("m", t0)); err != nil {
		t.Fatal(err)
	}
	dead, _ := s.ClaimOutbox(ctx, "dead", t0, 1)
	if n, err := s.RescueOutbox(ctx, time.Minute); err != nil || n != 0 {
		t.Fatalf("rescue of a fresh claim = %d, %v; want none", n, err)
	}
	time.Sleep(20 * time.Millisecond)
	if n, err := s.RescueOutbox(ctx, 10*time.Millisecond); err != nil || n != 1 {
		t.Fatalf("rescue = %d, %v; want 1", n, err)
	}
	alive, _ := s.ClaimOutbox(ctx, "alive", t0.Add(time.Minute), 1)
	if len(alive) != 1 {
		t.Fatal("a rescued message was not claimable")
	}
	if err := s.MarkSent(ctx, dead[0], caseconf.MessageRef{}); !store.ErrNotClaimed(err) {
		t.Fatalf("the dead sender finishing after the rescue = %v, want not claimed", err)
	}
	if err := s.MarkSent(ctx, alive[0], caseconf.MessageRef{Channel: "D", TS: "1"}); err != nil {
		t.Fatal(err)
	}
}

// Three senders at once over 2,000 due messages: each is claimed and sent
// exactly once.
func TestOutboxConcurrentSendersSendEachOnce(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	const n = 2000
	var msgs []store.Outbox
	for i := range n {
		msgs = append(msgs, msg(fmt.Sprintf("m%d", i), t0))
	}
	if _, err := s.Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for {
				got, err := s.ClaimOutbox(ctx, fmt.Sprintf("w%d", w), t0, 50)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				for _, m := range got {
					mu.Lock()
					seen[m.ID]++
					mu.Unlock()
					if err := s.MarkSent(ctx, m, caseconf.MessageRef{Channel: "D", TS: "1"}); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("%d of %d messages claimed", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Fatalf("message %d claimed %d times", id, c)
		}
	}
	if k := countRows(t, s, `SELECT count(*) FROM outbox WHERE state = 'sent'`); k != n {
		t.Fatalf("%d sent, want %d", k, n)
	}
}

func TestOutboxStats(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	if _, err := s.Enqueue(ctx, msg("a", t0), msg("b", t0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	got, _ := s.ClaimOutbox(ctx, "w", t0, 1)
	if err := s.MarkFailed(ctx, got[0], "x"); err != nil {
		t.Fatal(err)
	}
	stats, oldest, err := s.OutboxStats(ctx)
	if err != nil || len(stats) != 2 || !oldest.Equal(t0.Add(time.Hour)) {
		t.Fatalf("stats = %+v, oldest %v, %v", stats, oldest, err)
	}
}
