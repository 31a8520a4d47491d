package main

// Hostile and newcomer probes of the outcome form, the minutes, the
// export and the handover: each found a defect (now fixed) or confirmed a
// refusal, and stays as a regression test.

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
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

// minimalOutcome is a valid final outcome with one action (row 1).
func minimalOutcome() form {
	return form{}.users("attended", "U0CM", "U0SW").choice("lead_changed", "no").
		text("summary", "Rent arrears").text("client_views", "Wants to stay").
		date("review_on", "2027-01-29").users("share_with", "U0GP", "U0SW", "U0PROB").choice("save_as", "final").
		text("act_area_1", "Housing").text("act_what_1", "Tenancy support").user("act_owner_1", "U0SW").date("act_due_1", "2026-11-27")
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

// sectionTextsOf lists the text of every section block a call posted, and
// how many blocks it had.
func zzBlocks(t *testing.T, c fakeslack.Call) (texts []string, n int) {
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

// A final save that is slow (the conference row is busy for 3 s, as under
// load or a slow database) records the outcome, and its late answer tells
// the chair it worked, not "it may not have been saved".
func TestSlowFinalSaveToldItWorked(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	before := len(a.dmTo("U0CM"))

	tx, err := a.main.DB.SQL().BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`SELECT id FROM conferences WHERE id = $1 FOR UPDATE`, conf); err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(3500 * time.Millisecond); tx.Commit() }()
	ack := a.viewSubmission("U0CM", "outcome", "VZZ2", meta, minimalOutcome(), 0)
	t.Logf("ack: %v", ack)
	a.eventually("the outcome recorded", func() bool { return a.count(`SELECT count(*) FROM outcomes`) == 1 })
	a.waitOutboxDone(20 * time.Second)
	time.Sleep(500 * time.Millisecond)
	for _, dm := range a.dmTo("U0CM")[before:] {
		text := callText(dm)
		if strings.Contains(text, "not saved") || strings.Contains(text, "may not have been saved") {
			t.Errorf("the outcome was recorded and the minutes sent, yet the chair was told by DM it may not have been saved:\n%s", text)
		}
	}
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
	// Slack mrkdwn formatting typed by the recorder is not neutralised.
	if strings.Contains(minutes, "*bold*") || strings.Contains(minutes, "```") {
		t.Logf("LOW: typed mrkdwn formatting (*bold*, ```code```) renders as formatting in the minutes")
	}

	_, reply := a.commandReply("U0CM", "export CC-0001")
	if !strings.Contains(reply, "direct messages") {
		t.Fatalf("export: %q", reply)
	}
	ups, err := a.slack.WaitForUploads(ctxFor(t), 1)
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

// A long share list (1,000 characters typed, escaped to up to 5,000) never
// makes a section past Slack's 3,000, which would have Slack refuse the
// whole message for every recipient. The fake does not check, so the
// probe checks the blocks sent.
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
		texts, n := zzBlocks(t, dm)
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
	time.Sleep(300 * time.Millisecond)
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

// An action owner the consent does not cover (probation) gets their
// action without its text, and their Mark done shows no text; someone
// the conference does not involve at all cannot be made an owner.
func TestActionOwnersNotCoveredSeeNoText(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	f := minimalOutcome().text("act_area_1", "Secret area").text("act_what_1", "Secret step").user("act_owner_1", "U0PROB").
		text("act_area_2", "Secret area two").text("act_what_2", "Secret step two").user("act_owner_2", "U0OUT").date("act_due_2", "2026-11-27")
	before := map[string]int{"U0PROB": len(a.dmTo("U0PROB")), "U0OUT": len(a.dmTo("U0OUT"))}
	var st map[string]any
	json.Unmarshal([]byte(meta), &st)
	st["r"], st["n"] = []int{1, 2}, 3
	m, _ := json.Marshal(st)
	ack := a.viewSubmission("U0CM", "outcome", "VZZ9", string(m), f, 0)
	if errs, _ := ack["errors"].(map[string]any); errs["act_owner_2"] == nil || len(errs) != 1 {
		t.Fatalf("an outsider as owner: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM outcomes`); n != 0 {
		t.Fatal("an outcome with an outsider as owner was stored")
	}
	st["r"] = []int{1}
	m, _ = json.Marshal(st)
	if ack := a.viewSubmission("U0CM", "outcome", "VZZ9b", string(m), f, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("ack: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	if n := len(a.dmTo("U0OUT")) - before["U0OUT"]; n != 0 {
		t.Errorf("the outsider got %d DMs", n)
	}
	for _, u := range []string{"U0PROB"} {
		dms := a.dmTo(u)[before[u]:]
		var got string
		for _, dm := range dms {
			got += callText(dm)
		}
		if strings.Contains(got, "Secret") || strings.Contains(got, "JS-4411") {
			t.Errorf("%s, not covered, read the action: %s", u, got)
		}
		if !strings.Contains(got, "An action for you") {
			t.Errorf("%s was not told of their action: %s", u, got)
		}
	}
	id := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0PROB'`)
	if reply := a.replyTo(a.click("U0PROB", "done", fmt.Sprintf("a%d", id))); strings.Contains(reply, "Secret") {
		t.Errorf("Mark done showed the uncovered owner the action: %s", reply)
	}
}

// The database hangs during a final save: nothing half-stored; the
// chair is told; the same form sent again after the database returns
// records one outcome and one set of messages.
func TestHangDuringFinalSave(t *testing.T) {
	t.Parallel()
	a, proxy := startBehindProxyQuery(t, "statement_timeout=1s")
	conf := a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	proxy.Hang()
	ack := a.send(fakeslack.Envelope{Type: fakeslack.TypeInteractive, Payload: viewSubmissionPayload("U0CM", "outcome", "VZZ10", meta, minimalOutcome())})
	t.Logf("ack during hang: %s", ack.Payload)
	told := func() bool {
		for _, dm := range a.dmTo("U0CM") {
			if strings.Contains(callText(dm), "may not have been saved") {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(15 * time.Second)
	for !told() && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	proxy.Resume()
	a.eventually("the database back", func() bool {
		var n int
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return a.main.DB.SQL().GetContext(ctx, &n, `SELECT 1`) == nil
	})
	outcomes := a.count(`SELECT count(*) FROM outcomes`)
	if outcomes == 0 {
		if n := a.count(`SELECT count(*) FROM actions`) + a.count(`SELECT count(*) FROM share_list`) + a.count(`SELECT count(*) FROM disclosures`) +
			a.count(`SELECT count(*) FROM conferences WHERE status = 'recorded'`); n != 0 {
			t.Fatalf("half an outcome stored: %d rows", n)
		}
		if !told() {
			t.Error("the chair was not told the outcome may not have been saved")
		}
	}
	// The same form again.
	var again map[string]any
	a.eventually("the resubmission answered", func() bool {
		again = a.viewSubmission("U0CM", "outcome", "VZZ10", meta, minimalOutcome(), 0)
		return strings.Contains(fmt.Sprint(again["view"]), "is recorded")
	})
	a.waitOutboxDone(30 * time.Second)
	if a.count(`SELECT count(*) FROM outcomes`) != 1 || a.count(`SELECT count(*) FROM outbox WHERE kind = 'minutes'`) != 2 ||
		a.count(`SELECT count(*) FROM actions WHERE conference_id = $1`, conf) != 1 {
		t.Errorf("after the hang: %d outcomes, %d minutes messages, %d actions", a.count(`SELECT count(*) FROM outcomes`),
			a.count(`SELECT count(*) FROM outbox WHERE kind = 'minutes'`), a.count(`SELECT count(*) FROM actions`))
	}
}

// Slack refuses the export's upload: the caller is told, nothing is
// left behind as delivered, and the failure is audited without the
// record's contents.
func TestExportUploadFails(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.viewSubmission("U0CM", "outcome", "VZZ11", outcomeMeta(a.count(`SELECT id FROM conferences`), 1), minimalOutcome(), 0)
	a.slack.FailNext("files.completeUploadExternal", fakeslack.Failure{Error: "internal_error"})
	_, reply := a.commandReply("U0CM", "export CC-0001")
	if !strings.Contains(reply, "would not take") {
		t.Errorf("a failed upload answered %q", reply)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'conference.export.failed' AND detail NOT LIKE '%JS-4411%' AND detail NOT LIKE '%Rent%'`); n != 1 {
		t.Errorf("%d failed-export audit rows", n)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'conference.export.delivered'`); n != 0 {
		t.Error("a failed export audited as delivered")
	}
	// Review date before the meeting / today; action date far future.
}

// Review dates: one after the meeting but already past (31 October,
// recorded on 2 November) is refused; an action due in 2099 is taken.
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

// Newcomer: help and the manifest's usage hint list record and export.
func TestHelpAndManifestListRecordAndExport(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	help := decodeReply(t, a.command("U0CM", "help").Payload).Text
	for _, want := range []string{"record REF", "export REF", "report REF", "show REF", "list", "cancel REF", "new"} {
		if !strings.Contains(help, want) {
			t.Errorf("help does not list %q: %s", want, help)
		}
	}
	unknown := decodeReply(t, a.command("U0CM", "frobnicate").Payload).Text
	if !strings.Contains(unknown, "record REF") {
		t.Errorf("an unknown subcommand's answer: %q", unknown)
	}
}
