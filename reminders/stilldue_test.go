package reminders

import (
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

// stillDueConference is the conference of meeting (Friday 20 November
// 2026 at 10:30, an hour) as a reminder finds it when it goes: the GP has
// accepted the agreement and not answered; the social worker can't attend
// and owes a report; the probation officer can't attend, but the consent
// does not cover their agency.
func stillDueConference(cal caseconf.Calendar) *caseconf.Conference {
	accepted := time.Date(2026, 11, 2, 9, 0, 0, 0, cal.Loc)
	apologies := &caseconf.Response{Answer: caseconf.AnswerApologies, At: accepted}
	return &caseconf.Conference{ID: 7, Ref: "CC-0007", CaseManagerID: "U0CM", ChairID: "U0CHAIR",
		StartsAt: time.Date(2026, 11, 20, 10, 30, 0, 0, cal.Loc), DurationMinutes: 60, Status: caseconf.StatusScheduled,
		Consent: caseconf.Consent{Method: caseconf.ConsentWritten, AgencyKinds: []string{"health_gp", "social_care"}},
		Invitees: []caseconf.Invitee{
			{ID: 1, SlackUserID: "U0GP", AgencyKind: "health_gp", AcceptedAt: &accepted},
			{ID: 2, SlackUserID: "U0SW", AgencyKind: "social_care", AcceptedAt: &accepted, Response: apologies},
			{ID: 3, SlackUserID: "U0PO", AgencyKind: "probation_police", AcceptedAt: &accepted, Response: apologies},
		}}
}

// Every reason a reminder no longer applies when it goes, and the
// reminders that still do, with a fixed clock.
func TestStillDue(t *testing.T) {
	cal := londonCal(t)
	at := func(day, hour, min int) time.Time { return time.Date(2026, 11, day, hour, min, 0, 0, cal.Loc) }
	date := func(day int) time.Time { return time.Date(2026, 11, day, 0, 0, 0, 0, time.UTC) } // as stored
	action := func(owner string, due int) *caseconf.Action {
		a := &caseconf.Action{ID: 40, ConferenceID: 7, Area: "Health", What: "x", OwnerID: owner, DueOn: date(due), Status: caseconf.ActionOpen}
		if owner == "" {
			a.OwnerName = "Ann Lee"
		}
		return a
	}
	type state = caseconf.ReminderState
	tests := []struct {
		name   string
		r      Reminder
		now    time.Time
		st     state
		change func(*caseconf.Conference) // nil: as stillDueConference
		noConf bool
		want   string
	}{
		{name: "ConferenceGone", r: Reminder{Kind: OutcomeNotRecorded, SubjectID: 7, RecipientID: "U0CHAIR"}, now: at(23, 9, 0), noConf: true,
			want: "its conference no longer exists"},
		{name: "Cancelled", r: Reminder{Kind: ConferenceToday, SubjectID: 7, RecipientID: "U0CHAIR"}, now: at(20, 8, 0),
			change: func(c *caseconf.Conference) { c.Status = caseconf.StatusCancelled }, want: "the conference was cancelled"},
		{name: "CancelledBeatsAnUnknownKind", r: Reminder{Kind: "no_such_kind", SubjectID: 7, RecipientID: "U0CM"}, now: at(20, 8, 0),
			change: func(c *caseconf.Conference) { c.Status = caseconf.StatusCancelled }, want: "the conference was cancelled"},
		{name: "UnknownKind", r: Reminder{Kind: "no_such_kind", SubjectID: 7, RecipientID: "U0CM"}, now: at(20, 8, 0),
			want: "no such kind of reminder: no_such_kind"},

		{name: "InvitationUnanswered", r: Reminder{Kind: InvitationUnanswered, SubjectID: 1, RecipientID: "U0GP"}, now: at(17, 9, 0)},
		{name: "InvitationUnansweredOnTheMorning", r: Reminder{Kind: InvitationUnanswered, SubjectID: 1, RecipientID: "U0GP"}, now: at(20, 10, 29)},
		{name: "InvitationInviteeRemoved", r: Reminder{Kind: InvitationUnanswered, SubjectID: 99, RecipientID: "U0GP"}, now: at(17, 9, 0),
			want: "the invitee is no longer on the conference"},
		{name: "InvitationAnswered", r: Reminder{Kind: InvitationUnanswered, SubjectID: 2, RecipientID: "U0SW"}, now: at(17, 9, 0),
			want: "the invitee has answered"},
		{name: "InvitationMeetingStarted", r: Reminder{Kind: InvitationUnanswered, SubjectID: 1, RecipientID: "U0GP"}, now: at(20, 10, 30),
			want: "the meeting has started"},

		{name: "ReportOwed", r: Reminder{Kind: ReportOwed, SubjectID: 2, RecipientID: "U0SW"}, now: at(19, 9, 0)},
		{name: "ReportMeetingStarted", r: Reminder{Kind: ReportOwed, SubjectID: 2, RecipientID: "U0SW"}, now: at(20, 11, 0),
			want: "the meeting has started"},
		{name: "ReportSentSinceTheSnapshot", r: Reminder{Kind: ReportOwed, SubjectID: 2, RecipientID: "U0SW"}, now: at(19, 9, 0),
			st: state{ReportSent: true}, want: "no report is owed any more (or none may be shared)"},
		{name: "ReportSent", r: Reminder{Kind: ReportOwed, SubjectID: 2, RecipientID: "U0SW"}, now: at(19, 9, 0),
			change: func(c *caseconf.Conference) { sent := at(18, 9, 0); c.Invitee(2).ReportAt = &sent },
			want:   "no report is owed any more (or none may be shared)"},
		{name: "ReportNowAttending", r: Reminder{Kind: ReportOwed, SubjectID: 2, RecipientID: "U0SW"}, now: at(19, 9, 0),
			change: func(c *caseconf.Conference) {
				c.Invitee(2).Response = &caseconf.Response{Answer: caseconf.AnswerAttending}
			},
			want: "no report is owed any more (or none may be shared)"},
		{name: "ReportNotCovered", r: Reminder{Kind: ReportOwed, SubjectID: 3, RecipientID: "U0PO"}, now: at(19, 9, 0),
			want: "no report is owed any more (or none may be shared)"},
		{name: "ReportInviteeRemoved", r: Reminder{Kind: ReportOwed, SubjectID: 99, RecipientID: "U0SW"}, now: at(19, 9, 0),
			want: "no report is owed any more (or none may be shared)"},

		{name: "ConferenceTodayMorning", r: Reminder{Kind: ConferenceToday, SubjectID: 7, RecipientID: "U0CHAIR"}, now: at(20, 8, 0)},
		{name: "ConferenceTodayDuringTheMeeting", r: Reminder{Kind: ConferenceToday, SubjectID: 7, RecipientID: "U0CHAIR"}, now: at(20, 11, 29)},
		{name: "ConferenceTodayTheWorkingDayBefore", r: Reminder{Kind: ConferenceToday, SubjectID: 7, RecipientID: "U0CHAIR"}, now: at(19, 16, 0)},
		{name: "ConferenceTodayTooEarly", r: Reminder{Kind: ConferenceToday, SubjectID: 7, RecipientID: "U0CHAIR"}, now: at(18, 16, 0),
			want: "the meeting is not coming up, or is over"},
		{name: "ConferenceTodayOver", r: Reminder{Kind: ConferenceToday, SubjectID: 7, RecipientID: "U0CHAIR"}, now: at(20, 11, 30),
			want: "the meeting is not coming up, or is over"},
		{name: "ConferenceTodayTheDayAfter", r: Reminder{Kind: ConferenceToday, SubjectID: 7, RecipientID: "U0CHAIR"}, now: at(21, 8, 0),
			want: "the meeting is not coming up, or is over"},

		{name: "OutcomeNotRecorded", r: Reminder{Kind: OutcomeNotRecorded, SubjectID: 7, RecipientID: "U0CHAIR"}, now: at(23, 9, 0)},
		{name: "OutcomeRecorded", r: Reminder{Kind: OutcomeNotRecorded, SubjectID: 7, RecipientID: "U0CHAIR"}, now: at(23, 9, 0),
			st: state{OutcomeRecorded: true}, want: "the outcome is recorded"},

		{name: "ActionDueSoon", r: Reminder{Kind: ActionDueSoon, SubjectID: 40, RecipientID: "U0GP"}, now: at(24, 9, 0),
			st: state{Action: action("U0GP", 26)}},
		{name: "ActionDueToday", r: Reminder{Kind: ActionDueToday, SubjectID: 40, RecipientID: "U0GP"}, now: at(26, 9, 0),
			st: state{Action: action("U0GP", 26)}},
		{name: "ActionOverdue", r: Reminder{Kind: ActionOverdue, SubjectID: 40, RecipientID: "U0GP"}, now: at(30, 9, 0),
			st: state{Action: action("U0GP", 16)}},
		{name: "ActionOwnerNotOnSlackChasedByTheCaseManager", r: Reminder{Kind: ActionDueToday, SubjectID: 40, RecipientID: "U0CM"}, now: at(26, 9, 0),
			st: state{Action: action("", 26)}},
		{name: "ActionOverdueToTheCaseManager", r: Reminder{Kind: ActionOverdueManager, SubjectID: 40, RecipientID: "U0CM"}, now: at(30, 9, 0),
			st: state{Action: action("U0GP", 16)}},
		{name: "ActionDone", r: Reminder{Kind: ActionDueToday, SubjectID: 40, RecipientID: "U0GP"}, now: at(26, 9, 0),
			st:   state{Action: func() *caseconf.Action { a := action("U0GP", 26); a.Status = caseconf.ActionDone; return a }()},
			want: "the action is done"},
		{name: "ActionGone", r: Reminder{Kind: ActionOverdue, SubjectID: 40, RecipientID: "U0GP"}, now: at(30, 9, 0),
			want: "the action is done"},
		{name: "ActionHandedOn", r: Reminder{Kind: ActionDueSoon, SubjectID: 40, RecipientID: "U0GP"}, now: at(24, 9, 0),
			st: state{Action: action("U0SW", 26)}, want: "the action has changed hands"},
		{name: "ActionOwnerNowOnSlack", r: Reminder{Kind: ActionDueSoon, SubjectID: 40, RecipientID: "U0CM"}, now: at(24, 9, 0),
			st: state{Action: action("U0GP", 26)}, want: "the action has changed hands"},
		{name: "ActionOverdueManagerToTheOwner", r: Reminder{Kind: ActionOverdueManager, SubjectID: 40, RecipientID: "U0GP"}, now: at(30, 9, 0),
			st: state{Action: action("U0GP", 16)}, want: "the action has changed hands"},
		{name: "ActionDueTodayPastItsDay", r: Reminder{Kind: ActionDueToday, SubjectID: 40, RecipientID: "U0GP"}, now: at(27, 9, 0),
			st: state{Action: action("U0GP", 26)}, want: "the action is past its day: the overdue reminder will tell"},
		{name: "ActionDueSoonPastItsDay", r: Reminder{Kind: ActionDueSoon, SubjectID: 40, RecipientID: "U0GP"}, now: at(27, 0, 1),
			st: state{Action: action("U0GP", 26)}, want: "the action is past its day: the overdue reminder will tell"},

		{name: "ReviewApproaching", r: Reminder{Kind: ReviewApproaching, SubjectID: 7, RecipientID: "U0CM"}, now: at(23, 9, 0),
			st: state{OutcomeRecorded: true, ReviewOn: date(30).AddDate(0, 0, 14)}},
		{name: "ReviewDateGone", r: Reminder{Kind: ReviewApproaching, SubjectID: 7, RecipientID: "U0CM"}, now: at(23, 9, 0),
			st: state{OutcomeRecorded: true}, want: "there is no review date any more"},

		{name: "ConsentExpiring", r: Reminder{Kind: ConsentExpiring, SubjectID: 3, RecipientID: "U0CM"}, now: at(23, 9, 0),
			st: state{ConsentUntil: date(30).AddDate(0, 0, 7)}},
		{name: "ConsentEndsToday", r: Reminder{Kind: ConsentExpiring, SubjectID: 3, RecipientID: "U0CM"}, now: at(23, 9, 0),
			st: state{ConsentUntil: date(23)}},
		{name: "ConsentEnded", r: Reminder{Kind: ConsentExpiring, SubjectID: 3, RecipientID: "U0CM"}, now: at(23, 9, 0),
			st: state{ConsentUntil: date(22)}, want: "the consent has ended or is gone"},
		{name: "ConsentRenewedOrGone", r: Reminder{Kind: ConsentExpiring, SubjectID: 3, RecipientID: "U0CM"}, now: at(23, 9, 0),
			want: "the consent has ended or is gone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c *caseconf.Conference
			if !tt.noConf {
				c = stillDueConference(cal)
				if tt.change != nil {
					tt.change(c)
				}
			}
			tt.r.ConferenceID = 7
			if got := StillDue(tt.r, c, tt.st, tt.now, cal); got != tt.want {
				t.Errorf("StillDue = %q, want %q", got, tt.want)
			}
		})
	}
}

