package main

import (
	"context"
	"database/sql"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/seed"
	"github.com/caseconf/caseconf/internal/testdb"
)

// heapWatch samples the live heap (runtime/metrics, no stop-the-world)
// every half millisecond while f runs, and gives the bytes f allocated and
// the most the heap held meanwhile, above what it held before.
func heapWatch(f func()) (alloc, peak uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	base := s[0].Value.Uint64()
	var (
		mu   sync.Mutex
		max  uint64
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(500 * time.Microsecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			mu.Lock()
			if v := s[0].Value.Uint64(); v > max {
				max = v
			}
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if max < base {
		max = base
	}
	return after.TotalAlloc - before.TotalAlloc, max - base
}

// BenchmarkYearOfData seeds a year of data (internal/seed.Year(), as of
// the tests' clock) once, starts serve on it, and measures, each as bytes
// allocated and the most the heap grew while it ran (MB): a dry-run and
// a real reminder sweep, the sender delivering what is due (the pending
// summaries and the sweep's reminders due now), HomeUser's Home view, the
// retention job and an administrator's gaps report over the year.
//
//	go test -run '^$' -bench BenchmarkYearOfData -benchtime 1x ./cmd/caseconf/
func BenchmarkYearOfData(b *testing.B) {
	ctx := context.Background()
	dsn := testdb.New(b)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	o := seed.Year()
	o.Now = testNow
	start := time.Now()
	if err := seed.Seed(ctx, db, o); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded a year of data in %s", time.Since(start).Round(time.Millisecond))
	a := startAppOn(b, dsn, map[string]string{"LOG_LEVEL": "warn", "CASECONF_ADMINS": "U0YP0001"}, nil)
	m := a.main
	report := func(name string, f func()) {
		alloc, peak := heapWatch(f)
		b.ReportMetric(float64(alloc)/(1<<20), name+"-alloc-MB")
		b.ReportMetric(float64(peak)/(1<<20), name+"-maxheap-MB")
	}
	// The summaries left to send go first.
	a.eventually("the pending summaries sent", func() bool {
		return a.count(`SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight') AND not_before <= $1`, testNow) == 0
	})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		report("sweepdry", func() {
			res, err := m.Sweeper.RunOnce(ctx, testNow, true)
			if err != nil || len(res.Due) == 0 {
				b.Fatalf("dry-run sweep: %d due, %v", len(res.Due), err)
			}
		})
		report("sweep", func() {
			if _, err := m.Sweeper.RunOnce(ctx, testNow, false); err != nil {
				b.Fatal(err)
			}
		})
		// What the sweep wrote goes out before the next measure, so that
		// each measures only itself.
		a.eventually("the outbox drained of what is due", func() bool {
			return a.count(`SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight') AND not_before <= $1`, testNow) == 0
		})
		report("home", func() {
			if _, err := m.Bot.HomeView(ctx, o.HomeUser); err != nil {
				b.Fatal(err)
			}
		})
		report("retention", func() { m.RunRetention(ctx) })
		report("gaps", func() {
			if _, _, err := m.Sweeper.Store.GapFacts(ctx, caseconf.Viewer{UserID: "U0YP0001", Admin: true}, testNow.AddDate(-1, 0, 0), testNow, testNow.AddDate(-1, 0, 0), testNow); err != nil {
				b.Fatal(err)
			}
		})
	}
	b.StopTimer()
	// The sender delivered every summary left to send and every reminder
	// due by now, against the fake Slack (which fails the benchmark if it
	// refused any).
	if n := a.count(`SELECT count(*) FROM outbox WHERE state = 'failed'`); n != 0 {
		b.Errorf("%d messages failed", n)
	}
}
