package main

import (
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// afterAckWorkers is how many views.open calls the bot makes at once at
// most (bot/afterack.go: 4 × GOMAXPROCS).
func afterAckWorkers() int { return 4 * runtime.GOMAXPROCS(0) }

// slowViewsOpen makes the fake answer views.open after delay, as Slack
// would (a view ID), counting how many are being answered at once.
func slowViewsOpen(a *app, delay time.Duration) (most *atomic.Int32) {
	var running atomic.Int32
	most = &atomic.Int32{}
	a.slack.Handle("views.open", func(c fakeslack.Call) any {
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(delay)
		return map[string]any{"ok": true, "view": map[string]any{"id": "V" + c.Params.Get("trigger_id"), "callback_id": "schedule"}}
	})
	return most
}

// A burst of `/caseconf new` while Slack is slow to open modals: every
// command is acknowledged at once (the modal opens after the ack, in the
// bounded pool), and every modal opens in the end, no more of them at once
// than the pool has workers.
func TestNewFormBurstWhileViewsOpenIsSlow(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	most := slowViewsOpen(a, 300*time.Millisecond)
	n := 3 * afterAckWorkers()

	var wg sync.WaitGroup
	acks := make([]fakeslack.Ack, n)
	for i := range n {
		wg.Go(func() { acks[i] = a.command("U0CM", "new") })
	}
	wg.Wait()
	for i, ack := range acks {
		if r := decodeReply(t, ack.Payload); r.Text != "" {
			t.Errorf("new %d answered %q", i, r.Text)
		}
	}
	calls := a.waitCalls("views.open", n)
	triggers := map[string]bool{}
	for _, c := range calls {
		triggers[c.Params.Get("trigger_id")] = true
		if !strings.Contains(c.Params.Get("view"), `"initial_user":"U0CM"`) {
			t.Errorf("views.open without the caller as chair and minute taker")
		}
	}
	if len(triggers) != n {
		t.Errorf("%d distinct modals opened, want %d", len(triggers), n)
	}
	a.waitAllHandled()
	if most.Load() > int32(afterAckWorkers()) {
		t.Errorf("%d views.open at once, want at most %d", most.Load(), afterAckWorkers())
	}
	if logs := a.logs.String(); strings.Contains(logs, "could not open a modal") || strings.Contains(logs, "did not acknowledge in time") {
		t.Errorf("a modal failed or an ack was late:\n%s", logs)
	}
	if got := a.metric(`caseconf_slack_api_calls_total{method="views.open",result="ok"}`); got != float64(n) {
		t.Errorf("metrics counted %v views.open, want %d", got, n)
	}
}

// A graceful stop while modals are still waiting for the pool opens them
// all before it returns: nothing queued is lost.
func TestNewFormQueuedWorkFinishesOnGracefulStop(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	slowViewsOpen(a, 500*time.Millisecond)
	workers := afterAckWorkers()
	n := workers + workers/2 // some of them queued behind the workers

	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { a.command("U0CM", "new") })
	}
	wg.Wait()
	a.waitCalls("views.open", workers) // the workers are busy; the rest wait
	if err := a.main.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if got := len(a.slack.CallsTo("views.open")); got != n {
		t.Fatalf("%d modals opened by the time the stop finished, want %d", got, n)
	}
	if logs := a.logs.String(); strings.Contains(logs, "could not open a modal") {
		t.Errorf("a modal failed during the stop:\n%s", logs)
	}
}

// Slack refusing the prebuilt form is told to the user as before, and
// logged without the caller's details.
func TestNewFormRefusedTellsTheUser(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.FailNext("views.open", fakeslack.Failure{Error: "expired_trigger_id"})
	a.command("U0CM", "new")
	replies := a.waitCalls(fakeslack.MethodResponseURL, 1)
	if !strings.Contains(callText(replies[0]), "Sorry, Slack would not open the form just now") {
		t.Fatalf("reply = %s", replies[0].Body)
	}
	a.waitAllHandled()
	logs := a.logs.String()
	if !strings.Contains(logs, "could not open a modal") || !strings.Contains(logs, "expired_trigger_id") || !strings.Contains(logs, `"callback":"schedule"`) {
		t.Errorf("the refusal was not logged as before:\n%s", logs)
	}
	if got := a.metric(`caseconf_slack_api_calls_total{method="views.open",result="error"}`); got != 1 {
		t.Errorf("metrics counted %v refused views.open, want 1", got)
	}

	// A server error is a failure too.
	a.slack.FailNext("views.open", fakeslack.Failure{Status: http.StatusInternalServerError})
	a.command("U0CM", "new")
	replies = a.waitCalls(fakeslack.MethodResponseURL, 2)
	if !strings.Contains(callText(replies[1]), "Sorry, Slack would not open the form just now") {
		t.Fatalf("reply = %s", replies[1].Body)
	}
}

// A rate-limited views.open is tried again after Retry-After, as slack-go
// did, and the form opens.
func TestNewFormRateLimitedIsRetried(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.FailNext("views.open", fakeslack.Failure{Status: http.StatusTooManyRequests, RetryAfter: 1})
	a.command("U0CM", "new")
	calls := a.waitCalls("views.open", 2)
	if !calls[0].Failed || calls[1].Failed || calls[1].Refused != "" {
		t.Fatalf("views.open calls: first failed %v, second failed %v refused %q", calls[0].Failed, calls[1].Failed, calls[1].Refused)
	}
	if wait := calls[1].At.Sub(calls[0].At); wait < time.Second {
		t.Errorf("retried after %v, before Retry-After", wait)
	}
	if calls[0].Params.Get("trigger_id") != calls[1].Params.Get("trigger_id") || string(calls[0].Body) != string(calls[1].Body) {
		t.Error("the retry was not the same request")
	}
	a.waitAllHandled()
	if len(a.slack.Modals()) != 1 || len(a.slack.CallsTo(fakeslack.MethodResponseURL)) != 0 {
		t.Errorf("%d modals open, %d replies", len(a.slack.Modals()), len(a.slack.CallsTo(fakeslack.MethodResponseURL)))
	}

	// Rate limited three times: two retries, then the user is told.
	for range 3 {
		a.slack.FailNext("views.open", fakeslack.Failure{Status: http.StatusTooManyRequests, RetryAfter: 1})
	}
	a.command("U0CM", "new")
	replies := a.waitCalls(fakeslack.MethodResponseURL, 1)
	if !strings.Contains(callText(replies[0]), "Sorry, Slack would not open the form just now") {
		t.Fatalf("reply = %s", replies[0].Body)
	}
	if got := len(a.slack.CallsTo("views.open")); got != 5 {
		t.Errorf("%d views.open calls, want 2 + 3", got)
	}
}
