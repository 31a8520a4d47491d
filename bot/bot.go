// Package bot is everything Slack: the router that turns slash commands,
// interactions and events into handler calls, the Socket Mode and HTTP
// transports that feed it, and the handlers and Block Kit views themselves.
package bot

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/mailer"
	"github.com/caseconf/caseconf/internal/metrics"
	"github.com/caseconf/caseconf/store"
)

// Bot routes Slack deliveries to handlers. Create it with New; it is safe
// for concurrent use by both transports at once.
type Bot struct {
	api     *slack.Client
	http    *http.Client // for response_url posts and raw Web API calls
	store   *store.DB
	log     *slog.Logger
	metrics *metrics.Metrics
	admins  caseconf.Admins
	dpo     []string
	mailer  *mailer.Mailer // nil: nothing is e-mailed
	cards   cardCache      // case managers' profiles, for e-mails
	cal     caseconf.Calendar
	now     func() time.Time

	// botToken and apiURL are for the Web API calls made without slack-go
	// (views.open of a prebuilt form); with no token, slack-go makes them.
	botToken string
	apiURL   string

	commands map[string]*command
	help     atomic.Pointer[helpReply] // help's answer, encoded once
	forms    formCache                 // the scheduling form, encoded once a day (bot/prebuilt.go)
	sender   *Sender                   // the outbox's sender, once made
	home     *homePublisher            // re-publishes Home tabs (bot/home.go)
	homeOnce sync.Once
	tz       tzCache  // users' time zones
	order    []string // command names in the order help lists them
	actions  map[string]HandlerFunc
	views    map[string]HandlerFunc
	events   map[string]HandlerFunc

	// work is the context handlers run in. It outlives the transports'
	// contexts so that in-flight work finishes during a graceful shutdown.
	work       context.Context
	cancelWork context.CancelFunc

	mu       sync.Mutex // guards draining and the WaitGroups' Add
	draining bool
	inflight sync.WaitGroup // deliveries whose handler is running
	handlers workers        // goroutines that run deliveries, kept for the next
	unacked  sync.WaitGroup // deliveries not yet acknowledged

	afterAckPool *afterAckPool // work after the ack (bot/afterack.go)
}

// Options are what New needs.
type Options struct {
	API        *slack.Client
	HTTPClient *http.Client
	Store      *store.DB
	Log        *slog.Logger
	Metrics    *metrics.Metrics
	Admins     []string
	DPO        []string // told when a conference is scheduled without consent
	Calendar   caseconf.Calendar
	Now        func() time.Time
	// Mailer e-mails people not on Slack; nil when caseconf has no mail
	// server (the case manager then sends things by hand).
	Mailer *mailer.Mailer
	// BotToken and APIURL (ending in "/") are API's token and Web API
	// URL, for the calls the bot makes without slack-go (opening the
	// prebuilt scheduling form) through HTTPClient. Without a token those
	// go through API as well.
	BotToken string
	APIURL   string
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
	if o.APIURL == "" {
		o.APIURL = slack.APIURL
	}
	b := &Bot{
		api:      o.API,
		http:     o.HTTPClient,
		botToken: o.BotToken,
		apiURL:   o.APIURL,
		store:    o.Store,
		log:      o.Log,
		metrics:  o.Metrics,
		admins:   caseconf.NewAdmins(o.Admins),
		dpo:      o.DPO,
		mailer:   o.Mailer,
		cal:      o.Calendar,
		now:      o.Now,
		commands: map[string]*command{},
		actions:  map[string]HandlerFunc{},
		views:    map[string]HandlerFunc{},
		events:   map[string]HandlerFunc{},

		afterAckPool: newAfterAckPool(),
	}
	b.work, b.cancelWork = context.WithCancel(context.Background())
	b.register()
	return b
}

// register wires every handler: each feature file registers its own, in
// the order help lists the commands.
func (b *Bot) register() {
	b.registerSchedule()
	b.registerConferences()
	b.registerEdit()
	b.registerInvitations()
	b.registerAgency() // bot/agency.go
	b.registerReports()
	b.registerOffSlack()
	b.registerReportsRead()
	b.registerOutcome()
	b.registerActions()
	b.registerActionChanges()
	b.registerActionUpdates()
	b.registerClientLetter()
	b.registerMinutesPDF()
	b.registerEmailAddress()
	b.registerMyActions()
	b.registerHome()
	b.registerReminders()
	b.registerReview()
	b.registerExport()
	b.registerHandover()
	b.registerGovernance()
	b.registerGaps()
	b.registerConsent()
	b.registerClientChoice()
	b.registerHelp()
}

// Calendar is the service's working-day calendar.
func (b *Bot) Calendar() caseconf.Calendar { return b.cal }

// viewer is who is asking, as the access rules see them.
func (b *Bot) viewer(userID string) caseconf.Viewer { return b.admins.Viewer(userID) }

// StopIntake makes the bot refuse new deliveries. A refused delivery is not
// acknowledged: Slack re-sends an event to another connection, but shows
// the user an error for a command or click, so StopIntake comes just before
// the transports close.
func (b *Bot) StopIntake() {
	b.mu.Lock()
	b.draining = true
	b.mu.Unlock()
}

// WaitAcked waits until every delivery taken has been acknowledged (at most
// ackDeadline each), so the Socket Mode connection can close without
// leaving Slack waiting.
func (b *Bot) WaitAcked(ctx context.Context) error { return wait(ctx, &b.unacked) }

// Drain stops intake, waits until the handlers already running have
// finished or ctx ends, then cancels whatever is still running.
func (b *Bot) Drain(ctx context.Context) error {
	b.StopIntake()
	defer b.cancelWork()
	return wait(ctx, &b.inflight)
}

func wait(ctx context.Context, wg *sync.WaitGroup) error {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// start reserves a slot for one delivery, or reports false when the bot is
// no longer taking them.
func (b *Bot) start() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.draining {
		return false
	}
	b.inflight.Add(1)
	b.unacked.Add(1)
	return true
}
