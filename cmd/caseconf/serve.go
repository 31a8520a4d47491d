package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/bot"
	"github.com/caseconf/caseconf/internal/config"
	"github.com/caseconf/caseconf/internal/mailer"
	"github.com/caseconf/caseconf/internal/metrics"
	"github.com/caseconf/caseconf/reminders"
	"github.com/caseconf/caseconf/store"
)

// shutdownGrace is how long a graceful shutdown waits for in-flight work;
// shutdownBudget bounds the whole shutdown, inside the 30 s an
// orchestrator such as Kubernetes gives by default before SIGKILL.
const (
	shutdownGrace  = 20 * time.Second
	shutdownBudget = 25 * time.Second
)

// Main is the running `caseconf serve`: it owns the database, the Slack
// transports, the HTTP server and the cron jobs. Tests start it on :0
// against a fresh database and a fake Slack.
type Main struct {
	Config  *config.Config
	Log     *slog.Logger
	Metrics *metrics.Metrics
	DB      *store.DB
	Bot     *bot.Bot
	// Sweeper is the reminder sweep the cron runs; tests run it directly.
	Sweeper *reminders.Sweeper
	// Now is the clock; tests fix it before Run.
	Now func() time.Time
	// SocketDownAfter is how long the Slack socket may be down, or (in
	// HTTP mode only) Slack's Web API calls may keep failing, before
	// /healthz reports it; zero means bot.SocketDownThreshold (30 s).
	// Tests of the outage path set it shorter before Run.
	SocketDownAfter time.Duration
	// SlackProbeEvery is how often, in HTTP mode only, Slack is asked
	// (auth.test) whether it answers while it has not been reached or its
	// latest calls failed; zero means slackProbeEvery (10 s).
	SlackProbeEvery time.Duration
	// OutboxStuckAfter is how long an outbox message may be in flight
	// before another sender takes it back; zero means the bot's default
	// (60 s, twice the bound on one send). Tests of a crash set it shorter.
	OutboxStuckAfter time.Duration
	// MailTLS is the TLS configuration the mail server is verified with;
	// nil uses the system's roots. Tests trust their server's certificate.
	MailTLS *tls.Config

	listener  net.Listener
	listening chan struct{}
	server    *http.Server
	pprof     *http.Server // CASECONF_PPROF_ADDR's, when set
	cron      *cron.Cron
	dbPing    pinger

	// What /healthz and /metrics read while Run may still be starting.
	db        atomic.Pointer[store.DB]       // nil until connected, schema checked
	dbWaiting atomic.Pointer[string]         // why the database is not reached yet
	socket    atomic.Pointer[bot.SocketMode] // nil without Socket Mode
	slackMux  atomic.Pointer[http.ServeMux]  // HTTP-mode endpoints, once the bot runs

	senderStop context.CancelFunc
	senderDone chan struct{}

	socketCancel context.CancelFunc
	socketDone   chan struct{}
	probeCancel  context.CancelFunc
	probeDone    chan struct{}
	httpDone     chan struct{}

	failed    chan error
	closeOnce sync.Once
	closeErr  error
}

// newMailer is the mail server caseconf e-mails people not on Slack
// through, or nil when it has none (CASECONF_SMTP_URL unset). Its error
// never holds the URL.
func newMailer(cfg *config.Config, roots *tls.Config) (*mailer.Mailer, error) {
	if !cfg.Mail() {
		return nil, nil
	}
	ml, err := mailer.New(cfg.SMTPURL, cfg.MailFrom, roots)
	if err != nil {
		return nil, &config.Error{Var: "CASECONF_SMTP_URL", Reason: err.Error() + " (value not shown)"}
	}
	return ml, nil
}

// NewMain prepares a Main; Run starts it.
func NewMain(cfg *config.Config, log *slog.Logger) *Main {
	return &Main{Config: cfg, Log: log, Metrics: metrics.New(), failed: make(chan error, 2), listening: make(chan struct{}),
		Now: func() time.Time { return time.Now().UTC() }}
}

