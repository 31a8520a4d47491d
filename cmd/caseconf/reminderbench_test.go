package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkReminderDelivery seeds due reminders (CASECONF_BENCH_REMINDERS,
// default 100,000) for 10 per user over CASECONF_BENCH_REMINDERS/10 users
// in conferences of 10 invitees, then lets the running server's outbox
// sender deliver them all to the fake Slack (no rate limit, no delay) and
// reports reminders per second, the database server's time per reminder
// (pg_stat_database.active_time of the test's own database over the
// delivery: every statement the server ran for it, including the
// server's other work meanwhile), and duplicates and losses (both must be
// 0).
//
//	CASECONF_BENCH_REMINDERS=100000 go test -run '^$' -bench ReminderDelivery -benchtime 1x -timeout 60m ./cmd/caseconf/
func BenchmarkReminderDelivery(b *testing.B) {
	n := 100_000
	if v := os.Getenv("CASECONF_BENCH_REMINDERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 10 {
			b.Fatalf("CASECONF_BENCH_REMINDERS=%q", v)
		}
	}
	for range b.N {
		a := startApp(b, map[string]string{"LOG_LEVEL": "error", "DATABASE_MAX_CONNS": "20"}) // the default pool, as in production
		ctx := context.Background()
		// n/100 conferences of 10 invitees each: n/10 users.
		users := n / 10
		for c := 0; c < users/10; c++ {
			ids := make([]string, 10)
			for i := range ids {
				ids[i] = fmt.Sprintf("U0B%06d", c*10+i)
			}
			f := scheduleForm().users("invitees", ids...)
			if ack := a.viewSubmission("U0CM", "schedule", fmt.Sprintf("VB%d", c), "", f, 0); ack["response_action"] != "clear" {
				b.Fatalf("ack = %v", ack)
			}
		}
		a.waitOutboxDone(10 * time.Minute)
		calls0 := len(a.slack.CallsTo("chat.postMessage"))
		// Ten days of "not answered" reminders for every invitee, all due.
		if _, err := a.main.DB.SQL().ExecContext(ctx, `INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before)
			SELECT 'invitation_unanswered', 'reminder:invitation_unanswered:' || i.id || ':' || i.slack_user_id || ':day' || d,
				i.slack_user_id, i.conference_id, i.id, now() - interval '1 minute'
			FROM invitees i CROSS JOIN generate_series(1, 10) d WHERE i.slack_user_id LIKE 'U0B%'`); err != nil {
			b.Fatal(err)
		}
		var seeded int
		if err := a.main.DB.SQL().Get(&seeded, `SELECT count(*) FROM outbox WHERE kind = 'invitation_unanswered'`); err != nil || seeded != n {
			b.Fatalf("seeded %d reminders (%v), want %d", seeded, err, n)
		}
		active0 := dbActiveTime(b, a)
		b.ResetTimer()
		start := time.Now()
		a.main.Bot.Sender().Wake()
		// Watch the fake Slack rather than the table, so the wait adds
		// nothing to the database's time.
		for deadline := start.Add(60 * time.Minute); a.slack.CountCalls("chat.postMessage") < calls0+n; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d posts after an hour", a.slack.CountCalls("chat.postMessage")-calls0, n)
			}
		}
		a.waitOutboxDone(time.Minute)
		took := time.Since(start)
		b.StopTimer()
		active := dbActiveTime(b, a) - active0

		var sent int
		if err := a.main.DB.SQL().Get(&sent, `SELECT count(*) FROM outbox WHERE kind = 'invitation_unanswered' AND state = 'sent'`); err != nil {
			b.Fatal(err)
		}
		posted := len(a.slack.CallsTo("chat.postMessage")) - calls0
		b.ReportMetric(float64(n)/took.Seconds(), "reminders/s")
		b.ReportMetric(active.Seconds()*1000/float64(n), "db-ms/reminder")
		b.ReportMetric(float64(posted-sent), "duplicates")
		b.ReportMetric(float64(n-sent), "lost")
		b.Logf("%d reminders to %d users in %v: %d posted, %d marked sent; database busy %v", n, users, took.Round(time.Millisecond), posted, sent, active.Round(time.Millisecond))
	}
}

// dbActiveTime is how long the server has spent running statements in the
// test's database. A backend adds its time to pg_stat_database when it
// reports its statistics (at most once a second, and when it exits): the
// pool's idle connections are closed first so that every backend has.
func dbActiveTime(b *testing.B, a *app) time.Duration {
	b.Helper()
	db := a.main.DB.SQL()
	db.SetMaxIdleConns(0)
	defer db.SetMaxIdleConns(10) // as store.Open sets it
	// Exiting backends report as they go; give them a moment.
	time.Sleep(1500 * time.Millisecond)
	var ms float64
	if err := db.Get(&ms, `SELECT active_time FROM pg_stat_database WHERE datname = current_database()`); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ms * float64(time.Millisecond))
}
