package caseconf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Reasons a conference is called.
var Reasons = []Option{
	{"problem_solving", "Problem solving and goal setting"},
	{"accommodation_move", "A move between accommodation projects"},
	{"coordinating_services", "Coordinating services"},
	{"complex_health", "Complex health or substance use"},
	{"potential_crisis", "A potential crisis"},
	{"advocacy", "Advocacy"},
	{"eviction_risk", "Risk of eviction or abandonment"},
	{"safeguarding", "Safeguarding"},
	{"lead_not_agreed", "Lead agency / case manager cannot be agreed"},
	{"case_transfer", "Transfer of case management"},
	{"services_disagree", "Services disagree on the plan"},
	{"client_asked", "The client asked for it"},
}

// Limits on free text, inside Block Kit's own (3,000 characters for a
// plain_text_input, 150 for option text).
const (
	MaxClientRef  = 64
	MaxClientName = 200
	MaxPurpose    = 3000
	MaxPlace      = 500
	MaxShortText  = 200
	MaxReasonText = 500
	MaxLength     = 8 * 60 // minutes
)

// ExternalInvitee is someone invited who is not on Slack (a GP surgery, say).
type ExternalInvitee struct {
	Name, Role, Agency, AgencyKind, Contact string
}

// ScheduleForm is the scheduling form as typed: every value is the raw
// string the form gave, so validation can say exactly what is wrong.
type ScheduleForm struct {
	ClientRef, ClientName string
	Reasons               []string
	Purpose               string
	Date, Time            string // "2006-01-02", "15:04" in the service's zone
	Length                string // minutes
	Place                 string
	SlackInvitees         []string
	External              []ExternalInvitee // rows as typed; blank rows are dropped
	Chair, MinuteTaker    string
	ClientAttends         string // "yes" or "no"
	ClientAbsenceReason   string
	ClientToldHow         string
	ConsentMethod         string
	ConsentGiven          string // date
	ConsentUntil          string // date; blank means six months after given
	NoConsentReason       string
	NoConsentExplanation  string
	AgencyKinds           []string
	Urgent                bool
	UrgentReason          string
}

// Schedule is a validated request to call a conference.
type Schedule struct {
	ClientRef, ClientName string
	Reasons               []string
	Purpose               string
	StartsAt              time.Time
	LengthMinutes         int
	Place                 string
	SlackInvitees         []string
	External              []ExternalInvitee
	Chair, MinuteTaker    string
	ClientAttends         bool
	ClientAbsenceReason   string
	ClientToldHow         string
	Consent               Consent
	Urgent                bool
	UrgentReason          string
	NoticeWorkingDays     int
}

// FieldErrors maps a form field (its block ID) to what is wrong with it.
type FieldErrors map[string]string

// Form field names; the bot uses them as block IDs so errors land on the
// right input.
const (
	FieldClientRef       = "client_ref"
	FieldClientName      = "client_name"
	FieldReasons         = "reasons"
	FieldPurpose         = "purpose"
	FieldDate            = "date"
	FieldTime            = "time"
	FieldLength          = "length"
	FieldPlace           = "place"
	FieldSlackInvitees   = "invitees"
	FieldChair           = "chair"
	FieldMinuteTaker     = "minute_taker"
	FieldClientAttends   = "client_attends"
	FieldAbsenceReason   = "absence_reason"
	FieldToldHow         = "told_how"
	FieldConsentMethod   = "consent_method"
	FieldConsentGiven    = "consent_given"
	FieldConsentUntil    = "consent_until"
	FieldNoConsentReason = "no_consent_reason"
	FieldNoConsentWhy    = "no_consent_why"
	FieldAgencyKinds     = "agency_kinds"
	FieldUrgent          = "urgent"
	FieldUrgentReason    = "urgent_reason"
)

// ExternalField names the block of one field of external invitee row i
// (0-based): "ext_name_0", "ext_agency_kind_2", ...
func ExternalField(field string, i int) string { return "ext_" + field + "_" + strconv.Itoa(i) }

