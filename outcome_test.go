package caseconf

import (
	"strings"
	"testing"
	"time"
)

// The meeting was on Friday 20 November 2026 at 10:30; the outcome is
// recorded on Monday 23rd.
var (
	outcomeMeeting = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	outcomeNow     = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	outcomeCal     = NewCalendar(time.UTC, nil)
)

func validOutcome() OutcomeForm {
	return OutcomeForm{
		Attended: []string{"U0CM", "U0SW"}, AttendedOthers: "Dr Patel, GP, Church Street Surgery\n\n",
		Apologies: []string{"U0GP"}, LeadChanged: "no",
		Summary: " Rent arrears; missed appointments. ", Worked: "Weekly calls", NotWorked: "  ",
		ClientViews: "Wants to stay at Acacia House.", ReviewOn: "2027-02-19",
		ShareWith: []string{"U0SW", "U0GP"}, ShareOthers: "Dr Patel, 020 7946 0000",
		Actions: []ActionForm{
			{Row: 1, Area: "Housing", What: "Apply for tenancy support", OwnerID: "U0SW", DueOn: "2026-12-04"},
			{Row: 3},
			{Row: 4, Area: "Health", What: "Medication review", OwnerName: "Dr Patel", OwnerAgency: "Church Street Surgery", DueOn: "2026-11-23"},
		},
		SaveAs: SaveFinal,
	}
}

