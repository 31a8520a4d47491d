// Command ackbench compares how fast caseconf and a peer Slack Bolt for JS
// app acknowledge `/caseconf help` and `/caseconf new` over Socket Mode, and
// how much memory each needs, in one run on the same machine; and measures
// caseconf again with a year of data in its database.
//
// Each app runs as a child process against its own fake Slack
// (internal/fakeslack, started in this process) and its own fresh
// PostgreSQL database. Two loads run in turn, each after a warm-up: N
// `/caseconf help` with a fixed number in flight (every ack must carry the
// help text), then N `/caseconf new` (every ack must be a plain one, and
// every command's form must then be opened with views.open, matched by
// trigger_id). The latency of each command is measured by the fake Slack,
// from writing the envelope on the websocket to reading the ack. Then the
// child's peak RSS (VmHWM) is read and the child is stopped.
//
// With -year (the default when caseconf runs), each round also runs
// "caseconf, year of data" right after caseconf: a fresh database is
// migrated and seeded by internal/seed (10,000 conferences, 100,000 outbox
// rows, 50,000 actions, a user with 500 items on their Home), caseconf is
// started with a sweep every 10s, and the loads begin only once a sweep has
// finished (caseconf's log says so; it runs with LOG_LEVEL=info for that)
// and the seeded user's Home has been published. The databases are dropped
// at the end.
//
// Each run prints a Markdown table (latencies in ms, peak RSS in MiB) and
// the ratios peer/caseconf; with -runs K, the median of each figure too.
//
//	go run ./cmd/ackbench -n 4000 -inflight 100 -new-n 400 -new-inflight 20 -runs 3
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
	n, inflight, warmup, runs    int
	newN, newInflight, newWarmup int
	loadTimeout                  time.Duration
	peerSrc, peerWork            string
	apps                         []string
	// year adds the row "caseconf, year of data" after each caseconf run.
	year    bool
	verbose bool
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
	fs.IntVar(&o.n, "n", 4000, "measured `/caseconf help` commands per app per run")
	fs.IntVar(&o.inflight, "inflight", 100, "`help` commands sent but not yet acknowledged, at most")
	fs.IntVar(&o.warmup, "warmup", 200, "unmeasured warm-up `help` commands per app per run")
	fs.IntVar(&o.newN, "new-n", 400, "measured `/caseconf new` commands per app per run (0: no `new` load)")
	fs.IntVar(&o.newInflight, "new-inflight", 20, "`new` commands sent but not yet acknowledged, at most")
	fs.IntVar(&o.newWarmup, "new-warmup", 20, "unmeasured warm-up `new` commands per app per run")
	fs.IntVar(&o.runs, "runs", 1, "run every row this many `times` and also print the median")
	fs.DurationVar(&o.loadTimeout, "timeout", 5*time.Minute, "limit for each load's warm-up plus measured commands")
	fs.BoolVar(&o.year, "year", true, "after each caseconf run, run caseconf again with a year of data (-year=false to skip)")
	fs.StringVar(&o.peerSrc, "peer", "", "the peer Bolt app's `dir` (default bench/peer in the repository)")
	fs.StringVar(&o.peerWork, "peer-work", filepath.Join(os.TempDir(), "caseconf-ackbench-peer"),
		"`dir` the peer is copied to and installed in when -peer has no node_modules")
	apps := fs.String("apps", "caseconf,peer", "comma-separated `apps` to run: caseconf, peer")
	fs.BoolVar(&o.verbose, "v", false, "show the apps' output and the Web API calls they made")
	fs.StringVar(&o.profileDir, "profile", "", "after each caseconf run (plain and year of data), take CPU, allocation and heap profiles of it under the help load and the new load into `dir`")
	fs.IntVar(&o.profileSeconds, "profile-seconds", 10, "how long the CPU and allocation profiles run, in `seconds`, under each load")
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
	if o.newN < 0 || o.newWarmup < 0 || (o.newN > 0 && o.newInflight < 1) {
		return o, errors.New("-new-n and -new-warmup must be at least 0, -new-inflight at least 1")
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
	if !slices.Contains(o.apps, "caseconf") {
		yearSet := false
		fs.Visit(func(f *flag.Flag) { yearSet = yearSet || f.Name == "year" })
		if yearSet && o.year {
			return o, errors.New("-year needs caseconf among -apps")
		}
		o.year = false
	}
	return o, nil
}

