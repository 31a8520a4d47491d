package reminders

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

func londonCal(t *testing.T) caseconf.Calendar {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// Wednesday 11 November 2026 is a configured holiday.
	return caseconf.NewCalendar(loc, []time.Time{time.Date(2026, 11, 11, 0, 0, 0, 0, loc)})
}

// days runs Due at 08:00 on every day from first to last and returns
// "YYYY-MM-DD kind recipient" for each reminder, in order.
func days(t *testing.T, cal caseconf.Calendar, f caseconf.ReminderFacts, first, last string) []string {
	t.Helper()
	from, _ := time.ParseInLocation(caseconf.DateLayout, first, cal.Loc)
	to, _ := time.ParseInLocation(caseconf.DateLayout, last, cal.Loc)
	var out []string
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		now := time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, cal.Loc)
		for _, r := range Due(now, cal, f) {
			out = append(out, fmt.Sprintf("%s %s %s", r.Day.Format(caseconf.DateLayout), r.Kind, r.RecipientID))
		}
	}
	return out
}

func check(t *testing.T, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// A conference on Friday 20 November 2026 at 10:30.
func meeting(cal caseconf.Calendar, invitees ...caseconf.InviteeFacts) caseconf.ConferenceFacts {
	return caseconf.ConferenceFacts{ID: 7, CaseManagerID: "U0CM", ChairID: "U0CHAIR",
		StartsAt: time.Date(2026, 11, 20, 10, 30, 0, 0, cal.Loc), Invitees: invitees}
}

func TestDueInvitationUnanswered(t *testing.T) {
	cal := londonCal(t)
	f := caseconf.ReminderFacts{Conferences: []caseconf.ConferenceFacts{meeting(cal,
		caseconf.InviteeFacts{ID: 1, SlackUserID: "U0GP"},
		caseconf.InviteeFacts{ID: 2, SlackUserID: "U0SW", Answer: caseconf.AnswerAttending})}}
	// Working days before Fri 20th: Thu 19 (1), Wed 18 (2), Tue 17 (3),
	// Mon 16, Fri 13, Thu 12, Tue 10 (7: Wed 11 is a holiday).
	check(t, days(t, cal, f, "2026-11-01", "2026-11-19"), []string{
		"2026-11-10 invitation_unanswered U0GP",
		"2026-11-17 invitation_unanswered U0GP",
		"2026-11-18 invitation_unanswered U0GP",
		"2026-11-19 invitation_unanswered U0GP",
	})
}

func TestDueReportOwed(t *testing.T) {
	cal := londonCal(t)
	f := caseconf.ReminderFacts{Conferences: []caseconf.ConferenceFacts{meeting(cal,
		caseconf.InviteeFacts{ID: 1, SlackUserID: "U0GP", Answer: caseconf.AnswerApologies, Covered: true},
		caseconf.InviteeFacts{ID: 2, SlackUserID: "U0SW", Answer: caseconf.AnswerApologies, ReportSent: true, Covered: true},
		// The consent does not cover their agency: they may not share a
		// report, so nobody chases them for one.
		caseconf.InviteeFacts{ID: 4, SlackUserID: "U0PO", Answer: caseconf.AnswerApologies})}}
	check(t, days(t, cal, f, "2026-11-01", "2026-11-19"), []string{
		"2026-11-17 report_owed U0GP", // 3 working days before
		"2026-11-19 report_owed U0GP", // the day before
	})
}

func TestDueConferenceToday(t *testing.T) {
	cal := londonCal(t)
	f := caseconf.ReminderFacts{Conferences: []caseconf.ConferenceFacts{meeting(cal,
		caseconf.InviteeFacts{ID: 1, SlackUserID: "U0GP", Answer: caseconf.AnswerAttending},
		caseconf.InviteeFacts{ID: 2, SlackUserID: "U0SW", Answer: caseconf.AnswerColleague},
		caseconf.InviteeFacts{ID: 3, SlackUserID: "U0HO", Answer: caseconf.AnswerApologies, ReportSent: true})}}
	f.Conferences[0].OutcomeRecorded = true
	check(t, days(t, cal, f, "2026-11-20", "2026-11-20"), []string{
		"2026-11-20 conference_today U0CHAIR",
		"2026-11-20 conference_today U0GP",
		"2026-11-20 conference_today U0SW",
	})
}

func TestDueOutcomeNotRecorded(t *testing.T) {
	cal := londonCal(t)
	f := caseconf.ReminderFacts{Conferences: []caseconf.ConferenceFacts{meeting(cal)}}
	// 1 working day after (Mon 23), then every 2 (Wed 25, Fri 27, Tue 1 Dec).
	check(t, days(t, cal, f, "2026-11-21", "2026-12-01"), []string{
		"2026-11-23 outcome_not_recorded U0CHAIR",
		"2026-11-25 outcome_not_recorded U0CHAIR",
		"2026-11-27 outcome_not_recorded U0CHAIR",
		"2026-12-01 outcome_not_recorded U0CHAIR",
	})
	f.Conferences[0].OutcomeRecorded = true
	check(t, days(t, cal, f, "2026-11-21", "2026-12-01"), nil)
}

func TestDueActions(t *testing.T) {
	cal := londonCal(t)
	due := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) // Wednesday, stored at midnight UTC
	f := caseconf.ReminderFacts{Actions: []caseconf.ActionFacts{
		{ID: 5, ConferenceID: 7, OwnerID: "U0GP", CaseManagerID: "U0CM", DueOn: due},
		{ID: 6, ConferenceID: 7, OwnerID: "", CaseManagerID: "U0CM", DueOn: due}, // a GP not on Slack
	}}
	check(t, days(t, cal, f, "2026-11-25", "2026-12-24"), []string{
		"2026-11-30 action_due_soon U0GP", // 2 working days before
		"2026-11-30 action_due_soon U0CM",
		"2026-12-02 action_due_today U0GP",
		"2026-12-02 action_due_today U0CM",
		"2026-12-09 action_overdue U0GP", // then weekly
		"2026-12-09 action_overdue U0CM",
		"2026-12-16 action_overdue U0GP",
		"2026-12-16 action_overdue_cm U0CM", // overdue more than 7 days: the case manager too
		"2026-12-16 action_overdue U0CM",
		"2026-12-23 action_overdue U0GP",
		"2026-12-23 action_overdue_cm U0CM",
		"2026-12-23 action_overdue U0CM",
	})
}

