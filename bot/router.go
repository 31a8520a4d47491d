package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/caseconf/caseconf"
)

// Kind is the sort of Slack delivery.
type Kind string

// The kinds of delivery, as used in metrics and logs.
const (
	KindCommand     Kind = "slash_command"
	KindInteractive Kind = "interactive"
	KindEvent       Kind = "event"
)

// Request is one delivery from Slack, whichever transport brought it.
type Request struct {
	Kind Kind
	// EventID identifies an Events API delivery across Slack's retries.
	// Slack retries events (never slash commands or interactions), so a
	// handler whose event has effects records it in the transaction of
	// its effect, or makes the effect idempotent.
	EventID     string
	Retry       int // Slack's retry count; 0 on the first delivery
	ReceivedAt  time.Time
	UserID      string
	Command     *slack.SlashCommand
	Interaction *slack.InteractionCallback
	Event       *slackevents.EventsAPIEvent

	ackFn   func(payload any)
	ackOnce sync.Once
	acked   atomic.Bool
	bot     *Bot
}

type command struct {
	name, args, summary string
	run                 CommandFunc
	admin               bool // administrators only: to anyone else it does not exist
	// answer, when set, is the command's whole answer, encoded: it needs
	// nothing but itself (help), so Dispatch gives it inline, without run.
	answer func() json.RawMessage
}

// CommandFunc runs one /caseconf subcommand with the words after it.
type CommandFunc func(ctx context.Context, r *Request, args []string)

// HandlerFunc handles one interaction or event delivery. It must call
// r.Ack (or a reply helper that does) within Slack's three seconds; slow
// work goes after the ack.
type HandlerFunc func(ctx context.Context, r *Request)

// Registration happens while the bot is built (each feature file
// registers its own handlers); registering after it starts serving is
// not safe. A name registered twice is a mistake that would silently
// replace the first handler: it panics, so the bot is never built with
// one.

// HandleCommand registers the /caseconf subcommand name. args and summary
// make its line in help.
func (b *Bot) HandleCommand(name, args, summary string, run CommandFunc) {
	if _, ok := b.commands[name]; ok {
		panic(fmt.Sprintf("bot: the command %q is registered twice", name))
	}
	b.commands[name] = &command{name: name, args: args, summary: summary, run: run}
	b.order = append(b.order, name)
}

// HandleAdminCommand registers a subcommand for administrators only
// (CASECONF_ADMINS). Anyone else gets exactly the unknown-command answer,
// and help does not list it.
func (b *Bot) HandleAdminCommand(name, args, summary string, run CommandFunc) {
	b.HandleCommand(name, args, summary, run)
	b.commands[name].admin = true
}

// HandleAction registers the handler of a button (or other block action)
// whose action_id is name, or starts with name and a colon
// ("respond:attending").
func (b *Bot) HandleAction(name string, h HandlerFunc) { register(b.actions, "action", name, h) }

// HandleView registers the handler of a modal's submission by its
// callback_id.
func (b *Bot) HandleView(callbackID string, h HandlerFunc) { register(b.views, "view", callbackID, h) }

// HandleEvent registers the handler of an Events API event type
// ("app_home_opened"). The delivery is acknowledged before the handler
// runs; see Request.EventID about Slack's retries.
func (b *Bot) HandleEvent(eventType string, h HandlerFunc) { register(b.events, "event", eventType, h) }

// register adds h to handlers under name, once.
func register(handlers map[string]HandlerFunc, what, name string, h HandlerFunc) {
	if _, ok := handlers[name]; ok {
		panic(fmt.Sprintf("bot: the %s %q is registered twice", what, name))
	}
	handlers[name] = h
}

// Ack sends Slack the immediate answer to this delivery: nil for a plain
// acknowledgement, a message for a slash command's ephemeral reply, or a
// response_action for a view submission. Only the first call counts; Ack
// reports whether this call was it.
func (r *Request) Ack(payload any) bool {
	sent := false
	r.ackOnce.Do(func() {
		sent = true
		r.acked.Store(true)
		// Observed before the ack is written, so whoever reads the ack
		// also finds it counted.
		if r.bot.metrics != nil {
			r.bot.metrics.AckLatency.WithLabelValues(string(r.Kind)).Observe(time.Since(r.ReceivedAt).Seconds())
		}
		r.ackFn(payload)
		r.bot.unacked.Done()
	})
	if !sent && payload != nil {
		r.bot.lateAnswer(r, payload)
	}
	return sent
}

// ephemeral is a slash-command reply only the caller sees.
type ephemeral struct {
	ResponseType    string        `json:"response_type"`
	Text            string        `json:"text"`
	Blocks          []slack.Block `json:"blocks,omitempty"`
	ReplaceOriginal bool          `json:"replace_original,omitempty"`
}

// maxAckReply is the largest reply sent inside an acknowledgement; Socket
// Mode drops acks of 20 KB or more, so anything near that goes through the
// response_url instead.
const maxAckReply = 12 << 10

