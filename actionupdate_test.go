package caseconf

import (
	"strings"
	"testing"
	"time"
)

func TestCanUpdateActionAndDecideDate(t *testing.T) {
	action := func() *Action {
		return &Action{ID: 3, ConferenceID: 7, Area: "Housing", What: "Apply for support", OwnerID: "U0GP", Status: ActionOpen}
	}
	proposal := &ActionUpdate{ID: 9, ActionID: 3, Kind: UpdateNewDate, State: UpdateProposed, By: "U0GP"}
	tests := []struct {
		name           string
		v              Viewer
		change         func(*Conference, *Action)
		update, decide string
		atOnce         bool
	}{
		{"Owner", Viewer{UserID: "U0GP"}, nil, "", ENOTFOUND, false},
		{"CaseManager", Viewer{UserID: "U0CM"}, nil, "", "", true},
		{"Chair", Viewer{UserID: "U0CHAIR"}, nil, "", "", true},
		{"MinuteTaker", Viewer{UserID: "U0MIN"}, nil, ENOTFOUND, ENOTFOUND, false},
		{"OtherInvitee", Viewer{UserID: "U0PROB"}, nil, ENOTFOUND, ENOTFOUND, false},
		{"Admin", Viewer{UserID: "U0ADMIN", Admin: true}, nil, ENOTFOUND, ENOTFOUND, false},
		{"Outsider", Viewer{UserID: "U0OUT"}, nil, ENOTFOUND, ENOTFOUND, false},
		{"Done", Viewer{UserID: "U0CM"}, func(_ *Conference, a *Action) { a.Status = ActionDone }, ECONFLICT, ECONFLICT, true},
		{"Cancelled", Viewer{UserID: "U0CM"}, func(c *Conference, _ *Action) { c.Status = StatusCancelled }, ECONFLICT, ECONFLICT, true},
		{"OwnerIsCaseManager", Viewer{UserID: "U0CM"}, func(_ *Conference, a *Action) { a.OwnerID = "U0CM" }, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, a := fixture(), action()
			if tt.change != nil {
				tt.change(c, a)
			}
			if got := ErrorCode(CanUpdateAction(c, a, tt.v)); got != tt.update {
				t.Errorf("CanUpdateAction = %q, want %q", got, tt.update)
			}
			if got := ErrorCode(CanDecideDate(c, a, proposal, tt.v)); got != tt.decide {
				t.Errorf("CanDecideDate = %q, want %q", got, tt.decide)
			}
			if got := NewDateTakesEffect(c, tt.v); got != tt.atOnce {
				t.Errorf("NewDateTakesEffect = %v, want %v", got, tt.atOnce)
			}
		})
	}
	t.Run("ProposalOfAnotherAction", func(t *testing.T) {
		other := *proposal
		other.ActionID = 4
		if got := ErrorCode(CanDecideDate(fixture(), action(), &other, Viewer{UserID: "U0CM"})); got != ENOTFOUND {
			t.Errorf("CanDecideDate = %q, want not found", got)
		}
	})
	t.Run("NotesAreNotProposals", func(t *testing.T) {
		note := &ActionUpdate{ID: 9, ActionID: 3, Kind: UpdateNote, State: UpdateMade}
		if got := ErrorCode(CanDecideDate(fixture(), action(), note, Viewer{UserID: "U0CM"})); got != ENOTFOUND {
			t.Errorf("CanDecideDate = %q, want not found", got)
		}
	})
}

