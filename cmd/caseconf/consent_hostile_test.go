package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Consent tried as a hostile user and as a newcomer would: what the forms
// take at their limits and with invisible characters, what a renewal may
// be, and a withdrawal the client asks for after a meeting held without
// their consent.

// A renewal with /caseconf consent applies to every conference of the
// client, so only a signed consent form renews: verbal consent is for one
// meeting (SPEC §1 item 2) and is recorded on that meeting's form. The
// form offers no verbal renewal, and a forged one is sent back.
func TestConsentRenewalIsASignedFormOnly(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	opened := len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "consent JS-4411")
	view := a.waitCalls("views.open", opened+1)[opened].Params.Get("view")
	if !strings.Contains(view, `"value":"written"`) || strings.Contains(view, `"value":"verbal"`) {
		t.Errorf("the consent form offers a verbal renewal (or no signed form): %s", view)
	}
	before := a.count(`SELECT count(*) FROM consents`)
	verbal := form{}.choice("consent_change", "renew").choice("consent_method", "verbal").date("consent_given", "2026-11-01").
		choices("agency_kinds", "health_gp")
	errs := fieldErrors(a.viewSubmission("U0CM", "consent", "VVERBAL", "JS-4411", verbal, 0))
	if msg, _ := errs["consent_method"].(string); !strings.Contains(msg, "one meeting") {
		t.Errorf("a verbal renewal was not sent back on its method: %v", errs)
	}
	if n := a.count(`SELECT count(*) FROM consents`); n != before {
		t.Fatalf("a verbal renewal recorded %d consents", n-before)
	}
	written := form{}.choice("consent_change", "renew").choice("consent_method", "written").date("consent_given", "2026-11-01").
		choices("agency_kinds", "health_gp")
	if ack := a.viewSubmission("U0CM", "consent", "VWRITTEN", "JS-4411", written, 0); ack["response_action"] != "clear" {
		t.Fatalf("a signed form's renewal: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM conferences c JOIN consents k ON k.id = c.consent_id WHERE k.method = 'written' AND k.valid_until = '2027-05-01'`); n != 1 {
		t.Errorf("the conference is not under the renewed signed form")
	}
}

