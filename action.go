package caseconf

import (
	"strings"
	"time"
)

// ActionStatus is where a row of an action plan is.
type ActionStatus string

// Every status the schema allows.
const (
	ActionOpen        ActionStatus = "open"
	ActionDone        ActionStatus = "done"
	ActionNotAchieved ActionStatus = "not_achieved" // closed: it was not achieved
	ActionNotNeeded   ActionStatus = "not_needed"   // closed: it is no longer needed
)

// Valid reports whether s is a status the schema allows.
func (s ActionStatus) Valid() bool {
	switch s {
	case ActionOpen, ActionDone, ActionNotAchieved, ActionNotNeeded:
		return true
	}
	return false
}

// Label is the status as people read it: "open", "done", "not achieved",
// "no longer needed".
func (s ActionStatus) Label() string {
	switch s {
	case ActionNotAchieved:
		return "not achieved"
	case ActionNotNeeded:
		return "no longer needed"
	}
	return string(s)
}

// ClosingStatus reports whether s is a status an action is closed with
// besides done, one that needs a reason: not achieved, no longer needed.
func (s ActionStatus) ClosingStatus() bool { return s == ActionNotAchieved || s == ActionNotNeeded }

// ClientOwnerName is the owner's name of an action the client owns.
const ClientOwnerName = "the client"

// Action is one row of a conference's action plan: an area of need, what
// is to be done, who is responsible and by when.
type Action struct {
	ID           int64
	ConferenceID int64
	Area         string
	What         string
	OwnerID      string // Slack user; "" for an owner not on Slack
	OwnerName    string // for an owner not on Slack (ClientOwnerName for the client)
	OwnerAgency  string // their agency; "" for the client, or someone with none (a carer)
	OwnerClient  bool   // the client owns it (OwnerName is ClientOwnerName)
	DueOn        time.Time
	Status       ActionStatus
	DoneAt       *time.Time // when it was marked done
	DoneBy       string     // the Slack user who marked it done
	ClosedAt     *time.Time // when it was closed as not achieved or no longer needed
	ClosedBy     string     // the Slack user who closed it
	CloseReason  string     // why: what they wrote, never in a log or an error
	ReassignedBy string     // the Slack user who last gave it to someone else
	ReassignedAt *time.Time // when
	// ProposedDueOn is the new date its owner proposed, waiting on the
	// case manager; nil when none waits.
	ProposedDueOn *time.Time
	// RemovedAt is when a correction of the record took it out of the
	// plan (closed if it was open, kept with its history); nil while it
	// is in the plan.
	RemovedAt *time.Time
}

// Done reports whether the action has been marked done.
func (a *Action) Done() bool { return a.Status == ActionDone }

// Open reports whether the action is still open: not done, not closed as
// not achieved or no longer needed. Only an open action is chased, listed
// as open, updated, closed or given to someone else.
func (a *Action) Open() bool { return a.Status == ActionOpen || a.Status == "" }

// Closed reports whether the action is no longer open, whatever closed it.
func (a *Action) Closed() bool { return !a.Open() }

// DateProposed reports whether a new date its owner proposed waits on the
// case manager: only ever for an open action.
func (a *Action) DateProposed() bool { return a.Open() && a.ProposedDueOn != nil }

// CanSeePlan reports whether v may see the recorded outcome of c in show:
// its summary and its action plan, each action with what it is, its owner,
// date and state. Those who may see the case details, once the outcome is
// recorded; to anyone else show says nothing of it.
func CanSeePlan(c *Conference, v Viewer) bool {
	return c.Status == StatusRecorded && CanSeeDetails(c, v)
}

// actionNotFound is the one answer for an action that does not exist and
// for one the user may not change: they must read the same.
func actionNotFound() *Error {
	return Errorf(ENOTFOUND, "That action is not yours to change, or is gone.")
}

// ActionNotFound is the error for an action that does not exist, or that
// the user may not change.
func ActionNotFound() error { return actionNotFound() }

