package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// SocketMode feeds the bot from a Socket Mode connection: no public URL is
// needed. It speaks the protocol itself, over gorilla/websocket, with
// slack-go only for apps.connections.open and the payload types: each
// frame is decoded once in the read loop and handed to Bot.Dispatch
// (handlers run on their own goroutines), and an ack is written by the
// handler that gives it, straight onto the socket under a lock, its payload
// spliced in as encoded rather than encoded again (slack-go's client
// re-encodes, and compacts, every ack's payload, then hands it to one
// writer goroutine through a channel).
type SocketMode struct {
	bot *Bot
	api *slack.Client // for apps.connections.open (the app-level token)
	log *slog.Logger

	// DownAfter is how long the socket may be down before Healthy
	// reports it; zero means SocketDownThreshold.
	DownAfter time.Duration
	// PingTimeout is how long a connection may go without any frame from
	// Slack (Slack pings every few seconds) before it is taken as dead and
	// reopened; zero means pingTimeout.
	PingTimeout time.Duration

	mu        sync.Mutex
	connected bool
	since     time.Time // when connected last changed (or Run began)
	lastErr   string    // why the last connection attempt failed, redacted
	cur       *wsConn   // the connection acks are written on; nil when down
	changed   chan struct{}
}

// SocketDownThreshold is how long Socket Mode may be without a connection
// before Healthy reports it: long enough for a reconnect Slack asked for,
// or a short blip, not to count.
const SocketDownThreshold = 30 * time.Second

// Reconnect back-off: from reconnectMin doubling to reconnectMax, each
// ±20 % at random.
const (
	reconnectMin = time.Second
	reconnectMax = 10 * time.Second
	// stableConnection is how long a connection must last for the next
	// drop to be reconnected at once; one that keeps dropping sooner is
	// backed off like a failed attempt, not retried in a tight loop.
	stableConnection = 30 * time.Second
	// ackTimeout bounds writing an ack: with no socket it waits for one to
	// come back, and an ack Slack can no longer take must not hold its
	// handler (or shutdown) for ever.
	ackTimeout = 2 * time.Second
	// pingTimeout: Slack pings every few seconds; a connection silent for
	// this long is dead however it looks (slack-go's default too).
	pingTimeout = 30 * time.Second
	// handshakeTimeout bounds opening the websocket.
	handshakeTimeout = 45 * time.Second
	// socketWriteTimeout bounds one write on the socket.
	socketWriteTimeout = 10 * time.Second
	// maxAckBytes: Slack silently drops a Socket Mode response of 20 KB or
	// more, so such an ack is refused here instead.
	maxAckBytes = 20 << 10
	// maxFrameBytes bounds one frame from Slack (a view submission of the
	// largest form is well under a megabyte).
	maxFrameBytes = 8 << 20
)

// wsConn is one open Socket Mode websocket. gorilla/websocket allows one
// writer at a time; pongs (WriteControl) may go alongside.
type wsConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
}

// write sends one text message made of parts, in order, without joining
// them first.
func (c *wsConn) write(parts ...[]byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(socketWriteTimeout)); err != nil {
		return err
	}
	w, err := c.ws.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			_ = w.Close()
			return err
		}
	}
	return w.Close()
}

