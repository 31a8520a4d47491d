package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/caseconf/caseconf/internal/testdb"
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
