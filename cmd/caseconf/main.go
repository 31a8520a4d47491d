// Command caseconf runs the caseconf Slack app: `serve` runs the bot and
// its cron jobs, `migrate` applies database migrations, `sweep` runs one
// reminder pass, `retention` erases the clients past retention, `erasures`
// lists recorded erasures and re-applies them after a restore,
// `healthcheck` asks a running server's /healthz, `version` prints the
// build.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	// The time-zone database inside the binary: a static binary in an
	// empty image (FROM scratch) has no /usr/share/zoneinfo, and
	// CASECONF_TIMEZONE (Europe/London by default) must still load.
	_ "time/tzdata"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/bot"
	"github.com/caseconf/caseconf/internal/config"
	"github.com/caseconf/caseconf/reminders"
	"github.com/caseconf/caseconf/store"
)

// version and revision may be set at build time (scripts/release does):
// -ldflags "-X main.version=v1.2.3 -X main.revision=<commit>". Without
// them the build info the go command stamps is used: the module version
// and the VCS revision. (The go command cannot stamp the revision in a git
// worktree, or with -buildvcs=false; hence the -X fallback.)
var version, revision = "", ""

const usage = `caseconf — multi-agency case conferences in Slack

Usage:
  caseconf serve                       run the bot, its HTTP endpoints and its cron jobs
  caseconf migrate [--wait DURATION]   apply database migrations and exit (waiting that long for the database)
  caseconf sweep --at TIME [--dry-run] run one reminder pass as if it were TIME (RFC 3339)
  caseconf retention [--dry-run]       erase the clients past retention now (CASECONF_RETENTION)
  caseconf erasures list               print the erasures the audit log records (client numbers only)
  caseconf erasures reapply [--from DATABASE_URL | --file FILE] [--dry-run]
                                       after restoring a backup, erase again the clients erased since
  caseconf healthcheck [--url URL]     ask a running server's /healthz: exit 0 if healthy, 1 if not
  caseconf version                     print the version and the revision it was built from
  caseconf help                        print this help

Configuration comes from environment variables; see docs/configuration.md.
`

// exitUsage is the exit code for a command line we do not understand.
const exitUsage = 2

// defaultGOGC is the garbage collector's target unless GOGC is set. The
// live heap is small (a few MiB at rest, and little more with a year of
// data), so Go's default of 100, which lets the heap grow to twice the live
// part between collections, costs more memory than collecting four times as
// often costs CPU. See docs/operations.md, "Memory".
const defaultGOGC = 25

func main() {
	if v, _ := os.LookupEnv("GOGC"); strings.TrimSpace(v) == "" {
		debug.SetGCPercent(defaultGOGC)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts a graceful shutdown, a second one
		// gets Go's default handling and ends the process at once.
		<-ctx.Done()
		stop()
	}()
	code := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, env config.Lookup, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], env, stderr)
	case "migrate":
		return cmdMigrate(ctx, args[1:], env, stdout, stderr)
	case "sweep":
		return cmdSweep(ctx, args[1:], env, stdout, stderr)
	case "retention":
		return cmdRetention(ctx, args[1:], env, stdout, stderr)
	case "erasures":
		return cmdErasures(ctx, args[1:], env, stdout, stderr)
	case "healthcheck":
		return cmdHealthcheck(ctx, args[1:], env, stdout, stderr)
	case "version", "--version":
		if len(args) > 1 {
			return badUsage(stderr, "version takes no arguments")
		}
		fmt.Fprintln(stdout, "caseconf", buildVersion())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "caseconf: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// badUsage tells the user in one line what is wrong with the command line.
func badUsage(stderr io.Writer, msg string) int {
	fmt.Fprintf(stderr, "caseconf: %s (caseconf help lists the commands)\n", msg)
	return exitUsage
}

// buildVersion describes the build: the version (-X main.version, else
// the module version the go command stamped from the VCS tags), the VCS
// revision (with "modified" when the work tree had changes) and the Go
// toolchain, e.g. "v1.2.0 (revision 0123456789ab, go1.26.8)".
func buildVersion() string {
	bi, _ := debug.ReadBuildInfo() // nil when the binary has none
	return describeBuild(version, revision, bi)
}

func describeBuild(ldVersion, ldRevision string, bi *debug.BuildInfo) string {
	b := identifyBuild(ldVersion, ldRevision, bi)
	var details []string
	if b.Revision != "" {
		rev := b.Revision
		if b.Modified {
			rev += ", modified"
		}
		details = append(details, "revision "+rev)
	}
	if b.GoVersion != "" {
		details = append(details, b.GoVersion)
	}
	if len(details) == 0 {
		return b.Version
	}
	return b.Version + " (" + strings.Join(details, ", ") + ")"
}