// NewSocketMode makes a Socket Mode transport. api must have been created
// with slack.OptionAppLevelToken.
func NewSocketMode(b *Bot, api *slack.Client, log *slog.Logger) *SocketMode {
	return &SocketMode{bot: b, api: api, log: log, since: time.Now(), changed: make(chan struct{})}
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

// setConn makes c the connection acks go on (nil: none), and marks the
// socket up or down.
func (s *SocketMode) setConn(c *wsConn, now time.Time) (changed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != c {
		s.cur = c
		if s.changed != nil {
			close(s.changed)
		}
		s.changed = make(chan struct{})
	}
	up := c != nil
	if s.connected == up {
		return false
	}
	s.connected, s.since = up, now
	if up {
		s.lastErr = ""
	}
	if s.bot != nil && s.bot.metrics != nil {
		v := 0.0
		if up {
			v = 1
		}
		s.bot.metrics.SocketConnected.Set(v)
	}
	return true
}

func (s *SocketMode) setLastErr(reason string) {
	s.mu.Lock()
	s.lastErr = reason
	s.mu.Unlock()
}

// Run connects and serves until ctx ends. Slack's disconnect requests are
// followed at once, and a lost connection is re-established with a capped
// back-off (see reconnectMax); an invalid app token ends Run with an error.
func (s *SocketMode) Run(ctx context.Context) error {
	s.mu.Lock()
	s.since = time.Now()
	s.mu.Unlock()
	defer s.setConn(nil, time.Now())
	failures := 0
	for {
		if ctx.Err() != nil {
			return nil
		}
		c, err := s.open(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if code, ok := appTokenRefusal(err); ok {
				s.setLastErr("Slack refused SLACK_APP_TOKEN")
				return fmt.Errorf("configuration: SLACK_APP_TOKEN: Slack refused it (%s)", code)
			}
			if se, ok := errors.AsType[slack.StatusCodeError](err); ok && se.Code == http.StatusNotFound {
				s.setLastErr("Slack refused SLACK_APP_TOKEN")
				return fmt.Errorf("socket mode: %s", redactSecrets(err.Error()))
			}
			retryIn := reconnectDelay(failures)
			failures++
			if rl, ok := errors.AsType[*slack.RateLimitedError](err); ok && rl.RetryAfter > retryIn {
				retryIn = rl.RetryAfter
			}
			reason := redactSecrets(err.Error())
			s.setLastErr(reason)
			s.log.Warn("socket mode could not connect; retrying", "err", reason, "attempt", failures, "retry_in", retryIn.Round(time.Millisecond).String())
			if !sleepCtx(ctx, retryIn) {
				return nil
			}
			continue
		}

		openedAt := time.Now()
		asked := s.serve(ctx, c)
		_ = c.ws.Close()
		if ctx.Err() != nil {
			return nil
		}
		if s.setConn(nil, time.Now()) && !asked {
			s.log.Warn("socket mode connection lost; reconnecting")
		}
		if asked || time.Since(openedAt) >= stableConnection {
			failures = 0
			continue
		}
		// A connection that keeps dropping soon after it opened is backed
		// off like a failed attempt.
		retryIn := reconnectDelay(failures)
		failures++
		s.setLastErr("connection dropped soon after it opened")
		s.log.Warn("socket mode connection keeps dropping; backing off", "attempt", failures, "retry_in", retryIn.Round(time.Millisecond).String())
		if !sleepCtx(ctx, retryIn) {
			return nil
		}
	}
}

// sleepCtx waits d; false if ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// open asks Slack for a Socket Mode URL and opens the websocket.
func (s *SocketMode) open(ctx context.Context) (*wsConn, error) {
	s.log.Debug("socket mode connecting")
	_, wsURL, err := s.api.StartSocketModeContext(ctx)
	if err != nil {
		return nil, err
	}
	dialer := &websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: handshakeTimeout,
		WriteBufferSize:  32 << 10, // most acks in one frame
	}
	header := http.Header{}
	header.Add("Origin", "https://api.slack.com")
	ws, resp, err := dialer.DialContext(ctx, wsURL, header)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(maxFrameBytes)
	return &wsConn{ws: ws}, nil
}

// borrowed is JSON left encoded without being copied out of the frame it
// was read from: an envelope's payload is decoded before the read loop
// reads the next frame into the same buffer, and never kept.
type borrowed []byte

func (b *borrowed) UnmarshalJSON(data []byte) error {
	*b = data
	return nil
}

// envelope is one Socket Mode message from Slack, its payload left encoded
// until its type is known.
type envelope struct {
	Type         string   `json:"type"`
	EnvelopeID   string   `json:"envelope_id"`
	Payload      borrowed `json:"payload"`
	RetryAttempt int      `json:"retry_attempt"`
	Reason       string   `json:"reason"` // of a disconnect
}

