package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

func TestScheduleConference(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)

	t.Run("NewOpensTheModal", func(t *testing.T) {
		ack := a.command("U0CM", "new")
		if r := decodeReply(t, ack.Payload); r.Text != "" {
			t.Fatalf("new answered in the channel: %q", r.Text)
		}
		calls := a.waitCalls("views.open", 1)
		view := calls[0].JSON()["view"]
		if calls[0].Params.Get("trigger_id") == "" {
			t.Fatal("views.open without the command's trigger_id")
		}
		var v struct {
			CallbackID string `json:"callback_id"`
			Blocks     []struct {
				BlockID string `json:"block_id"`
			} `json:"blocks"`
		}
		raw, _ := json.Marshal(view)
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, b := range v.Blocks {
			ids[b.BlockID] = true
		}
		for _, want := range []string{"client_ref", "reasons", "purpose", "date", "time", "length", "place", "invitees",
			"chair", "minute_taker", "ext_name_0", "ext_agency_kind_0", "ext_email_0", "ext_phone_0", "ext_rows", "client_attends", "consent_method",
			"consent_given", "consent_until", "consent_checked", "consent_not_checked", "no_consent_basis", "no_consent_decided_by",
			"no_consent_why", "client_absence", "child_care_manager", "told_how", "agency_kinds", "urgent", "urgent_reason"} {
			if !ids[want] {
				t.Errorf("modal has no %s block", want)
			}
		}
		if v.CallbackID != "schedule" {
			t.Errorf("callback_id = %q", v.CallbackID)
		}
	})

	t.Run("ValidSubmissionStoresAndInvites", func(t *testing.T) {
		a.scheduled("V0001")
		if n := a.count(`SELECT count(*) FROM conferences WHERE ref = 'CC-0001' AND case_manager_id = 'U0CM'`); n != 1 {
			t.Fatalf("conference CC-0001 by U0CM stored %d times", n)
		}
		if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'conference.create' AND actor_id = 'U0CM'`); n != 1 {
			t.Errorf("creation audited %d times", n)
		}
		for _, u := range []string{"U0GP", "U0SW"} {
			dms := a.dmTo(u)
			if len(dms) != 1 {
				t.Fatalf("%s got %d invitation DMs", u, len(dms))
			}
			body := callText(dms[0])
			for _, want := range []string{"CC-0001", "<@U0CM>", "<!date^", "Agree the lead agency", "agree"} {
				if !strings.Contains(body, want) {
					t.Errorf("%s's invitation lacks %q", u, want)
				}
			}
			// The client's reference is a case detail too.
			for _, secret := range []string{"JS-4411", "Acacia", "Jane Smith", "Church Street", "Eviction"} {
				if strings.Contains(body, secret) {
					t.Errorf("%s's invitation shows %q before they accepted the agreement", u, secret)
				}
			}
		}
		cm := a.dmTo("U0CM")
		if len(cm) != 1 || !strings.Contains(callText(cm[0]), "CC-0001 is scheduled") ||
			!strings.Contains(callText(cm[0]), "agreement not yet accepted") || !strings.Contains(callText(cm[0]), "Dr Patel") {
			t.Fatalf("case manager's confirmation: %+v", cm)
		}
	})

	t.Run("NothingPostedToTheChannel", func(t *testing.T) {
		for _, c := range a.webCalls() {
			if ch := c.Params.Get("channel"); strings.HasPrefix(ch, "C") {
				t.Errorf("%s to channel %s", c.Method, ch)
			}
			if c.Method == "chat.postEphemeral" {
				t.Errorf("ephemeral post %s", c.Body)
			}
		}
	})

	t.Run("NoClientDetailsInLogs", func(t *testing.T) {
		logs := a.logs.String()
		for _, secret := range []string{"JS-4411", "Jane Smith", "Acacia", "Dr Patel"} {
			if strings.Contains(logs, secret) {
				t.Errorf("logs contain %q", secret)
			}
		}
	})
}

func TestScheduleValidation(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	cases := []struct {
		name      string
		change    func(f form) form
		wantBlock string
	}{
		{"DateInThePast", func(f form) form { return f.date("date", "2026-10-30") }, "date"},
		{"LengthNotPositive", func(f form) form { return f.number("length", "0") }, "length"},
		{"NoInviteesAtAll", func(f form) form {
			return f.without("invitees").text("ext_name_0", "").text("ext_role_0", "").text("ext_agency_0", "").text("ext_phone_0", "")
		}, "invitees"},
		{"ConsentExpiredBeforeMeeting", func(f form) form { return f.date("consent_until", "2026-11-19") }, "consent_until"},
		{"ConsentGivenInFuture", func(f form) form { return f.date("consent_given", "2026-11-03") }, "consent_given"},
		{"PurposeOverBlockKitLimit", func(f form) form { return f.text("purpose", strings.Repeat("x", 3001)) }, "purpose"},
		{"ClientRefOverLimit", func(f form) form { return f.text("client_ref", strings.Repeat("x", 65)) }, "client_ref"},
		{"ExternalInviteeWithoutName", func(f form) form { return f.text("ext_name_0", "") }, "ext_name_0"},
		{"ShortNoticeNotUrgent", func(f form) form { return f.date("date", "2026-11-10") }, "urgent"},
		{"UrgentWithoutReason", func(f form) form {
			return f.date("date", "2026-11-10").choices("urgent", "urgent")
		}, "urgent_reason"},
		{"NoConsentWithoutBasis", func(f form) form { return f.choice("consent_method", "none") }, "no_consent_basis"},
		{"SignedFormNotChecked", func(f form) form { return f.choices("consent_checked") }, "consent_checked"},
		{"AbsentWithoutCircumstance", func(f form) form { return f.choice("client_attends", "no").text("told_how", "Letter") }, "client_absence"},
	}
	sent := 0
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sent++
			ack := a.viewSubmission("U0CM", "schedule", fmt.Sprintf("VBAD%d", i), "", tc.change(scheduleForm()), 0)
			errs, _ := ack["errors"].(map[string]any)
			if ack["response_action"] != "errors" || errs[tc.wantBlock] == nil {
				t.Fatalf("ack = %v, want errors on %s", ack, tc.wantBlock)
			}
		})
	}
	t.Run("NothingStoredOrSent", func(t *testing.T) {
		a.waitHandled("interactive", float64(sent))
		if n := a.count(`SELECT count(*) FROM conferences`); n != 0 {
			t.Errorf("%d conferences stored from invalid forms", n)
		}
		if n := a.count(`SELECT count(*) FROM clients`); n != 0 {
			t.Errorf("%d clients stored from invalid forms", n)
		}
		if calls := a.webCalls(); len(calls) != 0 {
			t.Errorf("invalid forms made Web API calls: %v", calls)
		}
	})
}

func TestNotice(t *testing.T) {
	t.Parallel()
	// 11 November is a holiday: Monday 2 Nov + ten working days is then Tuesday 17th.
	a := startApp(t, map[string]string{"CASECONF_HOLIDAYS": "2026-11-11"})

	ack := a.viewSubmission("U0CM", "schedule", "VN1", "", scheduleForm().date("date", "2026-11-16"), 0)
	errs, _ := ack["errors"].(map[string]any)
	msg, _ := errs["urgent"].(string)
	if !strings.Contains(msg, "9 working days") || !strings.Contains(msg, "Tue 17 Nov 2026") {
		t.Fatalf("Monday 16th with a holiday on the 11th: ack %v, want short notice of 9 days, earliest Tue 17 Nov", ack)
	}
	if ack := a.viewSubmission("U0CM", "schedule", "VN2", "", scheduleForm().date("date", "2026-11-17"), 0); ack["response_action"] != "clear" {
		t.Fatalf("ten working days' notice refused: %v", ack)
	}
	urgent := scheduleForm().date("date", "2026-11-04").choices("urgent", "urgent").text("urgent_reason", "Eviction notice expires Friday")
	if ack := a.viewSubmission("U0CM", "schedule", "VN3", "", urgent, 0); ack["response_action"] != "clear" {
		t.Fatalf("urgent with a reason refused: %v", ack)
	}
	a.waitCalls("chat.postMessage", 6)
	if n := a.count(`SELECT count(*) FROM conferences WHERE urgent AND urgent_reason = 'Eviction notice expires Friday'`); n != 1 {
		t.Fatalf("urgent conference stored %d times with its reason", n)
	}
}

func TestInvitationResponses(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	gp := a.inviteeValue("CC-0001", "U0GP")

	t.Run("ResponseBeforeAgreementRefused", func(t *testing.T) {
		reply := a.replyTo(a.click("U0GP", "respond:attending", gp))
		if !strings.Contains(reply, "accept the information-sharing and confidentiality agreement first") {
			t.Fatalf("reply = %s", reply)
		}
		if n := a.count(`SELECT count(*) FROM responses`); n != 0 {
			t.Fatalf("%d responses stored before the agreement", n)
		}
	})

	t.Run("AgreementAskedForAgencyThenAccepted", func(t *testing.T) {
		a.click("U0GP", "agree", gp)
		open := a.waitCalls("views.open", 1)[0]
		body := callText(open)
		if !strings.Contains(body, "\nagreement\n") || !strings.Contains(body, "\nagency_kind\n") {
			t.Fatalf("agreement modal = %s", body)
		}
		if strings.Contains(body, "Acacia") {
			t.Fatal("agreement modal shows case details before acceptance")
		}
		ack := a.viewSubmission("U0GP", "agreement", "VAGREE", gp, form{}.text("agency", "Church Street Surgery").choice("agency_kind", "health_gp"), 0)
		if ack["response_action"] != "clear" {
			t.Fatalf("agreement ack = %v", ack)
		}
		var mine string
		a.eventually("the GP's invitation DM to be updated", func() bool {
			for _, u := range a.slack.CallsTo("chat.update") {
				if u.Params.Get("channel") == fakeslack.DMChannelID("U0GP") {
					mine = callText(u)
				}
			}
			return mine != ""
		})
		for _, want := range []string{"Acacia", "Church Street Surgery", "respond:attending", "respond:colleague", "respond:apologies", "not given yet"} {
			if !strings.Contains(mine, want) {
				t.Errorf("updated invitation lacks %q", want)
			}
		}
		if n := a.count(`SELECT count(*) FROM agreement_acknowledgements WHERE slack_user_id = 'U0GP'`); n != 1 {
			t.Fatalf("acceptance stored %d times", n)
		}
	})

	t.Run("EachAnswerStoredAndShownToCaseManager", func(t *testing.T) {
		if a.count(`SELECT count(*) FROM agreement_acknowledgements WHERE slack_user_id = 'U0GP'`) == 0 {
			a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp") // when run alone
		}
		for i, step := range []struct{ action, want string }{
			{"respond:attending", "attending ("},
			{"respond:apologies", "can't attend"},
		} {
			before := len(a.slack.CallsTo("chat.update"))
			a.click("U0GP", step.action, gp)
			// Both messages are re-rendered from what is stored; a
			// re-render still finishing from the step before may come
			// first, so wait for the new answer rather than a count.
			var sawCM, sawGP bool
			a.eventually(fmt.Sprintf("answer %d (%s) shown to the case manager and the invitee", i, step.action), func() bool {
				for _, u := range a.slack.CallsTo("chat.update")[before:] {
					body := callText(u)
					sawCM = sawCM || strings.Contains(body, "CC-0001 is scheduled") && strings.Contains(body, "<@U0GP> — "+step.want)
					sawGP = sawGP || strings.Contains(body, "Your answer:* "+step.want)
				}
				return sawCM && sawGP
			})
		}
		a.click("U0GP", "respond:colleague", gp)
		open := a.waitCalls("views.open", 2)[1]
		if !strings.Contains(callText(open), "\ncolleague\n") {
			t.Fatalf("colleague modal = %s", open.Body)
		}
		if ack := a.viewSubmission("U0GP", "colleague", "VCOL", gp, form{}.text("colleague", ""), 0); ack["response_action"] != "errors" {
			t.Fatalf("colleague without a name: %v", ack)
		}
		if ack := a.viewSubmission("U0GP", "colleague", "VCOL2", gp, form{}.text("colleague", "Sam Jones, practice nurse"), 0); ack["response_action"] != "clear" {
			t.Fatalf("colleague ack = %v", ack)
		}
		if n := a.count(`SELECT count(*) FROM responses r JOIN invitees i ON i.id = r.invitee_id WHERE i.slack_user_id = 'U0GP'`); n != 3 {
			t.Fatalf("responses stored = %d, want all 3 with their times", n)
		}
		if n := a.count(`SELECT count(*) FROM responses WHERE answer = 'colleague' AND colleague = 'Sam Jones, practice nurse'`); n != 1 {
			t.Fatal("colleague's name not stored")
		}
	})

	t.Run("AgencyRememberedNextTime", func(t *testing.T) {
		a.scheduled("V0002")
		if n := a.count(`SELECT count(*) FROM invitees i JOIN conferences c ON c.id = i.conference_id
			WHERE c.ref = 'CC-0002' AND i.slack_user_id = 'U0GP' AND i.agency_kind = 'health_gp'`); n != 1 {
			t.Fatal("the GP's agency was not remembered for their next invitation")
		}
	})
}

func TestConsentCoverage(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	// Consent covers health and social care only; the housing officer accepts but is not covered.
	f := scheduleForm().users("invitees", "U0HO").choices("agency_kinds", "health_gp", "adult_social_care")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 2)
	a.invitationsRecorded()
	a.accept("CC-0001", "U0HO", "Westminster Housing", "housing")
	updates := a.slack.CallsTo("chat.update")
	for _, u := range updates {
		body := callText(u)
		if strings.Contains(body, "Acacia") {
			t.Errorf("an uncovered invitee's DM or summary shows case details: %s", body)
		}
		if strings.Contains(body, "is scheduled") && !strings.Contains(body, "not covered by the client's consent") {
			t.Errorf("case manager not told why: %s", body)
		}
		if strings.Contains(body, "Your answer") && !strings.Contains(body, "does not cover your agency") {
			t.Errorf("invitee not told details are withheld: %s", body)
		}
	}
	r := decodeReply(t, a.command("U0HO", "show CC-0001").Payload)
	if strings.Contains(r.Text+fmt.Sprint(r.Blocks), "Acacia") {
		t.Errorf("show gave an uncovered invitee the purpose")
	}

	// Cancelled: the reason (free text, maybe case details) is not for them either.
	a.command("U0CM", "cancel CC-0001")
	meta := a.waitCalls("views.open", 2)[1].JSON()["view"].(map[string]any)["private_metadata"].(string)
	a.viewSubmission("U0CM", "cancel", "VX", meta, form{}.text("cancel_reason", "Moved to Acacia House rehab"), 0)
	a.eventually("the cancellation", func() bool { return a.count(`SELECT count(*) FROM conferences WHERE status = 'cancelled'`) == 1 })
	r = decodeReply(t, a.command("U0HO", "show CC-0001").Payload)
	if all := r.Text + string(mustJSON(t, r.Blocks)); strings.Contains(all, "Acacia") || !strings.Contains(all, "Cancelled") {
		t.Errorf("uncovered invitee's show of the cancelled conference: %s", all)
	}
}

func TestAccess(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.scheduled("V0001")
	gp := a.inviteeValue("CC-0001", "U0GP")

	show := func(user, ref string) reply { return decodeReply(t, a.command(user, "show "+ref).Payload) }

	t.Run("OutsiderSeesSameAsMissing", func(t *testing.T) {
		hidden, missing := show("U0OUT", "CC-0001"), show("U0OUT", "CC-9999")
		if hidden.Text != missing.Text || fmt.Sprint(hidden.Blocks) != fmt.Sprint(missing.Blocks) {
			t.Fatalf("CC-0001 reads %q, CC-9999 reads %q", hidden.Text, missing.Text)
		}
		if strings.Contains(hidden.Text, "JS-4411") {
			t.Fatal("outsider saw the client reference")
		}
	})
	t.Run("InviteeBeforeAgreementSeesSameAsMissing", func(t *testing.T) {
		if got, missing := show("U0GP", "CC-0001"), show("U0GP", "CC-9999"); got.Text != missing.Text {
			t.Fatalf("invitee before agreement: %q", got.Text)
		}
	})
	t.Run("MissingOrExtraReferenceGetsUsage", func(t *testing.T) {
		for _, text := range []string{"show", "show CC-0001 CC-0002", "cancel"} {
			if r := decodeReply(t, a.command("U0CM", text).Payload); !strings.Contains(r.Text, "Usage: `/caseconf") {
				t.Errorf("%q answered %q, want usage", text, r.Text)
			}
		}
	})
	t.Run("CaseManagerAndAdminSeeIt", func(t *testing.T) {
		for _, u := range []string{"U0CM", "U0ADMIN"} {
			r := show(u, "CC-0001")
			all := r.Text + string(mustJSON(t, r.Blocks))
			if !strings.Contains(all, "Acacia") || !strings.Contains(all, "Jane Smith") || !strings.Contains(all, "Dr Patel") {
				t.Errorf("%s's show lacks details: %s", u, all)
			}
		}
	})
	t.Run("OutsiderCannotCancel", func(t *testing.T) {
		hidden := decodeReply(t, a.command("U0OUT", "cancel CC-0001").Payload)
		missing := decodeReply(t, a.command("U0OUT", "cancel CC-9999").Payload)
		if hidden.Text != missing.Text {
			t.Fatalf("cancel CC-0001 reads %q, CC-9999 reads %q", hidden.Text, missing.Text)
		}
	})
	t.Run("OutsiderClickingInviteesButtonChangesNothing", func(t *testing.T) {
		updatesBefore := len(a.slack.CallsTo("chat.update"))
		a.replyTo(a.click("U0OUT", "agree", gp))
		a.replyTo(a.click("U0OUT", "respond:attending", gp))
		a.replyTo(a.click("U0OUT", "respond:colleague", gp))
		if n := a.count(`SELECT count(*) FROM agreement_acknowledgements`) + a.count(`SELECT count(*) FROM responses`); n != 0 {
			t.Fatalf("an outsider's clicks stored %d rows", n)
		}
		if n := len(a.slack.CallsTo("views.open")); n != 0 {
			t.Fatalf("an outsider's click opened %d modals", n)
		}
		if n := len(a.slack.CallsTo("chat.update")); n != updatesBefore {
			t.Fatal("an outsider's click updated a message")
		}
		// A forged agreement submission for someone else's invitation.
		ack := a.viewSubmission("U0OUT", "agreement", "VFORGE", gp, form{}.text("agency", "x").choice("agency_kind", "health_gp"), 0)
		if ack["response_action"] != "update" || !strings.Contains(fmt.Sprint(ack["view"]), "There is no conference with that reference") ||
			a.count(`SELECT count(*) FROM agreement_acknowledgements`) != 0 {
			t.Fatalf("forged agreement: %v", ack)
		}
	})
	t.Run("ReadsAreAudited", func(t *testing.T) {
		const admin = `SELECT count(*) FROM audit_log WHERE action = 'conference.show' AND actor_id = 'U0ADMIN'`
		before := a.count(admin)
		show("U0ADMIN", "CC-0001")
		if n := a.count(admin); n != before+1 {
			t.Errorf("admin's show audited %d times, want once", n-before)
		}
		show("U0OUT", "CC-0001")
		if n := a.count(`SELECT count(*) FROM audit_log WHERE actor_id = 'U0OUT'`); n != 0 {
			t.Errorf("an outsider's refused reads wrote %d audit rows naming a conference", n)
		}
	})
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConcurrentSchedulesGetDistinctRefs(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	var wg sync.WaitGroup
	acks := make([]map[string]any, 2)
	// Two case managers, each for their own client.
	for i, user := range []string{"U0CM", "U0CM2"} {
		wg.Go(func() {
			acks[i] = a.viewSubmission(user, "schedule", "VC"+user, "", scheduleForm().text("client_ref", "JS-4411-"+user), 0)
		})
	}
	wg.Wait()
	for _, ack := range acks {
		if ack["response_action"] != "clear" {
			t.Fatalf("ack = %v", ack)
		}
	}
	if n := a.count(`SELECT count(DISTINCT ref) FROM conferences`); n != 2 {
		t.Fatalf("two conferences got %d distinct references", n)
	}
	if n := a.count(`SELECT count(*) FROM conferences WHERE ref IN ('CC-0001', 'CC-0002')`); n != 2 {
		t.Fatal("references are not CC-0001 and CC-0002")
	}
}

