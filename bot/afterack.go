package bot

import (
	"context"
	"runtime"
	"sync"
)

// Work a handler does after its ack (opening a modal, say) runs in a small
// bounded pool rather than on the handler's own goroutine, so that a burst
// of deliveries cannot crowd out the acks behind it: at most
// afterAckPerCPU × GOMAXPROCS jobs run at once, and up to afterAckQueueLen
// wait. When the queue is full the handler runs the job itself: nothing is
// dropped.
//
// The handler waits for its job (a goroutine waiting costs no CPU), so a
// delivery is in flight until its work after the ack is done, and Drain
// (a graceful stop) waits for queued work as it waits for handlers.

// afterAckPerCPU is how many workers the pool has per GOMAXPROCS.
const afterAckPerCPU = 4

// afterAckQueueLen is how many jobs may wait for a worker.
const afterAckQueueLen = 256

// afterAckPool runs jobs on up to max goroutines, started when there is
// work and gone when there is none.
type afterAckPool struct {
	mu      sync.Mutex
	max     int // workers at most
	maxWait int // jobs waiting at most
	running int
	queue   []func()
}

func newAfterAckPool() *afterAckPool {
	return &afterAckPool{max: afterAckPerCPU * runtime.GOMAXPROCS(0), maxWait: afterAckQueueLen}
}

// submit runs job on a worker, or queues it for one, and reports true; it
// reports false, having done nothing, when the queue is full.
func (p *afterAckPool) submit(job func()) bool {
	p.mu.Lock()
	switch {
	case p.running < p.max:
		p.running++
		p.mu.Unlock()
		go p.work(job)
		return true
	case len(p.queue) < p.maxWait:
		p.queue = append(p.queue, job)
		p.mu.Unlock()
		return true
	}
	p.mu.Unlock()
	return false
}

// work runs job, then whatever is queued, until the queue is empty.
func (p *afterAckPool) work(job func()) {
	for {
		job()
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.running--
			p.mu.Unlock()
			return
		}
		job = p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		if len(p.queue) == 0 {
			p.queue = nil // let the backing array go
		}
		p.mu.Unlock()
	}
}

// afterAck runs fn, work the handler of a delivery does after its ack, in
// the bot's pool (or itself when the pool's queue is full), and returns
// when fn has returned. The handler keeps its place among the deliveries
// in flight while it waits, so everything that counts a delivery as
// finished (Drain on a graceful stop, the deliveries metric) still counts
// its work after the ack, as when the handler did that work itself. A
// panic in fn is raised again in the handler, whose recovery reports it.
// fn must not call afterAck.
func (b *Bot) afterAck(ctx context.Context, fn func(ctx context.Context)) {
	done := make(chan struct{})
	var panicked any
	job := func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				panicked = p
			}
		}()
		fn(ctx)
	}
	if !b.afterAckPool.submit(job) {
		job()
	}
	<-done
	if panicked != nil {
		panic(panicked)
	}
}