// Addr is the address the HTTP server listens on, once Run has returned.
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Failed delivers an error if a part of the running server stops for good
// (Slack refused the app token, the listener died).
func (m *Main) Failed() <-chan error { return m.failed }

// Run starts the HTTP server (/healthz, /metrics), connects to the
// database and Slack, and starts serving. It returns once everything is
// started, or with the first reason it cannot start. A database that
// cannot be reached (down, starting up) is retried with back-off until ctx
// ends, /healthz answering 503 with the reason meanwhile; Listening is
// closed once /healthz answers.
func (m *Main) Run(ctx context.Context) error {
	cfg := m.Config
	b := thisBuild()
	m.Metrics.SetBuildInfo(b.Version, b.Revision)
	m.Metrics.Registry.MustRegister(newOutboxCollector(m.db.Load))

	// The HTTP server comes first, so that an orchestrator can see why a
	// replica is not ready while it waits for the database.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", m.healthz)
	mux.Handle("GET /metrics", m.Metrics.Handler())
	if cfg.SlackSigningSecret != "" {
		mux.HandleFunc("/slack/", m.slackHTTP)
	}
	var err error
	m.listener, err = net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	m.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.httpDone = make(chan struct{})
	go func() {
		defer close(m.httpDone)
		if err := m.server.Serve(m.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.fail(fmt.Errorf("http server: %w", err))
		}
	}()
	close(m.listening)
	if cfg.PprofAddr != "" {
		if err := m.servePprof(cfg.PprofAddr); err != nil {
			return err
		}
	}

	db, err := m.connectDB(ctx)
	if err != nil {
		return err
	}
	db.SetMaxConns(cfg.DatabaseMaxConns)
	m.DB = db
	db.Now = m.Now
	if err := db.CheckSchema(ctx); err != nil {
		return err
	}
	m.db.Store(db)

	httpClient := &http.Client{Transport: m.Metrics.Transport(nil), Timeout: 15 * time.Second}
	api := slack.New(cfg.SlackBotToken,
		slack.OptionAPIURL(cfg.SlackAPIURL),
		slack.OptionAppLevelToken(cfg.SlackAppToken),
		slack.OptionHTTPClient(httpClient),
		slack.OptionRetry(2), // 429 with Retry-After: wait and try again, twice
	)
	if err := checkBotToken(ctx, api, m.Log); err != nil {
		return err
	}

	ml, err := newMailer(cfg, m.MailTLS)
	if err != nil {
		return err
	}
	db.Mail = ml != nil
	m.Bot = bot.New(bot.Options{
		API: api, HTTPClient: httpClient, Store: db, Log: m.Log, Metrics: m.Metrics, Admins: cfg.Admins, DPO: cfg.DPO,
		Calendar: caseconf.NewCalendar(cfg.Timezone, cfg.Holidays), Now: m.Now, Mailer: ml,
		BotToken: cfg.SlackBotToken, APIURL: cfg.SlackAPIURL,
	})

	// The outbox's sender has a client of its own that does not retry:
	// on a 429 it holds every post for Retry-After itself.
	sendAPI := slack.New(cfg.SlackBotToken, slack.OptionAPIURL(cfg.SlackAPIURL), slack.OptionHTTPClient(httpClient))
	sender := m.Bot.NewSender(sendAPI)
	sender.StuckAfter = m.OutboxStuckAfter
	sctx, stopSender := context.WithCancel(context.Background())
	m.senderStop, m.senderDone = stopSender, make(chan struct{})
	go func() {
		defer close(m.senderDone)
		sender.Run(sctx)
	}()

	if cfg.SlackSigningSecret != "" {
		smux := http.NewServeMux()
		bot.NewHTTP(m.Bot, cfg.SlackSigningSecret, m.Log).Register(smux)
		m.slackMux.Store(smux)
	}

	if cfg.SlackAppToken != "" {
		sm := bot.NewSocketMode(m.Bot, api, m.Log)
		sm.DownAfter = m.SocketDownAfter
		m.socket.Store(sm)
		sctx, cancel := context.WithCancel(context.Background())
		m.socketCancel = cancel
		m.socketDone = make(chan struct{})
		go func() {
			defer close(m.socketDone)
			if err := sm.Run(sctx); err != nil {
				m.fail(err)
			}
		}()
	} else {
		// In HTTP mode nothing else calls Slack while there is no
		// traffic: ask it, so that /healthz recovers when Slack does.
		pctx, cancel := context.WithCancel(context.Background())
		m.probeCancel, m.probeDone = cancel, make(chan struct{})
		go func() {
			defer close(m.probeDone)
			m.probeSlack(pctx, api)
		}()
	}

	l := cronLogger{m.Log}
	m.cron = cron.New(cron.WithLocation(time.UTC), cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)))
	m.Sweeper = &reminders.Sweeper{Store: db, Log: m.Log, Cal: m.Bot.Calendar(), TimeZone: m.Bot.TimeZone, Enqueued: sender.Wake}
	if _, err := m.Sweeper.Schedule(m.cron, cfg.SweepEvery, m.Now); err != nil {
		return fmt.Errorf("schedule sweep: %w", err)
	}
	if _, err := m.scheduleRetention(m.cron); err != nil {
		return fmt.Errorf("schedule retention: %w", err)
	}
	m.cron.Start()

	m.Log.Info("caseconf serving", "addr", m.Addr(), "socket_mode", cfg.SlackAppToken != "",
		"http_mode", cfg.SlackSigningSecret != "", "version", buildVersion())
	return nil
}

