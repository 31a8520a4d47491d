package bot

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// startSocket runs a bot's Socket Mode transport against fake until the
// test ends, its log discarded.
func startSocket(t *testing.T, fake *fakeslack.Server, configure func(*SocketMode)) *SocketMode {
	t.Helper()
	return startSocketLogged(t, fake, &syncBuffer{}, configure)
}

func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// helpAnswered sends /caseconf help and checks the ack carries the help.
func helpAnswered(t *testing.T, ctx context.Context, fake *fakeslack.Server) {
	t.Helper()
	id, err := fake.Send(ctx, fakeslack.Envelope{Type: fakeslack.TypeSlashCommands, Payload: fake.NewSlashCommand("U0ALICE", "C0", "help")})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := fake.WaitAck(ctx, id)
	if err != nil {
		t.Fatalf("no ack: %v", err)
	}
	var reply struct{ Text string }
	if err := json.Unmarshal(ack.Payload, &reply); err != nil || !strings.Contains(reply.Text, "/caseconf new") {
		t.Fatalf("help ack = %s (%v)", ack.Payload, err)
	}
}

// Slack's disconnect message (it is moving the connection) is followed at
// once with a new connection, and Slack's pings are answered.
func TestSocketModeFollowsDisconnectAndAnswersPings(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	fake.PingInterval = 50 * time.Millisecond
	startSocket(t, fake, nil)
	ctx := waitCtx(t)
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	helpAnswered(t, ctx, fake)
	for fake.Pongs() == 0 {
		if ctx.Err() != nil {
			t.Fatal("no pong for Slack's pings")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := fake.SendDisconnect("refresh_requested"); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitConnections(ctx, 2); err != nil {
		t.Fatalf("no new connection after Slack's disconnect: %v", err)
	}
	helpAnswered(t, ctx, fake)
}

// A connection on which Slack falls silent (no pings, no messages) is
// taken as dead and replaced.
func TestSocketModeReplacesASilentConnection(t *testing.T) {
	fake := fakeslack.New()
	defer fake.Close()
	fake.PingInterval = -1 // the fake never pings
	s := startSocket(t, fake, func(s *SocketMode) { s.PingTimeout = 300 * time.Millisecond })
	ctx := waitCtx(t)
	if err := fake.WaitConnections(ctx, 2); err != nil {
		t.Fatalf("a silent connection was not replaced: %v", err)
	}
	if ok, why := s.Healthy(time.Now()); !ok {
		t.Fatalf("unhealthy while reconnecting at once: %s", why)
	}
}

// An ack too large for Socket Mode is refused before it is written, and
// the delivery is still acknowledged (empty), so Slack shows no time-out.
func TestSocketModeAckTooLargeIsAcknowledgedEmpty(t *testing.T) {
	if _, _, _, err := ackMessage("e1", json.RawMessage(`"`+strings.Repeat("x", maxAckBytes)+`"`)); err == nil {
		t.Fatal("an ack over 20 KB was accepted")
	}
	joined := func(id string, payload any) []byte {
		head, raw, tail, err := ackMessage(id, payload)
		if err != nil {
			t.Fatal(err)
		}
		return append(append(append([]byte{}, head...), raw...), tail...)
	}
	msg := joined(`e"1`, json.RawMessage(`{"text":"hi"}`))
	var got struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(msg, &got); err != nil || got.EnvelopeID != `e"1` || string(got.Payload) != `{"text":"hi"}` {
		t.Fatalf("ack %s decodes to %+v (%v)", msg, got, err)
	}
	if msg := joined("e3", struct {
		ResponseAction string `json:"response_action"`
	}{"clear"}); string(msg) != `{"envelope_id":"e3","payload":{"response_action":"clear"}}` {
		t.Fatalf("ack of a struct = %s", msg)
	}
	if msg := joined("e2", nil); string(msg) != `{"envelope_id":"e2"}` {
		t.Fatalf("empty ack = %s", msg)
	}

	fake := fakeslack.New()
	defer fake.Close()
	s := startSocket(t, fake, nil)
	s.bot.HandleCommand("huge", "", "test only", func(ctx context.Context, r *Request, _ []string) {
		r.Ack(json.RawMessage(`{"text":"` + strings.Repeat("x", maxAckBytes) + `"}`))
	})
	ctx := waitCtx(t)
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	id, err := fake.Send(ctx, fakeslack.Envelope{Type: fakeslack.TypeSlashCommands, Payload: fake.NewSlashCommand("U0ALICE", "C0", "huge")})
	if err != nil {
		t.Fatal(err)
	}
	ack, err := fake.WaitAck(ctx, id)
	if err != nil {
		t.Fatalf("no ack: %v", err)
	}
	if len(ack.Payload) != 0 {
		t.Fatalf("ack carried %d bytes; want an empty ack", len(ack.Payload))
	}
}

// A slash command decodes as slack-go decodes it, is_enterprise_install
// as a boolean or a string.
func TestSlashCommandDecodesAsSlackGoDoes(t *testing.T) {
	for _, payload := range []string{
		`{"token":"t","team_id":"T1","team_domain":"d","enterprise_id":"E1","enterprise_name":"e","is_enterprise_install":true,"channel_id":"C1","channel_name":"c","user_id":"U1","user_name":"u","command":"/caseconf","text":"show CC-0001","response_url":"https://x/r","trigger_id":"1.2.3","api_app_id":"A1"}`,
		`{"user_id":"U1","text":"help","is_enterprise_install":"false"}`,
		`{"user_id":"U1","text":"help","is_enterprise_install":"1"}`,
		`{"user_id":"U1","text":"help","is_enterprise_install":null}`,
		`{"user_id":"U1","text":"héllo \u2028 \"quoted\""}`,
	} {
		var want slack.SlashCommand
		if err := json.Unmarshal([]byte(payload), &want); err != nil {
			t.Fatal(err)
		}
		got, err := decodeSlashCommand([]byte(payload))
		if err != nil || *got != want {
			t.Errorf("%s\ndecoded %+v (%v)\nslack-go %+v", payload, got, err, want)
		}
	}
	for _, bad := range []string{`{"user_id":"U1","is_enterprise_install":"maybe"}`, `{"user_id":"U1","is_enterprise_install":3}`, `{"user_id":`} {
		var sg slack.SlashCommand
		if _, err := decodeSlashCommand([]byte(bad)); err == nil || json.Unmarshal([]byte(bad), &sg) == nil {
			t.Errorf("%s: decoded (%v) or slack-go accepted it", bad, err)
		}
	}
}
