package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// Reading the agency reports on the day (show, /caseconf reports and its
// Read reports button), and /caseconf actions.

// writeReport has userID write their report for CC-0001 with
// /caseconf report, as the form is submitted.
func (a *app) writeReport(userID, viewID string, values form) {
	a.t.Helper()
	opened := len(a.slack.CallsTo("views.open"))
	if r := decodeReply(a.t, a.command(userID, "report CC-0001").Payload); r.Text != "" {
		a.t.Fatalf("%s: report answered %q, want the form", userID, r.Text)
	}
	_, meta := viewOf(a.t.(*testing.T), a.waitCalls("views.open", opened+1)[opened])
	if ack := a.viewSubmission(userID, "report", viewID, meta, values, 0); ack["response_action"] != "clear" {
		a.t.Fatalf("%s: report ack = %v", userID, ack)
	}
}

// commandText is everything a slash command's ephemeral answer says.
func (a *app) commandText(userID, text string) string {
	a.t.Helper()
	r := decodeReply(a.t, a.command(userID, text).Payload)
	return r.Text + "\n" + string(mustJSON(a.t, r.Blocks))
}

// The GP can't attend and sends a report; the social worker, attending,
// sends one too. On the day the chair's show has the agenda and both
// reports, the GP's first (to be read out); /caseconf reports and Read
// reports show them too; each read is audited. An outsider reads "not
// found"; the probation officer (attending, agency not covered) and the
// GP (not attending) read no report text.
func TestReportsReadOnTheDay(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	a.writeReport("U0GP", "VREP-GP", reportValues())
	a.writeReport("U0SW", "VREP-SW", reportValues().text("report_agency", "Westminster ASC").text("report_role", "Social worker").
		text("concerns", "Rent arrears of six weeks"))
	a.eventually("both reports", func() bool { return a.count(`SELECT count(*) FROM reports`) == 2 })
	// The meeting is this morning, later today.
	a.count(`UPDATE conferences SET starts_at = '2026-11-02 10:30+00' WHERE id = $1 RETURNING id`, conf)

	show := a.commandText("U0CM", "show CC-0001")
	for _, want := range []string{"Agenda", "Service reports and recommendations", "2 received", "Church Street Surgery", "GP partner",
		"Missed two appointments; marked weight loss", "Rent arrears of six weeks", "A joint home visit", "for the chair to read out"} {
		if !strings.Contains(show, want) {
			t.Errorf("the chair's show lacks %q", want)
		}
	}
	if gp, sw := strings.Index(show, "GP partner"), strings.Index(show, "Social worker"); gp < 0 || sw < gp {
		t.Errorf("the report of the GP, who is not coming, is not first")
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE actor_id = 'U0CM' AND action = 'report.read' AND conference_id = $1`, conf); n != 1 {
		t.Errorf("the chair's show audited %d report reads, want 1", n)
	}

	reports := a.commandText("U0CM", "reports CC-0001")
	if !strings.Contains(reports, "Agency reports for CC-0001") || !strings.Contains(reports, "weight loss") || !strings.Contains(reports, "Rent arrears") {
		t.Errorf("the chair's /caseconf reports: %s", reports)
	}
	if reply := a.replyTo(a.click("U0CM", "reports", fmt.Sprintf("c%d", conf))); !strings.Contains(reply, "weight loss") {
		t.Errorf("Read reports for the chair: %s", reply)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE actor_id = 'U0CM' AND action = 'report.read'`); n != 3 {
		t.Errorf("%d report reads audited for the chair, want 3", n)
	}
	if sw := a.commandText("U0SW", "reports CC-0001"); !strings.Contains(sw, "weight loss") {
		t.Errorf("the social worker, attending, cannot read the GP's report: %s", sw)
	}

	// An outsider: exactly as a conference that does not exist.
	missing := decodeReply(t, a.command("U0OUT", "show CC-9999").Payload).Text
	for _, cmd := range []string{"show CC-0001", "reports CC-0001", "reports CC-9999"} {
		if got := decodeReply(t, a.command("U0OUT", cmd).Payload).Text; got != missing || !strings.Contains(got, "no conference") {
			t.Errorf("outsider %s: %q, want %q", cmd, got, missing)
		}
	}
	if reply := a.replyTo(a.click("U0OUT", "reports", fmt.Sprintf("c%d", conf))); !strings.Contains(reply, "no conference") || strings.Contains(reply, "weight") {
		t.Errorf("an outsider's Read reports: %s", reply)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE actor_id = 'U0OUT'`); n != 0 {
		t.Errorf("an outsider's reads wrote %d audit rows", n)
	}

	// The probation officer attends, but the consent does not cover
	// probation: no report, not even a count.
	prob := a.commandText("U0PROB", "show CC-0001")
	if strings.Contains(prob, "weight") || strings.Contains(prob, "Rent arrears") || strings.Contains(prob, "received") || strings.Contains(prob, "JS-4411") {
		t.Errorf("the uncovered probation officer's show: %s", prob)
	}
	if got := a.commandText("U0PROB", "reports CC-0001"); !strings.Contains(got, "consent does not cover your agency") || strings.Contains(got, "weight") {
		t.Errorf("the uncovered probation officer's /caseconf reports: %s", got)
	}
	if reply := a.replyTo(a.click("U0PROB", "reports", fmt.Sprintf("c%d", conf))); strings.Contains(reply, "weight") {
		t.Errorf("the uncovered probation officer's Read reports: %s", reply)
	}
	// The GP is not coming: a count, no text, no button.
	gp := a.commandText("U0GP", "show CC-0001")
	if !strings.Contains(gp, "*Agency reports:* 2 received") || strings.Contains(gp, "Rent arrears") || strings.Contains(gp, `"action_id":"reports"`) {
		t.Errorf("the GP's show: %s", gp)
	}
	if got := a.commandText("U0GP", "reports CC-0001"); !strings.Contains(got, "shared with the invitees attending") || strings.Contains(got, "Rent arrears") {
		t.Errorf("the GP's /caseconf reports: %s", got)
	}
	for _, u := range []string{"U0PROB", "U0GP"} {
		if n := a.count(`SELECT count(*) FROM audit_log WHERE actor_id = $1 AND action = 'report.read'`, u); n != 0 {
			t.Errorf("%s: %d report reads audited, and none was allowed", u, n)
		}
	}
	if logs := a.logs.String(); strings.Contains(logs, "weight loss") || strings.Contains(logs, "Rent arrears") || strings.Contains(logs, "JS-4411") {
		t.Error("report text or the client's reference in the logs")
	}

	// The day before, show has no agenda.
	a.count(`UPDATE conferences SET starts_at = '2026-11-03 10:30+00' WHERE id = $1 RETURNING id`, conf)
	if got := a.commandText("U0CM", "show CC-0001"); strings.Contains(got, "Agenda") || !strings.Contains(got, "weight loss") {
		t.Errorf("show the day before: %s", got)
	}
	if r := decodeReply(t, a.command("U0CM", "help").Payload); !strings.Contains(r.Text, "`/caseconf reports REF`") || !strings.Contains(r.Text, "`/caseconf actions`") {
		t.Errorf("help does not list reports and actions: %q", r.Text)
	}
}

// /caseconf actions lists the caller's own open actions, soonest due
// first, with Mark done; the case manager also gets those owned by people
// not on Slack; nobody gets anyone else's, or a cancelled conference's.
func TestActionsListsTheCallersOwn(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	a.scheduled("V2")
	a.accept("CC-0002", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	one, two := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`), a.count(`SELECT id FROM conferences WHERE ref = 'CC-0002'`)
	ins := func(conf int, owner any, name, what, due string) int {
		return a.count(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, owner_name, owner_agency, due_on)
			VALUES ($1, 'Housing', $2, $3, $4, CASE WHEN $4 = '' THEN '' ELSE 'Acacia House' END, $5) RETURNING id`, conf, what, owner, name, due)
	}
	later := ins(one, "U0SW", "", "Apply for tenancy support", "2026-11-27")
	sooner := ins(two, "U0SW", "", "Chase the housing benefit claim", "2026-11-18")
	ins(one, "U0GP", "", "Medication review", "2026-11-10")
	ins(one, nil, "Ann Lee", "Benefits check", "2026-11-30")
	a.count(`UPDATE actions SET status = 'done' WHERE id = $1 RETURNING id`, ins(one, "U0SW", "", "Already done", "2026-11-05"))
	cancelled := a.count(`INSERT INTO conferences (ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id, reasons, purpose,
			starts_at, duration_minutes, place, client_attends, created_at, updated_at)
		SELECT 'CC-0003', client_id, consent_id, case_manager_id, chair_id, minute_taker_id, reasons, purpose, starts_at,
			duration_minutes, place, client_attends, now(), now() FROM conferences WHERE id = $1 RETURNING id`, one)
	a.count(`UPDATE conferences SET status = 'cancelled', cancel_reason = 'x' WHERE id = $1 RETURNING id`, cancelled)
	ins(cancelled, "U0SW", "", "Of a cancelled conference", "2026-11-04")

	sw := a.commandText("U0SW", "actions")
	s, l := strings.Index(sw, "Chase the housing benefit claim"), strings.Index(sw, "Apply for tenancy support")
	if s < 0 || l < s || !strings.Contains(sw, "2, soonest due first") {
		t.Fatalf("the social worker's actions, soonest first: %s", sw)
	}
	for _, other := range []string{"Medication review", "Benefits check", "Already done", "cancelled conference"} {
		if strings.Contains(sw, other) {
			t.Errorf("the social worker's list has %q", other)
		}
	}
	for _, id := range []int{sooner, later} {
		if !strings.Contains(sw, fmt.Sprintf(`"action_id":"done"`)) || !strings.Contains(sw, fmt.Sprintf(`"value":"a%d"`, id)) {
			t.Errorf("no Mark done for action %d: %s", id, sw)
		}
	}
	cm := a.commandText("U0CM", "actions")
	if !strings.Contains(cm, "Benefits check") || !strings.Contains(cm, "Ann Lee") || strings.Contains(cm, "Medication review") || strings.Contains(cm, "tenancy support") {
		t.Errorf("the case manager's actions: %s", cm)
	}
	if got := a.commandText("U0OUT", "actions"); !strings.Contains(got, "no open actions") {
		t.Errorf("an outsider's actions: %s", got)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'action.list' AND actor_id = 'U0SW'`); n != 2 {
		t.Errorf("%d list reads audited for the social worker, want one per conference", n)
	}

	// Mark done from the list; the list then has one.
	a.click("U0SW", "done", fmt.Sprintf("a%d", sooner))
	a.eventually("the action to be done", func() bool {
		return a.count(`SELECT count(*) FROM actions WHERE id = $1 AND status = 'done' AND done_by = 'U0SW'`, sooner) == 1
	})
	if got := a.commandText("U0SW", "actions"); strings.Contains(got, "housing benefit") || !strings.Contains(got, "1, soonest due first") {
		t.Errorf("the list after Mark done: %s", got)
	}
}

