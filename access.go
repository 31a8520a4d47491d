package caseconf

import (
	"slices"
	"time"
)

// Who may do what with a conference. Each rule is decided here,
// once, on plain values: store/ enforces it inside its transactions on the
// rows it has locked, and bot/ calls the same function when it can refuse
// before asking the store. A rule that refuses returns an *Error whose
// message is safe to show the user.

// Viewer is the Slack user something is done for.
type Viewer struct {
	UserID string
	Admin  bool // a configured administrator (CASECONF_ADMINS)
}

// Admins is the set of configured administrators.
type Admins map[string]bool

// NewAdmins makes the set from Slack user IDs.
func NewAdmins(ids []string) Admins {
	a := Admins{}
	for _, id := range ids {
		if id != "" {
			a[id] = true
		}
	}
	return a
}

// IsAdmin reports whether the Slack user is an administrator.
func (a Admins) IsAdmin(userID string) bool { return userID != "" && a[userID] }

// Viewer is the user as the access rules see them.
func (a Admins) Viewer(userID string) Viewer { return Viewer{UserID: userID, Admin: a.IsAdmin(userID)} }

// CanGovern decides whether v may use the governance tools: a
// conference's audit trail, everything held about a client (subject
// access) and erasure. Administrators only; to anyone else they do not
// exist.
func CanGovern(v Viewer) error {
	if !v.Admin || v.UserID == "" {
		return notFound()
	}
	return nil
}

// notFound is the one answer for a conference that does not exist and for
// one the viewer may not see: they must read the same.
func notFound() *Error {
	return Errorf(ENOTFOUND, "There is no conference with that reference that you can see.")
}

// NotFound is the error for a conference that does not exist, or that the
// asking user may not see.
func NotFound() error { return notFound() }

// Organiser reports whether v runs the conference (case manager, chair or
// minute taker) or administers the service: they see everything, including
// the client's full name.
func Organiser(c *Conference, v Viewer) bool {
	return v.Admin || (v.UserID != "" && (v.UserID == c.CaseManagerID || v.UserID == c.ChairID || v.UserID == c.MinuteTakerID))
}

// CanSee reports whether v may see the conference at all: its case
// manager, chair and minute taker, invitees who accepted the agreement,
// Slack users on its share list (who see its case details only as
// CanSeeDetails allows), and administrators. To anyone else it does not
// exist. store/ filters lists with the same rule in SQL.
func CanSee(c *Conference, v Viewer) bool {
	if Organiser(c, v) {
		return true
	}
	if inv := c.InviteeFor(v.UserID); inv != nil && inv.Accepted() {
		return true
	}
	for _, u := range c.ShareList {
		if u == v.UserID && u != "" {
			return true
		}
	}
	return false
}

// CanSeeDetails reports whether v may see the case details (the client's
// reference and name, purpose, reasons, the client's participation, the
// cancellation reason) of a conference they may see. The one rule for
// everyone who does not run it: organisers always; anyone else only once
// they have accepted the information-sharing agreement, naming their
// agency, and only while the client's consent covers that agency. An
// invitee accepts on their invitation; someone on the share list who was
// not invited is offered it by a button (CanAcceptShare). Where and when
// the meeting is, and who called it, every invitee is told: they cannot
// attend otherwise.
func CanSeeDetails(c *Conference, v Viewer) bool {
	if !CanSee(c, v) {
		return false
	}
	if Organiser(c, v) {
		return true
	}
	if inv := c.InviteeFor(v.UserID); inv != nil {
		return inv.Accepted() && c.Covered(inv)
	}
	if s := c.SharerFor(v.UserID); s != nil {
		return s.Accepted() && c.Consent.Covers(s.AgencyKind)
	}
	return false
}

// CanAcceptShare decides whether the Slack user may accept the
// information-sharing agreement of c as someone on its share list who
// was not invited: only such a person (an invitee accepts on their
// invitation; the organisers need none). To anyone else it reads as a
// conference that does not exist. Accepting again keeps the first time.
func CanAcceptShare(c *Conference, userID string) error {
	if userID == "" || !slices.Contains(c.ShareList, userID) || c.InviteeFor(userID) != nil || Organiser(c, Viewer{UserID: userID}) {
		return notFound()
	}
	return nil
}

// OffersShareAgreement reports whether the Slack user, on c's share list
// and not invited, is still to accept its agreement: show offers it to
// them with a button.
func OffersShareAgreement(c *Conference, userID string) bool {
	return CanAcceptShare(c, userID) == nil && !c.SharerFor(userID).Accepted()
}

