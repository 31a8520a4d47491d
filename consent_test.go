package caseconf

import (
	"testing"
	"time"
)

func TestConsentChangeValidate(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	cal := NewCalendar(loc, nil)
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	current := Consent{Method: ConsentWritten, GivenOn: time.Date(2026, 10, 1, 0, 0, 0, 0, loc), ValidUntil: time.Date(2027, 4, 1, 0, 0, 0, 0, loc),
		AgencyKinds: []string{"health_gp", "adult_social_care"}}

	c, errs := ConsentChangeForm{Choice: ConsentWithdraw, AgencyKinds: []string{"health_gp"}, Why: "Asked us to stop"}.Validate(current, now, cal)
	if errs != nil || len(c.AgencyKinds) != 1 || c.AgencyKinds[0] != "health_gp" || c.Method != ConsentWritten || c.Explanation != "Asked us to stop" {
		t.Errorf("partial withdrawal: %+v, %v", c, errs)
	}
	c, errs = ConsentChangeForm{Choice: ConsentWithdraw, Why: "Withdrawn"}.Validate(current, now, cal)
	if errs != nil || c.AgencyKinds == nil || len(c.AgencyKinds) != 0 {
		t.Errorf("whole withdrawal: %+v, %v", c, errs)
	}
	for name, f := range map[string]ConsentChangeForm{
		"no choice":          {},
		"withdraw, no note":  {Choice: ConsentWithdraw},
		"withdraw, widening": {Choice: ConsentWithdraw, AgencyKinds: []string{"housing"}, Why: "x"},
		"renew, no method":   {Choice: ConsentRenew, Given: "2026-11-01", AgencyKinds: []string{"housing"}},
		"renew, future":      {Choice: ConsentRenew, Method: ConsentWritten, Given: "2026-12-01", AgencyKinds: []string{"housing"}},
		"renew, no kinds":    {Choice: ConsentRenew, Method: ConsentWritten, Given: "2026-11-01"},
		"renew, lapsed":      {Choice: ConsentRenew, Method: ConsentWritten, Given: "2026-01-01", Until: "2026-02-01", AgencyKinds: []string{"housing"}},
		// Verbal consent is for one meeting: it renews nothing.
		"renew, verbal": {Choice: ConsentRenew, Method: ConsentVerbal, Given: "2026-11-01", AgencyKinds: []string{"housing"}},
		"renew, none":   {Choice: ConsentRenew, Method: ConsentNone, AgencyKinds: []string{"housing"}},
	} {
		if _, errs := f.Validate(current, now, cal); errs == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, errs := (ConsentChangeForm{Choice: ConsentWithdraw, Why: "x"}).Validate(Consent{Method: ConsentNone, NoConsentReason: BasisLacksCapacity}, now, cal); errs == nil {
		t.Errorf("withdrawing consent never given: accepted")
	}
	c, errs = ConsentChangeForm{Choice: ConsentRenew, Method: ConsentWritten, Given: "2026-11-01", AgencyKinds: []string{"housing"}}.Validate(current, now, cal)
	if errs != nil || c.ValidUntil.Format(DateLayout) != "2027-05-01" || c.Method != ConsentWritten {
		t.Errorf("renewal: %+v, %v", c, errs)
	}
}

func TestCanChangeConsent(t *testing.T) {
	for _, tt := range []struct {
		v    Viewer
		code string
	}{
		{Viewer{UserID: "U0CM"}, ""},
		{Viewer{UserID: "U0ADMIN", Admin: true}, ""},
		{Viewer{UserID: "U0OTHER"}, ENOTFOUND},
		{Viewer{}, ENOTFOUND},
	} {
		err := CanChangeConsent("U0CM", tt.v)
		if got := ErrorCode(err); got != tt.code {
			t.Errorf("%+v: %v, want code %q", tt.v, err, tt.code)
		}
		if err != nil && ErrorMessage(err) != ErrorMessage(ConsentNotFound()) {
			t.Errorf("%+v reads %q, not as a client that is not there", tt.v, ErrorMessage(err))
		}
	}
}
