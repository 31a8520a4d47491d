package store

import (
	"fmt"

	"github.com/caseconf/caseconf"
)

// KindNoConsentDPO tells a data-protection lead (CASECONF_DPO) that a
// conference was scheduled under a recognised reason to meet without the
// client's consent. subject: the conference; to each DPO.
const KindNoConsentDPO = "no_consent_dpo"

// noConsentMessages are the DPO notices a conference scheduled without
// consent calls for: one per DPO.
func noConsentMessages(c *caseconf.Conference, consent caseconf.Consent, dpo []string) []Outbox {
	if consent.Method != caseconf.ConsentNone {
		return nil
	}
	var out []Outbox
	seen := map[string]bool{}
	for _, id := range dpo {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, Outbox{Kind: KindNoConsentDPO, DedupKey: fmt.Sprintf("%s:%d:%s", KindNoConsentDPO, c.ID, id),
			RecipientID: id, ConferenceID: c.ID, SubjectID: c.ID})
	}
	return out
}
