// Package bot is everything Slack: the router that turns slash commands,
// interactions and events into handler calls, the Socket Mode and HTTP
// transports that feed it, and the handlers and Block Kit views themselves.
package bot

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/metrics"
	"github.com/caseconf/caseconf/store"
)

// Bot routes Slack deliveries to handlers. Create it with New; it is safe
// for concurrent use by both transports at once.
type Bot struct {
	api     *slack.Client
	http    *http.Client // for response_url posts
	store   *store.DB
	log     *slog.Logger
	metrics *metrics.Metrics
	admins  map[string]bool
	cal     caseconf.Calendar
	now     func() time.Time

	commands map[string]*command
	order    []string // command names in the order help lists them
	actions  map[string]handlerFunc
	views    map[string]handlerFunc
	events   map[string]handlerFunc

	// work is the context handlers run in. It outlives the transports'
	// contexts so that in-flight work finishes during a graceful shutdown.
	work       context.Context
	cancelWork context.CancelFunc

	mu       sync.Mutex // guards draining and inflight.Add
	draining bool
	inflight sync.WaitGroup
}

// Options are what New needs.
type Options struct {
	API        *slack.Client
	HTTPClient *http.Client
	Store      *store.DB
	Log        *slog.Logger
	Metrics    *metrics.Metrics
	Admins     []string
	Calendar   caseconf.Calendar
	Now        func() time.Time
}

// New builds a Bot with every handler registered.
func New(o Options) *Bot {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Calendar.Loc == nil {
		o.Calendar = caseconf.NewCalendar(time.UTC, nil)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	b := &Bot{
		api:      o.API,
		http:     o.HTTPClient,
		store:    o.Store,
		log:      o.Log,
		metrics:  o.Metrics,
		admins:   map[string]bool{},
		cal:      o.Calendar,
		now:      o.Now,
		commands: map[string]*command{},
		actions:  map[string]handlerFunc{},
		views:    map[string]handlerFunc{},
		events:   map[string]handlerFunc{},
	}
	for _, a := range o.Admins {
		b.admins[a] = true
	}
	b.work, b.cancelWork = context.WithCancel(context.Background())
	b.register()
	return b
}

// register wires every handler. Each feature adds its lines here.
func (b *Bot) register() {
	b.HandleCommand("new", "", "Call a new case conference (opens a form)", b.cmdNew)
	b.HandleCommand("list", "", "Your upcoming conferences", b.cmdList)
	b.HandleCommand("show", "REF", "Show a conference, e.g. `/caseconf show CC-0001`", b.cmdShow)
	b.HandleCommand("cancel", "REF", "Cancel a conference you called", b.cmdCancel)
	b.HandleCommand("help", "", "Show this list of commands", b.cmdHelp)
	b.views[viewSchedule] = b.submitSchedule
	b.views[viewAgreement] = b.submitAgreement
	b.views[viewColleague] = b.submitColleague
	b.views[viewCancel] = b.submitCancel
	b.actions[actionAgree] = b.clickAgree
	b.actions[actionRespond] = b.clickRespond
	b.actions[actionLetter] = b.clickLetter
}

// viewer is the store's view of who is asking.
func (b *Bot) viewer(userID string) store.Viewer {
	return store.Viewer{UserID: userID, Admin: b.admins[userID]}
}

// Drain stops the bot taking new deliveries and waits until the handlers
// already running have finished or ctx ends; then it cancels whatever is
// still running. Deliveries refused while draining are not acknowledged, so
// Slack sends them again (to another replica, or to this one after restart).
func (b *Bot) Drain(ctx context.Context) error {
	b.mu.Lock()
	b.draining = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.inflight.Wait()
		close(done)
	}()
	defer b.cancelWork()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// start reserves a slot for one delivery's work, or reports false when the
// bot is draining.
func (b *Bot) start() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.draining {
		return false
	}
	b.inflight.Add(1)
	return true
}
