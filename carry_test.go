package caseconf

import "testing"

// A review's outcome form: each open action of the plan under review is
// kept, done or dropped; a kept one is checked as a row of the new plan,
// the others are not; no choice, or one action twice, is refused on the
// row.
func TestOutcomeCarryChoices(t *testing.T) {
	f := validOutcome()
	kept := f.Actions[0]
	kept.Row, kept.Carry, kept.Choice = 7, 101, CarryKeep
	f.Actions = append(f.Actions, kept,
		ActionForm{Row: 8, Carry: 102, Choice: CarryDrop, Area: "Money", DueOn: "2020-01-01"}, // a past date: not checked, it is dropped
		ActionForm{Row: 9, Carry: 103, Choice: CarryDone})
	o, errs := f.Validate(outcomeMeeting, outcomeNow, outcomeCal)
	if errs != nil {
		t.Fatalf("errs = %v", errs)
	}
	before, _ := validOutcome().Validate(outcomeMeeting, outcomeNow, outcomeCal)
	if len(o.Actions) != len(before.Actions)+1 {
		t.Errorf("%d actions in the new plan, want the kept one added", len(o.Actions))
	}
	want := []Settled{{101, CarryKeep}, {102, CarryDrop}, {103, CarryDone}}
	if len(o.Settled) != len(want) {
		t.Fatalf("settled = %v, want %v", o.Settled, want)
	}
	for i := range want {
		if o.Settled[i] != want[i] {
			t.Errorf("settled[%d] = %v, want %v", i, o.Settled[i], want[i])
		}
	}

	for name, rows := range map[string][]ActionForm{
		"no choice":   {{Row: 7, Carry: 101}},
		"made up":     {{Row: 7, Carry: 101, Choice: "later"}},
		"twice":       {{Row: 7, Carry: 101, Choice: CarryDone}, {Row: 8, Carry: 101, Choice: CarryDrop}},
		"kept, blank": {{Row: 7, Carry: 101, Choice: CarryKeep}},
	} {
		g := validOutcome()
		g.Actions = append(g.Actions, rows...)
		_, errs := g.Validate(outcomeMeeting, outcomeNow, outcomeCal)
		field := ActionField(ActionChoice, rows[len(rows)-1].Row)
		if name == "kept, blank" {
			field = ActionField(ActionArea, 7)
		}
		if errs[field] == "" {
			t.Errorf("%s: no error on %s: %v", name, field, errs)
		}
	}

	for choice, want := range map[string]ActionStatus{CarryKeep: ActionNotNeeded, CarryDone: ActionDone, CarryDrop: ActionNotNeeded} {
		if got, reason := SettledAs(choice, "CC-0002"); got != want || (choice == CarryDrop && reason != "dropped at review CC-0002") {
			t.Errorf("SettledAs(%s) = %s, %q", choice, got, reason)
		}
	}
	c := &Conference{ID: 2}
	if ok, err := CanSettleAtReview(c, 1, &Action{ConferenceID: 3, Status: ActionOpen}); ok || err == nil {
		t.Error("an action of another plan may be settled")
	}
	if ok, err := CanSettleAtReview(c, 1, &Action{ConferenceID: 1, Status: ActionDone}); ok || err != nil {
		t.Errorf("an action closed already: %v %v", ok, err)
	}
	if ok, err := CanSettleAtReview(c, 1, &Action{ConferenceID: 1, Status: ActionOpen}); !ok || err != nil {
		t.Errorf("an open action of the plan under review: %v %v", ok, err)
	}
}
