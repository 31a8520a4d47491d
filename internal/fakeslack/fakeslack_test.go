package fakeslack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

const (
	botToken = "xoxb-test-token"
	appToken = "xapp-test-token"
)

// newFake starts a server closed at the end of the test.
func newFake(t *testing.T) *Server {
	t.Helper()
	fake := New()
	t.Cleanup(fake.Close)
	return fake
}

// newClient returns a real slack-go client pointed at fake.
func newClient(fake *Server) *slack.Client {
	return slack.New(botToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(appToken))
}

// testContext returns a context that ends with the test or after 10s.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// postRaw posts body to the fake's Web API method and decodes the answer.
func postRaw(t *testing.T, fake *Server, method, contentType, body string) map[string]any {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, fake.APIURL()+method, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+botToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("decoding %s answer: %v", method, err)
	}
	return out
}

// slackError returns the Slack error code of err, or "" if it is not one.
func slackError(err error) string {
	var resp slack.SlackErrorResponse
	if errors.As(err, &resp) {
		return resp.Err
	}
	return ""
}

func TestAuthTest(t *testing.T) {
	fake := newFake(t)
	resp, err := newClient(fake).AuthTest()
	if err != nil {
		t.Fatal(err)
	}
	if resp.TeamID != TeamID || resp.UserID != BotUserID || resp.BotID != BotID || resp.Team != TeamName || resp.User != BotName {
		t.Errorf("auth.test = %+v", resp)
	}
	calls := fake.CallsTo("auth.test")
	if len(calls) != 1 || calls[0].Token != botToken || calls[0].Failed {
		t.Fatalf("recorded %+v", calls)
	}
	if calls[0].At.IsZero() {
		t.Error("call time not recorded")
	}
}

func TestAuthRejectsBadTokens(t *testing.T) {
	fake := newFake(t)
	for token, want := range map[string]string{"": "not_authed", "xoxp-user": "invalid_auth", appToken: "invalid_auth"} {
		_, err := slack.New(token, slack.OptionAPIURL(fake.APIURL())).AuthTest()
		if got := slackError(err); got != want {
			t.Errorf("token %q: error %v, want %s", token, err, want)
		}
	}
	// apps.connections.open needs the app-level token.
	_, _, err := slack.New(botToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(botToken)).
		StartSocketModeContext(context.Background())
	if got := slackError(err); got != "invalid_auth" {
		t.Errorf("apps.connections.open with bot token: %v", err)
	}
}

func TestPostMessageRecordsTextAndBlocks(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	section := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*hi*", false, false), nil, nil)

	channel, ts1, msg, err := api.PostMessageWithResponse("C123",
		slack.MsgOptionText("hello", false), slack.MsgOptionBlocks(section))
	if err != nil {
		t.Fatal(err)
	}
	if channel != "C123" || ts1 == "" || msg.Text != "hello" || len(msg.Blocks.BlockSet) != 1 {
		t.Errorf("answer channel=%q ts=%q message=%+v", channel, ts1, msg)
	}
	call := fake.CallsTo("chat.postMessage")[0]
	if call.Params.Get("text") != "hello" || call.Params.Get("channel") != "C123" {
		t.Errorf("params %v", call.Params)
	}
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(call.Params.Get("blocks")), &blocks); err != nil || len(blocks) != 1 || blocks[0]["type"] != "section" {
		t.Errorf("blocks %q (%v)", call.Params.Get("blocks"), err)
	}

	_, ts2, err := api.PostMessage("C123", slack.MsgOptionText("again", false))
	if err != nil {
		t.Fatal(err)
	}
	if ts2 <= ts1 {
		t.Errorf("timestamps not increasing: %s then %s", ts1, ts2)
	}

	dm, _, err := api.PostMessage("U42ABC", slack.MsgOptionText("dm", false))
	if err != nil || dm != "D42ABC" {
		t.Errorf("post to user: channel %q, %v", dm, err)
	}
	if _, _, err := api.PostMessage("C1"); slackError(err) != "no_text" {
		t.Errorf("empty message: %v", err)
	}
}

