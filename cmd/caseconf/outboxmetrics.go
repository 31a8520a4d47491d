package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/caseconf/caseconf/store"
)

// outboxCollector reports the outbox as it stands at each scrape: how many
// messages of each kind are in each state, and how long the oldest
// pending one has been due. A database that does not answer within a
// second leaves these out of that scrape rather than holding /metrics.
type outboxCollector struct {
	db      *store.DB
	now     func() time.Time
	count   *prometheus.Desc
	oldest  *prometheus.Desc
	timeout time.Duration
}

func newOutboxCollector(db *store.DB) *outboxCollector {
	return &outboxCollector{
		db: db, now: time.Now, timeout: time.Second,
		count: prometheus.NewDesc("caseconf_outbox_queue_messages",
			"Outbox messages (invitations, summaries, notices, reminders) waiting to be sent or given up, by kind and state: pending (due or not yet), in_flight, failed.",
			[]string{"kind", "state"}, nil),
		oldest: prometheus.NewDesc("caseconf_outbox_oldest_pending_seconds",
			"How long the oldest pending outbox message has been due (0 when none is).", nil, nil),
	}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.count
	ch <- c.oldest
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	type result struct {
		stats  []store.OutboxStat
		oldest time.Time
		err    error
	}
	done := make(chan result, 1)
	go func() {
		stats, oldest, err := c.db.OutboxStats(ctx)
		done <- result{stats, oldest, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		return
	}
	if r.err != nil {
		return
	}
	for _, s := range r.stats {
		ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(s.Count), s.Kind, s.State)
	}
	age := 0.0
	if !r.oldest.IsZero() {
		age = max(c.now().Sub(r.oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age)
}
