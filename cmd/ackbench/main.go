// Command ackbench compares how fast caseconf and a peer Slack Bolt for JS
// app acknowledge `/caseconf help` over Socket Mode, and how much memory
// each needs, in one run on the same machine.
//
// Each app runs as a child process against its own fake Slack
// (internal/fakeslack, started in this process) and its own fresh
// PostgreSQL database. After a warm-up, N commands are sent with a fixed
// number in flight; the latency of each is measured by the fake Slack, from
// writing the envelope on the websocket to reading the ack, and every ack
// must carry the help text. Then the child's peak RSS (VmHWM) is read and the
// child is stopped. The databases are dropped at the end.
//
//	go run ./cmd/ackbench -n 4000 -inflight 100 -runs 3
//
// PostgreSQL is TEST_DATABASE_URL, or the tests' default server. The peer is
// installed with `npm ci` into a copy (-peer-work) unless -peer already has
// its node_modules.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
	"github.com/caseconf/caseconf/internal/testdb"
)

// Timeouts of the phases of one app's run.
const (
	migrateTimeout = 2 * time.Minute
	connectTimeout = time.Minute
)

// Fake credentials handed to the apps; the fake Slack only checks prefixes.
const (
	botToken = "xoxb-bench"
	appToken = "xapp-bench"
)

