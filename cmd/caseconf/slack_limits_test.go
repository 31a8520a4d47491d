package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/fakeslack"
)

// Every message Slack takes, end to end: the fullest scheduling form and
// the fullest reports from several invitees, in text that grows when
// escaped; the summary, the invitations and their updates, and the
// replies of show and reports, each within one message; nothing cut by the
// sender's last guard; paging that reaches every report.

// fullText is n characters that escape to five times as many each.
func fullText(n int) string { return strings.Repeat("&<", n/2) + strings.Repeat("&", n%2) }

// markedText is n characters of fullText between two markers.
func markedText(start, end string, n int) string {
	return start + fullText(n-len(start)-len(end)) + end
}

// withinSlackLimits fails t unless blocks, as a message, are within 50
// blocks, 3,000 characters a text and 11,000 in all, and were not cut
// short by the sender's last guard.
func withinSlackLimits(t *testing.T, what string, blocks []any) {
	t.Helper()
	texts := fakeslack.BlockTexts(blocks)
	if len(texts) > 50 {
		t.Errorf("%s: %d blocks", what, len(texts))
	}
	total := 0
	for _, block := range texts {
		for _, s := range block {
			n := len([]rune(s))
			total += n
			if n > 3000 {
				t.Errorf("%s: a text of %d characters", what, n)
			}
			if strings.Contains(s, "cut short") {
				t.Errorf("%s: cut short by the last guard", what)
			}
		}
	}
	if total > 11000 {
		t.Errorf("%s: %d characters of block text", what, total)
	}
}

// callBlocks is the blocks a chat.* call or a response_url reply carried.
func callBlocks(t *testing.T, c fakeslack.Call) []any {
	t.Helper()
	var blocks []any
	if raw := c.Params.Get("blocks"); raw != "" {
		if err := json.Unmarshal([]byte(raw), &blocks); err != nil {
			t.Fatalf("blocks: %v", err)
		}
	} else if j := c.JSON(); j != nil {
		blocks, _ = j["blocks"].([]any)
	}
	return blocks
}

// replyBlocks is a reply's blocks, and its JSON, from its body.
func replyBlocks(t *testing.T, body string) []any {
	t.Helper()
	var r struct {
		Blocks []any `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("reply %.200s: %v", body, err)
	}
	return r.Blocks
}

// commandPage sends "/caseconf text" from user and returns its answer,
// whether it came in the ack or through the response_url.
func (a *app) commandPage(user, text string) string {
	a.t.Helper()
	id := fmt.Sprintf("cmd-%s-%d", user, len(a.slack.Acks()))
	payload := a.slack.NewSlashCommand(user, "C0CHANNEL", text)
	payload["response_url"] = a.slack.ResponseURL(id)
	got := a.send(fakeslack.Envelope{Type: fakeslack.TypeSlashCommands, Payload: payload})
	if r := decodeReply(a.t, got.Payload); r.Text != "" {
		return string(got.Payload)
	}
	return a.replyTo(id)
}

// nextValue is the value of the button action in a reply, or "".
func nextValue(reply, action string) string {
	m := regexp.MustCompile(`"action_id":"` + regexp.QuoteMeta(action) + `"[^}]*?"value":"([^"]+)"`).FindStringSubmatch(reply)
	if m == nil {
		return ""
	}
	return m[1]
}

// pages follows the Next button action from first, as user, and returns
// every page, first included.
func (a *app) pages(user, first, action string) []string {
	a.t.Helper()
	out := []string{first}
	for v := nextValue(first, action); v != ""; v = nextValue(out[len(out)-1], action) {
		if len(out) > 100 {
			a.t.Fatalf("more than 100 pages")
		}
		out = append(out, a.replyTo(a.click(user, action, v)))
	}
	return out
}

