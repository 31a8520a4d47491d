package main

// Hostile and newcomer probes of reading the agency reports, /caseconf
// actions, action updates (notes, new dates, Accept / Keep), the client
// letter and review / handover forms: each found a defect (now fixed) or
// confirmed a refusal, and stays as a regression test.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

// zzReportsWritten is heldConference with the GP's report (can't attend)
// and the social worker's (attending) written, the meeting moved to
// today, later on.
func (a *app) zzReportsWritten() int {
	a.t.Helper()
	conf := a.heldConference()
	a.writeReport("U0GP", "VZZ-GP", reportValues().text("concerns", "ZZGPSECRET weight loss"))
	a.writeReport("U0SW", "VZZ-SW", reportValues().text("report_agency", "Westminster ASC").text("report_role", "Social worker").
		text("concerns", "ZZSWSECRET rent arrears"))
	a.eventually("both reports", func() bool { return a.count(`SELECT count(*) FROM reports`) == 2 })
	a.count(`UPDATE conferences SET starts_at = '2026-11-02 10:30+00' WHERE id = $1 RETURNING id`, conf)
	return conf
}

// Once the client's consent has run out, an attending invitee (not an
// organiser) no longer reads other agencies' reports, as the minutes are
// withheld from non-organisers in the same case.
func TestReportsAfterConsentRanOut(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.zzReportsWritten()
	a.count(`UPDATE consents SET given_on = '2026-04-01', valid_until = '2026-10-31'
		WHERE id = (SELECT consent_id FROM conferences WHERE id = $1) RETURNING id`, conf)
	for _, cmd := range []string{"reports CC-0001", "show CC-0001"} {
		if got := a.commandText("U0SW", cmd); strings.Contains(got, "ZZGPSECRET") {
			t.Errorf("the social worker reads the GP's report under consent that ran out on 31 October (%s): %.300s", cmd, got)
		}
	}
	if reply := a.replyTo(a.click("U0SW", "reports", fmt.Sprintf("c%d", conf))); strings.Contains(reply, "ZZGPSECRET") {
		t.Errorf("Read reports under lapsed consent shows the GP's report")
	}
}

