package caseconf

import (
	"fmt"
	"strings"
	"time"
)

// Consent methods: the policy's two ways the client agrees to sharing,
// and sharing without their consent on a recorded basis.
const (
	// ConsentWritten is a signed case-management consent form (valid six
	// months unless it says otherwise) and, for each meeting, a check with
	// the client that they agree to this meeting and these services.
	ConsentWritten = "written"
	// ConsentVerbal is verbal consent alone, for this meeting (and the
	// circulation of its records): a later conference asks again.
	ConsentVerbal = "verbal"
	// ConsentNone is sharing without consent on a recorded basis
	// (NoConsentBases), who decided and why; the data-protection lead is
	// told.
	ConsentNone = "none"
)

// Consent records how the client agreed to information sharing, or the
// basis for sharing without their consent.
type Consent struct {
	Method     string
	GivenOn    time.Time // zero when Method is ConsentNone
	ValidUntil time.Time // zero when Method is ConsentNone
	// NoConsentReason is the basis for sharing without consent
	// (NoConsentBases; NoConsentBasisLabel words it), DecidedBy who
	// decided and Explanation why. Explanation is also a withdrawal's note.
	NoConsentReason string
	DecidedBy       string
	Explanation     string
	AgencyKinds     []string
	// This meeting's check with the client, for written consent: Checked,
	// or NotCheckedWhy it could not be done. It belongs to the conference,
	// and is kept when the consent is renewed or withdrawn.
	Checked       bool
	NotCheckedWhy string
}

// LapsedBy reports whether consent with an end date had ended by now (its
// last day, a calendar date, is before now's; a recognised reason to share
// without consent has no end date). Nothing more is shared under it.
func (c Consent) LapsedBy(now time.Time) bool {
	if c.Method == ConsentNone || c.ValidUntil.IsZero() {
		return false
	}
	return now.UTC().Format(DateLayout) > c.ValidUntil.Format(DateLayout)
}

// Covers reports whether information may be shared with an agency of this
// kind: the consent (or the no-consent basis) was recorded as covering it.
// An agency of unknown kind ("") is not covered.
func (c Consent) Covers(kind string) bool {
	for _, k := range c.AgencyKinds {
		if k == kind && kind != "" {
			return true
		}
	}
	return false
}

// Basis describes, for the log of disclosures, what allows case details
// to be shared: the consent, or the basis for sharing without it and who
// decided. It names no client, and carries no free text about them.
func (c Consent) Basis() string {
	if c.Method == ConsentNone {
		return "no consent: " + NoConsentBasisLabel(c.NoConsentReason) + "; decided by " + c.DecidedBy
	}
	return c.MethodLabel() + " given " + c.GivenOn.Format(DateLayout) + ", valid until " + c.ValidUntil.Format(DateLayout) +
		c.checkNote() + ", covering " + strings.Join(c.AgencyKinds, ", ")
}

// MethodLabel words how consent was given: "signed consent form",
// "verbal consent for this meeting", or "no consent".
func (c Consent) MethodLabel() string {
	switch c.Method {
	case ConsentWritten:
		return "signed consent form"
	case ConsentVerbal:
		return "verbal consent for this meeting"
	case ConsentNone:
		return "no consent"
	}
	return c.Method
}

// checkNote words this meeting's check with the client, for written
// consent.
func (c Consent) checkNote() string {
	switch {
	case c.Method != ConsentWritten:
		return ""
	case c.Checked:
		return ", checked with the client for this meeting"
	default:
		return ", not checked with the client for this meeting"
	}
}

// CheckLine words this meeting's check with the client for written
// consent, with why it could not be done; "" for other methods.
func (c Consent) CheckLine() string {
	switch {
	case c.Method != ConsentWritten:
		return ""
	case c.Checked:
		return "Checked with the client that they agree to this meeting and these services"
	case c.NotCheckedWhy != "":
		return "Not checked with the client for this meeting: " + c.NotCheckedWhy
	default:
		return "Not checked with the client for this meeting"
	}
}

