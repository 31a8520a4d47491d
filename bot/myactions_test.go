package bot

import (
	"testing"
	"time"
)

// The Home and /caseconf actions mark an action's date the same way.
func TestDueLabel(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Date(2026, 11, 20, 0, 0, 0, 0, loc)
	for _, tt := range []struct {
		due  time.Time
		want string
	}{
		{time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC), "Thursday 19 November 2026 · :warning: *overdue*"},
		{time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), "Friday 20 November 2026 · *due today*"},
		{time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), "Saturday 21 November 2026"},
	} {
		if got := dueLabel(tt.due, today); got != tt.want {
			t.Errorf("dueLabel(%s) = %q, want %q", tt.due.Format(time.DateOnly), got, tt.want)
		}
	}
}
