package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

// An outcome that changes the case manager offers the handover by DM; its
// button opens the scheduling form filled in for the three-way meeting,
// for the case manager only.
func TestHandoverOfferedAndFilledIn(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.AddUser(slackUser("U0CM", "Casey Manager"))
	a.slack.AddUser(slackUser("U0NEWCM", "Noor Khan"))
	conf := a.heldConference()
	a.recordHandoverOutcome(conf)
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	var offer string
	for _, dm := range a.dmTo("U0CM") {
		if text := callText(dm); strings.Contains(text, "changes who leads") {
			offer = text
		}
	}
	value := fmt.Sprintf("c%d", conf)
	if !strings.Contains(offer, "\ncall_handover\n") || !strings.Contains(offer, "\n"+value+"\n") || !strings.Contains(offer, "<@U0NEWCM>") {
		t.Fatalf("the case manager was not offered the handover: %q", offer)
	}

	opened := len(a.slack.CallsTo("views.open"))
	for _, u := range []string{"U0OUT", "U0SW", "U0NEWCM"} {
		if reply := a.replyTo(a.click(u, "call_handover", value)); !strings.Contains(reply, "no conference with that reference") {
			t.Errorf("%s's click answered %q", u, reply)
		}
	}
	if n := len(a.slack.CallsTo("views.open")); n != opened {
		t.Fatal("someone other than the case manager opened the handover form")
	}
	a.click("U0CM", "call_handover", value)
	call := a.waitCalls("views.open", opened+1)[opened]
	form := reviewForm(t, call)
	for id, want := range map[string]string{"client_ref": "JS-4411", "client_name": "Jane Smith", "invitees": "U0NEWCM", "reasons": "case_transfer",
		"client_attends": "yes", "chair": "U0CM", "consent_method": "written", "consent_given": "2026-10-01", "date": "2026-11-16",
		"ext_name_0": "", "ext_agency_kind_0": ""} {
		if got := form[id]; got != want {
			t.Errorf("the handover form's %s = %q, want %q", id, got, want)
		}
	}
	if p := form["purpose"]; !strings.HasPrefix(p, "Handover from Casey Manager to Noor Khan (Acacia House)") {
		t.Errorf("purpose = %q", p)
	}
	if text := callText(call); !strings.Contains(text, "Call the handover") || !strings.Contains(text, "the new case manager and the client") {
		t.Errorf("the handover form: %s", text)
	}

	// One offer, once (an outcome that changes nothing offers none:
	// TestOutcomeRecordedAndCirculated's case manager gets one DM).
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'handover_offer'`); n != 1 {
		t.Errorf("%d handover offers", n)
	}
}

// A handover form whose client reference was changed (by mistake, or on
// purpose) is refused on that field, so it can never hand a different
// client to the new case manager.
func TestHandoverClientMismatchRefused(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	a.recordHandoverOutcome(conf)
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	// Another client of the same case manager.
	if ack := a.viewSubmission("U0CM", "schedule", "VOTHER", "", scheduleForm().text("client_ref", "ZZ-OTHER"), 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.eventually("CC-0002", func() bool { return a.count(`SELECT count(*) FROM conferences WHERE ref = 'CC-0002'`) == 1 })
	ack := a.viewSubmission("U0CM", "schedule", "VZZH", fmt.Sprintf("handover:c%d", conf),
		scheduleForm().text("client_ref", "ZZ-OTHER").users("invitees", "U0NEWCM"), 0)
	if ack["response_action"] != "errors" || fieldErrors(ack)["client_ref"] == nil {
		t.Fatalf("a handover form of CC-0001 (client JS-4411) naming another client, ZZ-OTHER, was not refused on its client reference: %v", ack)
	}
	a.waitAllHandled()
	if n := a.count(`SELECT count(*) FROM conferences WHERE handover`); n != 0 {
		t.Errorf("the refused handover form stored %d handover conferences", n)
	}
	if n := a.count(`SELECT count(*) FROM conferences WHERE case_manager_id = 'U0NEWCM'`); n != 0 {
		t.Errorf("the refused handover form gave %d conferences to the new case manager", n)
	}
}

// After a real handover the new case manager schedules the review from
// the conference they now hold: it is the same client's record.
func TestReviewAfterHandoverSameClient(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	a.recordHandoverOutcome(conf)
	if ack := a.viewSubmission("U0CM", "schedule", "VZZH", fmt.Sprintf("handover:c%d", conf), scheduleForm().users("invitees", "U0NEWCM"), 0); ack["response_action"] != "clear" {
		t.Fatalf("handover form: %v", ack)
	}
	a.eventually("the handover conference", func() bool { return a.count(`SELECT count(*) FROM conferences WHERE handover`) == 1 })
	h := a.count(`SELECT id FROM conferences WHERE handover`)
	a.recordHandoverMeeting(h)
	if n := a.count(`SELECT count(*) FROM conferences WHERE id = $1 AND case_manager_id = 'U0NEWCM'`, conf); n != 1 {
		t.Fatalf("the handover did not pass CC-0001 on")
	}
	ack := a.viewSubmission("U0NEWCM", "schedule", "VZZREV", fmt.Sprintf("review:c%d", conf),
		scheduleForm().date("date", "2027-01-29").user("chair", "U0NEWCM").user("minute_taker", "U0NEWCM").date("consent_given", "2026-11-02"), 0)
	if ack["response_action"] != "clear" {
		t.Fatalf("the new case manager's review: %v", ack)
	}
	a.eventually("the review", func() bool {
		return a.count(`SELECT count(*) FROM conferences WHERE review_of_id = $1 AND NOT handover`, conf) == 1
	})
	if n := a.count(`SELECT count(DISTINCT client_id) FROM conferences`); n != 1 {
		t.Errorf("after the handover the review is filed under a new client record: %d client records for JS-4411 (clients.case_manager_id still the old one: %d)",
			n, a.count(`SELECT count(*) FROM clients WHERE case_manager_id = 'U0CM'`))
	}
}

// A date the owner proposed before the handover waits for the case
// manager; after the handover only the new case manager may decide it,
// and they are asked to.
func TestProposalPassedOnAtHandover(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	a.recordOutcome()
	// The chair is not the case manager (else the old case manager, still
	// chair, decides).
	a.count(`UPDATE conferences SET chair_id = 'U0CHAIR' WHERE id = $1 RETURNING id`, conf)
	gpv := fmt.Sprintf("a%d", a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0GP'`))
	meta := a.openForm("U0GP", "action_date", gpv, "action_date")
	a.viewSubmission("U0GP", "action_date", "VZZP", meta, form{}.date("new_due", "2026-12-11").text("due_reason", "Away"), 0)
	a.waitOutboxDone(20 * time.Second)
	uv := fmt.Sprintf("u%d", a.count(`SELECT id FROM action_updates WHERE state = 'proposed'`))
	// The outcome named a new case manager; the handover meeting (a copy
	// of this conference, following it) is held and recorded.
	a.count(`UPDATE outcomes SET lead_changed = true, new_case_manager_id = 'U0NEWCM' WHERE conference_id = $1 RETURNING conference_id`, conf)
	handover := a.count(`INSERT INTO conferences (ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id, reasons, purpose,
			starts_at, duration_minutes, place, client_attends, urgent, created_at, updated_at, handover, review_of_id)
		SELECT 'CC-0900', client_id, consent_id, case_manager_id, 'U0CM', 'U0CM', reasons, 'Handover', starts_at + interval '1 day',
			duration_minutes, place, client_attends, urgent, now(), now(), true, id FROM conferences WHERE id = $1 RETURNING id`, conf)
	var starts time.Time
	if err := a.main.DB.SQL().Get(&starts, `SELECT starts_at FROM conferences WHERE id = $1`, handover); err != nil {
		t.Fatal(err)
	}
	if _, err := a.main.DB.RecordOutcome(context.Background(), int64(handover), caseconf.Viewer{UserID: "U0CM"}, starts.Add(time.Hour), starts,
		caseconf.Outcome{Summary: "Handed over"}, "test:handover", a.main.Bot.MinutesParts); err != nil {
		t.Fatal(err)
	}
	if n := a.count(`SELECT count(*) FROM conferences WHERE id = $1 AND case_manager_id = 'U0NEWCM'`, conf); n != 1 {
		t.Fatal("the handover did not give the conference to the new case manager")
	}
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	if reply := a.replyTo(a.click("U0CM", "date_accept", uv)); !strings.Contains(reply, "not yours") {
		t.Errorf("the old case manager's Accept: %s", reply)
	}
	got := a.commandText("U0NEWCM", "actions")
	var asked bool
	for _, dm := range a.dmTo("U0NEWCM") {
		if strings.Contains(callText(dm), "\ndate_accept\n") {
			asked = true
		}
	}
	if !asked && !strings.Contains(got, "date_accept") {
		t.Errorf("after the handover nothing lets the new case manager decide the GP's waiting proposal (their actions: %.200s)", got)
	}
}