// ConsentMethods are the ways consent is recorded, as the forms offer
// them.
var ConsentMethods = []Option{
	{ConsentWritten, "Signed consent form, and checked with the client for this meeting"},
	{ConsentVerbal, "Verbal consent, for this meeting only"},
	{ConsentNone, "No consent: sharing on a recorded basis without it"},
}

// AgencyKinds are the kinds of agency consent is given for.
var AgencyKinds = []Option{
	{"health_gp", "Health / GP"},
	{"adult_social_care", "Adult social care"},
	{"mental_health", "Mental health"},
	{"substance_use", "Substance use"},
	{"housing", "Housing"},
	{"probation_police", "Probation / police"},
	{"benefits", "Benefits"},
	{"legal", "Legal"},
	{"other", "Other"},
}

// NoConsentBases are the bases for sharing information without the
// client's consent that a form offers (SPEC §1.2). Who decided and why are
// recorded with the basis.
var NoConsentBases = []Option{
	{BasisRiskToClient, "Risk of serious harm to the client (safeguarding)"},
	{BasisRiskToOthers, "Risk of serious harm to others"},
	{BasisLacksCapacity, "Client lacks capacity to consent; sharing is in their best interests"},
	{BasisCannotBeFound, "Client cannot be found and there are concerns for their welfare"},
	{BasisLegalDuty, "A legal duty or court order"},
}

// The bases for sharing without consent.
const (
	BasisRiskToClient  = "risk_to_client"
	BasisRiskToOthers  = "risk_to_others"
	BasisLacksCapacity = "lacks_capacity_best_interests"
	BasisCannotBeFound = "cannot_be_found_welfare"
	BasisLegalDuty     = "legal_duty"
	// BasisNoneRecorded is only ever migrated (0018): a conference called
	// without consent as a professionals-only meeting, before the form
	// asked for a basis. No form offers it.
	BasisNoneRecorded = "none_recorded"
)

// NoConsentBasisLabel words a basis for sharing without consent,
// including the one only migrated conferences have.
func NoConsentBasisLabel(code string) string {
	if code == BasisNoneRecorded {
		return "No basis for sharing without consent was recorded (called as a professionals-only meeting, before the form asked for one)"
	}
	return Label(NoConsentBases, code)
}

// Renewing or withdrawing a client's consent (/caseconf consent CLIENTREF).
//
// A change is recorded as a new consents row: the client's current
// consent is the latest recorded. It then applies to every conference of
// the client that is not cancelled and was not called without consent
// (those keep their recorded basis), so every
// further circulation about the client (minutes, reports, reminders with
// details) is decided on it at send time.
//
// A withdrawal keeps the method and dates of the consent it narrows and
// keeps only the agency kinds still covered (none: withdrawn entirely).

// ConsentNotFound is the one answer for a client that is not there and
// for one whose consent the user may not change: they must read the same.
func ConsentNotFound() error { return consentNotFound() }

func consentNotFound() *Error {
	return Errorf(ENOTFOUND, "There is no client with that reference whose consent you can change.")
}

// Consent change choices.
const (
	ConsentRenew    = "renew"
	ConsentWithdraw = "withdraw"
)

// FieldConsentChange is the modal's renew-or-withdraw choice; FieldConsentWhy
// is a withdrawal's one-line note.
const (
	FieldConsentChange = "consent_change"
	FieldConsentWhy    = "consent_why"
)

// ConsentChangeForm is what the consent modal submits.
type ConsentChangeForm struct {
	Choice      string // ConsentRenew or ConsentWithdraw
	Method      string // renewal: written (verbal consent is for one meeting, on its form)
	Given       string // renewal: YYYY-MM-DD
	Until       string // renewal: YYYY-MM-DD, blank for six months
	AgencyKinds []string
	Why         string // withdrawal: a one-line note
}

