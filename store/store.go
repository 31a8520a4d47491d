// Package store keeps caseconf's records in PostgreSQL. Each public method
// runs in one transaction or one statement; SQL lives in the method that
// needs it.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLockKey is the pg_advisory_lock key that serialises migrations
// across replicas ("caseconf" in ASCII, as an int64).
const migrationLockKey int64 = 0x63617365636f6e66

// DB is the PostgreSQL store.
type DB struct {
	db  *sqlx.DB
	cfg pq.Config // the parsed DSN with caseconf's timeouts filled in
	// Now is the clock used for every timestamp the store writes itself.
	// Tests replace it with a fixed clock.
	Now func() time.Time
	// Mail is set when caseconf e-mails people not on Slack (it has a
	// mail server): changes then write e-mails to the outbox too.
	Mail bool
}

// ErrSchemaBehind is returned by CheckSchema when migrations are pending.
var ErrSchemaBehind = errors.New("database schema is behind this version of caseconf: run `caseconf migrate`")

// SchemaAheadError is returned by CheckSchema and Migrate when the database
// has migrations this binary does not know: it is older than the schema (a
// rollback of the binary without restoring the database, or a replica not
// yet upgraded). Running it could misread or damage the newer data, so it
// refuses. Its message is one line naming both versions.
type SchemaAheadError struct {
	Known    string // the newest migration this binary has
	Database string // the newest migration the database has applied that this binary does not know
}

func (e *SchemaAheadError) Error() string {
	return fmt.Sprintf("database schema is newer than this version of caseconf: it knows schema up to %s, the database has %s; "+
		"run the caseconf release that migrated it (or newer), or restore the backup taken before that upgrade", e.Known, e.Database)
}

// SchemaVersion is the number a migration's name starts with ("0020" for
// "0020_share_agreements_files.sql"): the schema version it brings.
func SchemaVersion(name string) string {
	v, _, _ := strings.Cut(name, "_")
	return v
}

// schemaAhead returns a *SchemaAheadError when applied holds a migration
// not among known (both sorted names), else nil.
func schemaAhead(known, applied []string) error {
	isKnown := map[string]bool{}
	for _, n := range known {
		isKnown[n] = true
	}
	newest := ""
	for _, n := range applied {
		if !isKnown[n] && n > newest {
			newest = n
		}
	}
	if newest == "" {
		return nil
	}
	latest := ""
	if len(known) > 0 {
		latest = known[len(known)-1]
	}
	return &SchemaAheadError{Known: SchemaVersion(latest) + " (" + latest + ")", Database: SchemaVersion(newest) + " (" + newest + ")"}
}

// Open connects to PostgreSQL at dsn (a postgres:// URL or key=value
// string) and checks that it answers. Unless the DSN says otherwise, every
// connection gets connect_timeout DefaultConnectTimeout and statement_timeout
// DefaultStatementTimeout; each read from the server is bounded a little
// beyond the statement timeout, and a query whose context ends is abandoned
// at once (its connection leaves the pool), so a database that stops
// answering makes callers fail within their own deadlines instead of hanging.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, settings, err := prepareConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", redactDSN(err))
	}
	db := sqlx.NewDb(sql.OpenDB(&connector{cfg: cfg, settings: settings}), "postgres")
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		err = fmt.Errorf("connect to database: %w", redactDSN(err))
		if transient(err) {
			err = unavailable{err}
		}
		return nil, err
	}
	return &DB{db: db, cfg: cfg, Now: func() time.Time { return time.Now().UTC() }}, nil
}

// ErrUnavailable is what Open's error Is when the database could not be
// reached, or is not accepting connections yet (starting up, shutting
// down, out of connections): trying again later may succeed. A refused
// login or a database that does not exist is not unavailable.
var ErrUnavailable = errors.New("database unavailable")

type unavailable struct{ error }

func (u unavailable) Is(target error) bool { return target == ErrUnavailable }
func (u unavailable) Unwrap() error        { return u.error }

