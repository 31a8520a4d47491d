package main

import (
	"fmt"
	"strings"
	"testing"
)

// Regression tests for what a hostile review of the core found.

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

// Anything that is not a reference reads as one that does not exist, and
// nothing reaches the database: a NUL would make PostgreSQL refuse it.
func TestMalformedReferenceReadsAsMissing(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	missing := decodeReply(t, a.command("U0OUT", "show CC-9999").Payload)
	for _, ref := range []string{"CC-9999\x00", "CC-1'--", "\xff\xfe", "CC-99999999999999999999"} {
		got := decodeReply(t, a.command("U0OUT", "show "+ref).Payload)
		if got.Text != missing.Text {
			t.Errorf("show %q answered %q, want %q", ref, got.Text, missing.Text)
		}
	}
	if strings.Contains(a.logs.String(), `"level":"ERROR"`) {
		t.Errorf("a malformed reference logged an error: %s", a.logs.String())
	}
}

// A cancel submission carrying another conference's subject, or a
// malformed one, cancels nothing.
func TestForgedCancelSubject(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	conf := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	ack := a.viewSubmission("U0CM2", "cancel", "VXF", fmt.Sprintf("c%d", conf), form{}.text("cancel_reason", "x"), 0)
	if !strings.Contains(fmt.Sprint(ack), "There is no conference") {
		t.Fatalf("forged cancel: %v", ack)
	}
	for _, v := range []string{"c1.i2.i3", "c-1", "c99999999999999999999", "c+1", "c01", ""} {
		a.viewSubmission("U0CM", "cancel", "VXM"+v, v, form{}.text("cancel_reason", "x"), 0)
	}
	if n := a.count(`SELECT count(*) FROM conferences WHERE status = 'cancelled'`); n != 0 {
		t.Fatalf("%d conferences cancelled by forged or malformed submissions", n)
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
