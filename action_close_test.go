package caseconf

import (
	"strings"
	"testing"
)

func openAction() *Action {
	return &Action{ID: 3, ConferenceID: 7, Area: "Housing", What: "Apply for support", OwnerID: "U0GP", Status: ActionOpen}
}

func TestCanCloseAction(t *testing.T) {
	tests := []struct {
		name   string
		v      Viewer
		to     ActionStatus
		change func(*Conference, *Action)
		want   string
	}{
		{"OwnerNotAchieved", Viewer{UserID: "U0GP"}, ActionNotAchieved, nil, ""},
		{"CaseManagerNotNeeded", Viewer{UserID: "U0CM"}, ActionNotNeeded, nil, ""},
		{"Chair", Viewer{UserID: "U0CHAIR"}, ActionNotAchieved, nil, ""},
		{"Outsider", Viewer{UserID: "U0OUT"}, ActionNotAchieved, nil, ENOTFOUND},
		{"OtherInvitee", Viewer{UserID: "U0PROB"}, ActionNotNeeded, nil, ENOTFOUND},
		{"Admin", Viewer{UserID: "U0ADMIN", Admin: true}, ActionNotNeeded, nil, ENOTFOUND},
		{"NotAClosingStatus", Viewer{UserID: "U0GP"}, ActionDone, nil, EINVALID},
		{"Reopen", Viewer{UserID: "U0GP"}, ActionOpen, nil, EINVALID},
		{"Forged", Viewer{UserID: "U0GP"}, ActionStatus("deleted"), nil, EINVALID},
		{"AlreadyDone", Viewer{UserID: "U0GP"}, ActionNotNeeded, func(_ *Conference, a *Action) { a.Status = ActionDone }, ECONFLICT},
		{"AlreadyClosed", Viewer{UserID: "U0CM"}, ActionNotNeeded, func(_ *Conference, a *Action) { a.Status = ActionNotAchieved }, ECONFLICT},
		{"Cancelled", Viewer{UserID: "U0CM"}, ActionNotNeeded, func(c *Conference, _ *Action) { c.Status = StatusCancelled }, ECONFLICT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, a := fixture(), openAction()
			if tt.change != nil {
				tt.change(c, a)
			}
			if err := CanCloseAction(c, a, tt.v, tt.to); ErrorCode(err) != tt.want {
				t.Fatalf("CanCloseAction = %v, want code %q", err, tt.want)
			}
		})
	}
}

func TestCanMarkDone(t *testing.T) {
	c, a := fixture(), openAction()
	if err := CanMarkDone(c, a, Viewer{UserID: "U0GP"}); err != nil {
		t.Fatal(err)
	}
	a.Status = ActionDone
	if err := CanMarkDone(c, a, Viewer{UserID: "U0GP"}); err != nil {
		t.Errorf("done again: %v", err)
	}
	a.Status = ActionNotNeeded
	if err := CanMarkDone(c, a, Viewer{UserID: "U0GP"}); ErrorCode(err) != ECONFLICT {
		t.Errorf("a closed action marked done: %v", err)
	}
	if err := CanMarkDone(c, a, Viewer{UserID: "U0OUT"}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("stranger: %v", err)
	}
}

func TestCanReassignAction(t *testing.T) {
	tests := []struct {
		name   string
		v      Viewer
		change func(*Conference, *Action)
		want   string
	}{
		{"CaseManager", Viewer{UserID: "U0CM"}, nil, ""},
		{"Chair", Viewer{UserID: "U0CHAIR"}, nil, ""},
		{"OwnerMayNot", Viewer{UserID: "U0GP"}, nil, EFORBIDDEN},
		{"MinuteTaker", Viewer{UserID: "U0MIN"}, nil, ENOTFOUND},
		{"Stranger", Viewer{UserID: "U0OUT"}, nil, ENOTFOUND},
		{"Admin", Viewer{UserID: "U0ADMIN", Admin: true}, nil, ENOTFOUND},
		{"Done", Viewer{UserID: "U0CM"}, func(_ *Conference, a *Action) { a.Status = ActionDone }, ECONFLICT},
		{"NotAchieved", Viewer{UserID: "U0CM"}, func(_ *Conference, a *Action) { a.Status = ActionNotAchieved }, ECONFLICT},
		{"Cancelled", Viewer{UserID: "U0CM"}, func(c *Conference, _ *Action) { c.Status = StatusCancelled }, ECONFLICT},
		{"ClientOwned", Viewer{UserID: "U0CM"}, func(_ *Conference, a *Action) { a.OwnerID, a.OwnerName, a.OwnerClient = "", ClientOwnerName, true }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, a := fixture(), openAction()
			if tt.change != nil {
				tt.change(c, a)
			}
			err := CanReassignAction(c, a, tt.v)
			if ErrorCode(err) != tt.want {
				t.Fatalf("CanReassignAction = %v, want code %q", err, tt.want)
			}
			if tt.want == EFORBIDDEN && !strings.Contains(ErrorMessage(err), "case manager or the chair") {
				t.Errorf("the owner's refusal does not say who may: %q", ErrorMessage(err))
			}
		})
	}
}

