package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"time"

	_ "github.com/lib/pq" // PostgreSQL driver
)

// dbTimeout bounds creating or dropping one database.
const dbTimeout = 30 * time.Second

// dbServer creates and drops the bench's databases on one PostgreSQL server.
type dbServer struct {
	adminURL string
	admin    *sql.DB
}

// redacted is u without its password, for messages.
func redacted(u string) string {
	parsed, err := url.Parse(u)
	if err != nil {
		return "(unparseable URL)"
	}
	return parsed.Redacted()
}

func openDBServer(ctx context.Context, u string) (*dbServer, error) {
	db, err := sql.Open("postgres", u)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s: %w", redacted(u), err)
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("no PostgreSQL at %s (set TEST_DATABASE_URL): %w", redacted(u), err)
	}
	return &dbServer{adminURL: u, admin: db}, nil
}

func (s *dbServer) Close() error { return s.admin.Close() }

// create makes a fresh empty database named ackbench_<app>_<random> and
// returns its name and URL.
func (s *dbServer) create(ctx context.Context, app string) (name, dsn string, err error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	name = "ackbench_" + app + "_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(ctx, dbTimeout)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", "", fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(s.adminURL)
	if err != nil {
		return "", "", err
	}
	u.Path = "/" + name
	return name, u.String(), nil
}

// drop drops a database made by create, closing any connections still open
// to it. It does not depend on the bench's context, so it runs after a
// cancelled run too.
func (s *dbServer) drop(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}
