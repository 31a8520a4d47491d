package main

import (
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// documentedMetrics reads the metric names docs/operations-database.md
// lists under its Metrics heading.
func documentedMetrics(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/operations-database.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## Metrics")
	if !ok {
		t.Fatal("docs/operations-database.md has no Metrics section")
	}
	section, _, _ = strings.Cut(section, "### What to alert on")
	var names []string
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile("`(caseconf_[a-z_]+)").FindAllStringSubmatch(section, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			names = append(names, m[1])
		}
	}
	return names
}

// Right after start-up, before any traffic, /metrics lists every series
// the operations guide documents, at zero where nothing has happened,
// with the Socket Mode connection, the database and the build.
func TestMetricsListedFromStart(t *testing.T) {
	t.Parallel()
	names := documentedMetrics(t)
	if len(names) < 10 {
		t.Fatalf("the guide documents %d metrics: %v", len(names), names)
	}
	a := startApp(t, nil)
	_, body := a.get("/metrics")
	for _, name := range names {
		if !regexp.MustCompile(`(?m)^` + name + `(_bucket|_count|_sum)?[{ ]`).MatchString(body) {
			t.Errorf("/metrics right after start lacks %s", name)
		}
	}
	for series, want := range map[string]float64{
		`caseconf_slack_deliveries_total{kind="event",outcome="panic"}`:              0,
		`caseconf_slack_deliveries_total{kind="slash_command",outcome="handled"}`:    0,
		`caseconf_slack_ack_seconds_count{kind="interactive"}`:                       0,
		`caseconf_outbox_messages_total{kind="invitation",result="failed"}`:          0,
		`caseconf_outbox_messages_total{kind="consent_expiring",result="sent"}`:      0,
		`caseconf_outbox_queue_messages{kind="minutes",state="pending"}`:             0,
		`caseconf_slack_api_calls_total{method="chat.postMessage",result="network"}`: 0,
		`caseconf_database_up`:         1,
		`caseconf_slack_api_reachable`: 1,
		`caseconf_build_info{go_version="` + runtime.Version() + `",revision="` + thisBuild().Revision + `",version="` + thisBuild().Version + `"}`: 1,
	} {
		if !strings.Contains(body, series+" ") {
			t.Errorf("/metrics lacks %s", series)
			continue
		}
		if got := a.metric(series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	// The fake has seen the connection; the bot marks it as it reads
	// Slack's hello.
	deadline := time.Now().Add(5 * time.Second)
	for a.metric("caseconf_slack_socket_connected") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("caseconf_slack_socket_connected is not 1 with the socket open")
		}
		time.Sleep(50 * time.Millisecond)
	}
	a.slack.RefuseSocketMode()
	a.slack.DropConnections()
	for a.metric("caseconf_slack_socket_connected") != 0 {
		if time.Now().After(deadline.Add(10 * time.Second)) {
			t.Fatal("caseconf_slack_socket_connected is not 0 with the socket dropped")
		}
		time.Sleep(50 * time.Millisecond)
	}
	a.slack.AcceptSocketMode()
}
