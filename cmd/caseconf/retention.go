package main

import (
	"context"
	"time"

	"github.com/robfig/cron/v3"
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