// Who reads report text: an administrator, someone only on the share
// list, an invitee who never accepted the agreement; page buttons with
// forged values (another conference, an invitee of another conference).
func TestReportsAccessMatrix(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADM"})
	f := scheduleForm().users("invitees", "U0GP", "U0SW", "U0PROB", "U0NA")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 5)
	a.invitationsRecorded()
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	a.accept("CC-0001", "U0PROB", "Westminster Probation", "probation_police")
	for user, answer := range map[string]string{"U0GP": "apologies", "U0SW": "attending", "U0PROB": "attending"} {
		a.click(user, "respond:"+answer, a.inviteeValue("CC-0001", user))
	}
	a.eventually("the answers", func() bool { return a.count(`SELECT count(*) FROM responses`) == 3 })
	conf := a.count(`SELECT id FROM conferences`)
	a.writeReport("U0GP", "VZZ-GP", reportValues().text("concerns", "ZZGPSECRET weight loss"))
	a.writeReport("U0SW", "VZZ-SW", reportValues().text("concerns", "ZZSWSECRET rent arrears"))
	a.eventually("both reports", func() bool { return a.count(`SELECT count(*) FROM reports`) == 2 })
	a.count(`INSERT INTO share_list (conference_id, slack_user_id) VALUES ($1, 'U0SHARE') RETURNING id`, conf)
	// A second conference, run by someone else, with its own reader.
	a.count(`INSERT INTO conferences (ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id, reasons, purpose,
			starts_at, duration_minutes, place, client_attends, created_at, updated_at)
		SELECT 'CC-0002', client_id, consent_id, 'U0OTHER', 'U0OTHER', 'U0OTHER', reasons, purpose, starts_at,
			duration_minutes, place, client_attends, now(), now() FROM conferences WHERE id = $1 RETURNING id`, conf)

	sw := a.inviteeID("CC-0001", "U0SW")
	values := []string{fmt.Sprintf("c%d", conf), fmt.Sprintf("c%d.i%d", conf, sw), "c999999", fmt.Sprintf("c%d.i999999", conf)}
	for _, u := range []string{"U0ADM", "U0SHARE", "U0NA", "U0PROB", "U0GP", "U0OTHER", "U0OUT"} {
		for _, cmd := range []string{"reports CC-0001", "show CC-0001"} {
			if got := a.commandText(u, cmd); strings.Contains(got, "ZZGPSECRET") || strings.Contains(got, "ZZSWSECRET") {
				t.Errorf("%s reads report text with %s", u, cmd)
			}
		}
		for _, act := range []string{"reports", "reports:next", "reports:prev"} {
			for _, v := range values {
				if reply := a.replyTo(a.click(u, act, v)); strings.Contains(reply, "ZZGPSECRET") || strings.Contains(reply, "ZZSWSECRET") {
					t.Errorf("%s reads report text pressing %s %s", u, act, v)
				}
			}
		}
	}
	for _, u := range []string{"U0NA", "U0OTHER", "U0OUT"} {
		if got := decodeReply(t, a.command(u, "reports CC-0001").Payload).Text; !strings.Contains(got, "no conference") {
			t.Errorf("%s (may not see CC-0001): %q", u, got)
		}
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'report.read' AND actor_id <> 'U0CM'`); n != 0 {
		t.Errorf("%d report reads audited for people who may not read them", n)
	}
	// The chair's own view is unaffected by the forged invitee.
	if reply := a.replyTo(a.click("U0CM", "reports:next", fmt.Sprintf("c%d.i999999", conf))); !strings.Contains(reply, "ZZGPSECRET") {
		t.Errorf("the chair's page with an unknown start: %.300s", reply)
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

// /caseconf actions and the action DM for an owner who was not invited
// and is not on the share list (a colleague given an action at the
// meeting): a newcomer expects /caseconf actions to list what they were
// DMed; the DM must not show case details to someone who may not see the
// conference.
func TestActionOwnerNotInvited(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	_ = conf
	opened := len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "record CC-0001")
	meta, _ := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	vals := minimalOutcome().user("act_owner_1", "U0NEWBIE").text("act_what_1", "ZZNEWBIEACTION tenancy support")
	ack := a.viewSubmission("U0CM", "outcome", "VZZO", meta, vals, 0)
	if !strings.Contains(fmt.Sprint(ack), "is recorded") {
		t.Logf("outcome with an uninvited owner: %v", ack)
		return
	}
	a.waitOutboxDone(20 * time.Second)
	var dm string
	for _, c := range a.dmTo("U0NEWBIE") {
		dm += callText(c)
	}
	t.Logf("U0NEWBIE's DM: %s", strings.ReplaceAll(dm, "\n", " | "))
	list := a.commandText("U0NEWBIE", "actions")
	if strings.Contains(dm, "ZZNEWBIEACTION") || strings.Contains(dm, "JS-4411") {
		t.Logf("the uninvited owner's action DM shows the action's text")
	}
	if dm != "" && strings.Contains(list, "no open actions") {
		t.Errorf("U0NEWBIE was DMed an action (%d DMs) but /caseconf actions says %q", len(a.dmTo("U0NEWBIE")), list)
	}
}

// Forged and repeated updates: done actions, other actions' metadata, a
// form reused for another action, concurrent submissions of one form,
// Accept after done, Accept by another conference's chair.
func TestForgedAndRepeatedUpdates(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	gp := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0GP'`)
	sw := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0SW'`)
	gpv, swv := fmt.Sprintf("a%d", gp), fmt.Sprintf("a%d", sw)

	// The GP forges the social worker's action into a form.
	for _, cb := range []string{"action_note", "action_date"} {
		ack := a.viewSubmission("U0GP", cb, "VZZF-"+cb, swv, form{}.text("progress_note", "Forged").date("new_due", "2026-12-11").text("due_reason", "Forged"), 0)
		if !strings.Contains(fmt.Sprint(ack), "not yours") {
			t.Errorf("the GP's forged %s on the social worker's action: %v", cb, ack)
		}
	}
	// Concurrent submissions of one note form: one note.
	meta := a.openForm("U0GP", "action_note", gpv, "action_note")
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.viewSubmission("U0GP", "action_note", "VZZC", meta, form{}.text("progress_note", "ZZCONCURRENT"), i%3)
		}()
	}
	wg.Wait()
	if n := a.count(`SELECT count(*) FROM action_updates WHERE note = 'ZZCONCURRENT'`); n != 1 {
		t.Errorf("one note form submitted concurrently stored %d notes", n)
	}
	// The case manager reuses a note form's view for another action.
	m1 := a.openForm("U0CM", "action_note", gpv, "action_note")
	a.viewSubmission("U0CM", "action_note", "VZZR", m1, form{}.text("progress_note", "first"), 0)
	ack := a.viewSubmission("U0CM", "action_note", "VZZR", swv, form{}.text("progress_note", "second"), 0)
	if n := a.count(`SELECT count(*) FROM action_updates WHERE action_id = $1`, sw); n != 0 {
		t.Errorf("a reused form stored a note on another action: %v", ack)
	}
	// A proposal, then the action done: Accept changes nothing.
	meta = a.openForm("U0GP", "action_date", gpv, "action_date")
	a.viewSubmission("U0GP", "action_date", "VZZP", meta, form{}.date("new_due", "2026-12-11").text("due_reason", "Away"), 0)
	u := a.count(`SELECT id FROM action_updates WHERE state = 'proposed'`)
	uv := fmt.Sprintf("u%d", u)
	// Another conference's chair presses Accept.
	if reply := a.replyTo(a.click("U0OTHER", "date_accept", uv)); !strings.Contains(reply, "not yours") {
		t.Errorf("another chair's Accept: %s", reply)
	}
	a.click("U0GP", "done", gpv)
	a.eventually("done", func() bool { return a.count(`SELECT count(*) FROM actions WHERE id = $1 AND status = 'done'`, gp) == 1 })
	reply := a.replyTo(a.click("U0CM", "date_accept", uv))
	if a.count(`SELECT count(*) FROM actions WHERE id = $1 AND due_on = '2026-11-20'`, gp) != 1 {
		t.Errorf("Accept after done moved the action: %s", reply)
	}
	// Note or new date on a done action, by the owner or the case manager.
	for _, u := range []string{"U0GP", "U0CM"} {
		ack := a.viewSubmission(u, "action_note", "VZZDONE-"+u, gpv, form{}.text("progress_note", "after done"), 0)
		if !strings.Contains(fmt.Sprint(ack), "already done") {
			t.Errorf("%s's note on a done action: %v", u, ack)
		}
		ack = a.viewSubmission(u, "action_date", "VZZDONED-"+u, gpv, form{}.date("new_due", "2027-01-08").text("due_reason", "after done"), 0)
		if !strings.Contains(fmt.Sprint(ack), "already done") {
			t.Errorf("%s's new date on a done action: %v", u, ack)
		}
	}
	if n := a.count(`SELECT count(*) FROM action_updates WHERE note = 'after done'`); n != 0 {
		t.Errorf("%d updates stored on a done action", n)
	}
	// Control characters and a NUL in a note: answered on the field.
	meta = a.openForm("U0SW", "action_note", swv, "action_note")
	for i, bad := range []string{"a\x00b", "a\x1b[31mb", strings.Repeat("é", 1001)} {
		ack := a.viewSubmission("U0SW", "action_note", fmt.Sprintf("VZZBAD%d", i), meta, form{}.text("progress_note", bad), 0)
		if fieldErrors(ack)["progress_note"] == nil {
			t.Errorf("note %q: %v", bad[:3], ack)
		}
	}
}

