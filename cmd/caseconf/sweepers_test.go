package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// Three `caseconf sweep --at T` processes at once over 2,000 due
// reminders: each reminder is written to the outbox once and posted to
// Slack once (none twice, none lost). A fourth sweep for the same moment
// writes and sends nothing.
//
// The reminders are action reminders, which do not depend on the wall
// clock when they are sent: 1,500 open actions, each owned by its own
// Slack user, across 20 conferences (75 actions each, 20 case managers).
// 1,000 are exactly 7 days overdue at T (one "overdue" reminder to the
// owner); 500 are 14 days overdue (one to the owner and one "overdue for
// more than a week" to the case manager): 2,000 reminders. The
// conferences met 100 days before T, so they call for no reminders of
// their own, and nobody's consent is ending.
//
// Overlap is made certain, not hoped for: the fake Slack holds the first
// chat.postMessage calls until 12 are in flight at once. Each process
// has at most 4 posts in flight (bot's outboxWorkers = 4 workers with one
// claim each), so 12 at once means all three processes were sending at
// the same moment. While they are held, the test reads the in-flight
// rows' claimed_by (host/pid/start/worker) and checks three processes
// claimed them (that check holds even if outboxWorkers grows; were it to
// shrink below 4, the gate would never fill and the test would say so).
// If the 12 never come (a process too slow to start), the posts are let
// go after 10 s (before the sender's 15 s HTTP time-out) and the test
// fails saying the sweeps did not overlap. For the gate, the test answers
// chat.postMessage itself (ok, the DM channel, a unique ts) in place of
// the fake's built-in answer; after the first 12, posts are not delayed.
//
// It is not run in parallel with the package's other tests: the gate needs
// the three processes' sweeps to finish within its 10 s of each other,
// which a machine busy with a hundred other tests (two CPUs under -race)
// does not always give them.
func TestThreeSweepersSendEachReminderOnce(t *testing.T) {
	const (
		at           = "2026-11-11T15:00:00Z" // Wednesday: 15:00 in London, 10:00 in New York, inside both windows
		sweepers     = 3
		perProcess   = 4 // posts in flight per process at most (bot.outboxWorkers)
		conferences  = 20
		perConf      = 75
		wantOverlap  = sweepers * perProcess
		gateTimeout  = 10 * time.Second
		childTimeout = 90 * time.Second
	)
	when, err := time.Parse(time.RFC3339, at)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dsn := testdb.New(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fake := newFakeSlack(t)

	// The seed. want is every reminder due at T: kind, recipient, action.
	type reminderKey struct {
		Kind      string `db:"kind"`
		Recipient string `db:"recipient_id"`
		Subject   int64  `db:"subject_id"`
	}
	want := map[reminderKey]bool{}
	users := map[string]bool{}
	tx, err := db.SQL().BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for k := range conferences {
		cm := fmt.Sprintf("U0SWCM%02d", k)
		users[cm] = true
		var client, consent, conf int64
		if err := tx.GetContext(ctx, &client, `INSERT INTO clients (reference, case_manager_id) VALUES ($1, $2) RETURNING id`,
			fmt.Sprintf("SW-%02d", k), cm); err != nil {
			t.Fatal(err)
		}
		// Written consent, good for a year: not ending soon.
		if err := tx.GetContext(ctx, &consent, `INSERT INTO consents (client_id, method, given_on, valid_until, agency_kinds, recorded_by)
			VALUES ($1, 'written', $2::date - 200, $2::date + 365, '{health_gp,adult_social_care}', $3) RETURNING id`,
			client, at[:10], cm); err != nil {
			t.Fatal(err)
		}
		if err := tx.GetContext(ctx, &conf, `INSERT INTO conferences (ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id,
				starts_at, duration_minutes, status)
			VALUES ($1, $2, $3, $4, $4, $4, $5::timestamptz - interval '100 days', 60, 'held') RETURNING id`,
			fmt.Sprintf("CC-%04d", k+1), client, consent, cm, when); err != nil {
			t.Fatal(err)
		}
		// Action n (0..1499) is owned by U0SWO<n>; every third is 14
		// days overdue, the rest 7.
		var actions []struct {
			ID    int64  `db:"id"`
			Owner string `db:"owner_slack_id"`
			Late  int    `db:"late"`
		}
		if err := tx.SelectContext(ctx, &actions, `INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
			SELECT $1, 'Housing', 'Sweep test action ' || n, 'U0SWO' || lpad(n::text, 4, '0'),
				$2::date - CASE WHEN n % 3 = 2 THEN 14 ELSE 7 END
			FROM generate_series($3::int, $3::int + $4::int - 1) n
			RETURNING id, owner_slack_id, $2::date - due_on AS late`, conf, at[:10], k*perConf, perConf); err != nil {
			t.Fatal(err)
		}
		for _, a := range actions {
			users[a.Owner] = true
			want[reminderKey{"action_overdue", a.Owner, a.ID}] = true
			switch a.Late {
			case 7:
			case 14:
				want[reminderKey{"action_overdue_cm", cm, a.ID}] = true
			default:
				t.Fatalf("action %d is %d days late", a.ID, a.Late)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if len(want) != 2000 {
		t.Fatalf("the seed makes %d reminders due, want 2,000", len(want))
	}
	// Every recipient is a user the fake Slack knows (the sweep asks
	// users.info for their time zone); a quarter work in New York.
	i := 0
	for u := range users {
		su := slackUser(u, "Sweep "+u)
		if i%4 == 0 {
			su.TZ = "America/New_York"
		}
		fake.AddUser(su)
		i++
	}

	// chat.postMessage, answered as Slack would, with the gate described
	// above in front of it.
	var (
		mu          sync.Mutex
		inFlight    int
		maxInFlight int
		gateFirst   time.Time
		gateWhy     string
		claimers    map[string]int // process (host/pid/start) -> rows in flight when the gate opened
		gate        = make(chan struct{})
		gateOnce    sync.Once
		gateTimer   *time.Timer
		tsSeq       atomic.Int64
	)
	openGate := func(why string) {
		gateOnce.Do(func() {
			if why == "12 in flight" {
				// Who holds the rows being posted now, by the outbox's own
				// record of its claims.
				var rows []string
				qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				err := db.SQL().SelectContext(qctx, &rows, `SELECT claimed_by FROM outbox WHERE state = 'in_flight'`)
				cancel()
				mu.Lock()
				claimers = map[string]int{}
				if err != nil {
					claimers["error: "+err.Error()] = 0
				}
				for _, w := range rows {
					claimers[w[:max(strings.LastIndex(w, "/"), 0)]]++
				}
				mu.Unlock()
			}
			mu.Lock()
			gateWhy = why
			mu.Unlock()
			close(gate)
		})
	}
	// Never leave a post held when the fake closes (Close waits for it).
	t.Cleanup(func() { openGate("cleanup") })
	fake.Handle("chat.postMessage", func(c fakeslack.Call) any {
		channel := c.Params.Get("channel")
		if !strings.HasPrefix(channel, "U") || (c.Params.Get("text") == "" && c.Params.Get("blocks") == "") {
			return map[string]any{"ok": false, "error": "channel_not_found"}
		}
		mu.Lock()
		inFlight++
		n := inFlight
		maxInFlight = max(maxInFlight, n)
		if gateFirst.IsZero() {
			gateFirst = time.Now()
			gateTimer = time.AfterFunc(gateTimeout, func() { openGate("timed out") })
		}
		mu.Unlock()
		if n >= wantOverlap {
			openGate("12 in flight")
		}
		<-gate
		mu.Lock()
		inFlight--
		mu.Unlock()
		return map[string]any{"ok": true, "channel": fakeslack.DMChannelID(channel),
			"ts": fmt.Sprintf("1800000000.%06d", tsSeq.Add(1))}
	})
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if gateTimer != nil {
			gateTimer.Stop()
		}
	})

	env := append(os.Environ(), runAsCaseconf+"=1", "DATABASE_URL="+dsn, "DATABASE_MAX_CONNS=6", "SLACK_BOT_TOKEN=xoxb-test-token",
		"SLACK_API_URL="+fake.APIURL(), "LOG_LEVEL=warn", "LOG_FORMAT=text")
	type sweepRun struct {
		cmd            *exec.Cmd
		stdout, stderr syncBuffer
		err            error
		took           time.Duration
	}
	start := func(cctx context.Context) *sweepRun {
		r := &sweepRun{cmd: exec.CommandContext(cctx, os.Args[0], "sweep", "--at", at)}
		r.cmd.Env = env
		r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
		return r
	}
	// The figures each sweep prints: how many reminders were new to the
	// outbox, and how many messages it sent.
	sweptRE := regexp.MustCompile(`(?m)^swept at ` + regexp.QuoteMeta(at) + `: (\d+) reminders due, (\d+) new$`)
	sentRE := regexp.MustCompile(`(?m)^sent (\d+) outbox messages due now$`)
	figures := func(r *sweepRun) (due, fresh, sent int) {
		t.Helper()
		out := r.stdout.String()
		m, s := sweptRE.FindStringSubmatch(out), sentRE.FindStringSubmatch(out)
		if m == nil || s == nil {
			t.Fatalf("sweep (pid %d) printed no figures:\nstdout:\n%s\nstderr:\n%s", r.cmd.Process.Pid, out, r.stderr.String())
		}
		due, _ = strconv.Atoi(m[1])
		fresh, _ = strconv.Atoi(m[2])
		sent, _ = strconv.Atoi(s[1])
		return due, fresh, sent
	}
	checkExit := func(r *sweepRun) {
		t.Helper()
		if r.err != nil {
			t.Fatalf("sweep (pid %d) after %v: %v\nstdout:\n%s\nstderr:\n%s", r.cmd.Process.Pid, r.took, r.err, r.stdout.String(), r.stderr.String())
		}
		// Nothing worth a warning happens: no user unknown to Slack, no
		// claim rescued from under a sender, no finish that failed.
		if s := strings.TrimSpace(r.stderr.String()); s != "" {
			t.Errorf("sweep (pid %d) logged:\n%s", r.cmd.Process.Pid, s)
		}
	}

	// Three sweeps at once.
	cctx, cancel := context.WithTimeout(ctx, childTimeout)
	defer cancel()
	runs := make([]*sweepRun, sweepers)
	for i := range runs {
		runs[i] = start(cctx)
	}
	began := time.Now()
	var wg sync.WaitGroup
	for _, r := range runs {
		if err := r.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			r.err = r.cmd.Wait()
			r.took = time.Since(began)
		})
	}
	wg.Wait()
	took := time.Since(began)
	for _, r := range runs {
		checkExit(r)
	}

	// They overlapped: all three had messages in flight at once.
	mu.Lock()
	why, maxSeen, held := gateWhy, maxInFlight, claimers
	mu.Unlock()
	if why != "12 in flight" {
		t.Errorf("the three sweeps never had %d posts in flight at once (at most %d; gate: %s): they did not overlap", wantOverlap, maxSeen, why)
	}
	pids := map[string]bool{}
	for _, r := range runs {
		pids[strconv.Itoa(r.cmd.Process.Pid)] = true
	}
	for proc, n := range held {
		parts := strings.Split(proc, "/")
		if len(parts) != 3 || !pids[parts[1]] {
			t.Errorf("a row in flight was claimed by %q, not one of the sweeps %v", proc, pids)
		}
		if n > perProcess {
			t.Errorf("%q had %d rows in flight at once; a process has at most %d", proc, n, perProcess)
		}
	}
	if why == "12 in flight" && len(held) != sweepers {
		t.Errorf("when 12 posts were in flight, their rows were claimed by %d processes (%v), want %d", len(held), held, sweepers)
	}

	// Each reminder is written once, whichever sweep wrote it...
	totalNew, totalSent := 0, 0
	perSweep := make([]string, len(runs))
	for i, r := range runs {
		due, fresh, sent := figures(r)
		if due != len(want) {
			t.Errorf("sweep %d found %d reminders due, want %d", i, due, len(want))
		}
		if sent == 0 {
			t.Errorf("sweep %d (pid %d) sent nothing", i, r.cmd.Process.Pid)
		}
		totalNew += fresh
		totalSent += sent
		perSweep[i] = fmt.Sprintf("pid %d: %d new, %d sent, %v", r.cmd.Process.Pid, fresh, sent, r.took.Round(time.Millisecond))
	}
	if totalNew != len(want) {
		t.Errorf("the sweeps wrote %d new reminders between them, want %d", totalNew, len(want))
	}
	if totalSent != len(want) {
		t.Errorf("the sweeps say they sent %d messages between them, want %d", totalSent, len(want))
	}
	var rows []struct {
		reminderKey
		ID        int64     `db:"id"`
		State     string    `db:"state"`
		Attempts  int       `db:"attempts"`
		NotBefore time.Time `db:"not_before"`
		Errors    int       `db:"errors"`
	}
	if err := db.SQL().SelectContext(ctx, &rows, `SELECT id, kind, recipient_id, subject_id, state, attempts, not_before,
			cardinality(errors) AS errors FROM outbox ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Errorf("%d outbox rows, want %d", len(rows), len(want))
	}
	byID := map[int64]reminderKey{}
	seen := map[reminderKey]bool{}
	states := map[string]int{}
	for _, r := range rows {
		byID[r.ID] = r.reminderKey
		states[r.State]++
		switch {
		case !want[r.reminderKey]:
			t.Errorf("outbox row %d is no reminder due at T: %+v", r.ID, r.reminderKey)
		case seen[r.reminderKey]:
			t.Errorf("outbox row %d is a second row for %+v", r.ID, r.reminderKey)
		}
		seen[r.reminderKey] = true
		if r.State != "sent" || r.Attempts != 1 || r.Errors != 0 {
			t.Errorf("outbox row %d (%+v): state %s after %d attempts, %d errors; want sent at the first", r.ID, r.reminderKey, r.State, r.Attempts, r.Errors)
		}
		if !r.NotBefore.Equal(when) {
			t.Errorf("outbox row %d goes at %v, want %v (inside its recipient's working hours)", r.ID, r.NotBefore.UTC(), when)
		}
	}

	// ...and posted once: every post names its outbox row in its snooze
	// buttons, and goes to that row's recipient.
	snoozeRE := regexp.MustCompile(`"o(\d+)\.d1"`)
	posted := func() map[reminderKey]int {
		t.Helper()
		out := map[reminderKey]int{}
		for _, c := range fake.CallsTo("chat.postMessage") {
			m := snoozeRE.FindStringSubmatch(c.Params.Get("blocks"))
			if m == nil {
				t.Errorf("a post to %s names no outbox row: %s", c.Params.Get("channel"), c.Params.Get("text"))
				continue
			}
			id, _ := strconv.ParseInt(m[1], 10, 64)
			k, ok := byID[id]
			switch {
			case !ok:
				t.Errorf("a post to %s is for outbox row %d, which is not in the outbox", c.Params.Get("channel"), id)
				continue
			case k.Recipient != c.Params.Get("channel"):
				t.Errorf("outbox row %d for %s was posted to %s", id, k.Recipient, c.Params.Get("channel"))
			}
			out[k]++
		}
		return out
	}
	got := posted()
	twice, extra, lost := 0, 0, 0
	for k := range want {
		switch n := got[k]; {
		case n == 0:
			lost++
		case n > 1:
			twice++
			extra += n - 1
			if twice <= 5 {
				t.Errorf("%s about action %d posted to %s %d times", k.Kind, k.Subject, k.Recipient, n)
			}
		}
	}
	if twice != 0 || lost != 0 {
		t.Errorf("%d reminders posted more than once (%d extra posts), %d never posted, of %d", twice, extra, lost, len(want))
	}
	postsBefore := len(fake.CallsTo("chat.postMessage"))
	t.Logf("%d reminders (%d recipients) by %d sweeps at once in %v: %s; %d posts, max %d in flight, outbox %v; rows in flight when the gate opened: %v",
		len(want), len(users), sweepers, took.Round(time.Millisecond), strings.Join(perSweep, "; "), postsBefore, maxSeen, states, held)

	// The same moment swept again: nothing new, nothing sent.
	again := start(cctx)
	began = time.Now()
	if err := again.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	again.err = again.cmd.Wait()
	again.took = time.Since(began)
	checkExit(again)
	due, fresh, sent := figures(again)
	if due != len(want) || fresh != 0 || sent != 0 {
		t.Errorf("the sweep repeated for %s found %d due, wrote %d new, sent %d; want %d due, 0 new, 0 sent", at, due, fresh, sent, len(want))
	}
	if n := len(fake.CallsTo("chat.postMessage")); n != postsBefore {
		t.Errorf("the sweep repeated for %s posted %d messages", at, n-postsBefore)
	}
	var count, notSent int
	if err := db.SQL().GetContext(ctx, &count, `SELECT count(*) FROM outbox`); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL().GetContext(ctx, &notSent, `SELECT count(*) FROM outbox WHERE state <> 'sent'`); err != nil {
		t.Fatal(err)
	}
	if count != len(rows) || notSent != 0 {
		t.Errorf("after the repeated sweep the outbox has %d rows (%d not sent), want %d, all sent", count, notSent, len(rows))
	}
	t.Logf("repeated sweep in %v: %d due, %d new, %d sent", again.took.Round(time.Millisecond), due, fresh, sent)
}
