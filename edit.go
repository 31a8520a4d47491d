package caseconf

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Editing a conference: its case manager changes the date, time, length,
// place, purpose, reasons, chair, minute taker, the client's participation
// or who is invited, before the meeting. The client cannot change (that is
// a new conference). Agreements and answers are kept; each change is kept
// with what it was before (ConferenceEdit), and each person still involved
// is told once.

// CanEdit decides whether v may change conference c at now: only its case
// manager, while it is scheduled and has not started.
func CanEdit(c *Conference, v Viewer, now time.Time) error {
	switch {
	case !CanSee(c, v):
		return notFound()
	case c.CaseManagerID != v.UserID:
		return Errorf(EFORBIDDEN, "Only the case manager of %s can change it.", c.Ref)
	case c.Cancelled():
		return Errorf(ECONFLICT, "%s was cancelled, so it cannot be changed. Call a new conference with `/caseconf new`.", c.Ref)
	case c.Status != StatusScheduled || c.Started(now):
		return Errorf(ECONFLICT, "%s has already taken place, so it cannot be changed. To correct what was recorded, use `/caseconf record %s`.", c.Ref, c.Ref)
	}
	return nil
}

// EditStale is the refusal of a change made on a form opened before
// another change to the same conference was saved.
func EditStale(ref string) error {
	return Errorf(ECONFLICT, "%s changed since you opened this form: someone else saved a change first. Nothing you entered was saved. Please close this form and open it again with `/caseconf edit %s`.", ref, ref)
}

// ValidateEdit checks the scheduling form as an edit of conference c at
// now: the meeting part of the form (ScheduleForm.meeting); the notice
// rule only when the meeting moves (less than ten working days' notice
// of the new time needs an urgent reason), or, when it does not, to
// taking the urgency off (the notice it was called with must have been
// enough); and the client's consent,
// which must still run on the new date. The client and the consent are
// c's.
func (f ScheduleForm) ValidateEdit(c *Conference, now time.Time, cal Calendar) (Schedule, FieldErrors) {
	errs := FieldErrors{}
	s := Schedule{ClientRef: c.ClientRef, ClientName: c.ClientName, Consent: c.Consent}
	f.meeting(&s, now, cal, errs)
	moved := !s.StartsAt.IsZero() && !s.StartsAt.Equal(c.StartsAt)
	if !moved && c.Urgent && !s.Urgent && !s.StartsAt.IsZero() && errs[FieldUrgent] == "" {
		// Not moved, but no longer marked urgent: the notice it was
		// called with must then have been enough.
		called := c.CreatedAt
		if called.IsZero() {
			called = now
		}
		if days := cal.WorkingDaysNotice(called, c.StartsAt); days < MinNoticeWorkingDays {
			errs[FieldUrgent] = fmt.Sprintf("%s was called with %d working days' notice, less than the %d that is the norm, so it stays urgent. Keep it marked urgent and say why.",
				c.Ref, days, MinNoticeWorkingDays)
		}
	}
	if moved {
		s.notice(now, cal, errs)
		if until := c.Consent.ValidUntil; c.Consent.Method != ConsentNone && !until.IsZero() && until.Before(cal.Date(s.StartsAt)) && errs[FieldDate] == "" {
			errs[FieldDate] = fmt.Sprintf("The client's consent runs out on %s, before this date. Renew it first with `/caseconf consent %s`, or choose an earlier date.",
				until.Format("2 Jan 2006"), c.ClientRef)
		}
	}
	if len(errs) > 0 {
		return Schedule{}, errs
	}
	return s, nil
}

// ChangeField names what one change to a conference changed.
type ChangeField string

// What an edit can change. Before and After of a FieldChange hold, by
// field: a time (RFC 3339); minutes; text as typed; reason codes joined
// by commas; a Slack user ID; "yes"/"no" (and the reasons) for the
// client's participation and for urgency; an invitee (see Invited).
const (
	ChangeWhen          ChangeField = "starts_at"
	ChangeLength        ChangeField = "length"
	ChangePlace         ChangeField = "place"
	ChangePurpose       ChangeField = "purpose"
	ChangeReasons       ChangeField = "reasons"
	ChangeChair         ChangeField = "chair"
	ChangeMinuteTaker   ChangeField = "minute_taker"
	ChangeParticipation ChangeField = "client_attends"
	ChangeUrgent        ChangeField = "urgent"
	// ChangeInvited is someone invited (After) and ChangeUninvited someone
	// no longer invited (Before): a Slack user ID, or "name (agency)" of
	// someone not on Slack. ChangeExternal is the details of someone not
	// on Slack corrected, as "name (agency)".
	ChangeInvited   ChangeField = "invited"
	ChangeUninvited ChangeField = "uninvited"
	ChangeExternal  ChangeField = "external"
)

