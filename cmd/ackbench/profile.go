package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// profiledLoad is a load to profile caseconf under: its name in the file
// names, and the commands to send.
type profiledLoad struct {
	name        string // "help", "new"
	n, inflight int
	rt          roundTrip
}

// profile takes pprof profiles of caseconf (served on CASECONF_PPROF_ADDR)
// while driving a load like a measured phase's: a CPU profile and a delta
// allocation profile over -profile-seconds, then a heap profile at rest
// (after a GC). Files go to -profile as caseconf-ROW-LOAD-{cpu,allocs,
// heap}-TIME.pprof (ROW is "plain" or "year"); read them with
// `go tool pprof -top FILE`.
func (b *bench) profile(ctx context.Context, fake *fakeslack.Server, addr, row string, load profiledLoad) error {
	dir := b.opts.profileDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	stamp := time.Now().Format("150405")
	name := func(kind string) string {
		return filepath.Join(dir, fmt.Sprintf("caseconf-%s-%s-%s-%s.pprof", row, load.name, kind, stamp))
	}
	secs := b.opts.profileSeconds
	base := "http://" + addr + "/debug/pprof/"

	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range []struct{ url, file string }{
		{fmt.Sprintf("%sprofile?seconds=%d", base, secs), name("cpu")},
		{fmt.Sprintf("%sallocs?seconds=%d", base, secs), name("allocs")},
	} {
		wg.Go(func() { errs[i] = fetchTo(pctx, p.url, p.file) })
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	// Keep the load on until both profiles are in.
	loadErr := make(chan error, 1)
	go func() {
		for {
			select {
			case <-done:
				loadErr <- nil
				return
			default:
			}
			if _, err := drive(pctx, fake, load.n, load.inflight, load.rt); err != nil {
				loadErr <- err
				cancel()
				return
			}
		}
	}()
	<-done
	if err := <-loadErr; err != nil {
		return fmt.Errorf("load while profiling: %w", err)
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if err := fetchTo(ctx, base+"heap?gc=1", name("heap")); err != nil {
		return err
	}
	fmt.Fprintf(b.stderr, "profiles of caseconf (%s) under %s: %s\n", row, load.name, name("{cpu,allocs,heap}"))
	return nil
}

// fetchTo saves what GET url answers into file.
func fetchTo(ctx context.Context, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("GET %s: %s: %s", url, resp.Status, msg)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
