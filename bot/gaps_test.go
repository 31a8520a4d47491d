package bot

import (
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

func TestGapsPeriod(t *testing.T) {
	today := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	from, to, err := gapsPeriod(nil, today)
	if err != nil || from.Format(time.DateOnly) != "2026-08-02" || to.Format(time.DateOnly) != "2026-11-02" {
		t.Errorf("default period %v to %v, %v", from, to, err)
	}
	for _, args := range [][]string{{"yesterday"}, {"2026-02-30"}, {"2026-10-01", "2026-09-01"}, {"a", "b", "c"}} {
		if _, _, err := gapsPeriod(args, today); caseconf.ErrorCode(err) != caseconf.EINVALID {
			t.Errorf("%q: %v", args, err)
		}
	}
}
