package caseconf

import "time"

// Windows on the dates the forms take. A date outside its window is
// answered on its field, and before anything counts working days to it:
// a conference in 9999 is a slip of the finger, not a plan, and counting
// the working days to it would cost seconds of CPU.
//
// Each window is a rule in one place, used by every form that takes such
// a date: here the meeting's, the review's and an action's (due, or
// moved); the windows on when an agreement to share was given and runs
// until are beside the rest of its rules (consent.go).
const (
	ConferenceWithinMonths = 24 // a conference: today to two years on
	ReviewWithinMonths     = 24 // a review: after the meeting, within two years of it
	ActionDueWithinMonths  = 60 // an action's date, or its new date: within five years
)

// windowDateLayout is how a window's end is written for the user.
const windowDateLayout = "2 January 2006"

// DateWindow is the span of calendar days a date field accepts, both
// ends included; a zero end is open. TooEarly and TooLate say why a date
// outside it is refused, for the user.
type DateWindow struct {
	First, Last       time.Time
	TooEarly, TooLate string
}

// Check is what to tell the user about calendar date d ("" when it is
// within the window). d and the window's ends are compared as calendar
// days, each in its own zone.
func (w DateWindow) Check(d time.Time) string {
	day := d.Format(DateLayout)
	switch {
	case !w.First.IsZero() && day < w.First.Format(DateLayout):
		return w.TooEarly + ": please choose " + w.First.Format(windowDateLayout) + " or later."
	case !w.Last.IsZero() && day > w.Last.Format(DateLayout):
		return w.TooLate + ": please choose " + w.Last.Format(windowDateLayout) + " or earlier."
	}
	return ""
}

// ConferenceWindow is when a conference called on now may be: from
// today to two years on. (A time already past today is the scheduling
// form's own answer.)
func ConferenceWindow(now time.Time, cal Calendar) DateWindow {
	today := cal.Date(now)
	return DateWindow{First: today, Last: AddMonths(today, ConferenceWithinMonths),
		TooEarly: "That date is in the past", TooLate: "A conference can be called at most two years ahead"}
}

// ReviewWindow is when the review of a meeting on meeting may be: after
// the meeting's day, and within two years of it. (One already past when
// the outcome is recorded is the outcome form's own answer.)
func ReviewWindow(meeting time.Time, cal Calendar) DateWindow {
	day := cal.Date(meeting)
	return DateWindow{First: day.AddDate(0, 0, 1), Last: AddMonths(day, ReviewWithinMonths),
		TooEarly: "The review meeting must be after this meeting (" + day.Format(windowDateLayout) + ")",
		TooLate:  "The review should be within two years of this meeting"}
}

// ActionDueWindow is when an action given a date on now may be due: from
// today to five years on. It holds for an action's date in the plan and
// for a new date given to it later.
func ActionDueWindow(now time.Time, cal Calendar) DateWindow {
	today := cal.Date(now)
	return DateWindow{First: today, Last: AddMonths(today, ActionDueWithinMonths),
		TooEarly: "This date has passed", TooLate: "An action's date can be at most five years ahead"}
}
