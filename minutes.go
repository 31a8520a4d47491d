package caseconf

import (
	"slices"
	"time"
)

// Who the minutes may go to.

// MinutesWithheld says why the minutes of conference c may not go to the
// Slack user userID on its share list, or "" when they may. It is the
// coverage rule of every other case detail: the case manager, chair and
// minute taker may have them; an invitee only once they have accepted the
// information-sharing agreement and if the client's consent covers their
// agency; anyone else on the share list only if the consent covers their
// agency (agencyKind, "" when caseconf does not know it). The reason is
// for the case manager and names no client.
func MinutesWithheld(c *Conference, userID, agencyKind string, now time.Time) string {
	if Organiser(c, Viewer{UserID: userID}) {
		return ""
	}
	if c.Consent.LapsedBy(now) {
		return "the client's consent ran out on " + c.Consent.ValidUntil.Format("2 January 2006") + ", before the minutes went round: renew it with them"
	}
	if inv := c.InviteeFor(userID); inv != nil {
		switch {
		case !inv.Accepted():
			return "they have not accepted the information-sharing and confidentiality agreement"
		case !c.Covered(inv):
			return "the client's consent does not cover their agency (" + Label(AgencyKinds, inv.AgencyKind) + ")"
		}
		return ""
	}
	switch {
	case agencyKind == "":
		return unknownAgency
	case !c.Consent.Covers(agencyKind):
		return "the client's consent does not cover their agency (" + Label(AgencyKinds, agencyKind) + ")"
	}
	return ""
}

const unknownAgency = "caseconf does not know which agency they work for, so the client's consent cannot be checked"

// MinutesStillGo says why the minutes of c, which MinutesWithheld let go
// to the Slack user userID when the outcome was recorded, must not go to
// them now, or "" when they may: what can change since is decided again
// (the consent running out or no longer covering their agency, an
// invitee's acceptance), not who organised the meeting. An organiser
// then may be an ordinary recipient now (the outgoing case manager, once
// a handover's outcome is recorded) whose agency caseconf never knew:
// they were entitled when it was decided, and still are.
func MinutesStillGo(c *Conference, userID, agencyKind string, now time.Time) string {
	if !slices.Contains(c.ShareList, userID) && !Organiser(c, Viewer{UserID: userID}) {
		return "they are no longer on the share list"
	}
	why := MinutesWithheld(c, userID, agencyKind, now)
	if why == unknownAgency {
		return ""
	}
	return why
}