// An action due on a day nobody works (a Saturday) is chased on the
// working days before it, not with a "due today" that would reach its
// owner only on the Monday, after its day.
func TestDueActionOnASaturday(t *testing.T) {
	cal := londonCal(t)
	f := caseconf.ReminderFacts{Actions: []caseconf.ActionFacts{
		{ID: 5, ConferenceID: 7, OwnerID: "U0GP", CaseManagerID: "U0CM", DueOn: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)},
	}}
	check(t, days(t, cal, f, "2026-11-25", "2026-12-13"), []string{
		"2026-12-02 action_due_soon U0GP", // Wednesday: two working days before
		"2026-12-04 action_due_soon U0GP", // Friday: the last working day before
		"2026-12-12 action_overdue U0GP",  // a week after
	})
}

func TestDueReviewAndConsent(t *testing.T) {
	cal := londonCal(t)
	c := meeting(cal)
	c.OutcomeRecorded = true
	c.ReviewOn = time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC) // Friday
	f := caseconf.ReminderFacts{Conferences: []caseconf.ConferenceFacts{c},
		Consents: []caseconf.ConsentFacts{{ID: 9, ConferenceID: 7, CaseManagerID: "U0CM", ValidUntil: time.Date(2027, 1, 18, 0, 0, 0, 0, time.UTC)}}}
	got := days(t, cal, f, "2026-12-20", "2027-01-15")
	check(t, got, []string{
		"2027-01-01 review_approaching U0CM", // 10 working days before Fri 15 Jan (no holidays configured then)
		"2027-01-04 consent_expiring U0CM",   // 10 working days before Mon 18 Jan
	})
}

func TestReminderKeyIsPerDay(t *testing.T) {
	cal := londonCal(t)
	f := caseconf.ReminderFacts{Conferences: []caseconf.ConferenceFacts{meeting(cal, caseconf.InviteeFacts{ID: 1, SlackUserID: "U0GP"})}}
	morning := Due(time.Date(2026, 11, 18, 8, 0, 0, 0, cal.Loc), cal, f)
	evening := Due(time.Date(2026, 11, 18, 22, 0, 0, 0, cal.Loc), cal, f)
	next := Due(time.Date(2026, 11, 19, 8, 0, 0, 0, cal.Loc), cal, f)
	if len(morning) != 1 || len(evening) != 1 || morning[0].Key() != evening[0].Key() {
		t.Fatalf("two sweeps of one day give %v and %v; want one key", morning, evening)
	}
	if next[0].Key() == morning[0].Key() {
		t.Fatal("the next day's reminder has the same key")
	}
}

