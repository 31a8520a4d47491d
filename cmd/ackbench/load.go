package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// ackTimeout bounds the wait for any one ack; Slack itself gives up after
// three seconds.
const ackTimeout = 30 * time.Second

// viewsTimeout bounds the wait, after a `new` load, for the views.open calls
// of its commands that have not arrived yet.
const viewsTimeout = 30 * time.Second

// benchUser and benchChannel are who types the commands, and where.
const (
	benchUser    = "U0BENCH"
	benchChannel = "C0BENCH"
)

// roundTrip sends one command and returns its ack latency as the fake Slack
// saw it, or why the command failed.
type roundTrip func(ctx context.Context, fake *fakeslack.Server) (time.Duration, error)

// loadResult is what one batch of commands measured.
type loadResult struct {
	latencies []time.Duration // ack.At - ack.SentAt, one per command
	wall      time.Duration   // first send to last ack
}

// drive runs rt n times with at most inflight round trips under way (so at
// most inflight envelopes unacknowledged). The first failure stops the
// batch.
func drive(ctx context.Context, fake *fakeslack.Server, n, inflight int, rt roundTrip) (loadResult, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range min(inflight, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				d, err := rt(ctx, fake)
				if err != nil {
					cancel(fmt.Errorf("command %d of %d: %w", i+1, n, err))
					return
				}
				lat[i] = d
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if err := context.Cause(ctx); err != nil {
		return loadResult{}, err
	}
	return loadResult{latencies: lat, wall: wall}, nil
}

// sendCommand sends `/caseconf text` from the bench user and waits for its
// ack. It returns the ack and the command's trigger_id.
func sendCommand(ctx context.Context, fake *fakeslack.Server, text string) (fakeslack.Ack, string, error) {
	cmd := fake.NewSlashCommand(benchUser, benchChannel, text)
	id, err := fake.Send(ctx, fakeslack.Envelope{Type: fakeslack.TypeSlashCommands, Payload: cmd})
	if err != nil {
		return fakeslack.Ack{}, "", err
	}
	ackCtx, cancel := context.WithTimeoutCause(ctx, ackTimeout, fmt.Errorf("none within %v", ackTimeout))
	defer cancel()
	ack, err := fake.WaitAck(ackCtx, id)
	if err != nil {
		return fakeslack.Ack{}, "", fmt.Errorf("no ack for %s: %w", id, context.Cause(ackCtx))
	}
	return ack, cmd["trigger_id"], nil
}

// helpRoundTrip sends one `/caseconf help` and checks that its ack carries
// the help text.
func helpRoundTrip(ctx context.Context, fake *fakeslack.Server) (time.Duration, error) {
	ack, _, err := sendCommand(ctx, fake, "help")
	if err != nil {
		return 0, err
	}
	if err := checkHelp(ack.Payload); err != nil {
		return 0, err
	}
	return ack.At.Sub(ack.SentAt), nil
}

// checkHelp checks that an ack's payload is an ephemeral reply whose text is
// the help (both apps' help mentions "help").
// An app sends the same bytes every time: a payload equal to the last one
// checked is not decoded again, so that checking costs the bench (which
// shares the machine with the app) next to nothing.
func checkHelp(payload json.RawMessage) error {
	if last := lastHelp.Load(); last != nil && bytes.Equal(*last, payload) {
		return nil
	}
	var reply struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(payload, &reply); err != nil || !strings.Contains(strings.ToLower(reply.Text), "help") {
		return fmt.Errorf("ack did not carry the help text: payload %.200q", payload)
	}
	good := slices.Clone(payload)
	lastHelp.Store(&good)
	return nil
}

// lastHelp is the last help payload checked and found good.
var lastHelp atomic.Pointer[json.RawMessage]

// newLoad sends `/caseconf new` and remembers each command's trigger_id, so
// that check can tell whether every command's form was opened.
type newLoad struct {
	mu       sync.Mutex
	triggers []string
}

// roundTrip sends one `/caseconf new` and checks that its ack is a plain
// one: the form is opened with views.open, not answered in the ack.
func (l *newLoad) roundTrip(ctx context.Context, fake *fakeslack.Server) (time.Duration, error) {
	ack, trigger, err := sendCommand(ctx, fake, "new")
	if err != nil {
		return 0, err
	}
	l.mu.Lock()
	l.triggers = append(l.triggers, trigger)
	l.mu.Unlock()
	if !plainAck(ack.Payload) {
		return 0, fmt.Errorf("`new` was not acknowledged plainly: ack payload %.200q", ack.Payload)
	}
	return ack.At.Sub(ack.SentAt), nil
}

// plainAck reports whether an ack's payload is absent or empty.
func plainAck(payload json.RawMessage) bool {
	switch p := strings.TrimSpace(string(payload)); p {
	case "", "null", "{}", `""`:
		return true
	}
	return false
}

// check waits up to viewsTimeout until a views.open call carrying the
// trigger_id of every command sent has arrived, and that Slack would have
// accepted each.
func (l *newLoad) check(ctx context.Context, fake *fakeslack.Server) error {
	l.mu.Lock()
	want := slices.Clone(l.triggers)
	l.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, viewsTimeout)
	defer cancel()
	// The views.open of a command may come after others' (they run after
	// the ack, concurrently): wait for the count first, then match.
	calls, err := fake.WaitForCalls(ctx, "views.open", len(want))
	opened := map[string]fakeslack.Call{}
	for _, c := range calls {
		opened[c.Params.Get("trigger_id")] = c
	}
	var missing, refused int
	example := ""
	for _, t := range want {
		c, found := opened[t]
		switch {
		case !found:
			missing++
		case c.Refused != "" || c.Failed:
			refused++
			if example == "" {
				example = c.Refused
			}
		}
	}
	switch {
	case missing > 0 && err != nil:
		return fmt.Errorf("%d of %d `new` commands had no views.open within %v of the last ack", missing, len(want), viewsTimeout)
	case missing > 0:
		return fmt.Errorf("%d of %d `new` commands had no views.open with their trigger_id", missing, len(want))
	case refused > 0:
		return fmt.Errorf("%d of %d `new` forms were refused by the fake Slack (%s)", refused, len(want), example)
	}
	return nil
}

// percentile returns the nearest-rank p-quantile (0 < p <= 1) of sorted.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p*float64(len(sorted)) + 0.999999999)
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// stats are one load's figures.
type stats struct {
	p50, p99, max time.Duration
	perSecond     float64
}

func loadStats(r loadResult) stats {
	sorted := slices.Clone(r.latencies)
	slices.Sort(sorted)
	if len(sorted) == 0 {
		return stats{}
	}
	return stats{
		p50:       percentile(sorted, 0.50),
		p99:       percentile(sorted, 0.99),
		max:       sorted[len(sorted)-1],
		perSecond: float64(len(sorted)) / r.wall.Seconds(),
	}
}

// summary is one row's figures from one run: an app, or caseconf with a
// year of data.
type summary struct {
	help    stats
	new     stats
	hasNew  bool  // the `new` load ran (-new-n > 0)
	peakRSS int64 // bytes
}
