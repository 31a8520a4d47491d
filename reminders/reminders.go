// Package reminders decides what is due when and sends it. A sweep runs on
// a cron schedule in `caseconf serve`, and once by hand with
// `caseconf sweep --at TIME`. Both call Sweeper.RunOnce with the time to
// sweep as if it were, so tests run it with a fixed clock.
//
// No reminder kinds exist yet: the sweep is the seam they will plug into.
package reminders

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/caseconf/caseconf/store"
)

// Sweeper runs the reminder jobs.
type Sweeper struct {
	Store *store.DB
	Log   *slog.Logger
}

// Result is what one sweep did (or, in a dry run, would do).
type Result struct {
	At     time.Time
	DryRun bool
	Sent   int
}

// Report writes a human-readable summary of r. It names counts and kinds,
// never recipients' case details.
func (r Result) Report(w io.Writer) {
	verb := "swept"
	if r.DryRun {
		verb = "dry run"
	}
	fmt.Fprintf(w, "%s at %s: %d reminders sent (no reminder kinds are built yet)\n", verb, r.At.UTC().Format(time.RFC3339), r.Sent)
}

// RunOnce performs one sweep as if the time were now. With dryRun it
// changes nothing and reports what it would do. It checks the database
// answers, so a sweep against a broken database fails loudly.
func (s *Sweeper) RunOnce(ctx context.Context, now time.Time, dryRun bool) (Result, error) {
	res := Result{At: now, DryRun: dryRun}
	if err := s.Store.Ping(ctx); err != nil {
		return res, fmt.Errorf("sweep: %w", err)
	}
	return res, nil
}

// Schedule adds the sweep to c, every five minutes. The cron chain given
// to c must recover panics and skip a run while the last is still going.
func (s *Sweeper) Schedule(c *cron.Cron, now func() time.Time) (cron.EntryID, error) {
	return c.AddFunc("@every 5m", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		res, err := s.RunOnce(ctx, now(), false)
		if err != nil {
			s.Log.Error("reminder sweep failed", "err", err)
			return
		}
		s.Log.Info("reminder sweep done", "sent", res.Sent)
	})
}