// TestFormSubmittedTwiceCreatesOnce: a case manager who presses Schedule
// twice (or whose first press Slack timed out) submits the same view
// twice. One conference is stored and one set of DMs goes out.
func TestFormSubmittedTwiceCreatesOnce(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	if ack := a.viewSubmission("U0CM", "schedule", "V0001", "", scheduleForm(), 0); ack["response_action"] != "clear" {
		t.Fatalf("second submission answered %v, want the form closed", ack)
	}
	// The second submission writes nothing new to the outbox: once its
	// handler is done and the outbox is empty, nothing more is coming.
	a.waitHandled("interactive", 2)
	a.waitOutboxDone(10 * time.Second)
	if n := a.count(`SELECT count(*) FROM conferences`); n != 1 {
		t.Fatalf("%d conferences after a form submitted twice", n)
	}
	if n := len(a.slack.CallsTo("chat.postMessage")); n != 3 {
		t.Fatalf("%d DMs after a form submitted twice, want one set of 3", n)
	}

	t.Run("SameViewFromAnotherUserChangesNothing", func(t *testing.T) {
		ack := a.viewSubmission("U0OUT", "schedule", "V0001", "", scheduleForm().text("client_ref", "ZZ-1"), 0)
		if ack["response_action"] != "update" || strings.Contains(fmt.Sprint(ack), "JS-4411") {
			t.Fatalf("forged resubmission answered %v, want a message and nothing about the conference", ack)
		}
		a.waitHandled("interactive", 3)
		if n := a.count(`SELECT count(*) FROM conferences`); n != 1 {
			t.Fatalf("%d conferences after a forged resubmission", n)
		}
		if calls := a.dmTo("U0OUT"); len(calls) != 0 {
			t.Fatalf("the forger was sent %d DMs", len(calls))
		}
	})
}

