package bot

import (
	"fmt"

	"github.com/caseconf/caseconf"
)

// noConsentDPOMessage tells a data-protection lead that a conference was
// scheduled without the client's consent: the reference, the recognised
// reason and who scheduled it. Nothing else about the client.
func noConsentDPOMessage(c *caseconf.Conference, cal caseconf.Calendar) message {
	reason := "a recognised reason (since replaced by recorded consent)"
	if c.Consent.Method == caseconf.ConsentNone {
		reason = caseconf.Label(caseconf.NoConsentReasons, c.Consent.NoConsentReason)
	}
	text := fmt.Sprintf(":shield: *%s* (on %s) was scheduled by %s *without the client's consent*.\n*Reason:* %s",
		c.Ref, when(c.StartsAt, cal.Loc), user(c.CaseManagerID), escape(reason))
	return message{c.Ref + " was scheduled without consent", sections(text)}
}