// CanCancel decides whether v may cancel the conference: only its case
// manager, and only while it is scheduled.
func CanCancel(c *Conference, v Viewer) error {
	switch {
	case !CanSee(c, v):
		return notFound()
	case c.CaseManagerID != v.UserID:
		return Errorf(EFORBIDDEN, "Only the case manager can cancel this conference.")
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference is already cancelled.")
	case c.Status != StatusScheduled:
		return Errorf(ECONFLICT, "This conference has already taken place, so it cannot be cancelled.")
	}
	return nil
}

// CanDraftLetter decides whether v may draft a letter to the invitee (one
// not on Slack, a GP say): the case manager only, while the conference is
// on, and only to an agency the client's consent covers.
func CanDraftLetter(c *Conference, v Viewer, to *Invitee) error {
	switch {
	case !CanSee(c, v):
		return notFound()
	case c.CaseManagerID != v.UserID:
		return Errorf(EFORBIDDEN, "Only the case manager can draft letters for this conference.")
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference has been cancelled.")
	case to == nil || to.OnSlack():
		return Errorf(ENOTFOUND, "That invitee is no longer on this conference.")
	case !c.Covered(to):
		return Errorf(EFORBIDDEN, "The client's consent does not cover %s, so a letter with case details cannot be drafted for them. Record consent that covers this kind of agency first.",
			Label(AgencyKinds, to.AgencyKind))
	}
	return nil
}

// CanDeclareAgency reports whether an invitee may say which agency they
// work for: only while it is not known. Once recorded (and consent
// coverage decided on it) it cannot be changed by re-accepting the
// agreement, or an uncovered invitee could name a covered kind.
func CanDeclareAgency(inv *Invitee) bool { return inv.AgencyKind == "" }

// ownInvitation is the check shared by every rule about an invitation:
// only the invitee's own Slack user may act on it.
func ownInvitation(inv *Invitee, userID string) error {
	if inv == nil || !inv.OnSlack() || inv.SlackUserID != userID {
		return notFound()
	}
	return nil
}

// acceptedInvitation is the check shared by acting on an invitation once
// the agreement is accepted: the invitee themselves, agreement accepted,
// conference not cancelled.
func acceptedInvitation(c *Conference, inv *Invitee, userID string) error {
	if err := ownInvitation(inv, userID); err != nil {
		return err
	}
	switch {
	case !inv.Accepted():
		return Errorf(ENOTREADY, "Please read and accept the information-sharing and confidentiality agreement first.")
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference has been cancelled.")
	}
	return nil
}

// CanReadInvitation decides whether the Slack user may read the invitation
// inv (its reference, date and agenda) before accepting the agreement:
// only the invitee themselves.
func CanReadInvitation(inv *Invitee, userID string) error { return ownInvitation(inv, userID) }

// CanAccept decides whether the Slack user may accept the agreement for
// the invitation inv: the invitee themselves, while the conference is on.
// Accepting again is allowed (it keeps the first time).
func CanAccept(c *Conference, inv *Invitee, userID string) error {
	if err := ownInvitation(inv, userID); err != nil {
		return err
	}
	if c.Cancelled() {
		return Errorf(ECONFLICT, "This conference has been cancelled.")
	}
	return nil
}

// CanAnswer decides whether the Slack user may answer the invitation inv
// at now: the invitee themselves, after accepting the agreement, while the
// conference is on and has not started.
func CanAnswer(c *Conference, inv *Invitee, userID string, now time.Time) error {
	if err := acceptedInvitation(c, inv, userID); err != nil {
		return err
	}
	if c.Started(now) || c.Status != StatusScheduled {
		return Errorf(ECONFLICT, "The meeting has started, so answers can no longer be changed.")
	}
	return nil
}

// CanWriteReport decides whether the Slack user may write an agency report
// for the conference: an invitee who accepted the agreement and whose
// agency the client's consent covers, until the outcome is recorded.
func CanWriteReport(c *Conference, inv *Invitee, userID string) error {
	if err := acceptedInvitation(c, inv, userID); err != nil {
		return err
	}
	switch {
	case c.Status == StatusRecorded:
		return Errorf(ECONFLICT, "The outcome of this conference is recorded, so reports are closed.")
	case !c.Covered(inv):
		return Errorf(EFORBIDDEN, "The client's consent does not cover your agency, so you cannot share a report for this conference. The case manager knows.")
	}
	return nil
}