func TestList(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.viewSubmission("U0CM", "schedule", "V1", "", scheduleForm().date("date", "2026-11-27"), 0)
	a.viewSubmission("U0OTHER", "schedule", "V2", "", scheduleForm().text("client_ref", "KB-2200").date("date", "2026-11-20").user("chair", "U0CM"), 0)
	a.waitCalls("chat.postMessage", 6)
	r := decodeReply(t, a.command("U0CM", "list").Payload)
	i1, i2 := strings.Index(r.Text, "CC-0002"), strings.Index(r.Text, "CC-0001")
	if i1 < 0 || i2 < 0 || i1 > i2 {
		t.Fatalf("list = %q, want CC-0002 (20th) before CC-0001 (27th)", r.Text)
	}
	if !strings.Contains(r.Text, "you: case manager, chair, minute taker") || !strings.Contains(r.Text, "you: chair") {
		t.Errorf("roles missing: %q", r.Text)
	}
	if strings.Contains(r.Text, "JS-4411") || strings.Contains(r.Text, "KB-2200") {
		t.Errorf("list shows client references: %q", r.Text)
	}
	if r := decodeReply(t, a.command("U0NOBODY", "list").Payload); !strings.Contains(r.Text, "no upcoming") {
		t.Errorf("empty list = %q", r.Text)
	}
}

