package caseconf

import (
	"math/rand/v2"
	"time"
)

// Outbox delivery policy: how often a message Slack refused is tried
// again, and when to give up. One place, used by the sender.

// MaxSendAttempts is how many times a message is tried before it is
// marked failed (and its case manager told).
const MaxSendAttempts = 8

// Retry back-off: from retryBase doubling to retryMax, each between half
// and the whole of it at random, so that replicas retrying together
// spread out.
const (
	retryBase = 2 * time.Second
	retryMax  = 10 * time.Minute
)

// RetryAt is when a message that failed for the attempts-th time (1 for
// the first) may be tried again: at least retryAfter (Slack's Retry-After,
// zero when it gave none) from now, and otherwise on a jittered
// exponential back-off.
func RetryAt(now time.Time, attempts int, retryAfter time.Duration) time.Time {
	d := retryMax
	if attempts >= 1 && attempts < 20 {
		d = min(retryBase<<(attempts-1), retryMax)
	}
	d = d/2 + rand.N(d/2+1)
	return now.Add(max(d, retryAfter))
}
