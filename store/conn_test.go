package store

import (
	"testing"
	"time"
)

func TestPrepareConfig(t *testing.T) {
	for _, tc := range []struct {
		dsn         string
		connect     time.Duration
		statement   string // runtime statement_timeout sent, "" if left to options
		readTimeout time.Duration
	}{
		{"postgres://u@db:5432/x?sslmode=disable", DefaultConnectTimeout, "10000", DefaultStatementTimeout + readGrace},
		{"host=db dbname=x sslmode=disable connect_timeout=2", 2 * time.Second, "10000", DefaultStatementTimeout + readGrace},
		{"postgres://u@db/x?connect_timeout=3&statement_timeout=30s", 3 * time.Second, "30s", 30*time.Second + readGrace},
		{"host=db options='-c statement_timeout=2min'", DefaultConnectTimeout, "", 2*time.Minute + readGrace},
		{"host=db statement_timeout=0", DefaultConnectTimeout, "0", 0},
	} {
		cfg, s, err := prepareConfig(tc.dsn)
		if err != nil {
			t.Fatalf("%s: %v", tc.dsn, err)
		}
		if cfg.ConnectTimeout != tc.connect {
			t.Errorf("%s: connect_timeout %v, want %v", tc.dsn, cfg.ConnectTimeout, tc.connect)
		}
		if got := cfg.Runtime["statement_timeout"]; got != tc.statement {
			t.Errorf("%s: statement_timeout %q, want %q", tc.dsn, got, tc.statement)
		}
		if s.readTimeout != tc.readTimeout {
			t.Errorf("%s: read timeout %v, want %v", tc.dsn, s.readTimeout, tc.readTimeout)
		}
		m, ms := migrationConfig(cfg)
		if m.Runtime["statement_timeout"] != "0" || ms.readTimeout != 0 {
			t.Errorf("%s: migration connection has statement_timeout %q, read timeout %v", tc.dsn, m.Runtime["statement_timeout"], ms.readTimeout)
		}
	}
}
