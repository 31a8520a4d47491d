package store_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/pgproxy"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// viaProxy returns dsn with its host:port replaced by a proxy's.
func viaProxy(t *testing.T, dsn string) (string, *pgproxy.Proxy) {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	p, err := pgproxy.New(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	u.Host = p.Addr()
	return u.String(), p
}

// A database that accepts connections and then answers nothing must not
// hold a caller past its context's deadline, pooled connection or new; and
// once it answers again the pool recovers.
func TestHungDatabaseHonoursDeadlines(t *testing.T) {
	t.Parallel()
	dsn, proxy := viaProxy(t, testdb.New(t))
	s, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SQL().SetMaxOpenConns(3)
	// Fill the pool with idle connections.
	var conns []interface{ Close() error }
	for range 3 {
		c, err := s.SQL().Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Close()
	}

	proxy.Hang()
	for i := range 5 { // more calls than idle connections: new ones dial too
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		start := time.Now()
		err := s.Ping(ctx)
		cancel()
		if err == nil {
			t.Fatalf("call %d succeeded against a hung database", i)
		}
		if d := time.Since(start); d > 1500*time.Millisecond {
			t.Fatalf("call %d took %v against a hung database with a 500ms deadline (%v)", i, d, err)
		}
	}

	proxy.Resume()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := s.Ping(ctx)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("store did not recover after the database came back: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Without a deadline of the caller's, a read from a database that stopped
// answering still ends: a little after the statement timeout.
func TestHungDatabaseReadBound(t *testing.T) {
	t.Parallel()
	dsn, proxy := viaProxy(t, testdb.New(t))
	s, err := store.Open(context.Background(), dsn+"&statement_timeout=1s")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var st string
	if err := s.SQL().Get(&st, `SHOW statement_timeout`); err != nil || st != "1s" {
		t.Fatalf("statement_timeout = %q, %v; want the DSN's 1s", st, err)
	}
	proxy.Hang()
	start := time.Now()
	err = s.Ping(context.Background())
	if err == nil {
		t.Fatal("ping succeeded against a hung database")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("ping without deadline took %v against a hung database (%v)", d, err)
	}
	// A store method runs in a transaction, whose BEGIN lib/pq does not
	// cancel with the context: it too ends at the read bound.
	start = time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := s.Upcoming(ctx, "U0HANG", time.Now(), 10); err == nil {
		t.Fatal("a transaction succeeded against a hung database")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("a transaction took %v against a hung database", d)
	}
}

// Pooled connections get the default statement timeout (the migration
// connection's is lifted: see TestPrepareConfig).
func TestDefaultStatementTimeout(t *testing.T) {
	t.Parallel()
	s := testdb.Open(t)
	var st string
	if err := s.SQL().Get(&st, `SHOW statement_timeout`); err != nil {
		t.Fatal(err)
	}
	if st != "10s" {
		t.Fatalf("statement_timeout = %q, want 10s", st)
	}
}
