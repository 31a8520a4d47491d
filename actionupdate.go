package caseconf

import (
	"strings"
	"time"
)

// Updating an action after the plan went round: a progress note, or a new
// date. The owner proposes a new date and the case manager agrees it (or
// keeps the old one); the case manager or the chair moves it at once.

// Action update form fields; the bot uses them as block IDs.
const (
	FieldProgressNote = "progress_note"
	FieldNewDue       = "new_due"
	FieldDueReason    = "due_reason"
)

// Limits on what an update holds, inside Block Kit's 3,000 characters.
const (
	MaxProgressNote = 1000
	MaxDueReason    = 500
)

// UpdateKind is what an update to an action did.
type UpdateKind string

// Every kind the schema allows.
const (
	UpdateNote    UpdateKind = "note"     // a progress note
	UpdateNewDate UpdateKind = "new_date" // a new date, proposed or made
)

// UpdateState is where an update is: a note or a date changed at once is
// UpdateMade; a proposed date waits on the case manager.
type UpdateState string

// Every state the schema allows.
const (
	UpdateMade       UpdateState = "made"       // a note, or a new date that took effect at once
	UpdateProposed   UpdateState = "proposed"   // a new date waiting for the case manager
	UpdateAccepted   UpdateState = "accepted"   // the case manager agreed it: the action moved
	UpdateKept       UpdateState = "kept"       // the case manager kept the old date
	UpdateSuperseded UpdateState = "superseded" // another date, or the action being done, overtook it
)

// ActionUpdate is one entry of an action's history after the plan was
// recorded. Note is what the person wrote (the note, or why the date
// should move): sensitive, never in a log or an error.
type ActionUpdate struct {
	ID        int64
	ActionID  int64
	Kind      UpdateKind
	State     UpdateState
	By        string // Slack user
	At        time.Time
	Note      string
	OldDue    time.Time // new_date only
	NewDue    time.Time // new_date only
	DecidedBy string    // who accepted or kept a proposed date
	DecidedAt *time.Time
}

// CanUpdateAction decides whether v may add a progress note to action a of
// conference c, or give it a new date: whoever may change it
// (CanChangeAction), while it is open.
func CanUpdateAction(c *Conference, a *Action, v Viewer) error {
	if err := CanChangeAction(c, a, v); err != nil {
		return err
	}
	switch {
	case a.Done():
		return Errorf(ECONFLICT, "This action is already done.")
	case a.Closed():
		return closedAlready(a)
	}
	return nil
}

// proposalNotFound is the one answer for a proposal that does not exist
// and for one the user may not decide.
func proposalNotFound() *Error {
	return Errorf(ENOTFOUND, "That proposal is not yours to decide, or is gone.")
}

// CanDecideDate decides whether v may accept, or keep the old date
// against, the new date u proposed for action a of conference c: its case
// manager or chair, while the conference stands and the action is open.
// To anyone else it reads as a proposal that does not exist. A proposal
// already decided is not refused here: the store says what became of it.
func CanDecideDate(c *Conference, a *Action, u *ActionUpdate, v Viewer) error {
	switch {
	case c == nil || a == nil || u == nil || u.ActionID != a.ID || a.ConferenceID != c.ID || u.Kind != UpdateNewDate:
		return proposalNotFound()
	case !NewDateTakesEffect(c, v):
		return proposalNotFound()
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference has been cancelled.")
	case a.Done():
		return Errorf(ECONFLICT, "This action is already done, so its date no longer matters.")
	case a.Closed():
		return Errorf(ECONFLICT, "This action is closed (%s), so its date no longer matters.", a.Status.Label())
	}
	return nil
}

// CanAcceptDate decides whether proposed date u may still be accepted at
// now: not once its day has passed (the action would be overdue the
// moment it moved).
func CanAcceptDate(u *ActionUpdate, now time.Time) error {
	if now.UTC().Format(DateLayout) > u.NewDue.Format(DateLayout) {
		return Errorf(ECONFLICT, "The proposed date, %s, has passed: keep the old date, or give a new one with Propose new date.", u.NewDue.Format("2 January 2006"))
	}
	return nil
}

// ValidateNote checks a progress note as typed; it returns it trimmed.
func ValidateNote(note string) (string, FieldErrors) {
	note = strings.TrimSpace(note)
	if !Visible(note) {
		return "", FieldErrors{FieldProgressNote: "Please write the note."}
	}
	if msg := CheckText(note, MaxProgressNote, true); msg != "" {
		return "", FieldErrors{FieldProgressNote: msg}
	}
	return note, nil
}

// ValidateNewDate checks a new date for an action now due on current, as
// of now: a date after today, within an action's window (ActionDueWindow)
// and not the one it has, and why it should move. It returns the date (a
// calendar date in cal's zone) and the reason trimmed.
func ValidateNewDate(date, reason string, current, now time.Time, cal Calendar) (time.Time, string, FieldErrors) {
	errs := FieldErrors{}
	var due time.Time
	today := cal.Date(now)
	if date == "" {
		errs[FieldNewDue] = "Please choose the new date."
	} else if d, err := time.ParseInLocation(DateLayout, date, cal.Loc); err != nil {
		errs[FieldNewDue] = "Please choose a date."
	} else if !d.After(today) {
		errs[FieldNewDue] = "The new date must be after today."
	} else if sameDay(d, current) {
		errs[FieldNewDue] = "That is the date it has already."
	} else if msg := ActionDueWindow(now, cal).Check(d); msg != "" {
		errs[FieldNewDue] = msg
	} else {
		due = d
	}
	reason = strings.TrimSpace(reason)
	if !Visible(reason) {
		errs[FieldDueReason] = "Please say why the date should move."
	} else if msg := CheckText(reason, MaxDueReason, true); msg != "" {
		errs[FieldDueReason] = msg
	}
	if len(errs) > 0 {
		return time.Time{}, "", errs
	}
	return due, reason, nil
}

// sameDay reports whether two dates are the same calendar day, each read
// in its own zone (a stored date is midnight UTC).
func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