func TestEphemeralUpdateDelete(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	ts, err := api.PostEphemeral("C1", "U1", slack.MsgOptionText("psst", false))
	if err != nil || ts == "" {
		t.Fatalf("postEphemeral ts=%q %v", ts, err)
	}
	if p := fake.CallsTo("chat.postEphemeral")[0].Params; p.Get("user") != "U1" || p.Get("text") != "psst" {
		t.Errorf("ephemeral params %v", p)
	}

	channel, posted, err := api.PostMessage("U7", slack.MsgOptionText("v1", false))
	if err != nil {
		t.Fatal(err)
	}
	ch, upd, text, err := api.UpdateMessage(channel, posted, slack.MsgOptionText("v2", false))
	if err != nil || ch != channel || upd != posted || text != "v2" {
		t.Errorf("update = %q %q %q %v", ch, upd, text, err)
	}
	if _, _, _, err := api.UpdateMessage(channel, "1.000001", slack.MsgOptionText("x", false)); slackError(err) != "message_not_found" {
		t.Errorf("update of unknown message: %v", err)
	}
	if _, _, err := api.DeleteMessage(channel, posted); err != nil {
		t.Errorf("delete: %v", err)
	}
}

func TestConversationsOpenStableIDs(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	open := func(users ...string) (string, bool) {
		t.Helper()
		ch, _, already, err := api.OpenConversation(&slack.OpenConversationParameters{Users: users})
		if err != nil {
			t.Fatal(err)
		}
		return ch.ID, already
	}
	a1, already1 := open("U111")
	a2, already2 := open("U111")
	b, _ := open("U222")
	if a1 != "D111" || a1 != a2 || b == a1 || already1 || !already2 {
		t.Errorf("ids %s %s %s, already %v %v", a1, a2, b, already1, already2)
	}
	if DMChannelID("U111") != a1 {
		t.Errorf("DMChannelID disagrees with conversations.open")
	}
	if got := fake.CallsTo("conversations.open")[0].Params.Get("users"); got != "U111" {
		t.Errorf("users param %q", got)
	}
}

func TestUsersInfo(t *testing.T) {
	fake := newFake(t)
	fake.AddUser(slack.User{ID: "U1", Name: "alice", TZ: "Europe/Paris", Profile: slack.UserProfile{Email: "a@example.com"}})
	api := newClient(fake)
	u, err := api.GetUserInfo("U1")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "alice" || u.TZ != "Europe/Paris" || u.Profile.Email != "a@example.com" {
		t.Errorf("user %+v", u)
	}
	if _, err := api.GetUserInfo("U404"); slackError(err) != "user_not_found" {
		t.Errorf("unknown user: %v", err)
	}
}

func TestViews(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	modal := slack.ModalViewRequest{
		Type:       slack.VTModal,
		Title:      slack.NewTextBlockObject(slack.PlainTextType, "Title", false, false),
		CallbackID: "cb",
		Blocks:     slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}},
	}
	opened, err := api.OpenView("trigger-1", modal)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(opened.View.ID, "V") || opened.View.Hash == "" || opened.View.CallbackID != "cb" || len(opened.View.Blocks.BlockSet) != 1 {
		t.Errorf("opened view %+v", opened.View)
	}
	body := fake.CallsTo("views.open")[0].JSON()
	if body["trigger_id"] != "trigger-1" || fake.CallsTo("views.open")[0].Params.Get("trigger_id") != "trigger-1" {
		t.Errorf("views.open body %v", body)
	}

	updated, err := api.UpdateView(modal, "", opened.View.Hash, opened.View.ID)
	if err != nil || updated.View.ID != opened.View.ID || updated.View.Hash == opened.View.Hash {
		t.Errorf("update: %+v %v", updated, err)
	}
	if _, err := api.UpdateView(modal, "", opened.View.Hash, opened.View.ID); slackError(err) != "hash_conflict" {
		t.Errorf("update with stale hash: %v", err)
	}
	if _, err := api.PushView("trigger-2", modal); err != nil {
		t.Errorf("push: %v", err)
	}
	home := slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}
	pub, err := api.PublishView("U1", home, "")
	if err != nil || pub.View.Type != slack.VTHomeTab || !strings.HasPrefix(pub.View.ID, "V") {
		t.Errorf("publish: %+v %v", pub, err)
	}

	// slack-go refuses an empty trigger_id itself, so post the request raw.
	noTrigger := postRaw(t, fake, "views.open", "application/json", `{"view":{"type":"modal"}}`)
	if noTrigger["ok"] != false || noTrigger["error"] != "invalid_arguments" {
		t.Errorf("views.open without trigger_id: %v", noTrigger)
	}
	noUser := postRaw(t, fake, "views.publish", "application/json", `{"view":{"type":"home"}}`)
	if noUser["error"] != "invalid_arguments" {
		t.Errorf("views.publish without user_id: %v", noUser)
	}
}

