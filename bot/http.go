package bot

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
)

// maxBody is far above anything Slack sends (a view submission with every
// field full is well under 100 KiB).
const maxBody = 1 << 20

// HTTP serves Slack's request URLs: /slack/commands, /slack/interactions
// and /slack/events. Every request's signature is checked against the raw
// body before anything in it is read.
type HTTP struct {
	bot    *Bot
	secret string
	log    *slog.Logger
}

// NewHTTP makes the HTTP-mode transport.
func NewHTTP(b *Bot, signingSecret string, log *slog.Logger) *HTTP {
	return &HTTP{bot: b, secret: signingSecret, log: log}
}

// Register adds the three Slack endpoints to mux.
func (h *HTTP) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", h.verified(h.commands))
	mux.HandleFunc("POST /slack/interactions", h.verified(h.interactions))
	mux.HandleFunc("POST /slack/events", h.verified(h.events))
}

// verified reads the body, checks X-Slack-Signature over it and the
// request timestamp's five-minute window, and only then calls next.
func (h *HTTP) verified(next func(http.ResponseWriter, *http.Request, []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, h.secret)
		if err == nil {
			_, _ = sv.Write(body)
			err = sv.Ensure()
		}
		if err != nil {
			h.log.Warn("rejected Slack request with a bad or stale signature", "path", r.URL.Path, "reason", verifyReason(err))
			if h.bot.metrics != nil {
				h.bot.metrics.Deliveries.WithLabelValues(kindForPath(r.URL.Path), "unauthorized").Inc()
			}
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		next(w, r, body)
	}
}

func verifyReason(err error) string {
	switch {
	case errors.Is(err, slack.ErrExpiredTimestamp):
		return "stale timestamp"
	case errors.Is(err, slack.ErrMissingHeaders):
		return "missing headers"
	}
	return "signature mismatch"
}

func kindForPath(p string) string {
	switch p {
	case "/slack/commands":
		return string(KindCommand)
	case "/slack/interactions":
		return string(KindInteractive)
	}
	return string(KindEvent)
}

func retryNum(r *http.Request) int {
	n, _ := strconv.Atoi(r.Header.Get("X-Slack-Retry-Num"))
	return n
}

func (h *HTTP) commands(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	cmd := slack.SlashCommand{
		Token: form.Get("token"), TeamID: form.Get("team_id"), TeamDomain: form.Get("team_domain"),
		EnterpriseID: form.Get("enterprise_id"), ChannelID: form.Get("channel_id"),
		ChannelName: form.Get("channel_name"), UserID: form.Get("user_id"), UserName: form.Get("user_name"),
		Command: form.Get("command"), Text: form.Get("text"), ResponseURL: form.Get("response_url"),
		TriggerID: form.Get("trigger_id"), APIAppID: form.Get("api_app_id"),
	}
	h.serve(w, r, &Request{
		Kind: KindCommand, UserID: cmd.UserID, Command: &cmd,
	})
}

func (h *HTTP) interactions(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &ic); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	h.serve(w, r, &Request{
		Kind: KindInteractive, UserID: ic.User.ID, Interaction: &ic,
	})
}

func (h *HTTP) events(w http.ResponseWriter, r *http.Request, body []byte) {
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if ev.Type == slackevents.URLVerification {
		var ch slackevents.ChallengeResponse
		if err := json.Unmarshal(body, &ch); err != nil {
			http.Error(w, "bad challenge", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte(ch.Challenge))
		return
	}
	h.serve(w, r, &Request{Kind: KindEvent, EventID: eventID(&ev), UserID: eventUser(&ev), Event: &ev})
}

// serve hands the delivery to the bot and answers Slack with whatever the
// handler acknowledges with. The bot acknowledges empty on its own if a
// handler takes too long, so this always answers within Slack's window.
func (h *HTTP) serve(w http.ResponseWriter, r *http.Request, req *Request) {
	req.Retry = retryNum(r)
	req.ReceivedAt = time.Now()
	acks := make(chan any, 1)
	if !h.bot.Dispatch(req, func(payload any) { acks <- payload }) {
		if h.bot.metrics != nil {
			h.bot.metrics.Deliveries.WithLabelValues(string(req.Kind), "rejected").Inc()
		}
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	select {
	case payload := <-acks:
		if payload == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		var buf bytes.Buffer
		if err := json.NewEncoder(&buf).Encode(payload); err != nil {
			h.log.Error("could not encode ack", "kind", req.Kind, "err", err)
			w.WriteHeader(http.StatusOK)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(buf.Bytes())
	case <-r.Context().Done():
	}
}
