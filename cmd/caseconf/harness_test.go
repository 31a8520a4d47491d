package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/config"
	"github.com/caseconf/caseconf/internal/fakeslack"
	"github.com/caseconf/caseconf/internal/testdb"
)

// testNow is the server's clock in end-to-end tests: Monday 2 November
// 2026, 09:00 in London.
var testNow = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

const testSigningSecret = "8f742231b10e8888abcd99yyyzzz85a5"

// app is a real `caseconf serve` started in process on 127.0.0.1:0 against
// a fresh database and a fake Slack.
type app struct {
	t     testing.TB
	slack *fakeslack.Server
	main  *Main
	dsn   string
	logs  *syncBuffer
	base  string // http://127.0.0.1:PORT
}

// startApp starts serve with both transports on. extra overrides
// environment variables.
func startApp(t testing.TB, extra map[string]string) *app {
	t.Helper()
	return startAppWith(t, extra, nil)
}

// startAppWith is startApp with a chance to set up Main before it runs.
func startAppWith(t testing.TB, extra map[string]string, configure func(*Main)) *app {
	t.Helper()
	return startAppOn(t, testdb.New(t), extra, configure)
}

// startAppOn is startAppWith on the database at dsn, already migrated.
func startAppOn(t testing.TB, dsn string, extra map[string]string, configure func(*Main)) *app {
	t.Helper()
	return startAppOnSlack(t, newFakeSlack(t), dsn, extra, configure)
}

