package caseconf

import (
	"testing"
	"time"
)

func TestRetryAt(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	prevMax := time.Duration(0)
	for attempt := 1; attempt <= 12; attempt++ {
		for range 50 {
			d := RetryAt(now, attempt, 0).Sub(now)
			want := min(retryBase<<(attempt-1), retryMax)
			if d < want/2 || d > want {
				t.Fatalf("attempt %d: retry in %v, want between %v and %v", attempt, d, want/2, want)
			}
		}
		if want := min(retryBase<<(attempt-1), retryMax); want < prevMax {
			t.Fatalf("back-off shrank at attempt %d", attempt)
		} else {
			prevMax = want
		}
	}
	if d := RetryAt(now, 1, 30*time.Second).Sub(now); d < 30*time.Second {
		t.Errorf("retry %v after a Retry-After of 30s", d)
	}
	if d := RetryAt(now, 100, 0).Sub(now); d > retryMax {
		t.Errorf("retry %v after many attempts, over the cap %v", d, retryMax)
	}
}