// Validate checks the form against the client's current consent (for a
// withdrawal) and returns the consent to record.
func (f ConsentChangeForm) Validate(current Consent, now time.Time, cal Calendar) (Consent, FieldErrors) {
	errs := FieldErrors{}
	text := func(field, v, what string, max int, required bool) {
		switch {
		case v == "" && required:
			errs[field] = "Please enter " + what + "."
		case required && !Visible(v):
			errs[field] = "Please enter " + what + " in characters that can be seen."
		default:
			if msg := CheckText(v, max, false); msg != "" {
				errs[field] = msg
			}
		}
	}
	var c Consent
	switch f.Choice {
	case ConsentRenew:
		// A renewal applies to every conference of the client that is
		// not cancelled, so only a signed consent form can be one: verbal
		// consent is given for one meeting, on that meeting's form (SPEC
		// §1 item 2), and does not carry to another (a review asks again).
		switch f.Method {
		case ConsentWritten:
		case ConsentVerbal:
			errs[FieldConsentMethod] = "Verbal consent is for one meeting only, so it cannot renew consent for the client's conferences: record it on that meeting's form when you call it (or its review). Renew here with a signed consent form."
		default:
			errs[FieldConsentMethod] = "Please record the signed consent form that renews the client's consent."
		}
		if errs[FieldConsentMethod] != "" {
			break
		}
		c = consentFields{Method: f.Method, Given: f.Given, Until: f.Until, AgencyKinds: f.AgencyKinds}.check(time.Time{}, now, cal, errs, text)
		if errs[FieldConsentGiven] == "" && errs[FieldConsentUntil] == "" && !c.ValidUntil.IsZero() && c.ValidUntil.Before(cal.Date(now)) {
			errs[FieldConsentUntil] = "Renewed consent must still be valid today."
		}
	case ConsentWithdraw:
		if current.Method == ConsentNone || current.Method == "" {
			errs[FieldConsentChange] = "There is no recorded consent to withdraw for this client."
			break
		}
		c = current
		c.AgencyKinds = nil
		for _, k := range f.AgencyKinds {
			if !isOption(AgencyKinds, k) {
				errs[FieldAgencyKinds] = "Please choose agency kinds from the list."
			} else if current.Covers(k) {
				c.AgencyKinds = append(c.AgencyKinds, k)
			} else {
				errs[FieldAgencyKinds] = "A withdrawal can only keep agencies the current consent covers: renew it to add others."
			}
		}
		c.Explanation = trimInvisible(f.Why)
		text(FieldConsentWhy, c.Explanation, "a one-line note of the withdrawal", MaxReasonText, true)
	default:
		errs[FieldConsentChange] = "Please choose to renew or to withdraw consent."
	}
	if len(errs) > 0 {
		return Consent{}, errs
	}
	if c.AgencyKinds == nil {
		c.AgencyKinds = []string{}
	}
	return c, nil
}

// The consent fields of a form, as block IDs.
const (
	FieldConsentMethod = "consent_method"
	FieldConsentGiven  = "consent_given"
	FieldConsentUntil  = "consent_until"
	// FieldConsentChecked is the tick that this meeting was checked with
	// the client (written consent); FieldConsentNotChecked why it could
	// not be.
	FieldConsentChecked    = "consent_checked"
	FieldConsentNotChecked = "consent_not_checked"
	// Without consent: the basis, who decided, why.
	FieldNoConsentBasis     = "no_consent_basis"
	FieldNoConsentDecidedBy = "no_consent_decided_by"
	FieldNoConsentWhy       = "no_consent_why"
	FieldAgencyKinds        = "agency_kinds"
)

// consentFields are the consent part of a form: the scheduling form's,
// and a renewal in the consent form.
type consentFields struct {
	Method, Given, Until string
	AgencyKinds          []string
	// Meeting: the form calls a meeting, so written consent needs this
	// meeting's check with the client (Checked, or NotCheckedWhy).
	Meeting                 bool
	Checked                 bool
	NotCheckedWhy           string
	Basis, DecidedBy, NoWhy string
}

