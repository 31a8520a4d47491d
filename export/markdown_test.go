package export

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

var (
	t0       = time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	accepted = t0.Add(-72 * time.Hour)
)

// fixture is a conference with one of every kind of participant.
func fixture() *caseconf.Conference {
	return &caseconf.Conference{
		ID: 7, Ref: "CC-0007", ClientRef: "JS-4411", CaseManagerID: "U0CM", ChairID: "U0CHAIR", MinuteTakerID: "U0MIN",
		StartsAt: t0, DurationMinutes: 60, Status: caseconf.StatusScheduled,
		Consent: caseconf.Consent{Method: caseconf.ConsentWritten, AgencyKinds: []string{"health_gp", "housing"}},
		Invitees: []caseconf.Invitee{
			{ID: 1, SlackUserID: "U0GP", AgencyKind: "health_gp", AcceptedAt: &accepted},
			{ID: 2, SlackUserID: "U0PROB", AgencyKind: "probation_police", AcceptedAt: &accepted},
			{ID: 3, SlackUserID: "U0NEW"}, // not accepted yet, agency unknown
			{ID: 4, Name: "Dr Patel", AgencyKind: "health_gp"},
		},
		ShareList: []string{"U0SHARE", "U0GP"},
	}
}

func TestMarkdownText(t *testing.T) {
	for in, want := range map[string]string{
		"Jane Smith":            "Jane Smith",
		"# Heading":             `\# Heading`,
		"## x":                  `\#\# x`,
		"- item":                `\- item`,
		"+ item":                `\+ item`,
		"1. item":               `1\. item`,
		"12) item":              `12\) item`,
		"2026. A year":          `2026\. A year`,
		"=====":                 `\=====`,
		"---":                   `\---`,
		"***":                   `\*\*\*`,
		"> quote":               `\> quote`,
		"```go":                 "\\`\\`\\`go",
		"~~~":                   `\~\~\~`,
		"<script>x</script>":    `\<script\>x\</script\>`,
		"[click](http://x.org)": `\[click\](http\://x.org)`,
		"see https://evil.example/x or www.evil.example": `see https\://evil.example/x or www\.evil.example`,
		"![img](x.png)":         `\!\[img\](x.png)`,
		"a | b":                 `a \| b`,
		"*bold* _em_":           `\*bold\* \_em\_`,
		`back\slash`:            `back\\slash`,
		"A&E":                   "A&E",
		"&amp; &#60; &lt;":      `\&amp; \&\#60; \&lt;`,
		"    indented code":     "indented code",
		"two\nlines\r\n# three": `two lines \# three`,
		"line\u2028# sep":       `line \# sep`,
		"tab\there":             "tab here",
		"bidi\u202eevil":        "bidievil",
		"nul\x00bell\x07":       "nulbell",
		"Dr. Patel, 020 7946":   "Dr. Patel, 020 7946",
	} {
		if got := MarkdownText(in); got != want {
			t.Errorf("MarkdownText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownQuote(t *testing.T) {
	got := MarkdownQuote("first\n\n# not a heading\n    not code\n```\n> nested")
	want := "> first  \n>\n> \\# not a heading  \n> not code  \n> \\`\\`\\`  \n> \\> nested"
	if got != want {
		t.Errorf("MarkdownQuote = %q, want %q", got, want)
	}
}

// hostile is text typed to break the document: a heading, a list, a code
// fence, HTML, a link, a table row and a thematic break on lines of their
// own, and the end of a quotation.
const hostile = "# Fake heading\n## Another\n- list\n1. ordered\n```\ncode\n```\n<b>html</b>\n[link](http://evil.example)\n| a | b |\n---\n\n\nafter a blank line"

// recordWith is a record with every typed field set to text, and n actions.
func recordWith(text string, n int) *caseconf.Record {
	c := fixture()
	c.ClientName, c.Purpose, c.Place, c.ClientAbsenceNote, c.ClientToldHow, c.UrgentReason, c.CancelReason = text, text, text, text, text, text, text
	c.ClientAttends, c.ClientAbsence, c.ChildCareManager = false, caseconf.AbsenceChildWelfare, text
	c.Consent.Checked, c.Consent.NotCheckedWhy = false, text
	c.Urgent, c.Status = true, caseconf.StatusRecorded
	c.Consent.Explanation = text
	for i := range c.Invitees {
		c.Invitees[i].Name, c.Invitees[i].Role, c.Invitees[i].Agency, c.Invitees[i].Contact = text, text, text, text
	}
	c.Invitees[0].ReportAt = &accepted
	rep := caseconf.Report{AuthorID: "U0GP", Agency: text, Role: text, Involvement: text, LastContact: text, Concerns: text,
		Worked: text, NotWorked: text, Recommendations: text, Revision: 1, SubmittedAt: accepted, UpdatedAt: accepted}
	rep2 := rep
	rep2.Revision = 2
	o := &caseconf.Outcome{RecordedBy: "U0CM", RecordedAt: t0, LeadChanged: true, NewCaseManagerID: "U0NEWCM", NewLeadAgency: text,
		Summary: text, Worked: text, NotWorked: text, ClientViews: text, ReviewOn: t0.AddDate(0, 3, 0),
		Attended: []caseconf.Person{{UserID: "U0CM"}, {Name: text, JobTitle: text, Agency: text}}, Apologies: []caseconf.Person{{UserID: "U0GP"}}}
	r := &caseconf.Record{Conference: c, Outcome: o, Reports: [][]caseconf.Report{{rep, rep2}},
		Answers:     map[int64][]caseconf.Response{1: {{Answer: caseconf.AnswerColleague, Colleague: text, At: accepted}}},
		ShareList:   []caseconf.Shared{{Person: caseconf.Person{UserID: "U0GP"}}, {Person: caseconf.Person{UserID: "U0PROB"}, Withheld: text}, {Person: caseconf.Person{Name: text, Contact: text}}},
		Disclosures: []caseconf.Disclosure{{RecipientID: "U0GP", Part: 1, Parts: 1, Basis: text, DecidedBy: "U0CM", DecidedAt: t0}},
		History:     []caseconf.Change{{At: t0, By: "U0CM", What: "outcome.record", Detail: text}},
		ExportedBy:  "U0CM", ExportedAt: t0, Names: map[string]string{"U0CM": text}}
	for i := range n {
		r.Actions = append(r.Actions, caseconf.RecordAction{
			Action:   caseconf.Action{ID: int64(i + 1), Area: text, What: fmt.Sprintf("Action number %d: %s", i+1, text), OwnerName: text, OwnerAgency: text, DueOn: t0, Status: caseconf.ActionOpen},
			Progress: text, ProposedDue: t0,
			Updates: []caseconf.Change{{At: t0, By: "U0GP", What: "progress noted", Note: text}},
		})
	}
	return r
}

// structure is the document's skeleton: every line that starts a
// heading, a list item, a quotation, a code block or HTML, without its
// text.
func structure(doc string) []string {
	var out []string
	for _, l := range strings.Split(doc, "\n") {
		for _, p := range []string{"####", "###", "##", "#", "- ", "  > ", "> ", ">", "```", "~~~", "    ", "<", "---", "1. "} {
			if strings.HasPrefix(l, p) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

func TestMarkdownHostileTextKeepsTheStructure(t *testing.T) {
	loc := time.UTC
	benign := string(Markdown(recordWith("plain words", 3), loc))
	evil := string(Markdown(recordWith(hostile, 3), loc))
	bs, es := structure(benign), structure(evil)
	// Hostile text runs over more lines than "plain words" in a
	// quotation, so quotation lines are compared apart.
	strip := func(s []string) []string {
		var out []string
		for _, p := range s {
			if p != "> " && p != ">" && p != "  > " {
				out = append(out, p)
			}
		}
		return out
	}
	if got, want := strings.Join(strip(es), "|"), strings.Join(strip(bs), "|"); got != want {
		t.Errorf("typed text changed the document's structure:\n got %s\nwant %s", got, want)
	}
	unescaped := regexp.MustCompile("(^|[^\\\\])[\\[<`|]")
	for _, l := range strings.Split(evil, "\n") {
		if strings.Contains(l, "evil.example") && unescaped.MatchString(l) {
			t.Errorf("an unescaped link or markup: %q", l)
		}
	}
	if strings.Contains(evil, "\n# Fake") || strings.Contains(evil, "\n```") {
		t.Error("a typed heading or code fence reached the start of a line")
	}
}

// Thirty actions: every one is in the document, in order, whole.
func TestMarkdownThirtyActions(t *testing.T) {
	doc := string(Markdown(recordWith("words", 30), time.UTC))
	last := 0
	for i := 1; i <= 30; i++ {
		head := fmt.Sprintf("\n### Action %d of 30: words\n", i)
		at := strings.Index(doc, head)
		if at < last {
			t.Fatalf("action %d is missing or out of order", i)
		}
		last = at
		if !strings.Contains(doc, fmt.Sprintf("> Action number %d: words", i)) {
			t.Errorf("action %d's text is missing", i)
		}
	}
	for _, want := range []string{"# Case conference record: CC-0007", "## Action plan (30 actions)", "- **Actions in the plan:** 30",
		"Slack user U0NEWCM", "words (Slack U0CM)", "#### Earlier version 1", "## Disclosures of the minutes", "## History of changes"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the document does not say %q", want)
		}
	}
}

// The record says "not involved with this client", and why when given,
// escaped like any other text.
func TestAnswerLabelNotInvolved(t *testing.T) {
	if got := answerLabel(caseconf.Response{Answer: caseconf.AnswerNotInvolved}); got != "not involved with this client" {
		t.Errorf("without a reason: %q", got)
	}
	got := answerLabel(caseconf.Response{Answer: caseconf.AnswerNotInvolved, Reason: "Not *registered* here"})
	if !strings.HasPrefix(got, "not involved with this client: ") || !strings.Contains(got, "registered") || strings.Contains(got, "*registered*") {
		t.Errorf("with a reason: %q", got)
	}
}

// An action closed as not achieved shows so, with when, by whom and why;
// one the client owns names "the client" as its owner.
func TestMarkdownActionsOverTime(t *testing.T) {
	c := fixture()
	c.Status = caseconf.StatusRecorded
	closed := t0.Add(48 * time.Hour)
	r := &caseconf.Record{Conference: c, Actions: []caseconf.RecordAction{
		{Action: caseconf.Action{ID: 1, Area: "Housing", What: "Apply for support", OwnerID: "U0GP", DueOn: t0, Status: caseconf.ActionNotAchieved,
			ClosedAt: &closed, ClosedBy: "U0GP", CloseReason: "The panel refused the referral"}},
		{Action: caseconf.Action{ID: 2, Area: "Money", What: "Keep the appointment", OwnerName: caseconf.ClientOwnerName, OwnerClient: true,
			DueOn: t0, Status: caseconf.ActionOpen}},
	}}
	md := string(Markdown(r, time.UTC))
	for _, want := range []string{"closed as not achieved", "The panel refused the referral", "**Owner:** the client\n", "**Status:** open"} {
		if !strings.Contains(md, want) {
			t.Errorf("the record lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "the client (not on Slack)") {
		t.Error("the client is shown as someone not on Slack")
	}
}
