package caseconf

import "time"

// ActionStatus is where a row of an action plan is.
type ActionStatus string

// Every status the schema allows.
const (
	ActionOpen ActionStatus = "open"
	ActionDone ActionStatus = "done"
)

// Action is one row of a conference's action plan: an area of need, what
// is to be done, who is responsible and by when.
type Action struct {
	ID           int64
	ConferenceID int64
	Area         string
	What         string
	OwnerID      string // Slack user; "" for an owner not on Slack
	OwnerName    string // for an owner not on Slack
	OwnerAgency  string // their agency
	DueOn        time.Time
	Status       ActionStatus
	DoneAt       *time.Time // when it was marked done
	DoneBy       string     // the Slack user who marked it done
}

// Done reports whether the action has been marked done.
func (a *Action) Done() bool { return a.Status == ActionDone }

// actionNotFound is the one answer for an action that does not exist and
// for one the user may not change: they must read the same.
func actionNotFound() *Error {
	return Errorf(ENOTFOUND, "That action is not yours to change, or is gone.")
}

// ActionNotFound is the error for an action that does not exist, or that
// the user may not change.
func ActionNotFound() error { return actionNotFound() }

// CanChangeAction decides whether v may change action a of conference c
// (mark it done): its owner, the conference's case manager and its chair,
// while the conference stands. To anyone else, administrators included, it
// reads as an action that does not exist.
func CanChangeAction(c *Conference, a *Action, v Viewer) error {
	switch {
	case a == nil || c == nil || a.ConferenceID != c.ID || v.UserID == "":
		return actionNotFound()
	case v.UserID != a.OwnerID && v.UserID != c.CaseManagerID && v.UserID != c.ChairID:
		return actionNotFound()
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference has been cancelled.")
	}
	return nil
}

// CanOwnAction reports whether the Slack user u may own an action of c's
// plan: someone the conference already involves (an invitee, or its case
// manager, chair or minute taker). Anyone else would be sent an action
// they could never read, about a conference they cannot see.
func CanOwnAction(c *Conference, u string) bool {
	return u != "" && (c.InviteeFor(u) != nil || u == c.CaseManagerID || u == c.ChairID || u == c.MinuteTakerID)
}