// A proposal cannot be accepted once its date has passed (the action
// would be overdue the moment it moved); and reminders follow a date the
// case manager moves while the action is overdue.
func TestStaleProposalAndOverdueMove(t *testing.T) {
	t.Parallel()
	clock := &movableClock{}
	clock.set(testNow)
	a := startAppWith(t, nil, func(m *Main) { m.Now = clock.now })
	a.heldConference()
	a.recordOutcome()
	gp := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0GP'`)
	gpv := fmt.Sprintf("a%d", gp)
	meta := a.openForm("U0GP", "action_date", gpv, "action_date")
	a.viewSubmission("U0GP", "action_date", "VZZS", meta, form{}.date("new_due", "2026-11-05").text("due_reason", "Sooner"), 0)
	uv := fmt.Sprintf("u%d", a.count(`SELECT id FROM action_updates WHERE state = 'proposed'`))
	clock.set(time.Date(2026, 11, 10, 9, 0, 0, 0, time.UTC))
	reply := a.replyTo(a.click("U0CM", "date_accept", uv))
	if a.count(`SELECT count(*) FROM actions WHERE id = $1 AND due_on = '2026-11-05'`, gp) == 1 {
		t.Errorf("on 10 November the case manager's Accept moved the action to 5 November, in the past (%s)", bodyTextSafe(reply))
	}

	// The social worker's action, due 27 November, is overdue by 1
	// December; the case manager moves it to 18 December: no overdue
	// reminder should go out after that.
	sw := a.count(`SELECT id FROM actions WHERE owner_slack_id = 'U0SW'`)
	clock.set(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC))
	if _, err := a.main.Sweeper.RunOnce(context.Background(), clock.now(), false); err != nil {
		t.Fatal(err)
	}
	before := a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_overdue' AND subject_id = $1`, sw)
	clock.set(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	meta = a.openForm("U0CM", "action_date", fmt.Sprintf("a%d", sw), "action_date")
	ack := a.viewSubmission("U0CM", "action_date", "VZZM", meta, form{}.date("new_due", "2026-12-18").text("due_reason", "Panel"), 0)
	if !strings.Contains(fmt.Sprint(ack), "18 December") {
		t.Fatalf("move: %v", ack)
	}
	for _, day := range []int{2, 8, 9, 15, 16} {
		clock.set(time.Date(2026, 12, day, 8, 0, 0, 0, time.UTC))
		if _, err := a.main.Sweeper.RunOnce(context.Background(), clock.now(), false); err != nil {
			t.Fatal(err)
		}
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind IN ('action_overdue', 'action_overdue_cm') AND subject_id = $1 AND state <> 'cancelled' AND created_at > '2026-12-01 09:00+00'`, sw); n != 0 {
		t.Errorf("%d overdue reminders written after the date moved to 18 December (before the move: %d)", n, before)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'action_due_soon' AND subject_id = $1 AND state <> 'cancelled' AND dedup_key LIKE '%:2026-12-16'`, sw); n != 1 {
		t.Errorf("%d due-soon reminders for the new date", n)
	}
}