// FieldChange is one thing an edit changed, with what it was before.
type FieldChange struct {
	Field  ChangeField `json:"field"`
	Before string      `json:"before,omitempty"`
	After  string      `json:"after,omitempty"`
}

// ConferenceEdit is one saved change to a conference: who made it, when,
// what each changed thing was before and became, and the calendar
// SEQUENCE it raised the conference to.
type ConferenceEdit struct {
	ID           int64
	ConferenceID int64
	Sequence     int
	By           string
	At           time.Time
	Changes      []FieldChange
}

// Has reports whether the edit changed f.
func (e *ConferenceEdit) Has(f ChangeField) bool {
	for _, c := range e.Changes {
		if c.Field == f {
			return true
		}
	}
	return false
}

// Moved reports whether the edit moved the meeting's start.
func (e *ConferenceEdit) Moved() bool { return e.Has(ChangeWhen) }

// Uninvited reports whether the edit took Slack user userID off the
// invitation list.
func (e *ConferenceEdit) Uninvited(userID string) bool {
	for _, c := range e.Changes {
		if c.Field == ChangeUninvited && c.Before == userID {
			return true
		}
	}
	return false
}

// Fields lists the names of what the edit changed, once each, for the
// audit log (which holds no free text).
func (e *ConferenceEdit) Fields() string {
	var names []string
	for _, c := range e.Changes {
		if !slices.Contains(names, string(c.Field)) {
			names = append(names, string(c.Field))
		}
	}
	return strings.Join(names, ",")
}

// EditPlan is what saving an edit changes: the new schedule, each thing
// changed with what it was before, and who is invited and uninvited.
type EditPlan struct {
	Schedule
	Changes []FieldChange
	// InviteSlack are Slack users newly invited; AddExternal, people not
	// on Slack newly invited; UpdateExternal, people not on Slack whose
	// details were corrected (by invitee ID); Uninvite, the invitees
	// (on Slack or not) taken off.
	InviteSlack    []string
	AddExternal    []ExternalInvitee
	UpdateExternal []ExternalInvitee
	Uninvite       []int64
}

// Empty reports whether the edit changes nothing.
func (p EditPlan) Empty() bool { return len(p.Changes) == 0 }

// PlanEdit works out what saving schedule s (ValidateEdit's) over
// conference c changes. Rows of s.External carry the ID of the invitee
// not on Slack they stand for, or 0 for someone new; an ID that is not an
// invitee of c not on Slack is refused (EINVALID).
func PlanEdit(c *Conference, s Schedule) (EditPlan, error) {
	p := EditPlan{Schedule: s}
	add := func(f ChangeField, before, after string) {
		if before != after {
			p.Changes = append(p.Changes, FieldChange{Field: f, Before: before, After: after})
		}
	}
	add(ChangeWhen, c.StartsAt.UTC().Format(time.RFC3339), s.StartsAt.UTC().Format(time.RFC3339))
	add(ChangeLength, strconv.Itoa(c.DurationMinutes), strconv.Itoa(s.LengthMinutes))
	add(ChangePlace, c.Place, s.Place)
	add(ChangePurpose, c.Purpose, s.Purpose)
	add(ChangeReasons, strings.Join(c.Reasons, ","), strings.Join(s.Reasons, ","))
	add(ChangeChair, c.ChairID, s.Chair)
	add(ChangeMinuteTaker, c.MinuteTakerID, s.MinuteTaker)
	add(ChangeParticipation, participation(c.ClientAttends, c.ClientAbsence, c.ChildCareManager, c.ClientToldHow),
		participation(s.ClientAttends, s.ClientAbsence, s.ChildCareManager, s.ClientToldHow))
	add(ChangeUrgent, urgency(c.Urgent, c.UrgentReason), urgency(s.Urgent, s.UrgentReason))

	wanted := map[string]bool{}
	for _, u := range s.SlackInvitees {
		wanted[u] = true
		if c.InviteeFor(u) == nil {
			p.InviteSlack = append(p.InviteSlack, u)
			p.Changes = append(p.Changes, FieldChange{Field: ChangeInvited, After: u})
		}
	}
	kept := map[int64]bool{}
	for _, row := range s.External {
		if row.ID == 0 {
			p.AddExternal = append(p.AddExternal, row)
			p.Changes = append(p.Changes, FieldChange{Field: ChangeInvited, After: ExternalName(row.Name, row.Agency)})
			continue
		}
		inv := c.Invitee(row.ID)
		if inv == nil || inv.OnSlack() || kept[row.ID] {
			return EditPlan{}, Errorf(EINVALID, "This form no longer matches the people invited. Please close it and open it again.")
		}
		kept[row.ID] = true
		was := ExternalInvitee{ID: inv.ID, Name: inv.Name, Role: inv.Role, Agency: inv.Agency, AgencyKind: inv.AgencyKind, Email: inv.Email, Phone: inv.Phone}
		if row != was {
			p.UpdateExternal = append(p.UpdateExternal, row)
			p.Changes = append(p.Changes, FieldChange{Field: ChangeExternal, Before: ExternalName(was.Name, was.Agency), After: ExternalName(row.Name, row.Agency)})
		}
	}
	for _, inv := range c.Invitees {
		switch {
		case inv.OnSlack() && !wanted[inv.SlackUserID]:
			p.Uninvite = append(p.Uninvite, inv.ID)
			p.Changes = append(p.Changes, FieldChange{Field: ChangeUninvited, Before: inv.SlackUserID})
		case !inv.OnSlack() && !kept[inv.ID]:
			p.Uninvite = append(p.Uninvite, inv.ID)
			p.Changes = append(p.Changes, FieldChange{Field: ChangeUninvited, Before: ExternalName(inv.Name, inv.Agency)})
		}
	}
	return p, nil
}

// ExternalName is how a change names someone not on Slack: their name,
// and their agency in brackets when known.
func ExternalName(name, agency string) string {
	if agency == "" {
		return name
	}
	return name + " (" + agency + ")"
}

// participation is the client's participation as a change's Before or
// After: "yes", or "no", the circumstance, who decided (child-welfare
// reasons) and how they will be told, a line each.
func participation(attends bool, absence, decidedBy, told string) string {
	if attends {
		return "yes"
	}
	return "no\n" + absence + "\n" + decidedBy + "\n" + told
}

func urgency(urgent bool, reason string) string {
	if !urgent {
		return "no"
	}
	return "yes\n" + reason
}

// ChangeNotice is who is told of an edit, and how: Changed are told what
// changed (each once, whatever their roles), Dropped that they are no
// longer part of the conference. The case manager, who made the edit, is
// neither.
type ChangeNotice struct {
	Changed, Dropped []string
}

// NoticeOfEdit is who edit e of conference c (as it is after the edit;
// before is as it was) tells: every Slack user still invited who was
// invited before, and a chair or minute taker who was not an invitee, are
// told what changed; a Slack user taken off the invitation list, or no
// longer chair or minute taker and not otherwise involved, that they are
// no longer part of it. Someone newly invited gets the invitation
// instead.
func NoticeOfEdit(before, after *Conference) ChangeNotice {
	var n ChangeNotice
	seen := map[string]bool{after.CaseManagerID: true}
	tell := func(list *[]string, u string) {
		if u != "" && !seen[u] {
			seen[u] = true
			*list = append(*list, u)
		}
	}
	for _, inv := range after.Invitees {
		if inv.OnSlack() && before.InviteeFor(inv.SlackUserID) == nil {
			seen[inv.SlackUserID] = true // invited now: the invitation tells them
		}
	}
	for _, inv := range after.Invitees {
		tell(&n.Changed, inv.SlackUserID)
	}
	tell(&n.Changed, after.ChairID)
	tell(&n.Changed, after.MinuteTakerID)
	for _, inv := range before.Invitees {
		tell(&n.Dropped, inv.SlackUserID)
	}
	tell(&n.Dropped, before.ChairID)
	tell(&n.Dropped, before.MinuteTakerID)
	return n
}

// Describe is what edit e changed, each thing with what it was before, as
// plain text for the conference's record (times in loc). It holds what
// was typed: it is for those who may read the whole record, never for a
// log.
func (e *ConferenceEdit) Describe(loc *time.Location) string {
	var parts []string
	for _, c := range e.Changes {
		before, after := c.Before, c.After
		switch c.Field {
		case ChangeWhen:
			for _, s := range []*string{&before, &after} {
				if t, err := time.Parse(time.RFC3339, *s); err == nil {
					*s = t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
				}
			}
		case ChangeReasons:
			before, after = reasonLabels(before), reasonLabels(after)
		case ChangeParticipation, ChangeUrgent:
			before, after = strings.ReplaceAll(before, "\n", "; "), strings.ReplaceAll(after, "\n", "; ")
		}
		switch c.Field {
		case ChangeInvited:
			parts = append(parts, "invited "+after)
		case ChangeUninvited:
			parts = append(parts, "no longer invited: "+before)
		default:
			parts = append(parts, fmt.Sprintf("%s: %q, was %q", changeNames[c.Field], after, before))
		}
	}
	return strings.Join(parts, "; ")
}

var changeNames = map[ChangeField]string{
	ChangeWhen: "date and time", ChangeLength: "length (minutes)", ChangePlace: "place", ChangePurpose: "purpose and aims",
	ChangeReasons: "reasons", ChangeChair: "chair", ChangeMinuteTaker: "minute taker", ChangeParticipation: "client attends",
	ChangeUrgent: "urgent", ChangeExternal: "details of",
}

func reasonLabels(codes string) string {
	if codes == "" {
		return ""
	}
	var out []string
	for _, c := range strings.Split(codes, ",") {
		out = append(out, Label(ConferenceReasons, c))
	}
	return strings.Join(out, ", ")
}
