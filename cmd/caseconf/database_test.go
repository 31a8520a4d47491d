package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/testdb"
)

// addFutureMigration records a migration newer than any this binary has,
// as a newer caseconf's `migrate` would.
func addFutureMigration(t *testing.T, dsn, name string) {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
		t.Fatal(err)
	}
}

// A binary older than the database's schema refuses to start, and to
// migrate or sweep, with one line naming the schema it knows and the one
// the database has.
func TestOldBinaryRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	dsn := testdb.New(t)
	addFutureMigration(t, dsn, "0999_from_the_future.sql")
	env := map[string]string{
		"DATABASE_URL": dsn, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1",
		"HTTP_ADDR": "127.0.0.1:0", "SLACK_API_URL": "http://127.0.0.1:1/api/", "LOG_FORMAT": "text",
	}
	for _, args := range [][]string{{"serve"}, {"migrate"}, {"sweep", "--at", "2026-12-01T09:00:00Z", "--dry-run"}} {
		code, stdout, stderr := runCLI(t, env, args...)
		if code == 0 {
			t.Fatalf("%s against a newer schema: exit 0, stdout %q", args[0], stdout)
		}
		lines := strings.Split(strings.TrimSpace(stderr), "\n")
		if len(lines) != 1 {
			t.Fatalf("%s: stderr is %d lines, want one:\n%s", args[0], len(lines), stderr)
		}
		for _, want := range []string{"newer than this version of caseconf", "0020", "0999"} {
			if !strings.Contains(lines[0], want) {
				t.Errorf("%s: %q lacks %q", args[0], lines[0], want)
			}
		}
	}
}

// The README's recipe: on PostgreSQL 15 and later a role that owns its
// database (CREATE ROLE ... LOGIN; CREATE DATABASE ... OWNER ...) can run
// `caseconf migrate`, with no grants on schema public.
func TestMigrateAsRoleOwningItsDatabase(t *testing.T) {
	t.Parallel()
	admin, err := sql.Open("postgres", testdb.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	var b [5]byte
	rand.Read(b[:])
	name := "caseconf_role_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	for _, q := range []string{
		`CREATE ROLE ` + name + ` LOGIN PASSWORD 'role-test-password'`,
		`CREATE DATABASE ` + name + ` OWNER ` + name,
	} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		for _, q := range []string{`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`, `DROP ROLE IF EXISTS ` + name} {
			if _, err := admin.ExecContext(context.Background(), q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	u, err := url.Parse(testdb.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(name, "role-test-password")
	u.Path = "/" + name
	env := map[string]string{"DATABASE_URL": u.String(), "LOG_FORMAT": "text"}
	code, stdout, stderr := runCLI(t, env, "migrate")
	if code != 0 || !strings.Contains(stdout, "applied 0001_domain.sql") {
		t.Fatalf("migrate as the owning role: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCLI(t, env, "sweep", "--at", "2026-12-01T09:00:00Z", "--dry-run")
	if code != 0 || !strings.Contains(stdout, "dry run") {
		t.Fatalf("sweep as the owning role after migrating: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// `caseconf migrate --wait` started while PostgreSQL is down (a service
// manager starting it before the database) keeps trying, saying so, and
// migrates once the database is up; without the database it gives up
// when the wait is over.
func TestMigrateWaitsForDatabase(t *testing.T) {
	t.Parallel()
	dsn, proxy := behindStoppedProxy(t, testdb.NewEmpty(t))
	env := map[string]string{"DATABASE_URL": dsn, "LOG_FORMAT": "text"}

	code, _, stderr := runCLI(t, env, "migrate", "--wait", "1500ms")
	if code == 0 || !strings.Contains(stderr, "still unavailable after") {
		t.Fatalf("migrate --wait with the database down throughout: code %d, stderr %q", code, stderr)
	}

	var stdout, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"migrate", "--wait", "1m"}, func(k string) (string, bool) { v, ok := env[k]; return v, ok }, &stdout, &errOut)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(errOut.String(), "database unavailable (attempt 1") {
		if time.Now().After(deadline) {
			t.Fatalf("migrate --wait did not say it is waiting: %q", errOut.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	proxy.Resume()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(stdout.String(), "applied 0001_domain.sql") {
			t.Fatalf("migrate --wait once the database was up: code %d, stdout %q, stderr %q", code, stdout.String(), errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("migrate --wait had not finished 30s after the database came up")
	}
}
