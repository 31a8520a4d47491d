package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/fakeslack"
)

// The export and the handover, end to end.

// commandReply sends "/caseconf text" from user and returns its ack's
// text and the reply that follows on its response_url.
func (a *app) commandReply(user, text string) (ack, reply string) {
	a.t.Helper()
	id := fmt.Sprintf("cmd-%s-%d", user, len(a.slack.Acks()))
	payload := a.slack.NewSlashCommand(user, "C0CHANNEL", text)
	payload["response_url"] = a.slack.ResponseURL(id)
	got := a.send(fakeslack.Envelope{Type: fakeslack.TypeSlashCommands, Payload: payload})
	var r struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal([]byte(a.replyTo(id)), &r); err != nil {
		a.t.Fatal(err)
	}
	return decodeReply(a.t, got.Payload).Text, r.Text
}

// recordedWith30Actions is heldConference with the GP's report (written
// twice) and an outcome whose plan has 30 actions (more than one form
// holds: recorded through the store), one of them done; the minutes have
// gone round.
func (a *app) recordedWith30Actions() int {
	a.t.Helper()
	conf := a.heldConference()
	gp := a.inviteeValue("CC-0001", "U0GP")
	for i, concerns := range []string{"Missed two appointments", "Weight loss continues\n# not a heading"} {
		if ack := a.viewSubmission("U0GP", "report", fmt.Sprintf("VREP%d", i), gp, reportValues().text("concerns", concerns), 0); ack["response_action"] != "clear" {
			a.t.Fatalf("report ack = %v", ack)
		}
	}
	ctx := context.Background()
	cm := caseconf.Viewer{UserID: "U0CM"}
	c, err := a.main.DB.ConferenceByID(ctx, int64(conf), cm, "test.read")
	if err != nil {
		a.t.Fatal(err)
	}
	o := caseconf.Outcome{Attended: []caseconf.Person{{UserID: "U0CM"}, {UserID: "U0SW"}}, Apologies: []caseconf.Person{{UserID: "U0GP"}},
		Summary: "Rent arrears of six weeks", ClientViews: "Wants to stay at Acacia House", ReviewOn: time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC),
		ShareWith: []caseconf.Person{{UserID: "U0SW"}, {UserID: "U0PROB"}, {Name: "Dr Patel", Contact: "020 7946 0000"}}}
	for i := 1; i <= 30; i++ {
		act := caseconf.Action{Area: fmt.Sprintf("Area %d", i), What: fmt.Sprintf("Step %d: [call](http://x.example) the *landlord*", i),
			DueOn: time.Date(2026, 12, i, 0, 0, 0, 0, time.UTC), Status: caseconf.ActionOpen}
		if i%2 == 0 {
			act.OwnerID = "U0SW"
		} else {
			act.OwnerName, act.OwnerAgency = "Ann Lee", "Acacia House"
		}
		o.Actions = append(o.Actions, act)
	}
	if _, err := a.main.DB.RecordOutcome(ctx, int64(conf), cm, testNow, c.StartsAt, o, "test:30", a.main.Bot.MinutesParts); err != nil {
		a.t.Fatal(err)
	}
	done := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0SW' ORDER BY id LIMIT 1`)
	if _, err := a.main.DB.MarkActionDone(ctx, int64(done), caseconf.Viewer{UserID: "U0SW"}); err != nil {
		a.t.Fatal(err)
	}
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(30 * time.Second)
	return conf
}

