package caseconf

import (
	"strings"
	"testing"
)

func TestCanChangeAction(t *testing.T) {
	action := func() *Action {
		return &Action{ID: 3, ConferenceID: 7, Area: "Housing", What: "Apply for support", OwnerID: "U0GP", Status: ActionOpen}
	}
	tests := []struct {
		name   string
		v      Viewer
		change func(*Conference, *Action)
		want   string
	}{
		{"Owner", Viewer{UserID: "U0GP"}, nil, ""},
		{"CaseManager", Viewer{UserID: "U0CM"}, nil, ""},
		{"Chair", Viewer{UserID: "U0CHAIR"}, nil, ""},
		{"OwnerWhoMayNotSeeDetails", Viewer{UserID: "U0PROB"}, func(_ *Conference, a *Action) { a.OwnerID = "U0PROB" }, ""},
		{"AlreadyDoneIsStillTheirs", Viewer{UserID: "U0GP"}, func(_ *Conference, a *Action) { a.Status = ActionDone }, ""},
		{"MinuteTaker", Viewer{UserID: "U0MIN"}, nil, ENOTFOUND},
		{"OtherInvitee", Viewer{UserID: "U0PROB"}, nil, ENOTFOUND},
		{"ShareList", Viewer{UserID: "U0SHARE"}, nil, ENOTFOUND},
		{"AdminIsNotAnOwner", Viewer{UserID: "U0ADMIN", Admin: true}, nil, ENOTFOUND},
		{"Outsider", Viewer{UserID: "U0OUT"}, nil, ENOTFOUND},
		{"NoUser", Viewer{}, nil, ENOTFOUND},
		{"NoUserOnAnOwnerNotOnSlack", Viewer{}, func(_ *Conference, a *Action) { a.OwnerID, a.OwnerName = "", "Dr Patel" }, ENOTFOUND},
		{"ActionOfAnotherConference", Viewer{UserID: "U0CM"}, func(_ *Conference, a *Action) { a.ConferenceID = 8 }, ENOTFOUND},
		{"Cancelled", Viewer{UserID: "U0GP"}, func(c *Conference, _ *Action) { c.Status = StatusCancelled }, ECONFLICT},
		{"CancelledReadsNotFoundToOutsiders", Viewer{UserID: "U0OUT"}, func(c *Conference, _ *Action) { c.Status = StatusCancelled }, ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, a := fixture(), action()
			if tt.change != nil {
				tt.change(c, a)
			}
			err := CanChangeAction(c, a, tt.v)
			if got := ErrorCode(err); got != tt.want {
				t.Fatalf("CanChangeAction = %v, want code %q", err, tt.want)
			}
			if tt.want == ENOTFOUND && ErrorMessage(err) != ErrorMessage(ActionNotFound()) {
				t.Errorf("refusal reads %q, not like a missing action", ErrorMessage(err))
			}
		})
	}
	if err := CanChangeAction(fixture(), nil, Viewer{UserID: "U0CM"}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("no action: %v", err)
	}
	if !strings.Contains(ErrorMessage(ActionNotFound()), "not yours") {
		t.Errorf("the refusal does not say the action is not theirs: %q", ErrorMessage(ActionNotFound()))
	}
}

func TestCanOwnAction(t *testing.T) {
	c := fixture()
	for u, want := range map[string]bool{"U0CM": true, "U0CHAIR": true, "U0MIN": true, "U0GP": true, "U0PROB": true, "U0OUT": false, "U0SHARE": false, "": false} {
		if got := CanOwnAction(c, u); got != want {
			t.Errorf("CanOwnAction(%q) = %v, want %v", u, got, want)
		}
	}
}
