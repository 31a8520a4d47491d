package bot

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

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
		view, err := outcomeModal(c, f, "U0CM", time.Now(), cal)
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

// The longest minutes Slack will take: every text at its limit, made of
// characters that escaping lengthens, and 30 actions, split over
// messages of at most 50 blocks each, every action in exactly one.
func TestMinutesNeverPassFiftyBlocks(t *testing.T) {
	c, cal := heldFixture(), caseconf.NewCalendar(time.UTC, nil)
	long := strings.Repeat("<&>", caseconf.MaxOutcomeText/3)
	o := &caseconf.Outcome{RecordedBy: "U0CM", Summary: long, Worked: long, NotWorked: long, ClientViews: long,
		LeadChanged: true, NewLeadAgency: "St Mungo's", ReviewOn: time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC)}
	for range 40 {
		o.Attended = append(o.Attended, caseconf.Person{Name: strings.Repeat("&", 60), JobTitle: "GP", Agency: "Surgery"})
	}
	// Apologies and the share list: many on Slack, and people not on
	// Slack up to the form's limit, every character one that escaping
	// makes five.
	for range 40 {
		o.Apologies = append(o.Apologies, caseconf.Person{UserID: "U0APOLOGY"})
		o.ShareWith = append(o.ShareWith, caseconf.Person{UserID: "U0SHARE"})
	}
	for range caseconf.MaxPeopleText / 25 {
		o.Apologies = append(o.Apologies, caseconf.Person{Name: strings.Repeat("&", 20), JobTitle: "<", Agency: ">"})
		o.ShareWith = append(o.ShareWith, caseconf.Person{Name: strings.Repeat("&", 20), Contact: "<<<"})
	}
	for i := range 30 {
		o.Actions = append(o.Actions, caseconf.Action{Area: strings.Repeat("&", caseconf.MaxShortText), What: strings.Repeat("<", caseconf.MaxActionText),
			OwnerName: "Ann", OwnerAgency: "Acacia", DueOn: time.Date(2026, 12, 1+i%28, 0, 0, 0, 0, time.UTC)})
	}
	parts := caseconf.MinutesParts(len(o.Actions))
	seen := 0
	for p := 1; p <= len(parts); p++ {
		msg := minutesMessage(c, o, p, parts, cal)
		if len(msg.Blocks) > maxMessageBlocks {
			t.Errorf("part %d has %d blocks", p, len(msg.Blocks))
		}
		for _, b := range msg.Blocks {
			if s, ok := b.(*slack.SectionBlock); ok {
				if len([]rune(s.Text.Text)) > maxSectionText {
					t.Errorf("part %d: a section of %d characters", p, len([]rune(s.Text.Text)))
				}
				if strings.Contains(s.Text.Text, "*Who:*") {
					seen++
				}
			}
			if _, cut := b.(*slack.ContextBlock); cut && strings.Contains(b.(*slack.ContextBlock).ContextElements.Elements[0].(*slack.TextBlockObject).Text, "cut short") {
				t.Errorf("part %d was cut short", p)
			}
		}
	}
	if seen != 30 {
		t.Errorf("%d actions in the minutes, want 30", seen)
	}
}
