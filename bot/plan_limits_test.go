package bot

// Action plans, action forms and the invitee list within Slack's limits
// and what each reader may see.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/store"
)

// fullestAction is an open action with every text at its limit in
// characters that grow when escaped, owned by someone not on Slack.
func fullestAction(c *caseconf.Conference, id int64) *caseconf.Action {
	long := func(k int) string { return strings.Repeat("&<", k/2) }
	return &caseconf.Action{ID: id, ConferenceID: c.ID, Area: long(caseconf.MaxShortText), What: long(caseconf.MaxActionText),
		OwnerName: long(caseconf.MaxShortText), OwnerAgency: long(caseconf.MaxShortText), DueOn: c.StartsAt.AddDate(0, 1, 0),
		Status: caseconf.ActionOpen}
}

// /caseconf plan REF replies through response_url: each page of a full
// plan (60 actions, every text at its limit) is one message Slack takes
// (50 blocks, 3,000 a block, ~11,000 in all), and the pages together hold
// every action once, each with its buttons.
func TestPlanMessageWithinOneMessage(t *testing.T) {
	c := fullestConference(3, 1)
	c.Status = caseconf.StatusRecorded
	var plan []*caseconf.Action
	for i := range 2 * caseconf.MaxActionRows {
		plan = append(plan, fullestAction(c, int64(i+1)))
	}
	cm := caseconf.Viewer{UserID: c.CaseManagerID}
	seen := map[string]int{}
	pages := 0
	for page := 0; ; page++ {
		m := planMessage(c, plan, cm, c.StartsAt, page)
		withinOneMessage(t, "plan", m.Blocks)
		pages++
		next := false
		for _, b := range m.Blocks {
			ab, ok := b.(*slack.ActionBlock)
			if !ok {
				continue
			}
			if ab.BlockID == "plan_pages" {
				raw, _ := json.Marshal(ab)
				next = strings.Contains(string(raw), actionPlanPage+":next")
				continue
			}
			seen[ab.BlockID]++
		}
		if !next {
			break
		}
		if pages > len(plan) {
			t.Fatal("the pages never end")
		}
	}
	if pages < 2 {
		t.Errorf("a plan of %d of the longest actions fits one page", len(plan))
	}
	for _, a := range plan {
		if n := seen[fmt.Sprintf("plan_action_%d", a.ID)]; n != 1 {
			t.Errorf("action %d is on %d pages", a.ID, n)
		}
	}
}

// The Close and Reassign forms open with a section about the action:
// Slack refuses a view whose section holds more than 3,000 characters.
func TestActionModalsSectionWithinLimit(t *testing.T) {
	c := fullestConference(3, 1)
	c.Status = caseconf.StatusRecorded
	a := fullestAction(c, 1)
	cm := caseconf.Viewer{UserID: c.CaseManagerID}
	for name, v := range map[string]slack.ModalViewRequest{"close": closeModal(c, a, cm), "reassign": reassignModal(c, a, cm)} {
		for i, b := range v.Blocks.BlockSet {
			if n := blockChars(b); n > maxSectionText {
				t.Errorf("%s form: block %d holds %d characters (Slack allows 3,000)", name, i, n)
			}
		}
	}
}

// The old owner of an action given to someone else is told; if they may
// not see the case details (consent does not cover their agency), the
// DM must not name the new owner not on Slack (a carer, a relative).
func TestTakenOffWithholdsNewOwnerName(t *testing.T) {
	c, inv := sampleConference()
	accept(c, inv, "probation_police") // not covered: consent covers health_gp only
	c.Status = caseconf.StatusRecorded
	if caseconf.CanSeeDetails(c, caseconf.Viewer{UserID: inv.SlackUserID}) {
		t.Fatal("set-up: the old owner should not see the case details")
	}
	at := c.StartsAt.Add(48 * time.Hour)
	a := &caseconf.Action{ID: 9, ConferenceID: c.ID, Area: "Housing", What: "Visit", OwnerName: "Mary Smith-Carer", DueOn: at,
		Status: caseconf.ActionOpen, ReassignedBy: c.CaseManagerID, ReassignedAt: &at}
	m, skip := renderActionTakenOff(store.Outbox{Kind: caseconf.KindActionTakenOff, RecipientID: inv.SlackUserID, ConferenceID: c.ID, SubjectID: a.ID}, c, a)
	if skip != "" {
		t.Fatal(skip)
	}
	if r := rendered(t, m); strings.Contains(r, "Mary Smith-Carer") {
		t.Errorf("the old owner, who may not see case details, is told the name of the new owner not on Slack: %s", r)
	}
}

// The "Not involved" line is asked for as "One line for the case
// manager"; show lists it to every invitee who may see the details.
func TestNotInvolvedReasonOnlyForCaseManager(t *testing.T) {
	cal := london(t)
	c, gp := sampleConference()
	accept(c, gp, "health_gp")
	c.Invitees = append(c.Invitees, caseconf.Invitee{ID: 43, ConferenceID: c.ID, SlackUserID: "U0SW"})
	sw := &c.Invitees[1]
	accept(c, sw, "health_gp")
	gp = &c.Invitees[0]
	sw.Response = &caseconf.Response{Answer: caseconf.AnswerNotInvolved, Reason: "REASON-FOR-CM-ONLY", At: c.CreatedAt}
	r := rendered(t, message{Blocks: showBlocks(c, caseconf.Viewer{UserID: gp.SlackUserID}, cal)})
	if strings.Contains(r, "REASON-FOR-CM-ONLY") {
		t.Errorf("another invitee's show carries the Not involved line written for the case manager: %s", fmt.Sprint(len(r)))
	}
}
