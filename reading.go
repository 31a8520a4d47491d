package caseconf

import "time"

// What people may read on the day of a meeting and after it: the agency
// reports, the agenda, and their own open actions.

// ReportsReceived is how many invitees have sent an agency report.
func (c *Conference) ReportsReceived() int {
	n := 0
	for i := range c.Invitees {
		if c.Invitees[i].ReportSent() {
			n++
		}
	}
	return n
}

// CanReadReports decides whether v may read the text of the conference's
// agency reports: its chair (who reads out the reports of agencies not
// present), case manager and minute taker; and invitees who accepted the
// agreement, whose agency the client's consent covers, and who are
// bringing their agency to the meeting (attending, or sending a
// colleague). Nobody else: not administrators (they export the record),
// not people only on the share list, not an invitee who can't attend or
// has not answered, and never an invitee whose agency the consent does
// not cover. To someone who may not see the conference it does not exist;
// anyone else who may see it is told why not (they may still be told how
// many reports came).
//
// Once the client's consent has run out (at now), nobody but the chair,
// case manager and minute taker reads them: renewing it comes first.
func CanReadReports(c *Conference, v Viewer, now time.Time) error {
	if !CanSee(c, v) {
		return notFound()
	}
	if v.UserID != "" && (v.UserID == c.ChairID || v.UserID == c.CaseManagerID || v.UserID == c.MinuteTakerID) {
		return nil
	}
	inv := c.InviteeFor(v.UserID)
	switch {
	case c.Consent.LapsedBy(now):
		return Errorf(EFORBIDDEN, "The client's consent ran out on %s, so the agency reports for %s are not shared until the case manager renews it.", c.Consent.ValidUntil.Format("2 January 2006"), c.Ref)
	case inv == nil || !inv.Accepted():
		return Errorf(EFORBIDDEN, "The agency reports for %s are read by its chair, case manager and minute taker, and by the invitees attending.", c.Ref)
	case !c.Covered(inv):
		return Errorf(EFORBIDDEN, "The client's consent does not cover your agency, so you cannot read the agency reports for %s.", c.Ref)
	case !inv.Attends():
		return Errorf(EFORBIDDEN, "The agency reports for %s are shared with the invitees attending. If you (or a colleague) will be there, say so in your invitation first.", c.Ref)
	}
	return nil
}

// AgendaDue reports whether the meeting's agenda belongs on the
// conference as shown at now: from the start of the meeting's day (in
// the service's calendar) until its outcome is recorded, unless it was
// cancelled.
func AgendaDue(c *Conference, now time.Time, cal Calendar) bool {
	if c.Cancelled() || c.Status == StatusRecorded {
		return false
	}
	return !cal.Date(now).Before(cal.Date(c.StartsAt))
}

// OnActionList reports whether action a of conference c belongs on v's
// list of open actions (/caseconf actions): it is open, the conference
// was not cancelled, v may see the conference, and v owns the action, or
// v is the case manager and its owner is not on Slack (the case manager
// chases those: v is its ActionChaser). store/ filters with the same rule
// in SQL.
func OnActionList(c *Conference, a *Action, v Viewer) bool {
	switch {
	case c == nil || a == nil || a.ConferenceID != c.ID || v.UserID == "":
		return false
	case a.Closed() || c.Cancelled() || !CanSee(c, v):
		return false
	}
	return ActionChaser(a.OwnerID, c.CaseManagerID) == v.UserID
}

// RecentlyClosedDays is how long an action closed as not achieved or no
// longer needed stays on its chaser's lists, showing its state (one done
// leaves them at once, as it always has).
const RecentlyClosedDays = 14

// OnClosedList reports whether action a of conference c belongs, as of
// now, on v's list of recently closed actions (under their open ones in
// /caseconf actions and on Home): it was closed as not achieved or no
// longer needed within RecentlyClosedDays, and would have been on v's list of open actions
// (OnActionList) while it was open. store/ filters with the same rule in
// SQL.
func OnClosedList(c *Conference, a *Action, v Viewer, now time.Time) bool {
	if a == nil || !a.Status.ClosingStatus() || a.ClosedAt == nil || a.ClosedAt.Before(now.AddDate(0, 0, -RecentlyClosedDays)) {
		return false
	}
	open := *a
	open.Status = ActionOpen
	return OnActionList(c, &open, v)
}

// ActionChaser is who chases an action owned by ownerID (a Slack user; ""
// for an owner not on Slack) on a conference whose case manager is
// caseManagerID: its owner, or the case manager for an owner not on Slack.
// The one rule: the action list (OnActionList), the reminder policy and
// the reminders as sent apply it; store/ filters with the same rule in SQL.
func ActionChaser(ownerID, caseManagerID string) string {
	if ownerID == "" {
		return caseManagerID
	}
	return ownerID
}
