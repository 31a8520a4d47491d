package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// readingConference has n covered invitees on Slack, the odd ones
// attending and the even ones not (can't attend), each with a report of
// the longest text, escaped to the most.
func readingConference(n int) (*caseconf.Conference, []caseconf.Report) {
	c, _ := sampleConference()
	c.Invitees = nil
	var reports []caseconf.Report
	long := strings.Repeat("&", caseconf.MaxReportText)
	for i := 1; i <= n; i++ {
		inv := caseconf.Invitee{ID: int64(i), ConferenceID: c.ID, SlackUserID: fmt.Sprintf("U0INV%d", i)}
		accept(c, &inv, "health_gp")
		answer := caseconf.AnswerAttending
		if i%2 == 0 {
			answer = caseconf.AnswerApologies
		}
		at := c.CreatedAt.Add(time.Duration(i) * time.Hour)
		inv.Response, inv.ReportAt = &caseconf.Response{Answer: answer, At: at}, &at
		c.Invitees = append(c.Invitees, inv)
		reports = append(reports, caseconf.Report{InviteeID: inv.ID, ConferenceID: c.ID, AuthorID: inv.SlackUserID,
			Agency: "Surgery " + fmt.Sprint(i), Role: "GP", Involvement: long, LastContact: strings.Repeat("<", caseconf.MaxReasonText),
			Concerns: long, Worked: long, NotWorked: long, Recommendations: long, Revision: 1, SubmittedAt: at, UpdatedAt: at})
	}
	return c, reports
}

func TestReportsNeverPassFiftyBlocks(t *testing.T) {
	cal := london(t)
	for _, n := range []int{0, 1, 2, 3, 7} {
		c, reports := readingConference(n)
		seen := map[int64]int{}
		start, offset, pages := int64(0), 0, 0
		for {
			msg := reportsMessage(c, reports, start, offset, cal)
			if len(msg.Blocks) > maxMessageBlocks {
				t.Fatalf("%d reports: a page of %d blocks", n, len(msg.Blocks))
			}
			if chars := messageChars(msg.Blocks); chars > maxMessageText {
				t.Fatalf("%d reports: a page of %d characters of block text", n, chars)
			}
			for _, b := range msg.Blocks {
				if s, ok := b.(*slack.SectionBlock); ok && len([]rune(s.Text.Text)) > maxSectionText {
					t.Fatalf("%d reports: a section of %d characters", n, len([]rune(s.Text.Text)))
				}
			}
			for _, rep := range reports {
				if strings.Contains(rendered(t, msg), "Surgery "+fmt.Sprint(rep.InviteeID)+" ") {
					seen[rep.InviteeID]++
				}
			}
			pages++
			next := ""
			for _, b := range msg.Blocks {
				if a, ok := b.(*slack.ActionBlock); ok {
					for _, el := range a.Elements.ElementSet {
						if btn := el.(*slack.ButtonBlockElement); btn.ActionID == actionReports+":next" {
							next = btn.Value
						}
					}
				}
			}
			if next == "" || pages > 20*n {
				break
			}
			subj, err := parseSubject(next)
			if err != nil || subj.Conference != c.ID {
				t.Fatalf("next page button %q", next)
			}
			start, offset = subj.Invitee, int(subj.Page)
		}
		if len(seen) != n {
			t.Fatalf("%d reports: %d shown over %d pages", n, len(seen), pages)
		}
		for id, times := range seen {
			if times != 1 {
				t.Errorf("%d reports: report %d shown on %d pages", n, id, times)
			}
		}
	}
}

func TestReportsOfAgenciesNotComingFirst(t *testing.T) {
	c, reports := readingConference(4)
	var order []int64
	for _, r := range orderReports(c, reports) {
		order = append(order, r.InviteeID)
	}
	if fmt.Sprint(order) != "[2 4 1 3]" {
		t.Fatalf("order %v, want those not coming (2, 4) first", order)
	}
	if h := reportHeading(c, reports[1]); !strings.Contains(h, "read out") || strings.Contains(reportHeading(c, reports[0]), "read out") {
		t.Errorf("headings: %q, %q", h, reportHeading(c, reports[0]))
	}
}

