package caseconf

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
)

// People not on Slack are full participants: the case manager (or the
// chair) records their replies and how they accepted the
// information-sharing agreement, enters the reports they send by other
// means, and is chased on their behalf on the same schedule as an
// invitee on Slack.

// MaxEmail is the longest e-mail address kept (RFC 5321's limit).
const MaxEmail = 254

// CheckEmail says what is wrong with an e-mail address as typed (already
// trimmed), or "" when it is fine or blank: one line, one "@" with
// something either side, a dot in the domain, no spaces of any kind, and
// an address as the mail server reads it (RFC 5322's addr-spec, read back
// exactly as typed: no comments, quoting, trailing dot or address
// literal), so what the form takes is what the e-mail goes to.
func CheckEmail(s string) string {
	if s == "" {
		return ""
	}
	if msg := CheckText(s, MaxEmail, false); msg != "" {
		return msg
	}
	local, domain, ok := strings.Cut(s, "@")
	parsed, err := mail.ParseAddress(s)
	if !ok || local == "" || domain == "" || strings.ContainsAny(s, " \t<>,;\"()[]\\:") || strings.ContainsFunc(s, unicode.IsSpace) ||
		strings.Contains(domain, "@") || !strings.Contains(strings.Trim(domain, "."), ".") ||
		strings.HasSuffix(domain, ".") || err != nil || parsed.Address != s || parsed.Name != "" {
		return "Please give an e-mail address like name@example.org."
	}
	return ""
}

// ContactLine is how someone not on Slack is reached, for showing: their
// e-mail address and phone, whichever are known.
func ContactLine(email, phone string) string {
	switch {
	case email != "" && phone != "":
		return email + " · " + phone
	case email != "":
		return email
	}
	return phone
}

// AnswerNoReply is what the case manager records to take a reply back:
// "no reply yet". It is kept in the history of answers, and reads as no
// answer at all (Invitee.Response is nil).
const AnswerNoReply Answer = "no_reply"

// ReplyChoices are the replies the case manager or chair can record for
// someone not on Slack (Record reply), in the order offered.
var ReplyChoices = []Option{
	{string(AnswerAttending), "Attending"},
	{string(AnswerColleague), "Sending a colleague (name them below)"},
	{string(AnswerApologies), "Can't attend (report to follow)"},
	{string(AnswerNotInvolved), "Not involved with this client"},
	{string(AnswerNoReply), "No reply yet"},
}

// How someone not on Slack accepted the information-sharing agreement.
const (
	AgreedSignedForm = "signed_form"
	AgreedEmail      = "email"
	AgreedVerbal     = "verbal"
	AgreedNotYet     = "not_yet"
)

// AgreementWays are the ways Record reply offers.
var AgreementWays = []Option{
	{AgreedSignedForm, "Signed form"},
	{AgreedEmail, "By e-mail"},
	{AgreedVerbal, "Verbally"},
	{AgreedNotYet, "Not yet"},
}

// Record reply form fields; the bot uses them as block IDs.
const (
	FieldReply        = "reply"
	FieldReplyLine    = "reply_line" // the colleague's name, or why not involved
	FieldAgreedHow    = "agreed_how"
	FieldAgreedOn     = "agreed_on"
	FieldReceivedHow  = "received_how"
	FieldReceivedOn   = "received_on"
	MaxReceivedHow    = MaxShortText
	agreementRequired = "Please say how they accepted the information-sharing agreement, or choose Not yet."
)

// ReplyForm is the Record reply form as typed.
type ReplyForm struct {
	Reply     string // one of ReplyChoices
	Line      string // the colleague, for AnswerColleague; the reason, for AnswerNotInvolved
	AgreedHow string // one of AgreementWays
	AgreedOn  string // date, for a way other than Not yet
}

// Reply is a checked Record reply form.
type Reply struct {
	Answer    Answer // AnswerNoReply for "no reply yet"
	Line      string
	AgreedHow string    // AgreedNotYet, or how they accepted
	AgreedOn  time.Time // a calendar date (midnight UTC) unless AgreedNotYet
}

