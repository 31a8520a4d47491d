package reminders_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/reminders"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestRunOncePrunesOldDeliveryKeys(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, k := range []struct {
		key string
		at  time.Time
	}{{"old1", now.Add(-48 * time.Hour)}, {"old2", now.Add(-25 * time.Hour)}, {"fresh", now.Add(-time.Hour)}} {
		s.Now = func() time.Time { return k.at }
		if _, err := s.FirstDelivery(ctx, k.key, "event"); err != nil {
			t.Fatal(err)
		}
	}
	sw := &reminders.Sweeper{Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}

	dry, err := sw.RunOnce(ctx, now, true)
	if err != nil || dry.DeliveryKeysPruned != 2 {
		t.Fatalf("dry run = %+v, %v; want 2 keys that would go", dry, err)
	}
	if first, _ := s.FirstDelivery(ctx, "old1", "event"); first {
		t.Fatal("the dry run deleted a key")
	}
	res, err := sw.RunOnce(ctx, now, false)
	if err != nil || res.DeliveryKeysPruned != 2 {
		t.Fatalf("sweep = %+v, %v", res, err)
	}
	if first, _ := s.FirstDelivery(ctx, "fresh", "event"); first {
		t.Fatal("a key from the last hour was pruned")
	}
	var out bytes.Buffer
	res.Report(&out)
	if !strings.Contains(out.String(), "swept at 2026-12-01T09:00:00Z") || !strings.Contains(out.String(), "2 old Slack delivery keys pruned") {
		t.Fatalf("report = %q", out.String())
	}
}