type options struct {
	n, inflight, warmup, runs int
	loadTimeout               time.Duration
	peerSrc, peerWork         string
	apps                      []string
	verbose                   bool
	// profileDir, when set, receives pprof profiles of caseconf taken
	// under load after the measured phase (see profile.go).
	profileDir     string
	profileSeconds int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first signal stops the bench cleanly (children stopped,
		// databases dropped); a second one ends it at once.
		<-ctx.Done()
		stop()
	}()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "ackbench:", err)
		stop()
		os.Exit(1)
	}
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("ackbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.n, "n", 4000, "measured `commands` per app per run")
	fs.IntVar(&o.inflight, "inflight", 100, "commands sent but not yet acknowledged, at most")
	fs.IntVar(&o.warmup, "warmup", 200, "unmeasured warm-up `commands` per app per run")
	fs.IntVar(&o.runs, "runs", 1, "run the pair this many `times` and also print the median")
	fs.DurationVar(&o.loadTimeout, "timeout", 5*time.Minute, "limit for one app's warm-up plus measured commands")
	fs.StringVar(&o.peerSrc, "peer", "", "the peer Bolt app's `dir` (default bench/peer in the repository)")
	fs.StringVar(&o.peerWork, "peer-work", filepath.Join(os.TempDir(), "caseconf-ackbench-peer"),
		"`dir` the peer is copied to and installed in when -peer has no node_modules")
	apps := fs.String("apps", "caseconf,peer", "comma-separated `apps` to run: caseconf, peer")
	fs.BoolVar(&o.verbose, "v", false, "show the apps' output and the Web API calls they made")
	fs.StringVar(&o.profileDir, "profile", "", "after each caseconf run, take CPU, allocation and heap profiles of it into `dir`")
	fs.IntVar(&o.profileSeconds, "profile-seconds", 10, "how long the CPU and allocation profiles run, in `seconds`, under the same load")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if o.profileSeconds < 1 {
		return o, errors.New("-profile-seconds must be at least 1")
	}
	if o.n < 1 || o.inflight < 1 || o.warmup < 0 || o.runs < 1 {
		return o, errors.New("-n, -inflight and -runs must be at least 1, -warmup at least 0")
	}
	for _, a := range strings.Split(*apps, ",") {
		switch a = strings.TrimSpace(a); a {
		case "caseconf", "peer":
			if !slices.Contains(o.apps, a) {
				o.apps = append(o.apps, a)
			}
		default:
			return o, fmt.Errorf("-apps: unknown app %q (want caseconf, peer)", a)
		}
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if o.peerSrc == "" {
		o.peerSrc = filepath.Join(root, "bench", "peer")
	}
	tmp, err := os.MkdirTemp("", "ackbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	b := &bench{opts: o, stderr: stderr}
	if slices.Contains(o.apps, "caseconf") {
		fmt.Fprintln(stderr, "building caseconf…")
		if b.caseconfBin, err = buildCaseconf(ctx, root, tmp); err != nil {
			return err
		}
	}
	if slices.Contains(o.apps, "peer") {
		fmt.Fprintf(stderr, "preparing the peer from %s…\n", o.peerSrc)
		dir, installed, err := preparePeer(ctx, o.peerSrc, o.peerWork)
		if err != nil {
			return err
		}
		if installed {
			fmt.Fprintf(stderr, "installed the peer's dependencies in %s\n", dir)
		}
		b.peerDir = dir
	}
	if b.db, err = openDBServer(ctx, testdb.AdminURL()); err != nil {
		return err
	}
	defer b.db.Close()

	printSetup(ctx, stdout, o)
	results := make([]map[string]summary, 0, o.runs)
	for r := range o.runs {
		// Alternate which app goes first, so neither always runs on the
		// machine the other has just warmed up (or left busy).
		order := slices.Clone(o.apps)
		if r%2 == 1 {
			slices.Reverse(order)
		}
		res := map[string]summary{}
		for _, app := range order {
			fmt.Fprintf(stderr, "run %d/%d: %s…\n", r+1, o.runs, displayName(app))
			s, err := b.runApp(ctx, app)
			if err != nil {
				return fmt.Errorf("run %d, %s: %w", r+1, displayName(app), err)
			}
			res[app] = s
		}
		results = append(results, res)
		printTable(stdout, fmt.Sprintf("Run %d (%s first)", r+1, displayName(order[0])), o.apps, res)
	}
	if o.runs > 1 {
		printTable(stdout, fmt.Sprintf("Median of %d runs", o.runs), o.apps, medians(o.apps, results))
	}
	return nil
}

// bench holds what every run of every app shares.
type bench struct {
	opts        options
	stderr      io.Writer
	db          *dbServer
	caseconfBin string
	peerDir     string
}

func displayName(app string) string {
	if app == "peer" {
		return "peer (Bolt for JS)"
	}
	return app
}

// runApp runs one app once: fresh fake Slack and database, start, connect,
// warm up, measure, read peak RSS, stop. Whatever happens, the child is
// stopped, the fake closed and the database dropped before it returns.
func (b *bench) runApp(ctx context.Context, app string) (_ summary, err error) {
	fake := fakeslack.New()
	defer fake.Close()
	dbName, dsn, err := b.db.create(ctx, app)
	if err != nil {
		return summary{}, err
	}
	defer func() {
		dropErr := b.db.drop(dbName)
		switch {
		case dropErr == nil:
		case err == nil:
			err = dropErr
		default:
			fmt.Fprintf(b.stderr, "warning: %v\n", dropErr)
		}
	}()
	addr, err := freeAddr()
	if err != nil {
		return summary{}, err
	}
	vars := map[string]string{
		"DATABASE_URL":    dsn,
		"SLACK_BOT_TOKEN": botToken,
		"SLACK_APP_TOKEN": appToken,
		"SLACK_API_URL":   fake.APIURL(),
		"HTTP_ADDR":       addr,
		"LOG_LEVEL":       "warn",
	}
	pprofAddr := ""
	if app == "caseconf" && b.opts.profileDir != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return summary{}, err
		}
		vars["CASECONF_PPROF_ADDR"] = pprofAddr
	}
	env := childEnv(vars)

	var argv []string
	dir := ""
	switch app {
	case "caseconf":
		migrateCtx, cancel := context.WithTimeout(ctx, migrateTimeout)
		defer cancel()
		migrate, err := startChild("caseconf migrate", "", env, b.opts.verbose, b.caseconfBin, "migrate")
		if err != nil {
			return summary{}, err
		}
		if err := migrate.wait(migrateCtx); err != nil {
			return summary{}, fmt.Errorf("caseconf migrate: %w\n%s", err, migrate.output())
		}
		argv = []string{b.caseconfBin, "serve"}
	case "peer":
		node, err := exec.LookPath("node")
		if err != nil {
			return summary{}, err
		}
		argv, dir = []string{node, "app.js"}, b.peerDir
	}

	c, err := startChild(displayName(app), dir, env, b.opts.verbose, argv...)
	if err != nil {
		return summary{}, err
	}
	defer func() { _ = c.stop() }() // on the error paths; a no-op after the stop below
	withOutput := func(err error) error { return fmt.Errorf("%w\n%s", err, c.output()) }

	running, cancelRunning := c.whileRunning(ctx)
	defer cancelRunning()
	connectCtx, cancel := context.WithTimeoutCause(running, connectTimeout,
		fmt.Errorf("no Socket Mode connection within %v", connectTimeout))
	defer cancel()
	if err := fake.WaitConnected(connectCtx); err != nil {
		return summary{}, withOutput(context.Cause(connectCtx))
	}

	loadCtx, cancelLoad := context.WithTimeoutCause(running, b.opts.loadTimeout,
		fmt.Errorf("warm-up and %d commands took longer than -timeout %v", b.opts.n, b.opts.loadTimeout))
	defer cancelLoad()
	if b.opts.warmup > 0 {
		if _, err := drive(loadCtx, fake, b.opts.warmup, b.opts.inflight); err != nil {
			return summary{}, withOutput(fmt.Errorf("warm-up: %w", err))
		}
	}
	appCPU0, _ := c.cpuTime()
	benchCPU0 := selfCPUTime()
	res, err := drive(loadCtx, fake, b.opts.n, b.opts.inflight)
	if err != nil {
		return summary{}, withOutput(err)
	}
	appCPU1, _ := c.cpuTime()
	benchCPU := selfCPUTime() - benchCPU0
	rss, err := c.peakRSS()
	if err != nil {
		return summary{}, fmt.Errorf("peak RSS: %w", err)
	}
	if pprofAddr != "" {
		// After the peak RSS is read: profiling costs memory of its own.
		if err := b.profile(loadCtx, fake, pprofAddr, "help"); err != nil {
			return summary{}, withOutput(fmt.Errorf("profile: %w", err))
		}
	}
	if err := c.stop(); err != nil {
		// The figures stand; say that the shutdown was not clean.
		fmt.Fprintf(b.stderr, "warning: stopping %v\n%s\n", err, c.output())
	}
	if b.opts.verbose {
		reportCalls(b.stderr, app, fake)
		fmt.Fprintf(b.stderr, "measured phase: %.2fs wall; CPU %.2fs in %s, %.2fs in the bench (fake Slack and senders)\n",
			res.wall.Seconds(), (appCPU1 - appCPU0).Seconds(), displayName(app), benchCPU.Seconds())
	}
	if n := fake.Connections(); n != 1 {
		fmt.Fprintf(b.stderr, "note: %s opened %d Socket Mode connections\n", displayName(app), n)
	}
	return summarize(res, rss), nil
}