// startAppOnSlack is startAppOn against the fake Slack given, which the
// test may have scripted before serve starts.
func startAppOnSlack(t testing.TB, fake *fakeslack.Server, dsn string, extra map[string]string, configure func(*Main)) *app {
	t.Helper()
	env := map[string]string{
		"DATABASE_URL":         dsn,
		"SLACK_BOT_TOKEN":      "xoxb-test-token",
		"SLACK_APP_TOKEN":      "xapp-test-token",
		"SLACK_SIGNING_SECRET": testSigningSecret,
		"SLACK_API_URL":        fake.APIURL(),
		"HTTP_ADDR":            "127.0.0.1:0",
		"LOG_LEVEL":            "debug",
		// Ten servers run at once beside the other packages' tests: a
		// small pool each keeps them all within PostgreSQL's 100 connections.
		"DATABASE_MAX_CONNS": "6",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg := config.Read(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err := cfg.Validate(config.NeedServe); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	m := NewMain(cfg, slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	m.Now = func() time.Time { return testNow }
	if configure != nil {
		configure(m)
	}
	if err := m.Run(context.Background()); err != nil {
		m.Close()
		t.Fatalf("serve did not start: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("serve did not shut down cleanly: %v", err)
		}
	})
	a := &app{t: t, slack: fake, main: m, dsn: dsn, logs: logs, base: "http://" + m.Addr()}
	if env["SLACK_APP_TOKEN"] != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := fake.WaitConnected(ctx); err != nil {
			t.Fatalf("serve did not connect over Socket Mode: %v", err)
		}
	}
	return a
}

// newFakeSlack starts a fake Slack for t. When t ends (after the server
// under test has stopped: cleanups run last first) it fails t if the fake
// refused anything it was sent, as real Slack would have.
func newFakeSlack(t testing.TB) *fakeslack.Server {
	fake := fakeslack.New()
	t.Cleanup(fake.Close)
	t.Cleanup(func() {
		for _, r := range fake.Refusals() {
			t.Errorf("Slack would refuse this: %s", r)
		}
	})
	return fake
}

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// command sends "/caseconf text" from user over Socket Mode and returns the
// ack Slack got back.
func (a *app) command(user, text string) fakeslack.Ack {
	a.t.Helper()
	return a.send(fakeslack.Envelope{Type: fakeslack.TypeSlashCommands, Payload: a.slack.NewSlashCommand(user, "C0CHANNEL", text)})
}

func (a *app) send(e fakeslack.Envelope) fakeslack.Ack {
	a.t.Helper()
	ctx := ctxFor(a.t)
	id, err := a.slack.Send(ctx, e)
	if err != nil {
		a.t.Fatalf("send envelope: %v", err)
	}
	ack, err := a.slack.WaitAck(ctx, id)
	if err != nil {
		a.t.Fatalf("no ack for envelope %s: %v", id, err)
	}
	return ack
}

// reply is a slash command's ephemeral answer.
type reply struct {
	ResponseType string            `json:"response_type"`
	Text         string            `json:"text"`
	Blocks       []json.RawMessage `json:"blocks"`
}

func decodeReply(t testing.TB, raw []byte) reply {
	t.Helper()
	var r reply
	if len(bytes.TrimSpace(raw)) == 0 || string(raw) == "null" {
		return r
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("ack payload %s: %v", raw, err)
	}
	return r
}

// postSigned posts body to path the way Slack does, signed at ts with
// secret, plus any extra headers.
func (a *app) postSigned(path, body, secret string, ts time.Time, headers map[string]string) (int, string) {
	a.t.Helper()
	req, err := http.NewRequest(http.MethodPost, a.base+path, strings.NewReader(body))
	if err != nil {
		a.t.Fatal(err)
	}
	tsh, sig := fakeslack.Sign(secret, ts, []byte(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", tsh)
	req.Header.Set("X-Slack-Signature", sig)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// commandForm is the form body Slack posts to a slash command URL.
func (a *app) commandForm(user, text string) string {
	v := url.Values{}
	for k, val := range a.slack.NewSlashCommand(user, "C0CHANNEL", text) {
		v.Set(k, val)
	}
	return v.Encode()
}

func (a *app) get(path string) (int, string) {
	a.t.Helper()
	resp, err := http.Get(a.base + path)
	if err != nil {
		a.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric reads one sample from /metrics, e.g.
// `caseconf_slack_deliveries_total{kind="event",outcome="duplicate"}`; 0 if absent.
func (a *app) metric(series string) float64 {
	a.t.Helper()
	_, body := a.get("/metrics")
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			var v float64
			if err := json.Unmarshal([]byte(rest), &v); err != nil {
				a.t.Fatalf("metric %s: %q", series, rest)
			}
			return v
		}
	}
	return 0
}

// waitHandled waits until n deliveries of kind (slash_command,
// interactive, event) have finished their handlers, everything after the
// ack included: proof that an effect that has not happened will not.
func (a *app) waitHandled(kind string, n float64) {
	a.t.Helper()
	series := `caseconf_slack_deliveries_total{kind="` + kind + `",outcome="handled"}`
	deadline := time.Now().Add(10 * time.Second)
	for a.metric(series) < n {
		if time.Now().After(deadline) {
			a.t.Fatalf("%s: %v handled, want %v", series, a.metric(series), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (a *app) count(query string, args ...any) int {
	a.t.Helper()
	var n int
	if err := a.main.DB.SQL().GetContext(context.Background(), &n, query, args...); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// webCalls are the Web API calls the bot made, minus its start-up checks.
func (a *app) webCalls() []fakeslack.Call {
	var out []fakeslack.Call
	for _, c := range a.slack.Calls() {
		if c.Method != "auth.test" && c.Method != "apps.connections.open" {
			out = append(out, c)
		}
	}
	return out
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// exec runs a statement against the app's database, for a state no form
// can reach.
func (a *app) exec(query string, args ...any) {
	a.t.Helper()
	if _, err := a.main.DB.SQL().Exec(query, args...); err != nil {
		a.t.Fatalf("%s: %v", query, err)
	}
}

// minimalOutcome is a valid final outcome with one action (row 1).
func minimalOutcome() form {
	return form{}.users("attended", "U0CM", "U0SW").choice("lead_changed", "no").
		text("summary", "Rent arrears").text("client_views", "Wants to stay").
		date("review_on", "2027-01-29").users("share_with", "U0GP", "U0SW", "U0PROB").choice("save_as", "final").
		text("act_area_1", "Housing").text("act_what_1", "Tenancy support").user("act_owner_1", "U0SW").date("act_due_1", "2026-11-27")
}

// waitAllHandled waits until every Socket Mode delivery Slack has had
// acknowledged has also finished its handler, whatever its kind and
// outcome, everything after the ack included (replies, DMs, Home refreshes
// asked for): proof that what those deliveries have not done by now they
// will not do. Call it once the sends it covers have returned.
func (a *app) waitAllHandled() {
	a.t.Helper()
	acked := map[string]bool{}
	for _, ack := range a.slack.Acks() {
		acked[ack.EnvelopeID] = true
	}
	deadline := time.Now().Add(10 * time.Second)
	for a.deliveriesFinished() < len(acked) {
		if time.Now().After(deadline) {
			a.t.Fatalf("%d deliveries acknowledged, %d finished after 10 s", len(acked), a.deliveriesFinished())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// deliveriesFinished is how many deliveries have finished their handlers,
// of every kind and outcome (caseconf_slack_deliveries_total).
func (a *app) deliveriesFinished() int {
	a.t.Helper()
	_, body := a.get("/metrics")
	n := 0
	for line := range strings.Lines(body) {
		rest, ok := strings.CutPrefix(line, "caseconf_slack_deliveries_total{")
		if !ok {
			continue
		}
		_, value, _ := strings.Cut(rest, "} ")
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			a.t.Fatalf("caseconf_slack_deliveries_total: %q", line)
		}
		n += int(v)
	}
	return n
}

// ownedAction is the ID of the action owner owns, and the value its
// buttons carry.
func (a *app) ownedAction(owner string) (int, string) {
	id := a.count(`SELECT id FROM actions WHERE owner_slack_id = $1`, owner)
	return id, fmt.Sprintf("a%d", id)
}
