package caseconf

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ConferenceReasons are the reasons a conference is called.
var ConferenceReasons = []Option{
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

// ExternalInvitee is someone invited who is not on Slack (a GP surgery, say).
type ExternalInvitee struct {
	// ID is the invitee this row stands for on an edit form; 0 for a new
	// row (and always 0 when a conference is called).
	ID                             int64
	Name, Role, Agency, AgencyKind string
	// Email and Phone are how to reach them: at least one is needed.
	Email, Phone string
}

// Blank reports whether nothing was typed in the row (a kind of agency
// chosen alone is not an invitee).
func (e ExternalInvitee) Blank() bool {
	return e.Name == "" && e.Role == "" && e.Agency == "" && e.Email == "" && e.Phone == ""
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
	ClientAbsence         string // the policy's circumstance (ClientAbsences)
	ChildCareManager      string // who decided, for child-welfare reasons
	ClientToldHow         string
	ConsentMethod         string
	ConsentGiven          string // date
	ConsentUntil          string // date; blank means six months after given
	ConsentChecked        bool   // this meeting checked with the client (written consent)
	ConsentNotCheckedWhy  string
	NoConsentBasis        string
	NoConsentDecidedBy    string
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
	ClientAbsence         string // when not attending: the policy's circumstance
	ChildCareManager      string // for child-welfare reasons: who decided
	ClientToldHow         string
	Consent               Consent
	Urgent                bool
	UrgentReason          string
	NoticeWorkingDays     int
}

// Form field names; the bot uses them as block IDs so errors land on the
// right input.
const (
	FieldClientRef     = "client_ref"
	FieldClientName    = "client_name"
	FieldReasons       = "reasons"
	FieldPurpose       = "purpose"
	FieldDate          = "date"
	FieldTime          = "time"
	FieldLength        = "length"
	FieldPlace         = "place"
	FieldSlackInvitees = "invitees"
	FieldChair         = "chair"
	FieldMinuteTaker   = "minute_taker"
	FieldClientAttends = "client_attends"
	FieldAbsence       = "client_absence"
	FieldChildCareMgr  = "child_care_manager"
	FieldToldHow       = "told_how"
	FieldUrgent        = "urgent"
	FieldUrgentReason  = "urgent_reason"
)

// The fields of a row for someone not on Slack, as ExternalField names
// them: "Name", "Job title", "Agency", "Kind of agency", "E-mail", "Phone".
const (
	ExtName       = "name"
	ExtRole       = "role"
	ExtAgency     = "agency"
	ExtAgencyKind = "agency_kind"
	ExtEmail      = "email"
	ExtPhone      = "phone"
)

// ExternalField names the block of one field of external invitee row i
// (0-based): "ext_name_0", "ext_agency_kind_2", ...
func ExternalField(field string, i int) string { return "ext_" + field + "_" + strconv.Itoa(i) }

// Validate checks a scheduling form as of now. It returns the Schedule, or
// every problem found keyed by field.
func (f ScheduleForm) Validate(now time.Time, cal Calendar) (Schedule, FieldErrors) {
	errs := FieldErrors{}
	text := fieldChecker(errs)
	s := Schedule{
		ClientRef:  CleanClientRef(f.ClientRef),
		ClientName: strings.TrimSpace(f.ClientName),
	}
	text(FieldClientRef, s.ClientRef, "the client's reference", MaxClientRef, true)
	if errs[FieldClientRef] == "" && strings.IndexFunc(s.ClientRef, func(r rune) bool { return r != ' ' && invisible(r) }) >= 0 {
		// Two references that look the same must be the same reference.
		errs[FieldClientRef] = "Please retype the reference: it contains invisible characters (zero-width or text-direction marks)."
	}
	text(FieldClientName, s.ClientName, "", MaxClientName, false)
	f.meeting(&s, now, cal, errs)
	s.Consent = consentFields{Method: f.ConsentMethod, Given: f.ConsentGiven, Until: f.ConsentUntil, AgencyKinds: f.AgencyKinds,
		Meeting: true, Checked: f.ConsentChecked, NotCheckedWhy: f.ConsentNotCheckedWhy,
		Basis: f.NoConsentBasis, DecidedBy: f.NoConsentDecidedBy, NoWhy: f.NoConsentExplanation}.check(s.StartsAt, now, cal, errs, text)
	s.notice(now, cal, errs)
	if len(errs) > 0 {
		return Schedule{}, errs
	}
	return s, nil
}

// fieldChecker is the check of one text field of a form, recording what
// is wrong with it in errs: what names a required field for "Please
// enter ...".
func fieldChecker(errs FieldErrors) func(field, v, what string, max int, required bool) {
	return func(field, v, what string, max int, required bool) {
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
}

// meeting checks what a conference is and who comes to it, the part of
// the form an edit changes too: reasons, purpose, when, length, place,
// invitees, chair, minute taker, the client's participation and the
// urgent reason (whether the notice needs one is Schedule.notice).
func (f ScheduleForm) meeting(s *Schedule, now time.Time, cal Calendar, errs FieldErrors) {
	text := fieldChecker(errs)
	s.Purpose = strings.TrimSpace(f.Purpose)
	s.Place = strings.TrimSpace(f.Place)
	s.Chair, s.MinuteTaker = f.Chair, f.MinuteTaker
	s.ClientToldHow = strings.TrimSpace(f.ClientToldHow)
	s.Urgent, s.UrgentReason = f.Urgent, strings.TrimSpace(f.UrgentReason)
	text(FieldPurpose, s.Purpose, "the purpose and aims", MaxPurpose, true)
	text(FieldPlace, s.Place, "the place or video link", MaxPlace, true)
	for _, r := range f.Reasons {
		if !isOption(ConferenceReasons, r) {
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
	case ConferenceWindow(now, cal).Check(date) != "":
		// Before anything else is worked out from the date (its notice
		// counts working days one by one): StartsAt stays zero.
		errs[FieldDate] = ConferenceWindow(now, cal).Check(date)
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
		row = ExternalInvitee{ID: row.ID,
			Name: strings.TrimSpace(row.Name), Role: strings.TrimSpace(row.Role), Agency: strings.TrimSpace(row.Agency),
			AgencyKind: row.AgencyKind, Email: strings.TrimSpace(row.Email), Phone: strings.TrimSpace(row.Phone),
		}
		if row.Blank() {
			continue
		}
		text(ExternalField(ExtName, i), row.Name, "their name", MaxShortText, true)
		text(ExternalField(ExtRole, i), row.Role, "", MaxShortText, false)
		text(ExternalField(ExtAgency, i), row.Agency, "", MaxShortText, false)
		text(ExternalField(ExtPhone, i), row.Phone, "", MaxShortText, false)
		if msg := CheckEmail(row.Email); msg != "" {
			errs[ExternalField(ExtEmail, i)] = msg
		} else if row.Email == "" && !Visible(row.Phone) {
			errs[ExternalField(ExtEmail, i)] = "Please give their e-mail address or phone number (or both), so they can be reached."
		}
		if row.AgencyKind == "" {
			errs[ExternalField(ExtAgencyKind, i)] = "Please choose the kind of agency, so consent can be checked."
		} else if !isOption(AgencyKinds, row.AgencyKind) {
			errs[ExternalField(ExtAgencyKind, i)] = "Please choose a kind of agency from the list."
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

	f.participation(s, errs)
	text(FieldUrgentReason, s.UrgentReason, "", MaxReasonText, false)
	if s.Urgent && !Visible(s.UrgentReason) {
		errs[FieldUrgentReason] = "Please give a one-line reason it is urgent."
	}
	if !s.Urgent {
		s.UrgentReason = ""
	}
}

// ClientAbsences are the only circumstances in which the policy (6.2)
// allows a conference without the client present. Participation and
// consent are separate questions: a client in hospital may consent and
// not attend.
var ClientAbsences = []Option{
	{AbsenceCannotBeLocated, "They cannot be located, and there are concerns for their welfare"},
	{AbsenceInstitution, "They are in an institution (prison, hospital) and gave permission"},
	{AbsenceNotCapable, "They are not capable of giving permission (e.g. mental health)"},
	{AbsenceIntoxicated, "They are too intoxicated to take part, and had given permission"},
	{AbsenceRiskOfViolence, "There is an identified risk of violent behaviour at the meeting"},
	{AbsenceProfessionalsOnly, "A professionals-only meeting before the main one"},
	{AbsenceProcess, "Process difficulties between agencies, to resolve before the main meeting"},
	{AbsenceChildWelfare, "Child-welfare reasons (only the child-care manager may decide)"},
}

// AbsenceLabel words a circumstance of ClientAbsences; "" (a conference
// migrated from before they were asked) as "not recorded".
func AbsenceLabel(code string) string {
	if code == "" {
		return "no circumstance of the policy recorded (called before the form asked for one)"
	}
	return Label(ClientAbsences, code)
}

// The circumstances of ClientAbsences.
const (
	AbsenceCannotBeLocated   = "cannot_locate_welfare"
	AbsenceInstitution       = "institution_permission"
	AbsenceNotCapable        = "not_capable"
	AbsenceIntoxicated       = "intoxicated_permission"
	AbsenceRiskOfViolence    = "risk_of_violence"
	AbsenceProfessionalsOnly = "professionals_only"
	AbsenceProcess           = "process_difficulties"
	AbsenceChildWelfare      = "child_welfare"
)

// participation checks the client's participation: whether they will
// attend and, if not, the policy's circumstance (for child-welfare
// reasons, the child-care manager who decided) and how the outcome will
// reach them.
func (f ScheduleForm) participation(s *Schedule, errs FieldErrors) {
	text := fieldChecker(errs)
	switch f.ClientAttends {
	case "yes":
		s.ClientAttends = true
		s.ClientToldHow = ""
		return
	case "no":
	default:
		errs[FieldClientAttends] = "Please say whether the client will attend."
		return
	}
	s.ClientAbsence = f.ClientAbsence
	switch {
	case s.ClientAbsence == "":
		errs[FieldAbsence] = "Please choose the policy's circumstance for meeting without the client."
	case !isOption(ClientAbsences, s.ClientAbsence):
		errs[FieldAbsence] = "Please choose a circumstance from the list."
	}
	if s.ClientAbsence == AbsenceChildWelfare {
		s.ChildCareManager = strings.TrimSpace(f.ChildCareManager)
		text(FieldChildCareMgr, s.ChildCareManager, "the name of the child-care manager who decided", MaxShortText, true)
	}
	text(FieldToldHow, s.ClientToldHow, "how the outcome will be communicated to the client", MaxReasonText, true)
}

// notice applies the notice rule to the meeting's date: less than
// MinNoticeWorkingDays working days from now needs it marked urgent.
func (s *Schedule) notice(now time.Time, cal Calendar, errs FieldErrors) {
	if s.StartsAt.IsZero() {
		return
	}
	s.NoticeWorkingDays = cal.WorkingDaysNotice(now, s.StartsAt)
	if s.NoticeWorkingDays < MinNoticeWorkingDays && !s.Urgent {
		errs[FieldUrgent] = fmt.Sprintf("That gives %d working days' notice; at least %d is the norm. Choose %s or later, or mark it urgent and say why.",
			s.NoticeWorkingDays, MinNoticeWorkingDays, cal.AddWorkingDays(now, MinNoticeWorkingDays).Format("Mon 2 Jan 2006"))
	}
}
