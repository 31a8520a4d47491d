package caseconf

import (
	"strings"
	"time"
)

// Correcting the record (issue 14, part 4): after the outcome is
// recorded its chair, minute taker or case manager may open the form
// again, filled in with what was recorded, and save a corrected version
// with what changed and why. Every earlier version is kept; the amended
// minutes go to the share list; the owners of actions added, changed or
// removed are told.

// FieldAmendReason is the amendment form's required "What changed and
// why" field.
const FieldAmendReason = "amend_reason"

// MaxAmendReason bounds what changed and why.
const MaxAmendReason = MaxReasonText

// CanAmendOutcome decides whether v may correct the recorded outcome of
// c: its chair, minute taker or case manager, once the outcome is
// recorded, unless the conference was cancelled. To anyone else it reads
// as a conference that does not exist.
func CanAmendOutcome(c *Conference, v Viewer) error {
	switch {
	case v.UserID == "" || (v.UserID != c.ChairID && v.UserID != c.MinuteTakerID && v.UserID != c.CaseManagerID):
		return notFound()
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference has been cancelled.")
	case c.Status != StatusRecorded:
		return Errorf(ECONFLICT, "The outcome of %s is not recorded yet, so there is nothing to correct.", c.Ref)
	}
	return nil
}

// CanOpenOutcome decides whether v may open the outcome form of c at now:
// to record the outcome (CanRecordOutcome) or, once it is recorded, to
// correct it (CanAmendOutcome).
func CanOpenOutcome(c *Conference, v Viewer, now time.Time) error {
	if c.Status == StatusRecorded {
		return CanAmendOutcome(c, v)
	}
	return CanRecordOutcome(c, v, now)
}

// CheckAmendReason is what to tell the user about what changed and why
// ("" when it will do): it is required, within MaxAmendReason.
func CheckAmendReason(reason string) string {
	reason = strings.TrimSpace(reason)
	if !Visible(reason) {
		return "Please say what changed and why: everyone the minutes go to reads it."
	}
	return CheckText(reason, MaxAmendReason, true)
}

// ValidateAmendment checks form f correcting the recorded outcome was of
// the meeting that started at meeting, as of now: as Validate does a
// final outcome, except that a date kept as recorded (the review date, or
// an action's date) is not refused for having passed since, and what
// changed and why is required. The lead agency and case manager are not
// changed here (a handover is its own meeting), and no action of the plan
// under review is settled again. It returns the outcome,
// or every problem found keyed by field.
func (f OutcomeForm) ValidateAmendment(meeting, now time.Time, cal Calendar, was *Outcome) (Outcome, FieldErrors) {
	kept := map[int64]time.Time{}
	for _, a := range was.Actions {
		kept[a.ID] = a.DueOn
	}
	f.Actions = append([]ActionForm(nil), f.Actions...)
	for i := range f.Actions {
		f.Actions[i].Carry, f.Actions[i].Choice = 0, ""
	}
	o, errs := f.validate(meeting, now, cal, was.ReviewOn, kept)
	if errs == nil {
		errs = FieldErrors{}
	}
	if msg := CheckAmendReason(f.AmendReason); msg != "" {
		errs[FieldAmendReason] = msg
	}
	lead := (f.LeadChanged == "yes") != was.LeadChanged ||
		(was.LeadChanged && (f.NewCaseManager != was.NewCaseManagerID || strings.TrimSpace(f.NewLeadAgency) != was.NewLeadAgency))
	if lead && errs[FieldLeadChanged] == "" {
		errs[FieldLeadChanged] = "A change of lead agency or case manager cannot be corrected here: please keep it as recorded."
	}
	if len(errs) > 0 {
		return Outcome{}, errs
	}
	return o, nil
}

// ActionChange is an action of the plan as it was and as it is after a
// correction.
type ActionChange struct {
	Before, After Action
}

// OwnerChanged reports whether the action changed hands.
func (c ActionChange) OwnerChanged() bool { return !sameOwner(c.Before, c.After) }

// PlanChanges is what a correction did to an action plan.
type PlanChanges struct {
	Added   []Action       // in the order of the new plan
	Changed []ActionChange // in the order of the new plan
	Removed []Action       // in the order of the old plan
}

// None reports whether the plan is as it was.
func (p PlanChanges) None() bool { return len(p.Added)+len(p.Changed)+len(p.Removed) == 0 }

// ComparePlans says how plan after differs from plan before: an action of
// after whose ID is not one of before's is added; one of before's that
// after does not have is removed; one in both is changed if its area,
// what is to be done, owner or date differ (its status is not the plan's:
// updates keep it).
func ComparePlans(before, after []Action) PlanChanges {
	var p PlanChanges
	was := map[int64]Action{}
	for _, a := range before {
		was[a.ID] = a
	}
	kept := map[int64]bool{}
	for _, a := range after {
		b, ok := was[a.ID]
		if a.ID == 0 || !ok || kept[a.ID] {
			p.Added = append(p.Added, a)
			continue
		}
		kept[a.ID] = true
		if b.Area != a.Area || b.What != a.What || !sameOwner(b, a) || !sameDay(b.DueOn, a.DueOn) {
			p.Changed = append(p.Changed, ActionChange{Before: b, After: a})
		}
	}
	for _, b := range before {
		if !kept[b.ID] {
			p.Removed = append(p.Removed, b)
		}
	}
	return p
}

func sameOwner(a, b Action) bool {
	return a.OwnerID == b.OwnerID && a.OwnerName == b.OwnerName && a.OwnerAgency == b.OwnerAgency && a.OwnerClient == b.OwnerClient
}

// AmendedPart is the subject ID of part part of the amended minutes of
// version version (KindAmendedMinutes); SplitAmendedPart reads it back.
func AmendedPart(version, part int) int64 { return int64(version)*1000 + int64(part) }

// SplitAmendedPart is AmendedPart's version and part.
func SplitAmendedPart(id int64) (version, part int) { return int(id / 1000), int(id % 1000) }
