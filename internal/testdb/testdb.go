// Package testdb gives each test its own fresh PostgreSQL database, created
// from TEST_DATABASE_URL and dropped when the test ends. There is no mock:
// a test that needs a database and cannot reach one fails.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq" // PostgreSQL driver

	"github.com/caseconf/caseconf/store"
)

// DefaultURL is used when TEST_DATABASE_URL is unset.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

const howToStart = "start PostgreSQL with `pg_ctlcluster --skip-systemctl-redirect $(pg_lsclusters -h | cut -d' ' -f1) main start`, or point TEST_DATABASE_URL at a server"

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// AdminURL is the server URL tests create their databases through.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

func adminDB(t testing.TB) *sql.DB {
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("postgres", AdminURL())
		if adminErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		adminErr = admin.PingContext(ctx)
	})
	if adminErr != nil {
		t.Fatalf("no PostgreSQL for tests at TEST_DATABASE_URL (%s): %s", redacted(AdminURL()), howToStart)
	}
	return admin
}

func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "unparseable URL"
	}
	return u.Redacted()
}

// NewEmpty creates an empty database for this test and returns its URL. The
// database is dropped (with any connections still open to it) when the test
// ends.
func NewEmpty(t testing.TB) string {
	t.Helper()
	db := adminDB(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := "caseconf_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		if _, err := db.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// New creates a fresh database with every migration applied and returns its
// URL.
func New(t testing.TB) string {
	t.Helper()
	dsn := NewEmpty(t)
	s := openStore(t, dsn)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate test database: %v", err)
	}
	return dsn
}

// Open returns a store on a fresh, migrated database.
func Open(t testing.TB) *store.DB {
	t.Helper()
	return openStore(t, New(t))
}

func openStore(t testing.TB, dsn string) *store.DB {
	t.Helper()
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	// Tests of several packages run at once against one server: a pool of
	// 8 each keeps them within its 100 connections.
	s.SetMaxConns(8)
	t.Cleanup(func() { s.Close() })
	return s
}

// Main runs a package's tests after checking, once, that the server
// answers; if it does not, the run fails with one line saying how to start
// one. Use it from TestMain: func TestMain(m *testing.M) { testdb.Main(m) }.
func Main(m *testing.M) {
	db, err := sql.Open("postgres", AdminURL())
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
		db.Close()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: no PostgreSQL for tests at TEST_DATABASE_URL (%s): %s\n", redacted(AdminURL()), howToStart)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
