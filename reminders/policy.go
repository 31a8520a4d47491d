package reminders

import (
	"fmt"
	"time"

	"github.com/caseconf/caseconf"
)

// Kind is a kind of reminder: one of caseconf's message kinds, those for
// which MessageKind.Reminder holds.
type Kind = caseconf.MessageKind

// Every reminder the product sends (caseconf lists them with every other
// kind of message, and says what each is about and who gets it).
const (
	InvitationUnanswered = caseconf.KindInvitationUnanswered
	ReportOwed           = caseconf.KindReportOwed
	ConferenceToday      = caseconf.KindConferenceToday
	OutcomeNotRecorded   = caseconf.KindOutcomeNotRecorded
	ActionDueSoon        = caseconf.KindActionDueSoon
	ActionDueToday       = caseconf.KindActionDueToday
	ActionOverdue        = caseconf.KindActionOverdue
	ActionOverdueManager = caseconf.KindActionOverdueManager
	ReviewApproaching    = caseconf.KindReviewApproaching
	ConsentExpiring      = caseconf.KindConsentExpiring
)

// Reminder is one reminder due to one person on one day. (Kind, Subject,
// Recipient, Day) identifies it: a second sweep of the same day finds the
// same reminder, and the outbox keeps one.
type Reminder struct {
	Kind         Kind
	SubjectID    int64 // invitee, conference, action or consent, by Kind
	ConferenceID int64
	RecipientID  string    // Slack user
	Day          time.Time // the calendar day it is for, in the service's zone
	// Before, when set, is when the reminder stops being of use (the
	// meeting it is about starts): it goes before then even if that is
	// outside the recipient's working hours.
	Before time.Time
}

// Key is the reminder's unique key in the outbox.
func (r Reminder) Key() string {
	return fmt.Sprintf("reminder:%s:%d:%s:%s", r.Kind, r.SubjectID, r.RecipientID, r.Day.Format(caseconf.DateLayout))
}

// Due lists the reminders due on the day of now (in cal's zone): a pure
// function of the facts, so the rules of the reminder table are tested
// with a fixed clock and no database. Delivery to each recipient's own
// working hours is decided later (caseconf.Calendar.NextWindow).
func Due(now time.Time, cal caseconf.Calendar, f caseconf.ReminderFacts) []Reminder {
	today := cal.Date(now)
	var out []Reminder
	add := func(k Kind, subject, conference int64, to string) {
		if to != "" {
			out = append(out, Reminder{Kind: k, SubjectID: subject, ConferenceID: conference, RecipientID: to, Day: today})
		}
	}
	for _, c := range f.Conferences {
		meeting := cal.Date(c.StartsAt)
		switch {
		case today.Before(meeting):
			before := cal.WorkingDaysNotice(today, meeting) // working days after today up to the meeting
			working := cal.IsWorkingDay(today)
			for _, inv := range c.Invitees {
				// Someone not on Slack is chased through the case manager.
				to := caseconf.InviteeChaser(inv.SlackUserID, c.CaseManagerID)
				if inv.Answer == "" && working && (before == 7 || before == 3 || before <= 2) {
					add(InvitationUnanswered, inv.ID, c.ID, to)
				}
				if inv.OwesReport() && working && (before == 3 || before == 1) { // and on the last working day before
					add(ReportOwed, inv.ID, c.ID, to)
				}
			}
		case today.Equal(meeting):
			first := len(out)
			add(ConferenceToday, c.ID, c.ID, c.ChairID)
			for _, inv := range c.Invitees {
				if inv.Attends() && inv.SlackUserID != c.ChairID {
					add(ConferenceToday, c.ID, c.ID, inv.SlackUserID)
				}
			}
			for i := first; i < len(out); i++ {
				out[i].Before = c.StartsAt
			}
		case !c.OutcomeRecorded && cal.IsWorkingDay(today):
			after := cal.WorkingDaysNotice(meeting, today) // working days since the meeting, today included
			if after%2 == 1 {
				add(OutcomeNotRecorded, c.ID, c.ID, c.ChairID)
			}
		}
		if review := calendarDate(cal, c.ReviewOn); !c.ReviewOn.IsZero() && today.Before(review) && cal.IsWorkingDay(today) &&
			cal.WorkingDaysNotice(today, review) == 10 {
			add(ReviewApproaching, c.ID, c.ID, c.CaseManagerID)
		}
	}
	for _, a := range f.Actions {
		due := calendarDate(cal, a.DueOn)
		// Its chaser (the case manager chases owners not on Slack); as
		// StillDue checks when the reminder goes.
		to := func(k Kind) string { return actionRecipient(k, a.OwnerID, a.CaseManagerID) }
		switch {
		case today.Before(due):
			// Two working days before; and for a day that is not a
			// working day (a Saturday, a holiday), the last working day
			// before it too, in place of "due today".
			if n := cal.WorkingDaysNotice(today, due); cal.IsWorkingDay(today) && (n == 2 || n == 0 && !cal.IsWorkingDay(due)) {
				add(ActionDueSoon, a.ID, a.ConferenceID, to(ActionDueSoon))
			}
		case today.Equal(due):
			if cal.IsWorkingDay(today) {
				add(ActionDueToday, a.ID, a.ConferenceID, to(ActionDueToday))
			}
		default:
			late := int(today.Sub(due).Hours()/24 + 0.5)
			if late%7 == 0 {
				add(ActionOverdue, a.ID, a.ConferenceID, to(ActionOverdue))
				if late > 7 && to(ActionOverdueManager) != to(ActionOverdue) {
					add(ActionOverdueManager, a.ID, a.ConferenceID, to(ActionOverdueManager))
				}
			}
		}
	}
	for _, c := range f.Consents {
		until := calendarDate(cal, c.ValidUntil)
		if today.Before(until) && cal.IsWorkingDay(today) && cal.WorkingDaysNotice(today, until) == 10 {
			add(ConsentExpiring, c.ID, c.ConferenceID, c.CaseManagerID)
		}
	}
	return out
}

// calendarDate reads a stored date (midnight UTC) as that calendar day in
// cal's zone.
func calendarDate(cal caseconf.Calendar, d time.Time) time.Time {
	y, m, day := d.Date()
	return time.Date(y, m, day, 0, 0, 0, 0, cal.Loc)
}
