package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseconf/caseconf/bot"
	"github.com/caseconf/caseconf/internal/config"
	"github.com/caseconf/caseconf/internal/fakeslack"
	"github.com/caseconf/caseconf/internal/testdb"
)

func TestServeStarts(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)

	t.Run("HealthzSaysOK", func(t *testing.T) {
		code, body := a.get("/healthz")
		if code != http.StatusOK || strings.TrimSpace(body) != "ok" {
			t.Fatalf("GET /healthz = %d %q, want 200 ok", code, body)
		}
	})
	t.Run("CheckedTheBotToken", func(t *testing.T) {
		calls := a.slack.CallsTo("auth.test")
		if len(calls) != 1 || calls[0].Token != "xoxb-test-token" {
			t.Fatalf("auth.test calls = %+v, want one with the bot token", calls)
		}
	})
	t.Run("SocketModeFollowsSLACK_API_URL", func(t *testing.T) {
		calls := a.slack.CallsTo("apps.connections.open")
		if len(calls) == 0 || calls[0].Token != "xapp-test-token" {
			t.Fatalf("apps.connections.open calls = %+v, want one with the app token", calls)
		}
	})
	t.Run("MetricsServed", func(t *testing.T) {
		code, body := a.get("/metrics")
		if code != http.StatusOK || !strings.Contains(body, `caseconf_slack_api_calls_total{method="auth.test",result="ok"} 1`) {
			t.Fatalf("GET /metrics = %d, body lacks the auth.test call count:\n%s", code, body)
		}
	})
}

func TestHealthzWhenDatabaseGone(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	u, err := url.Parse(a.dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", testdb.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`DROP DATABASE ` + strings.TrimPrefix(u.Path, "/") + ` WITH (FORCE)`); err != nil {
		t.Fatal(err)
	}
	if code, body := a.get("/healthz"); code != http.StatusServiceUnavailable {
		t.Fatalf("GET /healthz with the database gone = %d %q, want 503", code, body)
	}
}

func TestServeRefusesStaleSchema(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	env := map[string]string{
		"DATABASE_URL": testdb.NewEmpty(t), "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
		"SLACK_API_URL": fake.APIURL(), "HTTP_ADDR": "127.0.0.1:0",
	}
	code, _, stderr := runCLI(t, env, "serve")
	if code == 0 || !strings.Contains(stderr, "run `caseconf migrate`") {
		t.Fatalf("serve on an unmigrated database: code %d, stderr %q", code, stderr)
	}
}

func TestServeRefusesTokenSlackRejects(t *testing.T) {
	t.Parallel()
	fake := newFakeSlack(t)
	fake.FailNext("auth.test", fakeslack.Failure{Error: "invalid_auth"})
	env := map[string]string{
		"DATABASE_URL": testdb.New(t), "SLACK_BOT_TOKEN": "xoxb-revoked", "SLACK_APP_TOKEN": "xapp-1",
		"SLACK_API_URL": fake.APIURL(), "HTTP_ADDR": "127.0.0.1:0",
	}
	code, _, stderr := runCLI(t, env, "serve")
	assertOneLineNaming(t, code, stderr, "SLACK_BOT_TOKEN")
	if !strings.Contains(stderr, "invalid_auth") {
		t.Fatalf("stderr %q does not say what Slack answered", stderr)
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)

	checkHelp := func(t *testing.T, r reply) {
		t.Helper()
		if r.ResponseType != "ephemeral" {
			t.Errorf("response_type = %q, want ephemeral (nothing posted to the channel)", r.ResponseType)
		}
		if !strings.Contains(r.Text, "`/caseconf help`") {
			t.Errorf("help text lacks the help line:\n%s", r.Text)
		}
		if len(r.Blocks) == 0 {
			t.Error("help has no blocks")
		}
	}

	t.Run("OverSocketMode", func(t *testing.T) {
		ack := a.command("U0ALICE", "help")
		checkHelp(t, decodeReply(t, ack.Payload))
	})
	t.Run("NoTextMeansHelp", func(t *testing.T) {
		checkHelp(t, decodeReply(t, a.command("U0ALICE", "").Payload))
	})
	t.Run("UnknownSubcommandAnswersWithHelpWithoutEchoing", func(t *testing.T) {
		r := decodeReply(t, a.command("U0ALICE", "frobnicate Jane Smith").Payload)
		checkHelp(t, r)
		if !strings.Contains(r.Text, "don't know that command") || strings.Contains(r.Text, "Jane") {
			t.Errorf("unknown command reply = %q", r.Text)
		}
	})
	t.Run("OverSignedHTTP", func(t *testing.T) {
		code, body := a.postSigned("/slack/commands", a.commandForm("U0ALICE", "help"), testSigningSecret, time.Now(), nil)
		if code != http.StatusOK {
			t.Fatalf("POST /slack/commands = %d %q", code, body)
		}
		checkHelp(t, decodeReply(t, []byte(body)))
	})
	t.Run("PostsNothingToChannels", func(t *testing.T) {
		before := a.metric(`caseconf_slack_deliveries_total{kind="slash_command",outcome="handled"}`)
		checkHelp(t, decodeReply(t, a.command("U0ALICE", "help").Payload))
		a.waitHandled("slash_command", before+1)
		if calls := a.webCalls(); len(calls) != 0 {
			t.Fatalf("help made Web API calls %v; it should answer in the ack only", calls)
		}
	})
	t.Run("AckLatencyObserved", func(t *testing.T) {
		// Observed before the ack is written: whoever has the ack finds
		// it counted, with no waiting.
		before := a.metric(`caseconf_slack_ack_seconds_count{kind="slash_command"}`)
		a.command("U0ALICE", "help")
		if n := a.metric(`caseconf_slack_ack_seconds_count{kind="slash_command"}`); n != before+1 {
			t.Fatalf("ack latency observations = %v after one more help, want %v", n, before+1)
		}
	})
}

