package caseconf

import (
	"strings"
	"testing"
	"time"
)

func TestCanAmendOutcome(t *testing.T) {
	c := &Conference{Ref: "CC-0042", ChairID: "U0CH", MinuteTakerID: "U0MT", CaseManagerID: "U0CM", Status: StatusRecorded}
	for _, u := range []string{"U0CH", "U0MT", "U0CM"} {
		if err := CanAmendOutcome(c, Viewer{UserID: u}); err != nil {
			t.Errorf("%s may not amend: %v", u, err)
		}
	}
	for _, v := range []Viewer{{UserID: "U0GP"}, {UserID: "U0OUT", Admin: true}, {}} {
		if err := CanAmendOutcome(c, v); ErrorCode(err) != ENOTFOUND {
			t.Errorf("%+v: %v, want not found", v, err)
		}
	}
	c.Status = StatusScheduled
	if err := CanAmendOutcome(c, Viewer{UserID: "U0CM"}); ErrorCode(err) != ECONFLICT || !strings.Contains(err.Error(), "not recorded yet") {
		t.Errorf("before recording: %v", err)
	}
	c.Status = StatusCancelled
	if err := CanAmendOutcome(c, Viewer{UserID: "U0CM"}); ErrorCode(err) != ECONFLICT {
		t.Errorf("cancelled: %v", err)
	}
}

func TestCheckAmendReason(t *testing.T) {
	for reason, want := range map[string]string{
		"":                        "what changed and why",
		" \u200b ":                "what changed and why",
		strings.Repeat("x", 501):  "500",
		"The GP's date was wrong": "",
	} {
		if got := CheckAmendReason(reason); (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("%.20q: %q, want %q", reason, got, want)
		}
	}
}

// A correction a month on keeps the dates recorded then, though they
// have passed; a new date must still be today or later; what changed and
// why is required; the lead is kept.
func TestValidateAmendment(t *testing.T) {
	later := outcomeNow.AddDate(0, 1, 0) // 23 December
	was, errs := validOutcome().Validate(outcomeMeeting, outcomeNow, outcomeCal)
	if errs != nil {
		t.Fatal(errs)
	}
	was.Actions[0].ID, was.Actions[1].ID = 11, 12
	f := validOutcome()
	f.ReviewOn = "2026-12-04" // not as recorded, and passed
	f.Actions[0].ID, f.Actions[2].ID = 11, 12
	f.Actions[2].DueOn = "2026-11-23" // as recorded, passed
	_, errs = f.ValidateAmendment(outcomeMeeting, later, outcomeCal, &was)
	if errs[FieldAmendReason] == "" || errs[FieldReviewOn] == "" || errs[ActionField(ActionDue, 4)] != "" || len(errs) != 2 {
		t.Errorf("errors: %v", errs)
	}
	f.ReviewOn, f.AmendReason = "2027-02-19", "Housing action was the wrong owner"
	o, errs := f.ValidateAmendment(outcomeMeeting, later, outcomeCal, &was)
	if errs != nil || o.Actions[0].ID != 11 || o.Actions[1].ID != 12 {
		t.Fatalf("a valid amendment: %v %+v", errs, o.Actions)
	}
	f.Actions[2].ID = 0 // a new row with a passed date
	if _, errs = f.ValidateAmendment(outcomeMeeting, later, outcomeCal, &was); !strings.Contains(errs[ActionField(ActionDue, 4)], "passed") {
		t.Errorf("a new row's passed date: %v", errs)
	}
	f.Actions[2].ID = 12
	f.LeadChanged, f.NewLeadAgency = "yes", "Housing First"
	if _, errs = f.ValidateAmendment(outcomeMeeting, later, outcomeCal, &was); !strings.Contains(errs[FieldLeadChanged], "cannot be corrected here") {
		t.Errorf("a change of lead: %v", errs)
	}
}

func TestComparePlans(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	before := []Action{
		{ID: 1, Area: "Housing", What: "Tenancy support", OwnerID: "U0SW", DueOn: day(4)},
		{ID: 2, Area: "Health", What: "Medication review", OwnerID: "U0GP", DueOn: day(1), Status: ActionDone},
		{ID: 3, Area: "Money", What: "Benefits check", OwnerName: "Ann Lee", OwnerAgency: "Acacia House", DueOn: day(11)},
		{ID: 4, Area: "Work", What: "CV", OwnerID: "U0SW", DueOn: day(18)},
	}
	london, _ := time.LoadLocation("Europe/London")
	after := []Action{
		{ID: 4, Area: "Work", What: "CV", OwnerID: "U0SW", DueOn: time.Date(2026, 12, 18, 0, 0, 0, 0, london)}, // the same day, read in another zone
		{ID: 1, Area: "Housing", What: "Tenancy support", OwnerID: "U0SW", DueOn: day(9)},                      // a new date
		{ID: 3, Area: "Money", What: "Benefits check", OwnerID: "U0CM", DueOn: day(11)},                        // a new owner
		{ID: 2, Area: "Health", What: "Medication review", OwnerID: "U0GP", DueOn: day(1)},                     // as it was (its status is not the plan's)
		{Area: "Education", What: "College place", OwnerClient: true, OwnerName: ClientOwnerName, DueOn: day(4)},
		{ID: 99, Area: "Other", What: "Not one of the plan's", OwnerID: "U0SW", DueOn: day(4)},
	}
	p := ComparePlans(before, after)
	if len(p.Added) != 2 || p.Added[0].Area != "Education" || p.Added[1].ID != 99 {
		t.Errorf("added: %+v", p.Added)
	}
	if len(p.Changed) != 2 || p.Changed[0].After.ID != 1 || p.Changed[0].OwnerChanged() || p.Changed[1].After.ID != 3 || !p.Changed[1].OwnerChanged() {
		t.Errorf("changed: %+v", p.Changed)
	}
	if len(p.Removed) != 0 {
		t.Errorf("removed: %+v", p.Removed)
	}
	p = ComparePlans(before, after[:2])
	if len(p.Removed) != 2 || p.Removed[0].ID != 2 || p.Removed[1].ID != 3 || len(p.Added) != 0 {
		t.Errorf("removed: %+v; added %+v", p.Removed, p.Added)
	}
	if p := ComparePlans(before, before); !p.None() {
		t.Errorf("the same plan: %+v", p)
	}
	if v, part := SplitAmendedPart(AmendedPart(3, 2)); v != 3 || part != 2 {
		t.Errorf("amended part: %d %d", v, part)
	}
}