func TestOutcomeValidate(t *testing.T) {
	o, errs := validOutcome().Validate(outcomeMeeting, outcomeNow, outcomeCal)
	if errs != nil {
		t.Fatalf("a valid outcome: %v", errs)
	}
	if o.Summary != "Rent arrears; missed appointments." || o.NotWorked != "" || o.LeadChanged || !o.ReviewOn.Equal(time.Date(2027, 2, 19, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("outcome = %+v", o)
	}
	if len(o.Attended) != 3 || o.Attended[2] != (Person{Name: "Dr Patel", JobTitle: "GP", Agency: "Church Street Surgery"}) {
		t.Errorf("attended = %+v", o.Attended)
	}
	if len(o.ShareWith) != 3 || o.ShareWith[2] != (Person{Name: "Dr Patel", Contact: "020 7946 0000"}) {
		t.Errorf("share with = %+v", o.ShareWith)
	}
	if len(o.Actions) != 2 || o.Actions[0].OwnerID != "U0SW" || o.Actions[1].OwnerName != "Dr Patel" || o.Actions[1].OwnerAgency != "Church Street Surgery" ||
		o.Actions[0].Status != ActionOpen {
		t.Errorf("the blank row is not dropped, or the actions are wrong: %+v", o.Actions)
	}
	row := func(i int, change func(*ActionForm)) func(*OutcomeForm) {
		return func(f *OutcomeForm) { change(&f.Actions[i]) }
	}
	tests := []struct {
		name   string
		change func(*OutcomeForm)
		want   []string
	}{
		{"Blank", func(f *OutcomeForm) { *f = OutcomeForm{} }, []string{FieldAttended, FieldSummary, FieldClientViews, FieldReviewOn}},
		{"InvisibleSummary", func(f *OutcomeForm) { f.Summary = "\u200b \u00ad" }, []string{FieldSummary}},
		{"SummaryTooLong", func(f *OutcomeForm) { f.Summary = strings.Repeat("x", MaxOutcomeText+1) }, []string{FieldSummary}},
		{"OptionalTooLong", func(f *OutcomeForm) { f.Worked = strings.Repeat("x", MaxOutcomeText+1) }, []string{FieldOutcomeWorked}},
		{"ControlCharacter", func(f *OutcomeForm) { f.ClientViews = "Wants\x00 to stay" }, []string{FieldClientViews}},
		{"DirectionOverride", func(f *OutcomeForm) { f.AttendedOthers = "Dr \u202ePatel" }, []string{FieldAttendedOthers}},
		{"ReviewOnMeetingDay", func(f *OutcomeForm) { f.ReviewOn = "2026-11-20" }, []string{FieldReviewOn}},
		{"ReviewBeforeMeeting", func(f *OutcomeForm) { f.ReviewOn = "2026-11-01" }, []string{FieldReviewOn}},
		{"ReviewNotADate", func(f *OutcomeForm) { f.ReviewOn = "soon" }, []string{FieldReviewOn}},
		{"ReviewAfterTheMeetingButPast", func(f *OutcomeForm) { f.ReviewOn = "2026-11-21" }, []string{FieldReviewOn}},
		{"ReviewToday", func(f *OutcomeForm) { f.ReviewOn = "2026-11-23" }, nil},
		{"ForgedAttendee", func(f *OutcomeForm) { f.Attended = append(f.Attended, "U0SW> <!channel> <@U0OUT") }, []string{FieldAttended}},
		{"ForgedNewCaseManager", func(f *OutcomeForm) { f.LeadChanged, f.NewCaseManager = "yes", "<!here>" }, []string{FieldNewCaseManager}},
		{"ForgedOwner", func(f *OutcomeForm) { f.Actions[0].OwnerID = "everyone" }, []string{ActionField(ActionOwner, 1)}},
		{"ShareLineWithoutName", func(f *OutcomeForm) { f.ShareOthers = ", reception@surgery.example" }, []string{FieldShareOthers}},
		{"AttendedLineWithoutName", func(f *OutcomeForm) { f.AttendedOthers = " , Nurse, NHS" }, []string{FieldAttendedOthers}},
		{"BothAttendedAndApologies", func(f *OutcomeForm) { f.Apologies = []string{"U0SW"} }, []string{FieldApologies}},
		{"LeadChangedToNobody", func(f *OutcomeForm) { f.LeadChanged = "yes" }, []string{FieldNewCaseManager}},
		{"LeadChangedToSomeone", func(f *OutcomeForm) { f.LeadChanged, f.NewCaseManager = "yes", "U0SW" }, nil},
		{"LeadChangedToAnAgency", func(f *OutcomeForm) { f.LeadChanged, f.NewLeadAgency = "yes", "St Mungo's" }, nil},
		{"NewCaseManagerWithoutYes", func(f *OutcomeForm) { f.NewCaseManager = "U0SW" }, []string{FieldLeadChanged}},
		{"ActionDueYesterday", row(0, func(a *ActionForm) { a.DueOn = "2026-11-22" }), []string{ActionField(ActionDue, 1)}},
		{"ActionDueToday", row(0, func(a *ActionForm) { a.DueOn = "2026-11-23" }), nil},
		{"ActionWithoutDate", row(2, func(a *ActionForm) { a.DueOn = "" }), []string{ActionField(ActionDue, 4)}},
		{"ActionWithoutOwner", row(0, func(a *ActionForm) { a.OwnerID = "" }), []string{ActionField(ActionOwner, 1)}},
		{"NamedOwnerWithoutAgency", row(2, func(a *ActionForm) { a.OwnerAgency = " " }), nil}, // a carer has none (issue 14)
		{"ClientOwner", row(2, func(a *ActionForm) { a.OwnerName, a.OwnerAgency = "The Client", "" }), nil},
		{"AgencyWithoutName", row(2, func(a *ActionForm) { a.OwnerName = "" }), []string{ActionField(ActionOwnerName, 4)}},
		{"TwoOwners", row(0, func(a *ActionForm) { a.OwnerName = "Dr Patel" }), []string{ActionField(ActionOwnerName, 1)}},
		{"ActionWithoutArea", row(1, func(a *ActionForm) { a.What, a.OwnerID, a.DueOn = "Call", "U0CM", "2026-12-01" }), []string{ActionField(ActionArea, 3)}},
		{"ActionTooLong", row(0, func(a *ActionForm) { a.What = strings.Repeat("y", MaxActionText+1) }), []string{ActionField(ActionWhat, 1)}},
		{"AreaOnOneLine", row(0, func(a *ActionForm) { a.Area = "Housing\nand rent" }), []string{ActionField(ActionArea, 1)}},
		{"TooManyRows", func(f *OutcomeForm) { f.Actions = make([]ActionForm, MaxActionRows+1) }, []string{FieldSummary}},
		{"Several", func(f *OutcomeForm) { f.Summary, f.Actions[0].DueOn = "", "2020-01-01" }, []string{FieldSummary, ActionField(ActionDue, 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validOutcome()
			tt.change(&f)
			_, errs := f.Validate(outcomeMeeting, outcomeNow, outcomeCal)
			if len(errs) != len(tt.want) {
				t.Fatalf("errors = %v, want on %v", errs, tt.want)
			}
			for _, id := range tt.want {
				if errs[id] == "" {
					t.Errorf("no error on %s: %v", id, errs)
				}
			}
		})
	}
}

// A draft may be incomplete, but what it holds must be storable.
func TestOutcomeValidateDraft(t *testing.T) {
	if errs := (OutcomeForm{SaveAs: SaveDraft, Actions: []ActionForm{{Row: 1, Area: "Housing"}}}).ValidateDraft(); errs != nil {
		t.Errorf("an incomplete draft: %v", errs)
	}
	f := OutcomeForm{Summary: "x\x00", Actions: []ActionForm{{Row: 2, What: strings.Repeat("z", MaxActionText+1)}}}
	errs := f.ValidateDraft()
	if len(errs) != 2 || errs[FieldSummary] == "" || errs[ActionField(ActionWhat, 2)] == "" {
		t.Errorf("a draft with bad text: %v", errs)
	}
}

func TestMinutesWithheld(t *testing.T) {
	tests := []struct {
		name, user string
		withheld   string // part of the reason; "" for none
	}{
		{"CaseManager", "U0CM", ""},
		{"Chair", "U0CHAIR", ""},
		{"InviteeCovered", "U0GP", ""},
		{"InviteeNotCovered", "U0PROB", "does not cover their agency (Probation"},
		{"InviteeNotAccepted", "U0NEW", "not accepted"},
		{"OtherAcceptedCovered", "U0SHOK", ""},
		{"OtherAcceptedNotCovered", "U0SHUNC", "does not cover"},
		{"OtherNotAccepted", "U0SHARE", "not accepted the information-sharing and confidentiality agreement yet"},
		{"OtherUnknown", "U0OUT", "not accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MinutesWithheld(fixture(), tt.user, t0)
			if (got == "") != (tt.withheld == "") || !strings.Contains(got, tt.withheld) {
				t.Errorf("MinutesWithheld = %q, want %q", got, tt.withheld)
			}
			if strings.Contains(got, "JS-4411") {
				t.Error("the reason names the client")
			}
		})
	}
}

// Consent that has run out by the time the outcome is recorded covers
// nobody's copy of the minutes but the organisers'.
func TestMinutesWithheldOnceConsentHasRunOut(t *testing.T) {
	c := fixture()
	c.Consent.Method, c.Consent.ValidUntil = ConsentWritten, time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)
	if got := MinutesWithheld(c, "U0GP", t0); !strings.Contains(got, "ran out on 19 November 2026") {
		t.Errorf("a covered invitee after the consent ran out: %q", got)
	}
	if got := MinutesWithheld(c, "U0CHAIR", t0); got != "" {
		t.Errorf("the chair after the consent ran out: %q", got)
	}
	if got := MinutesWithheld(c, "U0GP", time.Date(2026, 11, 19, 23, 0, 0, 0, time.UTC)); got != "" {
		t.Errorf("on its last day: %q", got)
	}
}