// "1 day before" a Monday meeting is the Friday, not the Sunday.
func TestDueReportOwedBeforeAMondayMeeting(t *testing.T) {
	cal := londonCal(t)
	c := meeting(cal, caseconf.InviteeFacts{ID: 1, SlackUserID: "U0GP", Answer: caseconf.AnswerApologies, Covered: true})
	c.StartsAt = time.Date(2026, 11, 23, 10, 30, 0, 0, cal.Loc) // Monday
	check(t, days(t, cal, caseconf.ReminderFacts{Conferences: []caseconf.ConferenceFacts{c}}, "2026-11-01", "2026-11-22"), []string{
		"2026-11-18 report_owed U0GP", // 3 working days before
		"2026-11-20 report_owed U0GP", // the working day before
	})
}

// The morning-of reminder for someone whose working day starts after the
// meeting does goes in their working hours the day before, never at night
// and never after the meeting; others get it at the start of their
// working day on the day.
func TestConferenceTodayBeforeTheMeetingWhateverTheZone(t *testing.T) {
	cal := londonCal(t)
	ny, _ := time.LoadLocation("America/New_York")
	la, _ := time.LoadLocation("America/Los_Angeles")
	f := caseconf.ReminderFacts{Conferences: []caseconf.ConferenceFacts{meeting(cal,
		caseconf.InviteeFacts{ID: 1, SlackUserID: "U0NY", Answer: caseconf.AnswerAttending})}}
	zoneOf := func(r Reminder) caseconf.Calendar {
		if r.RecipientID == "U0NY" {
			return cal.In(ny)
		}
		return cal
	}
	onTheDay := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC) // Friday, 01:00 in New York
	got := map[string]time.Time{}
	for _, r := range Due(onTheDay, cal, f) {
		if nb, ok := NotBefore(onTheDay, zoneOf(r), r); ok {
			got[r.RecipientID] = nb
		}
	}
	if want := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC); !got["U0CHAIR"].Equal(want) {
		t.Errorf("the chair in London at %v, want %v", got["U0CHAIR"], want)
	}
	// 09:00 in New York is 14:00 in London, after the 10:30 meeting.
	if nb, ok := got["U0NY"]; ok {
		t.Errorf("the New York attendee reminded on the day at %v, after the meeting or at night", nb)
	}

	dayBefore := time.Date(2026, 11, 19, 12, 0, 0, 0, time.UTC) // Thursday
	for _, r := range Due(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC), cal, f) {
		nb, ok := Early(dayBefore, zoneOf(r), r)
		switch r.RecipientID {
		case "U0NY":
			if want := time.Date(2026, 11, 19, 9, 0, 0, 0, ny); !ok || !nb.Equal(want) {
				t.Errorf("the New York attendee early at %v (%v), want 09:00 their time the day before, %v", nb, ok, want)
			}
		default:
			if ok {
				t.Errorf("%s, whose day starts before the meeting, reminded the day before", r.RecipientID)
			}
		}
	}

	// Someone west of the service is not reminded on the evening before
	// of something due on London's day.
	r := Reminder{Kind: ActionDueToday, RecipientID: "U0LA", Day: time.Date(2027, 3, 23, 0, 0, 0, 0, cal.Loc)}
	nb, ok := NotBefore(time.Date(2027, 3, 23, 0, 5, 0, 0, time.UTC), cal.In(la), r)
	if want := time.Date(2027, 3, 23, 9, 0, 0, 0, la); !ok || !nb.Equal(want) {
		t.Errorf("Los Angeles reminded at %v, want %v", nb.In(la), want)
	}
}

// An invitee not involved with the client is not chased: for an answer
// (they gave one), for a report (none is owed), nor on the morning of
// the meeting (they are not coming). The chair still is.
func TestDueNotInvolvedNotChased(t *testing.T) {
	cal := londonCal(t)
	f := caseconf.ReminderFacts{Conferences: []caseconf.ConferenceFacts{meeting(cal,
		caseconf.InviteeFacts{ID: 1, SlackUserID: "U0GP", Answer: caseconf.AnswerNotInvolved, Covered: true},
		caseconf.InviteeFacts{ID: 2, SlackUserID: "U0HOU", Answer: caseconf.AnswerNotInvolved})}}
	check(t, days(t, cal, f, "2026-11-01", "2026-11-20"), []string{
		"2026-11-20 conference_today U0CHAIR",
	})
}
