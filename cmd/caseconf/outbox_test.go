package main

import (
	"context"
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

// A message claimed late in a long pass is not taken to be abandoned
// while it is still being sent: another replica rescuing stuck rows every
// 100 ms, posts that take 1 s each, and StuckAfter 2.5 s send each
// reminder once.
func TestRescueWhileStillSendingSendsOnce(t *testing.T) {
	t.Parallel()
	const stuck = 2500 * time.Millisecond
	a := startAppWith(t, nil, func(m *Main) { m.OutboxStuckAfter = stuck })
	a.scheduled("V1")
	conf := a.count(`SELECT id FROM conferences`)
	for _, owner := range []string{"U0CM", "U0X1"} {
		if _, err := a.main.DB.SQL().Exec(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
			VALUES ($1, 'Housing', 'Call', $2, '2026-11-11')`, conf, owner); err != nil {
			t.Fatal(err)
		}
	}
	a.slack.FailEvery("chat.postMessage", fakeslack.Failure{Delay: time.Second})
	before := a.delivered()
	// Another replica's sender: each of its passes begins with a rescue.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			a.main.DB.RescueOutbox(context.Background(), stuck)
		}
	}()
	// 5 reminders: U0GP, U0SW unanswered, and U0CM for Dr Patel (not on
	// Slack); U0CM, U0X1 action due today.
	if res, err := a.main.Sweeper.RunOnce(context.Background(), time.Date(2026, 11, 11, 3, 0, 0, 0, time.UTC), false); err != nil || res.New != 5 {
		t.Fatalf("sweep = %+v, %v", res, err)
	}
	// The other replica rescues throughout, until every reminder is sent.
	a.waitOutboxDone(30 * time.Second)
	close(stop)
	<-done
	a.waitOutboxDone(30 * time.Second)
	after := a.delivered()
	want := map[string]int{"U0CM": 2} // its action, and Dr Patel's reply
	for user, n := range after {
		if n-before[user] > max(1, want[user]) {
			t.Errorf("%s got %d reminders from one sweep, want %d (no crash; every send took 1 s < StuckAfter %v)", user, n-before[user], max(1, want[user]), stuck)
		}
	}
}

// A DM that Slack rate-limits seven times (1 s each) and then answers
// once with a 500 is still delivered: a 429 is not an attempt, so it does
// not use up the retries meant for failures.
func TestRateLimitsDoNotUseUpRetries(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	for range 7 {
		a.slack.FailNext("chat.postMessage", fakeslack.Failure{Status: http.StatusTooManyRequests, RetryAfter: 1, Channel: "U0GP"})
	}
	a.slack.FailNext("chat.postMessage", fakeslack.Failure{Status: http.StatusInternalServerError, Channel: "U0GP"})
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", scheduleForm(), 0); ack["response_action"] != "clear" {
		t.Fatalf("ack = %v", ack)
	}
	deadline := time.Now().Add(60 * time.Second)
	for a.count(`SELECT count(*) FROM outbox WHERE kind = 'invitation' AND recipient_id = 'U0GP' AND state IN ('sent', 'failed')`) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the GP's invitation neither sent nor failed after 60 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var state, errs string
	var attempts int
	if err := a.main.DB.SQL().QueryRow(`SELECT state, attempts, array_to_string(errors, ' | ') FROM outbox WHERE kind = 'invitation' AND recipient_id = 'U0GP'`).Scan(&state, &attempts, &errs); err != nil {
		t.Fatal(err)
	}
	if state != "sent" {
		t.Errorf("after 7 rate limits and ONE 500 the invitation is %s (attempts %d): %s", state, attempts, errs)
	}
}

// A message that cannot be put together (what it is about is gone) is
// not retried for ever.
func TestUnrenderableMessageNotRetriedForEver(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	conf := a.count(`SELECT id FROM conferences`)
	id := a.count(`INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, attempts, created_at)
		VALUES ('send_failed', 'zz:poison', 'U0CM', $1, 987654321, now(), 20, now()) RETURNING id`, conf)
	a.eventually("the poison message to be tried", func() bool {
		return a.count(`SELECT attempts FROM outbox WHERE id = $1`, id) > 20 && a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND state <> 'in_flight'`, id) == 1
	})
	var state, errs string
	if err := a.main.DB.SQL().QueryRow(`SELECT state, array_to_string(errors, ' | ') FROM outbox WHERE id = $1`, id).Scan(&state, &errs); err != nil {
		t.Fatal(err)
	}
	if state != "failed" && state != "cancelled" {
		t.Errorf("a message tried 21 times that cannot be rendered is %s (%s): it will be retried for ever", state, errs)
	}
}
