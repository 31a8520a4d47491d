package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/caseconf/caseconf"
)

// The minutes, and only the minutes: what `/caseconf export REF minutes`
// and "E-mail the minutes" make into a password-protected PDF for people
// not on Slack. Attendees and apologies, the summary, what has and has
// not worked, the client's views, the action plan and the review date of
// the outcome as it now stands; never the reports, earlier versions of
// the outcome, the history, the share list or the disclosures.

// MinutesPDFFilename is the name the minutes PDF of ref goes under.
func MinutesPDFFilename(ref string) string { return strings.ToUpper(ref) + "-minutes.pdf" }

// MinutesMarkdown is the minutes of r's recorded outcome (r.Outcome must
// not be nil), times in loc.
func MinutesMarkdown(r *caseconf.Record, loc *time.Location) []byte {
	e := &exporter{r: r, loc: loc}
	c, o := r.Conference, r.Outcome
	e.p("# Minutes of case conference %s", MarkdownText(c.Ref))
	e.p("\n> **Confidential.** These minutes hold a client's personal and case details, shared with you under the client's consent. Keep them only where your service keeps case records, and do not pass them on.\n")
	e.field("Reference", MarkdownText(c.Ref))
	e.field("Client reference", MarkdownText(c.ClientRef))
	e.field("Client's name", MarkdownText(c.ClientName))
	e.field("Met", e.at(c.StartsAt)+fmt.Sprintf(" (%d minutes)", c.DurationMinutes))
	e.field("Place", MarkdownText(c.Place))
	e.field("Case manager", e.who(c.CaseManagerID))
	e.field("Chair", e.who(c.ChairID))
	if o.Version > 1 {
		e.field("Version", fmt.Sprintf("%d (corrected %s)", o.Version, e.at(o.AmendedAt)))
	}
	e.people("Attended", o.Attended)
	e.people("Apologies", o.Apologies)
	e.text("Summary of issues", o.Summary)
	e.text("What has worked", o.Worked)
	e.text("What has not worked", o.NotWorked)
	e.text("The client's views", o.ClientViews)
	if o.LeadChanged {
		e.field("New case manager", e.who(o.NewCaseManagerID))
		e.field("New lead agency", MarkdownText(o.NewLeadAgency))
	}
	n := len(r.Actions)
	e.p("\n## Action plan (%d actions)\n", n)
	if n == 0 {
		e.p("There are no actions.")
	}
	for i, a := range r.Actions {
		owner := e.who(a.OwnerID)
		switch {
		case a.OwnerClient:
			owner = caseconf.ClientOwnerName
		case a.OwnerID == "":
			owner = e.person(caseconf.Person{Name: a.OwnerName, Agency: a.OwnerAgency})
		}
		e.p("\n### Action %d of %d: %s\n", i+1, n, MarkdownText(a.Area))
		e.field("Owner", owner)
		e.field("To be met or reviewed by", calDay(a.DueOn))
		e.text("Action, with its risks and barriers", a.What)
	}
	e.p("\n## Review\n")
	e.field("Review meeting", calDay(o.ReviewOn))
	e.field("Minutes made", e.at(r.ExportedAt))
	return []byte(e.b.String())
}
