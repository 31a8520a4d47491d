package caseconf

import (
	"strings"
	"time"
)

// An agency report: what an invitee's agency knows of the client, for the
// conference. Every invitee may write one, and one who cannot attend
// must; the chair reads out those of agencies not present.

// Report form fields; the bot uses them as block IDs so errors land on
// the right input.
const (
	FieldReportAgency    = "report_agency"
	FieldReportRole      = "report_role"
	FieldInvolvement     = "involvement"
	FieldLastContact     = "last_contact"
	FieldConcerns        = "concerns"
	FieldWorked          = "worked"
	FieldNotWorked       = "not_worked"
	FieldRecommendations = "recommendations"
)

// MaxReportText is the limit on each long answer of a report: Block
// Kit's own for a plain_text_input.
const MaxReportText = 3000

// ReportForm is the report form as typed.
type ReportForm struct {
	Agency, Role    string
	Involvement     string
	LastContact     string
	Concerns        string
	Worked          string
	NotWorked       string
	Recommendations string
}

// Report is an agency report. The text fields are what its author wrote;
// they never go to logs or error strings.
type Report struct {
	InviteeID       int64
	ConferenceID    int64
	AuthorID        string
	Agency, Role    string
	Involvement     string
	LastContact     string
	Concerns        string
	Worked          string
	NotWorked       string
	Recommendations string
	Revision        int // 1 for the first save, 2 for the next, ...
	SubmittedAt     time.Time
	UpdatedAt       time.Time
	// Received is, for the report of someone not on Slack, how and when
	// it arrived, and who entered it (AuthorID is theirs too); nil for a
	// report its author wrote in Slack.
	Received *ReportReceipt
}

// Form is the report as its form shows it, to edit it again.
func (r *Report) Form() ReportForm {
	return ReportForm{Agency: r.Agency, Role: r.Role, Involvement: r.Involvement, LastContact: r.LastContact,
		Concerns: r.Concerns, Worked: r.Worked, NotWorked: r.NotWorked, Recommendations: r.Recommendations}
}

// reportField is one field of the form: where it is, how long it may be,
// and what to say when a required one is blank ("" when it is optional).
type reportField struct {
	id        string
	value     *string
	max       int
	multiline bool
	missing   string
}

// Validate checks a report form. It returns the report's text, trimmed,
// or every problem found keyed by field. The agency, the author's role,
// their involvement, last contact, concerns and recommendations are
// required; what has and has not worked may be left blank.
func (f ReportForm) Validate() (Report, FieldErrors) {
	r := Report{Agency: f.Agency, Role: f.Role, Involvement: f.Involvement, LastContact: f.LastContact,
		Concerns: f.Concerns, Worked: f.Worked, NotWorked: f.NotWorked, Recommendations: f.Recommendations}
	fields := []reportField{
		{FieldReportAgency, &r.Agency, MaxShortText, false, "Please name your agency."},
		{FieldReportRole, &r.Role, MaxShortText, false, "Please give your role or job title."},
		{FieldInvolvement, &r.Involvement, MaxReportText, true, "Please say how your agency is involved with the client."},
		{FieldLastContact, &r.LastContact, MaxReasonText, true, "Please say when you last had contact with the client, and how (or that you have had none)."},
		{FieldConcerns, &r.Concerns, MaxReportText, true, "Please give your current concerns (or say that you have none)."},
		{FieldWorked, &r.Worked, MaxReportText, true, ""},
		{FieldNotWorked, &r.NotWorked, MaxReportText, true, ""},
		{FieldRecommendations, &r.Recommendations, MaxReportText, true, "Please give your recommendations."},
	}
	errs := FieldErrors{}
	for _, fl := range fields {
		*fl.value = strings.TrimSpace(*fl.value)
		if !Visible(*fl.value) {
			if fl.missing != "" {
				errs[fl.id] = fl.missing
				continue
			}
			*fl.value = ""
		}
		if msg := CheckText(*fl.value, fl.max, fl.multiline); msg != "" {
			errs[fl.id] = msg
		}
	}
	if len(errs) > 0 {
		return Report{}, errs
	}
	return r, nil
}
