package main

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// delivered counts the DMs Slack accepted, by recipient.
func (a *app) delivered() map[string]int {
	out := map[string]int{}
	for _, c := range a.slack.CallsTo("chat.postMessage") {
		if !c.Failed {
			out[c.Params.Get("channel")]++
		}
	}
	return out
}

// waitOutboxDone waits until nothing in the outbox is pending or in flight.
func (a *app) waitOutboxDone(within time.Duration) {
	a.t.Helper()
	deadline := time.Now().Add(within)
	for a.count(`SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')`) != 0 {
		if time.Now().After(deadline) {
			a.t.Fatalf("outbox not empty after %v: %d pending or in flight", within,
				a.count(`SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')`))
		}
		time.Sleep(pollEvery(within))
	}
}

// pollEvery is how often to look again when waiting up to within.
func pollEvery(within time.Duration) time.Duration {
	return min(max(within/500, 20*time.Millisecond), 500*time.Millisecond)
}

// Slack refuses every post (503) while a conference is called, then
// recovers: each invitation and the summary arrive once, with nobody
// pressing anything.
func TestSlackOutageWhileCallingDeliversEachInvitationOnce(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.FailEvery("chat.postMessage", fakeslack.Failure{Status: http.StatusServiceUnavailable})
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", scheduleForm(), 0); ack["response_action"] != "clear" {
		t.Fatalf("ack = %v", ack)
	}
	a.eventually("Slack to refuse the first attempts", func() bool { return len(a.slack.CallsTo("chat.postMessage")) >= 3 })
	if d := a.delivered(); len(d) != 0 {
		t.Fatalf("delivered during the outage: %v", d)
	}
	a.slack.Recover("chat.postMessage")
	a.waitOutboxDone(30 * time.Second)
	d := a.delivered()
	if d["U0GP"] != 1 || d["U0SW"] != 1 || d["U0CM"] != 1 {
		t.Fatalf("delivered %v after the outage; want one invitation each and one summary", d)
	}
	if summary := callText(a.dmTo("U0CM")[len(a.dmTo("U0CM"))-1]); strings.Contains(summary, "would not deliver") {
		t.Errorf("the case manager was told of a failure that was retried: %s", summary)
	}
	a.invitationsRecorded()
}

// 429 with Retry-After: 2 and 500 for a third of posts: everything is
// delivered, nothing twice, and nothing retried before Retry-After.
func TestRateLimitsAndErrorsDeliverEachOnce(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.FailNext("chat.postMessage", fakeslack.Failure{Status: http.StatusTooManyRequests, RetryAfter: 2})
	a.slack.FailNext("chat.postMessage", fakeslack.Failure{Status: http.StatusInternalServerError})
	const n = 6
	for i := range n {
		f := scheduleForm().users("invitees", "U0GP", "U0SW", fmt.Sprintf("U0X%d", i))
		if ack := a.viewSubmission("U0CM", "schedule", fmt.Sprintf("V%d", i), "", f, 0); ack["response_action"] != "clear" {
			t.Fatalf("ack = %v", ack)
		}
		if i%3 == 0 {
			a.slack.FailNext("chat.postMessage", fakeslack.Failure{Status: http.StatusInternalServerError})
		}
	}
	a.waitOutboxDone(60 * time.Second)
	d := a.delivered()
	if d["U0GP"] != n || d["U0SW"] != n || d["U0CM"] != n {
		t.Fatalf("delivered %v; want %d each to U0GP, U0SW and U0CM", d, n)
	}
	for i := range n {
		if u := fmt.Sprintf("U0X%d", i); d[u] != 1 {
			t.Fatalf("%s got %d invitations", u, d[u])
		}
	}
	// After the 429 no post starts for 2 s: only those already on their
	// way (one per sender worker at most) arrive in that time, and the
	// refused message itself is not tried again before then.
	calls := a.slack.CallsTo("chat.postMessage")
	var limited *fakeslack.Call
	inWindow := 0
	for i, c := range calls {
		if c.Status == http.StatusTooManyRequests {
			limited = &calls[i]
			continue
		}
		if limited == nil || c.At.Sub(limited.At) >= 2*time.Second {
			continue
		}
		inWindow++
		if c.Params.Get("channel") == limited.Params.Get("channel") && c.Params.Get("text") == limited.Params.Get("text") {
			t.Fatalf("the rate-limited message was tried again %v after the 429 with Retry-After: 2", c.At.Sub(limited.At))
		}
	}
	if limited == nil {
		t.Fatal("no 429 was answered")
	}
	if inWindow > 3 {
		t.Fatalf("%d posts within Retry-After of a 429; at most the 3 already on their way may arrive", inWindow)
	}
}

// The same scheduling form submitted ten times at once: one conference,
// and each invitation and the summary sent once.
func TestFormSubmittedTenTimesAtOnce(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { a.viewSubmission("U0CM", "schedule", "VTEN", "", scheduleForm(), 0) })
	}
	wg.Wait()
	a.waitOutboxDone(30 * time.Second)
	if n := a.count(`SELECT count(*) FROM conferences`); n != 1 {
		t.Fatalf("%d conferences", n)
	}
	if d := a.delivered(); d["U0GP"] != 1 || d["U0SW"] != 1 || d["U0CM"] != 1 {
		t.Fatalf("delivered %v; want one each", d)
	}
}

// A user Slack no longer knows: the invitation is given up at once (not
// retried), and the case manager is told, once, and in the summary.
func TestUndeliverableInvitationToldToCaseManager(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{})
	// The GP is a user Slack no longer knows.
	a.slack.FailNext("chat.postMessage", fakeslack.Failure{Error: "user_not_found", Channel: "U0GP"})
	f := scheduleForm().users("invitees", "U0GP")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		t.Fatalf("ack = %v", ack)
	}
	a.waitOutboxDone(30 * time.Second)
	if n := len(a.dmTo("U0GP")); n != 1 {
		t.Fatalf("%d attempts to reach a user Slack does not know; want 1", n)
	}
	var told int
	for _, c := range a.dmTo("U0CM") {
		if strings.Contains(callText(c), "could not be delivered to <@U0GP>") && strings.Contains(callText(c), "user_not_found") {
			told++
		}
	}
	if told != 1 {
		t.Fatalf("case manager told %d times, want once: %v", told, a.dmTo("U0CM"))
	}
	a.eventually("the summary to name the failure", func() bool {
		for _, c := range append(a.dmTo("U0CM"), a.slack.CallsTo("chat.update")...) {
			if strings.Contains(callText(c), "would not deliver the invitation to <@U0GP>") {
				return true
			}
		}
		return false
	})
	if n := a.metric(`caseconf_outbox_messages_total{kind="invitation",result="failed"}`); n != 1 {
		t.Errorf("failed invitations counted = %v", n)
	}
	if n := a.metric(`caseconf_outbox_queue_messages{kind="invitation",state="failed"}`); n != 1 {
		t.Errorf("failed invitations in the outbox gauge = %v", n)
	}
	if n := a.metric(`caseconf_outbox_oldest_pending_seconds`); n != 0 {
		t.Errorf("oldest pending = %v with nothing pending", n)
	}
}