func TestSignatureChecks(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"SLACK_APP_TOKEN": ""}) // HTTP mode only
	form := a.commandForm("U0ALICE", "help")

	cases := []struct {
		name   string
		secret string
		ts     time.Time
		hdrs   map[string]string
	}{
		{"WrongSecret", "not-the-secret", time.Now(), nil},
		{"StaleTimestamp", testSigningSecret, time.Now().Add(-6 * time.Minute), nil},
		{"FutureTimestamp", testSigningSecret, time.Now().Add(6 * time.Minute), nil},
		{"MangledSignature", testSigningSecret, time.Now(), map[string]string{"X-Slack-Signature": "v0=deadbeef"}},
		{"NoSignature", testSigningSecret, time.Now(), map[string]string{"X-Slack-Signature": ""}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/slack/commands", "/slack/interactions", "/slack/events"} {
				code, _ := a.postSigned(path, form, tc.secret, tc.ts, tc.hdrs)
				if code != http.StatusUnauthorized {
					t.Errorf("POST %s = %d, want 401", path, code)
				}
			}
		})
	}
	t.Run("NothingRecordedOrSent", func(t *testing.T) {
		if n := a.count(`SELECT count(*) FROM audit_log`); n != 0 {
			t.Errorf("%d audit rows written from unsigned requests", n)
		}
		if calls := a.webCalls(); len(calls) != 0 {
			t.Errorf("unsigned requests caused Web API calls: %v", calls)
		}
		if n := a.metric(`caseconf_slack_deliveries_total{kind="slash_command",outcome="unauthorized"}`); n != 5 {
			t.Errorf("unauthorized slash commands counted = %v, want 5", n)
		}
	})
	t.Run("BodyTamperedAfterSigning", func(t *testing.T) {
		ts, sig := fakeslack.Sign(testSigningSecret, time.Now(), []byte(form))
		req, _ := http.NewRequest(http.MethodPost, a.base+"/slack/commands", strings.NewReader(form+"&text=cancel+CC-0001"))
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("tampered body = %d, want 401", resp.StatusCode)
		}
	})
	t.Run("URLVerification", func(t *testing.T) {
		body := `{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
		code, got := a.postSigned("/slack/events", body, testSigningSecret, time.Now(), nil)
		if code != http.StatusOK || got != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
			t.Fatalf("url_verification = %d %q", code, got)
		}
	})
}

// TestRetriedEventsAcknowledgedAtOnce: of what the bot receives, Slack
// retries only Events API deliveries (event_id; retry_attempt over Socket
// Mode, X-Slack-Retry-Num over HTTP). Each delivery, first or retried, is
// acknowledged before any handler runs; app_home_opened for someone with
// nothing on their Home publishes the empty tab and writes nothing.
func TestRetriedEventsAcknowledgedAtOnce(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	ev := map[string]any{
		"token": "x", "team_id": fakeslack.TeamID, "api_app_id": fakeslack.AppID, "type": "event_callback",
		"event_id": "Ev0TEST0001", "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "app_home_opened", "user": "U0ALICE", "channel": "D0ALICE", "tab": "home"},
	}
	for retry := range 3 {
		ack := a.send(fakeslack.Envelope{Type: fakeslack.TypeEventsAPI, Payload: ev, RetryAttempt: retry, RetryReason: "timeout"})
		if len(ack.Payload) != 0 && string(ack.Payload) != "null" {
			t.Fatalf("event ack carried %s, want an empty ack", ack.Payload)
		}
	}
	body, _ := json.Marshal(ev)
	code, got := a.postSigned("/slack/events", string(body), testSigningSecret, time.Now(),
		map[string]string{"Content-Type": "application/json", "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
	if code != http.StatusOK || strings.TrimSpace(got) != "" {
		t.Fatalf("retried event over HTTP = %d %q, want an empty 200 so Slack stops retrying", code, got)
	}
	a.eventually("four event deliveries to be counted", func() bool {
		n := 0.0
		for _, o := range []string{"handled", "ignored"} {
			n += a.metric(`caseconf_slack_deliveries_total{kind="event",outcome="` + o + `"}`)
		}
		return n == 4
	})
	for _, c := range a.webCalls() {
		if c.Method != "views.publish" {
			t.Errorf("app_home_opened caused a %s call", c.Method)
		}
	}
	if n := a.count(`SELECT count(*) FROM audit_log`); n != 0 {
		t.Errorf("an empty Home wrote %d audit rows", n)
	}
}

func TestHandlerPanicDoesNotStopTheBot(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.main.Bot.HandleCommand("boom", "", "panics (test only)", func(ctx context.Context, r *bot.Request, _ []string) {
		var m map[string]string
		m["client"] = "Jane Smith" // nil map write: a runtime panic
	})
	a.main.Bot.HandleCommand("boom2", "", "panics with user text (test only)", func(ctx context.Context, r *bot.Request, _ []string) {
		panic("client Jane Smith of 4 Acacia Avenue")
	})

	for _, name := range []string{"boom", "boom2"} {
		r := decodeReply(t, a.command("U0ALICE", name).Payload)
		if !strings.Contains(r.Text, "something went wrong") || r.ResponseType != "ephemeral" {
			t.Fatalf("%s: user was told %q, want an ephemeral apology", name, r.Text)
		}
	}
	if r := decodeReply(t, a.command("U0ALICE", "help").Payload); !strings.Contains(r.Text, "/caseconf help") {
		t.Fatalf("after a panic, help answered %q", r.Text)
	}
	logs := a.logs.String()
	if strings.Count(logs, "handler panicked") != 2 {
		t.Errorf("want two logged panics, logs:\n%s", logs)
	}
	if !strings.Contains(logs, "assignment to entry in nil map") {
		t.Errorf("the runtime panic's message is not in the log")
	}
	if strings.Contains(logs, "Acacia") || strings.Contains(logs, "Jane") {
		t.Errorf("a panic value carrying user text reached the log:\n%s", logs)
	}
	if n := a.metric(`caseconf_slack_deliveries_total{kind="slash_command",outcome="panic"}`); n != 2 {
		t.Errorf("panics counted = %v, want 2", n)
	}
}

func TestGracefulShutdownFinishesInFlightWork(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	started := make(chan struct{})
	release := make(chan struct{})
	var finished sync.WaitGroup
	finished.Add(1)
	a.main.Bot.HandleCommand("slow", "", "acks, then works slowly (test only)", func(ctx context.Context, r *bot.Request, _ []string) {
		defer finished.Done()
		r.Reply(ctx, "working on it")
		close(started)
		<-release
		r.Reply(ctx, "done")
	})
	ack := a.command("U0ALICE", "slow")
	if decodeReply(t, ack.Payload).Text != "working on it" {
		t.Fatalf("ack = %s", ack.Payload)
	}
	<-started

	closed := make(chan error, 1)
	go func() { closed <- a.main.Close() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a handler was still running", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-closed; err != nil {
		t.Fatalf("Close = %v", err)
	}
	finished.Wait()
	calls := a.slack.CallsTo(fakeslack.MethodResponseURL)
	if len(calls) != 1 || !strings.Contains(string(calls[0].Body), `"done"`) {
		t.Fatalf("the in-flight handler's follow-up did not reach Slack: %+v", calls)
	}
	if err := a.main.DB.Ping(context.Background()); err == nil {
		t.Error("database pool still open after Close")
	}
}

func TestInvalidAppTokenStopsServe(t *testing.T) {
	t.Parallel()
	for _, refusal := range []string{"invalid_auth", "not_authed", "token_revoked"} {
		t.Run(refusal, func(t *testing.T) {
			t.Parallel()
			fake := newFakeSlack(t)
			fake.FailNext("apps.connections.open", fakeslack.Failure{Error: refusal})
			cfg := config.Read(func(k string) (string, bool) {
				v, ok := map[string]string{
					"DATABASE_URL": testdb.New(t), "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-revoked",
					"SLACK_API_URL": fake.APIURL(), "HTTP_ADDR": "127.0.0.1:0",
				}[k]
				return v, ok
			})
			m := NewMain(cfg, discardLogger())
			if err := m.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			select {
			case err := <-m.Failed():
				if err == nil || !strings.Contains(err.Error(), refusal) || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
					t.Fatalf("Failed() = %v, want the %s refusal naming SLACK_APP_TOKEN", err, refusal)
				}
				if strings.Contains(err.Error(), "xapp-revoked") {
					t.Fatalf("Failed() = %v prints the token", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("serve kept running with an app token Slack refused")
			}
		})
	}
}
