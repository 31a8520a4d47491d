package bot

import (
	"fmt"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
)

func TestExternalRowNumbers(t *testing.T) {
	for id, want := range map[string]int{"ext_name_0": 0, "ext_agency_kind_12": 12, "ext_row_3": 3, "ext_email_199": 199} {
		if n, ok := extRowOf(id); !ok || n != want {
			t.Errorf("extRowOf(%q) = %d, %v", id, n, ok)
		}
	}
	for _, id := range []string{"ext_rows", "ext_name_", "ext_name_200", "ext_name_-1", "ext_name_01", "purpose", "act_area_1"} {
		if _, ok := extRowOf(id); ok {
			t.Errorf("extRowOf(%q) read a row", id)
		}
	}
	v := formValues{"ext_name_0": nil, "ext_phone_4": nil, "purpose": nil, "ext_name_100000": nil}
	if n := externalRowsIn(v); n != 5 {
		t.Errorf("externalRowsIn = %d, want 5 (rows 0 to 4; a forged row number ignored)", n)
	}
	// Row 2 was removed: it reads as blank, and the rows after keep their numbers.
	f := scheduleForm(formValues{
		"ext_name_0": {"ext_name_0": {Value: "Dr Patel"}}, "ext_name_3": {"ext_name_3": {Value: "PC Jones"}},
		"ext_email_3": {"ext_email_3": {Value: "jones@example.org"}},
	}, 4)
	if len(f.External) != 4 || f.External[0].Name != "Dr Patel" || !f.External[2].Blank() || f.External[3].Email != "jones@example.org" {
		t.Errorf("rows read: %+v", f.External)
	}
}

// A review of a conference with more people not on Slack than one form
// holds opens with as many as fit, within Slack's 100 blocks.
func TestReviewFormHoldsWhatFits(t *testing.T) {
	cal := caseconf.NewCalendar(time.UTC, nil)
	c := &caseconf.Conference{ID: 7, Ref: "CC-0007", CaseManagerID: "U0CM", ChairID: "U0CM", MinuteTakerID: "U0CM",
		StartsAt: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC), DurationMinutes: 60}
	for i := range 14 {
		c.Invitees = append(c.Invitees, caseconf.Invitee{ID: int64(i + 1), Name: fmt.Sprintf("Person %d", i), AgencyKind: "housing", Email: "p@example.org"})
	}
	view := reviewModal("U0CM", c.StartsAt, c, time.Time{}, cal)
	if n := len(view.Blocks.BlockSet); n > maxModalBlocks {
		t.Fatalf("the review form has %d blocks", n)
	}
	filled := 0
	for _, blk := range view.Blocks.BlockSet {
		if in, ok := blk.(*slack.InputBlock); ok {
			if el, ok := in.Element.(*slack.PlainTextInputBlockElement); ok && len(in.BlockID) > 9 && in.BlockID[:9] == "ext_name_" && el.InitialValue != "" {
				filled++
			}
		}
	}
	if filled != 9 {
		t.Errorf("%d people not on Slack filled in, want the 9 that fit", filled)
	}
}
