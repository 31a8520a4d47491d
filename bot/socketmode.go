package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
}

// NewSocketMode makes a Socket Mode transport. api must have been created
// with slack.OptionAppLevelToken.
func NewSocketMode(b *Bot, api *slack.Client, log *slog.Logger) *SocketMode {
	return &SocketMode{bot: b, client: socketmode.New(api), log: log}
}

// Run connects and serves until ctx ends. Slack's reconnect requests are
// followed; an invalid app token ends Run with an error.
func (s *SocketMode) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- s.client.RunContext(ctx) }()

	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-runErr:
			if ctx.Err() != nil || errors.Is(err, context.Canceled) {
				return nil
			}
			return fmt.Errorf("socket mode: %w", err)
		case evt := <-s.client.Events:
			s.handle(evt)
		}
	}
}

func (s *SocketMode) handle(evt socketmode.Event) {
	now := time.Now()
	switch evt.Type {
	case socketmode.EventTypeConnecting:
		s.log.Debug("socket mode connecting")
	case socketmode.EventTypeConnected:
		s.log.Info("socket mode connected")
	case socketmode.EventTypeConnectionError:
		s.log.Warn("socket mode connection error; retrying")
	case socketmode.EventTypeInvalidAuth:
		s.log.Error("socket mode: Slack refused SLACK_APP_TOKEN")
	case socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage:
		s.log.Warn("socket mode: unreadable message from Slack", "type", evt.Type)
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

func (s *SocketMode) dispatch(env *socketmode.Request, r *Request) {
	r.Retry = env.RetryAttempt
	req := *env
	ok := s.bot.Dispatch(r, func(payload any) {
		var err error
		if payload == nil {
			err = s.client.Ack(req)
		} else if err = s.client.Ack(req, payload); err != nil {
			// Too large for Socket Mode: acknowledge at least, so Slack
			// does not show the user a time-out.
			s.log.Warn("socket mode ack with payload refused; acknowledging empty", "kind", r.Kind, "err", err)
			err = s.client.Ack(req)
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
