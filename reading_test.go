package caseconf

import (
	"testing"
	"time"
)

// answer gives the invitee of userID in c an answer.
func answer(c *Conference, userID string, a Answer) {
	c.InviteeFor(userID).Response = &Response{Answer: a, At: accepted}
}

func TestCanReadReports(t *testing.T) {
	tests := []struct {
		name   string
		v      Viewer
		change func(*Conference)
		want   string
	}{
		{"Chair", Viewer{UserID: "U0CHAIR"}, nil, ""},
		{"CaseManager", Viewer{UserID: "U0CM"}, nil, ""},
		{"MinuteTaker", Viewer{UserID: "U0MIN"}, nil, ""},
		{"ChairOfACancelledConference", Viewer{UserID: "U0CHAIR"}, func(c *Conference) { c.Status = StatusCancelled }, ""},
		{"CoveredAttending", Viewer{UserID: "U0GP"}, func(c *Conference) { answer(c, "U0GP", AnswerAttending) }, ""},
		{"CoveredSendingAColleague", Viewer{UserID: "U0GP"}, func(c *Conference) { answer(c, "U0GP", AnswerColleague) }, ""},
		{"CoveredCantAttend", Viewer{UserID: "U0GP"}, func(c *Conference) { answer(c, "U0GP", AnswerApologies) }, EFORBIDDEN},
		{"CoveredNotAnswered", Viewer{UserID: "U0GP"}, nil, EFORBIDDEN},
		{"UncoveredAttending", Viewer{UserID: "U0PROB"}, func(c *Conference) { answer(c, "U0PROB", AnswerAttending) }, EFORBIDDEN},
		{"NotAcceptedReadsNotFound", Viewer{UserID: "U0NEW"}, nil, ENOTFOUND},
		{"NotAcceptedButAnsweredReadsNotFound", Viewer{UserID: "U0NEW"}, func(c *Conference) {
			c.InviteeFor("U0NEW").AgencyKind = "health_gp"
			answer(c, "U0NEW", AnswerAttending)
		}, ENOTFOUND},
		{"ShareListOnly", Viewer{UserID: "U0SHARE"}, nil, EFORBIDDEN},
		{"Admin", Viewer{UserID: "U0ADMIN", Admin: true}, nil, EFORBIDDEN},
		{"OutsiderReadsNotFound", Viewer{UserID: "U0OUT"}, nil, ENOTFOUND},
		{"NoUser", Viewer{}, nil, ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.change != nil {
				tt.change(c)
			}
			if got := ErrorCode(CanReadReports(c, tt.v, t0)); got != tt.want {
				t.Errorf("CanReadReports = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReportsReceived(t *testing.T) {
	c := fixture()
	if n := c.ReportsReceived(); n != 0 {
		t.Fatalf("ReportsReceived = %d before any report", n)
	}
	c.Invitees[0].ReportAt, c.Invitees[1].ReportAt = &accepted, &accepted
	if n := c.ReportsReceived(); n != 2 {
		t.Fatalf("ReportsReceived = %d, want 2", n)
	}
}

func TestAgendaDue(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	cal := NewCalendar(london, nil)
	// The meeting is at 10:30 UTC on Friday 20 November 2026.
	tests := []struct {
		name   string
		now    time.Time
		status Status
		want   bool
	}{
		{"TheDayBefore", t0.Add(-24 * time.Hour), StatusScheduled, false},
		{"TheEveningBefore", time.Date(2026, 11, 19, 23, 59, 0, 0, time.UTC), StatusScheduled, false},
		{"MidnightOnTheDay", time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), StatusScheduled, true},
		{"TheMorningOf", t0.Add(-2 * time.Hour), StatusScheduled, true},
		{"DuringIt", t0.Add(30 * time.Minute), StatusScheduled, true},
		{"HeldNotRecorded", t0.Add(72 * time.Hour), StatusHeld, true},
		{"Recorded", t0.Add(2 * time.Hour), StatusRecorded, false},
		{"Cancelled", t0.Add(-2 * time.Hour), StatusCancelled, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			c.Status = tt.status
			if got := AgendaDue(c, tt.now, cal); got != tt.want {
				t.Errorf("AgendaDue = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestOnActionList(t *testing.T) {
	owned := func(owner string) *Action {
		return &Action{ID: 1, ConferenceID: 7, Area: "Health", What: "Review", OwnerID: owner, Status: ActionOpen}
	}
	offSlack := &Action{ID: 2, ConferenceID: 7, OwnerName: "Ann Lee", OwnerAgency: "Acacia House", Status: ActionOpen}
	tests := []struct {
		name   string
		a      *Action
		v      Viewer
		change func(*Conference)
		want   bool
	}{
		{"Owner", owned("U0GP"), Viewer{UserID: "U0GP"}, nil, true},
		{"OwnerWhoMayNotSeeIt", owned("U0NEW"), Viewer{UserID: "U0NEW"}, nil, false},
		{"SomeoneElsesAction", owned("U0GP"), Viewer{UserID: "U0PROB"}, nil, false},
		{"CaseManagerNotOwner", owned("U0GP"), Viewer{UserID: "U0CM"}, nil, false},
		{"ChairNotOwner", owned("U0GP"), Viewer{UserID: "U0CHAIR"}, nil, false},
		{"CaseManagerOfAnOwnerNotOnSlack", offSlack, Viewer{UserID: "U0CM"}, nil, true},
		{"ChairOfAnOwnerNotOnSlack", offSlack, Viewer{UserID: "U0CHAIR"}, nil, false},
		{"AdminOfAnOwnerNotOnSlack", offSlack, Viewer{UserID: "U0ADMIN", Admin: true}, nil, false},
		{"Done", &Action{ID: 1, ConferenceID: 7, OwnerID: "U0GP", Status: ActionDone}, Viewer{UserID: "U0GP"}, nil, false},
		{"Cancelled", owned("U0GP"), Viewer{UserID: "U0GP"}, func(c *Conference) { c.Status = StatusCancelled }, false},
		{"AnotherConferencesAction", &Action{ID: 1, ConferenceID: 8, OwnerID: "U0GP", Status: ActionOpen}, Viewer{UserID: "U0GP"}, nil, false},
		{"NoUser", offSlack, Viewer{}, func(c *Conference) { c.CaseManagerID = "" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fixture()
			if tt.change != nil {
				tt.change(c)
			}
			if got := OnActionList(c, tt.a, tt.v); got != tt.want {
				t.Errorf("OnActionList = %v, want %v", got, tt.want)
			}
		})
	}
}

// Once the client's consent has run out, only the organisers read the
// reports: the attending GP who read them the day before no longer does.
func TestCanReadReportsOnceConsentHasRunOut(t *testing.T) {
	c := fixture()
	answer(c, "U0GP", AnswerAttending)
	c.Consent.Method, c.Consent.ValidUntil = ConsentWritten, t0.AddDate(0, 0, -2)
	if err := CanReadReports(c, Viewer{UserID: "U0GP"}, t0.AddDate(0, 0, -3)); err != nil {
		t.Fatalf("the attending GP while the consent holds: %v", err)
	}
	if ErrorCode(CanReadReports(c, Viewer{UserID: "U0GP"}, t0)) != EFORBIDDEN {
		t.Error("the attending GP reads the reports after the consent ran out")
	}
	for _, u := range []string{"U0CHAIR", "U0CM", "U0MIN"} {
		if err := CanReadReports(c, Viewer{UserID: u}, t0); err != nil {
			t.Errorf("%s after the consent ran out: %v", u, err)
		}
	}
}

func TestActionChaser(t *testing.T) {
	for _, tt := range []struct{ owner, cm, want string }{
		{"U0GP", "U0CM", "U0GP"}, // an owner on Slack chases themselves
		{"", "U0CM", "U0CM"},     // the case manager chases an owner not on Slack
		{"U0CM", "U0CM", "U0CM"},
		{"", "", ""},
	} {
		if got := ActionChaser(tt.owner, tt.cm); got != tt.want {
			t.Errorf("ActionChaser(%q, %q) = %q, want %q", tt.owner, tt.cm, got, tt.want)
		}
	}
}

// Attends and ReportOwed decide the same for an invitee of a conference
// (Invitee, Conference.OwesReport) and for the reminder policy's facts
// (InviteeFacts).
func TestAttendsAndReportOwed(t *testing.T) {
	for _, tt := range []struct {
		answer            Answer
		sent, covered     bool
		attends, reported bool
	}{
		{"", false, true, false, false},
		{AnswerAttending, false, true, true, false},
		{AnswerColleague, false, true, true, false},
		{AnswerApologies, false, true, false, true},
		{AnswerApologies, true, true, false, false},    // the report came
		{AnswerApologies, false, false, false, false},  // none may be shared
		{AnswerNotInvolved, false, true, false, false}, // not involved with the client: nothing owed
		{AnswerNotInvolved, true, true, false, false},
	} {
		facts := InviteeFacts{Answer: tt.answer, ReportSent: tt.sent, Covered: tt.covered}
		c := fixture()
		inv := &c.Invitees[0]
		inv.Response, inv.ReportAt = nil, nil
		if tt.answer != "" {
			inv.Response = &Response{Answer: tt.answer}
		}
		if tt.sent {
			inv.ReportAt = &t0
		}
		if tt.covered {
			c.Consent.AgencyKinds = []string{inv.AgencyKind}
		} else {
			c.Consent.AgencyKinds = nil
		}
		if facts.Attends() != tt.attends || inv.Attends() != tt.attends {
			t.Errorf("%+v: Attends = %v (facts), %v (invitee), want %v", tt, facts.Attends(), inv.Attends(), tt.attends)
		}
		if facts.OwesReport() != tt.reported || c.OwesReport(inv) != tt.reported {
			t.Errorf("%+v: owes a report = %v (facts), %v (conference), want %v", tt, facts.OwesReport(), c.OwesReport(inv), tt.reported)
		}
	}
}

func TestOnClosedList(t *testing.T) {
	c := fixture()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	recent, old := now.AddDate(0, 0, -3), now.AddDate(0, 0, -RecentlyClosedDays-1)
	a := &Action{ID: 3, ConferenceID: c.ID, OwnerID: "U0GP", Status: ActionNotAchieved, ClosedAt: &recent}
	if !OnClosedList(c, a, Viewer{UserID: "U0GP"}, now) || OnClosedList(c, a, Viewer{UserID: "U0OUT"}, now) {
		t.Error("a recently closed action: on its owner's list only")
	}
	a.ClosedAt = &old
	if OnClosedList(c, a, Viewer{UserID: "U0GP"}, now) {
		t.Error("an action closed long ago is listed")
	}
	a.Status, a.ClosedAt, a.DoneAt = ActionDone, nil, &recent
	if OnClosedList(c, a, Viewer{UserID: "U0GP"}, now) {
		t.Error("an action done lately is listed: done ones leave the list at once")
	}
	a.Status = ActionOpen
	if OnClosedList(c, a, Viewer{UserID: "U0GP"}, now) {
		t.Error("an open action is on the closed list")
	}
}
