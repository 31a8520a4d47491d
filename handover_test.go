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
