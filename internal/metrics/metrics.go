// Package metrics holds caseconf's Prometheus metrics. Each Main builds its
// own registry, so tests that start several servers in one process do not
// collide.
package metrics

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the set of instruments the bot and the reminder sweep update.
type Metrics struct {
	Registry *prometheus.Registry

	// Deliveries counts Slack deliveries by kind (slash_command,
	// interactive, event) and outcome (handled, ignored, panic, rejected,
	// unauthorized).
	Deliveries *prometheus.CounterVec
	// AckLatency observes the time from receiving a delivery to sending its
	// acknowledgement, by kind.
	AckLatency *prometheus.HistogramVec
	// SlackCalls counts Web API calls by method and result (ok, the Slack
	// error code class "error", http_NNN, network).
	SlackCalls *prometheus.CounterVec
	// Outbox counts outbox messages by kind and result (sent, retried,
	// failed).
	Outbox *prometheus.CounterVec
}

// New registers every instrument on a fresh registry, with the Go runtime
// and process collectors.
func New() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		Deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caseconf_slack_deliveries_total",
			Help: "Slack deliveries received, by kind and outcome.",
		}, []string{"kind", "outcome"}),
		AckLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "caseconf_slack_ack_seconds",
			Help:    "Time from receiving a Slack delivery to acknowledging it.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"kind"}),
		SlackCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caseconf_slack_api_calls_total",
			Help: "Slack Web API calls, by method and result.",
		}, []string{"method", "result"}),
		Outbox: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "caseconf_outbox_messages_total",
			Help: "Outbox messages by kind and result: sent, retried (Slack refused or timed out; tried again), failed (given up).",
		}, []string{"kind", "result"}),
	}
	r.MustRegister(m.Deliveries, m.AckLatency, m.SlackCalls, m.Outbox,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{})
}

// Transport wraps base so that every Slack Web API call through it is
// counted by method and result. Bodies are read only for Slack's "ok" flag;
// nothing from them is kept.
func (m *Metrics) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return roundTripper{base: base, calls: m.SlackCalls}
}

type roundTripper struct {
	base  http.RoundTripper
	calls *prometheus.CounterVec
}

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	method := apiMethod(req.URL.Path)
	resp, err := rt.base.RoundTrip(req)
	if err != nil {
		rt.calls.WithLabelValues(method, "network").Inc()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		rt.calls.WithLabelValues(method, "http_"+strconv.Itoa(resp.StatusCode)).Inc()
		return resp, nil
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		rt.calls.WithLabelValues(method, "network").Inc()
		return resp, nil
	}
	var ok struct {
		OK *bool `json:"ok"`
	}
	result := "ok"
	if json.Unmarshal(body, &ok) == nil && ok.OK != nil && !*ok.OK {
		result = "error"
	}
	rt.calls.WithLabelValues(method, result).Inc()
	return resp, nil
}

// apiMethod names a call by its Web API method ("chat.postMessage"), or
// "response_url" for anything that is not under an /api/ path.
func apiMethod(path string) string {
	i := strings.LastIndex(path, "/api/")
	if i < 0 {
		return "response_url"
	}
	return path[i+len("/api/"):]
}