// show: the chair gets the reports in full when they fit, otherwise a
// list and Read reports; an invitee who may see details but not the
// reports gets a count; one whose agency is not covered, nothing.
func TestShowMeetingBlocks(t *testing.T) {
	cal := london(t)
	c, reports := readingConference(2)
	reports[0].Concerns, reports[1].Concerns = "Missed appointments", "Rent arrears"
	for i := range reports {
		reports[i].Involvement, reports[i].Worked, reports[i].NotWorked, reports[i].Recommendations, reports[i].LastContact = "a", "", "", "b", "c"
	}
	onTheDay, before := c.StartsAt.Add(-2*time.Hour), c.StartsAt.Add(-48*time.Hour)
	chair := caseconf.Viewer{UserID: "U0CM"}

	full := rendered(t, message{Blocks: meetingBlocks(c, chair, reports, onTheDay, cal, 40)})
	if !strings.Contains(full, "Agenda") || !strings.Contains(full, "Rent arrears") || strings.Contains(full, `"action_id":"reports"`) {
		t.Errorf("the chair on the day: %s", full)
	}
	if got := rendered(t, message{Blocks: meetingBlocks(c, chair, reports, before, cal, 40)}); strings.Contains(got, "Agenda") {
		t.Errorf("the agenda before the day: %s", got)
	}
	listed := rendered(t, message{Blocks: meetingBlocks(c, chair, reports, onTheDay, cal, 4)})
	if strings.Contains(listed, "Rent arrears") || !strings.Contains(listed, `"action_id":"reports"`) || !strings.Contains(listed, "Surgery 2") {
		t.Errorf("the chair with little room: %s", listed)
	}
	absent := caseconf.Viewer{UserID: "U0INV2"} // covered, can't attend
	if got := rendered(t, message{Blocks: meetingBlocks(c, absent, reports, onTheDay, cal, 40)}); !strings.Contains(got, "2 received") ||
		strings.Contains(got, "Rent arrears") || strings.Contains(got, "Surgery") || strings.Contains(got, `"action_id":"reports"`) {
		t.Errorf("an invitee who can't attend: %s", got)
	}
	c.Invitees[1].AgencyKind = "probation_police" // not covered
	if got := rendered(t, message{Blocks: meetingBlocks(c, absent, nil, onTheDay, cal, 40)}); strings.Contains(got, "received") {
		t.Errorf("an uncovered invitee: %s", got)
	}
}

// The case manager's summary never lists as owing a report someone whose
// agency the client's consent does not cover; it does list a covered one.
func TestSummaryOwedReports(t *testing.T) {
	c, reports := readingConference(4)
	_ = reports
	c.Invitees[1].ReportAt = nil // covered, can't attend: owes one
	c.Invitees[3].ReportAt = nil
	c.Invitees[3].AgencyKind = "probation_police" // can't attend, not covered
	got := rendered(t, summaryMessage(c, london(t), nil))
	lines := strings.Split(got, `\n`)
	owes := func(user string) bool {
		for _, l := range lines {
			if strings.Contains(l, user) && strings.Contains(l, "report owed") {
				return true
			}
		}
		return false
	}
	if !owes("U0INV2") || owes("U0INV4") || owes("U0INV1") {
		t.Errorf("owed: INV2 %v (want true), INV4 %v, INV1 %v:\n%s", owes("U0INV2"), owes("U0INV4"), owes("U0INV1"), got)
	}
	if line := owedLine(c); !strings.Contains(line, "U0INV2") || strings.Contains(line, "U0INV4") {
		t.Errorf("owed line: %q", line)
	}
}

func TestMyActionsNeverPassFiftyBlocks(t *testing.T) {
	c, _ := readingConference(0)
	today := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	var list []store.OpenAction
	for i := range myActionsLimit {
		a := &caseconf.Action{ID: int64(i + 1), ConferenceID: c.ID, Area: "Health", What: strings.Repeat("&", caseconf.MaxActionText),
			OwnerID: "U0CM", DueOn: today.AddDate(0, 0, i-1), Status: caseconf.ActionOpen}
		list = append(list, store.OpenAction{Conference: c, Action: a})
	}
	msg := myActionsMessage(list, 25, caseconf.Viewer{UserID: "U0CM"}, today)
	got := rendered(t, msg)
	if len(msg.Blocks) > maxMessageBlocks || !strings.Contains(got, "overdue") || !strings.Contains(got, "due today") || !strings.Contains(got, "more, due later") {
		t.Fatalf("%d blocks: %s", len(msg.Blocks), got)
	}
	if !strings.Contains(got, `"action_id":"done","text":{"type":"plain_text","text":"Mark done"`) && !strings.Contains(got, `"value":"a1"`) {
		t.Errorf("no Mark done button: %s", got)
	}
}