func TestFullestConferenceInMessagesSlackTakes(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	f := scheduleForm().
		text("client_ref", fullText(caseconf.MaxClientRef)).text("client_name", fullText(caseconf.MaxClientName)).
		choices("reasons", "complex_health", "eviction_risk", "case_transfer").
		text("purpose", markedText("PURPOSESTART", "PURPOSEEND", caseconf.MaxPurpose)).
		text("place", fullText(caseconf.MaxPlace)).
		date("date", "2026-11-10").choices("urgent", "urgent").text("urgent_reason", fullText(caseconf.MaxReasonText)).
		users("invitees", "U0GP", "U0SW", "U0PROB").
		choice("client_attends", "no").choice("client_absence", "child_welfare").text("child_care_manager", fullText(caseconf.MaxShortText)).
		choices("consent_checked").text("consent_not_checked", fullText(caseconf.MaxReasonText)).
		text("told_how", fullText(caseconf.MaxReasonText)).
		choices("agency_kinds", "health_gp", "adult_social_care", "housing", "probation_police")
	for i := range 3 {
		f = f.text(caseconf.ExternalField("name", i), fullText(caseconf.MaxShortText)).
			text(caseconf.ExternalField("role", i), fullText(caseconf.MaxShortText)).
			text(caseconf.ExternalField("agency", i), fullText(caseconf.MaxShortText)).
			choice(caseconf.ExternalField("agency_kind", i), "housing").
			text(caseconf.ExternalField(caseconf.ExtEmail, i), strings.Repeat("&", caseconf.MaxEmail-len("@example.org"))+"@example.org").
			text(caseconf.ExternalField(caseconf.ExtPhone, i), fullText(caseconf.MaxShortText))
	}
	if ack := a.viewSubmission("U0CM", "schedule", "VFULLEST", "", f, 0); ack["response_action"] != "clear" {
		t.Fatalf("the fullest scheduling form: %v", ack)
	}
	a.waitCalls("chat.postMessage", 4)
	a.invitationsRecorded()
	for _, u := range []string{"U0GP", "U0SW", "U0PROB"} {
		a.accept("CC-0001", u, fullText(caseconf.MaxShortText), map[string]string{"U0GP": "health_gp", "U0SW": "adult_social_care", "U0PROB": "probation_police"}[u])
	}
	// The GP can't attend, the social worker sends a colleague with the
	// longest name, the probation officer attends.
	a.click("U0GP", "respond:apologies", a.inviteeValue("CC-0001", "U0GP"))
	a.click("U0PROB", "respond:attending", a.inviteeValue("CC-0001", "U0PROB"))
	sw := a.inviteeValue("CC-0001", "U0SW")
	opened := len(a.slack.CallsTo("views.open"))
	a.click("U0SW", "respond:colleague", sw)
	a.waitCalls("views.open", opened+1)
	if ack := a.viewSubmission("U0SW", "colleague", "VCOL", sw, form{}.text("colleague", fullText(caseconf.MaxShortText)), 0); ack["response_action"] != "clear" {
		t.Fatalf("the colleague: %v", ack)
	}
	a.eventually("the three answers", func() bool { return a.count(`SELECT count(*) FROM responses`) == 3 })

	// The fullest reports from the three.
	for _, u := range []string{"U0GP", "U0SW", "U0PROB"} {
		v := form{}.text("report_agency", fullText(caseconf.MaxShortText)).text("report_role", fullText(caseconf.MaxShortText)).
			text("last_contact", fullText(caseconf.MaxReasonText))
		for _, field := range []string{"involvement", "concerns", "worked", "not_worked", "recommendations"} {
			v = v.text(field, markedText("START"+u+field, "END"+u+field, caseconf.MaxReportText))
		}
		a.writeReport(u, "VREP"+u, v)
	}
	a.eventually("the three reports", func() bool { return a.count(`SELECT count(*) FROM reports`) == 3 })
	a.waitAllHandled()
	a.waitOutboxDone(30 * time.Second)

	// The summary, the invitations and every update of them: within one
	// message each, nothing cut; the summary and the invitations say where
	// the rest of the purpose is.
	var summary, invitation string
	for _, method := range []string{"chat.postMessage", "chat.update"} {
		for i, c := range a.slack.CallsTo(method) {
			withinSlackLimits(t, fmt.Sprintf("%s %d (%s)", method, i, c.Params.Get("text")), callBlocks(t, c))
			if strings.Contains(c.Params.Get("text"), "is scheduled") {
				summary = callText(c)
			}
			if c.Params.Get("channel") == fakeslack.DMChannelID("U0PROB") || c.Params.Get("channel") == "U0PROB" {
				invitation = callText(c)
			}
		}
	}
	if n := len(a.slack.CallsTo("chat.update")); n < 9 {
		t.Errorf("%d chat.update calls: the invitations and the summary were not updated as answers came", n)
	}
	for what, text := range map[string]string{"the summary": summary, "the probation officer's invitation": invitation} {
		if !strings.Contains(text, "/caseconf show CC-0001` has the rest") {
			t.Errorf("%s does not say where the rest is: %.1000s", what, text)
		}
		if strings.Contains(text, "PURPOSEEND") {
			t.Errorf("%s holds the whole purpose", what)
		}
	}
	if !strings.Contains(summary, "3 reports sent") || !strings.Contains(summary, "Invitees* (6)") {
		t.Errorf("the summary does not count the invitees and reports: %.1000s", summary)
	}

	// show: paged, every page within one message; the pages hold the
	// whole purpose, and the Read reports button.
	shows := a.pages("U0CM", a.commandPage("U0CM", "show CC-0001"), "showpage:next")
	all := strings.Join(shows, "\n")
	for i, p := range shows {
		withinSlackLimits(t, fmt.Sprintf("show, page %d of %d", i+1, len(shows)), replyBlocks(t, p))
	}
	if len(shows) < 2 || !strings.Contains(all, "PURPOSEEND") || !strings.Contains(all, `"action_id":"reports"`) {
		t.Errorf("show of the fullest conference: %d pages", len(shows))
	}
	// A page read is audited as show is.
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'conference.show' AND actor_id = 'U0CM'`); n != len(shows) {
		t.Errorf("%d reads of show audited for %d pages", n, len(shows))
	}

	// reports: paged, every page within one message, and the pages reach
	// the end of every report.
	reports := a.pages("U0CM", a.commandPage("U0CM", "reports CC-0001"), "reports:next")
	all = strings.Join(reports, "\n")
	for i, p := range reports {
		withinSlackLimits(t, fmt.Sprintf("reports, page %d of %d", i+1, len(reports)), replyBlocks(t, p))
	}
	for _, u := range []string{"U0GP", "U0SW", "U0PROB"} {
		for _, field := range []string{"involvement", "concerns", "worked", "not_worked", "recommendations"} {
			for _, mark := range []string{"START" + u + field, "END" + u + field} {
				if n := strings.Count(all, mark); n != 1 {
					t.Errorf("%s is on %d pages of the reports, want 1", mark, n)
				}
			}
		}
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'report.list' AND actor_id = 'U0CM'`); n != len(reports) {
		t.Errorf("%d reads of the reports audited for %d pages", n, len(reports))
	}

	// The outcome form opens filled in with the three people not on Slack
	// (1,208 characters) and the briefed colleague, within its fields (the
	// fake refuses a field filled in past its max_length), and the review
	// form opens filled in from the fullest conference.
	a.count(`UPDATE conferences SET starts_at = '2026-10-30 10:30+00' WHERE ref = 'CC-0001' RETURNING id`)
	meta, blocks := a.openOutcomeAs("U0CM")
	if !strings.Contains(fmt.Sprint(blocks), "briefed colleague") {
		t.Errorf("the outcome form is not filled in with the colleague")
	}
	if ack := a.viewSubmission("U0CM", "outcome", "VOUT", meta, minimalOutcome(), 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("the outcome: %v", ack)
	}
	a.waitOutboxDone(30 * time.Second)
	opened = len(a.slack.CallsTo("views.open"))
	a.click("U0CM", "schedule_review", fmt.Sprintf("c%d", a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)))
	if review := callText(a.waitCalls("views.open", opened+1)[opened]); !strings.Contains(review, "PURPOSEEND") {
		t.Errorf("the review form is not filled in from the conference")
	}
	// (newFakeSlack fails the test on anything Slack would have refused.)
}
