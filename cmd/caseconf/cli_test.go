package main

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// runCLI runs the caseconf command line with the given environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code = run(context.Background(), args, lookup, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	t.Run("UnknownSubcommandPrintsUsageAndExits2", func(t *testing.T) {
		code, _, stderr := runCLI(t, nil, "frobnicate")
		if code != 2 || !strings.Contains(stderr, `unknown command "frobnicate"`) || !strings.Contains(stderr, "caseconf serve") {
			t.Fatalf("code %d, stderr %q", code, stderr)
		}
	})
	t.Run("NoSubcommandExits2", func(t *testing.T) {
		if code, _, _ := runCLI(t, nil); code != 2 {
			t.Fatalf("code %d, want 2", code)
		}
	})
	t.Run("UnknownFlagExits2", func(t *testing.T) {
		code, _, stderr := runCLI(t, nil, "serve", "--verbose")
		if code != 2 || !strings.Contains(stderr, "flag provided but not defined") {
			t.Fatalf("code %d, stderr %q", code, stderr)
		}
	})
	t.Run("Version", func(t *testing.T) {
		code, stdout, _ := runCLI(t, nil, "version")
		if code != 0 || !strings.HasPrefix(stdout, "caseconf ") {
			t.Fatalf("code %d, stdout %q", code, stdout)
		}
	})
	t.Run("Help", func(t *testing.T) {
		code, stdout, _ := runCLI(t, nil, "help")
		if code != 0 || !strings.Contains(stdout, "sweep --at TIME") {
			t.Fatalf("code %d, stdout %q", code, stdout)
		}
	})
	t.Run("ServeWithoutDatabaseURLNamesIt", func(t *testing.T) {
		code, _, stderr := runCLI(t, map[string]string{"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, "serve")
		assertOneLineNaming(t, code, stderr, "DATABASE_URL")
	})
	t.Run("ServeWithUserTokenNamesIt", func(t *testing.T) {
		code, _, stderr := runCLI(t, map[string]string{
			"DATABASE_URL": testdb.DefaultURL, "SLACK_BOT_TOKEN": "xoxp-wrong", "SLACK_APP_TOKEN": "xapp-1",
		}, "serve")
		assertOneLineNaming(t, code, stderr, "SLACK_BOT_TOKEN")
		if strings.Contains(stderr, "xoxp-wrong") {
			t.Fatalf("stderr prints the token: %q", stderr)
		}
	})
	t.Run("ServeWithREADMEPlaceholdersNamesTheToken", func(t *testing.T) {
		// The placeholders the README's quick start shows, as a newcomer
		// would paste them.
		readme, err := os.ReadFile("../../README.md")
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`SLACK_BOT_TOKEN='([^']*)' SLACK_APP_TOKEN='([^']*)'`).FindSubmatch(readme)
		if m == nil {
			t.Fatal("the README's quick start no longer exports SLACK_BOT_TOKEN and SLACK_APP_TOKEN")
		}
		code, _, stderr := runCLI(t, map[string]string{
			"DATABASE_URL": testdb.DefaultURL, "SLACK_BOT_TOKEN": string(m[1]), "SLACK_APP_TOKEN": string(m[2]),
		}, "serve")
		assertOneLineNaming(t, code, stderr, "SLACK_BOT_TOKEN")
		code, _, stderr = runCLI(t, map[string]string{
			"DATABASE_URL": testdb.DefaultURL, "SLACK_BOT_TOKEN": "xoxb-…", "SLACK_APP_TOKEN": "xapp-…",
		}, "serve")
		assertOneLineNaming(t, code, stderr, "SLACK_BOT_TOKEN")
		code, _, stderr = runCLI(t, map[string]string{
			"DATABASE_URL": testdb.DefaultURL, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-…",
		}, "serve")
		assertOneLineNaming(t, code, stderr, "SLACK_APP_TOKEN")
	})
	t.Run("ServeWithNoTransportRefuses", func(t *testing.T) {
		code, _, stderr := runCLI(t, map[string]string{"DATABASE_URL": testdb.DefaultURL, "SLACK_BOT_TOKEN": "xoxb-1"}, "serve")
		assertOneLineNaming(t, code, stderr, "SLACK_APP_TOKEN")
	})
	t.Run("SweepNeedsAt", func(t *testing.T) {
		if code, _, stderr := runCLI(t, nil, "sweep"); code != 2 || !strings.Contains(stderr, "--at") {
			t.Fatalf("code %d, stderr %q", code, stderr)
		}
		if code, _, stderr := runCLI(t, nil, "sweep", "--at", "tomorrow"); code != 2 || !strings.Contains(stderr, "RFC 3339") {
			t.Fatalf("code %d, stderr %q", code, stderr)
		}
	})
}