// consent is the Consent the fields record, checked against the
// meeting's start (zero: no meeting, or its date is wrong) and today;
// what is wrong goes into errs, on the field it is about.
func (f consentFields) check(startsAt, now time.Time, cal Calendar, errs FieldErrors,
	text func(field, v, what string, max int, required bool)) Consent {
	c := Consent{Method: f.Method}
	for _, k := range f.AgencyKinds {
		if !isOption(AgencyKinds, k) {
			errs[FieldAgencyKinds] = "Please choose agency kinds from the list."
		}
	}
	c.AgencyKinds = f.AgencyKinds
	if len(c.AgencyKinds) == 0 {
		errs[FieldAgencyKinds] = "Please tick the kinds of agency information may be shared with."
	}
	switch f.Method {
	case ConsentWritten, ConsentVerbal:
		if f.Method == ConsentWritten && f.Meeting {
			// The policy: verbal consent should be obtained for each
			// meeting even when the form is signed.
			c.Checked = f.Checked
			if !c.Checked {
				c.NotCheckedWhy = strings.TrimSpace(f.NotCheckedWhy)
				text(FieldConsentNotChecked, c.NotCheckedWhy, "", MaxReasonText, false)
				if errs[FieldConsentNotChecked] == "" && !Visible(c.NotCheckedWhy) {
					errs[FieldConsentChecked] = "Please tick that you checked this meeting with the client (they agree to it and to these services), or say below why it could not be done."
				}
			}
		}
		given, err := time.ParseInLocation(DateLayout, f.Given, cal.Loc)
		if err != nil {
			errs[FieldConsentGiven] = "Please give the date consent was given."
			return c
		}
		if msg := ConsentGivenWindow(now, cal).Check(given); msg != "" {
			errs[FieldConsentGiven] = msg
			return c
		}
		c.GivenOn = given
		c.ValidUntil = AddMonths(given, 6)
		if f.Until != "" {
			until, err := time.ParseInLocation(DateLayout, f.Until, cal.Loc)
			if err != nil {
				errs[FieldConsentUntil] = "Please give a valid date."
				return c
			}
			if msg := ConsentUntilWindow(now, cal).Check(until); msg != "" {
				errs[FieldConsentUntil] = msg
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
		c.NoConsentReason = f.Basis
		c.DecidedBy = strings.TrimSpace(f.DecidedBy)
		c.Explanation = strings.TrimSpace(f.NoWhy)
		if !isOption(NoConsentBases, c.NoConsentReason) {
			errs[FieldNoConsentBasis] = "Without consent, choose the basis for sharing information without it."
		}
		text(FieldNoConsentDecidedBy, c.DecidedBy, "who decided to share without consent (name and role)", MaxShortText, true)
		text(FieldNoConsentWhy, c.Explanation, "why sharing without consent is justified", MaxReasonText, true)
	default:
		errs[FieldConsentMethod] = "Please record how consent was given, or the basis for sharing without it."
	}
	return c
}

// How far back consent may have been given, and how far on it may run.
const (
	ConsentGivenWithinMonths = 24 // consent given: not in the future, nor more than two years ago
	ConsentValidWithinMonths = 36 // consent valid until: today to three years on
)

// ConsentGivenWindow is when consent recorded on now may have been given:
// not in the future, and not more than two years ago.
func ConsentGivenWindow(now time.Time, cal Calendar) DateWindow {
	today := cal.Date(now)
	return DateWindow{First: AddMonths(today, -ConsentGivenWithinMonths), Last: today,
		TooEarly: "Consent given more than two years ago is too old to rely on: record it again with the client", TooLate: "Consent cannot have been given in the future"}
}

// ConsentUntilWindow is when consent recorded on now may run until: still
// valid today, and at most three years on.
func ConsentUntilWindow(now time.Time, cal Calendar) DateWindow {
	today := cal.Date(now)
	return DateWindow{First: today, Last: AddMonths(today, ConsentValidWithinMonths),
		TooEarly: "Consent must still be valid today", TooLate: "Consent can be recorded for at most three years"}
}