// What Due sends is still due at the moment it is for, from the same
// facts: the two halves of the policy agree on who gets each reminder.
func TestDueIsStillDue(t *testing.T) {
	cal := londonCal(t)
	c := stillDueConference(cal)
	c.Invitees = append(c.Invitees, caseconf.Invitee{ID: 4, SlackUserID: "U0HOU", AgencyKind: "health_gp",
		Response: &caseconf.Response{Answer: caseconf.AnswerAttending}})
	facts := caseconf.ConferenceFacts{ID: c.ID, CaseManagerID: c.CaseManagerID, ChairID: c.ChairID, StartsAt: c.StartsAt}
	for _, inv := range c.Invitees {
		var answer caseconf.Answer
		if inv.Response != nil {
			answer = inv.Response.Answer
		}
		facts.Invitees = append(facts.Invitees, caseconf.InviteeFacts{ID: inv.ID, SlackUserID: inv.SlackUserID, Answer: answer,
			ReportSent: inv.ReportSent(), Covered: c.Covered(&inv)})
	}
	actions := map[int64]*caseconf.Action{
		40: {ID: 40, ConferenceID: 7, OwnerID: "U0GP", DueOn: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), Status: caseconf.ActionOpen},
		41: {ID: 41, ConferenceID: 7, OwnerName: "Ann Lee", DueOn: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), Status: caseconf.ActionOpen},
	}
	f := caseconf.ReminderFacts{Conferences: []caseconf.ConferenceFacts{facts}}
	for _, a := range actions {
		f.Actions = append(f.Actions, caseconf.ActionFacts{ID: a.ID, ConferenceID: a.ConferenceID, OwnerID: a.OwnerID,
			CaseManagerID: c.CaseManagerID, DueOn: a.DueOn})
	}
	kinds := map[Kind]bool{}
	for d := time.Date(2026, 11, 1, 8, 0, 0, 0, cal.Loc); d.Before(time.Date(2026, 12, 20, 0, 0, 0, 0, cal.Loc)); d = d.AddDate(0, 0, 1) {
		for _, r := range Due(d, cal, f) {
			kinds[r.Kind] = true
			var st caseconf.ReminderState
			if subjectName(r.Kind) == "action" {
				st.Action = actions[r.SubjectID]
			}
			if skip := StillDue(r, c, st, d, cal); skip != "" {
				t.Errorf("%s: %s to %s is due, but not still due: %s", d.Format(caseconf.DateLayout), r.Kind, r.RecipientID, skip)
			}
		}
	}
	for _, k := range []Kind{InvitationUnanswered, ReportOwed, ConferenceToday, OutcomeNotRecorded,
		ActionDueSoon, ActionDueToday, ActionOverdue, ActionOverdueManager} {
		if !kinds[k] {
			t.Errorf("no %s was due: the test does not try it", k)
		}
	}
}