// CanRecordOutcome decides whether v may record the outcome: the chair,
// the minute taker or the case manager, once the meeting has started, for
// a conference that was not cancelled and whose outcome is not recorded
// yet. To anyone else the conference reads
// as one that does not exist.
func CanRecordOutcome(c *Conference, v Viewer, now time.Time) error {
	switch {
	case v.UserID == "" || (v.UserID != c.ChairID && v.UserID != c.MinuteTakerID && v.UserID != c.CaseManagerID):
		return notFound()
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference has been cancelled.")
	case c.Status == StatusRecorded:
		return Errorf(ECONFLICT, "The outcome of %s is already recorded and its minutes have gone round.", c.Ref)
	case !c.Started(now):
		return Errorf(ECONFLICT, "The meeting has not started yet, so there is no outcome to record.")
	}
	return nil
}

// CanScheduleReview decides whether v may call the review of c from it,
// with the form filled in from c (its client, invitees and reasons): its
// case manager only; for anyone else it reads as a conference that does
// not exist.
func CanScheduleReview(c *Conference, v Viewer) error {
	switch {
	case !CanSee(c, v) || c.CaseManagerID != v.UserID:
		return notFound()
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference was cancelled, so there is nothing to review.")
	}
	return nil
}

// CanExport decides whether v may export the whole record of c: every
// invitee's answers and reports whatever their agency, the outcome, the
// action plan and the log of disclosures, as a file that can leave Slack
// (it follows the client to a new service). Only whoever may see all of
// it and answers for the client's record may: its case manager and the
// administrators. The chair and minute taker see the record in Slack but
// do not take it out; to anyone who may not see the conference at all it
// does not exist.
func CanExport(c *Conference, v Viewer) error {
	switch {
	case !CanSee(c, v):
		return notFound()
	case v.Admin, v.UserID != "" && v.UserID == c.CaseManagerID:
		return nil
	}
	return Errorf(EFORBIDDEN, "Only the case manager of %s or a caseconf administrator can export its record.", c.Ref)
}

// CanChangeConsent decides whether v may change the consent of a client
// whose case manager is caseManagerID: that case manager, or an
// administrator. To anyone else the client reads as one that is not
// there.
func CanChangeConsent(caseManagerID string, v Viewer) error {
	if v.UserID == "" || (!v.Admin && v.UserID != caseManagerID) {
		return consentNotFound()
	}
	return nil
}

// CanCorrectAgency decides whether v may correct the agency (its name and
// kind) of invitee inv of c, chosen wrongly or changed with their job:
// the case manager only, while the conference is not cancelled. The kind
// decides what the client's consent lets the invitee see; it is decided
// again on the corrected kind at every read and every send. To anyone
// who may not see the conference it does not exist.
func CanCorrectAgency(c *Conference, v Viewer, inv *Invitee) error {
	if err := canCorrectAgencies(c, v); err != nil {
		return err
	}
	if inv == nil {
		return Errorf(ENOTFOUND, "That invitee is no longer on this conference.")
	}
	return nil
}

// CanCorrectShareAgency decides whether v may correct the agency (its
// name and kind) that sh, on c's share list and not invited, named when
// accepting the agreement: as for an invitee (CanCorrectAgency), the case
// manager only; the kind they chose decides what the client's consent
// lets them see, and nobody else checks it. Before they accept there is
// nothing to correct: they name it then.
func CanCorrectShareAgency(c *Conference, v Viewer, sh *Sharer) error {
	if err := canCorrectAgencies(c, v); err != nil {
		return err
	}
	if !sh.Accepted() {
		return Errorf(ENOTFOUND, "That person is no longer on the share list, or has not accepted its agreement yet.")
	}
	return nil
}

// canCorrectAgencies is what correcting anyone's agency on c needs: v is
// its case manager, and it is not cancelled.
func canCorrectAgencies(c *Conference, v Viewer) error {
	switch {
	case !CanSee(c, v):
		return notFound()
	case v.UserID == "" || v.UserID != c.CaseManagerID:
		return Errorf(EFORBIDDEN, "Only the case manager of %s can correct an invitee's agency.", c.Ref)
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference has been cancelled.")
	}
	return nil
}

// CheckAgency checks an agency named and the kind chosen for it: it
// returns what is wrong with each ("" when nothing), for the form's two
// fields.
func CheckAgency(name, kind string) (nameProblem, kindProblem string) {
	if !Visible(name) {
		nameProblem = "Please name the agency."
	} else {
		nameProblem = CheckText(name, MaxShortText, false)
	}
	if Label(AgencyKinds, kind) == kind {
		kindProblem = "Please choose the kind of agency."
	}
	return nameProblem, kindProblem
}