func bodyTextSafe(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}

// The client letter: not for the chair, an admin or an invitee; refused
// for a professionals-only meeting without consent.
func TestClientLetterRefusals(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADM"})
	conf := a.heldConference()
	a.count(`UPDATE conferences SET chair_id = 'U0CHAIR', minute_taker_id = 'U0MIN' WHERE id = $1 RETURNING id`, conf)
	opened := len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "record CC-0001")
	meta, _ := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	if ack := a.viewSubmission("U0CM", "outcome", "VZZO", meta, minimalOutcome(), 0); !strings.Contains(fmt.Sprint(ack), "is recorded") {
		t.Fatalf("outcome: %v", ack)
	}
	cv := fmt.Sprintf("c%d", conf)
	for _, u := range []string{"U0CHAIR", "U0MIN", "U0ADM", "U0SW"} {
		if reply := a.replyTo(a.click(u, "client_letter", cv)); !strings.Contains(reply, "Only the case manager") || strings.Contains(reply, "Dear") {
			t.Errorf("%s's client letter: %.300s", u, reply)
		}
	}
	a.count(`UPDATE consents SET method = 'none', no_consent_reason = 'professionals_only', given_on = NULL, valid_until = NULL, agency_kinds = '{}'
		WHERE id = (SELECT consent_id FROM conferences WHERE id = $1) RETURNING id`, conf)
	if reply := a.replyTo(a.click("U0CM", "client_letter", cv)); !strings.Contains(reply, "professionals-only") || strings.Contains(reply, "Dear") {
		t.Errorf("the letter for a professionals-only meeting: %.300s", reply)
	}
}

// Forged review/handover metadata on the scheduling form, and a handover
// form whose client was changed.
func TestForgedFollows(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	for _, m := range []struct{ user, meta string }{
		{"U0SW", fmt.Sprintf("review:c%d", conf)}, {"U0SW", fmt.Sprintf("handover:c%d", conf)},
		{"U0OUT", fmt.Sprintf("review:c%d", conf)}, {"U0CM", "review:c999999"},
		{"U0CM", fmt.Sprintf("handover:c%d", conf)}, // no lead change recorded
		{"U0CM", fmt.Sprintf("review:c%d.i1", conf)}, {"U0CM", "review:"}, {"U0CM", "handover:c0"},
	} {
		ack := a.viewSubmission(m.user, "schedule", "VZZF-"+m.user+m.meta, m.meta, scheduleForm(), 0)
		if ack["response_action"] == "clear" {
			t.Errorf("%s with %q: accepted", m.user, m.meta)
		}
	}
	if n := a.count(`SELECT count(*) FROM conferences`); n != 1 {
		t.Fatalf("forged follows stored %d conferences", n)
	}
}