// Back-off between attempts to reach the database at start-up: from
// dbRetryMin doubling to dbRetryMax, each ±20 % at random.
const (
	dbRetryMin = time.Second
	dbRetryMax = 15 * time.Second
)

// connectDB opens the database, retrying while it is unavailable (down,
// starting up, out of connections) until ctx ends; /healthz tells why
// meanwhile. A refused login or a missing database ends it at once.
func (m *Main) connectDB(ctx context.Context) (*store.DB, error) {
	db, attempts, err := openWaiting(ctx, m.Config.DatabaseURL, func(attempt int, err error, retryIn time.Duration) {
		reason := fmt.Sprintf("database not reached yet (attempt %d failed: %v); retrying", attempt, err)
		m.dbWaiting.Store(&reason)
		m.Log.Warn("database unavailable at start-up; retrying", "err", err, "attempt", attempt, "retry_in", retryIn.Round(time.Millisecond).String())
	})
	if err == nil && attempts > 1 {
		m.Log.Info("database reached", "attempts", attempts)
	}
	return db, err
}

// openWaiting opens the database at dsn, trying again while it is
// unavailable (store.ErrUnavailable) after a back-off, until ctx ends;
// failed is told of each failed attempt and the wait before the next. It
// returns how many attempts it made.
func openWaiting(ctx context.Context, dsn string, failed func(attempt int, err error, retryIn time.Duration)) (*store.DB, int, error) {
	for attempt := 1; ; attempt++ {
		db, err := store.Open(ctx, dsn)
		if err == nil {
			return db, attempt, nil
		}
		if !errors.Is(err, store.ErrUnavailable) || ctx.Err() != nil {
			return nil, attempt, err
		}
		d := dbRetryMax
		if attempt < 5 {
			d = min(dbRetryMin<<(attempt-1), dbRetryMax)
		}
		d = d*4/5 + rand.N(d*2/5)
		failed(attempt, err, d)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, attempt, fmt.Errorf("%w (still unavailable after %d attempts)", err, attempt)
		case <-t.C:
		}
	}
}

// slackProbeEvery is how often Slack is probed in HTTP mode while it is
// not known to answer.
const slackProbeEvery = 10 * time.Second

// probeSlack calls auth.test every SlackProbeEvery while Slack has not
// been reached or its latest Web API call failed, until ctx ends. The
// calls go through the metrics transport, which records the answer.
func (m *Main) probeSlack(ctx context.Context, api *slack.Client) {
	every := m.SlackProbeEvery
	if every <= 0 {
		every = slackProbeEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if st := m.Metrics.Slack.State(); st.Reached && st.FailingSince.IsZero() {
			continue
		}
		actx, cancel := context.WithTimeout(ctx, 10*time.Second)
		_, _ = api.AuthTestContext(actx)
		cancel()
	}
}