// recordHandoverOutcome records, as the case manager U0CM, an outcome of
// conference conf that passes the case to a new case manager, U0NEWCM of
// Acacia House.
func (a *app) recordHandoverOutcome(conf int) {
	a.t.Helper()
	ctx := context.Background()
	cm := caseconf.Viewer{UserID: "U0CM"}
	c, err := a.main.DB.ConferenceByID(ctx, int64(conf), cm, "test.read")
	if err != nil {
		a.t.Fatal(err)
	}
	o := caseconf.Outcome{Attended: []caseconf.Person{{UserID: "U0CM"}}, Summary: "Moving to supported housing", ClientViews: "Agrees",
		ReviewOn: time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC), LeadChanged: true, NewCaseManagerID: "U0NEWCM", NewLeadAgency: "Acacia House"}
	if _, err := a.main.DB.RecordOutcome(ctx, int64(conf), cm, testNow, c.StartsAt, o, "test:handover", a.main.Bot.MinutesParts); err != nil {
		a.t.Fatal(err)
	}
}

// recordHandoverMeeting holds handover conference h yesterday and records
// its outcome as U0CM: the case passes to the new case manager.
func (a *app) recordHandoverMeeting(h int) {
	a.t.Helper()
	ctx := context.Background()
	cm := caseconf.Viewer{UserID: "U0CM"}
	a.count(`UPDATE conferences SET starts_at = '2026-11-01 10:30+00' WHERE id = $1 RETURNING id`, h)
	hc, err := a.main.DB.ConferenceByID(ctx, int64(h), cm, "test.read")
	if err != nil {
		a.t.Fatal(err)
	}
	ho := caseconf.Outcome{Attended: []caseconf.Person{{UserID: "U0CM"}}, Summary: "Handed over", ClientViews: "Fine",
		ReviewOn: time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC)}
	if _, err := a.main.DB.RecordOutcome(ctx, int64(h), cm, testNow, hc.StartsAt, ho, "test:handover2", a.main.Bot.MinutesParts); err != nil {
		a.t.Fatal(err)
	}
}

