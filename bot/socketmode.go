package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"sync"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// SocketMode feeds the bot from a Socket Mode connection: no public URL is
// needed. Its read loop only decodes an envelope and hands it to
// Bot.Dispatch; handlers run on their own goroutines.
type SocketMode struct {
	bot    *Bot
	client *socketmode.Client
	log    *slog.Logger

	// DownAfter is how long the socket may be down before Healthy
	// reports it; zero means SocketDownThreshold.
	DownAfter time.Duration

	mu        sync.Mutex
	connected bool
	since     time.Time // when connected last changed (or Run began)
	lastErr   string    // why the last connection attempt failed, redacted
}

// SocketDownThreshold is how long Socket Mode may be without a connection
// before Healthy reports it: long enough for a reconnect Slack asked for,
// or a short blip, not to count.
const SocketDownThreshold = 30 * time.Second

// Reconnect back-off: slack-go doubles its own without a useful cap (past
// 50 s after a minute of failures), so Run drives retries itself, from
// reconnectMin doubling to reconnectMax, each ±20 % at random.
const (
	reconnectMin = time.Second
	reconnectMax = 10 * time.Second
	// stableConnection is how long a connection must last for the next
	// drop to be reconnected at once; one that keeps dropping sooner is
	// backed off like a failed attempt, not retried in a tight loop.
	stableConnection = 30 * time.Second
	// ackTimeout bounds handing an ack to slack-go's writer: with no
	// socket its queue fills, and an ack Slack can no longer take must not
	// hold its handler (or shutdown) for ever.
	ackTimeout = 2 * time.Second
)

// NewSocketMode makes a Socket Mode transport. api must have been created
// with slack.OptionAppLevelToken.
func NewSocketMode(b *Bot, api *slack.Client, log *slog.Logger) *SocketMode {
	return &SocketMode{bot: b, client: socketmode.New(api), log: log, since: time.Now()}
}

// Healthy reports false, with the reason, when the socket has not been
// connected for more than SocketDownThreshold.
func (s *SocketMode) Healthy(now time.Time) (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.connected {
		return true, ""
	}
	threshold := s.DownAfter
	if threshold <= 0 {
		threshold = SocketDownThreshold
	}
	down := now.Sub(s.since)
	if down <= threshold {
		return true, ""
	}
	reason := fmt.Sprintf("Slack socket not connected for %s", down.Truncate(time.Second))
	if s.lastErr != "" {
		reason += " (last error: " + s.lastErr + ")"
	}
	return false, reason
}

func (s *SocketMode) setConnected(up bool, now time.Time) (changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.connected == up {
		return false
	}
	s.connected, s.since = up, now
	if up {
		s.lastErr = ""
	}
	if s.bot != nil && s.bot.metrics != nil {
		mt := s.bot.metrics
		v := 0.0
		if up {
			v = 1
		}
		mt.SocketConnected.Set(v)
	}
	return true
}

func (s *SocketMode) setLastErr(reason string) {
	s.mu.Lock()
	s.lastErr = reason
	s.mu.Unlock()
}

// Run connects and serves until ctx ends. Slack's reconnect requests are
// followed, and a lost connection is re-established with a capped back-off
// (see reconnectMax); an invalid app token ends Run with an error.
func (s *SocketMode) Run(ctx context.Context) error {
	s.mu.Lock()
	s.since = time.Now()
	s.mu.Unlock()
	failures := 0
	for {
		retryIn, err := s.runClient(ctx, &failures)
		if err != nil || ctx.Err() != nil {
			return err
		}
		// slack-go's connect loop was stopped after a failed attempt, so
		// that the next one comes after our back-off, not its own.
		t := time.NewTimer(retryIn)
	wait:
		for {
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
				break wait
			case evt := <-s.client.Events:
				s.handle(evt)
			}
		}
	}
}

// runClient runs slack-go's client until ctx ends (nil, nil), the client
// fails for good (an error), or an attempt to connect fails: then it stops
// the client and returns how long to wait before the next attempt.
func (s *SocketMode) runClient(ctx context.Context, failures *int) (time.Duration, error) {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- s.client.RunContext(rctx) }()

	var retryIn time.Duration
	var connectedAt time.Time
	stopped := false
	backOff := func() {
		retryIn = reconnectDelay(*failures)
		*failures++
		stopped = true
		cancel()
	}
	for {
		select {
		case err := <-runErr:
			switch {
			case ctx.Err() != nil:
				return 0, nil
			case stopped:
				return retryIn, nil
			case errors.Is(err, context.Canceled):
				return 0, nil
			}
			if code, ok := appTokenRefusal(err); ok {
				return 0, fmt.Errorf("configuration: SLACK_APP_TOKEN: Slack refused it (%s)", code)
			}
			return 0, fmt.Errorf("socket mode: %s", redactSecrets(err.Error()))
		case evt := <-s.client.Events:
			switch evt.Type {
			case socketmode.EventTypeConnected:
				connectedAt = time.Now()
			case socketmode.EventTypeConnecting:
				// A connection that was up has dropped (slack-go is
				// reconnecting at once).
				if up := connectedAt; !up.IsZero() && !stopped {
					connectedAt = time.Time{}
					if time.Since(up) >= stableConnection {
						*failures = 0
					} else {
						s.handle(evt) // marks the socket down
						backOff()
						s.setLastErr("connection dropped soon after it opened")
						s.log.Warn("socket mode connection keeps dropping; backing off", "attempt", *failures, "retry_in", retryIn.Round(time.Millisecond).String())
						continue
					}
				}
			case socketmode.EventTypeConnectionError:
				if stopped {
					continue
				}
				backOff()
				if ce, ok := evt.Data.(*slack.ConnectionErrorEvent); ok {
					var rl *slack.RateLimitedError
					if errors.As(ce.ErrorObj, &rl) && rl.RetryAfter > retryIn {
						retryIn = rl.RetryAfter
					}
				}
				s.logConnectionError(evt, retryIn, *failures)
				continue
			}
			s.handle(evt)
		}
	}
}