func TestGPLetter(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	a.slack.AddUser(slackUser("U0CM", "Alex Keyworker"))
	ext := a.count(`SELECT id FROM invitees WHERE name = 'Dr Patel'`)
	r := decodeReply(t, a.command("U0CM", "show CC-0001").Payload)
	if !strings.Contains(string(mustJSON(t, r.Blocks)), fmt.Sprintf(`"action_id":"letter:%d"`, ext)) {
		t.Fatalf("show offers no letter button: %s", mustJSON(t, r.Blocks))
	}
	conf := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	letter := a.replyTo(a.click("U0CM", fmt.Sprintf("letter:%d", ext), fmt.Sprintf("c%d.i%d", conf, ext)))
	for _, want := range []string{"Dear Dr Patel", "JS-4411", "Friday 20 November 2026 at 10:30", "Church Street Surgery", "Alex Keyworker", "written report"} {
		if !strings.Contains(letter, want) {
			t.Errorf("letter lacks %q:\n%s", want, letter)
		}
	}
	if got := a.replyTo(a.click("U0GP", fmt.Sprintf("letter:%d", ext), fmt.Sprintf("c%d.i%d", conf, ext))); strings.Contains(got, "Dear") {
		t.Fatalf("someone else drafted the case manager's letter: %s", got)
	}
}