// CanChangeAction decides whether v may change action a of conference c
// (mark it done, or close it): its owner, the conference's case manager
// and its chair, while the conference stands. To anyone else,
// administrators included, it reads as an action that does not exist.
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

// CanMarkDone decides whether v may mark action a of conference c done:
// whoever may change it (CanChangeAction), unless it was closed otherwise
// (not achieved, no longer needed). One done already is not refused: a
// second press changes nothing.
func CanMarkDone(c *Conference, a *Action, v Viewer) error {
	if err := CanChangeAction(c, a, v); err != nil {
		return err
	}
	if a.Closed() && !a.Done() {
		return closedAlready(a)
	}
	return nil
}

// closedAlready is the answer for a change to an action no longer open.
func closedAlready(a *Action) *Error {
	return Errorf(ECONFLICT, "This action is already closed (%s).", a.Status.Label())
}

// CanCloseAction decides whether v may close action a of conference c with
// status to (not achieved, or no longer needed): whoever may change it
// (CanChangeAction), while it is open.
func CanCloseAction(c *Conference, a *Action, v Viewer, to ActionStatus) error {
	if err := CanChangeAction(c, a, v); err != nil {
		return err
	}
	switch {
	case !to.ClosingStatus():
		return Errorf(EINVALID, "An action is closed as not achieved or as no longer needed.")
	case a.Closed():
		return closedAlready(a)
	}
	return nil
}

// CanReassignAction decides whether v may give action a of conference c
// to someone else: its case manager or chair, while the conference stands
// and the action is open. Its owner may not (they ask the case manager);
// to anyone else it reads as an action that does not exist.
func CanReassignAction(c *Conference, a *Action, v Viewer) error {
	if err := CanChangeAction(c, a, v); err != nil {
		return err
	}
	switch {
	case !NewDateTakesEffect(c, v):
		return Errorf(EFORBIDDEN, "Only the case manager or the chair can give an action to someone else: please ask the case manager.")
	case a.Closed():
		return closedAlready(a)
	}
	return nil
}

// CanManagePlan decides whether v may read conference c's whole action
// plan with the buttons to reassign and close its actions (/caseconf plan):
// its case manager and its chair. To someone who may not see the
// conference it does not exist; anyone else who may is told who may.
func CanManagePlan(c *Conference, v Viewer) error {
	switch {
	case !CanSee(c, v):
		return notFound()
	case !NewDateTakesEffect(c, v):
		return Errorf(EFORBIDDEN, "The action plan of %s is looked after by its case manager and chair: ask them to change an action, or use `/caseconf actions` for your own.", c.Ref)
	}
	return nil
}

// Close form fields; the bot uses them as block IDs.
const (
	FieldCloseAs     = "close_as"     // ActionNotAchieved or ActionNotNeeded
	FieldCloseReason = "close_reason" // why
)

// MaxCloseReason is how long the reason for closing an action may be.
const MaxCloseReason = 500

// ValidateClose checks a closing as chosen and typed: a closing status
// and a reason. It returns the status and the reason trimmed.
func ValidateClose(as, reason string) (ActionStatus, string, FieldErrors) {
	errs := FieldErrors{}
	to := ActionStatus(as)
	if !to.ClosingStatus() {
		errs[FieldCloseAs] = "Please choose: not achieved, or no longer needed."
	}
	reason = strings.TrimSpace(reason)
	if !Visible(reason) {
		errs[FieldCloseReason] = "Please say why the action is being closed."
	} else if msg := CheckText(reason, MaxCloseReason, true); msg != "" {
		errs[FieldCloseReason] = msg
	}
	if len(errs) > 0 {
		return "", "", errs
	}
	return to, reason, nil
}

// Owner is who owns an action: a Slack user, the client, or someone else
// not on Slack (named, with their agency if they have one).
type Owner struct {
	UserID string // a Slack user
	Name   string // someone not on Slack; ClientOwnerName for the client
	Agency string // their agency; "" for the client or someone with none
	Client bool   // the client
}

// OwnerOf is a's owner.
func OwnerOf(a *Action) Owner {
	return Owner{UserID: a.OwnerID, Name: a.OwnerName, Agency: a.OwnerAgency, Client: a.OwnerClient}
}