// build identifies a build: what describeBuild prints, and the labels of
// caseconf_build_info.
type build struct {
	Version   string // v1.2.0, or "dev"
	Revision  string // the VCS revision, 12 hex digits; "" when unknown
	Modified  bool   // the work tree had changes
	GoVersion string // go1.26.8; "" when unknown
}

func identifyBuild(ldVersion, ldRevision string, bi *debug.BuildInfo) build {
	if bi == nil {
		bi = &debug.BuildInfo{}
	}
	b := build{Version: ldVersion, GoVersion: bi.GoVersion}
	if b.Version == "" {
		b.Version = bi.Main.Version
	}
	if b.Version == "" || b.Version == "(devel)" {
		b.Version = "dev"
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Revision = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		}
	}
	if b.Revision == "" {
		b.Revision = ldRevision
	}
	if len(b.Revision) > 12 {
		b.Revision = b.Revision[:12]
	}
	return b
}

// thisBuild identifies the running binary.
func thisBuild() build {
	bi, _ := debug.ReadBuildInfo() // nil when the binary has none
	return identifyBuild(version, revision, bi)
}

// newFlags makes a subcommand's flag set that reports errors to stderr and
// never exits the process.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("caseconf "+name, flag.ContinueOnError)
	// parseArgs tells the user what is wrong in one line; the flag
	// package's own message and the whole usage would bury it.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseArgs parses a subcommand's flags; it takes no other arguments,
// and tells the user so with noArgs. ok is false, with the exit code,
// when the command must stop: one line on stderr says why.
func parseArgs(fs *flag.FlagSet, args []string, stderr io.Writer, noArgs string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usage)
			return exitUsage, false
		}
		return badFlag(stderr, fs.Name(), err.Error()), false
	}
	if fs.NArg() > 0 {
		return badFlag(stderr, fs.Name(), noArgs), false
	}
	return 0, true
}

// badFlag tells the user in one line what is wrong with a subcommand's
// command line.
func badFlag(stderr io.Writer, command, msg string) int {
	fmt.Fprintf(stderr, "%s: %s (caseconf help lists the commands)\n", command, msg)
	return exitUsage
}

// parseWait reads a --wait DURATION: a Go duration such as 30s or 2m, not
// negative.
func parseWait(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	switch {
	case err != nil:
		return 0, fmt.Errorf("--wait %q is not a duration such as 30s or 2m", s)
	case d < 0:
		return 0, fmt.Errorf("--wait %s is negative; give how long to wait, such as 2m", d)
	}
	return d, nil
}

// loadConfig reads and validates the environment. On a problem it prints one
// line naming the variable and returns nil.
func loadConfig(env config.Lookup, need config.Need, stderr io.Writer) *config.Config {
	cfg := config.Read(env)
	if err := cfg.Validate(need); err != nil {
		fmt.Fprintf(stderr, "caseconf: configuration: %v\n", err)
		return nil
	}
	return cfg
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

func cmdServe(ctx context.Context, args []string, env config.Lookup, stderr io.Writer) int {
	fs := newFlags("serve", stderr)
	if code, ok := parseArgs(fs, args, stderr, "serve takes no arguments"); !ok {
		return code
	}
	cfg := loadConfig(env, config.NeedServe, stderr)
	if cfg == nil {
		return 1
	}
	log := newLogger(cfg, stderr)
	m := NewMain(cfg, log)
	if err := m.Run(ctx); err != nil {
		if ctx.Err() != nil { // stopped while waiting for the database
			log.Info("shutting down before start-up finished")
			if err := m.Close(); err != nil {
				log.Error("shutdown was not clean", "err", err)
				return 1
			}
			return 0
		}
		fmt.Fprintf(stderr, "caseconf: %v\n", err)
		m.Close()
		return 1
	}
	code := 0
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-m.Failed():
		log.Error("stopping after a fatal error", "err", err)
		code = 1
	}
	if err := m.Close(); err != nil {
		log.Error("shutdown was not clean", "err", err)
		code = 1
	}
	return code
}

