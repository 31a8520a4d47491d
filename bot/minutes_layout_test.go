package bot

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/fakeslack"
)

// formRows is the most action rows the outcome form holds.
func formRows(t *testing.T, c *caseconf.Conference, cal caseconf.Calendar) int {
	t.Helper()
	f := outcomeDefaults(c)
	for n := 1; ; n++ {
		f.Actions = make([]caseconf.ActionForm, n)
		for i := range f.Actions {
			f.Actions[i].Row = i + 1
		}
		if _, err := outcomeModal(c, f, "U0CM", time.Now(), cal, 0); err != nil || n > caseconf.MaxActionRows {
			return n - 1
		}
	}
}

// fullestOutcome is the longest outcome the form lets c record: every
// text at its length limit, made of characters that escaping lengthens
// ('<' counts 4 once sent, '&' 5), 40 people on Slack in each list (with
// the longest job titles and agencies an invitation holds), the lines of
// people not on Slack full, and the most action rows the form holds, due
// on dueOn.
func fullestOutcome(t *testing.T, c *caseconf.Conference, cal caseconf.Calendar, dueOn string) caseconf.Outcome {
	t.Helper()
	long := func(n int) string { return strings.Repeat("<&", n/2) }
	people := func() string {
		var out []string
		for len(strings.Join(out, "\n")) < caseconf.MaxPeopleText-60 {
			out = append(out, strings.Repeat("&", 30)+", <<<<, >>>>")
		}
		return strings.Join(out, "\n")
	}
	f := caseconf.OutcomeForm{AttendedOthers: people(), ApologiesOthers: people(), LeadChanged: "yes", NewCaseManager: "U0NEWCM",
		NewLeadAgency: long(caseconf.MaxShortText), Summary: long(caseconf.MaxOutcomeText), Worked: long(caseconf.MaxOutcomeText),
		NotWorked: long(caseconf.MaxOutcomeText), ClientViews: long(caseconf.MaxOutcomeText), ReviewOn: "2027-01-29",
		ShareOthers: people(), SaveAs: caseconf.SaveFinal}
	for i := range 40 {
		f.Attended = append(f.Attended, fmt.Sprintf("U0ATT%04d", i))
		f.Apologies = append(f.Apologies, fmt.Sprintf("U0APO%04d", i))
		f.ShareWith = append(f.ShareWith, fmt.Sprintf("U0SHA%04d", i))
	}
	for row := 1; row <= formRows(t, c, cal); row++ {
		a := caseconf.ActionForm{Row: row, Area: strings.Repeat("&", caseconf.MaxShortText), What: long(caseconf.MaxActionText), DueOn: dueOn}
		if row%2 == 0 {
			a.OwnerID = "U0OWNER"
		} else {
			a.OwnerName, a.OwnerAgency = strings.Repeat("&", caseconf.MaxShortText), strings.Repeat("<", caseconf.MaxShortText)
		}
		f.Actions = append(f.Actions, a)
	}
	o, errs := f.Validate(c.StartsAt, c.StartsAt.Add(time.Hour), cal)
	if errs != nil {
		t.Fatalf("the fullest form is refused: %v", errs)
	}
	o.RecordedBy = "U0CM"
	for _, list := range [][]caseconf.Person{o.Attended, o.Apologies} {
		for i := range list {
			if list[i].UserID != "" { // as the store keeps them: their invitation's
				list[i].JobTitle, list[i].Agency = strings.Repeat("&", caseconf.MaxShortText), strings.Repeat("<", caseconf.MaxShortText)
			}
		}
	}
	return o
}

// slackTexts walks a message's blocks as Slack receives them and returns
// the text of every text object, by block.
func slackTexts(t *testing.T, blocks []slack.Block) [][]string {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var decoded []any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatal(err)
	}
	return fakeslack.BlockTexts(decoded)
}

