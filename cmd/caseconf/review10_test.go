package main

import (
	"strings"
	"testing"
	"time"
)

// Hostile probes of governance, erasure and the Home tab: each found a
// defect (now fixed) or confirmed a refusal, and stays as a regression test.

func zzErase(t *testing.T, a *app) {
	t.Helper()
	a.command("U0ADMIN", "erase JS-4411")
	if ack := a.viewSubmission("U0ADMIN", "govern_erase", "VERASE", "JS-4411", form{}.text("erase_confirm", "JS-4411"), 0); ack["response_action"] != "clear" {
		t.Fatalf("erase ack = %v", ack)
	}
	deadline := time.Now().Add(20 * time.Second)
	for a.count(`SELECT count(*) FROM clients WHERE erased_at IS NOT NULL`) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	a.waitOutboxDone(20 * time.Second)
}

// After erasure, audit_log detail text no longer lists the erased
// client's conference references (home.read / conference.list rows).
func TestEraseClearsConferenceRefsInAuditDetail(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.recordedWith30Actions()
	a.openHome("U0CM")
	a.command("U0CM", "list")
	zzErase(t, a)
	if n := a.count(`SELECT count(*) FROM audit_log WHERE detail LIKE '%CC-0001%'`); n != 0 {
		t.Errorf("%d audit rows still name the erased client's conference CC-0001 in their detail", n)
	}
}

// After erasure, the case manager's Home tab is republished without the
// erased conference.
func TestEraseRepublishesHomeTabs(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	home, _ := a.openHome("U0CM")
	if !strings.Contains(home, "CC-0001") {
		t.Skipf("home does not show CC-0001 to start with: %s", home)
	}
	zzErase(t, a)
	time.Sleep(2 * time.Second)
	pubs := a.publishesFor("U0CM")
	if last := callText(pubs[len(pubs)-1]); strings.Contains(last, "CC-0001") {
		t.Errorf("after erasure the case manager's Home tab still shows CC-0001 (%d publishes)", len(pubs))
	}
	if home, _ := a.openHome("U0CM"); strings.Contains(home, "CC-0001") || strings.Contains(home, "JS-4411") {
		t.Errorf("reopened Home shows the erased client: %s", home)
	}
}

// A non-admin forging the govaudit button writes nothing and replies nothing.
func TestForgedAuditPageByNonAdmin(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	a.click("U0CM", "govaudit:newer", "CC-0001:0")
	a.click("U0OUT", "govaudit:older", "CC-0001:-5")
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'conference.audit.show'`); n != 0 {
		t.Errorf("forged audit page wrote %d audit reads", n)
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
	time.Sleep(500 * time.Millisecond)
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
	forged := form{}.choice("consent_change", "renew").choice("consent_method", "verbal").date("consent_given", day).choices("agency_kinds", "health_gp", "housing")
	a.viewSubmission("U0OUT", "consent", "VZZ3", "JS-4411", forged, 0)
	a.viewSubmission("U0SW", "consent", "VZZ4", "js-4411", forged, 0)
	if n := a.count(`SELECT count(*) FROM consents`); n != before {
		t.Errorf("bad or forged consent submissions recorded %d consents", n-before)
	}
}

// Gaps with bad dates: a usage error, no DM, no upload.
func TestGapsBadDates(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	for _, args := range []string{"gaps 2026-13-01", "gaps 2026-11-30 2026-11-01", "gaps a b c", "gaps 2026-02-30", "gaps 01-11-2026"} {
		r := decodeReply(t, a.command("U0CM", args).Payload).Text
		if !strings.Contains(r, "date") && !strings.Contains(r, "Usage") && !strings.Contains(r, "after it ends") {
			t.Errorf("%q answered %q", args, r)
		}
	}
	if u := len(a.slack.Uploads()); u != 0 {
		t.Errorf("bad gaps commands uploaded %d files", u)
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
	time.Sleep(2 * time.Second)
	pubs := a.publishesFor("U0SW")
	after, _ := a.openHome("U0SW")
	t.Logf("U0SW publishes after withdrawal without reopening: %d", len(pubs))
	t.Logf("before:\n%s\nafter reopen:\n%s", before, after)
	wantNotIn(t, "U0SW", after, "JS-4411", "Jane Smith")
}
