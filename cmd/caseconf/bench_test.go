package main

import (
	"fmt"

	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// BenchmarkHelpAck measures how long Slack waits for its acknowledgement of
// `/caseconf help`: from the fake Slack writing the envelope on the Socket
// Mode websocket to it reading the ack (which carries the help text). It
// includes the retry bookkeeping insert in PostgreSQL. Reported as p50 and
// p99 milliseconds; ns/op is the whole round trip as the benchmark sees it.
//
//	go test -run '^$' -bench HelpAck -benchtime 2000x ./cmd/caseconf/
func BenchmarkHelpAck(b *testing.B) {
	b.Run("SocketMode", func(b *testing.B) {
		a := startApp(b, map[string]string{"LOG_LEVEL": "warn", "DATABASE_MAX_CONNS": "20"})
		a.command("U0WARMUP", "help")
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			ack := a.command("U0ALICE", "help")
			lat = append(lat, ack.At.Sub(ack.SentAt))
		}
		b.StopTimer()
		reportPercentiles(b, lat)
	})
	b.Run("SocketMode8Concurrent", func(b *testing.B) {
		a := startApp(b, map[string]string{"LOG_LEVEL": "warn", "DATABASE_MAX_CONNS": "20"})
		a.command("U0WARMUP", "help")
		var mu sync.Mutex
		lat := make([]time.Duration, 0, b.N)
		b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 senders
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				ack := a.command("U0ALICE", "help")
				mu.Lock()
				lat = append(lat, ack.At.Sub(ack.SentAt))
				mu.Unlock()
			}
		})
		b.StopTimer()
		reportPercentiles(b, lat)
	})
}

// BenchmarkNewAck measures how long Slack waits for its acknowledgement of
// `/caseconf new` with 20 commands in flight: from the fake Slack writing
// the envelope on the Socket Mode websocket to it reading the ack. The
// scheduling modal opens after the ack (views.open to the fake), and that
// work competes with the acks behind it for the CPU; every modal has been
// opened before the benchmark ends. Reported as p50, p99 and max
// milliseconds.
//
//	go test -run '^$' -bench NewAck -benchtime 400x ./cmd/caseconf/
func BenchmarkNewAck(b *testing.B) {
	const inFlight = 20
	a := startApp(b, map[string]string{"LOG_LEVEL": "warn", "DATABASE_MAX_CONNS": "20"})
	a.command("U0WARMUP", "new")
	a.waitCalls("views.open", 1)
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range inFlight {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < b.N; i = int(next.Add(1)) - 1 {
				ack := a.command(fmt.Sprintf("U0CM%d", i%50), "new")
				lat[i] = ack.At.Sub(ack.SentAt)
			}
		})
	}
	wg.Wait()
	a.waitCalls("views.open", 1+b.N)
	b.StopTimer()
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	at := func(p float64) float64 {
		i := int(p * float64(len(lat)-1))
		return float64(lat[i].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
	b.ReportMetric(at(1.0), "max-ms")
}

// BenchmarkScheduleSubmitAck measures the ack of a valid scheduling form:
// validation, the conference's insert transaction (client, consent,
// conference, invitees, audit) and the ack that closes the modal. The
// invitation DMs go out after the ack and are not in the figure.
//
//	go test -run '^$' -bench ScheduleSubmitAck -benchtime 1000x ./cmd/caseconf/
func BenchmarkScheduleSubmitAck(b *testing.B) {
	a := startApp(b, map[string]string{"LOG_LEVEL": "warn", "DATABASE_MAX_CONNS": "20"})
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id, err := a.slack.Send(ctxFor(b), fakeslack.Envelope{Type: fakeslack.TypeInteractive,
			Payload: viewSubmissionPayload("U0CM", "schedule", fmt.Sprintf("VB%d", i), "", scheduleForm())})
		if err != nil {
			b.Fatal(err)
		}
		ack, err := a.slack.WaitAck(ctxFor(b), id)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, ack.At.Sub(ack.SentAt))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
	if n := a.count(`SELECT count(*) FROM conferences`); n != b.N {
		b.Fatalf("%d conferences stored, want %d", n, b.N)
	}
}