// transient reports whether a failure to connect may pass by itself:
// anything but PostgreSQL refusing the login, the role, the database or
// the privilege to connect.
func transient(err error) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return true // the network, a timeout, the server closing on us
	}
	switch pqErr.Code.Class() {
	case "08", "53", "57", "58": // connection exception, insufficient resources, operator intervention, system error
		return true
	}
	return false
}

// redactDSN keeps lib/pq's connection errors but makes sure no password can
// ride along in them.
func redactDSN(err error) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return err
	}
	return errors.New(strings.SplitN(err.Error(), "password=", 2)[0])
}

// Close closes the connection pool.
func (s *DB) Close() error { return s.db.Close() }

// SetMaxConns bounds the connections this process holds open at once (20
// unless set), keeping up to half of them, at most 10, idle.
func (s *DB) SetMaxConns(n int) {
	if n <= 0 {
		return
	}
	s.db.SetMaxOpenConns(n)
	s.db.SetMaxIdleConns(min(n/2, 10))
}

// Ping reports whether the database answers.
func (s *DB) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// SQL exposes the pool to tests in this module that need to look at rows
// directly.
func (s *DB) SQL() *sqlx.DB { return s.db }

// migrations returns the embedded migration names in the order they apply.
func migrations() ([]string, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, "migrations/")
	}
	sort.Strings(names)
	return names, nil
}

// Migrate applies every pending migration, each in its own transaction,
// while holding a session-level advisory lock so that replicas starting at
// once apply each migration exactly once. It returns the names it applied.
func (s *DB) Migrate(ctx context.Context) ([]string, error) {
	return s.migrate(ctx, func(string) bool { return true })
}

// migrate is Migrate of only the pending migrations whose names want
// takes (a test builds a database as an earlier version left it).
func (s *DB) migrate(ctx context.Context, want func(name string) bool) ([]string, error) {
	names, err := migrations()
	if err != nil {
		return nil, err
	}
	// Migrations run on a connection of their own, without the statement
	// timeout and read bound of the pool: one may take minutes, or wait that
	// long for another replica's. ctx still ends it.
	mcfg, msettings := migrationConfig(s.cfg)
	mdb := sqlx.NewDb(sql.OpenDB(&connector{cfg: mcfg, settings: msettings}), "postgres")
	defer mdb.Close()
	conn, err := mdb.Connx(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", redactDSN(err))
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return nil, fmt.Errorf("migrate: take lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey)

	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name text PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	done := map[string]bool{}
	var have []string
	if err := conn.SelectContext(ctx, &have, `SELECT name FROM schema_migrations`); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, n := range have {
		done[n] = true
	}
	// Migrations run forward only: a binary older than the schema does
	// not touch it.
	if err := schemaAhead(names, have); err != nil {
		return nil, err
	}

	var applied []string
	for _, name := range names {
		if done[name] || !want(name) {
			continue
		}
		body, err := migrationFS.ReadFile("migrations/" + name)
		if err != nil {
			return applied, err
		}
		if err := applyOne(ctx, conn, name, string(body)); err != nil {
			return applied, err
		}
		applied = append(applied, name)
	}
	return applied, nil
}

func applyOne(ctx context.Context, conn *sqlx.Conn, name, body string) error {
	tx, err := conn.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name); err != nil {
		return fmt.Errorf("migrate %s: record: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: commit: %w", name, err)
	}
	return nil
}

// CheckSchema returns ErrSchemaBehind when any embedded migration has not
// been applied, a *SchemaAheadError when the database has a migration this
// binary does not know, and nil when the schema is current.
func (s *DB) CheckSchema(ctx context.Context) error {
	names, err := migrations()
	if err != nil {
		return err
	}
	var have []string
	err = s.db.SelectContext(ctx, &have, `SELECT name FROM schema_migrations`)
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "42P01" { // undefined_table
		return ErrSchemaBehind
	}
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if err := schemaAhead(names, have); err != nil {
		return err
	}
	applied := map[string]bool{}
	for _, n := range have {
		applied[n] = true
	}
	for _, n := range names {
		if !applied[n] {
			return ErrSchemaBehind
		}
	}
	return nil
}
