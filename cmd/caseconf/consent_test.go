package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

// Consent: the data-protection lead told of a meeting without consent.

func TestSchedulingWithoutConsentDMsTheDPO(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_DPO": "U0DPO, U0CALD"})
	f := scheduleForm().choice("consent_method", "none").choice("no_consent_basis", "risk_to_others").
		text("no_consent_decided_by", "Alex Lead, service manager").text("no_consent_why", "Threats made to staff last week")
	if ack := a.viewSubmission("U0CM", "schedule", "VNOCONSENT", "", f, 0); ack["response_action"] != "clear" {
		t.Fatalf("schedule ack = %v", ack)
	}
	a.waitOutboxDone(30 * time.Second)
	for _, dpo := range []string{"U0DPO", "U0CALD"} {
		var got []string
		for _, c := range a.slack.CallsTo("chat.postMessage") {
			if c.Params.Get("channel") == dpo {
				got = append(got, c.Params.Get("blocks"))
			}
		}
		if len(got) != 1 {
			t.Fatalf("%s got %d DMs, want 1", dpo, len(got))
		}
		for _, want := range []string{"CC-0001", "Risk of serious harm to others", "Alex Lead, service manager", `\u003c@U0CM\u003e`, "without the client's consent"} {
			if !strings.Contains(got[0], want) {
				t.Errorf("%s's DM lacks %q: %s", dpo, want, got[0])
			}
		}
		// The reference, the reason and who: nothing about the client.
		for _, never := range []string{"JS-4411", "Jane Smith", "Threats"} {
			if strings.Contains(got[0], never) {
				t.Errorf("%s's DM names %q: %s", dpo, never, got[0])
			}
		}
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'no_consent_dpo'`); n != 2 {
		t.Errorf("%d DPO notices enqueued, want 2", n)
	}

	// With consent: the DPO hears nothing.
	if ack := a.viewSubmission("U0CM", "schedule", "VCONSENT", "", scheduleForm(), 0); ack["response_action"] != "clear" {
		t.Fatalf("schedule ack = %v", ack)
	}
	a.waitOutboxDone(30 * time.Second)
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'no_consent_dpo'`); n != 2 {
		t.Errorf("%d DPO notices after a conference with consent, want 2", n)
	}
}