// appTokenRefusal reports the Slack error code when err is Slack refusing
// the app-level token (slack-go gives up connecting on these codes).
func appTokenRefusal(err error) (string, bool) {
	code := err.Error()
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		code = se.Err
	}
	switch code {
	case "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired":
		return code, true
	}
	return "", false
}

// reconnectDelay is the wait before reconnect attempt n+1 after n failures.
func reconnectDelay(failures int) time.Duration {
	d := reconnectMax
	if failures < 8 {
		d = min(reconnectMin<<failures, reconnectMax)
	}
	return d*4/5 + rand.N(d*2/5)
}

func (s *SocketMode) logConnectionError(evt socketmode.Event, retryIn time.Duration, attempt int) {
	reason := "unknown"
	if ce, ok := evt.Data.(*slack.ConnectionErrorEvent); ok && ce.ErrorObj != nil {
		reason = redactSecrets(ce.ErrorObj.Error())
	}
	s.setLastErr(reason)
	s.log.Warn("socket mode could not connect; retrying", "err", reason, "attempt", attempt, "retry_in", retryIn.Round(time.Millisecond).String())
}

func (s *SocketMode) handle(evt socketmode.Event) {
	now := time.Now()
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		// slack-go emits no event when a connection drops; the next
		// "connecting" is the first sign of it.
		if s.setConnected(false, now) {
			s.log.Warn("socket mode connection lost; reconnecting")
		} else {
			s.log.Debug("socket mode connecting")
		}
	case socketmode.EventTypeConnected:
		s.setConnected(true, now)
		s.log.Info("socket mode connected")
	case socketmode.EventTypeConnectionError:
		s.logConnectionError(evt, 0, 0)
	case socketmode.EventTypeInvalidAuth:
		s.setLastErr("Slack refused SLACK_APP_TOKEN")
		s.log.Error("socket mode: Slack refused SLACK_APP_TOKEN")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage:
		s.log.Warn("socket mode: unreadable message from Slack", "type", evt.Type)
	case socketmode.EventTypeErrorWriteFailed:
		s.log.Warn("socket mode: could not write to Slack", "type", evt.Type)
	case socketmode.EventTypeSlashCommand:
		cmd, ok := evt.Data.(slack.SlashCommand)
		if !ok || evt.Request == nil {
			return
		}
		s.dispatch(evt.Request, &Request{
			Kind: KindCommand, UserID: cmd.UserID,
			Command: &cmd, ReceivedAt: now,
		})
	case socketmode.EventTypeInteractive:
		ic, ok := evt.Data.(slack.InteractionCallback)
		if !ok || evt.Request == nil {
			return
		}
		s.dispatch(evt.Request, &Request{
			Kind: KindInteractive, UserID: ic.User.ID,
			Interaction: &ic, ReceivedAt: now,
		})
	case socketmode.EventTypeEventsAPI:
		ev, ok := evt.Data.(slackevents.EventsAPIEvent)
		if !ok || evt.Request == nil {
			return
		}
		s.dispatch(evt.Request, &Request{
			Kind: KindEvent, EventID: eventID(&ev), UserID: eventUser(&ev),
			Event: &ev, ReceivedAt: now,
		})
	}
}

// Secrets that can ride along in connection errors: the websocket URL
// carries a ticket in its query, and tokens start xox?- or xapp-.
var (
	urlPattern   = regexp.MustCompile(`\b([a-zA-Z][a-zA-Z0-9+.-]*://[^/\s"'?]+)[^\s"']*`)
	tokenPattern = regexp.MustCompile(`\b(xox[a-z]|xapp)-[A-Za-z0-9-]+`)
)

// redactSecrets keeps the scheme and host of any URL in msg, drops the
// rest, and blanks tokens.
func redactSecrets(msg string) string {
	msg = urlPattern.ReplaceAllString(msg, "$1/[redacted]")
	return tokenPattern.ReplaceAllString(msg, "$1-[redacted]")
}

func (s *SocketMode) dispatch(env *socketmode.Request, r *Request) {
	r.Retry = env.RetryAttempt
	req := *env
	ok := s.bot.Dispatch(r, func(payload any) {
		ctx, cancel := context.WithTimeout(context.Background(), ackTimeout)
		defer cancel()
		err := s.client.AckCtx(ctx, req.EnvelopeID, payload)
		if err != nil && payload != nil && ctx.Err() == nil {
			// Too large for Socket Mode: acknowledge at least, so Slack
			// does not show the user a time-out.
			s.log.Warn("socket mode ack with payload refused; acknowledging empty", "kind", r.Kind, "err", err)
			err = s.client.AckCtx(ctx, req.EnvelopeID, nil)
		}
		if err != nil {
			s.log.Warn("socket mode ack failed", "kind", r.Kind, "err", err)
		}
	})
	if !ok && s.bot.metrics != nil {
		s.bot.metrics.Deliveries.WithLabelValues(string(r.Kind), "rejected").Inc()
	}
}

// eventID is what identifies an Events API delivery across Slack's
// retries.
func eventID(ev *slackevents.EventsAPIEvent) string {
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		return cb.EventID
	}
	return ""
}

func eventUser(ev *slackevents.EventsAPIEvent) string {
	if e, ok := ev.InnerEvent.Data.(*slackevents.AppHomeOpenedEvent); ok {
		return e.User
	}
	return ""
}
