package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"
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

// TestGPLetterASurgeryCanActOn: the letter to the GP, as the toolkit's
// sample request has it: placeholders for what caseconf never holds (the
// patient's full name, date of birth and NHS number), the concerns as a
// numbered list, a request for the earliest suitable appointment, and the
// sender's name, job title, phone and e-mail from their Slack profile, or
// placeholders where it has none.
func TestGPLetterASurgeryCanActOn(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.AddUser(slack.User{ID: "U0CM", Name: "u0cm", RealName: "Casey Manager", TZ: "Europe/London",
		Profile: slack.UserProfile{RealName: "Casey Manager", Title: "Senior Key Worker", Email: "casey.manager@westminster.example", Phone: "020 7946 0999"}})
	a.scheduled("V0001")
	ext := a.count(`SELECT id FROM invitees WHERE name = 'Dr Patel'`)
	conf := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	letter := strings.ReplaceAll(a.replyTo(a.click("U0CM", fmt.Sprintf("letter:%d", ext), fmt.Sprintf("c%d.i%d", conf, ext))), `\n`, "\n")
	for _, want := range []string{"Dear Dr Patel,", "Re: [patient's full name], date of birth [DD/MM/YYYY], NHS number [NHS number]",
		"\n1. Complex health", "\n2. ", "earliest suitable appointment",
		"Casey Manager\nSenior Key Worker, [your organisation]\nPhone: 020 7946 0999\nE-mail: casey.manager@westminster.example", "CC-0001"} {
		if !strings.Contains(letter, want) {
			t.Errorf("the letter lacks %q:\n%s", want, letter)
		}
	}
	if strings.Contains(letter, "In particular:") || strings.Contains(letter, "our shared client") {
		t.Errorf("the letter has the old one-line concerns:\n%s", letter)
	}
}
