package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// openOutcomeAs opens CC-0001's outcome form as userID and returns its
// private_metadata and blocks.
func (a *app) openOutcomeAs(userID string) (string, []map[string]any) {
	a.t.Helper()
	t := a.t.(*testing.T)
	opened := len(a.slack.CallsTo("views.open"))
	a.command(userID, "record CC-0001")
	return modalView(t, a.waitCalls("views.open", opened+1)[opened])
}

// outcomeMeta is outcome-form metadata for conference conf with the given rows.
func outcomeMeta(conf int, rows ...int) string {
	next := 1
	for _, r := range rows {
		next = max(next, r+1)
	}
	b, _ := json.Marshal(map[string]any{"c": conf, "m": time.Date(2026, 10, 30, 10, 30, 0, 0, time.UTC).Unix(), "r": rows, "n": next})
	return string(b)
}

// A line in "Share with (not on Slack)" that has a contact but no name
// (", 020 7946 0000") is answered on its field, not with a "press Save
// again" that would fail the same way for ever.
func TestShareLineWithoutNameAnsweredOnItsField(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	_ = conf
	f := minimalOutcome().text("share_others", "Dr Patel, 020 7946 0000\n, reception@church-street.example")
	for try := range 2 {
		ack := a.viewSubmission("U0CM", "outcome", "VZZ1", meta, f, try)
		errs, _ := ack["errors"].(map[string]any)
		if a.count(`SELECT count(*) FROM outcomes`) == 1 {
			return
		}
		if msg, _ := errs["share_others"].(string); msg != "" {
			return // told which field to fix: fine
		}
		t.Logf("try %d: ack %v", try+1, ack)
	}
	t.Errorf("a share-list line without a name is neither refused on its field nor saved: the chair is told to press Save again, and it never saves")
}

// Forged outcome forms: an outsider's and an invitee's Add action in a
// form with CC-0001's metadata, and their view submissions, change and
// store nothing; an invitee cannot record.
func TestForgedOutcomeByNonOrganisers(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	updates := len(a.slack.CallsTo("views.update"))
	for _, u := range []string{"U0OUT", "U0GP"} {
		m := a.slack.Modals()[len(a.slack.Modals())-1]
		payload := map[string]any{
			"type": "block_actions", "team": map[string]any{"id": fakeslack.TeamID}, "user": map[string]any{"id": u},
			"api_app_id": fakeslack.AppID, "trigger_id": "trig-zz",
			"container": map[string]any{"type": "view", "view_id": m.ID},
			"view": map[string]any{"id": m.ID, "hash": m.Hash, "type": "modal", "callback_id": "outcome",
				"private_metadata": meta, "state": map[string]any{"values": form{}}},
			"actions": []map[string]any{{"type": "button", "action_id": "outcome_add", "block_id": "b", "value": "add", "action_ts": "1700000000.1"}},
		}
		a.send(fakeslack.Envelope{Type: fakeslack.TypeInteractive, Payload: payload})
		ack := a.viewSubmission(u, "outcome", "VZZ6"+u, outcomeMeta(conf, 1), minimalOutcome(), 0)
		if !strings.Contains(fmt.Sprint(ack), "no conference") {
			t.Errorf("%s's forged outcome: %v", u, ack)
		}
	}
	a.waitAllHandled() // the clicks have done all they will
	if n := len(a.slack.CallsTo("views.update")) - updates; n != 0 {
		t.Errorf("non-organisers' clicks updated the chair's form %d times", n)
	}
	if n := a.count(`SELECT count(*) FROM outcomes`) + a.count(`SELECT count(*) FROM outcome_drafts`); n != 0 {
		t.Errorf("forged submissions stored %d rows", n)
	}
	// A forged draft by an outsider too.
	ack := a.viewSubmission("U0OUT", "outcome", "VZZ6D", outcomeMeta(conf, 1), minimalOutcome().choice("save_as", "draft"), 0)
	if !strings.Contains(fmt.Sprint(ack), "no conference") || a.count(`SELECT count(*) FROM outcome_drafts`) != 0 {
		t.Errorf("an outsider's forged draft: %v", ack)
	}
}

// A forged submission whose user selects carry mrkdwn instead of user IDs
// ("U0X> <!channel") is refused, as the schedule form refuses it.
func TestOutcomeUserFieldsMustBeSlackIDs(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	bad := "U0SW> <!channel> <@U0OUT"
	f := minimalOutcome().users("attended", "U0CM", bad).users("share_with", "U0SW", bad)
	ack := a.viewSubmission("U0CM", "outcome", "VZZ7", meta, f, 0)
	if errs, _ := ack["errors"].(map[string]any); len(errs) > 0 {
		return // refused on its field: fine
	}
	a.waitOutboxDone(20 * time.Second)
	for _, u := range []string{"U0SW", "U0CM"} {
		for _, dm := range a.dmTo(u) {
			if text := callText(dm); strings.Contains(text, "<!channel>") {
				t.Errorf("a forged 'user ID' put a live <!channel> into %s's DM", u)
				return
			}
		}
	}
	t.Errorf("LOW: a non-Slack-ID value in the outcome's user fields was stored (ack %v)", ack)
}

// The action plan's rows: Remove of the only row, then Add up to the
// form's room; every view stays within Slack's 100 blocks and says so
// when full; an outcome with no actions can be recorded.
func TestOutcomeRowsRemoveLastAndFill(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	meta, blocks := a.openOutcomeAs("U0CM")
	meta, blocks = modalView(t, a.inModal("U0CM", "outcome_remove:1", "1", meta, form{}))
	if element(blocks, "act_area_1") != nil {
		t.Fatal("the only row was not removed")
	}
	full := false
	for i := 0; i < 14; i++ {
		meta, blocks = modalView(t, a.inModal("U0CM", "outcome_add", "add", meta, form{}))
		if len(blocks) > 100 {
			t.Fatalf("%d blocks after %d adds", len(blocks), i+1)
		}
		if strings.Contains(fmt.Sprint(blocks), "at most") {
			full = true
			break
		}
	}
	if !full {
		t.Error("the form never said it was full")
	}
	f := minimalOutcome().without("act_area_1").without("act_what_1").without("act_owner_1").without("act_due_1")
	if ack := a.viewSubmission("U0CM", "outcome", "VZZ8", outcomeMeta(a.count(`SELECT id FROM conferences`)), f, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Errorf("an outcome with no actions: %v", ack)
	}
}

// Review dates: one after the meeting but already past (31 October,
// recorded on 2 November) is refused.
func TestReviewDateInThePastRefused(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	ack := a.viewSubmission("U0CM", "outcome", "VZZ12", meta, minimalOutcome().date("review_on", "2026-10-31"), 0)
	if errs, _ := ack["errors"].(map[string]any); errs["review_on"] == nil {
		t.Errorf("LOW: a review date already past when recorded (31 Oct, today 2 Nov) was accepted: %v", ack["response_action"])
	}
}
