package caseconf

import "fmt"

// A review conference's outcome form starts with the open actions of the
// plan under review, each to be kept (carried into the new plan), marked
// done, or dropped.

// The choices for an open action of the plan under review.
const (
	CarryKeep = "keep" // carried into the new plan; the old one closed as carried forward
	CarryDone = "done" // the old one marked done
	CarryDrop = "drop" // the old one closed as no longer needed
)

// ValidCarryChoice reports whether s is one of the choices.
func ValidCarryChoice(s string) bool { return s == CarryKeep || s == CarryDone || s == CarryDrop }

// Settled is what the review's outcome makes of one open action of the
// plan under review.
type Settled struct {
	ActionID int64
	Choice   string // CarryKeep, CarryDone or CarryDrop
}

// SettledAs is the state an action of the plan under review is left in
// by choice at the review reviewRef, and the reason it is closed with:
// kept, it is closed as no longer needed here, carried forward into the
// review's plan (where a new action takes it on); done, done; dropped, no
// longer needed.
func SettledAs(choice, reviewRef string) (ActionStatus, string) {
	switch choice {
	case CarryDone:
		return ActionDone, ""
	case CarryKeep:
		return ActionNotNeeded, fmt.Sprintf("carried forward into the plan of review %s", reviewRef)
	}
	return ActionNotNeeded, fmt.Sprintf("dropped at review %s", reviewRef)
}

// CanSettleAtReview decides whether the outcome of review, which reviews
// the conference reviewOf (0: none), may settle action a of that plan:
// only an action of the plan under review, while it is open. The
// recorder's right is the outcome's (CanRecordOutcome): the review is
// where the old plan is looked at. An action closed since the form
// opened is left as it is (ok false, no error).
func CanSettleAtReview(review *Conference, reviewOf int64, a *Action) (ok bool, err error) {
	switch {
	case review == nil || a == nil || reviewOf == 0 || a.ConferenceID != reviewOf:
		return false, actionNotFound()
	case a.Closed():
		return false, nil
	}
	return true, nil
}
