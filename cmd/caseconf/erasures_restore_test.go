package main

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// seedClient schedules a conference about a new client and returns the
// client's number.
func seedClient(t *testing.T, s *store.DB, ref, name string) int64 {
	t.Helper()
	london, _ := time.LoadLocation("Europe/London")
	c, _, err := s.CreateConference(context.Background(), store.NewConference{CaseManagerID: "U0CM", Schedule: caseconf.Schedule{
		ClientRef: ref, ClientName: name, Reasons: []string{"complex_health"}, Purpose: "Keep the tenancy at Acacia House",
		StartsAt: time.Date(2027, 1, 20, 10, 30, 0, 0, london), LengthMinutes: 60, Place: "Surgery",
		SlackInvitees: []string{"U0GP"}, Chair: "U0CM", MinuteTaker: "U0CM", ClientAttends: true,
		Consent: caseconf.Consent{Method: caseconf.ConsentWritten, GivenOn: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
			ValidUntil: time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC), AgencyKinds: []string{"health_gp"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return c.ClientID
}

func openStoreAt(t *testing.T, dsn string) *store.DB {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	s.SetMaxConns(2)
	return s
}

// copyDatabase makes a copy of the database at dsn, as restoring a backup
// taken now would; nothing may be connected to it.
func copyDatabase(t *testing.T, dsn string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", testdb.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	src := strings.TrimPrefix(u.Path, "/")
	name := src + "_backup"
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + src); err != nil {
		t.Fatalf("copy the database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// A backup taken before an erasure brings the client back when restored:
// `caseconf erasures reapply` erases them again, from the erasures the
// newer database's audit log records or from a list kept with
// `caseconf erasures list`; it leaves alone a number the restored database
// has since given to another client, names no client, and erases nothing
// more when run again.
func TestReapplyErasuresAfterRestore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	live := testdb.NewEmpty(t)
	s := openStoreAt(t, live)
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	erasedLater := seedClient(t, s, "JS-4411", "Jane Smith")
	kept := seedClient(t, s, "KB-2002", "Karl Brown")
	s.Close()

	backup := copyDatabase(t, live) // last night's backup

	s = openStoreAt(t, live)
	if _, err := s.EraseClient(ctx, erasedLater, "U0ADMIN", "administrator"); err != nil {
		t.Fatal(err)
	}
	newSince := seedClient(t, s, "LC-3003", "Lena Cole") // after the backup
	if _, err := s.EraseClient(ctx, newSince, "retention", "retention"); err != nil {
		t.Fatal(err)
	}
	absent := seedClient(t, s, "OP-5005", "Ola Park") // after the backup too
	if _, err := s.EraseClient(ctx, absent, "U0ADMIN", "administrator"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// The live database is lost; the backup is restored, and before
	// anyone thinks to re-apply erasures a new client is recorded: it
	// takes the number the lost database had given Lena Cole.
	r := openStoreAt(t, backup)
	defer r.Close()
	if reused := seedClient(t, r, "MD-4004", "Mo Dee"); reused != newSince {
		t.Fatalf("precondition: the restored database gave the new client number %d, want %d (reused)", reused, newSince)
	}
	clientCount := func(id int64) (confs int, erased bool) {
		t.Helper()
		if err := r.SQL().Get(&confs, `SELECT count(*) FROM conferences WHERE client_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if err := r.SQL().Get(&erased, `SELECT erased_at IS NOT NULL FROM clients WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return confs, erased
	}
	if n, erased := clientCount(erasedLater); n != 1 || erased {
		t.Fatalf("precondition: the backup should still hold the erased client (%d conferences, erased %v)", n, erased)
	}

	env := map[string]string{"DATABASE_URL": backup, "LOG_FORMAT": "text"}
	noNames := func(out string) {
		t.Helper()
		for _, secret := range []string{"JS-4411", "Jane", "Smith", "KB-2002", "Karl", "LC-3003", "Lena", "MD-4004", "OP-5005", "Ola", "Acacia"} {
			if strings.Contains(out, secret) {
				t.Errorf("output names a client (%q):\n%s", secret, out)
			}
		}
	}

	// The list of erasures, kept outside the database.
	code, list, stderr := runCLI(t, map[string]string{"DATABASE_URL": live, "LOG_FORMAT": "text"}, "erasures", "list")
	if code != 0 || !strings.Contains(list, strconv.FormatInt(erasedLater, 10)+"\t") || !strings.Contains(list, strconv.FormatInt(newSince, 10)+"\t") {
		t.Fatalf("erasures list: code %d, stdout %q, stderr %q", code, list, stderr)
	}
	noNames(list)

	code, out, stderr := runCLI(t, env, "erasures", "reapply", "--from", live, "--dry-run")
	if code != 0 || !strings.Contains(out, "would erase client "+strconv.FormatInt(erasedLater, 10)) {
		t.Fatalf("dry run: code %d, stdout %q, stderr %q", code, out, stderr)
	}
	if n, erased := clientCount(erasedLater); n != 1 || erased {
		t.Fatalf("the dry run erased the client")
	}

	code, out, stderr = runCLI(t, env, "erasures", "reapply", "--from", live)
	want := "recorded erasures: 3; erased again: 1; already erased: 0; not in this database: 1; number now another client's, left alone: 1"
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("reapply: code %d, stdout %q, stderr %q; want %q", code, out, stderr, want)
	}
	noNames(out + stderr)
	if n, erased := clientCount(erasedLater); n != 0 || !erased {
		t.Errorf("after reapply the erased client has %d conferences (erased %v); want none, erased", n, erased)
	}
	for _, id := range []int64{kept, newSince} {
		if n, erased := clientCount(id); n != 1 || erased {
			t.Errorf("client %d: %d conferences, erased %v; want it untouched", id, n, erased)
		}
	}
	var audited int
	if err := r.SQL().Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'client.erase' AND actor_id = 'restore' AND client_id = $1`, erasedLater); err != nil || audited != 1 {
		t.Errorf("the re-applied erasure audited %d times (%v), want once", audited, err)
	}

	// Again, from the list kept in a file: nothing more to do.
	path := filepath.Join(t.TempDir(), "erasures.tsv")
	if err := os.WriteFile(path, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr = runCLI(t, env, "erasures", "reapply", "--file", path)
	want = "recorded erasures: 3; erased again: 0; already erased: 1; not in this database: 1; number now another client's, left alone: 1"
	if code != 0 || !strings.Contains(out, want) {
		t.Fatalf("reapply again: code %d, stdout %q, stderr %q; want %q", code, out, stderr, want)
	}
}
