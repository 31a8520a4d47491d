package bot

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// syncBuffer is a log sink safe for the transport's goroutines.
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

// startSocketLogged is startSocket with the transport's log (at debug)
// kept, to check that nothing of a payload reaches it.
func startSocketLogged(t *testing.T, fake *fakeslack.Server, logs *syncBuffer, configure func(*SocketMode)) *SocketMode {
	t.Helper()
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken("xapp-test"))
	b := New(Options{API: api, Log: log})
	s := NewSocketMode(b, api, log)
	if configure != nil {
		configure(s)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return s
}

// The secret that stands for a client's data in hostile payloads: it must
// never reach the log.
const hostileSecret = "CLIENTSECRET42"

// Frames Slack should never send (or sends oddly) neither crash the bot nor
// stop it: every delivery whose envelope_id can be read is acknowledged
// (empty when its payload cannot be read), nothing of a payload is logged,
// and the bot answers on the same connection afterwards.
func TestSocketModeHostileFrames(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	var logs syncBuffer
	startSocketLogged(t, fake, &logs, nil)
	ctx := waitCtx(t)
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	helpAnswered(t, ctx, fake)

	// Acknowledged empty: a delivery whose payload cannot be read.
	ackedEmpty := map[string]string{
		"e-slash-user-number":   `{"type":"slash_commands","envelope_id":"e-slash-user-number","payload":{"user_id":5,"command":"/caseconf","text":"` + hostileSecret + `"}}`,
		"e-slash-enterprise":    `{"type":"slash_commands","envelope_id":"e-slash-enterprise","payload":{"user_id":"U0ALICE","command":"/caseconf","text":"` + hostileSecret + `","is_enterprise_install":"maybe"}}`,
		"e-slash-not-object":    `{"type":"slash_commands","envelope_id":"e-slash-not-object","payload":"` + hostileSecret + `"}`,
		"e-events-garbage":      `{"type":"events_api","envelope_id":"e-events-garbage","payload":{"type":"event_callback","event":"` + hostileSecret + `"}}`,
		"e-events-not-object":   `{"type":"events_api","envelope_id":"e-events-not-object","payload":[1,2,"` + hostileSecret + `"]}`,
		"e-interactive-garbage": `{"type":"interactive","envelope_id":"e-interactive-garbage","payload":{"type":"block_actions","user":"` + hostileSecret + `","actions":7}}`,
		// The envelope itself is partly wrong, but its id can be read.
		"e-retry-not-number": `{"type":"slash_commands","envelope_id":"e-retry-not-number","retry_attempt":"` + hostileSecret + `","payload":{"user_id":"U0ALICE","command":"/caseconf","text":"help"}}`,
	}
	for id, frame := range ackedEmpty {
		if err := fake.SendRaw(ctx, websocket.TextMessage, []byte(frame)); err != nil {
			t.Fatal(err)
		}
		ack, err := fake.WaitAck(ctx, id)
		if err != nil {
			t.Fatalf("%s: no ack: %v", id, err)
		}
		if ack.Payload != nil {
			t.Errorf("%s: acked with %s, want an empty ack", id, ack.Payload)
		}
	}

	// Neither delivered nor fatal.
	odd := [][]byte{
		[]byte(`{not json ` + hostileSecret),
		[]byte(`{"type":"no_such_type","envelope_id":"e-unknown","payload":{"x":"` + hostileSecret + `"}}`),
		[]byte(`{"type":"slash_commands","payload":{"user_id":"U0ALICE","command":"/caseconf","text":"` + hostileSecret + `"}}`),
		[]byte(`{"type":"slash_commands","envelope_id":17,"payload":"` + hostileSecret + `"}`),
		[]byte(`null`),
		[]byte(`"` + hostileSecret + `"`),
		[]byte(`{"type":"hello"}`), // a second hello
		append([]byte(`{"type":"no_such_type","payload":"`), append(bytes.Repeat([]byte("x"), 1<<20), `"}`...)...), // 1 MiB
	}
	for _, frame := range odd {
		if err := fake.SendRaw(ctx, websocket.TextMessage, frame); err != nil {
			t.Fatal(err)
		}
	}
	if err := fake.SendRaw(ctx, websocket.BinaryMessage, []byte{0, 1, 2, 0xff, 0xfe}); err != nil {
		t.Fatal(err)
	}
	helpAnswered(t, ctx, fake)
	if n := fake.Connections(); n != 1 {
		t.Errorf("%d connections after odd frames, want the first one kept", n)
	}
	if strings.Contains(logs.String(), hostileSecret) {
		t.Errorf("a payload reached the log:\n%s", logs.String())
	}
}

// A frame over the transport's limit ends that connection (it is not read
// into memory), and the bot reconnects and answers.
func TestSocketModeHugeFrameReconnects(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	var logs syncBuffer
	startSocketLogged(t, fake, &logs, nil)
	ctx := waitCtx(t)
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	huge := append([]byte(`{"type":"slash_commands","envelope_id":"e-huge","payload":{"text":"`+hostileSecret), bytes.Repeat([]byte("x"), maxFrameBytes)...)
	huge = append(huge, `"}}`...)
	// The write may fail as the bot closes the connection under it.
	_ = fake.SendRaw(ctx, websocket.TextMessage, huge)
	if err := fake.WaitConnections(ctx, 2); err != nil {
		t.Fatalf("no new connection after a frame over the limit: %v", err)
	}
	helpAnswered(t, ctx, fake)
	if strings.Contains(logs.String(), hostileSecret) {
		t.Errorf("a payload reached the log:\n%s", logs.String())
	}
}

// Slack saying disconnect before hello (as when Socket Mode is turned off
// for the app, link_disabled) is not followed at once, over and over: the
// connection never served, so it is backed off like a failed attempt.
func TestSocketModeDisconnectBeforeHelloBacksOff(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	fake.BeforeHello = [][]byte{[]byte(`{"type":"disconnect","reason":"link_disabled"}`)}
	var logs syncBuffer
	startSocketLogged(t, fake, &logs, nil)
	ctx := waitCtx(t)
	calls, err := fake.WaitForCalls(ctx, "apps.connections.open", 3)
	if err != nil {
		t.Fatal(err)
	}
	// Back-off: at least 0.8 s, then 1.6 s (reconnectDelay's ±20 %).
	if gap := calls[2].At.Sub(calls[0].At); gap < 2*time.Second {
		t.Errorf("three connection attempts within %s of a disconnect before hello: not backed off", gap)
	}
}

// apps.connections.open rate limited: the next attempt waits for Slack's
// Retry-After (longer than the first back-off), then connects.
func TestSocketModeConnectRateLimitedWaitsRetryAfter(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	fake.FailNext("apps.connections.open", fakeslack.Failure{Status: 429, RetryAfter: 2})
	var logs syncBuffer
	startSocketLogged(t, fake, &logs, nil)
	ctx := waitCtx(t)
	calls, err := fake.WaitForCalls(ctx, "apps.connections.open", 2)
	if err != nil {
		t.Fatal(err)
	}
	if gap := calls[1].At.Sub(calls[0].At); gap < 2*time.Second {
		t.Errorf("retried %s after a 429 with Retry-After: 2", gap)
	}
	helpAnswered(t, ctx, fake)
}
