package bot

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

func london(t *testing.T) caseconf.Calendar {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return caseconf.NewCalendar(loc, nil)
}

func sampleConference() (*store.Conference, *store.Invitee) {
	c := &store.Conference{
		ID: 7, Ref: "CC-0007", ClientRef: "JS-4411", ClientName: sql.NullString{String: "Jane Smith", Valid: true},
		CaseManagerID: "U0CM", ChairID: "U0CM", MinuteTakerID: "U0CM",
		Reasons: []string{"complex_health"}, Purpose: "Keep the <tenancy> & more",
		StartsAt: time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC), DurationMinutes: 60, Place: "Church Street Surgery",
		ClientAttends: true, Status: caseconf.StatusScheduled, ConsentMethod: caseconf.ConsentWritten,
		ConsentKinds: []string{"health_gp"}, CreatedAt: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC),
	}
	inv := store.Invitee{ID: 42, ConferenceID: 7, SlackUserID: sql.NullString{String: "U0GP", Valid: true}}
	c.Invitees = []store.Invitee{inv}
	return c, &c.Invitees[0]
}

// rendered is a message's text and the JSON of its blocks.
func rendered(t *testing.T, m message) string {
	t.Helper()
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatal(err)
	}
	return m.Text + "\n" + string(raw)
}

func TestInvitationMessage(t *testing.T) {
	cal := london(t)
	c, inv := sampleConference()

	t.Run("BeforeAgreementShowsOnlyReferenceCallerAndDate", func(t *testing.T) {
		got := rendered(t, invitationMessage(c, inv, cal))
		for _, want := range []string{"CC-0007", "JS-4411", "\\u003c@U0CM\\u003e", "Friday 20 November 2026 at 10:30 GMT", `"action_id":"agree"`, `"value":"42"`} {
			if !strings.Contains(got, want) {
				t.Errorf("missing %q in %s", want, got)
			}
		}
		for _, secret := range []string{"tenancy", "Church Street", "respond:"} {
			if strings.Contains(got, secret) {
				t.Errorf("shows %q before the agreement", secret)
			}
		}
	})
	t.Run("AfterAgreementCoveredShowsDetailsAndButtons", func(t *testing.T) {
		inv.AcceptedAt = sql.NullTime{Time: c.CreatedAt, Valid: true}
		inv.AgencyKind = sql.NullString{String: "health_gp", Valid: true}
		got := rendered(t, invitationMessage(c, inv, cal))
		for _, want := range []string{"Keep the \\u0026lt;tenancy\\u0026gt; \\u0026amp; more", "Church Street Surgery", "respond:attending", "respond:colleague", "respond:apologies", "not given yet"} {
			if !strings.Contains(got, want) {
				t.Errorf("missing %q in %s", want, got)
			}
		}
	})
	t.Run("AfterAgreementNotCoveredWithholdsDetails", func(t *testing.T) {
		inv.AgencyKind = sql.NullString{String: "housing", Valid: true}
		got := rendered(t, invitationMessage(c, inv, cal))
		if strings.Contains(got, "tenancy") || !strings.Contains(got, "does not cover your agency (Housing)") {
			t.Errorf("uncovered invitee sees: %s", got)
		}
	})
	t.Run("CancelledHasNoButtons", func(t *testing.T) {
		c.Status = caseconf.StatusCancelled
		defer func() { c.Status = caseconf.StatusScheduled }()
		got := rendered(t, invitationMessage(c, inv, cal))
		if strings.Contains(got, "respond:") || !strings.Contains(got, "cancelled") {
			t.Errorf("cancelled invitation: %s", got)
		}
	})
}

func TestScheduleModalFitsBlockKit(t *testing.T) {
	v := scheduleModal("U0CM", time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC))
	if n := len(v.Blocks.BlockSet); n > 100 {
		t.Fatalf("%d blocks; a modal takes at most 100", n)
	}
	if !slack.ValidateUniqueBlockID(v) {
		t.Fatal("block IDs are not unique")
	}
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"initial_date":"2026-11-16"`, `"initial_user":"U0CM"`, `"max_length":3000`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("modal lacks %s", want)
		}
	}
	if len(v.Title.Text) > 24 || len(v.Submit.Text) > 24 {
		t.Errorf("title %q or submit %q is over Slack's 24 characters", v.Title.Text, v.Submit.Text)
	}
}

func TestDraftLetter(t *testing.T) {
	c, _ := sampleConference()
	gp := &store.Invitee{ID: 43, Name: "Dr Patel", Role: "GP"}
	got := draftLetter(c, gp, "Alex Keyworker", time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC), london(t))
	for _, want := range []string{"2 November 2026", "Dear Dr Patel,", "JS-4411", "Friday 20 November 2026 at 10:30", "Church Street Surgery", "Alex Keyworker", "CC-0007"} {
		if !strings.Contains(got, want) {
			t.Errorf("letter lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Jane Smith") {
		t.Error("the letter names the client; it should use the reference and let the case manager decide")
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		text, name string
		args       int
	}{
		{"", "help", 0},
		{"  SHOW   cc-0001 ", "show", 1},
		{"new", "new", 0},
	}
	for _, tt := range tests {
		name, args := parseCommand(tt.text)
		if name != tt.name || len(args) != tt.args {
			t.Errorf("parseCommand(%q) = %q %v", tt.text, name, args)
		}
	}
}
