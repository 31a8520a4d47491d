package export

import (
	"fmt"
	"strings"

	"github.com/caseconf/caseconf"
)

// The exported record's later sections: reports, outcome, action plan,
// share list, disclosures and history.

func (e *exporter) reports() {
	e.p("\n## Agency reports\n")
	if len(e.r.Reports) == 0 {
		e.p("No agency reports were sent.")
	}
	for i, versions := range e.r.Reports {
		if len(versions) == 0 {
			continue
		}
		cur := versions[len(versions)-1]
		author := e.who(cur.AuthorID)
		if rc := cur.Received; rc != nil {
			author = "someone not on Slack"
			if inv := e.r.Conference.Invitee(cur.InviteeID); inv != nil {
				author = MarkdownText(inv.Name) + " (not on Slack)"
			}
		}
		e.p("\n### Report %d: %s, %s, %s\n", i+1, author, MarkdownText(cur.Role), MarkdownText(cur.Agency))
		if rc := cur.Received; rc != nil {
			e.field("Received", MarkdownText(rc.On.Format("2 January 2006")+", "+rc.How))
			e.field("Entered by", e.who(rc.EnteredBy)+" (the case manager)")
		}
		e.field("First sent", e.at(cur.SubmittedAt))
		e.field("Versions", fmt.Sprintf("%d (this is the latest, saved %s)", len(versions), e.at(cur.UpdatedAt)))
		e.report(cur)
		for j := len(versions) - 2; j >= 0; j-- {
			v := versions[j]
			e.p("\n#### Earlier version %d, saved %s\n", v.Revision, e.at(v.UpdatedAt))
			e.field("Agency and role", MarkdownText(v.Agency)+", "+MarkdownText(v.Role))
			e.report(v)
		}
	}
}

func (e *exporter) report(r caseconf.Report) {
	e.text("Involvement with the client", r.Involvement)
	e.text("Last contact", r.LastContact)
	e.text("Current concerns", r.Concerns)
	e.text("What has worked", r.Worked)
	e.text("What has not worked", r.NotWorked)
	e.text("Recommendations", r.Recommendations)
}

func (e *exporter) outcome() {
	e.p("\n## Outcome\n")
	o := e.r.Outcome
	if o == nil {
		e.p("No outcome has been recorded.")
		return
	}
	e.field("Recorded by", e.who(o.RecordedBy))
	e.field("Recorded", e.at(o.RecordedAt))
	e.field("Review meeting", calDay(o.ReviewOn))
	e.field("Lead agency or case manager changed", yesNo(o.LeadChanged))
	e.field("New case manager", e.who(o.NewCaseManagerID))
	e.field("New lead agency", MarkdownText(o.NewLeadAgency))
	e.people("Attended", o.Attended)
	e.people("Apologies", o.Apologies)
	e.text("Summary of issues", o.Summary)
	e.text("What has worked", o.Worked)
	e.text("What has not worked", o.NotWorked)
	e.text("The client's views", o.ClientViews)
	if o.Version > 1 {
		e.field("Version", fmt.Sprintf("%d (corrected; the earlier versions follow)", o.Version))
		e.field("Corrected by", e.who(o.AmendedBy))
		e.field("Corrected", e.at(o.AmendedAt))
		e.text("What changed and why", o.AmendReason)
	}
	e.versions()
}

// versions writes each earlier version of the outcome as it was kept.
func (e *exporter) versions() {
	if len(e.r.Versions) == 0 {
		return
	}
	e.p("\n## Earlier versions of the outcome\n")
	for _, v := range e.r.Versions {
		o := v.Outcome
		e.p("\n### Version %d\n", o.Version)
		e.field("Made by", e.who(v.MadeBy))
		e.field("Made", e.at(v.MadeAt))
		e.text("What changed and why", v.Reason)
		e.field("Replaced by a correction by", e.who(v.ReplacedBy))
		e.field("Replaced", e.at(v.ReplacedAt))
		e.field("Review meeting", calDay(o.ReviewOn))
		e.people("Attended", o.Attended)
		e.people("Apologies", o.Apologies)
		e.text("Summary of issues", o.Summary)
		e.text("What has worked", o.Worked)
		e.text("What has not worked", o.NotWorked)
		e.text("The client's views", o.ClientViews)
		e.p("\n**Its action plan:**\n")
		if len(o.Actions) == 0 {
			e.p("- no actions")
		}
		for _, a := range o.Actions {
			owner := e.who(a.OwnerID)
			if a.OwnerID == "" {
				owner = e.person(caseconf.Person{Name: a.OwnerName, Agency: a.OwnerAgency})
			}
			e.p("- %s: %s (%s, by %s)", MarkdownText(a.Area), MarkdownText(a.What), owner, calDay(a.DueOn))
		}
	}
}