func TestUnknownMethod(t *testing.T) {
	fake := newFake(t)
	_, err := newClient(fake).GetTeamInfo()
	if slackError(err) != "unknown_method" {
		t.Errorf("team.info: %v", err)
	}
	if len(fake.CallsTo("team.info")) != 1 {
		t.Error("unknown method call not recorded")
	}
}

func TestBadRequestBodies(t *testing.T) {
	fake := newFake(t)
	if got := postRaw(t, fake, "views.open", "application/json", `{"trigger_id":`); got["error"] != "invalid_json" {
		t.Errorf("bad JSON: %v", got)
	}
	call := fake.CallsTo("views.open")[0]
	if string(call.Body) != `{"trigger_id":` || call.JSON() != nil {
		t.Errorf("bad JSON call recorded as %+v", call)
	}
	if got := postRaw(t, fake, "chat.postMessage", "application/x-www-form-urlencoded", "channel=C1&text=%zz"); got["error"] != "invalid_form_data" {
		t.Errorf("bad form: %v", got)
	}
	if got := postRaw(t, fake, "chat.postMessage", "application/x-www-form-urlencoded", "channel=C1&blocks=notjson"); got["error"] != "invalid_blocks" {
		t.Errorf("bad blocks: %v", got)
	}
}

func TestJSONParamsAreStringified(t *testing.T) {
	fake := newFake(t)
	postRaw(t, fake, "chat.postMessage", "application/json", `{"channel":"C1","text":"hi","unfurl_links":false,"blocks":[ {"type":"divider"} ]}`)
	p := fake.CallsTo("chat.postMessage")[0].Params
	if p.Get("channel") != "C1" || p.Get("unfurl_links") != "false" || p.Get("blocks") != `[{"type":"divider"}]` {
		t.Errorf("params %v", p)
	}
}

func TestFailNextRateLimited(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	fake.FailNext("chat.postMessage", Failure{Status: http.StatusTooManyRequests, RetryAfter: 7})
	_, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("want RateLimitedError(7s), got %v", err)
	}
	if _, _, err := api.PostMessage("C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Errorf("failure not consumed: %v", err)
	}
	calls := fake.CallsTo("chat.postMessage")
	if len(calls) != 2 || !calls[0].Failed || calls[1].Failed {
		t.Errorf("calls %+v", calls)
	}
}

func TestFailNextServerErrorAndSlackError(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	fake.FailNext("users.info", Failure{Status: http.StatusInternalServerError})
	fake.FailNext("users.info", Failure{Error: "ratelimited_custom"})
	_, err := api.GetUserInfo("U1")
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusInternalServerError {
		t.Errorf("want StatusCodeError 500, got %v", err)
	}
	if _, err := api.GetUserInfo("U1"); slackError(err) != "ratelimited_custom" {
		t.Errorf("want scripted error code, got %v", err)
	}
	if _, err := api.GetUserInfo("U1"); slackError(err) != "user_not_found" {
		t.Errorf("want normal behaviour after failures, got %v", err)
	}
}

func TestDelayIsHonoured(t *testing.T) {
	fake := newFake(t)
	const delay = 150 * time.Millisecond
	fake.FailNext("auth.test", Failure{Delay: delay})
	start := time.Now()
	if _, err := newClient(fake).AuthTest(); err != nil {
		t.Fatalf("delayed call should succeed: %v", err)
	}
	if took := time.Since(start); took < delay {
		t.Errorf("call took %v, want >= %v", took, delay)
	}
	if fake.CallsTo("auth.test")[0].Failed {
		t.Error("delay-only call marked failed")
	}
}

func TestResponseURL(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	url := fake.ResponseURL("abc")
	_, _, _, err := api.SendMessage("", slack.MsgOptionText("only you", false), slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral))
	if err != nil {
		t.Fatal(err)
	}
	calls := fake.CallsTo(MethodResponseURL)
	if len(calls) != 1 || calls[0].ResponseURLID != "abc" {
		t.Fatalf("calls %+v", calls)
	}
	if body := calls[0].JSON(); body["text"] != "only you" || body["response_type"] != "ephemeral" {
		t.Errorf("body %v", body)
	}
	fake.FailNext(MethodResponseURL, Failure{Error: "expired_url"})
	_, _, _, err = api.SendMessage("", slack.MsgOptionText("late", false), slack.MsgOptionResponseURL(url, slack.ResponseTypeEphemeral))
	if slackError(err) != "expired_url" {
		t.Errorf("scripted response_url failure: %v", err)
	}
}