// The fullest minutes the form allows go in messages Slack takes: each of
// at most 50 blocks, no text of a block past 3,000 characters, and at
// most 11,000 characters of block text in all (Slack refuses about
// 12,000); numbered; with nothing lost: every field's text and every
// action, in order, each action whole in one part.
func TestFullestMinutesFitSlackMessages(t *testing.T) {
	c, cal := heldFixture(), caseconf.NewCalendar(time.UTC, nil)
	o := fullestOutcome(t, c, cal, "2026-12-02")
	rows := len(o.Actions)
	if rows < 10 {
		t.Fatalf("the form holds only %d rows", rows)
	}
	parts := minutesLayout(c, &o, cal)
	if len(parts) < 2 {
		t.Fatalf("the fullest minutes fit one message")
	}
	b := &Bot{cal: cal}
	if n := b.MinutesParts(c, &o); n != len(parts) {
		t.Errorf("MinutesParts = %d, the layout has %d", n, len(parts))
	}
	var content strings.Builder // every section's text but the parts' first lines
	for i, p := range parts {
		title := fmt.Sprintf("Minutes of CC-0007, part %d of %d", i+1, len(parts))
		if p.Text != title {
			t.Errorf("part %d is titled %q", i+1, p.Text)
		}
		if len(p.Blocks) > 50 {
			t.Errorf("part %d has %d blocks", i+1, len(p.Blocks))
		}
		total := 0
		for j, texts := range slackTexts(t, p.Blocks) {
			for _, s := range texts {
				total += len([]rune(s))
				if n := len([]rune(s)); n > 3000 {
					t.Errorf("part %d, block %d: a text of %d characters", i+1, j, n)
				}
				if strings.Contains(s, "cut short") {
					t.Errorf("part %d was cut short", i+1)
				}
			}
			if s, ok := p.Blocks[j].(*slack.SectionBlock); ok && j > 0 {
				content.WriteString(s.Text.Text)
			}
		}
		if total > 11000 {
			t.Errorf("part %d holds %d characters of block text (at most 11,000)", i+1, total)
		}
		switch first := p.Blocks[0].(type) {
		case *slack.HeaderBlock:
			if i != 0 || first.Text.Text != title {
				t.Errorf("part %d opens with the header %q", i+1, first.Text.Text)
			}
		case *slack.SectionBlock:
			if i == 0 || !strings.HasPrefix(first.Text.Text, fmt.Sprintf("*%s*, continued from part %d: ", title, i)) {
				t.Errorf("part %d opens with %q", i+1, first.Text.Text)
			}
		}
		if n, ok := p.Blocks[len(p.Blocks)-1].(*slack.ContextBlock); !ok || !strings.Contains(n.ContextElements.Elements[0].(*slack.TextBlockObject).Text, "Confidential") {
			t.Errorf("part %d does not end with the confidentiality note", i+1)
		}
	}
	all := content.String()
	at := 0
	want := []string{"*Summary of issues*\n" + escape(o.Summary), "*What has worked well*\n" + escape(o.Worked),
		"*What has not worked*\n" + escape(o.NotWorked), "*The client's views*\n" + escape(o.ClientViews), "*Action plan*"}
	for i := range o.Actions {
		a := &o.Actions[i]
		want = append(want, fmt.Sprintf("*%d. %s*\n%s", i+1, escape(a.Area), escape(a.What)),
			fmt.Sprintf("*Who:* %s · *By:* Wednesday 2 December 2026", ownerText(a)))
	}
	for _, w := range want {
		i := strings.Index(all[at:], w)
		if i < 0 {
			t.Fatalf("the minutes lose or reorder %.40q…", w)
		}
		at += i + len(w)
	}
	// Each action whole in one part: from "*N. " to its "*Who:*".
	for i, p := range parts {
		open := false
		for _, b := range p.Blocks[1:] {
			s, ok := b.(*slack.SectionBlock)
			if !ok {
				continue
			}
			if regexp.MustCompile(`^\*\d+\. `).MatchString(s.Text.Text) {
				if open {
					t.Errorf("part %d: an action without its owner and date", i+1)
				}
				open = true
			}
			if strings.Contains(s.Text.Text, "*Who:* ") {
				open = false
			}
		}
		if open {
			t.Errorf("part %d ends inside an action", i+1)
		}
	}
}

// What can change once the outcome is recorded (an action's due date)
// moves nothing from one part to another, however near a part is to
// full: the number of parts the store wrote is the number the sender
// renders, and each part stays within Slack's limit.
func TestMinutesPartsOutlastANewDueDate(t *testing.T) {
	c, cal := heldFixture(), caseconf.NewCalendar(time.UTC, nil)
	layout := func(pad int, due time.Time) (shape []string, longest int) {
		o := caseconf.Outcome{RecordedBy: "U0CM", Attended: []caseconf.Person{{UserID: "U0CM"}}, Summary: "Arrears", ClientViews: "Stay"}
		for range 12 {
			o.Actions = append(o.Actions, caseconf.Action{Area: "Housing", What: strings.Repeat("word ", 560), OwnerName: "Ann", OwnerAgency: "Acacia", DueOn: due})
		}
		o.Actions[0].What += strings.Repeat("x", pad)
		for _, p := range minutesLayout(c, &o, cal) {
			actions, total := 0, 0
			for _, b := range p.Blocks {
				if s, ok := b.(*slack.SectionBlock); ok {
					actions += strings.Count(s.Text.Text, "*Who:*")
					total += len([]rune(s.Text.Text))
				}
			}
			shape = append(shape, fmt.Sprint(len(p.Blocks), " blocks, ", actions, " actions"))
			longest = max(longest, total+len([]rune(p.Text))+len([]rune(minutesConfidential)))
		}
		return shape, longest
	}
	friday := time.Date(2027, 5, 7, 0, 0, 0, 0, time.UTC)     // "Friday 7 May 2027"
	wednesday := time.Date(2027, 9, 29, 0, 0, 0, 0, time.UTC) // "Wednesday 29 September 2027"
	for pad := 0; pad <= 3000; pad += 7 {                     // past one action's length: a part's end crosses the limit
		before, _ := layout(pad, friday)
		after, longest := layout(pad, wednesday)
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Fatalf("a new due date moves actions between parts: %v, then %v", before, after)
		}
		if len(before) < 2 {
			t.Fatalf("the test's plan fits one message")
		}
		if longest > 11000 {
			t.Fatalf("with the later date a part holds %d characters", longest)
		}
	}
}
