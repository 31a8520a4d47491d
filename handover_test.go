package caseconf

import "testing"

func TestCanCallHandover(t *testing.T) {
	changed := &Outcome{LeadChanged: true, NewCaseManagerID: "U0NEWCM"}
	tests := []struct {
		name string
		v    Viewer
		o    *Outcome
		edit func(*Conference)
		code string
	}{
		{"CaseManager", Viewer{UserID: "U0CM"}, changed, nil, ""},
		{"NewLeadAgencyOnly", Viewer{UserID: "U0CM"}, &Outcome{LeadChanged: true, NewLeadAgency: "St Mungo's"}, nil, ""},
		{"Chair", Viewer{UserID: "U0CHAIR"}, changed, nil, ENOTFOUND},
		{"Admin", Viewer{UserID: "U0ADMIN", Admin: true}, changed, nil, ENOTFOUND},
		{"NewCaseManagerNotInvited", Viewer{UserID: "U0NEWCM"}, changed, nil, ENOTFOUND},
		{"Invitee", Viewer{UserID: "U0GP"}, changed, nil, ENOTFOUND},
		{"Outsider", Viewer{UserID: "U0OUT"}, changed, nil, ENOTFOUND},
		{"NoOutcome", Viewer{UserID: "U0CM"}, nil, nil, ECONFLICT},
		{"LeadNotChanged", Viewer{UserID: "U0CM"}, &Outcome{}, nil, ECONFLICT},
		{"ChangedToThemselves", Viewer{UserID: "U0CM"}, &Outcome{LeadChanged: true, NewCaseManagerID: "U0CM"}, nil, ECONFLICT},
		{"Cancelled", Viewer{UserID: "U0CM"}, changed, func(c *Conference) { c.Status = StatusCancelled }, ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.edit != nil {
				tt.edit(c)
			}
			if got := ErrorCode(CanCallHandover(c, tt.o, tt.v)); got != tt.code {
				t.Errorf("CanCallHandover = %q, want %q", got, tt.code)
			}
		})
	}
}

func TestHandoverTo(t *testing.T) {
	for name, tt := range map[string]struct {
		o   *Outcome
		to  string
		due bool
	}{
		"NoOutcome":           {nil, "", false},
		"NoChange":            {&Outcome{}, "", false},
		"NewCaseManager":      {&Outcome{LeadChanged: true, NewCaseManagerID: "U0NEWCM"}, "U0NEWCM", true},
		"NewLeadAgencyOnly":   {&Outcome{LeadChanged: true, NewLeadAgency: "St Mungo's"}, "", true},
		"ChangedToThemselves": {&Outcome{LeadChanged: true, NewCaseManagerID: "U0CM"}, "", false},
		"Both":                {&Outcome{LeadChanged: true, NewCaseManagerID: "U0NEWCM", NewLeadAgency: "St Mungo's"}, "U0NEWCM", true},
	} {
		c := fixture()
		if got := HandoverTo(c, tt.o); got != tt.to {
			t.Errorf("%s: HandoverTo = %q, want %q", name, got, tt.to)
		}
		if got := HandoverDue(c, tt.o); got != tt.due {
			t.Errorf("%s: HandoverDue = %v, want %v", name, got, tt.due)
		}
	}
}

func TestCanReadHandover(t *testing.T) {
	for u, code := range map[string]string{"U0CM": "", "U0CHAIR": ENOTFOUND, "U0GP": ENOTFOUND, "U0OUT": ENOTFOUND, "": ENOTFOUND} {
		if got := ErrorCode(CanReadHandover(fixture(), Viewer{UserID: u})); got != code {
			t.Errorf("CanReadHandover(%q) = %q, want %q", u, got, code)
		}
	}
	if got := ErrorCode(CanReadHandover(fixture(), Viewer{UserID: "U0ADMIN", Admin: true})); got != ENOTFOUND {
		t.Errorf("an administrator reads the handover: %q", got)
	}
}