// Validate checks a scheduling form as of now. It returns the Schedule, or
// every problem found keyed by field.
func (f ScheduleForm) Validate(now time.Time, cal Calendar) (Schedule, FieldErrors) {
	errs := FieldErrors{}
	s := Schedule{
		ClientRef:           strings.TrimSpace(f.ClientRef),
		ClientName:          strings.TrimSpace(f.ClientName),
		Purpose:             strings.TrimSpace(f.Purpose),
		Place:               strings.TrimSpace(f.Place),
		Chair:               f.Chair,
		MinuteTaker:         f.MinuteTaker,
		ClientAbsenceReason: strings.TrimSpace(f.ClientAbsenceReason),
		ClientToldHow:       strings.TrimSpace(f.ClientToldHow),
		Urgent:              f.Urgent,
		UrgentReason:        strings.TrimSpace(f.UrgentReason),
	}
	text := func(field, v, what string, max int, required bool) {
		switch {
		case v == "" && required:
			errs[field] = "Please enter " + what + "."
		case required && !Visible(v):
			errs[field] = "Please enter " + what + " in characters that can be seen: this has only spaces or invisible characters."
		default:
			if msg := CheckText(v, max, field == FieldPurpose); msg != "" {
				errs[field] = msg
			}
		}
	}
	s.ClientRef = trimInvisible(s.ClientRef)
	text(FieldClientRef, s.ClientRef, "the client's reference", MaxClientRef, true)
	if errs[FieldClientRef] == "" && strings.IndexFunc(s.ClientRef, func(r rune) bool { return r != ' ' && invisible(r) }) >= 0 {
		// Two references that look the same must be the same reference.
		errs[FieldClientRef] = "Please retype the reference: it contains invisible characters (zero-width or text-direction marks)."
	}
	text(FieldClientName, s.ClientName, "", MaxClientName, false)
	text(FieldPurpose, s.Purpose, "the purpose and aims", MaxPurpose, true)
	text(FieldPlace, s.Place, "the place or video link", MaxPlace, true)

	for _, r := range f.Reasons {
		if !isOption(Reasons, r) {
			errs[FieldReasons] = "Please choose reasons from the list."
		}
	}
	s.Reasons = f.Reasons
	if len(f.Reasons) == 0 {
		errs[FieldReasons] = "Please choose at least one reason for the conference."
	}

	// When.
	date, dateErr := time.ParseInLocation(DateLayout, f.Date, cal.Loc)
	clock, timeErr := time.Parse("15:04", f.Time)
	switch {
	case dateErr != nil:
		errs[FieldDate] = "Please choose the date."
	case timeErr != nil:
		errs[FieldTime] = "Please choose the start time."
	default:
		s.StartsAt = time.Date(date.Year(), date.Month(), date.Day(), clock.Hour(), clock.Minute(), 0, 0, cal.Loc)
		if !s.StartsAt.After(now) {
			if cal.Date(date).Before(cal.Date(now)) {
				errs[FieldDate] = "That date is in the past."
			} else {
				errs[FieldTime] = "That time has already passed."
			}
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(f.Length))
	switch {
	case err != nil:
		errs[FieldLength] = "Please give the expected length in minutes, e.g. 60."
	case n <= 0:
		errs[FieldLength] = "The length must be more than zero minutes."
	case n > MaxLength:
		errs[FieldLength] = fmt.Sprintf("Please keep a conference to %d minutes or less.", MaxLength)
	}
	s.LengthMinutes = n

	// Who.
	seen := map[string]bool{}
	for _, u := range f.SlackInvitees {
		if u != "" && !seen[u] {
			seen[u] = true
			s.SlackInvitees = append(s.SlackInvitees, u)
		}
	}
	for i, row := range f.External {
		row = ExternalInvitee{
			Name: strings.TrimSpace(row.Name), Role: strings.TrimSpace(row.Role), Agency: strings.TrimSpace(row.Agency),
			AgencyKind: row.AgencyKind, Contact: strings.TrimSpace(row.Contact),
		}
		if row.Name == "" && row.Role == "" && row.Agency == "" && row.Contact == "" {
			continue // a blank row (an agency kind alone is not an invitee)
		}
		text(ExternalField("name", i), row.Name, "their name", MaxShortText, true)
		text(ExternalField("role", i), row.Role, "", MaxShortText, false)
		text(ExternalField("agency", i), row.Agency, "", MaxShortText, false)
		text(ExternalField("contact", i), row.Contact, "", MaxShortText, false)
		if row.AgencyKind == "" {
			errs[ExternalField("agency_kind", i)] = "Please choose the kind of agency, so consent can be checked."
		} else if !isOption(AgencyKinds, row.AgencyKind) {
			errs[ExternalField("agency_kind", i)] = "Please choose a kind of agency from the list."
		}
		s.External = append(s.External, row)
	}
	if len(s.SlackInvitees) == 0 && len(s.External) == 0 {
		errs[FieldSlackInvitees] = "Please invite at least one person, on Slack or not."
	}
	for _, u := range s.SlackInvitees {
		if !IsSlackUserID(u) {
			errs[FieldSlackInvitees] = "Please choose people from the list."
		}
	}
	switch {
	case s.Chair == "":
		errs[FieldChair] = "Please choose who chairs."
	case !IsSlackUserID(s.Chair):
		errs[FieldChair] = "Please choose someone from the list."
	}
	switch {
	case s.MinuteTaker == "":
		errs[FieldMinuteTaker] = "Please choose who takes the minutes."
	case !IsSlackUserID(s.MinuteTaker):
		errs[FieldMinuteTaker] = "Please choose someone from the list."
	}

	// The client's participation.
	switch f.ClientAttends {
	case "yes":
		s.ClientAttends = true
	case "no":
		if !Visible(s.ClientAbsenceReason) {
			errs[FieldAbsenceReason] = "Please say why the client will not attend."
		}
		if !Visible(s.ClientToldHow) {
			errs[FieldToldHow] = "Please say how the outcome will be communicated to the client."
		}
	default:
		errs[FieldClientAttends] = "Please say whether the client will attend."
	}
	text(FieldAbsenceReason, s.ClientAbsenceReason, "", MaxReasonText, false)
	text(FieldToldHow, s.ClientToldHow, "", MaxReasonText, false)

	s.Consent = f.validateConsent(s.StartsAt, now, cal, errs, text)

	// Notice.
	text(FieldUrgentReason, s.UrgentReason, "", MaxReasonText, false)
	if !s.StartsAt.IsZero() {
		s.NoticeWorkingDays = cal.WorkingDaysNotice(now, s.StartsAt)
		if s.NoticeWorkingDays < MinNoticeWorkingDays && !s.Urgent {
			errs[FieldUrgent] = fmt.Sprintf("That gives %d working days' notice; at least %d is the norm. Choose %s or later, or mark it urgent and say why.",
				s.NoticeWorkingDays, MinNoticeWorkingDays, cal.AddWorkingDays(now, MinNoticeWorkingDays).Format("Mon 2 Jan 2006"))
		}
	}
	if s.Urgent && !Visible(s.UrgentReason) {
		errs[FieldUrgentReason] = "Please give a one-line reason it is urgent."
	}
	if !s.Urgent {
		s.UrgentReason = ""
	}

	if len(errs) > 0 {
		return Schedule{}, errs
	}
	return s, nil
}

func (f ScheduleForm) validateConsent(startsAt, now time.Time, cal Calendar, errs FieldErrors,
	text func(field, v, what string, max int, required bool)) Consent {
	c := Consent{Method: f.ConsentMethod}
	for _, k := range f.AgencyKinds {
		if !isOption(AgencyKinds, k) {
			errs[FieldAgencyKinds] = "Please choose agency kinds from the list."
		}
	}
	c.AgencyKinds = f.AgencyKinds
	if len(c.AgencyKinds) == 0 {
		errs[FieldAgencyKinds] = "Please tick the kinds of agency information may be shared with."
	}
	switch f.ConsentMethod {
	case ConsentWritten, ConsentVerbal:
		given, err := time.ParseInLocation(DateLayout, f.ConsentGiven, cal.Loc)
		if err != nil {
			errs[FieldConsentGiven] = "Please give the date consent was given."
			return c
		}
		if given.After(cal.Date(now)) {
			errs[FieldConsentGiven] = "Consent cannot have been given in the future."
		}
		c.GivenOn = given
		c.ValidUntil = AddMonths(given, 6)
		if f.ConsentUntil != "" {
			until, err := time.ParseInLocation(DateLayout, f.ConsentUntil, cal.Loc)
			if err != nil {
				errs[FieldConsentUntil] = "Please give a valid date."
				return c
			}
			if until.Before(given) {
				errs[FieldConsentUntil] = "Consent cannot end before it was given."
			}
			c.ValidUntil = until
		}
		if !startsAt.IsZero() && c.ValidUntil.Before(cal.Date(startsAt)) {
			errs[FieldConsentUntil] = fmt.Sprintf("Consent runs out on %s, before the meeting. Renew it first, or choose an earlier date.",
				c.ValidUntil.Format("2 Jan 2006"))
		}
	case ConsentNone:
		c.NoConsentReason = f.NoConsentReason
		c.Explanation = strings.TrimSpace(f.NoConsentExplanation)
		if !isOption(NoConsentReasons, c.NoConsentReason) {
			errs[FieldNoConsentReason] = "Without consent, choose one of the recognised reasons to meet."
		}
		text(FieldNoConsentWhy, c.Explanation, "a one-line explanation", MaxReasonText, true)
	default:
		errs[FieldConsentMethod] = "Please record how consent was given, or the reason to meet without it."
	}
	return c
}

// AddMonths is the same day n months on, or the last day of that month when
// it is shorter: six months from 31 August is 28 (or 29) February, not 3
// March.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, d.Location())
}
