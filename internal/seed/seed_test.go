package seed_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/seed"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/reminders"
	"github.com/caseconf/caseconf/store"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// A twentieth of a year of data: the counts asked for, every constraint
// met, and the store reads it: HomeUser's Home lists HomeItems items and a
// dry-run sweep plans reminders.
func TestSeedScaledDownYear(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testdb.New(t)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	y := seed.Year()
	o := seed.Options{Conferences: y.Conferences / 20, OutboxRows: y.OutboxRows / 20, Actions: y.Actions / 20,
		HomeItems: y.HomeItems / 20, HomeUser: y.HomeUser, Now: time.Date(2026, 3, 11, 10, 30, 0, 0, time.UTC)}
	start := time.Now()
	if err := seed.Seed(ctx, db, o); err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %+v in %s", o, time.Since(start))

	count := func(q string) int {
		t.Helper()
		var n int
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM conferences`: o.Conferences,
		`SELECT count(*) FROM clients`:     o.Conferences,
		`SELECT count(*) FROM actions`:     o.Actions,
		`SELECT count(*) FROM outbox`:      o.OutboxRows,
		`SELECT count(DISTINCT slack_user_id) FROM invitees WHERE slack_user_id IS NOT NULL`: seed.PoolSize,
	} {
		if got := count(q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	for q, want := range map[string][2]int{ // at least, at most
		`SELECT count(*) FROM conferences WHERE status = 'recorded'`:                                                                                                  {o.Conferences * 3 / 4, o.Conferences},
		`SELECT count(*) FROM conferences WHERE status = 'cancelled'`:                                                                                                 {o.Conferences / 25, o.Conferences / 15},
		`SELECT count(*) FROM conferences WHERE status = 'scheduled' AND starts_at > '2026-03-11 10:30Z'`:                                                             {1, o.Conferences / 5},
		`SELECT count(*) FROM conferences WHERE starts_at < '2025-03-11' OR starts_at > '2026-05-12'`:                                                                 {0, 0},
		`SELECT count(*) FROM conferences c WHERE (SELECT count(*) FROM invitees i WHERE i.conference_id = c.id AND i.slack_user_id IS NOT NULL) NOT BETWEEN 3 AND 6`: {0, 0},
		`SELECT count(*) FROM outcomes`:                                                {o.Conferences * 3 / 4, o.Conferences},
		`SELECT count(*) FROM responses`:                                               {o.Conferences * 3, o.Conferences * 6},
		`SELECT count(*) FROM reports`:                                                 {o.Conferences, o.Conferences * 6},
		`SELECT count(*) FROM disclosures`:                                             {o.Conferences * 2, o.Conferences * 6},
		`SELECT count(*) FROM actions WHERE status = 'done'`:                           {o.Actions / 2, o.Actions},
		`SELECT count(*) FROM actions WHERE status = 'open' AND due_on < '2026-03-11'`: {o.Actions / 50, o.Actions / 5},
		`SELECT count(*) FROM outbox WHERE state = 'pending'`:                          {1, seed.PendingSummaries},
		`SELECT count(*) FROM outbox WHERE state = 'sent'`:                             {o.OutboxRows - seed.PendingSummaries, o.OutboxRows},
	} {
		if got := count(q); got < want[0] || got > want[1] {
			t.Errorf("%s = %d, want %d to %d", q, got, want[0], want[1])
		}
	}

	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cal := caseconf.NewCalendar(time.UTC, nil)
	today := cal.Date(o.Now)
	h, err := s.Home(ctx, caseconf.Viewer{UserID: o.HomeUser}, o.Now, cal.AddWorkingDays(today, 20), 50)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(h.Conferences) + h.ActionsTotal + len(h.Closed); got != o.HomeItems {
		t.Errorf("HomeUser's Home has %d conferences, %d open actions and %d closed: %d items, want %d",
			len(h.Conferences), h.ActionsTotal, len(h.Closed), got, o.HomeItems)
	}
	sw := &reminders.Sweeper{Store: s, Cal: cal}
	res, err := sw.RunOnce(ctx, o.Now, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Due) == 0 {
		t.Error("a dry-run sweep planned no reminders")
	}
	t.Logf("dry-run sweep: %d reminders due", len(res.Due))

	// A second seed into the same database is refused.
	if err := seed.Seed(ctx, db, o); err == nil {
		t.Error("seeding a database with conferences in it succeeded")
	}
}