// At send time the minutes still go to whoever they were decided for,
// unless what can change since has: the outgoing case manager of a
// handover (no longer an organiser, no agreement as someone on the share
// list) still gets them; a share-list member whose agency the consent no
// longer covers, or someone not on the share list, does not.
func TestMinutesStillGo(t *testing.T) {
	c := fixture()
	c.ShareList = []string{"U0OLDCM", "U0SHOK"}
	c.Sharers = []Sharer{{UserID: "U0OLDCM"}, {UserID: "U0SHOK", AgencyKind: "housing", AcceptedAt: &accepted}}
	if got := MinutesStillGo(c, "U0OLDCM", t0); got != "" {
		t.Errorf("the outgoing case manager: %q", got)
	}
	if got := MinutesStillGo(c, "U0SHOK", t0); got != "" {
		t.Errorf("an accepted, covered agency: %q", got)
	}
	c.Consent.AgencyKinds = []string{"health_gp"}
	if got := MinutesStillGo(c, "U0SHOK", t0); !strings.Contains(got, "does not cover") {
		t.Errorf("an agency no longer covered: %q", got)
	}
	if got := MinutesStillGo(c, "U0STRANGER", t0); !strings.Contains(got, "no longer on the share list") {
		t.Errorf("someone not on the share list: %q", got)
	}
	if got := MinutesStillGo(c, "U0CM", t0); got != "" {
		t.Errorf("the case manager: %q", got)
	}
	c.Consent.Method, c.Consent.ValidUntil = ConsentWritten, time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)
	if got := MinutesStillGo(c, "U0OLDCM", t0); !strings.Contains(got, "ran out") {
		t.Errorf("the outgoing case manager once the consent ran out: %q", got)
	}
}

func TestCheckOwners(t *testing.T) {
	c := fixture()
	f := OutcomeForm{Actions: []ActionForm{{Row: 1, OwnerID: "U0GP"}, {Row: 2, OwnerID: "U0OUT"}, {Row: 3, OwnerName: "Ann"}}}
	if errs := f.CheckOwners(c); len(errs) != 1 || errs[ActionField(ActionOwner, 2)] == "" {
		t.Errorf("CheckOwners = %v, want row 2's owner answered", errs)
	}
}