// reportCalls prints how many Web API calls of each method the app made.
func reportCalls(w io.Writer, app string, fake *fakeslack.Server) {
	counts := map[string]int{}
	for _, c := range fake.Calls() {
		counts[c.Method]++
	}
	methods := make([]string, 0, len(counts))
	for m := range counts {
		methods = append(methods, m)
	}
	slices.Sort(methods)
	parts := make([]string, len(methods))
	for i, m := range methods {
		parts[i] = fmt.Sprintf("%s ×%d", m, counts[m])
	}
	fmt.Fprintf(w, "%s called: %s\n", displayName(app), strings.Join(parts, ", "))
}

func printSetup(ctx context.Context, w io.Writer, o options) {
	fmt.Fprintf(w, "# ackbench %s\n\n", time.Now().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "- machine: %d CPUs, %s\n", runtime.NumCPU(), cpuModel())
	fmt.Fprintf(w, "- Go %s, Node %s\n", strings.TrimPrefix(runtime.Version(), "go"),
		strings.TrimPrefix(toolVersion(ctx, "node", "--version"), "v"))
	fmt.Fprintf(w, "- `/caseconf help` over Socket Mode: %d warm-up, then %d measured, %d in flight; %d run(s)\n",
		o.warmup, o.n, o.inflight, o.runs)
	fmt.Fprintf(w, "- latency: fake Slack writes the envelope → reads the ack carrying the help text\n")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.1f", float64(b)/(1<<20)) }

func printTable(w io.Writer, title string, apps []string, res map[string]summary) {
	fmt.Fprintf(w, "\n## %s\n\n", title)
	fmt.Fprintln(w, "| app | help ack p50 (ms) | p99 (ms) | max (ms) | commands/s | peak RSS (MiB) |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: |")
	for _, app := range apps {
		s := res[app]
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.0f | %s |\n",
			displayName(app), ms(s.p50), ms(s.p99), ms(s.max), s.perSecond, mib(s.peakRSS))
	}
	c, okC := res["caseconf"]
	p, okP := res["peer"]
	if okC && okP && c.p99 > 0 && c.peakRSS > 0 {
		fmt.Fprintf(w, "\npeer/caseconf: p99 ×%.2f, peak RSS ×%.2f\n",
			float64(p.p99)/float64(c.p99), float64(p.peakRSS)/float64(c.peakRSS))
	}
}

// medians takes each figure's median over the runs, per app.
func medians(apps []string, runs []map[string]summary) map[string]summary {
	out := map[string]summary{}
	for _, app := range apps {
		var p50, p99, mx []time.Duration
		var ps []float64
		var rss []int64
		for _, r := range runs {
			s := r[app]
			p50, p99, mx = append(p50, s.p50), append(p99, s.p99), append(mx, s.max)
			ps, rss = append(ps, s.perSecond), append(rss, s.peakRSS)
		}
		out[app] = summary{p50: median(p50), p99: median(p99), max: median(mx), perSecond: median(ps), peakRSS: median(rss)}
	}
	return out
}

// median of xs; for an even count, the mean of the middle two.
func median[T time.Duration | float64 | int64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
