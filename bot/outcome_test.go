package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

func heldFixture() *caseconf.Conference {
	return &caseconf.Conference{ID: 7, Ref: "CC-0007", ClientRef: "JS-4411", CaseManagerID: "U0CM", ChairID: "U0CM", MinuteTakerID: "U0CM",
		StartsAt: time.Date(2026, 10, 30, 10, 30, 0, 0, time.UTC), Status: caseconf.StatusRecorded, Place: "Surgery"}
}

// The outcome form never passes Slack's 100 blocks: the rows it has room
// for fit, the last leaves a note in place of Add action, and one more is
// refused.
func TestOutcomeModalRespectsTheBlockLimit(t *testing.T) {
	c, cal := heldFixture(), caseconf.NewCalendar(time.UTC, nil)
	f := outcomeDefaults(c)
	for n := 1; ; n++ {
		f.Actions = make([]caseconf.ActionForm, n)
		for i := range f.Actions {
			f.Actions[i].Row = i + 1
		}
		view, err := outcomeModal(c, f, "U0CM", time.Now(), cal, 0)
		if err != nil {
			if n < 10 {
				t.Fatalf("only %d action rows fit: %v", n-1, err)
			}
			return
		}
		blocks := view.Blocks.BlockSet
		if len(blocks) > maxModalBlocks {
			t.Fatalf("%d rows make %d blocks", n, len(blocks))
		}
		raw, _ := json.Marshal(blocks)
		full := len(blocks)+rowBlocks > maxModalBlocks
		if hasAdd := strings.Contains(string(raw), `"outcome_add"`); hasAdd == full {
			t.Fatalf("%d rows (%d blocks): Add action shown %v", n, len(blocks), hasAdd)
		}
		if full && !strings.Contains(string(raw), "holds at most") {
			t.Fatalf("a full form does not say why it cannot take more")
		}
	}
}
