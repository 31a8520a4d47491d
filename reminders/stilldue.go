package reminders

import (
	"time"

	"github.com/caseconf/caseconf"
)

// StillDue decides, when reminder r goes (at now), whether it still
// applies: "" if so, or why not, from conference c and what the reminder
// is about (st) as they are then. Due decided it when the sweep ran; by
// the time it goes the conference may have been cancelled, the invitee
// answered, the report come, the outcome been recorded, the action done
// or handed on, or the consent renewed. Like Due, it is a pure function
// of domain values and a time, so it is tested with a fixed clock; the
// reason is logged, so it names no client.
func StillDue(r Reminder, c *caseconf.Conference, st caseconf.ReminderState, now time.Time, cal caseconf.Calendar) (skip string) {
	if c == nil {
		return "its conference no longer exists"
	}
	if c.Cancelled() {
		return "the conference was cancelled"
	}
	switch r.Kind {
	case InvitationUnanswered:
		inv := c.Invitee(r.SubjectID)
		switch {
		case inv == nil:
			return "the invitee is no longer on the conference"
		case inv.Answered():
			return "the invitee has answered"
		case c.Started(now):
			return "the meeting has started"
		}
	case ReportOwed:
		inv := c.Invitee(r.SubjectID)
		switch {
		case c.Started(now):
			return "the meeting has started"
		case inv == nil || !c.OwesReport(inv) || st.ReportSent:
			return "no report is owed any more (or none may be shared)"
		}
	case ConferenceToday:
		// On the day; or on a working day just before it, for someone
		// whose working hours on the day begin after the meeting does
		// (Early).
		today, day := cal.Date(now), cal.Date(c.StartsAt)
		if today.After(day) || cal.AddWorkingDays(today, 1).Before(day) || !now.Before(c.Ends()) {
			return "the meeting is not coming up, or is over"
		}
	case OutcomeNotRecorded:
		if st.OutcomeRecorded {
			return "the outcome is recorded"
		}
	case ActionDueSoon, ActionDueToday, ActionOverdue, ActionOverdueManager:
		a := st.Action
		switch {
		case a == nil || a.Done():
			return "the action is done"
		case a.Closed():
			return "the action is closed"
		case r.RecipientID != actionRecipient(r.Kind, a.OwnerID, c.CaseManagerID):
			return "the action has changed hands"
		case (r.Kind == ActionDueToday || r.Kind == ActionDueSoon) && cal.Date(now).After(calendarDate(cal, a.DueOn)):
			return "the action is past its day: the overdue reminder will tell"
		}
	case ReviewApproaching:
		if st.ReviewOn.IsZero() {
			return "there is no review date any more"
		}
	case ConsentExpiring:
		if st.ConsentUntil.IsZero() || st.ConsentUntil.Before(cal.Date(now)) {
			return "the consent has ended or is gone"
		}
	default:
		return "no such kind of reminder: " + string(r.Kind)
	}
	return ""
}

// actionRecipient is who gets a reminder of kind k about an action owned
// by ownerID: whoever chases the action (caseconf.ActionChaser), or, for
// an action long overdue (ActionOverdueManager), the case manager.
func actionRecipient(k Kind, ownerID, caseManagerID string) string {
	if k == ActionOverdueManager {
		return caseManagerID
	}
	return caseconf.ActionChaser(ownerID, caseManagerID)
}