func TestValidateNewDate(t *testing.T) {
	cal := NewCalendar(time.UTC, nil)
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	current := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name, date, reason string
		want               map[string]string // field: part of the message
	}{
		{"Valid", "2026-12-04", "Surgery closed for training", nil},
		{"Tomorrow", "2026-11-03", "Sooner", nil},
		{"Today", "2026-11-02", "x", map[string]string{FieldNewDue: "after today"}},
		{"Past", "2026-10-01", "x", map[string]string{FieldNewDue: "after today"}},
		{"Same", "2026-11-20", "x", map[string]string{FieldNewDue: "already"}},
		{"Missing", "", "", map[string]string{FieldNewDue: "choose the new date", FieldDueReason: "why"}},
		{"Garbled", "4 Dec", "x", map[string]string{FieldNewDue: "choose a date"}},
		{"BlankReason", "2026-12-04", " \u200b ", map[string]string{FieldDueReason: "why"}},
		{"LongReason", "2026-12-04", strings.Repeat("a", MaxDueReason+1), map[string]string{FieldDueReason: "characters or fewer"}},
		{"ControlCharacter", "2026-12-04", "late\x00", map[string]string{FieldDueReason: "control character"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			due, reason, errs := ValidateNewDate(tt.date, tt.reason, current, now, cal)
			if tt.want == nil {
				if errs != nil || due.Format(DateLayout) != tt.date || reason != strings.TrimSpace(tt.reason) {
					t.Fatalf("got %v %q %v, want %s", due, reason, errs, tt.date)
				}
				return
			}
			if len(errs) != len(tt.want) {
				t.Errorf("errors %v, want %v", errs, tt.want)
			}
			for f, want := range tt.want {
				if !strings.Contains(errs[f], want) {
					t.Errorf("%s: %q, want it to say %q", f, errs[f], want)
				}
			}
		})
	}
}

func TestValidateNote(t *testing.T) {
	if note, errs := ValidateNote("  Appointment booked \n"); errs != nil || note != "Appointment booked" {
		t.Errorf("ValidateNote = %q %v", note, errs)
	}
	for _, bad := range []string{"", "\u200b", strings.Repeat("x", MaxProgressNote+1), "a\u202eb"} {
		if _, errs := ValidateNote(bad); errs[FieldProgressNote] == "" {
			t.Errorf("ValidateNote(%q) found nothing wrong", bad)
		}
	}
}

func TestCanDraftClientLetter(t *testing.T) {
	recorded := func(c *Conference) { c.Status = StatusRecorded }
	tests := []struct {
		name   string
		v      Viewer
		change func(*Conference)
		want   string
	}{
		{"CaseManager", Viewer{UserID: "U0CM"}, recorded, ""},
		{"Chair", Viewer{UserID: "U0CHAIR"}, recorded, EFORBIDDEN},
		{"Invitee", Viewer{UserID: "U0GP"}, recorded, EFORBIDDEN},
		{"Admin", Viewer{UserID: "U0ADMIN", Admin: true}, recorded, EFORBIDDEN},
		{"Outsider", Viewer{UserID: "U0OUT"}, recorded, ENOTFOUND},
		{"NotRecorded", Viewer{UserID: "U0CM"}, nil, ECONFLICT},
		{"Cancelled", Viewer{UserID: "U0CM"}, func(c *Conference) { c.Status = StatusCancelled }, ECONFLICT},
		{"ProfessionalsOnly", Viewer{UserID: "U0CM"}, func(c *Conference) {
			recorded(c)
			c.ClientAttends, c.ClientAbsence = false, AbsenceProfessionalsOnly
		}, ECONFLICT},
		{"ProfessionalsOnlyButTheClientCame", Viewer{UserID: "U0CM"}, func(c *Conference) {
			recorded(c)
			c.ClientAttends, c.ClientAbsence = true, ""
			c.Consent = Consent{Method: ConsentNone, NoConsentReason: BasisNoneRecorded}
		}, ""},
		{"LacksCapacity", Viewer{UserID: "U0CM"}, func(c *Conference) {
			recorded(c)
			c.Consent = Consent{Method: ConsentNone, NoConsentReason: BasisLacksCapacity}
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.change != nil {
				tt.change(c)
			}
			if got := ErrorCode(CanDraftClientLetter(c, tt.v)); got != tt.want {
				t.Errorf("CanDraftClientLetter = %q, want %q", got, tt.want)
			}
		})
	}
	c := fixture()
	c.Consent = Consent{Method: ConsentNone, NoConsentReason: BasisLacksCapacity}
	c.ClientToldHow = "One to one with her key worker"
	if got := strings.Join(ClientLetterCautions(c), "\n"); !strings.Contains(got, "lacking capacity") || !strings.Contains(got, "One to one") {
		t.Errorf("cautions: %q", got)
	}
}

func TestCanAcceptDate(t *testing.T) {
	u := &ActionUpdate{NewDue: time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)}
	if err := CanAcceptDate(u, time.Date(2026, 11, 5, 16, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("on the day itself: %v", err)
	}
	if ErrorCode(CanAcceptDate(u, time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC))) != ECONFLICT {
		t.Error("a proposed date that has passed was accepted")
	}
}