func TestWaitForCallsAndReset(t *testing.T) {
	fake := newFake(t)
	api := newClient(fake)
	go func() { _, _ = api.AuthTest() }()
	calls, err := fake.WaitForCalls(testContext(t), "auth.test", 1)
	if err != nil || len(calls) != 1 {
		t.Fatalf("WaitForCalls = %d calls, %v", len(calls), err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	calls, err = fake.WaitForCalls(ctx, "auth.test", 2)
	if !errors.Is(err, context.DeadlineExceeded) || len(calls) != 1 {
		t.Errorf("timed out wait = %d calls, %v", len(calls), err)
	}

	fake.Reset()
	if n := len(fake.Calls()); n != 0 {
		t.Errorf("%d calls after Reset", n)
	}
}

func TestCloseCutsDelayedCallsShort(t *testing.T) {
	fake := New()
	fake.FailNext("auth.test", Failure{Delay: time.Hour})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = newClient(fake).AuthTest()
	}()
	if _, err := fake.WaitForCalls(testContext(t), "auth.test", 1); err != nil {
		t.Fatal(err)
	}
	fake.Close()
	<-done
	fake.Close() // idempotent
}

func TestSign(t *testing.T) {
	body := []byte("command=%2Fcaseconf&text=hi")
	ts, sig := Sign("s3cret", time.Now(), body)
	header := http.Header{}
	header.Set("X-Slack-Request-Timestamp", ts)
	header.Set("X-Slack-Signature", sig)
	v, err := slack.NewSecretsVerifier(header, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Write(body); err != nil {
		t.Fatal(err)
	}
	if err := v.Ensure(); err != nil {
		t.Errorf("slack-go rejects the signature: %v", err)
	}
}

// socketClient runs a socketmode client against fake until the test ends and
// returns a channel of the events it emits (other than bookkeeping ones).
func socketClient(t *testing.T, fake *Server) (*socketmode.Client, <-chan socketmode.Event) {
	t.Helper()
	smc := socketmode.New(newClient(fake))
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- smc.RunContext(ctx) }()
	events := make(chan socketmode.Event, 16)
	go func() {
		for {
			select {
			case evt := <-smc.Events:
				switch evt.Type {
				case socketmode.EventTypeSlashCommand, socketmode.EventTypeEventsAPI, socketmode.EventTypeInteractive:
					events <- evt
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-runErr; !errors.Is(err, context.Canceled) {
			t.Errorf("socketmode client ended with %v", err)
		}
	})
	return smc, events
}

// nextEvent waits for an event from the socketmode client.
func nextEvent(t *testing.T, ctx context.Context, events <-chan socketmode.Event) socketmode.Event {
	t.Helper()
	select {
	case evt := <-events:
		return evt
	case <-ctx.Done():
		t.Fatal("no event from the socketmode client")
		return socketmode.Event{}
	}
}

func TestSocketModeSlashCommandAckAndReconnect(t *testing.T) {
	fake := newFake(t)
	fake.PingInterval = 20 * time.Millisecond
	fake.AddUser(slack.User{ID: "U1", Name: "alice"})
	ctx := testContext(t)
	smc, events := socketClient(t, fake)
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}

	cmd := fake.NewSlashCommand("U1", "C1", "new case")
	id, err := fake.Send(ctx, Envelope{Type: TypeSlashCommands, Payload: cmd})
	if err != nil {
		t.Fatal(err)
	}
	evt := nextEvent(t, ctx, events)
	got, isCmd := evt.Data.(slack.SlashCommand)
	if evt.Type != socketmode.EventTypeSlashCommand || !isCmd {
		t.Fatalf("event %s with %T", evt.Type, evt.Data)
	}
	if got.Command != Command || got.Text != "new case" || got.UserID != "U1" || got.UserName != "alice" ||
		got.ChannelID != "C1" || got.TeamID != TeamID || got.TriggerID == "" || got.ResponseURL != cmd["response_url"] ||
		!strings.HasPrefix(got.ResponseURL, fake.URL()+"/response/") {
		t.Errorf("slash command %+v", got)
	}
	if evt.Request.EnvelopeID != id || !evt.Request.AcceptsResponsePayload {
		t.Errorf("request %+v", evt.Request)
	}

	smc.Ack(*evt.Request, map[string]string{"text": "on it"})
	ack, err := fake.WaitAck(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]string
	if err := json.Unmarshal(ack.Payload, &payload); err != nil || payload["text"] != "on it" {
		t.Errorf("ack payload %s (%v)", ack.Payload, err)
	}
	if ack.SentAt.IsZero() || ack.At.Before(ack.SentAt) || len(fake.Acks()) != 1 {
		t.Errorf("ack %+v, acks %d", ack, len(fake.Acks()))
	}

	// The client answers our pings; with a 20ms interval a few must arrive.
	for fake.Pongs() < 2 {
		select {
		case <-ctx.Done():
			t.Fatal("no pongs")
		case <-time.After(10 * time.Millisecond):
		}
	}

	if err := fake.SendDisconnect("warning"); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitConnections(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.CallsTo("apps.connections.open")); n != 2 {
		t.Errorf("apps.connections.open called %d times", n)
	}
	id2, err := fake.Send(ctx, Envelope{Type: TypeSlashCommands, Payload: SlashCommand("U2", "D2", "again")})
	if err != nil {
		t.Fatal(err)
	}
	evt = nextEvent(t, ctx, events)
	if evt.Request == nil || evt.Request.EnvelopeID != id2 {
		t.Fatalf("after reconnect got %+v", evt)
	}
	smc.Ack(*evt.Request)
	if ack, err := fake.WaitAck(ctx, id2); err != nil || ack.Payload != nil {
		t.Errorf("payload-less ack %+v, %v", ack, err)
	}
}

func TestSocketModeEventsAPI(t *testing.T) {
	fake := newFake(t)
	ctx := testContext(t)
	_, events := socketClient(t, fake)
	payload := json.RawMessage(`{"type":"event_callback","team_id":"T0TEST","api_app_id":"A0TEST",
		"event":{"type":"app_mention","user":"U1","text":"<@UBOT> hi","channel":"C1","ts":"1.2"}}`)
	id, err := fake.Send(ctx, Envelope{Type: TypeEventsAPI, Payload: payload, RetryAttempt: 1, RetryReason: "timeout"})
	if err != nil {
		t.Fatal(err)
	}
	evt := nextEvent(t, ctx, events)
	api, isEvent := evt.Data.(slackevents.EventsAPIEvent)
	if !isEvent || evt.Request.EnvelopeID != id || evt.Request.AcceptsResponsePayload || evt.Request.RetryAttempt != 1 || evt.Request.RetryReason != "timeout" {
		t.Fatalf("event %+v / request %+v", evt.Data, evt.Request)
	}
	if mention, isMention := api.InnerEvent.Data.(*slackevents.AppMentionEvent); !isMention || mention.Text != "<@UBOT> hi" {
		t.Errorf("inner event %+v", api.InnerEvent.Data)
	}
}

func TestSocketWaitsRespectContext(t *testing.T) {
	fake := newFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := fake.WaitConnected(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitConnected = %v", err)
	}
	if _, err := fake.Send(ctx, Envelope{Type: TypeEventsAPI}); err == nil {
		t.Error("Send without a client succeeded")
	}
	if err := fake.SendDisconnect("warning"); !errors.Is(err, ErrNotConnected) {
		t.Errorf("SendDisconnect = %v", err)
	}
	if _, err := fake.WaitAck(ctx, "nope"); err == nil {
		t.Error("WaitAck for an unsent envelope succeeded")
	}
}

func TestSocketRejectsUnknownTicket(t *testing.T) {
	fake := newFake(t)
	resp, err := http.Get(fake.URL() + "/socket?ticket=forged")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status %d", resp.StatusCode)
	}
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	fake := New()
	fake.PingInterval = 10 * time.Millisecond
	ctx := testContext(t)
	_, events := socketClient(t, fake)
	if err := fake.WaitConnected(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.Send(ctx, Envelope{Type: TypeSlashCommands, Payload: SlashCommand("U1", "C1", "x")}); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, ctx, events)
	fake.Close()

	buf := make([]byte, 1<<20)
	stacks := string(buf[:runtime.Stack(buf, true)])
	for _, g := range strings.Split(stacks, "\n\n") {
		if strings.Contains(g, "fakeslack.(*Server)") || strings.Contains(g, "fakeslack.(*wsConn)") {
			t.Errorf("goroutine left after Close:\n%s", g)
		}
	}
}
