package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The statement_timeout the server actually runs with, for DSNs an
// operator may write: theirs when they give one (in any spelling
// PostgreSQL takes, the last one winning), the default otherwise.
func TestDSNStatementTimeoutAsSeenByServer(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "10s"},
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&options=-c%20statement_timeout%3D5s", "5s"},
		{"host=127.0.0.1 user=postgres dbname=postgres sslmode=disable options='-c statement_timeout=5s'", "5s"},
		{"host=127.0.0.1 user=postgres dbname=postgres sslmode=disable options='--statement-timeout=5s'", "5s"},
		{"host=127.0.0.1 user=postgres dbname=postgres sslmode=disable options='--statement_timeout=5s'", "5s"},
		{"host=127.0.0.1 user=postgres dbname=postgres sslmode=disable options='-c statement_timeout=5s -c statement_timeout=7s'", "7s"},
		{"host=127.0.0.1 user=postgres dbname=postgres sslmode=disable statement_timeout=30s", "30s"},
		{"host=127.0.0.1 user=postgres dbname=postgres sslmode=disable options='-c lock_statement_timeout_x=1'", "?"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		db, err := Open(ctx, tc.dsn)
		if err != nil {
			if tc.want != "?" {
				t.Errorf("%s: open: %v", tc.dsn, err)
			}
			cancel()
			continue
		}
		var st string
		err = db.db.GetContext(ctx, &st, `SHOW statement_timeout`)
		_, s, _ := prepareConfig(tc.dsn)
		if err != nil {
			t.Fatal(err)
		}
		if want := parsePGDuration(st) + readGrace; tc.want != "?" && s.readTimeout != want {
			t.Errorf("%s: read bound %v, want %v", tc.dsn, s.readTimeout, want)
		}
		if tc.want != "?" && st != tc.want {
			t.Errorf("%s: the server runs with statement_timeout %s, the DSN asked for %s", tc.dsn, st, tc.want)
		}
		db.Close()
		cancel()
	}
	cfg, _, err := prepareConfig("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=0")
	if err != nil || cfg.ConnectTimeout != 0 {
		t.Errorf("connect_timeout=0 given: got %v, %v; want it kept (wait for ever)", cfg.ConnectTimeout, err)
	}
}

// No error from Open carries the password, whatever is wrong with the DSN.
func TestOpenErrorsHidePassword(t *testing.T) {
	for _, dsn := range []string{
		"postgres://postgres:S3cretPw@127.0.0.1:5432/postgres?sslmode=bogus",
		"postgres://postgres:S3cretPw@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=abc",
		"postgres://postgres:S3cretPw@127.0.0.1:1/postgres?sslmode=disable",
		"postgres://postgres:S3cretPw@127.0.0.1:5432/postgres?sslmode=disable&sslrootcert=/nonexistent",
		"postgres://postgres:S3cretPw@127.0.0.1:5432/postgres?sslmode=verify-full&sslrootcert=/nonexistent",
		"host=127.0.0.1 password=S3cretPw sslmode=bogus",
		"host=127.0.0.1 sslmode=bogus password=S3cretPw",
		"host=127.0.0.1 password='S3cretPw' port=notaport",
		"postgres://postgres:S3cretPw@127.0.0.1:5432/postgres?sslmode=disable&load_balance_hosts=bogus",
		"postgres://postgres:S3cretPw@127.0.0.1:5432/postgres?sslmode=disable&target_session_attrs=bogus",
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		db, err := Open(ctx, dsn)
		cancel()
		if db != nil {
			db.Close()
		}
		if err != nil && strings.Contains(err.Error(), "S3cretPw") {
			t.Errorf("Open(%q) error carries the password: %v", strings.ReplaceAll(dsn, "S3cretPw", "***"), err)
		}
	}
}
