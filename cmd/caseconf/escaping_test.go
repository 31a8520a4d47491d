package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Hostile text in the outcome: nothing comes alive in the minutes (a
// Slack DM) or in the export (Markdown).
func TestHostileTextInMinutesAndExport(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	hostile := "<!channel> <@U0OUT> <https://evil.example|click> *bold* ~strike~ `code`\n```\n# Heading\n---\n1. list\n<img src=x onerror=alert(1)>\n[x](https://evil.example) https://evil.example/bare www.evil.example &lt;b&gt;"
	f := minimalOutcome().text("summary", hostile).text("act_what_1", hostile).text("attended_others", "<!here>, [j](https://evil.example), # H").
		text("share_others", "<!everyone>, <mailto:x@evil.example>")
	before := len(a.dmTo("U0SW"))
	if ack := a.viewSubmission("U0CM", "outcome", "VZZ4", meta, f, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("ack: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	var minutes string
	for _, dm := range a.dmTo("U0SW")[before:] {
		minutes += callText(dm)
	}
	if !strings.Contains(minutes, "Minutes of CC-0001") {
		t.Fatalf("no minutes: %s", minutes)
	}
	for _, live := range []string{"<!channel>", "<@U0OUT>", "<https://evil.example", "<!here>", "<!everyone>", "<mailto:", "<img"} {
		if strings.Contains(minutes, live) {
			t.Errorf("the minutes carry %q alive", live)
		}
	}

	_, reply := a.commandReply("U0CM", "export CC-0001")
	if !strings.Contains(reply, "direct messages") {
		t.Fatalf("export: %q", reply)
	}
	ups, err := a.waitFileUploads(ctxFor(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(ups[0].Content)
	for _, line := range strings.Split(doc, "\n") {
		l := strings.TrimLeft(strings.TrimPrefix(strings.TrimSpace(line), ">"), " ")
		if strings.Contains(line, "Heading") && strings.HasPrefix(l, "#") {
			t.Errorf("typed heading alive in the export: %q", line)
		}
		if strings.HasPrefix(l, "```") || strings.HasPrefix(l, "---") || strings.HasPrefix(l, "1. list") {
			t.Errorf("typed block structure alive in the export: %q", line)
		}
	}
	for _, live := range []string{`[^\\]<img`, `[^\\]\]\(https://`, `[^\\]<!channel>`, `[^\\]<https://`, `[^\\]\*bold`, "[^\\\\]`code"} {
		if m := regexp.MustCompile(live).FindString(doc); m != "" {
			t.Errorf("the export carries %q unescaped", m)
		}
	}
	// GitHub-flavoured Markdown autolinks bare URLs and www. names: the
	// code's promise that no answer "can make … a link of its own".
	for _, bare := range []string{"https://evil.example/bare", " www.evil.example"} {
		if strings.Contains(doc, bare) {
			t.Errorf("LOW: %q stays a live (auto)link in the exported Markdown", strings.TrimSpace(bare))
		}
	}
}

// Text typed into reports and action updates reaches DMs escaped: no
// live <!channel>, mention or link; none of it in the logs.
func TestTypedTextEscapedInReportsAndUpdates(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	evil := "ZZEVIL <!channel> <@U0OUT> <https://evil.example|click here> <!here>"
	a.writeReport("U0GP", "VZZ-GP", reportValues().text("concerns", evil).text("report_agency", "<!everyone> Surgery"))
	a.eventually("the report", func() bool { return a.count(`SELECT count(*) FROM reports`) == 1 })
	for _, got := range []string{a.commandText("U0CM", "reports CC-0001"), a.commandText("U0CM", "show CC-0001"),
		a.replyTo(a.click("U0CM", "reports", fmt.Sprintf("c%d", conf)))} {
		for _, live := range []string{"<!channel>", "<@U0OUT>", "<https://evil", "<!everyone>", "<!here>"} {
			if strings.Contains(got, live) {
				t.Errorf("report text %q is live in: %.200s", live, got)
			}
		}
	}
	a.recordOutcome()
	action := fmt.Sprintf("a%d", a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0GP'`))
	cm := len(a.dmTo("U0CM"))
	meta := a.openForm("U0GP", "action_note", action, "action_note")
	a.viewSubmission("U0GP", "action_note", "VZZN", meta, form{}.text("progress_note", evil), 0)
	meta = a.openForm("U0GP", "action_date", action, "action_date")
	a.viewSubmission("U0GP", "action_date", "VZZD", meta, form{}.date("new_due", "2026-12-11").text("due_reason", evil), 0)
	got := a.newDMs("U0CM", cm, 2)
	for _, dm := range got {
		if !strings.Contains(dm, "ZZEVIL") {
			t.Errorf("the case manager's notice lacks the note: %s", dm)
		}
		for _, live := range []string{"<!channel>", "<@U0OUT>", "<https://evil", "<!here>"} {
			if strings.Contains(dm, live) {
				t.Errorf("note text %q is live in the case manager's DM", live)
			}
		}
	}
	if logs := a.logs.String(); strings.Contains(logs, "ZZEVIL") || strings.Contains(logs, "evil.example") {
		t.Error("typed text in the logs")
	}
}