// sectionTexts returns the text of every section block in a message call.
func sectionTexts(t *testing.T, c fakeslack.Call) []string {
	t.Helper()
	var blocks []struct {
		Type string `json:"type"`
		Text struct {
			Text string `json:"text"`
		} `json:"text"`
	}
	if err := json.Unmarshal([]byte(c.Params.Get("blocks")), &blocks); err != nil {
		t.Fatalf("blocks of %s: %v", c.Method, err)
	}
	var out []string
	for _, b := range blocks {
		if b.Type == "section" {
			out = append(out, b.Text.Text)
		}
	}
	return out
}

func TestLongTextStaysWithinBlockKitLimits(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	purpose := strings.Repeat("Rent & <arrears> ", 176) // 2,992 characters; far longer escaped
	f := scheduleForm().text("purpose", purpose).choice("client_attends", "no").
		choice("client_absence", "child_welfare").text("child_care_manager", strings.Repeat("M & <Jones> ", 16)).text("told_how", strings.Repeat("Key worker visit & letter. ", 18))
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 3)
	a.invitationsRecorded()
	a.accept("CC-0001", "U0GP", "Surgery", "health_gp")
	var shown strings.Builder
	for _, u := range a.slack.CallsTo("chat.update") {
		for _, text := range sectionTexts(t, u) {
			if n := len([]rune(text)); n > 3000 {
				t.Errorf("%s has a section of %d characters; Slack refuses more than 3000", u.Method, n)
			}
			shown.WriteString(text)
		}
	}
	// The invitation is short by design: the beginning of the purpose,
	// and show for the rest, which has it all.
	if got := strings.Count(shown.String(), "Rent &amp; &lt;arrears&gt;"); got == 0 || got >= 176 || !strings.Contains(shown.String(), "/caseconf show CC-0001` has the rest") {
		t.Errorf("the invitation shows %d of 176 repeats of the purpose, without saying where the rest is", got)
	}
	shows := a.pages("U0CM", a.commandPage("U0CM", "show CC-0001"), "showpage:next")
	var inShow strings.Builder
	for _, p := range shows {
		var r struct {
			Blocks []struct {
				Text struct {
					Text string `json:"text"`
				} `json:"text"`
			} `json:"blocks"`
		}
		if err := json.Unmarshal([]byte(p), &r); err != nil {
			t.Fatal(err)
		}
		for _, b := range r.Blocks {
			if n := len([]rune(b.Text.Text)); n > 3000 {
				t.Errorf("show has a section of %d characters", n)
			}
			inShow.WriteString(b.Text.Text)
		}
	}
	if got := strings.Count(inShow.String(), "Rent &amp; &lt;arrears&gt;"); got != 176 {
		t.Errorf("show has %d of 176 repeats of the purpose", got)
	}
}