func TestExportWholeRecordToTheCallersDM(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.slack.AddUser(slackUser("U0CM", "Casey Manager"))
	a.slack.AddUser(slackUser("U0GP", "Gita Patel"))
	conf := a.recordedWith30Actions()
	if r := decodeReply(t, a.command("U0CM", "help").Payload); !strings.Contains(r.Text, "`/caseconf export REF`") {
		t.Errorf("help does not list export: %q", r.Text)
	}

	// An outsider, and an invitee who may read the conference but not
	// take it out of Slack: nothing is uploaded.
	_, missing := a.commandReply("U0OUT", "export CC-9999")
	ack, reply := a.commandReply("U0OUT", "export CC-0001")
	if reply != missing || !strings.Contains(reply, "no conference") || strings.Contains(ack, "JS-4411") {
		t.Errorf("an outsider's export reads %q, then %q; a conference that does not exist %q", ack, reply, missing)
	}
	if _, reply := a.commandReply("U0SW", "export CC-0001"); !strings.Contains(reply, "Only the case manager") {
		t.Errorf("an invitee's export: %q", reply)
	}
	if n := len(a.fileUploads()) + a.count(`SELECT count(*) FROM audit_log WHERE action LIKE 'conference.export%'`); n != 0 {
		t.Fatalf("refused exports uploaded or audited %d things", n)
	}

	// The case manager's: one file, in their DM, the whole record.
	ack, reply = a.commandReply("U0CM", "export CC-0001")
	if !strings.Contains(ack, "CC-0001") || !strings.Contains(reply, "is in your direct messages") {
		t.Errorf("export answered %q, then %q", ack, reply)
	}
	ups, err := a.waitFileUploads(ctxFor(t), 1)
	if err != nil || len(ups) != 1 {
		t.Fatalf("uploads: %d, %v", len(ups), err)
	}
	up := ups[0]
	if up.Channel != fakeslack.DMChannelID("U0CM") || up.Filename != "CC-0001-record.md" || up.Length != len(up.Content) {
		t.Errorf("uploaded %q (%d of %d bytes) to %q; want CC-0001-record.md in the case manager's DM", up.Filename, len(up.Content), up.Length, up.Channel)
	}
	doc := string(up.Content)
	for i := 1; i <= 30; i++ {
		if !strings.Contains(doc, fmt.Sprintf("\n### Action %d of 30: Area %d\n", i, i)) ||
			!strings.Contains(doc, fmt.Sprintf("> Step %d: \\[call\\](http\\://x.example) the \\*landlord\\*", i)) {
			t.Errorf("action %d is not in the export whole", i)
		}
	}
	for _, want := range []string{
		"# Case conference record: CC-0001", "**Client reference:** JS-4411", "**Client's name:** Jane Smith",
		"Casey Manager (Slack U0CM)", "Acacia House", "Church Street Surgery", "cannot attend; will send a written report",
		"> Weight loss continues  \n> \\# not a heading", "#### Earlier version 1", "> Missed two appointments",
		"> Rent arrears of six weeks", "**Review meeting:** Friday 29 January 2027", "action marked done", "Ann Lee, Acacia House (not on Slack)",
		"Slack user U0PROB: **not sent**", "Dr Patel (not on Slack), contact: 020 7946 0000", "## Disclosures of the minutes\n\n- To Slack user U0SW, part 1 of 1",
		"signed consent form given 2026-10-01", "outcome recorded, by Casey Manager",
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("the export does not say %q", want)
		}
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'conference.export' AND actor_id = 'U0CM' AND conference_id = $1`, conf); n != 1 {
		t.Errorf("%d export audit rows", n)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'conference.export.delivered' AND detail LIKE $1`, "%"+up.FileID+"%"); n != 1 {
		t.Errorf("the delivered file is not audited")
	}
	if logs := a.logs.String(); strings.Contains(logs, "JS-4411") || strings.Contains(logs, "landlord") || strings.Contains(logs, "Weight loss") {
		t.Error("the record reached the logs")
	}

	// An administrator may export it too, into their own DM.
	a.commandReply("U0ADMIN", "export cc-0001")
	if ups, _ := a.waitFileUploads(ctxFor(t), 2); len(ups) != 2 || ups[1].Channel != fakeslack.DMChannelID("U0ADMIN") {
		t.Errorf("an administrator's export went to %+v", ups)
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
