package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// sectionTextsOf lists the text of every section block a call posted, and
// how many blocks it had.
func sectionTextsOf(t *testing.T, c fakeslack.Call) (texts []string, n int) {
	t.Helper()
	var blocks []map[string]any
	if raw := c.Params.Get("blocks"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
			t.Fatalf("blocks: %v", err)
		}
	} else if j := c.JSON(); j != nil {
		if bs, ok := j["blocks"].([]any); ok {
			for _, b := range bs {
				if m, ok := b.(map[string]any); ok {
					blocks = append(blocks, m)
				}
			}
		}
	}
	for _, b := range blocks {
		if txt, ok := b["text"].(map[string]any); ok {
			if s, ok := txt["text"].(string); ok {
				texts = append(texts, s)
			}
		}
	}
	return texts, len(blocks)
}

// Minutes do not go out under consent that had already run out when the
// outcome was recorded.
func TestNoMinutesAfterConsentRanOut(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	a.count(`UPDATE consents SET valid_until = '2026-10-31' WHERE id = (SELECT consent_id FROM conferences WHERE id = $1) RETURNING 1`, conf)
	meta, _ := a.openOutcomeAs("U0CM")
	before := len(a.dmTo("U0SW"))
	ack := a.viewSubmission("U0CM", "outcome", "VZZ3", meta, minimalOutcome(), 0)
	t.Logf("ack: %v", ack)
	a.waitOutboxDone(20 * time.Second)
	for _, dm := range a.dmTo("U0SW")[before:] {
		if text := callText(dm); strings.Contains(text, "Minutes of CC-0001") {
			t.Errorf("the minutes went to U0SW under consent that ran out on 31 October (today is 2 November); disclosures logged: %d",
				a.count(`SELECT count(*) FROM disclosures WHERE basis LIKE '%valid until 2026-10-31%'`))
			break
		}
	}
}

// A long share list (1,000 characters typed, escaped to up to 5,000) never
// makes a section past Slack's 3,000, which would have Slack refuse the
// whole message for every recipient. The fake does not check, so the
// test checks the blocks sent.
func TestMinutesSectionsWithinSlackLimits(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	var lines []string
	for i := 0; len(strings.Join(lines, "\n")) < 950; i++ {
		lines = append(lines, fmt.Sprintf("Smith & Jones <LLP> &%d, x", i))
	}
	share := strings.Join(lines[:len(lines)-1], "\n")
	if len(lines) > 0 {
		// One name of 990 '<': 990 characters typed, 3,960 once escaped.
		share = strings.Repeat("<", 990) + ", x"
	}
	summary := strings.Repeat("<&>", 1000)
	f := minimalOutcome().text("share_others", share).text("summary", summary).text("outcome_worked", summary).
		text("outcome_not_worked", summary).text("client_views", summary)
	before := len(a.dmTo("U0SW"))
	if ack := a.viewSubmission("U0CM", "outcome", "VZZ5", meta, f, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("ack: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	if n := a.count(`SELECT count(*) FROM disclosures WHERE recipient_id = 'U0SW' AND sent_at IS NOT NULL AND parts > 1`); n < 2 {
		t.Errorf("%d parts of the minutes reached the social worker", n)
	}
	for _, dm := range a.dmTo("U0SW")[before:] {
		checkSlackTakes(t, dm) // and at most 11,000 characters in all
		texts, n := sectionTextsOf(t, dm)
		if n > 50 {
			t.Errorf("a minutes message has %d blocks (Slack allows 50)", n)
		}
		for _, s := range texts {
			if l := len([]rune(s)); l > 3000 {
				t.Errorf("a section of %d characters (Slack allows 3,000; the message would be refused): %.60q…", l, s)
			}
		}
	}
}
