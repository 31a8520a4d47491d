package export

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/caseconf/caseconf"
)

// The exported record as one Markdown document. Everything anyone typed
// is escaped (MarkdownText, MarkdownQuote), so no answer, report or note
// can make a heading, a list, a link, a code block or HTML of its own,
// or end the quotation it is shown in: the document's structure is only
// ever what is written here.

// MarkdownFilename is the name the record of the conference ref is
// uploaded under. It names no client.
func MarkdownFilename(ref string) string { return strings.ToUpper(ref) + "-record.md" }

// mdInline are the characters escaped wherever typed text is shown: those
// that make emphasis, code, links, HTML, tables and strikethrough, and the
// backslash itself.
const mdInline = "\\`*_[]<>|~#"

var (
	mdEntity  = regexp.MustCompile(`^&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});`)
	mdOrdered = regexp.MustCompile(`^[0-9]{1,9}[.)]`)
	mdBreaks  = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n", "\u0085", "\n")
)

// MarkdownText is s as inline Markdown text that reads as typed: on one
// line, with every character that could mean something escaped, and no
// control or text-direction characters.
func MarkdownText(s string) string {
	return mdLine(strings.ReplaceAll(mdBreaks.Replace(s), "\n", " "))
}

// MarkdownQuote is s, which may run over several lines, as a Markdown
// block quotation: each line escaped as MarkdownText and kept as a line
// of its own.
func MarkdownQuote(s string) string {
	lines := strings.Split(strings.TrimSpace(mdBreaks.Replace(s)), "\n")
	for i, l := range lines {
		l = mdLine(l)
		switch {
		case l == "":
			lines[i] = ">"
		case i < len(lines)-1:
			lines[i] = "> " + l + "  " // a hard line break
		default:
			lines[i] = "> " + l
		}
	}
	return strings.Join(lines, "\n")
}

// mdLine escapes one line of typed text.
func mdLine(s string) string {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
			return -1
		}
		return r
	}, s))
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(mdInline, r):
			b.WriteByte('\\')
		case r == '&' && mdEntity.MatchString(s[i:]):
			b.WriteByte('\\')
		case i == 0 && strings.ContainsRune("-+=!", r):
			// A list item, a thematic break or a heading's underline.
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if m := mdOrdered.FindString(out); m != "" {
		out = m[:len(m)-1] + "\\" + out[len(m)-1:] // "1. " starts no list
	}
	// GitHub's Markdown makes a link of a bare address; an escaped ":"
	// or "." in it is shown as it is but is no longer one.
	out = mdAutolinkScheme.ReplaceAllString(out, `$1\:`)
	return mdAutolinkWWW.ReplaceAllString(out, `$1\.`)
}

var (
	mdAutolinkScheme = regexp.MustCompile(`(?i)\b(https?|ftp|mailto|xmpp)(:)`)
	mdAutolinkWWW    = regexp.MustCompile(`(?i)\b(www)(\.)`)
)

// exporter writes one record.
type exporter struct {
	r   *caseconf.Record
	loc *time.Location
	b   strings.Builder
}

// Markdown renders the whole record r, times in loc.
func Markdown(r *caseconf.Record, loc *time.Location) []byte {
	e := &exporter{r: r, loc: loc}
	e.header()
	e.conference()
	e.consent()
	e.invitees()
	e.reports()
	e.outcome()
	e.actions()
	e.shareList()
	e.disclosures()
	e.history()
	return []byte(e.b.String())
}

func (e *exporter) p(format string, args ...any) { fmt.Fprintf(&e.b, format+"\n", args...) }

// field writes a list item "- **label:** value", value already Markdown.
func (e *exporter) field(label, value string) {
	if value != "" {
		e.p("- **%s:** %s", label, value)
	}
}

// text writes a labelled passage someone typed, as a quotation.
func (e *exporter) text(label, s string) {
	if !caseconf.Visible(s) {
		return
	}
	e.p("\n**%s:**\n\n%s\n", label, MarkdownQuote(s))
}

// who is a Slack user as the document shows them: their name where Slack
// told it, and their ID.
func (e *exporter) who(id string) string {
	if id == "" {
		return ""
	}
	if n := e.r.Names[id]; caseconf.Visible(n) {
		return MarkdownText(n) + " (Slack " + MarkdownText(id) + ")"
	}
	return "Slack user " + MarkdownText(id)
}

func (e *exporter) person(p caseconf.Person) string {
	var parts []string
	if p.UserID != "" {
		parts = append(parts, e.who(p.UserID))
	}
	for _, s := range []string{p.Name, p.JobTitle, p.Agency} {
		if caseconf.Visible(s) {
			parts = append(parts, MarkdownText(s))
		}
	}
	s := strings.Join(parts, ", ")
	if p.UserID == "" {
		s += " (not on Slack)"
	}
	if caseconf.Visible(p.Contact) {
		s += ", contact: " + MarkdownText(p.Contact)
	}
	return s
}

func (e *exporter) at(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(e.loc).Format("Monday 2 January 2006, 15:04 MST")
}

// calDay is a calendar date (as stored: midnight UTC).
func calDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("Monday 2 January 2006")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (e *exporter) header() {
	c := e.r.Conference
	e.p("# Case conference record: %s", MarkdownText(c.Ref))
	e.p("\n> **Confidential.** This document holds a client's personal and case details, shared under the consent (or the recorded reason to meet without it) set out below. Keep it only where your service keeps case records, and do not forward it beyond the people entitled to it.\n")
	e.field("Exported for", e.who(e.r.ExportedBy))
	e.field("Exported", e.at(e.r.ExportedAt))
	e.field("Actions in the plan", strconv.Itoa(len(e.r.Actions)))
}