func cmdMigrate(ctx context.Context, args []string, env config.Lookup, stdout, stderr io.Writer) int {
	fs := newFlags("migrate", stderr)
	waitFlag := fs.String("wait", "0s", "while the database cannot be reached (down, starting up), keep trying for this long, e.g. 2m")
	if code, ok := parseArgs(fs, args, stderr, "migrate takes only --wait"); !ok {
		return code
	}
	waitFor, err := parseWait(*waitFlag)
	if err != nil {
		return badFlag(stderr, fs.Name(), err.Error())
	}
	wait := &waitFor
	cfg := loadConfig(env, config.NeedDatabase, stderr)
	if cfg == nil {
		return 1
	}
	var db *store.DB
	if *wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, *wait)
		var err error
		db, _, err = openWaiting(wctx, cfg.DatabaseURL, func(attempt int, err error, retryIn time.Duration) {
			fmt.Fprintf(stderr, "caseconf: migrate: database unavailable (attempt %d: %v); trying again in %s\n", attempt, err, retryIn.Round(100*time.Millisecond))
		})
		cancel()
		if err != nil {
			fmt.Fprintf(stderr, "caseconf: %v\n", err)
			return 1
		}
		db.SetMaxConns(cfg.DatabaseMaxConns)
	} else if db = openDB(ctx, cfg, false, stderr); db == nil {
		return 1
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "caseconf: %v\n", err)
		return 1
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is up to date")
	}
	for _, name := range applied {
		fmt.Fprintln(stdout, "applied", name)
	}
	return 0
}

func cmdSweep(ctx context.Context, args []string, env config.Lookup, stdout, stderr io.Writer) int {
	fs := newFlags("sweep", stderr)
	at := fs.String("at", "", "sweep as if it were this time (RFC 3339, e.g. 2026-12-01T09:00:00Z)")
	dryRun := fs.Bool("dry-run", false, "print what would be sent; send and change nothing")
	if code, ok := parseArgs(fs, args, stderr, "sweep takes only --at and --dry-run"); !ok {
		return code
	}
	if *at == "" {
		return badUsage(stderr, "sweep needs --at TIME")
	}
	when, err := time.Parse(time.RFC3339, *at)
	if err != nil {
		return badUsage(stderr, fmt.Sprintf("--at %q is not an RFC 3339 time such as 2026-12-01T09:00:00Z", *at))
	}
	need := config.NeedSlackAPI
	if *dryRun {
		need = config.NeedDatabase
	}
	cfg := loadConfig(env, need, stderr)
	if cfg == nil {
		return 1
	}
	db := openDB(ctx, cfg, true, stderr)
	if db == nil {
		return 1
	}
	defer db.Close()
	log := newLogger(cfg, stderr)
	cal := caseconf.NewCalendar(cfg.Timezone, cfg.Holidays)
	sw := &reminders.Sweeper{Store: db, Log: log, Cal: cal}
	var sender *bot.Sender
	if cfg.SlackBotToken != "" {
		// Recipients' own time zones come from Slack; without a token (a
		// dry run may have none) the service's zone stands in.
		httpClient := &http.Client{Timeout: 15 * time.Second}
		api := slack.New(cfg.SlackBotToken, slack.OptionAPIURL(cfg.SlackAPIURL), slack.OptionHTTPClient(httpClient))
		ml, err := newMailer(cfg, nil)
		if err != nil {
			fmt.Fprintln(stderr, "caseconf:", err)
			return 1
		}
		db.Mail = ml != nil
		b := bot.New(bot.Options{API: api, HTTPClient: httpClient, Store: db, Log: log, Admins: cfg.Admins, Calendar: cal, Mailer: ml})
		sw.TimeZone = b.TimeZone
		if !*dryRun {
			sender = b.NewSender(api)
		}
	}
	res, err := sw.RunOnce(ctx, when.UTC(), *dryRun)
	if err != nil {
		fmt.Fprintf(stderr, "caseconf: sweep: %v\n", err)
		return 1
	}
	res.Report(stdout)
	if sender != nil {
		// Deliver whatever the outbox has due now (reminders in their
		// recipients' working hours, messages a crash or an outage left).
		n, err := sender.RunOnce(ctx)
		fmt.Fprintf(stdout, "sent %d outbox messages due now\n", n)
		if err != nil {
			fmt.Fprintf(stderr, "caseconf: sweep: sending: %v\n", err)
			return 1
		}
	}
	return 0
}

// openDB opens the database the configuration names, with its pool
// bounded (DATABASE_MAX_CONNS), for a one-shot command, and if checkSchema
// is set checks its schema is migrated; nil (told on stderr) when it
// cannot.
func openDB(ctx context.Context, cfg *config.Config, checkSchema bool, stderr io.Writer) *store.DB {
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err == nil && checkSchema {
		if err = db.CheckSchema(ctx); err != nil {
			db.Close()
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "caseconf: %v\n", err)
		return nil
	}
	db.SetMaxConns(cfg.DatabaseMaxConns)
	return db
}
