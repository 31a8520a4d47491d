package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// openHome sends app_home_opened (Home tab) for userID and returns the
// view the bot published for them: everything it says, and its blocks.
func (a *app) openHome(userID string) (string, int) {
	a.t.Helper()
	before := len(a.slack.CallsTo("views.publish"))
	ev := map[string]any{
		"token": "x", "team_id": fakeslack.TeamID, "api_app_id": fakeslack.AppID, "type": "event_callback",
		"event_id": fmt.Sprintf("Ev0HOME%s%d", userID, before), "event_time": time.Now().Unix(),
		"event": map[string]any{"type": "app_home_opened", "user": userID, "channel": "D" + userID, "tab": "home"},
	}
	a.send(fakeslack.Envelope{Type: fakeslack.TypeEventsAPI, Payload: ev})
	calls := a.waitCalls("views.publish", before+1)
	c := calls[len(calls)-1]
	if got := c.Params.Get("user_id"); got != userID {
		a.t.Fatalf("views.publish for %q, want %q", got, userID)
	}
	var v struct {
		Type   string            `json:"type"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(c.Params.Get("view")), &v); err != nil || v.Type != "home" {
		a.t.Fatalf("published view %s: %v", c.Params.Get("view"), err)
	}
	return callText(c), len(v.Blocks)
}

func wantIn(t *testing.T, who, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s's Home lacks %q", who, w)
		}
	}
}

func wantNotIn(t *testing.T, who, text string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			t.Errorf("%s's Home shows %q", who, w)
		}
	}
}

// CC-0001 meets on 20 November (the GP has not accepted the agreement;
// the social worker has, and not answered); CC-0002 met on 30 October
// with no outcome. The case manager (chair of both) sees both, the
// outcome to record, then the review due and the consent running out;
// the GP only the agreement to accept; the social worker the answer and
// their overdue action; an outsider owning an action on a conference
// they may not see, nothing.
func TestHomeTab(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	if ack := a.viewSubmission("U0CM", "schedule", "V2", "", scheduleForm().text("client_ref", "AB-1234").
		text("client_name", "Alan Brown").date("date", "2026-11-25"), 0); ack["response_action"] != "clear" {
		t.Fatalf("second conference: %v", ack)
	}
	a.eventually("two conferences", func() bool { return a.count(`SELECT count(*) FROM conferences`) == 2 })
	a.invitationsRecorded()
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	first := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	second := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0002'`)
	a.exec(`UPDATE conferences SET starts_at = '2026-10-30 10:30+00' WHERE id = $1`, second)
	action := a.count(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
		VALUES ($1, 'Housing', 'Apply for tenancy support', 'U0SW', '2026-10-20') RETURNING id`, first)
	a.exec(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
		VALUES ($1, 'Health', 'Secret outsider task', 'U0OUT', '2026-11-30')`, first)

	cm, _ := a.openHome("U0CM")
	wantIn(t, "the case manager", cm, "Upcoming conferences", "CC-0001", "case manager, chair, minute taker", "<!date^",
		"Outcomes to record", "CC-0002", "\nrecord\n")
	wantNotIn(t, "the case manager", cm, "Jane Smith", "JS-4411", "Alan Brown", "AB-1234", "Tenancy", "tenancy")

	gp, _ := a.openHome("U0GP")
	wantIn(t, "the GP", gp, "Invitations awaiting you", "CC-0001", "\nagree\n", "Read and accept the agreement")
	wantNotIn(t, "the GP", gp, "Upcoming conferences", "JS-4411", "Jane Smith", "Your open actions")

	sw, _ := a.openHome("U0SW")
	wantIn(t, "the social worker", sw, "Invitations awaiting you", "\nrespond:attending\n", "Upcoming conferences", "you: invitee",
		"Your open actions", "overdue", "\ndone\n", fmt.Sprintf("\na%d\n", action), "Propose new date")
	wantNotIn(t, "the social worker", sw, "JS-4411", "Jane Smith", "Apply for tenancy support", "Outcomes to record")

	out, _ := a.openHome("U0OUT")
	wantIn(t, "the outsider", out, "Nothing needs you")
	wantNotIn(t, "the outsider", out, "CC-0001", "CC-0002", "Secret outsider task")

	// The outcome recorded with a review in three weeks; consent running out.
	a.exec(`INSERT INTO outcomes (conference_id, recorded_by, review_on) VALUES ($1, 'U0CM', '2026-11-23')`, second)
	a.exec(`UPDATE consents SET valid_until = '2026-11-27'`)
	cm, _ = a.openHome("U0CM")
	wantIn(t, "the case manager", cm, "Reviews due", "\nschedule_review\n", "Consent running out")
	wantNotIn(t, "the case manager", cm, "Outcomes to record", "JS-4411", "AB-1234")
	// The social worker can't attend after all: the report is owed.
	a.click("U0SW", "respond:apologies", a.inviteeValue("CC-0001", "U0SW"))
	a.eventually("the answer", func() bool { return a.count(`SELECT count(*) FROM responses`) == 1 })
	sw, _ = a.openHome("U0SW")
	wantIn(t, "the social worker", sw, "Reports you owe", "\nreport\n", "Write report", "can't attend")
	wantNotIn(t, "the social worker", sw, "Invitations awaiting you")
	if n := a.count(`SELECT count(*) FROM audit_log WHERE actor_id = 'U0CM' AND action = 'home.read'`); n != 2 {
		t.Errorf("%d Home reads audited for the case manager, want 2", n)
	}
}