func TestCanManagePlan(t *testing.T) {
	c := fixture()
	for u, want := range map[string]string{"U0CM": "", "U0CHAIR": "", "U0GP": EFORBIDDEN, "U0OUT": ENOTFOUND} {
		if err := CanManagePlan(c, Viewer{UserID: u}); ErrorCode(err) != want {
			t.Errorf("%s: %v, want %q", u, err, want)
		}
	}
}

func TestValidateClose(t *testing.T) {
	if to, reason, errs := ValidateClose("not_achieved", "  Moved out of area  "); errs != nil || to != ActionNotAchieved || reason != "Moved out of area" {
		t.Errorf("ValidateClose = %q %q %v", to, reason, errs)
	}
	for _, tt := range []struct{ as, reason, field string }{
		{"not_needed", "", FieldCloseReason},
		{"not_needed", " \u200b ", FieldCloseReason},
		{"not_needed", strings.Repeat("x", MaxCloseReason+1), FieldCloseReason},
		{"", "why", FieldCloseAs},
		{"done", "why", FieldCloseAs},
		{"open", "why", FieldCloseAs},
	} {
		if _, _, errs := ValidateClose(tt.as, tt.reason); errs[tt.field] == "" {
			t.Errorf("ValidateClose(%q, %q) = %v, want an error on %s", tt.as, tt.reason, errs, tt.field)
		}
	}
}

func TestActionOpenAndClosed(t *testing.T) {
	for s, open := range map[ActionStatus]bool{ActionOpen: true, ActionDone: false, ActionNotAchieved: false, ActionNotNeeded: false} {
		a := &Action{Status: s}
		if a.Open() != open || a.Closed() == open || !s.Valid() {
			t.Errorf("%s: Open %v Closed %v Valid %v", s, a.Open(), a.Closed(), s.Valid())
		}
	}
	if ActionStatus("gone").Valid() {
		t.Error("an unknown status is valid")
	}
	if ActionNotNeeded.Label() != "no longer needed" || ActionNotAchieved.Label() != "not achieved" {
		t.Error("labels")
	}
}

func TestValidateReassign(t *testing.T) {
	c, a := fixture(), openAction()
	tests := []struct {
		name, user, ownerName, agency string
		want                          Owner
		field                         string
	}{
		{"Invitee", "U0PROB", "", "", Owner{UserID: "U0PROB"}, ""},
		{"Client", "", " The client ", "", Owner{Name: ClientOwnerName, Client: true}, ""},
		{"ClientAgencyDropped", "", "client", "Social care", Owner{Name: ClientOwnerName, Client: true}, ""},
		{"Carer", "", "Mary Smith (carer)", "", Owner{Name: "Mary Smith (carer)"}, ""},
		{"Named", "", "Dr Patel", "GP", Owner{Name: "Dr Patel", Agency: "GP"}, ""},
		{"SameOwner", "U0GP", "", "", Owner{}, FieldNewOwner},
		{"Outsider", "U0OUT", "", "", Owner{}, FieldNewOwner},
		{"Forged", "<!channel>", "", "", Owner{}, FieldNewOwner},
		{"Both", "U0PROB", "Dr Patel", "", Owner{}, FieldNewOwnerName},
		{"Nobody", "", "", "", Owner{}, FieldNewOwner},
		{"AgencyOnly", "", "", "GP", Owner{}, FieldNewOwnerName},
		{"NameTooLong", "", strings.Repeat("n", MaxShortText+1), "", Owner{}, FieldNewOwnerName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := ValidateReassign(c, a, tt.user, tt.ownerName, tt.agency)
			if tt.field != "" {
				if errs[tt.field] == "" {
					t.Fatalf("errors = %v, want one on %s", errs, tt.field)
				}
				return
			}
			if errs != nil || got != tt.want {
				t.Fatalf("ValidateReassign = %+v, %v; want %+v", got, errs, tt.want)
			}
		})
	}
	client := &Action{ID: 3, ConferenceID: 7, OwnerName: ClientOwnerName, OwnerClient: true, Status: ActionOpen}
	if _, errs := ValidateReassign(c, client, "", "the client", ""); errs[FieldNewOwner] == "" {
		t.Error("the client's action given to the client again")
	}
}
