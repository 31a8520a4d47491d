package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// CASECONF_PPROF_ADDR serves Go's profiler on that loopback address, on a
// listener of its own: never on HTTP_ADDR, which may face the network.
func TestProfilerOnlyWhereAsked(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	a := startAppWith(t, map[string]string{"CASECONF_PPROF_ADDR": addr}, nil)

	resp, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil {
		t.Fatalf("profiler at CASECONF_PPROF_ADDR: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine") {
		t.Fatalf("GET /debug/pprof/ on CASECONF_PPROF_ADDR = %d %.200q", resp.StatusCode, body)
	}
	if code, _ := a.get("/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("GET /debug/pprof/ on HTTP_ADDR = %d, want 404", code)
	}
}

// Without CASECONF_PPROF_ADDR no profiler is served at all.
func TestNoProfilerByDefault(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	if code, _ := a.get("/debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("GET /debug/pprof/ on HTTP_ADDR = %d, want 404", code)
	}
	if a.main.pprof != nil {
		t.Error("a profiler listener was started without CASECONF_PPROF_ADDR")
	}
}
