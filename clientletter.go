package caseconf

// The letter to the client about what was agreed: the case manager sends
// it (the toolkit makes the lead worker responsible for the client being
// made aware of the plan), drafted from the recorded outcome.

// CanDraftClientLetter decides whether v may draft the letter to the
// client of conference c: its case manager only, once the outcome is
// recorded, for a conference that was not cancelled, and not from a
// professionals-only meeting held without the client before the main one
// (the client hears the plan from that). To someone who may
// not see the conference it does not exist.
func CanDraftClientLetter(c *Conference, v Viewer) error {
	switch {
	case c == nil || !CanSee(c, v):
		return notFound()
	case v.UserID != c.CaseManagerID:
		return Errorf(EFORBIDDEN, "Only the case manager can draft the letter to the client.")
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference has been cancelled.")
	case c.Status != StatusRecorded:
		return Errorf(ECONFLICT, "The outcome of %s is not recorded yet, so there is nothing agreed to write to the client about.", c.Ref)
	case !c.ClientAttends && c.ClientAbsence == AbsenceProfessionalsOnly:
		return Errorf(ECONFLICT, "%s was a professionals-only meeting before the main one: the client hears the plan at the main conference, so no letter is drafted from this one.", c.Ref)
	}
	return nil
}

// ClientLetterCautions lists what the case manager should weigh before
// sending the letter to the client of c: why the client was not there,
// the basis for sharing without their consent, and how the conference
// said the client would be told. Each is safe to show the case manager,
// and only them.
func ClientLetterCautions(c *Conference) []string {
	var out []string
	absent := func(circumstance string) bool { return !c.ClientAttends && c.ClientAbsence == circumstance }
	without := func(basis string) bool { return c.Consent.Method == ConsentNone && c.Consent.NoConsentReason == basis }
	if absent(AbsenceNotCapable) || without(BasisLacksCapacity) {
		out = append(out, "The client was recorded as lacking capacity: share the plan with them in a way they can follow, and with whoever supports them.")
	}
	if absent(AbsenceRiskOfViolence) || without(BasisRiskToOthers) {
		out = append(out, "The conference was recorded as involving a risk of violence or of serious harm to others: decide with the chair how and where the client is told, and take out anything that could put someone at risk.")
	}
	if without(BasisRiskToClient) {
		out = append(out, "Information was shared without the client's consent to protect them (safeguarding): take out anything that could put them at risk if someone else reads the letter.")
	}
	if absent(AbsenceCannotBeLocated) || without(BasisCannotBeFound) {
		out = append(out, "The client could not be located when the conference was called: check you have a safe address for them before sending anything.")
	}
	if absent(AbsenceChildWelfare) {
		out = append(out, "The client was not at the meeting for child-welfare reasons, decided by "+c.ChildCareManager+": agree with them what the client is told.")
	}
	if !c.ClientAttends && c.ClientToldHow != "" {
		out = append(out, "When the conference was called, you said the client would be told: "+c.ClientToldHow)
	}
	return out
}