func (e *exporter) conference() {
	c := e.r.Conference
	e.p("\n## The conference\n")
	e.field("Reference", MarkdownText(c.Ref))
	e.field("Status", string(c.Status))
	e.field("Client reference", MarkdownText(c.ClientRef))
	e.field("Client's name", MarkdownText(c.ClientName))
	e.field("Case manager", e.who(c.CaseManagerID))
	e.field("Chair", e.who(c.ChairID))
	e.field("Minute taker", e.who(c.MinuteTakerID))
	e.field("When", e.at(c.StartsAt)+fmt.Sprintf(" (%d minutes)", c.DurationMinutes))
	e.field("Place", MarkdownText(c.Place))
	var reasons []string
	for _, r := range c.Reasons {
		reasons = append(reasons, MarkdownText(caseconf.Label(caseconf.ConferenceReasons, r)))
	}
	e.field("Why it was called", strings.Join(reasons, "; "))
	if c.Urgent {
		e.field("Urgent, with less than ten working days' notice", MarkdownText(c.UrgentReason))
	}
	e.field("Called", e.at(c.CreatedAt))
	e.field("The client attends", yesNo(c.ClientAttends))
	if c.Cancelled() {
		e.field("Cancelled", MarkdownText(c.CancelReason))
	}
	e.text("Purpose and aims", c.Purpose)
	if !c.ClientAttends {
		e.field("Why the client does not attend", MarkdownText(caseconf.AbsenceLabel(c.ClientAbsence)))
		if c.ClientAbsence == caseconf.AbsenceChildWelfare {
			e.field("Decided by the child-care manager", MarkdownText(c.ChildCareManager))
		}
		e.text("Why the client does not attend, as typed before the policy's circumstances were asked", c.ClientAbsenceNote)
	}
	e.text("How the outcome will be communicated to the client", c.ClientToldHow)
}

func (e *exporter) consent() {
	c := e.r.Conference.Consent
	e.p("\n## Consent to share information\n")
	if c.Method == caseconf.ConsentNone {
		e.field("Consent", "none; shared without it on the basis: "+MarkdownText(caseconf.NoConsentBasisLabel(c.NoConsentReason)))
		e.field("Decided by", MarkdownText(c.DecidedBy))
		e.text("Why", c.Explanation)
	} else {
		e.field("Consent", MarkdownText(c.MethodLabel()))
		e.field("Given", calDay(c.GivenOn))
		e.field("Valid until", calDay(c.ValidUntil))
		e.field("This meeting", MarkdownText(c.CheckLine()))
		e.text("Note recorded with the consent", c.Explanation)
	}
	var kinds []string
	for _, k := range c.AgencyKinds {
		kinds = append(kinds, MarkdownText(caseconf.Label(caseconf.AgencyKinds, k)))
	}
	e.field("Agencies it covers", strings.Join(kinds, "; "))
}

func (e *exporter) invitees() {
	c := e.r.Conference
	e.p("\n## Invitees and their answers\n")
	if len(c.Invitees) == 0 {
		e.p("Nobody was invited.")
	}
	for i := range c.Invitees {
		inv := &c.Invitees[i]
		e.p("\n### Invitee %d: %s\n", i+1, e.person(caseconf.Person{UserID: inv.SlackUserID, Name: inv.Name, JobTitle: inv.Role, Agency: inv.Agency, Contact: inv.Contact}))
		if inv.AgencyKind != "" {
			e.field("Kind of agency", MarkdownText(caseconf.Label(caseconf.AgencyKinds, inv.AgencyKind))+", covered by the consent: "+yesNo(c.Covered(inv)))
		}
		accepted := "not accepted"
		switch {
		case inv.AcceptedAt != nil && !inv.OnSlack():
			// Recorded by the case manager or chair: a date, and how.
			accepted = "accepted " + inv.AcceptedAt.UTC().Format("2 January 2006") + ", " +
				strings.ToLower(caseconf.Label(caseconf.AgreementWays, inv.AcceptedHow)) + " (recorded for them)"
		case inv.AcceptedAt != nil:
			accepted = "accepted " + e.at(*inv.AcceptedAt)
		}
		e.field("Information-sharing and confidentiality agreement", accepted)
		answers := e.r.Answers[inv.ID]
		if len(answers) == 0 {
			e.field("Answer", "none given")
		}
		for _, a := range answers {
			label := answerLabel(a)
			if a.RecordedBy != "" {
				label += "; recorded by " + e.who(a.RecordedBy)
			}
			e.field("Answered "+e.at(a.At), label)
		}
		if inv.ReportSent() {
			e.field("Agency report", "sent "+e.atPtr(inv.ReportAt))
		}
	}
}

func (e *exporter) atPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return e.at(*t)
}

func answerLabel(a caseconf.Response) string {
	switch a.Answer {
	case caseconf.AnswerAttending:
		return "attending"
	case caseconf.AnswerColleague:
		return "sending a briefed colleague, " + MarkdownText(a.Colleague)
	case caseconf.AnswerApologies:
		return "cannot attend; will send a written report"
	case caseconf.AnswerNotInvolved:
		if a.Reason != "" {
			return "not involved with this client: " + MarkdownText(a.Reason)
		}
		return "not involved with this client"
	case caseconf.AnswerNoReply:
		return "no reply yet (an earlier reply taken back)"
	}
	return MarkdownText(string(a.Answer))
}