// Validate checks a Record reply form as of today (a calendar date): the
// agreement cannot have been accepted after today.
func (f ReplyForm) Validate(today time.Time) (Reply, FieldErrors) {
	errs := FieldErrors{}
	r := Reply{Answer: Answer(f.Reply), AgreedHow: f.AgreedHow}
	if !isOption(ReplyChoices, f.Reply) {
		errs[FieldReply] = "Please choose their reply."
	}
	line := strings.TrimSpace(f.Line)
	switch r.Answer {
	case AnswerColleague:
		if !Visible(line) {
			errs[FieldReplyLine] = "Please name the colleague they are sending."
		} else if msg := CheckText(line, MaxShortText, false); msg != "" {
			errs[FieldReplyLine] = msg
		}
		r.Line = line
	case AnswerNotInvolved:
		reason, msg := CheckNotInvolvedReason(line)
		if msg != "" {
			errs[FieldReplyLine] = msg
		}
		r.Line = reason
	}
	switch {
	case !isOption(AgreementWays, f.AgreedHow):
		errs[FieldAgreedHow] = agreementRequired
	case f.AgreedHow == AgreedNotYet:
	default:
		on, err := time.Parse(DateLayout, f.AgreedOn)
		switch {
		case err != nil:
			errs[FieldAgreedOn] = "Please give the date they accepted it."
		case on.After(dateOnly(today)):
			errs[FieldAgreedOn] = "That date is in the future."
		}
		r.AgreedOn = on
	}
	if len(errs) > 0 {
		return Reply{}, errs
	}
	return r, nil
}

// ReportReceipt is how a report from someone not on Slack reached the
// case manager, who entered it.
type ReportReceipt struct {
	How       string    // "by e-mail from Dr Patel", as typed
	On        time.Time // a calendar date (midnight UTC)
	EnteredBy string    // the Slack user who entered it
}

// CheckReceipt checks how and when a report arrived, as typed on the Add
// report received form, as of today (a calendar date).
func CheckReceipt(how, on string, today time.Time) (ReportReceipt, FieldErrors) {
	errs := FieldErrors{}
	r := ReportReceipt{How: strings.TrimSpace(how)}
	switch {
	case !Visible(r.How):
		errs[FieldReceivedHow] = "Please say how it arrived, e.g. by e-mail from Dr Patel."
	default:
		if msg := CheckText(r.How, MaxReceivedHow, false); msg != "" {
			errs[FieldReceivedHow] = msg
		}
	}
	d, err := time.Parse(DateLayout, on)
	switch {
	case err != nil:
		errs[FieldReceivedOn] = "Please give the date it arrived."
	case d.After(dateOnly(today)):
		errs[FieldReceivedOn] = "That date is in the future."
	}
	r.On = d
	if len(errs) > 0 {
		return ReportReceipt{}, errs
	}
	return r, nil
}

// CanRecordReply decides whether v may record the reply of inv, someone
// not on Slack, to conference c (and how they accepted the agreement):
// its case manager or chair, while it is not cancelled. To anyone who
// may not see the conference it does not exist.
func CanRecordReply(c *Conference, v Viewer, inv *Invitee) error {
	switch {
	case !CanSee(c, v):
		return notFound()
	case v.UserID == "" || (v.UserID != c.CaseManagerID && v.UserID != c.ChairID):
		return Errorf(EFORBIDDEN, "Only the case manager or the chair can record the replies of people not on Slack.")
	case inv == nil || inv.OnSlack():
		return Errorf(ENOTFOUND, "That person is no longer invited to %s.", c.Ref)
	case c.Cancelled():
		return Errorf(ECONFLICT, "This conference has been cancelled.")
	}
	return nil
}

// CanEnterReport decides whether v may enter, on inv's behalf, the report
// that inv (not on Slack) sent: whoever may record their reply, until the
// outcome is recorded, and only from an agency the client's consent
// covers (as for any report, CanWriteReport).
func CanEnterReport(c *Conference, v Viewer, inv *Invitee) error {
	if err := CanRecordReply(c, v, inv); err != nil {
		return err
	}
	switch {
	case c.Status == StatusRecorded:
		return Errorf(ECONFLICT, "The outcome of this conference is recorded, so reports are closed.")
	case !c.Covered(inv):
		return Errorf(EFORBIDDEN, "The client's consent does not cover %s, so their report cannot be shared for this conference.", Label(AgencyKinds, inv.AgencyKind))
	}
	return nil
}

// InviteeChaser is who is reminded about invitee inv of a conference
// managed by caseManagerID (an unanswered invitation, a report owed): the
// invitee on Slack; for someone not on Slack, the case manager, as for
// actions (ActionChaser).
func InviteeChaser(slackUserID, caseManagerID string) string {
	return ActionChaser(slackUserID, caseManagerID)
}