func TestLetterRespectsConsent(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	f := scheduleForm().choice("ext_agency_kind_0", "probation_police")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 3)
	ext := a.count(`SELECT id FROM invitees WHERE name = 'Dr Patel'`)
	conf := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	reply := a.replyTo(a.click("U0CM", fmt.Sprintf("letter:%d", ext), fmt.Sprintf("c%d.i%d", conf, ext)))
	if strings.Contains(reply, "Dear") || !strings.Contains(reply, "does not cover Probation / police") {
		t.Fatalf("letter to an agency consent does not cover: %s", reply)
	}
}

func TestHTTPModeScheduling(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"SLACK_APP_TOKEN": ""}) // HTTP mode only
	post := func(values form, viewID string) map[string]any {
		raw, err := json.Marshal(viewSubmissionPayload("U0CM", "schedule", viewID, "", values))
		if err != nil {
			t.Fatal(err)
		}
		code, body := a.postSigned("/slack/interactions", "payload="+url.QueryEscape(string(raw)), testSigningSecret, time.Now(), nil)
		if code != http.StatusOK {
			t.Fatalf("POST /slack/interactions = %d %q", code, body)
		}
		return decodeMap(t, []byte(body))
	}
	bad := post(scheduleForm().number("length", "-5"), "VH1")
	if errs, _ := bad["errors"].(map[string]any); bad["response_action"] != "errors" || errs["length"] == nil {
		t.Fatalf("invalid form over HTTP: %v", bad)
	}
	if ok := post(scheduleForm(), "VH2"); ok["response_action"] != "clear" {
		t.Fatalf("valid form over HTTP: %v", ok)
	}
	a.waitCalls("chat.postMessage", 3)
	if n := a.count(`SELECT count(*) FROM conferences`); n != 1 {
		t.Fatalf("%d conferences", n)
	}
}

func TestRateLimitedInvitationIsRetried(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.slack.FailNext("chat.postMessage", fakeslack.Failure{Status: http.StatusTooManyRequests, RetryAfter: 1, Channel: "U0GP"})
	a.scheduled("V1")
	gp := a.dmTo("U0GP")
	if len(gp) != 2 || !gp[0].Failed || gp[1].Failed {
		t.Fatalf("GP's invitation attempts = %d (first failed %v); want a 429 then a success", len(gp), len(gp) > 0 && gp[0].Failed)
	}
	if gap := gp[1].At.Sub(gp[0].At); gap < time.Second {
		t.Errorf("retried after %v, before Slack's Retry-After of 1s", gap)
	}
	if n := a.metric(`caseconf_slack_api_calls_total{method="chat.postMessage",result="http_429"}`); n != 1 {
		t.Errorf("429s counted = %v", n)
	}
	if summary := callText(a.dmTo("U0CM")[0]); strings.Contains(summary, "would not deliver") {
		t.Errorf("case manager told of a failure that was retried: %s", summary)
	}
}