// yearRow is the row of caseconf with a year of data in its database.
const yearRow = "caseconf-year"

// rows are the table's rows, in order: the apps, with caseconf's year of
// data right after caseconf.
func (o options) rows() []string {
	rows := slices.Clone(o.apps)
	if i := slices.Index(rows, "caseconf"); o.year && i >= 0 {
		rows = slices.Insert(rows, i+1, yearRow)
	}
	return rows
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
		// The year of data comes right after the plain caseconf run.
		if i := slices.Index(order, "caseconf"); o.year && i >= 0 {
			order = slices.Insert(order, i+1, yearRow)
		}
		res := map[string]summary{}
		for _, row := range order {
			fmt.Fprintf(stderr, "run %d/%d: %s…\n", r+1, o.runs, displayName(row))
			s, err := b.runApp(ctx, row)
			if err != nil {
				return fmt.Errorf("run %d, %s: %w", r+1, displayName(row), err)
			}
			res[row] = s
		}
		results = append(results, res)
		printTable(stdout, fmt.Sprintf("Run %d (%s first)", r+1, displayName(order[0])), o.rows(), res)
	}
	if o.runs > 1 {
		printTable(stdout, fmt.Sprintf("Median of %d runs", o.runs), o.rows(), medians(o.rows(), results))
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

func displayName(row string) string {
	switch row {
	case "peer":
		return "peer (Bolt for JS)"
	case yearRow:
		return "caseconf, year of data"
	}
	return row
}

// runApp runs one row once: fresh fake Slack and database (for the year of
// data, migrated and seeded), start, connect (for the year of data, wait
// for a sweep and the seeded user's Home), warm up and measure each load,
// read peak RSS, stop. Whatever happens, the child is stopped, the fake
// closed and the database dropped before it returns.
func (b *bench) runApp(ctx context.Context, row string) (_ summary, err error) {
	app, year := row, row == yearRow
	if year {
		app = "caseconf"
	}
	fake := fakeslack.New()
	defer fake.Close()
	dbName, dsn, err := b.db.create(ctx, strings.ReplaceAll(row, "-", "_"))
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
	var watch *lineWatch
	if year {
		vars["CASECONF_SWEEP_EVERY"] = yearSweepEvery
		// The sweep logs its end at info; the commands measured log
		// nothing at info.
		vars["LOG_LEVEL"] = "info"
		watch = newLineWatch(sweepDoneLog, sweepFailedLog)
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
	homeUser := ""
	switch app {
	case "caseconf":
		migrateCtx, cancel := context.WithTimeout(ctx, migrateTimeout)
		defer cancel()
		migrate, err := startChild("caseconf migrate", "", env, b.opts.verbose, nil, b.caseconfBin, "migrate")
		if err != nil {
			return summary{}, err
		}
		if err := migrate.wait(migrateCtx); err != nil {
			return summary{}, fmt.Errorf("caseconf migrate: %w\n%s", err, migrate.output())
		}
		if year {
			t0 := time.Now()
			if homeUser, err = seedYear(ctx, dsn); err != nil {
				return summary{}, fmt.Errorf("year of data, step \"seed the database\": %w", err)
			}
			fmt.Fprintf(b.stderr, "seeded a year of data in %.1fs\n", time.Since(t0).Seconds())
		}
		argv = []string{b.caseconfBin, "serve"}
	case "peer":
		node, err := exec.LookPath("node")
		if err != nil {
			return summary{}, err
		}
		argv, dir = []string{node, "app.js"}, b.peerDir
	}

	var w io.Writer
	if watch != nil {
		w = watch
	}
	c, err := startChild(displayName(row), dir, env, b.opts.verbose, w, argv...)
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
	if year {
		t0 := time.Now()
		if err := awaitSweep(running, watch); err != nil {
			return summary{}, withOutput(fmt.Errorf("year of data, step \"first reminder sweep\": %w", err))
		}
		t1 := time.Now()
		if err := awaitHome(running, fake, homeUser); err != nil {
			return summary{}, withOutput(fmt.Errorf("year of data, step \"publish the seeded user's Home\": %w", err))
		}
		fmt.Fprintf(b.stderr, "first sweep done %.1fs after connecting; Home published %.1fs after asking\n",
			t1.Sub(t0).Seconds(), time.Since(t1).Seconds())
	}

	var sum summary
	appCPU0, _ := c.cpuTime()
	benchCPU0 := selfCPUTime()
	help, err := b.load(running, fake, "help", b.opts.warmup, b.opts.n, b.opts.inflight, helpRoundTrip)
	if err != nil {
		return summary{}, withOutput(err)
	}
	sum.help = loadStats(help)
	newCmds := &newLoad{}
	var created loadResult
	if b.opts.newN > 0 {
		created, err = b.load(running, fake, "new", b.opts.newWarmup, b.opts.newN, b.opts.newInflight, newCmds.roundTrip)
		if err != nil {
			return summary{}, withOutput(err)
		}
		if err := newCmds.check(running, fake); err != nil {
			return summary{}, withOutput(err)
		}
		sum.new, sum.hasNew = loadStats(created), true
	}
	appCPU1, _ := c.cpuTime()
	benchCPU := selfCPUTime() - benchCPU0
	if sum.peakRSS, err = c.peakRSS(); err != nil {
		return summary{}, fmt.Errorf("peak RSS: %w", err)
	}
	if pprofAddr != "" {
		// After the peak RSS is read: profiling costs memory of its own.
		loads := []profiledLoad{{"help", b.opts.n, b.opts.inflight, helpRoundTrip}}
		if b.opts.newN > 0 {
			loads = append(loads, profiledLoad{"new", b.opts.newN, b.opts.newInflight, (&newLoad{}).roundTrip})
		}
		name := "plain"
		if year {
			name = "year"
		}
		for _, l := range loads {
			pctx, cancel := context.WithTimeoutCause(running, b.opts.loadTimeout+time.Duration(b.opts.profileSeconds)*time.Second,
				fmt.Errorf("profiling under %s took too long", l.name))
			err := b.profile(pctx, fake, pprofAddr, name, l)
			cancel()
			if err != nil {
				return summary{}, withOutput(fmt.Errorf("profile: %w", err))
			}
		}
	}
	if err := c.stop(); err != nil {
		// The figures stand; say that the shutdown was not clean.
		fmt.Fprintf(b.stderr, "warning: stopping %v\n%s\n", err, c.output())
	}
	if b.opts.verbose {
		reportCalls(b.stderr, row, fake)
		fmt.Fprintf(b.stderr, "measured phases: %.2fs wall; CPU %.2fs in %s, %.2fs in the bench (fake Slack and senders)\n",
			(help.wall + created.wall).Seconds(), (appCPU1 - appCPU0).Seconds(), displayName(row), benchCPU.Seconds())
	}
	if n := fake.Connections(); n != 1 {
		fmt.Fprintf(b.stderr, "note: %s opened %d Socket Mode connections\n", displayName(row), n)
	}
	return sum, nil
}

// load sends warmup unmeasured commands, then n measured ones, inflight at
// a time, all within -timeout.
func (b *bench) load(ctx context.Context, fake *fakeslack.Server, name string, warmup, n, inflight int, rt roundTrip) (loadResult, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, b.opts.loadTimeout,
		fmt.Errorf("%s: warm-up and %d commands took longer than -timeout %v", name, n, b.opts.loadTimeout))
	defer cancel()
	if warmup > 0 {
		if _, err := drive(ctx, fake, warmup, inflight, rt); err != nil {
			return loadResult{}, fmt.Errorf("%s warm-up: %w", name, err)
		}
	}
	res, err := drive(ctx, fake, n, inflight, rt)
	if err != nil {
		return loadResult{}, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
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
	fmt.Fprintf(w, "- `/caseconf help` over Socket Mode: %d warm-up, then %d measured, %d in flight\n",
		o.warmup, o.n, o.inflight)
	if o.newN > 0 {
		fmt.Fprintf(w, "- then `/caseconf new`: %d warm-up, then %d measured, %d in flight; every form must be opened (views.open)\n",
			o.newWarmup, o.newN, o.newInflight)
	}
	fmt.Fprintf(w, "- latency: fake Slack writes the envelope → reads the ack (help: carrying the help text; new: plain)\n")
	fmt.Fprintf(w, "- peak RSS: the app's VmHWM after both loads\n")
	if o.year {
		fmt.Fprintf(w, "- caseconf, year of data: 10,000 conferences, 100,000 outbox rows, 50,000 actions (internal/seed); "+
			"a sweep (CASECONF_SWEEP_EVERY=%s) and a Home publish for a user with 500 items before the loads\n", yearSweepEvery)
	}
	fmt.Fprintf(w, "- %d run(s)\n", o.runs)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

func mib(b int64) string { return fmt.Sprintf("%.1f", float64(b)/(1<<20)) }

func printTable(w io.Writer, title string, rows []string, res map[string]summary) {
	fmt.Fprintf(w, "\n## %s\n\n", title)
	fmt.Fprintln(w, "| app | help p50 (ms) | p99 (ms) | max (ms) | help cmd/s | new p50 (ms) | p99 (ms) | max (ms) | new cmd/s | peak RSS (MiB) |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, row := range rows {
		s := res[row]
		newCols := "– | – | – | –"
		if s.hasNew {
			newCols = fmt.Sprintf("%s | %s | %s | %.0f", ms(s.new.p50), ms(s.new.p99), ms(s.new.max), s.new.perSecond)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %.0f | %s | %s |\n",
			displayName(row), ms(s.help.p50), ms(s.help.p99), ms(s.help.max), s.help.perSecond, newCols, mib(s.peakRSS))
	}
	if line := ratios("peer/caseconf", res, "peer", "caseconf"); line != "" {
		fmt.Fprintf(w, "\n%s\n", line)
	}
	if line := ratios("year of data/caseconf", res, yearRow, "caseconf"); line != "" {
		fmt.Fprintf(w, "\n%s\n", line)
	}
}

// ratios is the line "name: help p99 ×…, new p99 ×…, peak RSS ×…" of row
// a's figures over row b's, or "" if either row is missing.
func ratios(name string, res map[string]summary, a, b string) string {
	x, okA := res[a]
	y, okB := res[b]
	if !okA || !okB {
		return ""
	}
	ratio := func(p, q float64) string {
		if q == 0 {
			return "–"
		}
		return fmt.Sprintf("×%.2f", p/q)
	}
	newP99 := "–"
	if x.hasNew && y.hasNew {
		newP99 = ratio(float64(x.new.p99), float64(y.new.p99))
	}
	return fmt.Sprintf("%s: help p99 %s, new p99 %s, peak RSS %s", name,
		ratio(float64(x.help.p99), float64(y.help.p99)), newP99, ratio(float64(x.peakRSS), float64(y.peakRSS)))
}

// medians takes each figure's median over the runs, per row.
func medians(rows []string, runs []map[string]summary) map[string]summary {
	out := map[string]summary{}
	for _, row := range rows {
		var help, created []stats
		var rss []int64
		hasNew := true
		for _, r := range runs {
			s := r[row]
			help, created, rss = append(help, s.help), append(created, s.new), append(rss, s.peakRSS)
			hasNew = hasNew && s.hasNew
		}
		out[row] = summary{help: medianStats(help), new: medianStats(created), hasNew: hasNew, peakRSS: median(rss)}
	}
	return out
}

// medianStats takes each figure's median.
func medianStats(ss []stats) stats {
	var p50, p99, mx []time.Duration
	var ps []float64
	for _, s := range ss {
		p50, p99, mx, ps = append(p50, s.p50), append(p99, s.p99), append(mx, s.max), append(ps, s.perSecond)
	}
	return stats{p50: median(p50), p99: median(p99), max: median(mx), perSecond: median(ps)}
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
