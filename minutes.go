package caseconf

import "time"

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
		return "caseconf does not know which agency they work for, so the client's consent cannot be checked"
	case !c.Consent.Covers(agencyKind):
		return "the client's consent does not cover their agency (" + Label(AgencyKinds, agencyKind) + ")"
	}
	return ""
}
