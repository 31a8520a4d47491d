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

func TestRunOnceReports(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	sw := &reminders.Sweeper{Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	for _, dry := range []bool{true, false} {
		res, err := sw.RunOnce(ctx, now, dry)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		res.Report(&out)
		want := "swept at 2026-12-01T09:00:00Z"
		if dry {
			want = "dry run at 2026-12-01T09:00:00Z"
		}
		if !strings.HasPrefix(out.String(), want) {
			t.Fatalf("report = %q, want it to start %q", out.String(), want)
		}
	}
}

func TestRunOnceFailsWithoutADatabase(t *testing.T) {
	s := testdb.Open(t)
	s.Close()
	sw := &reminders.Sweeper{Store: s, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := sw.RunOnce(context.Background(), time.Now(), false); err == nil {
		t.Fatal("a sweep against a closed database reported success")
	}
}