// Withdrawing consent for one agency: the pending messages with details
// to it are stopped at once, and the minutes recorded afterwards never
// reach it; a covered agency still gets them.
func TestWithdrawnConsentStopsMinutesToAnUncoveredAgency(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	conf := a.heldConference()
	// Two minutes messages waiting (not yet due): one to the social worker,
	// whose agency is about to lose cover, one to the GP.
	for _, u := range []string{"U0SW", "U0GP"} {
		a.count(`INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, created_at)
			VALUES ('minutes', 'test-minutes:'||$2, $2, $1, 1, '2030-01-01', now()) RETURNING 1`, conf, u)
	}

	// Neither an outsider nor an invitee may change it: the same answer as
	// for a client that is not there.
	for _, u := range []string{"U0OUT", "U0GP"} {
		if r := decodeReply(t, a.command(u, "consent JS-4411").Payload).Text; !strings.Contains(r, "no client with that reference") {
			t.Errorf("%s's consent: %q", u, r)
		}
	}
	opened := len(a.slack.CallsTo("views.open"))
	if r := decodeReply(t, a.command("U0CM", "consent JS-4411").Payload).Text; r != "" {
		t.Logf("consent answered %q", r)
	}
	a.waitCalls("views.open", opened+1)
	if calls := a.slack.CallsTo("views.open"); len(calls) != opened+1 || !strings.Contains(calls[len(calls)-1].Params.Get("view"), "consent_change") {
		t.Fatalf("the consent modal did not open")
	}
	// Withdrawing without a note is sent back to the form.
	wd := form{}.choice("consent_change", "withdraw").choices("agency_kinds", "health_gp", "housing")
	if ack := a.viewSubmission("U0CM", "consent", "VCW0", "JS-4411", wd, 0); ack["response_action"] != "errors" {
		t.Fatalf("a withdrawal without a note: %v", ack)
	}
	if ack := a.viewSubmission("U0CM", "consent", "VCW1", "JS-4411", wd.text("consent_why", "Asked us not to share with social care"), 0); ack["response_action"] != "clear" {
		t.Fatalf("withdrawal ack = %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE dedup_key = 'test-minutes:U0SW' AND state = 'cancelled'`); n != 1 {
		t.Errorf("the social worker's pending minutes were not stopped")
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE dedup_key = 'test-minutes:U0GP' AND state = 'pending'`); n != 1 {
		t.Errorf("the GP's pending minutes were stopped too")
	}
	a.count(`UPDATE outbox SET state = 'cancelled' WHERE dedup_key = 'test-minutes:U0GP' RETURNING 1`)
	if n := a.count(`SELECT count(*) FROM conferences c JOIN consents k ON k.id = c.consent_id
		WHERE c.id = $1 AND k.agency_kinds = '{health_gp,housing}' AND k.explanation LIKE 'Asked%'`, conf); n != 1 {
		t.Errorf("the conference is not under the narrowed consent")
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'consent.withdraw' AND actor_id = 'U0CM'`); n != 2 {
		t.Errorf("%d withdrawal audit entries, want 2 (client, conference)", n)
	}

	// The outcome is recorded after: the minutes go to the GP, never to
	// the social worker.
	ctx := context.Background()
	cm := caseconf.Viewer{UserID: "U0CM"}
	c, err := a.main.DB.ConferenceByID(ctx, int64(conf), cm, "test.read")
	if err != nil {
		t.Fatal(err)
	}
	o := caseconf.Outcome{Attended: []caseconf.Person{{UserID: "U0CM"}, {UserID: "U0SW"}}, Apologies: []caseconf.Person{{UserID: "U0GP"}},
		Summary: "Rent arrears of six weeks", ClientViews: "Wants to stay",
		ShareWith: []caseconf.Person{{UserID: "U0GP"}, {UserID: "U0SW"}}, ReviewOn: time.Date(2027, 1, 29, 0, 0, 0, 0, time.UTC),
		Actions: []caseconf.Action{{Area: "Housing", What: "Call the landlord", OwnerID: "U0CM", DueOn: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Status: caseconf.ActionOpen}}}
	if _, err := a.main.DB.RecordOutcome(ctx, int64(conf), cm, testNow, c.StartsAt, o, "test:consent", a.main.Bot.MinutesParts); err != nil {
		t.Fatal(err)
	}
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(30 * time.Second)
	got := map[string]string{}
	for _, call := range a.slack.CallsTo("chat.postMessage") {
		got[call.Params.Get("channel")] += call.Params.Get("blocks") + call.Params.Get("text")
	}
	if !strings.Contains(got["U0GP"], "Rent arrears") {
		t.Errorf("the GP (covered) did not get the minutes: %s", got["U0GP"])
	}
	if strings.Contains(got["U0SW"], "Rent arrears") {
		t.Errorf("the social worker (no longer covered) got the minutes: %s", got["U0SW"])
	}

	// Renewal: a fresh consent covering social care again applies to the
	// conference.
	rn := form{}.choice("consent_change", "renew").choice("consent_method", "written").date("consent_given", "2026-11-01").
		choices("agency_kinds", "health_gp", "adult_social_care")
	if ack := a.viewSubmission("U0CM", "consent", "VCR1", "JS-4411", rn, 0); ack["response_action"] != "clear" {
		t.Fatalf("renewal ack = %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM conferences c JOIN consents k ON k.id = c.consent_id
		WHERE c.id = $1 AND k.method = 'written' AND k.agency_kinds = '{health_gp,adult_social_care}' AND k.valid_until = '2027-05-01'`, conf); n != 1 {
		t.Errorf("the conference is not under the renewed consent")
	}
}

// uncoveredHousingOfficer calls CC-0001 with consent covering health
// only, inviting a housing officer (U0HO), who accepts the agreement
// naming their housing agency: an invitee the consent does not cover.
func (a *app) uncoveredHousingOfficer() {
	a.t.Helper()
	f := scheduleForm().users("invitees", "U0HO").choices("agency_kinds", "health_gp")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		a.t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 2)
	a.invitationsRecorded()
	a.accept("CC-0001", "U0HO", "Westminster Housing", "housing")
}

// An invitee whose agency the consent does not cover sees neither the
// client's reference nor the case details in `show`.
func TestShowWithholdsClientRefFromUncoveredInvitee(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.uncoveredHousingOfficer()
	r := decodeReply(t, a.command("U0HO", "show CC-0001").Payload)
	all := r.Text + string(mustJSON(t, r.Blocks))
	if !strings.Contains(all, "CC-0001") {
		t.Fatalf("show answered %s", all)
	}
	for _, secret := range []string{"JS-4411", "Jane Smith", "Acacia", "tenancy"} {
		if strings.Contains(all, secret) {
			t.Errorf("uncovered invitee's show contains %q: %s", secret, all)
		}
	}
}

// Accepting the agreement again cannot change a recorded agency: a
// housing officer told "consent does not cover your agency" who submits
// the agreement naming a GP surgery still sees no case details.
func TestReacceptCannotChangeAgencyKind(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.uncoveredHousingOfficer()
	id := a.inviteeValue("CC-0001", "U0HO")
	a.viewSubmission("U0HO", "agreement", "VAGAIN", id, form{}.text("agency", "Surgery").choice("agency_kind", "health_gp"), 0)
	r := decodeReply(t, a.command("U0HO", "show CC-0001").Payload)
	if all := r.Text + string(mustJSON(t, r.Blocks)); strings.Contains(all, "Acacia") || !strings.Contains(all, "does not cover") {
		t.Fatalf("after re-declaring a covered agency the housing officer sees: %s", all)
	}
	if n := a.count(`SELECT count(*) FROM invitees WHERE slack_user_id = 'U0HO' AND agency_kind = 'housing'`); n != 1 {
		t.Fatal("the recorded agency kind changed")
	}
}

// Consent by the other case manager of a shared reference.
func TestConsentSharedReference(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	a.count(`INSERT INTO clients (reference, full_name, case_manager_id) VALUES ('JS-4411', 'Other Person', 'U0CM2') RETURNING id`)
	modals := len(a.slack.CallsTo("views.open"))
	a.command("U0CM2", "consent JS-4411")
	a.waitAllHandled() // whatever the command opens, it has opened
	for _, c := range a.slack.CallsTo("views.open")[modals:] {
		if strings.Contains(callText(c), "Current consent") || strings.Contains(callText(c), "without consent") {
			t.Errorf("U0CM2 saw U0CM's client's consent: %s", callText(c))
		}
	}
}

// Bad consent input and a forged consent submission by someone else.
func TestConsentBadInputAndForgery(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	before := a.count(`SELECT count(*) FROM consents`)
	day := testNow.Format("2006-01-02")
	past := testNow.AddDate(0, 0, -10).Format("2006-01-02")
	untilBefore := form{}.choice("consent_change", "renew").choice("consent_method", "written").
		date("consent_given", day).date("consent_until", past).choices("agency_kinds", "health_gp")
	if ack := a.viewSubmission("U0CM", "consent", "VZZ1", "JS-4411", untilBefore, 0); ack["response_action"] != "errors" {
		t.Errorf("renewal valid until before given: ack %v", ack)
	}
	noKinds := form{}.choice("consent_change", "renew").choice("consent_method", "written").date("consent_given", day)
	if ack := a.viewSubmission("U0CM", "consent", "VZZ2", "JS-4411", noKinds, 0); ack["response_action"] != "errors" {
		t.Errorf("renewal with no agency kinds: ack %v", ack)
	}
	forged := form{}.choice("consent_change", "renew").choice("consent_method", "written").date("consent_given", day).choices("agency_kinds", "health_gp", "housing")
	a.viewSubmission("U0OUT", "consent", "VZZ3", "JS-4411", forged, 0)
	a.viewSubmission("U0SW", "consent", "VZZ4", "js-4411", forged, 0)
	if n := a.count(`SELECT count(*) FROM consents`); n != before {
		t.Errorf("bad or forged consent submissions recorded %d consents", n-before)
	}
}
