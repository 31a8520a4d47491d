package caseconf

import (
	"slices"
	"time"
)

// Who the minutes may go to.

// MinutesWithheld says why the minutes of conference c may not go to the
// Slack user userID on its share list, or "" when they may. It is the
// rule of every other case detail (CanSeeDetails): the case manager,
// chair and minute taker may have them; anyone else only once they have
// accepted the information-sharing agreement (an invitee on their
// invitation, anyone else on the share list when offered it) and if the
// client's consent covers their agency. The reason is for the case
// manager and names no client.
func MinutesWithheld(c *Conference, userID string, now time.Time) string {
	if Organiser(c, Viewer{UserID: userID}) {
		return ""
	}
	if c.Consent.LapsedBy(now) {
		return "the client's consent ran out on " + c.Consent.ValidUntil.Format("2 January 2006") + ", before the minutes went round: renew it with them"
	}
	kind := ""
	if inv := c.InviteeFor(userID); inv != nil {
		if !inv.Accepted() {
			return notAccepted
		}
		kind = inv.AgencyKind
	} else {
		s := c.SharerFor(userID)
		if !s.Accepted() {
			return notAcceptedShare
		}
		kind = s.AgencyKind
	}
	if !c.Consent.Covers(kind) {
		return "the client's consent does not cover their agency (" + Label(AgencyKinds, kind) + ")"
	}
	return ""
}

const (
	notAccepted      = "they have not accepted the information-sharing and confidentiality agreement"
	notAcceptedShare = "they have not accepted the information-sharing and confidentiality agreement yet: they were offered it, and the minutes go to them once they accept it, if the client's consent covers their agency"
)

// MinutesStillGo says why the minutes of c, which MinutesWithheld let go
// to the Slack user userID when the outcome was recorded, must not go to
// them now, or "" when they may: what can change since is decided again
// (the consent running out or no longer covering their agency), not who
// organised the meeting. An organiser then may be an ordinary recipient
// now (the outgoing case manager, once a handover's outcome is recorded)
// who never accepted the agreement as someone on the share list: they
// were entitled when it was decided, and still are.
func MinutesStillGo(c *Conference, userID string, now time.Time) string {
	if !slices.Contains(c.ShareList, userID) && !Organiser(c, Viewer{UserID: userID}) {
		return "they are no longer on the share list"
	}
	why := MinutesWithheld(c, userID, now)
	if why == notAcceptedShare {
		return ""
	}
	return why
}