// slackHealth is /healthz's word on Slack: "" when fine. Slack must have
// answered once since start-up; in HTTP mode only, its Web API calls must
// not have kept failing for longer than the threshold (in Socket Mode the
// socket's own health speaks for Slack).
func (m *Main) slackHealth(now time.Time) string {
	st := m.Metrics.Slack.State()
	last := ""
	if st.LastErr != "" {
		last = " (last error: " + st.LastErr + ")"
	}
	if !st.Reached {
		return "Slack not reached yet" + last
	}
	if m.socket.Load() != nil || st.FailingSince.IsZero() {
		return ""
	}
	threshold := m.SocketDownAfter
	if threshold <= 0 {
		threshold = bot.SocketDownThreshold
	}
	if down := now.Sub(st.FailingSince); down > threshold {
		return fmt.Sprintf("Slack Web API not answering for %s%s", down.Truncate(time.Second), last)
	}
	return ""
}

// slackHTTP serves Slack's HTTP-mode deliveries once the bot is running;
// before that (the database not yet reached) 503, which Slack retries for
// events.
func (m *Main) slackHTTP(w http.ResponseWriter, r *http.Request) {
	mux := m.slackMux.Load()
	if mux == nil {
		http.Error(w, "starting: the database has not been reached yet", http.StatusServiceUnavailable)
		return
	}
	mux.ServeHTTP(w, r)
}

// Listening is closed once Run has the HTTP server listening (Addr is
// then valid), before it waits for the database.
func (m *Main) Listening() <-chan struct{} { return m.listening }

// checkBotToken asks Slack who we are. A token Slack refuses stops start-up;
// Slack being unreachable is only a warning, since it may come back.
func checkBotToken(ctx context.Context, api *slack.Client, log *slog.Logger) error {
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := api.AuthTestContext(actx)
	var se slack.SlackErrorResponse
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return fmt.Errorf("configuration: SLACK_BOT_TOKEN: Slack refused it (%s)", se.Err)
	}
	log.Warn("could not reach Slack to check the bot token; continuing", "err", err)
	return nil
}

func (m *Main) fail(err error) {
	select {
	case m.failed <- err:
	default:
	}
}

// healthPingWait is how long /healthz waits for the database to answer a
// ping; healthPingTimeout bounds the ping itself, which may outlive the
// request that started it and be joined by the next ones.
const (
	healthPingWait    = 2 * time.Second
	healthPingTimeout = 5 * time.Second
)

// healthz answers 200 "ok" when the database has been reached at start-up
// and answers a ping within healthPingWait, Slack has answered at least
// once since start-up and, with Socket Mode configured, the socket has not
// been down for more than bot.SocketDownThreshold (in HTTP mode only: the
// Web API calls have not kept failing for as long); otherwise 503 with one
// line per problem. It never waits longer than healthPingWait, whatever the
// database does.
func (m *Main) healthz(w http.ResponseWriter, r *http.Request) {
	db := m.db.Load()
	if db == nil {
		// Slack is not tried before the database is reached: only the
		// database is worth a line.
		reason := "database not reached yet (connecting)"
		if r := m.dbWaiting.Load(); r != nil {
			reason = *r
		}
		writeHealth(w, []string{reason})
		return
	}
	var problems []string
	if reason := m.slackHealth(time.Now()); reason != "" {
		problems = append(problems, reason)
	}
	if sm := m.socket.Load(); sm != nil {
		if ok, reason := sm.Healthy(time.Now()); !ok {
			problems = append(problems, reason)
		}
	}
	call := m.dbPing.start(db.Ping, healthPingTimeout)
	t := time.NewTimer(healthPingWait)
	defer t.Stop()
	select {
	case <-call.done:
		if call.err != nil {
			problems = append(problems, "database unavailable")
		}
	case <-t.C:
		problems = append(problems, fmt.Sprintf("database did not answer within %s", healthPingWait))
	case <-r.Context().Done():
		return
	}
	writeHealth(w, problems)
}

