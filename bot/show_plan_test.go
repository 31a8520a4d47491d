package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

// fullestPlanOutcome is an outcome with every text at its limit in
// characters that grow the most when escaped, and the most actions, in
// every state.
func fullestPlanOutcome(c *caseconf.Conference) *caseconf.Outcome {
	long := func(k int) string { return strings.Repeat("&<", k/2) }
	o := &caseconf.Outcome{ConferenceID: c.ID, RecordedBy: c.CaseManagerID, RecordedAt: c.StartsAt.Add(2 * time.Hour),
		Summary: long(caseconf.MaxOutcomeText), ReviewOn: c.StartsAt.AddDate(0, 3, 0)}
	states := []caseconf.ActionStatus{caseconf.ActionOpen, caseconf.ActionDone, caseconf.ActionNotAchieved, caseconf.ActionNotNeeded}
	for i := range caseconf.MaxActionRows {
		a := caseconf.Action{ID: int64(i + 1), Area: long(200), What: long(caseconf.MaxActionText), OwnerName: long(200), OwnerAgency: long(200),
			DueOn: c.StartsAt.AddDate(0, 0, i), Status: states[i%len(states)], ClosedBy: "U0SW", CloseReason: long(1000)}
		if i%5 == 0 {
			proposed := a.DueOn.AddDate(0, 1, 0)
			a.ProposedDueOn = &proposed
		}
		o.Actions = append(o.Actions, a)
	}
	return o
}

// show after the fullest outcome is paged within one message a page, and
// the pages hold the summary and every action with its state.
func TestShowPlanPaged(t *testing.T) {
	cal := london(t)
	c := fullestConference(30, 3)
	c.Status = caseconf.StatusRecorded
	o := fullestPlanOutcome(c)
	cm := caseconf.Viewer{UserID: c.CaseManagerID}
	now := c.StartsAt.Add(24 * time.Hour)
	pages := followPages(t, showMessage(c, cm, nil, o, now, cal, 0), actionShowPage+":next", func(s subject) message {
		return showMessage(c, cm, nil, o, now, cal, int(s.Page))
	})
	var all []string
	for i, p := range pages {
		withinOneMessage(t, fmt.Sprintf("show, page %d", i+1), p.Blocks)
		all = append(all, sectionTexts(p.Blocks)...)
	}
	text := strings.Join(all, "\n")
	for i := range o.Actions {
		if !strings.Contains(text, fmt.Sprintf("*%d.* ", i+1)) {
			t.Errorf("action %d is on no page", i+1)
		}
	}
	for _, want := range []string{"*Summary:*", "*open*", "*done*", "closed: not achieved", "closed: no longer needed", "a new date proposed", "overdue"} {
		if !strings.Contains(text, want) {
			t.Errorf("the pages of show lack %q", want)
		}
	}
	// Someone whose agency the consent does not cover sees no plan.
	var prob caseconf.Viewer
	for _, inv := range c.Invitees {
		if inv.SlackUserID != "" && inv.Accepted() && !c.Covered(&inv) {
			prob = caseconf.Viewer{UserID: inv.SlackUserID}
		}
	}
	if prob.UserID != "" {
		if r := rendered(t, showMessage(c, prob, nil, o, now, cal, 0)); strings.Contains(r, "Action plan") {
			t.Errorf("an uncovered invitee sees the plan: %s", r)
		}
	}
}

// The chronology of a client with many conferences, each with the
// fullest outcome, is paged: every page one message Slack takes, every
// conference on exactly one page, oldest first.
func TestChronologyFits(t *testing.T) {
	cal := london(t)
	ch := &caseconf.Chronology{ClientRef: strings.Repeat("&", 64), Whole: true}
	for i := range 60 {
		c := fullestConference(3, 1)
		c.Ref = fmt.Sprintf("CC-%04d", i+1)
		c.StartsAt = c.StartsAt.AddDate(0, i, 0)
		c.Status = caseconf.StatusRecorded
		ch.Conferences = append(ch.Conferences, caseconf.ChronologyConference{Conference: c, Outcome: fullestPlanOutcome(c)})
		ch.Consents = append(ch.Consents, caseconf.ConsentEvent{At: c.StartsAt, By: "U0CM", Change: caseconf.ConsentRenewed, Consent: c.Consent})
	}
	today := cal.Date(ch.Conferences[0].Conference.StartsAt)
	seen := map[string]int{}
	pages := 0
	for page := 0; ; page++ {
		msg := chronologyMessage(ch, 7, today, cal, page)
		withinOneMessage(t, "the chronology", msg.Blocks)
		pages++
		r := rendered(t, msg)
		for i := range ch.Conferences {
			if ref := ch.Conferences[i].Conference.Ref; strings.Contains(r, "*"+ref+"*") {
				seen[ref]++
			}
		}
		if page == 0 && !strings.Contains(r, "*CC-0001*") {
			t.Errorf("the first page does not start with the oldest conference")
		}
		if !strings.Contains(r, actionChronologyPage+":next") {
			break
		}
		if !strings.Contains(r, `"value":"p`+fmt.Sprint(page+1)+`.k7"`) {
			t.Fatalf("page %d's Next page button does not name client 7's page %d: %s", page, page+1, r)
		}
		if pages > 200 {
			t.Fatal("the pages never end")
		}
	}
	if pages < 2 {
		t.Errorf("60 conferences fit one page")
	}
	for i := range ch.Conferences {
		if n := seen[ch.Conferences[i].Conference.Ref]; n != 1 {
			t.Errorf("%s is on %d pages", ch.Conferences[i].Conference.Ref, n)
		}
	}
	small := &caseconf.Chronology{ClientRef: "JS-1", Whole: true, Conferences: append([]caseconf.ChronologyConference(nil), ch.Conferences[:2]...)}
	for i := range small.Conferences {
		o := *small.Conferences[i].Outcome
		o.Actions = []caseconf.Action{{Area: "Health", What: "Medication review", OwnerID: "U0GP", DueOn: o.ReviewOn}}
		small.Conferences[i].Outcome = &o
	}
	if r := rendered(t, chronologyMessage(small, 7, today, cal, 0)); !strings.Contains(r, "CC-0002") || !strings.Contains(r, "*open*") || strings.Contains(r, "Next page") {
		t.Errorf("a short chronology: %s", r)
	}
}
