package main

import (
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

// benchUser and benchChannel are who types `/caseconf help`, and where.
const (
	benchUser    = "U0BENCH"
	benchChannel = "C0BENCH"
)

// loadResult is what one batch of commands measured.
type loadResult struct {
	latencies []time.Duration // ack.At - ack.SentAt, one per command
	wall      time.Duration   // first send to last ack
}

// drive sends `/caseconf help` n times over Socket Mode with at most
// inflight envelopes unacknowledged, and checks that every ack carries the
// help text. The first failure stops the batch.
func drive(ctx context.Context, fake *fakeslack.Server, n, inflight int) (loadResult, error) {
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
				d, err := helpRoundTrip(ctx, fake)
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

// helpRoundTrip sends one `/caseconf help` and returns its ack latency as the
// fake Slack saw it: from writing the envelope to reading the ack.
func helpRoundTrip(ctx context.Context, fake *fakeslack.Server) (time.Duration, error) {
	id, err := fake.Send(ctx, fakeslack.Envelope{
		Type:    fakeslack.TypeSlashCommands,
		Payload: fake.NewSlashCommand(benchUser, benchChannel, "help"),
	})
	if err != nil {
		return 0, err
	}
	ackCtx, cancel := context.WithTimeoutCause(ctx, ackTimeout, fmt.Errorf("none within %v", ackTimeout))
	defer cancel()
	ack, err := fake.WaitAck(ackCtx, id)
	if err != nil {
		return 0, fmt.Errorf("no ack for %s: %w", id, context.Cause(ackCtx))
	}
	if err := checkHelp(ack.Payload); err != nil {
		return 0, err
	}
	return ack.At.Sub(ack.SentAt), nil
}

// checkHelp checks that an ack's payload is an ephemeral reply whose text is
// the help (both apps' help mentions "help").
func checkHelp(payload json.RawMessage) error {
	var reply struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(payload, &reply); err != nil || !strings.Contains(strings.ToLower(reply.Text), "help") {
		return fmt.Errorf("ack did not carry the help text: payload %.200q", payload)
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

// summary is one app's figures from one run.
type summary struct {
	p50, p99, max time.Duration
	perSecond     float64
	peakRSS       int64 // bytes
}

func summarize(r loadResult, peakRSS int64) summary {
	sorted := slices.Clone(r.latencies)
	slices.Sort(sorted)
	return summary{
		p50:       percentile(sorted, 0.50),
		p99:       percentile(sorted, 0.99),
		max:       sorted[len(sorted)-1],
		perSecond: float64(len(sorted)) / r.wall.Seconds(),
		peakRSS:   peakRSS,
	}
}