// A handover form whose client reference was changed (by mistake, or on
// purpose) is refused on that field, so it can never hand a different
// client to the new case manager.
func TestHandoverClientMismatchRefused(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	ctx := context.Background()
	cm := caseconf.Viewer{UserID: "U0CM"}
	c, err := a.main.DB.ConferenceByID(ctx, int64(conf), cm, "test.read")
	if err != nil {
		t.Fatal(err)
	}
	o := caseconf.Outcome{Attended: []caseconf.Person{{UserID: "U0CM"}}, Summary: "Moving", ClientViews: "Agrees",
		ReviewOn: time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC), LeadChanged: true, NewCaseManagerID: "U0NEWCM", NewLeadAgency: "Acacia House"}
	if _, err := a.main.DB.RecordOutcome(ctx, int64(conf), cm, testNow, c.StartsAt, o, "test:handover", a.main.Bot.MinutesParts); err != nil {
		t.Fatal(err)
	}
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	// Another client of the same case manager.
	if ack := a.viewSubmission("U0CM", "schedule", "VOTHER", "", scheduleForm().text("client_ref", "ZZ-OTHER"), 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.eventually("CC-0002", func() bool { return a.count(`SELECT count(*) FROM conferences WHERE ref = 'CC-0002'`) == 1 })
	if ack := a.viewSubmission("U0CM", "schedule", "VZZH", fmt.Sprintf("handover:c%d", conf),
		scheduleForm().text("client_ref", "ZZ-OTHER").users("invitees", "U0NEWCM"), 0); ack["response_action"] != "clear" {
		t.Logf("a handover form for another client refused: %v", ack)
		return
	}
	a.eventually("the handover conference", func() bool { return a.count(`SELECT count(*) FROM conferences WHERE handover`) == 1 })
	h := a.count(`SELECT id FROM conferences WHERE handover`)
	if a.count(`SELECT count(*) FROM conferences WHERE id = $1 AND client_id = (SELECT client_id FROM conferences WHERE id = $2)`, h, conf) != 1 {
		t.Errorf("the handover of CC-0001 (client JS-4411) was stored for another client")
	}
	a.count(`UPDATE conferences SET starts_at = '2026-11-01 10:30+00' WHERE id = $1 RETURNING id`, h)
	hc, err := a.main.DB.ConferenceByID(ctx, int64(h), cm, "test.read")
	if err != nil {
		t.Fatal(err)
	}
	ho := caseconf.Outcome{Attended: []caseconf.Person{{UserID: "U0CM"}}, Summary: "Handed over", ClientViews: "Fine",
		ReviewOn: time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC)}
	if _, err := a.main.DB.RecordOutcome(ctx, int64(h), cm, testNow, hc.StartsAt, ho, "test:handover2", a.main.Bot.MinutesParts); err != nil {
		t.Fatal(err)
	}
	if n := a.count(`SELECT count(*) FROM conferences WHERE ref = 'CC-0002' AND case_manager_id = 'U0NEWCM'`); n != 0 {
		t.Errorf("recording the handover of CC-0001 gave CC-0002 (another client, ZZ-OTHER) to the new case manager")
	}
	if n := a.count(`SELECT count(*) FROM conferences WHERE id = $1 AND case_manager_id = 'U0NEWCM'`, conf); n != 1 {
		t.Errorf("CC-0001, whose handover it was, still belongs to the old case manager")
	}
}

// After a real handover the new case manager schedules the review from
// the conference they now hold: it is the same client's record.
func TestReviewAfterHandoverSameClient(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	ctx := context.Background()
	cm := caseconf.Viewer{UserID: "U0CM"}
	c, err := a.main.DB.ConferenceByID(ctx, int64(conf), cm, "test.read")
	if err != nil {
		t.Fatal(err)
	}
	o := caseconf.Outcome{Attended: []caseconf.Person{{UserID: "U0CM"}}, Summary: "Moving", ClientViews: "Agrees",
		ReviewOn: time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC), LeadChanged: true, NewCaseManagerID: "U0NEWCM", NewLeadAgency: "Acacia House"}
	if _, err := a.main.DB.RecordOutcome(ctx, int64(conf), cm, testNow, c.StartsAt, o, "test:handover", a.main.Bot.MinutesParts); err != nil {
		t.Fatal(err)
	}
	if ack := a.viewSubmission("U0CM", "schedule", "VZZH", fmt.Sprintf("handover:c%d", conf), scheduleForm().users("invitees", "U0NEWCM"), 0); ack["response_action"] != "clear" {
		t.Fatalf("handover form: %v", ack)
	}
	a.eventually("the handover conference", func() bool { return a.count(`SELECT count(*) FROM conferences WHERE handover`) == 1 })
	h := a.count(`SELECT id FROM conferences WHERE handover`)
	a.count(`UPDATE conferences SET starts_at = '2026-11-01 10:30+00' WHERE id = $1 RETURNING id`, h)
	hc, err := a.main.DB.ConferenceByID(ctx, int64(h), cm, "test.read")
	if err != nil {
		t.Fatal(err)
	}
	ho := caseconf.Outcome{Attended: []caseconf.Person{{UserID: "U0CM"}}, Summary: "Handed over", ClientViews: "Fine",
		ReviewOn: time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC)}
	if _, err := a.main.DB.RecordOutcome(ctx, int64(h), cm, testNow, hc.StartsAt, ho, "test:handover2", a.main.Bot.MinutesParts); err != nil {
		t.Fatal(err)
	}
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