// Reply answers the user privately: in the acknowledgement if it has not
// been sent yet (and the reply is small), otherwise through the delivery's
// response_url.
func (r *Request) Reply(ctx context.Context, text string, blocks ...slack.Block) {
	// Within one Slack message, as every posted message is (the last
	// guard: cut short, saying so, with its buttons kept).
	blocks = message{Text: text, Blocks: blocks}.fitted().Blocks
	msg := ephemeral{ResponseType: slack.ResponseTypeEphemeral, Text: text, Blocks: blocks}
	// Encoded once: the size check and the ack share the bytes.
	if raw, err := json.Marshal(msg); err == nil && len(raw) < maxAckReply && r.Ack(json.RawMessage(raw)) {
		return
	}
	r.Ack(nil) // a no-op if the ack went already

	url := r.responseURL()
	if url == "" {
		r.bot.log.Warn("no response_url to reply through", "kind", r.Kind)
		return
	}
	wm := &slack.WebhookMessage{ResponseType: msg.ResponseType, Text: text}
	if len(blocks) > 0 {
		wm.Blocks = &slack.Blocks{BlockSet: blocks}
	}
	if err := slack.PostWebhookCustomHTTPContext(ctx, url, r.bot.http, wm); err != nil {
		// The URL is a credential: log what failed, never the URL.
		r.bot.log.Warn("reply through response_url failed", "kind", r.Kind, "err", redactURLError(err))
	}
}

// redactURLError drops the URL from a *url.Error.
func redactURLError(err error) string {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

func (r *Request) responseURL() string {
	switch {
	case r.Command != nil:
		return r.Command.ResponseURL
	case r.Interaction != nil && r.Interaction.ResponseURL != "":
		return r.Interaction.ResponseURL
	case r.Interaction != nil && len(r.Interaction.ResponseURLs) > 0:
		return r.Interaction.ResponseURLs[0].ResponseURL
	}
	return ""
}

// Dispatch takes one delivery from a transport. It returns false, having
// done nothing, when the bot is draining; otherwise it runs the delivery in
// its own goroutine, so a transport's read loop never waits on a handler.
// ack is called exactly once, from that goroutine — or, for an answer that
// needs nothing but itself (help), at once from the caller's: ack must not
// wait on the caller.
func (b *Bot) Dispatch(r *Request, ack func(payload any)) bool {
	if !b.start() {
		return false
	}
	r.bot = b
	r.ackFn = ack
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = time.Now()
	}
	if raw, ok := b.inlineAnswer(r); ok {
		// Help needs nothing but itself: answered here, on the
		// transport's goroutine, with no goroutine, timer or context of
		// its own, so that a burst of it costs as little as it can.
		r.Ack(raw)
		if b.metrics != nil {
			b.metrics.Deliveries.WithLabelValues(string(r.Kind), "handled").Inc()
		}
		b.inflight.Done()
		return true
	}
	// Slack gives up after three seconds: a handler that has not answered
	// by then is acknowledged empty, and its reply goes by response_url.
	timer := time.AfterFunc(ackDeadline, func() {
		if !r.acked.Load() {
			b.log.Warn("handler did not acknowledge in time; acknowledged empty", "kind", r.Kind)
			r.Ack(nil)
		}
	})
	b.handlers.run(func() {
		defer b.inflight.Done()
		defer timer.Stop()
		ctx, cancel := context.WithTimeout(b.work, handlerTimeout)
		defer cancel()
		b.deliver(ctx, r)
	})
	return true
}

// inlineAnswer is the answer of a delivery that needs nothing but itself:
// a command registered with an answer, when that answer could be encoded.
func (b *Bot) inlineAnswer(r *Request) (json.RawMessage, bool) {
	if r.Kind != KindCommand || r.Command == nil {
		return nil, false
	}
	name, _ := parseCommand(r.Command.Text)
	cmd, ok := b.commands[name]
	if !ok || cmd.answer == nil || cmd.admin {
		return nil, false
	}
	raw := cmd.answer()
	return raw, raw != nil
}

// workers runs each function on a goroutine of its own at once, reusing
// one that has finished its last function within workerIdle instead of
// starting another: a goroutine kept has its stack grown already, where a
// new one grows it again for every delivery. There is no limit: a
// delivery never waits for a worker.
type workers struct {
	idle chan func() // unbuffered: a send succeeds only to a waiting worker
	once sync.Once
}

// workerIdle is how long a worker waits for more work before it ends.
const workerIdle = 10 * time.Second

func (w *workers) run(f func()) {
	w.once.Do(func() { w.idle = make(chan func()) })
	select {
	case w.idle <- f:
	default:
		go w.loop(f)
	}
}