// Same reports whether o and p are the same owner.
func (o Owner) Same(p Owner) bool {
	if o.UserID != "" || p.UserID != "" {
		return o.UserID == p.UserID
	}
	if o.Client || p.Client {
		return o.Client == p.Client
	}
	return strings.EqualFold(o.Name, p.Name) && strings.EqualFold(o.Agency, p.Agency)
}

// IsClientName reports whether name, as typed for an owner not on Slack,
// names the client ("the client", or "client").
func IsClientName(name string) bool {
	n := strings.ToLower(strings.Join(strings.Fields(name), " "))
	return n == ClientOwnerName || n == "client"
}

// OwnerOffSlack is the owner not on Slack named name, of agency (both
// trimmed): the client when name names them (IsClientName), who has no
// agency.
func OwnerOffSlack(name, agency string) Owner {
	name, agency = strings.TrimSpace(name), strings.TrimSpace(agency)
	if !Visible(agency) {
		agency = ""
	}
	if IsClientName(name) {
		return Owner{Name: ClientOwnerName, Client: true}
	}
	return Owner{Name: name, Agency: agency}
}

// Reassign form fields; the bot uses them as block IDs.
const (
	FieldNewOwner       = "new_owner"        // a Slack user
	FieldNewOwnerName   = "new_owner_name"   // or someone not on Slack, or "the client"
	FieldNewOwnerAgency = "new_owner_agency" // and their agency, if any
)

// ValidateReassign checks a new owner for action a of conference c as
// chosen and typed: someone on Slack the conference involves
// (CanOwnAction), or someone not on Slack by name (the client, or anyone
// else, with their agency if they have one), and not the owner it has.
func ValidateReassign(c *Conference, a *Action, userID, name, agency string) (Owner, FieldErrors) {
	named := Visible(name)
	var o Owner
	switch {
	case userID != "" && (named || Visible(agency)):
		return Owner{}, FieldErrors{FieldNewOwnerName: "Choose someone on Slack or name someone who is not, not both."}
	case userID != "" && !IsSlackUserID(userID):
		return Owner{}, FieldErrors{FieldNewOwner: "Please choose someone from the list."}
	case userID != "" && !CanOwnAction(c, userID):
		return Owner{}, FieldErrors{FieldNewOwner: "Only someone invited to this conference can own an action on Slack: name them as someone not on Slack instead."}
	case userID != "":
		o = Owner{UserID: userID}
	case !named && Visible(agency):
		return Owner{}, FieldErrors{FieldNewOwnerName: "Please name the person responsible."}
	case !named:
		return Owner{}, FieldErrors{FieldNewOwner: "Please choose the new owner on Slack, or name someone who is not (or write “the client”)."}
	default:
		o = OwnerOffSlack(name, agency)
		for id, v := range map[string]string{FieldNewOwnerName: o.Name, FieldNewOwnerAgency: o.Agency} {
			if msg := CheckText(v, MaxShortText, false); msg != "" {
				return Owner{}, FieldErrors{id: msg}
			}
		}
	}
	if a != nil && o.Same(OwnerOf(a)) {
		return Owner{}, FieldErrors{FieldNewOwner: "That is who owns it already."}
	}
	return o, nil
}

// CanOwnAction reports whether the Slack user u may own an action of c's
// plan: someone the conference already involves (an invitee, or its case
// manager, chair or minute taker). Anyone else would be sent an action
// they could never read, about a conference they cannot see.
func CanOwnAction(c *Conference, u string) bool {
	return u != "" && (c.InviteeFor(u) != nil || u == c.CaseManagerID || u == c.ChairID || u == c.MinuteTakerID)
}

// NewDateTakesEffect reports whether a new date v gives action a of c
// moves it at once: the case manager's and the chair's do; the owner's is
// a proposal the case manager agrees or not.
func NewDateTakesEffect(c *Conference, v Viewer) bool {
	return v.UserID != "" && (v.UserID == c.CaseManagerID || v.UserID == c.ChairID)
}