// The outgoing case manager is on the share list of the handover meeting
// whose outcome they record, and a disclosure of its minutes is logged
// for them; the recording hands the client over before the minutes go,
// and they still go (they were the case manager when it was decided).
func TestOutgoingCaseManagerGetsHandoverMinutes(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	a.recordOutcome()
	a.waitOutboxDone(20 * time.Second)
	a.count(`UPDATE outcomes SET lead_changed = true, new_case_manager_id = 'U0NEWCM' WHERE conference_id = $1 RETURNING conference_id`, conf)
	handover := a.count(`INSERT INTO conferences (ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id, reasons, purpose,
			starts_at, duration_minutes, place, client_attends, urgent, created_at, updated_at, handover, review_of_id)
		SELECT 'CC-0900', client_id, consent_id, case_manager_id, 'U0CHAIR', 'U0CHAIR', reasons, 'Handover', starts_at + interval '1 day',
			duration_minutes, place, client_attends, urgent, now(), now(), true, id FROM conferences WHERE id = $1 RETURNING id`, conf)
	var starts time.Time
	if err := a.main.DB.SQL().Get(&starts, `SELECT starts_at FROM conferences WHERE id = $1`, handover); err != nil {
		t.Fatal(err)
	}
	before := len(a.dmTo("U0CM"))
	o := caseconf.Outcome{Attended: []caseconf.Person{{UserID: "U0CM"}}, Summary: "Handed over", ClientViews: "Fine",
		ShareWith: []caseconf.Person{{UserID: "U0CM"}, {UserID: "U0CHAIR"}}}
	if _, err := a.main.DB.RecordOutcome(context.Background(), int64(handover), caseconf.Viewer{UserID: "U0CM"}, starts.Add(time.Hour), starts,
		o, "test:handover-minutes", a.main.Bot.MinutesParts); err != nil {
		t.Fatal(err)
	}
	if n := a.count(`SELECT count(*) FROM disclosures WHERE conference_id = $1 AND recipient_id = 'U0CM'`, handover); n == 0 {
		t.Fatal("setup: no disclosure logged for the outgoing case manager")
	}
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	got := false
	for _, dm := range a.dmTo("U0CM")[before:] {
		if strings.Contains(callText(dm), "Minutes of CC-0900") {
			got = true
		}
	}
	if !got {
		var errs string
		_ = a.main.DB.SQL().Get(&errs, `SELECT state || ': ' || array_to_string(errors, ' | ') FROM outbox WHERE kind = 'minutes' AND recipient_id = 'U0CM' AND conference_id = $1`, handover)
		t.Errorf("a disclosure of the handover minutes is logged for the outgoing case manager, but they never got them (outbox: %s)", errs)
	}
}