// serve reads c until it fails, ctx ends, Slack asks for a reconnect
// (asked is then true) or Slack falls silent for the ping timeout. c is
// made the ack connection when Slack says hello.
func (s *SocketMode) serve(ctx context.Context, c *wsConn) (asked bool) {
	silence := s.PingTimeout
	if silence <= 0 {
		silence = pingTimeout
	}
	alive := func() { _ = c.ws.SetReadDeadline(time.Now().Add(silence)) }
	alive()
	c.ws.SetPingHandler(func(data string) error {
		alive()
		err := c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(socketWriteTimeout))
		if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
			s.log.Debug("socket mode: could not answer a ping", "err", err)
		}
		return nil
	})
	stop := context.AfterFunc(ctx, func() { _ = c.ws.Close() })
	defer stop()

	var buf bytes.Buffer
	bad := 0
	greeted := false // Slack said hello on c
	for {
		_, rd, err := c.ws.NextReader()
		if err != nil {
			if ctx.Err() == nil {
				s.log.Debug("socket mode read ended", "err", redactSecrets(err.Error()))
			}
			return false
		}
		buf.Reset()
		if _, err := buf.ReadFrom(rd); err != nil {
			return false
		}
		alive()
		var env envelope
		if err := json.Unmarshal(buf.Bytes(), &env); err != nil {
			// A frame we cannot read: say so, and reconnect if Slack
			// keeps sending them. A delivery whose envelope_id could
			// be read (json.Unmarshal reads on past a field of the
			// wrong type) is acknowledged empty, so Slack does not
			// send it again and again.
			if env.EnvelopeID != "" && isDelivery(env.Type) {
				s.unreadable(&env)
				continue
			}
			s.log.Warn("socket mode: unreadable message from Slack", "type", "bad_message")
			if bad++; bad >= 10 {
				return false
			}
			continue
		}
		bad = 0
		switch env.Type {
		case "hello":
			greeted = true
			if s.setConn(c, time.Now()) {
				s.log.Info("socket mode connected")
			}
		case "disconnect":
			// Slack is moving this connection (refresh_requested, warning…):
			// open a new one at once.
			s.log.Info("socket mode: Slack asked to reconnect", "reason", env.Reason)
			// Before hello the connection never served (Socket Mode
			// turned off for the app, link_disabled, say): reconnecting
			// at once would loop; Run backs off as after a failure.
			return greeted
		default:
			s.deliver(&env)
		}
	}
}

// deliver decodes an envelope's payload by its type and dispatches it.
func (s *SocketMode) deliver(env *envelope) {
	now := time.Now()
	r := &Request{ReceivedAt: now, Retry: env.RetryAttempt}
	switch env.Type {
	case "slash_commands":
		cmd, err := decodeSlashCommand(env.Payload)
		if err != nil {
			s.unreadable(env)
			return
		}
		r.Kind, r.UserID, r.Command = KindCommand, cmd.UserID, cmd
	case "interactive":
		var ic slack.InteractionCallback
		if err := json.Unmarshal(env.Payload, &ic); err != nil {
			s.unreadable(env)
			return
		}
		r.Kind, r.UserID, r.Interaction = KindInteractive, ic.User.ID, &ic
	case "events_api":
		ev, err := slackevents.ParseEvent(json.RawMessage(bytes.Clone(env.Payload)), slackevents.OptionNoVerifyToken())
		if err != nil {
			s.unreadable(env)
			return
		}
		r.Kind, r.EventID, r.UserID, r.Event = KindEvent, eventID(&ev), eventUser(&ev), &ev
	default:
		s.log.Debug("socket mode: message of a type not handled", "type", env.Type)
		return
	}
	s.dispatch(env.EnvelopeID, r)
}

// decodeSlashCommand decodes a slash command's payload in one pass:
// slack-go's own UnmarshalJSON decodes it twice over to read
// is_enterprise_install, which may be a boolean or a string. The alias has
// SlashCommand's fields without its UnmarshalJSON; the outer field takes
// is_enterprise_install as it comes.
func decodeSlashCommand(payload []byte) (*slack.SlashCommand, error) {
	type alias slack.SlashCommand
	var cmd slack.SlashCommand
	aux := struct {
		*alias
		IsEnterpriseInstall json.RawMessage `json:"is_enterprise_install"`
	}{alias: (*alias)(&cmd)}
	if err := json.Unmarshal(payload, &aux); err != nil {
		return nil, err
	}
	if raw := aux.IsEnterpriseInstall; len(raw) > 0 && string(raw) != "null" {
		if json.Unmarshal(raw, &cmd.IsEnterpriseInstall) != nil {
			// As slack-go: a string strconv.ParseBool reads, or nothing.
			var str string
			if json.Unmarshal(raw, &str) != nil {
				return nil, fmt.Errorf("is_enterprise_install: not a boolean")
			}
			b, err := strconv.ParseBool(str)
			if err != nil {
				return nil, fmt.Errorf("is_enterprise_install: %w", err)
			}
			cmd.IsEnterpriseInstall = b
		}
	}
	return &cmd, nil
}

