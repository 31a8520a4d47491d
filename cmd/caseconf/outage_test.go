package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseconf/caseconf/bot"
	"github.com/caseconf/caseconf/internal/fakeslack"
	"github.com/caseconf/caseconf/internal/pgproxy"
	"github.com/caseconf/caseconf/internal/testdb"
)

// startBehindProxy starts serve on a fresh database reached through a
// proxy the test can make hang. The proxy resumes before serve shuts down.
func startBehindProxy(t *testing.T) (*app, *pgproxy.Proxy) {
	t.Helper()
	return startBehindProxyQuery(t, "")
}

// startBehindProxyQuery is startBehindProxy with more DATABASE_URL query
// parameters, e.g. "statement_timeout=1s".
func startBehindProxyQuery(t *testing.T, query string) (*app, *pgproxy.Proxy) {
	t.Helper()
	return startBehindProxyWith(t, query, nil)
}

// startBehindProxyWith is startBehindProxyQuery with a chance to set up
// Main before it runs, as startAppWith.
func startBehindProxyWith(t *testing.T, query string, configure func(*Main)) (*app, *pgproxy.Proxy) {
	t.Helper()
	dsn := testdb.New(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := pgproxy.New(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	u.Host = proxy.Addr()
	if query != "" {
		u.RawQuery += "&" + query
	}
	a := startAppWith(t, map[string]string{"DATABASE_URL": u.String()}, configure)
	t.Cleanup(proxy.Resume) // runs before serve's shutdown
	return a, proxy
}

// timedGet is a.get with how long it took.
func (a *app) timedGet(path string) (int, string, time.Duration) {
	a.t.Helper()
	start := time.Now()
	code, body := a.get(path)
	return code, body, time.Since(start)
}

// waitHealth polls /healthz until it answers want with a body containing
// substr, and returns when that was; the test fails after within.
func (a *app) waitHealth(want int, substr string, within time.Duration) time.Time {
	a.t.Helper()
	deadline := time.Now().Add(within)
	for {
		code, body, took := a.timedGet("/healthz")
		if took > 3*time.Second {
			a.t.Fatalf("/healthz took %v", took)
		}
		if code == want && strings.Contains(body, substr) {
			return time.Now()
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("/healthz still %d %q after %v; want %d with %q", code, body, within, want, substr)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// Slack drops the socket and refuses to reopen it: /healthz says so once
// the socket has been down for its threshold, and the bot is back soon
// after Slack is (slack-go alone would by then be waiting 50 s and more
// between attempts). The product's threshold is 30 s (bot's
// TestHealthyAfterThreshold checks it with a fixed clock); here it is 5 s, so that
// the package's tests can be repeated (-count=20) within go test's
// default timeout. The reconnect back-off is the product's own.
func TestSlackOutageHealthAndReconnect(t *testing.T) {
	t.Parallel()
	const threshold = 5 * time.Second
	a := startAppWith(t, nil, func(m *Main) { m.SocketDownAfter = threshold })
	before := a.slack.Connections()

	a.slack.RefuseSocketMode()
	if a.slack.DropConnections() == 0 {
		t.Fatal("no Socket Mode connection to drop")
	}
	dropped := time.Now()
	if code, body := a.get("/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz right after the drop = %d %q; a blip must not count", code, body)
	}
	unhealthy := a.waitHealth(http.StatusServiceUnavailable, "Slack socket", threshold+15*time.Second)
	if d := unhealthy.Sub(dropped); d < threshold-time.Second {
		t.Fatalf("/healthz turned 503 %v after the drop, before the %v threshold", d, threshold)
	}
	t.Logf("/healthz 503 %v after the drop", unhealthy.Sub(dropped).Round(time.Millisecond))
	if _, body := a.get("/healthz"); !strings.Contains(body, fakeslack.ErrSocketModeUnavailable) || strings.Contains(body, "database") {
		t.Errorf("/healthz body %q: want the Slack socket and its last error, not the database", body)
	}

	a.slack.AcceptSocketMode()
	back := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	if err := a.slack.WaitConnections(ctx, before+1); err != nil {
		t.Fatalf("bot did not reconnect within 45s of Slack coming back: %v", err)
	}
	t.Logf("reconnected %v after Slack came back", time.Since(back).Round(time.Millisecond))
	a.waitHealth(http.StatusOK, "ok", 5*time.Second)
	if r := decodeReply(t, a.command("U0CM", "help").Payload); !strings.Contains(r.Text, "/caseconf new") {
		t.Fatalf("help after reconnecting = %q", r.Text)
	}

	logs := a.logs.String()
	if !strings.Contains(logs, "socket mode connection lost") || !strings.Contains(logs, fakeslack.ErrSocketModeUnavailable) {
		t.Errorf("logs do not tell of the lost connection and why reconnecting failed:\n%s", logs)
	}
	for _, secret := range []string{"xapp-test-token", "xoxb-test-token", "ticket="} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

// The database accepts connections and answers nothing: commands that need
// no data are still answered, /healthz says so in time, and service comes
// back when the database does.
func TestDatabaseHangHealthAndRecovery(t *testing.T) {
	t.Parallel()
	a, proxy := startBehindProxy(t)
	if r := decodeReply(t, a.command("U0CM", "list").Payload); !strings.Contains(r.Text, "no upcoming") {
		t.Fatalf("list before the hang = %q", r.Text)
	}

	proxy.Hang()
	for i := range 3 { // the pooled connection, then new ones
		start := time.Now()
		r := decodeReply(t, a.command("U0CM", "help").Payload)
		took := time.Since(start)
		if !strings.Contains(r.Text, "/caseconf new") {
			t.Fatalf("help %d during the hang was acknowledged with %q after %v", i, r.Text, took)
		}
		if took > 3*time.Second {
			t.Fatalf("help %d during the hang took %v", i, took)
		}
		t.Logf("help %d during the hang answered in %v", i, took.Round(time.Millisecond))
	}
	code, body, took := a.timedGet("/healthz")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "database") || took > 3*time.Second {
		t.Fatalf("/healthz during the hang = %d %q after %v; want 503 naming the database within 3s", code, body, took)
	}
	if strings.Contains(body, "Slack") {
		t.Errorf("/healthz during a database hang blames Slack: %q", body)
	}
	// A flood of probes does not pile up: each still answers in time.
	results := make(chan time.Duration, 20)
	for range 20 {
		go func() {
			start := time.Now()
			resp, err := http.Get(a.base + "/healthz")
			if err == nil {
				resp.Body.Close()
			}
			results <- time.Since(start)
		}()
	}
	for range 20 {
		if d := <-results; d > 3*time.Second {
			t.Fatalf("a /healthz probe among 20 took %v", d)
		}
	}

	proxy.Resume()
	resumed := time.Now()
	deadline := resumed.Add(15 * time.Second)
	for {
		r := decodeReply(t, a.command("U0CM", "list").Payload)
		if strings.Contains(r.Text, "no upcoming") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("list 15s after the database came back = %q", r.Text)
		}
		time.Sleep(250 * time.Millisecond)
	}
	a.waitHealth(http.StatusOK, "ok", time.Until(deadline))
	t.Logf("full service %v after the database came back", time.Since(resumed).Round(time.Millisecond))
}

// A valid scheduling form submitted while the database hangs is not lost:
// it is saved (once the database answers), or its author gets a DM saying
// it may not have been saved, with what they typed so nothing is lost.
func TestDatabaseHangFormNotLost(t *testing.T) {
	t.Parallel()
	// With the operator's statement_timeout of 1 s, reads on a silent
	// database give up after 6 s instead of the default 15 s.
	a, proxy := startBehindProxyQuery(t, "statement_timeout=1s")
	form := scheduleForm()
	const ref, purpose = "JS-4411", "Agree a plan to keep the tenancy at Acacia House"

	proxy.Hang()
	start := time.Now()
	ack := a.send(fakeslack.Envelope{Type: fakeslack.TypeInteractive,
		Payload: viewSubmissionPayload("U0CM", "schedule", "VHANG", "", form)})
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("submission during the hang acknowledged after %v", took)
	}
	t.Logf("submission during the hang acknowledged with %s", ack.Payload)

	// notSavedDM finds a DM to the submitter that says it may not be saved
	// and carries what they typed.
	notSavedDM := func() bool {
		for _, c := range a.slack.CallsTo("chat.postMessage") {
			if ch := c.Params.Get("channel"); ch != "U0CM" && ch != fakeslack.DMChannelID("U0CM") {
				continue
			}
			text := callText(c)
			if strings.Contains(strings.ToLower(text), "saved") && strings.Contains(text, ref) && strings.Contains(text, purpose) {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(15 * time.Second)
	for !notSavedDM() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if notSavedDM() {
		return
	}

	proxy.Resume()
	deadline = time.Now().Add(15 * time.Second)
	for {
		if notSavedDM() {
			return
		}
		var n int
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := a.main.DB.SQL().GetContext(ctx, &n, `SELECT count(*) FROM conferences WHERE case_manager_id = 'U0CM'`)
		cancel()
		if err == nil && n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Logf("serve logs:\n%s", a.logs.String())
			t.Fatalf("the form submitted during the hang was neither saved (%d conferences, %v) nor sent back to its author in a DM; DMs: %v",
				n, err, a.dmTo("U0CM"))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// A socket that dies as soon as it opens (a proxy killing websockets, say)
// is backed off like a failed connection, not reopened in a tight loop;
// once it stays up, service and /healthz are as before.
func TestSocketThatKeepsDroppingIsBackedOff(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	opens := len(a.slack.CallsTo("apps.connections.open"))
	stop := time.Now().Add(3 * time.Second)
	for time.Now().Before(stop) {
		a.slack.DropConnections()
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(a.slack.CallsTo("apps.connections.open")) - opens; n > 6 {
		t.Fatalf("%d apps.connections.open calls in 3 s of sockets dying at once: no back-off", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.slack.WaitConnected(ctx); err != nil {
		t.Fatalf("did not reconnect once the socket stayed up: %v", err)
	}
	if r := decodeReply(t, a.command("U0ALICE", "help").Payload); !strings.Contains(r.Text, "/caseconf help") {
		t.Fatalf("help after reconnecting answered %q", r.Text)
	}
}

// Acks owed when the socket drops, with Slack refusing to reopen it,
// cannot be delivered; they are given up after a bound instead of holding
// their handlers, and shutdown, for ever.
func TestAcksOwedWhenSocketDropsDoNotHoldHandlers(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	release := make(chan struct{})
	var started, finished atomic.Int32
	a.main.Bot.HandleCommand("hold", "", "test only", func(ctx context.Context, r *bot.Request, _ []string) {
		started.Add(1)
		<-release
		r.Reply(ctx, "done")
		finished.Add(1)
	})
	ctx := ctxFor(t)
	const n = 30 // more than slack-go's queue of 20 acks
	for range n {
		if _, err := a.slack.Send(ctx, fakeslack.Envelope{Type: fakeslack.TypeSlashCommands, Payload: a.slack.NewSlashCommand("U0CM", "C0", "hold")}); err != nil {
			t.Fatal(err)
		}
	}
	a.eventually("every handler to start", func() bool { return started.Load() == n })
	a.slack.RefuseSocketMode()
	a.slack.DropConnections()
	close(release)
	a.eventually("every handler to finish", func() bool { return finished.Load() == n })
	start := time.Now()
	if err := a.main.Close(); err != nil {
		t.Errorf("shutdown with the socket gone: %v", err)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("shutdown with the socket gone took %v", took)
	}
}

// The database goes silent for 15 s just after Slack took a DM: the
// sender keeps trying to record it (and renews its claim) until the
// database answers, so it is not rescued and posted again.
func TestDatabaseBlipAfterPostSendsOnce(t *testing.T) {
	t.Parallel()
	// Messages are rescued after 25 s: longer than the silence; short for the test.
	a, proxy := startBehindProxyWith(t, "", func(m *Main) { m.OutboxStuckAfter = 25 * time.Second })
	a.slack.FailNext("chat.postMessage", fakeslack.Failure{Delay: 2 * time.Second, Channel: "U0GP"})
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", scheduleForm(), 0); ack["response_action"] != "clear" {
		t.Fatalf("ack = %v", ack)
	}
	a.eventually("the GP's post to reach Slack", func() bool { return len(a.dmTo("U0GP")) == 1 })
	proxy.Hang()
	time.Sleep(15 * time.Second)
	proxy.Resume()
	// A batch claimed when the database went silent, and not put back,
	// is rescued after the rescue time (25 s here).
	a.waitOutboxDone(60 * time.Second)
	t.Logf("outbox: %d rescued; logs mention record failure: %v", a.count(`SELECT count(*) FROM outbox WHERE array_to_string(errors,'|') LIKE '%rescued%'`),
		strings.Contains(a.logs.String(), "could not record a posted message"))
	for _, l := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(l, "outbox") || strings.Contains(l, "WARN") || strings.Contains(l, "ERROR") {
			t.Log(l)
		}
	}
	for _, c := range a.slack.CallsTo("chat.postMessage") {
		t.Log(c.At.Format("15:04:05.000"), c.Params.Get("channel"), c.Failed)
	}
	if n := a.delivered()["U0GP"]; n != 1 {
		t.Errorf("the GP's invitation was posted %d times after a 15 s database blip (no crash)", n)
	}
}