// Whoever may record the outcome (caseconf.CanRecordOutcome: the chair,
// the minute taker and the case manager) finds it on Home once the
// meeting has started, and the minute taker's button opens the form; an
// invitee does not see it.
func TestHomeTabRecordOutcomeForWhoMayRecordIt(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	conf := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	a.exec(`UPDATE conferences SET starts_at = '2026-10-30 10:30+00', chair_id = 'U0CHAIR', minute_taker_id = 'U0MT' WHERE id = $1`, conf)
	for _, u := range []string{"U0MT", "U0CHAIR", "U0CM"} {
		home, _ := a.openHome(u)
		wantIn(t, u, home, "Outcomes to record", "CC-0001", "no outcome recorded yet", "\nrecord\n", "Record outcome")
	}
	sw, _ := a.openHome("U0SW")
	wantNotIn(t, "the social worker", sw, "Outcomes to record", "Record outcome")

	opened := len(a.slack.CallsTo("views.open"))
	a.click("U0MT", "record", fmt.Sprintf("c%d", conf))
	if _, blocks := modalView(t, a.waitCalls("views.open", opened+1)[opened]); element(blocks, "summary") == nil {
		t.Error("the minute taker's Record outcome did not open the outcome form")
	}
}

// 500 open actions: the Home tab keeps to Slack's 100 blocks, the
// overdue first, and says how many more there are and where.
func TestHomeTabOverflow(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	conf := a.count(`SELECT id FROM conferences`)
	a.exec(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
		SELECT $1, 'Housing', 'Task ' || g, 'U0SW', date '2026-10-01' + g FROM generate_series(1, 500) g`, conf)
	text, blocks := a.openHome("U0SW")
	if blocks > 100 {
		t.Fatalf("the Home tab has %d blocks, over Slack's 100", blocks)
	}
	wantIn(t, "the social worker", text, "more: see `/caseconf actions` and `/caseconf list`", "overdue", "Friday 2 October 2026")
	wantNotIn(t, "the social worker", text, "Task ")
	ids := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "home_action_") {
			ids[line] = true
		}
	}
	shown := len(ids)
	var more int
	if i := strings.Index(text, "…and "); i < 0 {
		t.Fatal("no overflow line")
	} else if _, err := fmt.Sscanf(text[i:], "…and %d more", &more); err != nil || shown+more != 501 {
		// 500 actions and the upcoming conference, last, not shown.
		t.Errorf("%d actions shown and %d more, want 501 in all (%v)", shown, more, err)
	}
}

// BenchmarkHomeView builds the case manager's Home tab (store.Home's
// queries and the view) with 500 open items: 100 upcoming conferences
// and 400 open actions on them. Reported as ms per build.
//
//	go test -run '^$' -bench HomeView ./cmd/caseconf/
func BenchmarkHomeView(b *testing.B) {
	a := startApp(b, map[string]string{"LOG_LEVEL": "warn"})
	a.scheduled("V1")
	a.exec(`INSERT INTO conferences (ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id, reasons, purpose,
			starts_at, duration_minutes, place, client_attends, status)
		SELECT 'CC-' || (1000 + g), client_id, consent_id, case_manager_id, chair_id, minute_taker_id, reasons, purpose,
			starts_at + g * interval '1 day', duration_minutes, place, client_attends, 'scheduled'
		FROM conferences, generate_series(1, 99) g WHERE ref = 'CC-0001'`)
	a.exec(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on)
		SELECT c.id, 'Housing', 'Task ' || g, 'U0CM', date '2026-10-20' + g FROM conferences c, generate_series(1, 4) g`)
	if n := a.count(`SELECT count(*) FROM conferences`) + a.count(`SELECT count(*) FROM actions`); n != 500 {
		b.Fatalf("seeded %d items, want 500", n)
	}
	ctx := ctxFor(b)
	bot := a.main.Bot
	if v, err := bot.HomeView(ctx, "U0CM"); err != nil || len(v.Blocks.BlockSet) > 100 {
		b.Fatalf("home view: %d blocks, %v", len(v.Blocks.BlockSet), err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if _, err := bot.HomeView(ctx, "U0CM"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/build")
}

// publishesFor counts the views.publish calls for userID.
func (a *app) publishesFor(userID string) []fakeslack.Call {
	var out []fakeslack.Call
	for _, c := range a.slack.CallsTo("views.publish") {
		if c.Params.Get("user_id") == userID {
			out = append(out, c)
		}
	}
	return out
}

// Two answers in a row from the social worker, whose Home is open:
// their Home is published once more, after the burst, with the last
// answer (the report now owed). The case manager, who never opened
// theirs, gets none.
func TestHomeTabRepublishedOnceAfterABurst(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V1")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	a.openHome("U0GP") // for the later change below
	a.openHome("U0SW")
	id := a.inviteeValue("CC-0001", "U0SW")
	for i, answer := range []string{"attending", "apologies"} {
		a.click("U0SW", "respond:"+answer, id)
		// One after the other, so the last answer is the one that stands.
		a.eventually("the answer", func() bool { return a.count(`SELECT count(*) FROM responses`) == i+1 })
	}
	a.eventually("the Home published again", func() bool { return len(a.publishesFor("U0SW")) == 2 })
	// Nothing more comes. Once the answers are handled and every publish
	// has returned to the bot, another publish of this Home could only be
	// waiting out its debounce already; a change to the GP's open Home
	// made now waits out the same debounce after it, so when the GP's
	// Home is published, any second publish of this burst has been made.
	a.waitAllHandled()
	a.eventually("every publish answered", func() bool {
		return a.metric(`caseconf_slack_api_calls_total{method="views.publish",result="ok"}`) >= float64(len(a.slack.CallsTo("views.publish")))
	})
	a.click("U0GP", "respond:attending", a.inviteeValue("CC-0001", "U0GP"))
	a.eventually("the GP's Home published after their answer", func() bool { return len(a.publishesFor("U0GP")) == 2 })
	pubs := a.publishesFor("U0SW")
	if len(pubs) != 2 {
		t.Fatalf("the Home was published %d times after one burst, want once", len(pubs)-1)
	}
	wantIn(t, "the social worker", callText(pubs[1]), "Reports you owe", "Write report")
	if n := len(a.publishesFor("U0CM")); n != 0 {
		t.Errorf("the case manager's Home, never opened, was published %d times", n)
	}
}

// After consent is narrowed so that the social worker's agency is no
// longer covered, their Home tab shows no client detail.
func TestHomeAfterWithdrawal(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	before, _ := a.openHome("U0SW")
	a.command("U0CM", "consent JS-4411")
	wd := form{}.choice("consent_change", "withdraw").choices("agency_kinds", "health_gp", "housing").text("consent_why", "Not social care")
	if ack := a.viewSubmission("U0CM", "consent", "VZZW", "JS-4411", wd, 0); ack["response_action"] != "clear" {
		t.Fatalf("withdrawal ack = %v", ack)
	}
	a.waitAllHandled() // the withdrawal is recorded
	after, _ := a.openHome("U0SW")
	t.Logf("before:\n%s\nafter reopen:\n%s", before, after)
	wantNotIn(t, "U0SW", after, "JS-4411", "Jane Smith")
}