// writeHealth answers /healthz: 200 ok, or 503 with a line per problem.
func writeHealth(w http.ResponseWriter, problems []string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if len(problems) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		for _, p := range problems {
			fmt.Fprintln(w, p)
		}
		return
	}
	fmt.Fprintln(w, "ok")
}

// pinger runs at most one database ping at a time: health probes that
// arrive while one is in flight wait for its answer instead of starting
// their own, so a flood of probes against a hung database cannot pile up
// goroutines or connections.
type pinger struct {
	mu  sync.Mutex
	cur *pingCall
}

type pingCall struct {
	done chan struct{} // closed when err is set
	err  error
}

func (p *pinger) start(ping func(context.Context) error, timeout time.Duration) *pingCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur != nil {
		return p.cur
	}
	c := &pingCall{done: make(chan struct{})}
	p.cur = c
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		err := ping(ctx)
		cancel()
		p.mu.Lock()
		p.cur = nil
		p.mu.Unlock()
		c.err = err
		close(c.done)
	}()
	return c
}

// Close shuts down gracefully: stop taking deliveries, let in-flight
// handlers and a running sweep finish, then close the Slack connection,
// the HTTP server and the database. It is safe to call more than once.
func (m *Main) Close() error {
	m.closeOnce.Do(func() { m.closeErr = m.close() })
	return m.closeErr
}

func (m *Main) close() error {
	// Each stage has its own budget, so one that overruns cannot starve the
	// next of time to finish cleanly; and all of them together end within
	// shutdownBudget.
	end := time.Now().Add(shutdownBudget)
	stage := func(d time.Duration) (context.Context, context.CancelFunc) {
		return context.WithDeadline(context.Background(), minTime(time.Now().Add(d), end))
	}
	var errs []error
	if m.pprof != nil {
		_ = m.pprof.Close() // a profile being taken is cut short
	}
	if m.server != nil {
		// Stops accepting connections and waits for requests in progress,
		// each of which returns once its handler has acknowledged.
		ctx, cancel := stage(5 * time.Second)
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		}
		cancel()
		<-m.httpDone
	}
	if m.Bot != nil {
		// Take no more deliveries and let those taken be acknowledged while
		// the socket can still carry the acks; then close it, so Slack sends
		// new deliveries to other replicas. A delivery arriving in between
		// is not acknowledged: Slack retries events, but shows the user of a
		// command or click an error (a window of milliseconds).
		m.Bot.StopIntake()
		ctx, cancel := stage(5 * time.Second)
		if err := m.Bot.WaitAcked(ctx); err != nil {
			errs = append(errs, fmt.Errorf("deliveries not acknowledged: %w", err))
		}
		cancel()
	}
	if m.socketCancel != nil {
		m.socketCancel()
		<-m.socketDone
	}
	if m.probeCancel != nil {
		m.probeCancel()
		<-m.probeDone
	}
	if m.Bot != nil {
		ctx, cancel := stage(shutdownGrace)
		if err := m.Bot.Drain(ctx); err != nil {
			errs = append(errs, fmt.Errorf("in-flight handlers did not finish: %w", err))
		}
		cancel()
	}
	if m.senderStop != nil {
		// A message half-sent when this stops stays in flight, and is
		// rescued and sent by another replica (or this one restarted).
		m.senderStop()
		ctx, cancel := stage(5 * time.Second)
		select {
		case <-m.senderDone:
		case <-ctx.Done():
			errs = append(errs, errors.New("outbox sender did not stop in time"))
		}
		cancel()
	}
	if m.cron != nil {
		ctx, cancel := stage(shutdownGrace)
		select {
		case <-m.cron.Stop().Done():
		case <-ctx.Done():
			errs = append(errs, errors.New("reminder sweep did not finish in time"))
		}
		cancel()
	}
	if m.DB != nil {
		if err := m.DB.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// cronLogger adapts slog to robfig/cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
