package caseconf

import (
	"strings"
	"testing"
	"time"
)

func validForm() ScheduleForm {
	return ScheduleForm{
		ClientRef: "JS-4411", Reasons: []string{"complex_health", "eviction_risk"},
		Purpose: "Agree a plan to keep the tenancy.", Date: "2026-11-20", Time: "10:30", Length: "60",
		Place: "Church Street Surgery", SlackInvitees: []string{"U0GP", "U0SW", "U0GP"},
		Chair: "U0CM", MinuteTaker: "U0CM", ClientAttends: "yes",
		ConsentMethod: ConsentWritten, ConsentGiven: "2026-10-01", ConsentChecked: true, AgencyKinds: []string{"health_gp", "housing"},
	}
}

func TestScheduleValidate(t *testing.T) {
	loc := london(t)
	cal := NewCalendar(loc, []time.Time{day(t, loc, "2026-11-11")})
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, loc) // a Monday

	t.Run("ValidForm", func(t *testing.T) {
		s, errs := validForm().Validate(now, cal)
		if errs != nil {
			t.Fatalf("errors %v", errs)
		}
		if want := time.Date(2026, 11, 20, 10, 30, 0, 0, loc); !s.StartsAt.Equal(want) {
			t.Errorf("StartsAt = %v, want %v", s.StartsAt, want)
		}
		if len(s.SlackInvitees) != 2 {
			t.Errorf("invitees = %v, want duplicates removed", s.SlackInvitees)
		}
		if got := s.Consent.ValidUntil.Format(DateLayout); got != "2027-04-01" {
			t.Errorf("consent valid until %s, want six months on: 2027-04-01", got)
		}
		if !s.Consent.Covers("health_gp") || s.Consent.Covers("probation_police") {
			t.Errorf("coverage wrong: %v", s.Consent.AgencyKinds)
		}
	})

	tests := []struct {
		name      string
		change    func(f *ScheduleForm)
		wantField string
		wantText  string
	}{
		{"DateInThePast", func(f *ScheduleForm) { f.Date = "2026-10-30" }, FieldDate, "past"},
		{"TimeAlreadyPassedToday", func(f *ScheduleForm) { f.Date = "2026-11-02"; f.Time = "08:00"; f.Urgent = true; f.UrgentReason = "x" }, FieldTime, "passed"},
		{"ZeroLength", func(f *ScheduleForm) { f.Length = "0" }, FieldLength, "more than zero"},
		{"NegativeLength", func(f *ScheduleForm) { f.Length = "-30" }, FieldLength, "more than zero"},
		{"LengthNotANumber", func(f *ScheduleForm) { f.Length = "an hour" }, FieldLength, "minutes"},
		{"NoInvitees", func(f *ScheduleForm) { f.SlackInvitees = nil }, FieldSlackInvitees, "at least one"},
		{"ConsentExpiresBeforeMeeting", func(f *ScheduleForm) { f.ConsentUntil = "2026-11-19" }, FieldConsentUntil, "before the meeting"},
		{"SixMonthConsentRunsOut", func(f *ScheduleForm) { f.ConsentGiven = "2026-05-01" }, FieldConsentUntil, "runs out on 1 Nov 2026"},
		{"ConsentGivenInTheFuture", func(f *ScheduleForm) { f.ConsentGiven = "2026-11-05" }, FieldConsentGiven, "future"},
		{"ConsentMethodMissing", func(f *ScheduleForm) { f.ConsentMethod = "" }, FieldConsentMethod, "consent"},
		{"NoConsentWithoutBasis", func(f *ScheduleForm) { f.ConsentMethod = ConsentNone }, FieldNoConsentBasis, "basis"},
		{"NoConsentOldReasonIsNoBasis", func(f *ScheduleForm) { f.ConsentMethod = ConsentNone; f.NoConsentBasis = "professionals_only" }, FieldNoConsentBasis, "basis"},
		{"NoConsentMigratedBasisNotOffered", func(f *ScheduleForm) { f.ConsentMethod = ConsentNone; f.NoConsentBasis = BasisNoneRecorded }, FieldNoConsentBasis, "basis"},
		{"NoConsentWithoutWhoDecided", func(f *ScheduleForm) {
			f.ConsentMethod, f.NoConsentBasis, f.NoConsentExplanation = ConsentNone, BasisRiskToOthers, "Threats to staff"
		}, FieldNoConsentDecidedBy, "who decided"},
		{"NoConsentWithoutWhy", func(f *ScheduleForm) {
			f.ConsentMethod, f.NoConsentBasis, f.NoConsentDecidedBy = ConsentNone, BasisRiskToOthers, "A Lead, service manager"
		}, FieldNoConsentWhy, "why"},
		{"SignedFormNotCheckedForThisMeeting", func(f *ScheduleForm) { f.ConsentChecked = false }, FieldConsentChecked, "checked this meeting"},
		{"SignedFormNotCheckedWhyOnlyZeroWidth", func(f *ScheduleForm) { f.ConsentChecked, f.ConsentNotCheckedWhy = false, "\u200b" }, FieldConsentChecked, "why it could not"},
		{"AbsentWithoutCircumstance", func(f *ScheduleForm) { f.ClientAttends, f.ClientToldHow = "no", "letter" }, FieldAbsence, "circumstance"},
		{"AbsentWithFreeTextReason", func(f *ScheduleForm) {
			f.ClientAttends, f.ClientAbsence, f.ClientToldHow = "no", "in hospital", "letter"
		}, FieldAbsence, "from the list"},
		{"ChildWelfareWithoutChildCareManager", func(f *ScheduleForm) {
			f.ClientAttends, f.ClientAbsence, f.ClientToldHow = "no", AbsenceChildWelfare, "letter"
		}, FieldChildCareMgr, "child-care manager"},
		{"NoAgencyKinds", func(f *ScheduleForm) { f.AgencyKinds = nil }, FieldAgencyKinds, "tick"},
		{"PurposeTooLong", func(f *ScheduleForm) { f.Purpose = strings.Repeat("é", MaxPurpose+1) }, FieldPurpose, "3000 characters"},
		{"ClientRefTooLong", func(f *ScheduleForm) { f.ClientRef = strings.Repeat("x", 65) }, FieldClientRef, "64"},
		{"ClientRefMissing", func(f *ScheduleForm) { f.ClientRef = "  " }, FieldClientRef, "reference"},
		{"ClientRefOnlyZeroWidth", func(f *ScheduleForm) { f.ClientRef = "\u200b\u200d\u00ad" }, FieldClientRef, "reference"},
		{"ClientRefOnlyBidiOverride", func(f *ScheduleForm) { f.ClientRef = " \u202e\u2066 " }, FieldClientRef, "reference"},
		{"ClientRefWithHiddenDirectionMark", func(f *ScheduleForm) { f.ClientRef = "JS-\u202e4411" }, FieldClientRef, "invisible"},
		{"NULInPurpose", func(f *ScheduleForm) { f.Purpose = "Keep the\x00 tenancy" }, FieldPurpose, "control character"},
		{"ControlCharacterInPlace", func(f *ScheduleForm) { f.Place = "Church\x1bStreet" }, FieldPlace, "control character"},
		{"NewlineInPlace", func(f *ScheduleForm) { f.Place = "Church\nStreet" }, FieldPlace, "one line"},
		{"NULInExternalName", func(f *ScheduleForm) { f.External = []ExternalInvitee{{Name: "Dr\x00Patel", AgencyKind: "health_gp"}} }, ExternalField("name", 0), "control character"},
		{"NULInUrgentReason", func(f *ScheduleForm) { f.Date = "2026-11-13"; f.Urgent = true; f.UrgentReason = "soon\x00" }, FieldUrgentReason, "control character"},
		{"ChildCareManagerOnlyZeroWidth", func(f *ScheduleForm) {
			f.ClientAttends = "no"
			f.ClientAbsence, f.ChildCareManager = AbsenceChildWelfare, "\u200b"
			f.ClientToldHow = "letter"
		}, FieldChildCareMgr, "child-care manager"},
		{"ToldHowOnlyWordJoiner", func(f *ScheduleForm) {
			f.ClientAttends = "no"
			f.ClientAbsence = AbsenceInstitution
			f.ClientToldHow = "\u2060"
		}, FieldToldHow, "communicated"},
		{"UrgentReasonOnlyZeroWidth", func(f *ScheduleForm) { f.Date = "2026-11-13"; f.Urgent = true; f.UrgentReason = "\u200b\u200d" }, FieldUrgentReason, "reason"},
		{"ForgedInviteeID", func(f *ScheduleForm) { f.SlackInvitees = []string{"U0GP", "<!channel>"} }, FieldSlackInvitees, "from the list"},
		{"ForgedChairID", func(f *ScheduleForm) { f.Chair = "U0CM\x00" }, FieldChair, "from the list"},
		{"NoReasons", func(f *ScheduleForm) { f.Reasons = nil }, FieldReasons, "at least one"},
		{"UnknownReason", func(f *ScheduleForm) { f.Reasons = []string{"because"} }, FieldReasons, "list"},
		{"ClientAbsentWithoutHowTold", func(f *ScheduleForm) { f.ClientAttends = "no"; f.ClientAbsence = AbsenceInstitution }, FieldToldHow, "communicated"},
		{"ShortNotice", func(f *ScheduleForm) { f.Date = "2026-11-13" }, FieldUrgent, "working days' notice"},
		{"UrgentWithoutReason", func(f *ScheduleForm) { f.Date = "2026-11-13"; f.Urgent = true }, FieldUrgentReason, "reason"},
		{"ExternalRowWithoutName", func(f *ScheduleForm) {
			f.External = []ExternalInvitee{{}, {Role: "GP", Agency: "Church St", AgencyKind: "health_gp"}}
		}, ExternalField("name", 1), "name"},
		{"ExternalRowWithoutAgencyKind", func(f *ScheduleForm) { f.External = []ExternalInvitee{{Name: "Dr Patel"}} }, ExternalField("agency_kind", 0), "kind of agency"},
		{"ExternalRowWithoutEmailOrPhone", func(f *ScheduleForm) {
			f.External = []ExternalInvitee{{Name: "Dr Patel", AgencyKind: "health_gp"}}
		}, ExternalField(ExtEmail, 0), "e-mail address or phone"},
		{"ExternalRowWithBadEmail", func(f *ScheduleForm) {
			f.External = []ExternalInvitee{{Name: "Dr Patel", AgencyKind: "health_gp", Email: "patel at surgery"}}
		}, ExternalField(ExtEmail, 0), "name@example.org"},
		{"ExternalRowEightWithoutName", func(f *ScheduleForm) {
			f.External = make([]ExternalInvitee, 8)
			f.External[7] = ExternalInvitee{Agency: "Church St", AgencyKind: "health_gp", Email: "gp@example.org"}
		}, ExternalField(ExtName, 7), "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := validForm()
			tt.change(&f)
			_, errs := f.Validate(now, cal)
			msg, ok := errs[tt.wantField]
			if !ok {
				t.Fatalf("errors = %v, want one on %s", errs, tt.wantField)
			}
			if !strings.Contains(msg, tt.wantText) {
				t.Fatalf("error on %s = %q, want it to mention %q", tt.wantField, msg, tt.wantText)
			}
		})
	}

	t.Run("TenWorkingDaysIsEnough", func(t *testing.T) {
		f := validForm()
		f.Date = "2026-11-17" // 10 working days from Mon 2 Nov, skipping the holiday on the 11th
		s, errs := f.Validate(now, cal)
		if errs != nil || s.NoticeWorkingDays != 10 {
			t.Fatalf("errors %v, notice %d", errs, s.NoticeWorkingDays)
		}
	})
	t.Run("HolidayMakesNoticeShort", func(t *testing.T) {
		f := validForm()
		f.Date = "2026-11-16" // would be ten working days but for the holiday
		_, errs := f.Validate(now, cal)
		if !strings.Contains(errs[FieldUrgent], "9 working days") || !strings.Contains(errs[FieldUrgent], "Tue 17 Nov 2026") {
			t.Fatalf("errors = %v", errs)
		}
	})
	t.Run("UrgentWithReasonAccepted", func(t *testing.T) {
		f := validForm()
		f.Date, f.Urgent, f.UrgentReason = "2026-11-04", true, "Eviction notice expires Friday"
		if _, errs := f.Validate(now, cal); errs != nil {
			t.Fatalf("errors %v", errs)
		}
	})
	t.Run("NoConsentWithABasis", func(t *testing.T) {
		f := validForm()
		f.ConsentMethod, f.ConsentGiven = ConsentNone, ""
		f.NoConsentBasis, f.NoConsentDecidedBy, f.NoConsentExplanation = BasisRiskToOthers, " A Lead, service manager ", "Threats made to staff"
		s, errs := f.Validate(now, cal)
		if errs != nil || s.Consent.Method != ConsentNone || !s.Consent.GivenOn.IsZero() {
			t.Fatalf("errors %v consent %+v", errs, s.Consent)
		}
		if s.Consent.NoConsentReason != BasisRiskToOthers || s.Consent.DecidedBy != "A Lead, service manager" || s.Consent.Explanation != "Threats made to staff" {
			t.Errorf("consent %+v", s.Consent)
		}
		if got, want := s.Consent.Basis(), "no consent: Risk of serious harm to others; decided by A Lead, service manager"; got != want {
			t.Errorf("Basis = %q, want %q", got, want)
		}
	})
	t.Run("EveryBasisOfTheSpecIsOffered", func(t *testing.T) {
		for _, b := range []string{BasisRiskToClient, BasisRiskToOthers, BasisLacksCapacity, BasisCannotBeFound, BasisLegalDuty} {
			f := validForm()
			f.ConsentMethod, f.NoConsentBasis, f.NoConsentDecidedBy, f.NoConsentExplanation = ConsentNone, b, "A Lead", "why"
			if _, errs := f.Validate(now, cal); errs != nil {
				t.Errorf("%s: %v", b, errs)
			}
		}
	})
	t.Run("SignedFormNotCheckedWithAReason", func(t *testing.T) {
		f := validForm()
		f.ConsentChecked, f.ConsentNotCheckedWhy = false, "In hospital and too unwell to discuss it this week"
		s, errs := f.Validate(now, cal)
		if errs != nil {
			t.Fatalf("errors %v", errs)
		}
		if s.Consent.Checked || !strings.Contains(s.Consent.CheckLine(), "too unwell") || !strings.Contains(s.Consent.Basis(), "not checked with the client") {
			t.Errorf("consent %+v: %q / %q", s.Consent, s.Consent.CheckLine(), s.Consent.Basis())
		}
	})
	t.Run("SignedFormChecked", func(t *testing.T) {
		f := validForm()
		f.ConsentNotCheckedWhy = "ignored when ticked"
		s, errs := f.Validate(now, cal)
		if errs != nil || !s.Consent.Checked || s.Consent.NotCheckedWhy != "" || !strings.Contains(s.Consent.Basis(), "checked with the client for this meeting") {
			t.Fatalf("errors %v consent %+v", errs, s.Consent)
		}
	})
	t.Run("VerbalConsentNeedsNoTick", func(t *testing.T) {
		f := validForm()
		f.ConsentMethod, f.ConsentChecked = ConsentVerbal, false
		s, errs := f.Validate(now, cal)
		if errs != nil || s.Consent.Checked || s.Consent.CheckLine() != "" || !strings.HasPrefix(s.Consent.Basis(), "verbal consent for this meeting") {
			t.Fatalf("errors %v consent %+v: %q", errs, s.Consent, s.Consent.Basis())
		}
	})
	t.Run("AbsentUnderEachCircumstance", func(t *testing.T) {
		if len(ClientAbsences) != 8 {
			t.Fatalf("%d circumstances, the policy has 8", len(ClientAbsences))
		}
		for _, o := range ClientAbsences {
			f := validForm()
			f.ClientAttends, f.ClientAbsence, f.ChildCareManager, f.ClientToldHow = "no", o.Value, "M Jones", "Key worker visit"
			s, errs := f.Validate(now, cal)
			if errs != nil {
				t.Fatalf("%s: %v", o.Value, errs)
			}
			if s.ClientAttends || s.ClientAbsence != o.Value || s.ClientToldHow != "Key worker visit" {
				t.Errorf("%s: %+v", o.Value, s)
			}
			// Who decided is recorded for child-welfare reasons only.
			if (s.ChildCareManager != "") != (o.Value == AbsenceChildWelfare) {
				t.Errorf("%s: child-care manager %q", o.Value, s.ChildCareManager)
			}
		}
	})
	t.Run("ParticipationAndConsentAreSeparate", func(t *testing.T) {
		// In hospital, consenting, not attending.
		f := validForm()
		f.ClientAttends, f.ClientAbsence, f.ClientToldHow = "no", AbsenceInstitution, "Ward visit by key worker"
		f.ConsentMethod = ConsentVerbal
		s, errs := f.Validate(now, cal)
		if errs != nil || s.Consent.Method != ConsentVerbal || s.ClientAbsence != AbsenceInstitution {
			t.Fatalf("errors %v: %+v", errs, s)
		}
	})
	t.Run("AttendingClearsTheAbsence", func(t *testing.T) {
		f := validForm()
		f.ClientAbsence, f.ChildCareManager, f.ClientToldHow = AbsenceChildWelfare, "M Jones", "letter"
		s, errs := f.Validate(now, cal)
		if errs != nil || s.ClientAbsence != "" || s.ChildCareManager != "" || s.ClientToldHow != "" {
			t.Fatalf("errors %v: %+v", errs, s)
		}
	})
	t.Run("BlankExternalRowsDropped", func(t *testing.T) {
		f := validForm()
		f.External = []ExternalInvitee{{AgencyKind: "health_gp"}, {Name: "Dr Patel", AgencyKind: "health_gp", Phone: "020 7946 0000"}, {}}
		s, errs := f.Validate(now, cal)
		if errs != nil || len(s.External) != 1 || s.External[0].Name != "Dr Patel" {
			t.Fatalf("errors %v, external %+v", errs, s.External)
		}
	})
}

func TestAddMonths(t *testing.T) {
	loc := london(t)
	for _, tt := range []struct{ from, want string }{
		{"2026-08-31", "2027-02-28"}, {"2027-08-31", "2028-02-29"}, {"2026-10-01", "2027-04-01"}, {"2026-12-31", "2027-06-30"},
	} {
		if got := AddMonths(day(t, loc, tt.from), 6).Format(DateLayout); got != tt.want {
			t.Errorf("six months from %s = %s, want %s", tt.from, got, tt.want)
		}
	}
}
