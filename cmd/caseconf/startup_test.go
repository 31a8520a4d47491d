package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/config"
	"github.com/caseconf/caseconf/internal/fakeslack"
	"github.com/caseconf/caseconf/internal/metrics"
	"github.com/caseconf/caseconf/internal/pgproxy"
	"github.com/caseconf/caseconf/internal/testdb"
)

// serve started while PostgreSQL is down does not exit: /healthz answers
// 503 saying the database has not been reached, and once PostgreSQL is up
// serve connects without a restart, /healthz turns 200 and commands are
// answered.
func TestServeWaitsForDatabaseAtStart(t *testing.T) {
	t.Parallel()
	dsn, proxy := behindStoppedProxy(t, testdb.New(t))

	fake := newFakeSlack(t)
	env := map[string]string{
		"DATABASE_URL": dsn, "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_APP_TOKEN": "xapp-test-token",
		"SLACK_SIGNING_SECRET": testSigningSecret, "SLACK_API_URL": fake.APIURL(), "HTTP_ADDR": "127.0.0.1:0",
		"DATABASE_MAX_CONNS": "6",
	}
	cfg := config.Read(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err := cfg.Validate(config.NeedServe); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	m := NewMain(cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	m.Now = func() time.Time { return testNow }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- m.Run(ctx) }()
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("serve did not shut down cleanly: %v", err)
		}
	})
	select {
	case <-m.Listening():
	case err := <-ran:
		t.Fatalf("serve stopped with the database down: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start listening")
	}
	a := &app{t: t, slack: fake, main: m, logs: logs, base: "http://" + m.Addr()}

	down := a.waitHealth(http.StatusServiceUnavailable, "database not reached yet (attempt ", 15*time.Second)
	if _, body := a.get("/healthz"); !strings.Contains(body, "retrying") || strings.Contains(body, "Slack") {
		t.Errorf("/healthz while the database is down = %q; want why, that it is retrying, and nothing else", body)
	}
	if v := a.metric("caseconf_database_up"); v != 0 {
		t.Errorf("caseconf_database_up = %v while the database is down", v)
	}
	if code, _ := a.postSigned("/slack/commands", a.commandForm("U0CM", "help"), testSigningSecret, time.Now(), nil); code != http.StatusServiceUnavailable {
		t.Errorf("an HTTP-mode command before the database is reached = %d, want 503", code)
	}
	// Several attempts have failed (so the back-off is in play) before
	// PostgreSQL comes back.
	for !strings.Contains(logs.String(), `"attempt":2`) {
		select {
		case err := <-ran:
			t.Fatalf("serve stopped with the database down: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}

	proxy.Resume()
	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("serve did not start once the database was up: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve had not connected 30s after the database came up")
	}
	up := a.waitHealth(http.StatusOK, "ok", 15*time.Second)
	t.Logf("/healthz 503 → 200 after %v", up.Sub(down).Round(time.Millisecond))
	if err := fake.WaitConnected(ctxFor(t)); err != nil {
		t.Fatalf("no Socket Mode connection once started: %v", err)
	}
	if r := decodeReply(t, a.command("U0CM", "list").Payload); !strings.Contains(r.Text, "no upcoming") {
		t.Fatalf("list once the database is up = %q", r.Text)
	}
	if v := a.metric("caseconf_database_up"); v != 1 {
		t.Errorf("caseconf_database_up = %v once connected", v)
	}
	if !strings.Contains(logs.String(), "database unavailable at start-up; retrying") || !strings.Contains(logs.String(), "database reached") {
		t.Errorf("logs do not tell of the wait for the database:\n%s", logs)
	}
}

// A database that refuses the login is a configuration mistake: serve
// stops at once, naming it, instead of retrying for ever.
func TestServeStopsOnRefusedLogin(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(testdb.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/caseconf_no_such_database"
	code, _, stderr := runCLI(t, map[string]string{
		"DATABASE_URL": u.String(), "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
		"HTTP_ADDR": "127.0.0.1:0", "SLACK_API_URL": "http://127.0.0.1:1/api/", "LOG_FORMAT": "text",
	}, "serve")
	if code == 0 || !strings.Contains(stderr, "caseconf_no_such_database") && !strings.Contains(stderr, "does not exist") {
		t.Fatalf("serve against a database that does not exist: code %d, stderr %q", code, stderr)
	}
}

// /healthz is 503 until Slack has answered once; in HTTP mode it follows
// the Web API calls: 503 once they have kept failing past the threshold,
// 200 again when Slack answers (serve asks it, with no traffic needed).
func TestHealthzFollowsSlackInHTTPMode(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	fake.FailEvery("auth.test", fakeslack.Failure{Status: http.StatusBadGateway})
	const threshold = 2 * time.Second
	a := startAppOnSlack(t, fake, testdb.New(t), map[string]string{"SLACK_APP_TOKEN": ""}, func(m *Main) {
		m.SocketDownAfter = threshold
		m.SlackProbeEvery = 200 * time.Millisecond
	})
	a.waitHealth(http.StatusServiceUnavailable, "Slack not reached yet (last error: HTTP 502", 5*time.Second)
	if v := a.metric("caseconf_slack_api_reachable"); v != 0 {
		t.Errorf("caseconf_slack_api_reachable = %v before Slack answered", v)
	}

	fake.Recover("auth.test")
	a.waitHealth(http.StatusOK, "ok", 10*time.Second)
	if v := a.metric("caseconf_slack_api_reachable"); v != 1 {
		t.Errorf("caseconf_slack_api_reachable = %v once Slack answered", v)
	}

	// Slack goes away: every call fails, probes included.
	for _, method := range metrics.SlackMethods {
		fake.FailEvery(method, fakeslack.Failure{Status: http.StatusServiceUnavailable})
	}
	if code, _ := a.postSigned("/slack/commands", a.commandForm("U0CM", "new"), testSigningSecret, time.Now(), nil); code != http.StatusOK {
		t.Fatalf("/caseconf new over HTTP = %d", code)
	}
	failed := time.Now()
	a.waitHandled("slash_command", 1)
	if code, body := a.get("/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz right after one failed call = %d %q; a blip must not count", code, body)
	}
	unhealthy := a.waitHealth(http.StatusServiceUnavailable, "Slack Web API not answering", threshold+10*time.Second)
	if d := unhealthy.Sub(failed); d < threshold-500*time.Millisecond {
		t.Fatalf("/healthz turned 503 %v after the first failure, before the %v threshold", d, threshold)
	}
	for _, method := range metrics.SlackMethods {
		fake.Recover(method)
	}
	a.waitHealth(http.StatusOK, "ok", 10*time.Second)
}

// behindStoppedProxy is database dsn reached through a proxy that acts
// as a stopped PostgreSQL server until proxy.Resume.
func behindStoppedProxy(t *testing.T, dsn string) (string, *pgproxy.Proxy) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := pgproxy.New(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	proxy.Down()
	u.Host = proxy.Addr()
	return u.String(), proxy
}