func (e *exporter) people(label string, ps []caseconf.Person) {
	e.p("\n**%s:**\n", label)
	if len(ps) == 0 {
		e.p("- nobody")
	}
	for _, p := range ps {
		e.p("- %s", e.person(p))
	}
}

func (e *exporter) actions() {
	n := len(e.r.Actions)
	e.p("\n## Action plan (%d actions)\n", n)
	if n == 0 {
		e.p("There are no actions.")
	}
	for i, a := range e.r.Actions {
		e.p("\n### Action %d of %d: %s\n", i+1, n, MarkdownText(a.Area))
		owner := e.who(a.OwnerID)
		switch {
		case a.OwnerClient:
			owner = caseconf.ClientOwnerName
		case a.OwnerID == "":
			owner = e.person(caseconf.Person{Name: a.OwnerName, Agency: a.OwnerAgency})
		}
		e.field("Owner", owner)
		e.field("To be met or reviewed by", calDay(a.DueOn))
		status := "open"
		switch {
		case a.Done():
			status = "done " + e.atPtr(a.DoneAt)
			if a.DoneBy != "" {
				status += ", marked by " + e.who(a.DoneBy)
			}
		case a.Closed():
			status = "closed as " + a.Status.Label() + " " + e.atPtr(a.ClosedAt)
			if a.ClosedBy != "" {
				status += ", by " + e.who(a.ClosedBy)
			}
		}
		e.field("Status", status)
		if a.Closed() {
			e.text("Why it was closed", a.CloseReason)
		}
		e.field("New date proposed", calDay(a.ProposedDue))
		e.text("Action, with its risks and barriers", a.What)
		e.text("Latest progress", a.Progress)
		if len(a.Updates) > 0 {
			e.p("\n**What happened to it:**\n")
			for _, u := range a.Updates {
				e.change(u)
			}
		}
	}
}

func (e *exporter) shareList() {
	e.p("\n## Who the minutes are shared with\n")
	if len(e.r.ShareList) == 0 {
		e.p("Nobody.")
	}
	for _, s := range e.r.ShareList {
		line := "- " + e.person(s.Person)
		if s.Withheld != "" {
			line += ": **not sent**, " + MarkdownText(s.Withheld)
		}
		e.p("%s", line)
	}
}

func (e *exporter) disclosures() {
	e.p("\n## Disclosures of the minutes\n")
	if len(e.r.Disclosures) == 0 {
		e.p("None.")
	}
	for _, d := range e.r.Disclosures {
		sent := "not delivered yet"
		if !d.SentAt.IsZero() {
			sent = "delivered " + e.at(d.SentAt)
		}
		minutes := ""
		if d.Version > 1 {
			minutes = fmt.Sprintf(" of the amended minutes (version %d)", d.Version)
		}
		if d.Medium == "email" || d.Medium == "by_hand" {
			how := "e-mailed"
			if d.Medium == "by_hand" {
				how = "given to the case manager to pass on"
				sent = "by hand"
			}
			e.p("- To %s (not on Slack, %s), the minutes%s as a password-protected PDF, %s: %s; decided by %s %s, under: %s", MarkdownText(d.Name),
				MarkdownText(d.RecipientID), minutes, how, sent, e.who(d.DecidedBy), e.at(d.DecidedAt), MarkdownText(d.Basis))
			continue
		}
		e.p("- To %s, part %d of %d%s: %s; decided by %s %s, under: %s", e.who(d.RecipientID), d.Part, d.Parts, minutes, sent,
			e.who(d.DecidedBy), e.at(d.DecidedAt), MarkdownText(d.Basis))
	}
}

func (e *exporter) history() {
	e.p("\n## History of changes\n")
	if len(e.r.History) == 0 {
		e.p("None recorded.")
	}
	for _, c := range e.r.History {
		e.change(c)
	}
}

// change writes one line of history.
func (e *exporter) change(c caseconf.Change) {
	line := "- " + e.at(c.At) + ": " + MarkdownText(c.What)
	if c.By != "" {
		line += ", by " + e.who(c.By)
	}
	if c.Detail != "" {
		line += " (" + MarkdownText(c.Detail) + ")"
	}
	e.p("%s", line)
	if caseconf.Visible(c.Note) {
		e.p("\n%s\n", indent(MarkdownQuote(c.Note)))
	}
}

// indent makes a block part of the list item above it.
func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }
