package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// outboxStates are the states caseconf_outbox_queue_messages counts.
var outboxStates = []string{"pending", "in_flight", "failed"}

// outboxCollector reports the outbox as it stands at each scrape: how many
// messages of each kind are in each state (every kind and state, zero
// included), and how long the oldest pending one has been due; and
// whether the database answered. A database that does not answer within a
// second leaves the outbox out of that scrape, and caseconf_database_up 0,
// rather than holding /metrics.
type outboxCollector struct {
	db      func() *store.DB // nil until serve has reached the database
	now     func() time.Time
	count   *prometheus.Desc
	oldest  *prometheus.Desc
	up      *prometheus.Desc
	timeout time.Duration
}

func newOutboxCollector(db func() *store.DB) *outboxCollector {
	return &outboxCollector{
		db: db, now: time.Now, timeout: time.Second,
		count: prometheus.NewDesc("caseconf_outbox_queue_messages",
			"Outbox messages (invitations, summaries, notices, reminders) waiting to be sent or given up, by kind and state: pending (due or not yet), in_flight, failed.",
			[]string{"kind", "state"}, nil),
		oldest: prometheus.NewDesc("caseconf_outbox_oldest_pending_seconds",
			"How long the oldest pending outbox message has been due (0 when none is).", nil, nil),
		up: prometheus.NewDesc("caseconf_database_up",
			"1 when the database answered this scrape's outbox query within a second; 0 when it did not, or has not been reached since start-up.", nil, nil),
	}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.count
	ch <- c.oldest
	ch <- c.up
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	db := c.db()
	if db == nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	type result struct {
		stats  []store.OutboxStat
		oldest time.Time
		err    error
	}
	done := make(chan result, 1)
	go func() {
		stats, oldest, err := db.OutboxStats(ctx)
		done <- result{stats, oldest, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		r.err = ctx.Err()
	}
	if r.err != nil {
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 1)
	counts := map[[2]string]int64{}
	for _, s := range r.stats {
		counts[[2]string{s.Kind, s.State}] += s.Count
	}
	kinds := caseconf.MessageKinds()
	for _, k := range kinds {
		for _, st := range outboxStates {
			key := [2]string{string(k), st}
			ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(counts[key]), key[0], key[1])
			delete(counts, key)
		}
	}
	for key, n := range counts { // a kind or state this build does not list
		ch <- prometheus.MustNewConstMetric(c.count, prometheus.GaugeValue, float64(n), key[0], key[1])
	}
	age := 0.0
	if !r.oldest.IsZero() {
		age = max(c.now().Sub(r.oldest).Seconds(), 0)
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age)
}