// Reports too long for one message: show lists them with Read reports,
// which sends the first page; Next reports replaces it with the next.
func TestLongReportsPaged(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	long := func(mark string) form {
		v := reportValues()
		for _, f := range []string{"involvement", "concerns", "not_worked", "recommendations", "worked"} {
			v = v.text(f, mark+strings.Repeat("&", 3000-len(mark)))
		}
		return v
	}
	a.writeReport("U0GP", "VLONG-GP", long("GPTEXT"))
	a.writeReport("U0SW", "VLONG-SW", long("SWTEXT"))
	a.eventually("both reports", func() bool { return a.count(`SELECT count(*) FROM reports`) == 2 })

	show := a.commandText("U0CM", "show CC-0001")
	if strings.Contains(show, "GPTEXT") || !strings.Contains(show, `"action_id":"reports"`) || !strings.Contains(show, "GP partner") {
		t.Fatalf("show with long reports: %s", show)
	}
	first := a.replyTo(a.click("U0CM", "reports", fmt.Sprintf("c%d", conf)))
	if !strings.Contains(first, "GPTEXT") || strings.Contains(first, "SWTEXT") || !strings.Contains(first, "page 1 of ") {
		t.Fatalf("the first page: %.2000s", first)
	}
	// Each report is longer than a message holds: Next reports goes on
	// through the GP's, a page at a time, to the social worker's.
	next := ""
	second, page := first, first
	for range 20 {
		value := regexp.MustCompile(`"action_id":"reports:next"[^}]*"value":"([^"]+)"`).FindStringSubmatch(page)
		if value == nil {
			t.Fatalf("no Next reports button before the social worker's report: %.1000s", page)
		}
		next = value[1]
		page = a.replyTo(a.click("U0CM", "reports:next", next))
		if !strings.Contains(page, `"replace_original":true`) || !strings.Contains(page, `"action_id":"reports:prev"`) {
			t.Fatalf("a next page: %.2000s", page)
		}
		if strings.Contains(page, "SWTEXT") {
			second = page
			break
		}
	}
	// The social worker's report starts a page of its own.
	if want := fmt.Sprintf("c%d.i%d", conf, a.inviteeID("CC-0001", "U0SW")); second == first || strings.Contains(second, "GPTEXT") || next != want {
		t.Fatalf("the page of the social worker's report (from %s, want %s): %.2000s", next, want, second)
	}
	// Someone else pressing the page button reads nothing.
	if reply := a.replyTo(a.click("U0OUT", "reports:next", next)); strings.Contains(reply, "SWTEXT") || !strings.Contains(reply, "no conference") {
		t.Errorf("an outsider's Next reports: %.500s", reply)
	}
}

// reportsWritten is heldConference with the GP's report (can't attend)
// and the social worker's (attending) written, the meeting moved to
// today, later on.
func (a *app) reportsWritten() int {
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
	conf := a.reportsWritten()
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
