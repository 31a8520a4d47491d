package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/caseconf/caseconf/internal/config"
)

// The retention job: once a day, every client with no activity for the
// retention period (CASECONF_RETENTION) is erased as an administrator's
// erasure is (bot.EraseExpired), and the bot's messages about them are
// deleted by the sender.

// retentionSpec is when the job runs: 03:15 UTC daily.
const retentionSpec = "15 3 * * *"

// scheduleRetention adds the daily retention job to c.
func (m *Main) scheduleRetention(c *cron.Cron) (cron.EntryID, error) {
	return c.AddFunc(retentionSpec, func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		m.RunRetention(ctx)
	})
}

// RunRetention erases the clients past retention now; it reports how many.
func (m *Main) RunRetention(ctx context.Context) int {
	cutoff := m.Config.Retention.Cutoff(m.Now())
	erased, err := m.Bot.EraseExpired(ctx, cutoff)
	if err != nil {
		m.Log.Error("retention: erasure failed", "err", err, "erased", len(erased))
		return len(erased)
	}
	m.Log.Info("retention done", "erased", len(erased), "retention", m.Config.Retention.String())
	return len(erased)
}

// cmdRetention is `caseconf retention [--dry-run]`: the retention job,
// run once now. A dry run lists the clients (by numeric ID only) it would
// erase. The bot's messages about erased clients are deleted by the
// running server's sender (or the next `caseconf sweep`).
func cmdRetention(ctx context.Context, args []string, env config.Lookup, stdout, stderr io.Writer) int {
	fs := newFlags("retention", stderr)
	dryRun := fs.Bool("dry-run", false, "list the clients past retention; erase nothing")
	if code, ok := parseArgs(fs, args, stderr, "retention takes only --dry-run"); !ok {
		return code
	}
	cfg := loadConfig(env, config.NeedDatabase, stderr)
	if cfg == nil {
		return 1
	}
	db := openDB(ctx, cfg, true, stderr)
	if db == nil {
		return 1
	}
	defer db.Close()
	if !*dryRun {
		if n, err := db.ClearErasedLeftovers(ctx); err != nil {
			fmt.Fprintf(stderr, "caseconf: retention: %v\n", err)
			return 1
		} else if n > 0 {
			fmt.Fprintf(stdout, "%d messages sent while their client was erased queued for deletion\n", n)
		}
	}
	cutoff := cfg.Retention.Cutoff(db.Now())
	ids, err := db.ClientsPastRetention(ctx, cutoff)
	if err != nil {
		fmt.Fprintf(stderr, "caseconf: retention: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "retention %s: %d clients with no activity since %s\n", cfg.Retention, len(ids), cutoff.UTC().Format(time.RFC3339))
	for _, id := range ids {
		if *dryRun {
			fmt.Fprintf(stdout, "would erase client %d\n", id)
			continue
		}
		e, err := db.EraseClient(ctx, id, "retention", "retention")
		if err != nil {
			fmt.Fprintf(stderr, "caseconf: retention: client %d: %v\n", id, err)
			return 1
		}
		fmt.Fprintf(stdout, "erased client %d: %d conferences, %d Slack messages and %d files to delete\n", id, e.Conferences, e.Messages, e.Files)
	}
	return 0
}
