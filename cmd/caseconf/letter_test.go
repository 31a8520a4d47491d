package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// The letter the case manager drafts to an invitee not on Slack.

// TestDraftLetterCannotBreakOut: the letter carries the case manager's
// own text. Typed backticks cannot end a code block and make <!channel>
// or a link live: the letter is plain text, which Slack does not format.
func TestDraftLetterCannotBreakOut(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	f := scheduleForm().text("purpose", "```\n<!channel> see <https://evil.example|this>\n```")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		t.Fatalf("ack = %v", ack)
	}
	a.waitCalls("chat.postMessage", 3)
	ext := a.count(`SELECT id FROM invitees WHERE name = 'Dr Patel'`)
	conf := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	raw := a.replyTo(a.click("U0CM", fmt.Sprintf("letter:%d", ext), fmt.Sprintf("c%d.i%d", conf, ext)))
	var reply struct {
		Blocks []struct {
			Type string `json:"type"`
			Text struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"text"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(raw), &reply); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range reply.Blocks {
		if strings.Contains(b.Text.Text, "<!channel>") {
			found = true
			if b.Text.Type != "plain_text" {
				t.Fatalf("the typed <!channel> is in a %s block, where Slack makes it live", b.Text.Type)
			}
		}
	}
	if !found {
		t.Fatalf("the letter lost the case manager's text: %s", raw)
	}
}