func assertOneLineNaming(t *testing.T, code int, stderr, variable string) {
	t.Helper()
	if code == 0 {
		t.Fatalf("exit code 0, want non-zero")
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], variable) {
		t.Fatalf("stderr = %q, want one line naming %s", stderr, variable)
	}
}

func TestMigrateAndSweepCommands(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": testdb.NewEmpty(t), "LOG_FORMAT": "text"}

	code, _, stderr := runCLI(t, env, "sweep", "--at", "2026-12-01T09:00:00Z", "--dry-run")
	if code == 0 || !strings.Contains(stderr, "caseconf migrate") {
		t.Fatalf("sweep on an unmigrated database: code %d, stderr %q; want it to say run caseconf migrate", code, stderr)
	}

	code, stdout, stderr := runCLI(t, env, "migrate")
	if code != 0 || !strings.Contains(stdout, "applied 0001_domain.sql") {
		t.Fatalf("migrate: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, env, "migrate")
	if code != 0 || !strings.Contains(stdout, "up to date") {
		t.Fatalf("second migrate: code %d, stdout %q", code, stdout)
	}

	code, stdout, stderr = runCLI(t, env, "sweep", "--at", "2026-12-01T09:00:00Z", "--dry-run")
	if code != 0 || !strings.Contains(stdout, "dry run at 2026-12-01T09:00:00Z") {
		t.Fatalf("sweep --dry-run: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, env, "sweep", "--at", "2026-12-01T09:00:00Z")
	if code == 0 || !strings.Contains(stderr, "SLACK_BOT_TOKEN") {
		t.Fatalf("sweep that may send without a bot token: code %d, stderr %q", code, stderr)
	}
}

// `caseconf sweep --at T --dry-run` on a seeded database lists what is due
// (kind, recipient, when, which conference), never a client's details, and
// changes nothing.
func TestSweepDryRunListsWhatIsDue(t *testing.T) {
	t.Parallel()
	dsn := testdb.New(t)
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	london, _ := time.LoadLocation("Europe/London")
	s.Now = func() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }
	// Wednesday 20 January 2027: Monday the 11th is seven working days before.
	_, _, err = s.CreateConference(context.Background(), store.NewConference{CaseManagerID: "U0CM", Schedule: caseconf.Schedule{
		ClientRef: "JS-4411", ClientName: "Jane Smith", Reasons: []string{"complex_health"}, Purpose: "Keep the tenancy at Acacia House",
		StartsAt: time.Date(2027, 1, 20, 10, 30, 0, 0, london), LengthMinutes: 60, Place: "Surgery",
		SlackInvitees: []string{"U0GP"}, Chair: "U0CM", MinuteTaker: "U0CM", ClientAttends: true,
		Consent: caseconf.Consent{Method: caseconf.ConsentWritten, GivenOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			ValidUntil: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC), AgencyKinds: []string{"health_gp"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	outbox := func() int {
		var n int
		if err := s.SQL().Get(&n, `SELECT count(*) FROM outbox`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := outbox()
	code, stdout, stderr := runCLI(t, map[string]string{"DATABASE_URL": dsn, "LOG_FORMAT": "text"},
		"sweep", "--at", "2027-01-11T09:05:00Z", "--dry-run")
	if code != 0 {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"dry run at 2027-01-11T09:05:00Z: 1 reminders due", "invitation_unanswered", "U0GP", "2027-01-11T09:05:00Z"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, secret := range []string{"JS-4411", "Jane", "Acacia"} {
		if strings.Contains(stdout+stderr, secret) {
			t.Errorf("the dry run printed %q:\n%s%s", secret, stdout, stderr)
		}
	}
	if n := outbox(); n != before {
		t.Fatalf("the dry run changed the outbox: %d rows, was %d", n, before)
	}
}
