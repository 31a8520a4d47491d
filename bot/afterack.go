package bot

import (
	"context"
	"runtime"
	"sync"
	"time"
)

// Work a handler does after its ack (opening a modal, say) runs in a small
// bounded pool rather than on the handler's own goroutine, so that a burst
// of deliveries cannot crowd out the acks behind it: at most
// afterAckWorkers jobs run at once, and up to afterAckQueue wait. When the
// queue is full the handler runs the job itself: nothing is dropped.
//
// A job counts as a delivery in flight until it has run, so Drain (a
// graceful stop) waits for queued work as it waits for handlers.

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

// afterAck runs fn after the handler of r has acknowledged it, in the
// bot's pool, or in the caller when the pool's queue is full. fn gets a
// context with the handler's deadline that is not cancelled when the
// handler returns (only when the bot stops working, as a handler's is). A
// panic in fn is recovered and reported as a handler's is. afterAck must
// be called from a running handler: the job holds the delivery's place
// among those in flight until it is done.
func (b *Bot) afterAck(ctx context.Context, r *Request, fn func(ctx context.Context)) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(handlerTimeout)
	}
	// The handler holds its own place in inflight, so the count is above
	// zero here and Add is safe alongside Drain's Wait.
	b.inflight.Add(1)
	job := func() {
		defer b.inflight.Done()
		jctx, cancel := context.WithDeadline(b.work, deadline)
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				b.recovered(jctx, r, p)
			}
		}()
		fn(jctx)
	}
	if !b.afterAckPool.submit(job) {
		job()
	}
}