// The client signed a consent form for CC-0001; CC-0002 was then called
// without consent (risk of serious harm to others). The client now asks
// that housing be told nothing more: the withdrawal must reach the
// signed form CC-0001 still shares under, and CC-0002 keeps its basis.
func TestWithdrawalReachesConsentBehindAMeetingWithoutIt(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_DPO": "U0DPO"})
	if ack := a.viewSubmission("U0CM", "schedule", "VWITH", "", scheduleForm(), 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	none := scheduleForm().date("date", "2026-11-27").choice("consent_method", "none").choice("no_consent_basis", "risk_to_others").
		text("no_consent_decided_by", "Alex Lead, service manager").text("no_consent_why", "Threats made to staff last week")
	if ack := a.viewSubmission("U0CM", "schedule", "VWITHOUT", "", none, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.eventually("both conferences", func() bool { return a.count(`SELECT count(*) FROM conferences`) == 2 })

	opened := len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "consent JS-4411")
	view := a.waitCalls("views.open", opened+1)[opened].Params.Get("view")
	if !strings.Contains(view, "Current consent: signed consent form") {
		t.Errorf("the consent form does not show the signed form CC-0001 shares under: %s", view)
	}
	wd := form{}.choice("consent_change", "withdraw").choices("agency_kinds", "health_gp", "adult_social_care").
		text("consent_why", "Asked us to stop telling housing")
	if ack := a.viewSubmission("U0CM", "consent", "VWD", "JS-4411", wd, 0); ack["response_action"] != "clear" {
		t.Fatalf("the withdrawal was refused: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM conferences c JOIN consents k ON k.id = c.consent_id
		WHERE c.ref = 'CC-0001' AND k.method = 'written' AND k.agency_kinds = '{health_gp,adult_social_care}'`); n != 1 {
		t.Error("CC-0001 still shares under the signed form covering housing")
	}
	if n := a.count(`SELECT count(*) FROM conferences c JOIN consents k ON k.id = c.consent_id
		WHERE c.ref = 'CC-0002' AND k.method = 'none' AND k.no_consent_reason = 'risk_to_others'`); n != 1 {
		t.Error("CC-0002 lost its basis for sharing without consent")
	}
}

// Who decided and why, the reason a signed form could not be checked,
// and a withdrawal's note: text that looks blank (zero-width characters,
// a direction mark) or hides what follows it is sent back on its field;
// text at the limit is taken, one character over is not.
func TestConsentFormsRefuseInvisibleText(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_DPO": "U0DPO"})
	without := func() form {
		return scheduleForm().choice("consent_method", "none").choice("no_consent_basis", "risk_to_client").
			text("no_consent_decided_by", "Alex Lead, service manager").text("no_consent_why", "Fled a violent partner")
	}
	for i, tc := range []struct {
		name  string
		f     form
		field string
	}{
		{"decided by, zero-width only", without().text("no_consent_decided_by", "\u200b\u200b"), "no_consent_decided_by"},
		{"decided by, direction override", without().text("no_consent_decided_by", "Alex\u202e reganam"), "no_consent_decided_by"},
		{"decided by, over the limit", without().text("no_consent_decided_by", strings.Repeat("a", 201)), "no_consent_decided_by"},
		{"why, word joiner only", without().text("no_consent_why", "\u2060 \u2060"), "no_consent_why"},
		{"why, over the limit", without().text("no_consent_why", strings.Repeat("w", 501)), "no_consent_why"},
		{"no basis", without().without("no_consent_basis"), "no_consent_basis"},
		{"forged basis", without().choice("no_consent_basis", "prison_or_hospital_agreed"), "no_consent_basis"},
		{"no agencies", without().without("agency_kinds"), "agency_kinds"},
		{"signed form, not ticked, invisible why", scheduleForm().without("consent_checked").text("consent_not_checked", "\u200b"), "consent_checked"},
		{"signed form, not ticked, no why", scheduleForm().without("consent_checked"), "consent_checked"},
		{"signed form, why over the limit", scheduleForm().without("consent_checked").text("consent_not_checked", strings.Repeat("n", 501)), "consent_not_checked"},
		{"forged method", scheduleForm().choice("consent_method", "implied"), "consent_method"},
	} {
		errs := fieldErrors(a.viewSubmission("U0CM", "schedule", fmt.Sprintf("VBAD%d", i), "", tc.f, 0))
		if errs[tc.field] == nil {
			t.Errorf("%s: not sent back on %s: %v", tc.name, tc.field, errs)
		}
	}
	if n := a.count(`SELECT count(*) FROM conferences`); n != 0 {
		t.Fatalf("%d conferences called from bad forms", n)
	}
	// At the limits, with spaces around: taken, trimmed.
	atLimit := without().text("no_consent_decided_by", " "+strings.Repeat("a", 200)+" ").text("no_consent_why", strings.Repeat("w", 500))
	if ack := a.viewSubmission("U0CM", "schedule", "VLIMIT", "", atLimit, 0); ack["response_action"] != "clear" {
		t.Fatalf("at the limits: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM consents WHERE decided_by = $1 AND length(explanation) = 500`, strings.Repeat("a", 200)); n != 1 {
		t.Error("the decision at the limits was not recorded as typed")
	}
	// The DPO is told of it, with nothing about the client.
	a.waitOutboxDone(20 * time.Second)
	dms := a.dmTo("U0DPO")
	if len(dms) != 1 {
		t.Fatalf("the DPO got %d DMs, want 1", len(dms))
	}
	for _, never := range []string{"JS-4411", "Jane Smith", "Acacia", "Fled", "violent partner", "Church Street", "tenancy"} {
		if strings.Contains(callText(dms[0]), never) {
			t.Errorf("the DPO's notice says %q: %s", never, callText(dms[0]))
		}
	}

	// A withdrawal's note.
	with := scheduleForm().text("client_ref", "KB-2000").date("date", "2026-11-27")
	if ack := a.viewSubmission("U0CM", "schedule", "VWITH", "", with, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	before := a.count(`SELECT count(*) FROM consents`)
	for i, note := range []string{"", "\u200b", "\ufeff\u200d", "Ask\u202eed us", strings.Repeat("x", 501)} {
		wd := form{}.choice("consent_change", "withdraw").choices("agency_kinds", "health_gp").text("consent_why", note)
		if errs := fieldErrors(a.viewSubmission("U0CM", "consent", fmt.Sprintf("VWDBAD%d", i), "KB-2000", wd, 0)); errs["consent_why"] == nil {
			t.Errorf("withdrawal note %q: not sent back: %v", note, errs)
		}
	}
	if n := a.count(`SELECT count(*) FROM consents`); n != before {
		t.Errorf("bad withdrawal notes recorded %d consents", n-before)
	}
}

// The review form is filled in from the conference, but not with what was
// decided for that meeting alone: the policy's circumstance for meeting
// without the client (permission they gave for it, the child-care
// manager's decision) is asked again, as this meeting's consent check is;
// the edit form keeps them.
func TestReviewFormAsksTheClientsAbsenceAgain(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	f := scheduleForm().choice("client_attends", "no").choice("client_absence", "child_welfare").
		text("child_care_manager", "Pat Jones, child-care manager").text("told_how", "Letter via the key worker")
	if ack := a.viewSubmission("U0CM", "schedule", "VCW", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	conf := a.count(`SELECT id FROM conferences`)
	a.exec(`UPDATE conferences SET status = 'recorded', starts_at = '2026-10-30 10:30+00' WHERE id = $1`, conf)
	a.exec(`INSERT INTO outcomes (conference_id, recorded_by, review_on) VALUES ($1, 'U0CM', '2027-02-19')`, conf)
	opened := len(a.slack.CallsTo("views.open"))
	a.click("U0CM", "schedule_review", fmt.Sprintf("c%d", conf))
	review := reviewForm(t, a.waitCalls("views.open", opened+1)[opened])
	if review["client_absence"] != "" || review["child_care_manager"] != "" || review["consent_checked"] != "" {
		t.Errorf("the review form carries decisions made for the last meeting: absence %q, decided by %q, checked %q",
			review["client_absence"], review["child_care_manager"], review["consent_checked"])
	}
	if review["client_ref"] != "JS-4411" {
		t.Errorf("the review form is not filled in from the conference: %v", review)
	}
	// The edit form keeps them: it is the same meeting.
	a.exec(`UPDATE conferences SET status = 'scheduled', starts_at = '2026-11-20 10:30+00' WHERE id = $1`, conf)
	a.exec(`DELETE FROM outcomes WHERE conference_id = $1`, conf)
	opened = len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "edit CC-0001")
	edit := reviewForm(t, a.waitCalls("views.open", opened+1)[opened])
	if edit["client_absence"] != "child_welfare" || edit["child_care_manager"] != "Pat Jones, child-care manager" {
		t.Errorf("the edit form lost the meeting's circumstance: absence %q, decided by %q", edit["client_absence"], edit["child_care_manager"])
	}
}
