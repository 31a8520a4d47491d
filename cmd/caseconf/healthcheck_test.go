package main

import (
	"database/sql"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/caseconf/caseconf/internal/testdb"
)

func TestHealthcheckCommand(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)

	t.Run("HealthyServerByURL", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, nil, "healthcheck", "--url", a.base+"/healthz")
		if code != 0 || strings.TrimSpace(stdout) != "ok" {
			t.Fatalf("healthcheck = %d, stdout %q, stderr %q; want 0 and ok", code, stdout, stderr)
		}
	})
	t.Run("HealthyServerFromHTTP_ADDR", func(t *testing.T) {
		// The same configuration the server runs with finds it.
		code, _, stderr := runCLI(t, map[string]string{"HTTP_ADDR": a.main.Addr()}, "healthcheck")
		if code != 0 {
			t.Fatalf("healthcheck with HTTP_ADDR=%s = %d, stderr %q; want 0", a.main.Addr(), code, stderr)
		}
		_, port, _ := net.SplitHostPort(a.main.Addr())
		code, _, stderr = runCLI(t, map[string]string{"HTTP_ADDR": ":" + port}, "healthcheck")
		if code != 0 {
			t.Fatalf("healthcheck with HTTP_ADDR=:%s = %d, stderr %q; want 0 (asks 127.0.0.1)", port, code, stderr)
		}
	})
	t.Run("NothingListening", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		code, _, stderr := runCLI(t, map[string]string{"HTTP_ADDR": addr}, "healthcheck")
		if code != 1 || !strings.Contains(stderr, addr) {
			t.Fatalf("healthcheck against a closed port = %d, stderr %q; want 1 naming the address", code, stderr)
		}
	})
	t.Run("NotHealthyAnswers503", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Slack socket not connected for 45s", http.StatusServiceUnavailable)
		}))
		defer srv.Close()
		code, _, stderr := runCLI(t, nil, "healthcheck", "--url", srv.URL+"/healthz")
		if code != 1 || !strings.Contains(stderr, "503") || !strings.Contains(stderr, "Slack socket not connected") {
			t.Fatalf("healthcheck against a 503 = %d, stderr %q; want 1 with the status and reason", code, stderr)
		}
	})
	t.Run("NoFixedPort", func(t *testing.T) {
		code, _, stderr := runCLI(t, map[string]string{"HTTP_ADDR": "127.0.0.1:0"}, "healthcheck")
		if code != 1 || !strings.Contains(stderr, "--url") {
			t.Fatalf("healthcheck with HTTP_ADDR port 0 = %d, stderr %q; want 1 asking for --url", code, stderr)
		}
	})
	t.Run("Arguments", func(t *testing.T) {
		if code, _, _ := runCLI(t, nil, "healthcheck", "extra"); code != exitUsage {
			t.Fatalf("healthcheck extra = %d, want %d", code, exitUsage)
		}
	})
}

// A real server whose database has gone answers 503, and the healthcheck
// says so with exit code 1.
func TestHealthcheckWhenDatabaseGone(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	if code, _, stderr := runCLI(t, nil, "healthcheck", "--url", a.base+"/healthz"); code != 0 {
		t.Fatalf("healthcheck before = %d, stderr %q", code, stderr)
	}
	u, err := url.Parse(a.dsn)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", testdb.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`DROP DATABASE ` + strings.TrimPrefix(u.Path, "/") + ` WITH (FORCE)`); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, nil, "healthcheck", "--url", a.base+"/healthz")
	if code != 1 || !strings.Contains(stderr, "503") || !strings.Contains(stderr, "database") {
		t.Fatalf("healthcheck with the database gone = %d, stderr %q; want 1 and the reason", code, stderr)
	}
}