// isDelivery reports whether typ is an envelope type that carries a
// delivery to acknowledge.
func isDelivery(typ string) bool {
	switch typ {
	case "slash_commands", "interactive", "events_api":
		return true
	}
	return false
}

// unreadable acknowledges an envelope whose payload cannot be read (so
// Slack does not resend it) and says so, naming only its type. The ack is
// written on a goroutine of its own: the read loop, which calls this, must
// not wait for a connection (before hello there is none to write on, and
// only the read loop can read the hello).
func (s *SocketMode) unreadable(env *envelope) {
	s.log.Warn("socket mode: unreadable message from Slack", "type", env.Type)
	if env.EnvelopeID != "" {
		id := env.EnvelopeID
		go func() { _ = s.ack(time.Now().Add(ackTimeout), id, nil) }()
	}
}

// ack writes the acknowledgement of envelopeID, with payload (nil for
// none; a json.RawMessage is written as it is, so it must be valid JSON,
// as json.Marshal makes it). With no connection it waits for one until ctx
// passes deadline.
func (s *SocketMode) ack(deadline time.Time, envelopeID string, payload any) error {
	head, raw, tail, err := ackMessage(envelopeID, payload)
	if err != nil {
		return err
	}
	s.mu.Lock()
	c := s.cur
	s.mu.Unlock()
	if c != nil {
		if err := c.write(head, raw, tail); err == nil {
			return nil
		}
		// The connection broke. The read loop, which may be the caller
		// (an answer given inline), will replace it: the ack waits for
		// that on a goroutine of its own.
		go func() {
			if err := s.ackOnNext(deadline, c, head, raw, tail); err != nil {
				s.log.Warn("socket mode ack failed", "err", err)
			}
		}()
		return nil
	}
	return s.ackOnNext(deadline, nil, head, raw, tail)
}

// ackOnNext writes an ack on the first connection other than failed that
// takes it before deadline.
func (s *SocketMode) ackOnNext(deadline time.Time, failed *wsConn, parts ...[]byte) error {
	var timer *time.Timer // made only when the ack has to wait
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		s.mu.Lock()
		c, changed := s.cur, s.changed
		s.mu.Unlock()
		if c != nil && c != failed {
			if err := c.write(parts...); err == nil {
				return nil
			}
			failed = c // broken: wait for the read loop to replace it
			continue
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return errAckTimeout
		}
		if timer == nil {
			timer = time.NewTimer(wait)
		}
		select {
		case <-timer.C:
			return errAckTimeout
		case <-changed:
		}
	}
}

// ackMessage encodes {"envelope_id":…,"payload":…} as three parts, the
// middle one the payload: a json.RawMessage as it is, anything else
// encoded.
func ackMessage(envelopeID string, payload any) (head, raw, tail []byte, err error) {
	switch p := payload.(type) {
	case nil:
	case json.RawMessage:
		raw = p
	default:
		if raw, err = json.Marshal(p); err != nil {
			return nil, nil, nil, fmt.Errorf("socket mode ack: %w", err)
		}
	}
	id, err := json.Marshal(envelopeID)
	if err != nil {
		return nil, nil, nil, err
	}
	head = make([]byte, 0, len(`{"envelope_id":,"payload":`)+len(id))
	head = append(head, `{"envelope_id":`...)
	head = append(head, id...)
	if raw != nil {
		head = append(head, `,"payload":`...)
	}
	tail = closeBrace
	if n := len(head) + len(raw) + len(tail); n >= maxAckBytes {
		return nil, nil, nil, fmt.Errorf("socket mode ack of %d bytes: Slack drops %d or more", n, maxAckBytes)
	}
	return head, raw, tail, nil
}

var closeBrace = []byte("}")

// errAckTimeout: no connection could take the ack within ackTimeout.
var errAckTimeout = errors.New("socket mode ack: no connection to Slack within the time allowed")

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

func (s *SocketMode) dispatch(envelopeID string, r *Request) {
	ok := s.bot.Dispatch(r, func(payload any) {
		deadline := time.Now().Add(ackTimeout)
		err := s.ack(deadline, envelopeID, payload)
		if err != nil && payload != nil && time.Now().Before(deadline) {
			// Too large for Socket Mode: acknowledge at least, so Slack
			// does not show the user a time-out.
			s.log.Warn("socket mode ack with payload refused; acknowledging empty", "kind", r.Kind, "err", err)
			err = s.ack(deadline, envelopeID, nil)
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
