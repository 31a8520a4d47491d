package caseconf

import (
	"strings"
	"testing"
	"time"
)

// Each date window, just inside and just outside each end, as of Monday
// 2 November 2026 in London.
func TestDateWindows(t *testing.T) {
	loc := london(t)
	cal := NewCalendar(loc, nil)
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, loc)
	meeting := time.Date(2026, 11, 20, 10, 30, 0, 0, loc)
	tests := []struct {
		name   string
		window DateWindow
		in     []string
		out    map[string]string // date: what the answer says
	}{
		{"Conference", ConferenceWindow(now, cal),
			[]string{"2026-11-02", "2028-11-02"},
			map[string]string{"2026-11-01": "in the past", "2028-11-03": "two years ahead", "9999-12-31": "2 November 2028 or earlier"}},
		{"ConsentGiven", ConsentGivenWindow(now, cal),
			[]string{"2024-11-02", "2026-11-02"},
			map[string]string{"2024-11-01": "more than two years ago", "2026-11-03": "in the future", "1900-01-01": "2 November 2024 or later"}},
		{"ConsentUntil", ConsentUntilWindow(now, cal),
			[]string{"2026-11-02", "2029-11-02"},
			map[string]string{"2026-11-01": "valid today", "2029-11-03": "three years", "9999-12-31": "2 November 2029 or earlier"}},
		{"Review", ReviewWindow(meeting, cal),
			[]string{"2026-11-21", "2028-11-20"},
			map[string]string{"2026-11-20": "after this meeting", "2028-11-21": "within two years", "9999-12-31": "20 November 2028 or earlier"}},
		{"ActionDue", ActionDueWindow(now, cal),
			[]string{"2026-11-02", "2031-11-02"},
			map[string]string{"2026-11-01": "has passed", "2031-11-03": "five years", "9999-12-31": "2 November 2031 or earlier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, d := range tt.in {
				if msg := tt.window.Check(day(t, loc, d)); msg != "" {
					t.Errorf("%s refused: %q", d, msg)
				}
			}
			for d, want := range tt.out {
				if msg := tt.window.Check(day(t, loc, d)); !strings.Contains(msg, want) {
					t.Errorf("%s: %q, want it refused saying %q", d, msg, want)
				}
			}
		})
	}
}

// A window's ends are calendar days in the service's zone: late in the
// evening of 2 November in London a conference on 2 November 2028 is
// still in, whatever UTC says.
func TestDateWindowIsCalendarDays(t *testing.T) {
	loc, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	cal := NewCalendar(loc, nil)
	now := time.Date(2026, 11, 2, 23, 30, 0, 0, loc) // 10:30 UTC the same day
	w := ConferenceWindow(now, cal)
	if msg := w.Check(time.Date(2028, 11, 2, 0, 0, 0, 0, loc)); msg != "" {
		t.Errorf("the last day refused: %q", msg)
	}
	if msg := w.Check(time.Date(2026, 11, 2, 0, 0, 0, 0, loc)); msg != "" {
		t.Errorf("today refused: %q", msg)
	}
}

// Every form that takes a date answers one outside its window on its
// field, and the scheduling form does so before counting any notice.
func TestFormsRefuseDatesOutsideTheirWindows(t *testing.T) {
	loc := london(t)
	cal := NewCalendar(loc, nil)
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, loc)
	meeting := time.Date(2026, 10, 30, 10, 30, 0, 0, loc)

	schedule := func(change func(*ScheduleForm)) FieldErrors {
		f := ScheduleForm{ClientRef: "JS-4411", Reasons: []string{"advocacy"}, Purpose: "Plan", Date: "2026-11-20", Time: "10:30",
			Length: "60", Place: "Surgery", SlackInvitees: []string{"U0GP"}, Chair: "U0CM", MinuteTaker: "U0CM", ClientAttends: "yes",
			ConsentMethod: ConsentWritten, ConsentGiven: "2026-10-01", ConsentChecked: true, AgencyKinds: []string{"health_gp"}}
		change(&f)
		_, errs := f.Validate(now, cal)
		return errs
	}
	if errs := schedule(func(*ScheduleForm) {}); errs != nil {
		t.Fatalf("the valid form: %v", errs)
	}
	for name, tc := range map[string]struct {
		change func(*ScheduleForm)
		field  string
	}{
		"Conference9999":    {func(f *ScheduleForm) { f.Date = "9999-12-31" }, FieldDate},
		"ConferenceTooFar":  {func(f *ScheduleForm) { f.Date = "2028-11-03"; f.ConsentUntil = "2029-01-01" }, FieldDate},
		"ConsentGiven1900":  {func(f *ScheduleForm) { f.ConsentGiven = "1900-01-01" }, FieldConsentGiven},
		"ConsentGivenLater": {func(f *ScheduleForm) { f.ConsentGiven = "2026-11-03" }, FieldConsentGiven},
		"ConsentUntil9999":  {func(f *ScheduleForm) { f.ConsentUntil = "9999-12-31" }, FieldConsentUntil},
	} {
		t.Run(name, func(t *testing.T) {
			errs := schedule(tc.change)
			if errs[tc.field] == "" {
				t.Fatalf("errors %v, want one on %s", errs, tc.field)
			}
			if errs[FieldUrgent] != "" {
				t.Errorf("notice worked out for a date outside its window: %q", errs[FieldUrgent])
			}
		})
	}

	renew := ConsentChangeForm{Choice: ConsentRenew, Method: ConsentWritten, Given: "1900-01-01", AgencyKinds: []string{"health_gp"}}
	if _, errs := renew.Validate(Consent{}, now, cal); errs[FieldConsentGiven] == "" {
		t.Errorf("renewal given in 1900: %v", errs)
	}
	renew.Given, renew.Until = "2026-11-02", "9999-12-31"
	if _, errs := renew.Validate(Consent{}, now, cal); errs[FieldConsentUntil] == "" {
		t.Errorf("renewal valid until 9999: %v", errs)
	}

	outcome := OutcomeForm{Attended: []string{"U0CM"}, LeadChanged: "no", Summary: "S", ClientViews: "V", ReviewOn: "9999-12-31",
		Actions: []ActionForm{{Row: 1, Area: "Housing", What: "Support", OwnerID: "U0SW", DueOn: "9999-12-31"}}}
	_, errs := outcome.Validate(meeting, now, cal)
	if errs[FieldReviewOn] == "" || errs[ActionField(ActionDue, 1)] == "" {
		t.Errorf("review and action in 9999: %v", errs)
	}
	outcome.ReviewOn, outcome.Actions[0].DueOn = "2028-10-30", "2031-11-02"
	if _, errs := outcome.Validate(meeting, now, cal); errs != nil {
		t.Errorf("review and action on the last day of their windows: %v", errs)
	}

	if _, _, errs := ValidateNewDate("9999-12-31", "Panel", time.Time{}, now, cal); errs[FieldNewDue] == "" {
		t.Errorf("new date in 9999: %v", errs)
	}
	if _, _, errs := ValidateNewDate("2031-11-02", "Panel", time.Time{}, now, cal); errs != nil {
		t.Errorf("new date on the last day of the window: %v", errs)
	}
}
