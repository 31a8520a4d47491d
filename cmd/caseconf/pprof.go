package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's profiler (/debug/pprof/) on addr, a loopback
// address (config checks it), on a listener of its own: never on HTTP_ADDR,
// which may face a load balancer. It is for measuring (cmd/ackbench
// -profile); profiles hold function names and counts, no case data.
func (m *Main) servePprof(addr string) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("CASECONF_PPROF_ADDR %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	m.pprof = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := m.pprof.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Warn("profiler listener stopped", "err", err)
		}
	}()
	m.Log.Info("serving the profiler", "addr", l.Addr().String())
	return nil
}