func (w *workers) loop(f func()) {
	t := time.NewTimer(workerIdle)
	defer t.Stop()
	for {
		f()
		f = nil // not kept alive while idle
		t.Reset(workerIdle)
		select {
		case f = <-w.idle:
		case <-t.C:
			return
		}
	}
}

const (
	// ackDeadline is when an unanswered delivery is acknowledged empty,
	// inside Slack's three seconds.
	ackDeadline = 2500 * time.Millisecond
	// handlerTimeout bounds everything one delivery does after its ack
	// (sending a conference's invitations, say, through Slack's rate
	// limits).
	handlerTimeout = 2 * time.Minute
	// lateAnswerTimeout bounds telling a user by DM that their form was
	// answered too late.
	lateAnswerTimeout = 15 * time.Second
)

// deliver recognises retries, runs the handler with panic recovery, and
// makes sure the delivery is acknowledged whatever happens.
func (b *Bot) deliver(ctx context.Context, r *Request) {
	outcome := "handled"
	defer func() {
		if p := recover(); p != nil {
			outcome = "panic"
			b.recovered(ctx, r, p)
		}
		r.Ack(nil)
		if b.metrics != nil {
			b.metrics.Deliveries.WithLabelValues(string(r.Kind), outcome).Inc()
		}
	}()

	if r.Kind == KindEvent {
		r.Ack(nil) // events carry no answer: acknowledge before anything slow
	}
	// Nothing else comes before the handler: Slack does not retry slash
	// commands or interactions, so there is no retry to recognise, and
	// each effect carries its own idempotency (a form's view ID, a status
	// guard, the same answer twice being no change).

	h, name := b.route(r)
	if h == nil {
		outcome = "ignored"
		b.log.Debug("no handler for delivery", "kind", r.Kind, "route", name)
		return
	}
	start := time.Now()
	h(ctx, r)
	if r.Kind == KindInteractive {
		// A click or form may change what the user's Home shows.
		b.RefreshHome(r.UserID)
	}
	b.log.Debug("delivery handled", "kind", r.Kind, "route", name, "duration", time.Since(start))
}

// route finds the handler for a delivery and a name for it (safe to log: a
// subcommand, action_id, callback_id or event type, never user text).
func (b *Bot) route(r *Request) (HandlerFunc, string) {
	switch r.Kind {
	case KindCommand:
		name, args := parseCommand(r.Command.Text)
		cmd, ok := b.commands[name]
		if !ok || (cmd.admin && caseconf.CanGovern(b.viewer(r.UserID)) != nil) {
			return b.unknownCommand, "unknown"
		}
		return func(ctx context.Context, r *Request) { cmd.run(ctx, r, args) }, name
	case KindInteractive:
		ic := r.Interaction
		switch ic.Type {
		case slack.InteractionTypeBlockActions:
			if len(ic.ActionCallback.BlockActions) == 0 {
				return nil, "no_action"
			}
			id := ic.ActionCallback.BlockActions[0].ActionID
			return b.actions[actionName(id)], id
		case slack.InteractionTypeViewSubmission:
			// Only submissions: no modal asks to be told when it closes.
			id := ic.View.CallbackID
			return b.views[id], id
		}
		return nil, string(ic.Type)
	case KindEvent:
		if r.Event == nil {
			return nil, "none"
		}
		t := r.Event.InnerEvent.Type
		return b.events[t], t
	}
	return nil, "unknown"
}

// actionName is the part of an action_id before the first colon: buttons
// carry their subject after it ("respond:attending").
func actionName(id string) string {
	name, _, _ := strings.Cut(id, ":")
	return name
}

// parseCommand splits "/caseconf show CC-0001" text into a lower-case
// subcommand and its arguments. No text means help.
func parseCommand(text string) (string, []string) {
	f := strings.Fields(text)
	if len(f) == 0 {
		return "help", nil
	}
	return strings.ToLower(f[0]), f[1:]
}

// recovered logs a handler panic and tells the user. The panic value is
// logged only when it is a runtime error: any other value may carry user
// text.
func (b *Bot) recovered(ctx context.Context, r *Request, p any) {
	val := "withheld (not a runtime error)"
	if re, ok := p.(runtime.Error); ok {
		val = re.Error()
	} else if err, ok := p.(error); ok && errors.Is(err, context.Canceled) {
		val = err.Error()
	}
	b.log.Error("handler panicked", "kind", r.Kind, "panic", val, "stack", string(debug.Stack()))
	const sorry = "Sorry — something went wrong on our side and that did not finish. Please try again; if it keeps happening, tell your caseconf administrator."
	if r.Kind == KindCommand {
		r.Reply(ctx, sorry)
		return
	}
	if r.Kind == KindInteractive && r.UserID != "" && b.api != nil {
		r.Ack(nil)
		if _, _, err := b.api.PostMessageContext(ctx, r.UserID, slack.MsgOptionText(sorry, false)); err != nil {
			b.log.Warn("could not tell user about a failure", "err", err)
		}
	}
}
