package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

// A choice between clients fits one message however many share the
// reference, each button with its own action ID and the client's number,
// and says nothing of a client but its case manager and first date.
func TestClientChoiceWithinOneMessage(t *testing.T) {
	cal := caseconf.Calendar{Loc: time.UTC}
	for _, n := range []int{2, maxClientChoices, 100} {
		var choices []caseconf.ClientMatch
		for i := range n {
			m := caseconf.ClientMatch{ID: int64(1000 + i), Reference: strings.Repeat("R", caseconf.MaxClientRef), CaseManagerID: fmt.Sprintf("U0CM%03d", i)}
			if i%2 == 0 {
				m.FirstConference = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
			}
			choices = append(choices, m)
		}
		msg := clientChoiceMessage("subject-access", choices[0].Reference, choices, cal)
		withinOneMessage(t, fmt.Sprintf("a choice of %d", n), msg.Blocks)
		seen := map[string]bool{}
		buttons := 0
		for _, b := range msg.Blocks {
			s, ok := b.(*slack.SectionBlock)
			if !ok || s.Accessory == nil {
				continue
			}
			btn := s.Accessory.ButtonElement
			if seen[btn.ActionID] || !strings.HasPrefix(btn.ActionID, "clientpick:subject-access:") || btn.Value != fmt.Sprint(1000+buttons) {
				t.Errorf("button %d: %s = %s", buttons, btn.ActionID, btn.Value)
			}
			seen[btn.ActionID] = true
			buttons++
		}
		if want := min(n, maxClientChoices); buttons != want {
			t.Errorf("a choice of %d has %d buttons, want %d", n, buttons, want)
		}
		last, _ := json.Marshal(msg.Blocks[len(msg.Blocks)-1])
		if n > maxClientChoices && !strings.Contains(string(last), fmt.Sprintf("%d more", n-maxClientChoices)) {
			t.Errorf("a choice of %d does not say how many more", n)
		}
	}
}
