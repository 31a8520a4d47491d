package caseconf

// Handover: when a conference's outcome changes the lead agency or the
// case manager, a three-way handover meeting (the old case manager, the
// new one and the client) is called, filled in from the conference.

// HandoverDue reports whether the outcome o of conference c calls for a
// handover: the lead agency changed, or the case manager changed to
// someone else.
func HandoverDue(c *Conference, o *Outcome) bool {
	return o != nil && o.LeadChanged && (o.NewLeadAgency != "" || HandoverTo(c, o) != "")
}

// HandoverTo is the Slack user the outcome o of conference c hands the
// client to: the new case manager it names, when that is someone other
// than c's; "" when there is nobody on Slack to hand to (no outcome, no
// change, or a new lead agency only).
func HandoverTo(c *Conference, o *Outcome) string {
	if o == nil || !o.LeadChanged || o.NewCaseManagerID == c.CaseManagerID {
		return ""
	}
	return o.NewCaseManagerID
}

// CanReadHandover decides whether v may read what a handover from c is
// filled in from (its outcome among it), before that is read: its case
// manager only, who hands the client over; for anyone else it reads as a
// conference that does not exist.
func CanReadHandover(c *Conference, v Viewer) error {
	if !CanSee(c, v) || v.UserID != c.CaseManagerID {
		return notFound()
	}
	return nil
}

// CanCallHandover decides whether v may call the handover that the
// outcome o of conference c calls for, with the form filled in from c
// (its client, consent and the new case manager): its case manager only,
// who hands the client over; for anyone else it reads as a conference
// that does not exist.
func CanCallHandover(c *Conference, o *Outcome, v Viewer) error {
	if err := CanReadHandover(c, v); err != nil {
		return err
	}
	switch {
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference was cancelled, so there is nothing to hand over.")
	case !HandoverDue(c, o):
		return Errorf(ECONFLICT, "The outcome of %s did not change the lead agency or the case manager, so there is no handover to call.", c.Ref)
	}
	return nil
}
