// Package metrics holds caseconf's Prometheus metrics. Each Main builds its
// own registry, so tests that start several servers in one process do not
// collide.
package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/caseconf/caseconf"
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
	// SocketConnected is 1 while the Socket Mode connection is open, 0
	// otherwise (and without Socket Mode).
	SocketConnected prometheus.Gauge
	// Slack is what the Web API calls through Transport say of Slack's
	// reachability.
	Slack *SlackReach

	buildInfo *prometheus.GaugeVec
}

// The label values every series is created with at start (at zero), so
// that /metrics lists each documented series before any traffic.
var (
	// DeliveryKinds are the kinds of Slack delivery (bot.KindCommand and
	// its siblings).
	DeliveryKinds = []string{"slash_command", "interactive", "event"}
	// DeliveryOutcomes are what became of a delivery.
	DeliveryOutcomes = []string{"handled", "ignored", "panic", "rejected", "unauthorized"}
	// OutboxResults are what became of one attempt to send an outbox message.
	OutboxResults = []string{"sent", "retried", "failed"}
	// SlackCallResults are the results a Web API call is counted under
	// from the start (http_NNN appear as they happen).
	SlackCallResults = []string{"ok", "error", "network"}
	// SlackMethods are the Web API methods the bot calls; others appear
	// as they are called.
	SlackMethods = []string{"auth.test", "apps.connections.open", "chat.postMessage", "chat.update", "chat.delete",
		"conversations.open", "users.info", "views.open", "views.update", "views.publish",
		"files.getUploadURLExternal", "files.completeUploadExternal", "files.delete", "response_url"}
)

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
	m.SocketConnected = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "caseconf_slack_socket_connected",
		Help: "1 while the Socket Mode connection to Slack is open; 0 while it is not (and without Socket Mode).",
	})
	m.buildInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "caseconf_build_info",
		Help: "Always 1; its labels name the running build: version, VCS revision (\"\" when unknown), and the Go version it was built with.",
	}, []string{"version", "revision", "go_version"})
	m.Slack = &SlackReach{}
	reachable := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "caseconf_slack_api_reachable",
		Help: "1 when the latest Slack Web API call got an answer from Slack (an error Slack sends counts); 0 when it failed on the network or with HTTP 5xx, or none has been made.",
	}, func() float64 {
		if st := m.Slack.State(); st.Reached && st.FailingSince.IsZero() {
			return 1
		}
		return 0
	})
	for _, k := range DeliveryKinds {
		for _, o := range DeliveryOutcomes {
			m.Deliveries.WithLabelValues(k, o)
		}
		m.AckLatency.WithLabelValues(k)
	}
	for _, meth := range SlackMethods {
		for _, res := range SlackCallResults {
			m.SlackCalls.WithLabelValues(meth, res)
		}
	}
	for _, k := range caseconf.MessageKinds() {
		for _, res := range OutboxResults {
			m.Outbox.WithLabelValues(string(k), res)
		}
	}
	r.MustRegister(m.Deliveries, m.AckLatency, m.SlackCalls, m.Outbox, m.SocketConnected, m.buildInfo, reachable,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// SetBuildInfo sets caseconf_build_info for this build.
func (m *Metrics) SetBuildInfo(version, revision string) {
	m.buildInfo.Reset()
	m.buildInfo.WithLabelValues(version, revision, runtime.Version()).Set(1)
}

// SlackReach follows whether Slack answers the Web API calls made through
// Transport: whether it has ever answered, and since when the latest
// calls have failed (on the network, or with HTTP 5xx).
type SlackReach struct {
	mu      sync.Mutex
	reached bool
	since   time.Time // when the calls started failing; zero while they succeed
	lastErr string
}

// SlackState is SlackReach at one moment.
type SlackState struct {
	Reached      bool      // Slack has answered at least one call
	FailingSince time.Time // the latest call failed, and so has every one since this; zero otherwise
	LastErr      string    // why the latest failed call failed (no URL, no token)
}

// State reports what the calls so far say.
func (s *SlackReach) State() SlackState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SlackState{Reached: s.reached, FailingSince: s.since, LastErr: s.lastErr}
}

func (s *SlackReach) answered() {
	s.mu.Lock()
	s.reached, s.since, s.lastErr = true, time.Time{}, ""
	s.mu.Unlock()
}

func (s *SlackReach) failed(reason string) {
	s.mu.Lock()
	if s.since.IsZero() {
		s.since = time.Now()
	}
	s.lastErr = reason
	s.mu.Unlock()
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
	return roundTripper{base: base, calls: m.SlackCalls, reach: m.Slack}
}

type roundTripper struct {
	base  http.RoundTripper
	calls *prometheus.CounterVec
	reach *SlackReach
}

// maxBody bounds the answer the transport reads to look at its "ok".
const maxBody = 8 << 20

// readBody reads an answer's body (at most maxBody), in one allocation of
// its size when Slack says the size, as it does.
func readBody(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n >= 0 && n <= maxBody {
		body := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, body); err != nil {
			return body, err
		}
		return body, nil
	}
	return io.ReadAll(io.LimitReader(resp.Body, maxBody))
}

func (rt roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	method := apiMethod(req.URL.Path)
	resp, err := rt.base.RoundTrip(req)
	if err != nil {
		rt.calls.WithLabelValues(method, "network").Inc()
		if req.Context().Err() == nil { // not a caller giving up
			rt.reach.failed(networkReason(err))
		}
		return nil, err
	}
	if resp.StatusCode >= 500 {
		rt.reach.failed("HTTP " + strconv.Itoa(resp.StatusCode) + " from " + method)
	} else {
		rt.reach.answered()
	}
	if resp.StatusCode != http.StatusOK {
		rt.calls.WithLabelValues(method, "http_"+strconv.Itoa(resp.StatusCode)).Inc()
		return resp, nil
	}
	body, err := readBody(resp)
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

// networkReason is err without the URL it was for (a response_url carries
// a secret in its path).
func networkReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
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
