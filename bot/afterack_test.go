package bot

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// The pool runs at most max jobs at once, queues up to maxWait more, and
// refuses beyond that (the caller then runs the job itself); every job
// submitted runs.
func TestAfterAckPoolIsBounded(t *testing.T) {
	p := &afterAckPool{max: 3, maxWait: 2}
	release := make(chan struct{})
	var running, most atomic.Int32
	var ran sync.WaitGroup
	ran.Add(5)
	started := make(chan struct{}, 10)
	job := func() {
		defer ran.Done()
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		started <- struct{}{}
		<-release
		running.Add(-1)
	}
	for i := range 5 {
		if !p.submit(job) {
			t.Fatalf("job %d refused with room in the pool", i)
		}
	}
	for range 3 {
		<-started // the three workers are busy
	}
	if p.submit(job) {
		t.Fatal("a sixth job was taken with three running and two queued")
	}
	close(release)
	ran.Wait() // the queued ones run too
	if most.Load() > 3 {
		t.Errorf("%d jobs ran at once, want at most 3", most.Load())
	}
	// The workers go once the queue is empty; the pool takes work again.
	done := make(chan struct{})
	if !p.submit(func() { close(done) }) {
		t.Fatal("an idle pool refused a job")
	}
	<-done
}

// afterAck returns once its work is done, runs it in the caller when the
// pool is full, and raises the work's panic in the handler.
func TestAfterAckWaitsAndRaisesPanics(t *testing.T) {
	b := &Bot{afterAckPool: &afterAckPool{max: 1, maxWait: 0}}
	ctx := context.Background()
	release := make(chan struct{})
	busy := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		b.afterAck(ctx, func(context.Context) { close(busy); <-release })
	})
	<-busy
	ran := false
	b.afterAck(ctx, func(context.Context) { ran = true }) // pool full: runs here
	if !ran {
		t.Fatal("afterAck returned before its work ran")
	}
	close(release)
	wg.Wait()

	defer func() {
		if p := recover(); p != "boom" {
			t.Fatalf("recovered %v, want the work's panic", p)
		}
	}()
	b.afterAck(ctx, func(context.Context) { panic("boom") })
	t.Fatal("afterAck returned after its work panicked")
}
