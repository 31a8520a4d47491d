package main

import (
	"fmt"
	"strings"
	"testing"
)

// The probation officer chose the wrong kind of agency (they work in
// housing now): the case details are withheld from them. The case manager
// corrects it from show, and at once they see the details; the change is
// audited with what it was. The GP, corrected to a kind the consent does
// not cover, no longer sees them. Nobody else may correct an agency.
func TestCaseManagerCorrectsAnInviteesAgency(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	if show := a.commandText("U0PROB", "show CC-0001"); strings.Contains(show, "JS-4411") {
		t.Fatalf("the probation officer sees the details before the correction: %s", show)
	}
	show := a.commandText("U0CM", "show CC-0001")
	if !strings.Contains(show, "correct_agency") {
		t.Fatalf("show offers the case manager no correction: %s", show)
	}
	if show := a.commandText("U0PROB", "show CC-0001"); strings.Contains(show, "correct_agency") {
		t.Errorf("show offers an invitee the correction: %s", show)
	}
	opened := len(a.slack.CallsTo("views.open"))
	a.click("U0CM", "correct_agency", fmt.Sprintf("c%d", conf))
	meta, blocks := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	prob := a.inviteeID("CC-0001", "U0PROB")
	if el := element(blocks, "agency_invitee"); !strings.Contains(fmt.Sprint(el), fmt.Sprintf("value:%d", prob)) {
		t.Fatalf("the form does not offer the probation officer (invitee %d): %v", prob, el)
	}
	correct := func(user string, invitee int, agency, kind string) map[string]any {
		return a.viewSubmission(user, "correct_agency", fmt.Sprintf("VCA-%s-%d", user, invitee), meta,
			form{}.choice("agency_invitee", fmt.Sprint(invitee)).text("agency", agency).choice("agency_kind", kind), 0)
	}
	if ack := correct("U0CM", prob, "Westminster Housing Options", "housing"); ack["response_action"] != "clear" {
		t.Fatalf("correcting: %v", ack)
	}
	if show := a.commandText("U0PROB", "show CC-0001"); !strings.Contains(show, "JS-4411") {
		t.Errorf("after the correction to housing (covered) the details are still withheld: %s", show)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE actor_id = 'U0CM' AND action = 'invitee.agency_corrected'
		AND detail LIKE '%Westminster Housing Options%' AND detail LIKE '%was "Westminster Probation", Probation%'`); n != 1 {
		t.Errorf("%d audited corrections with what it was", n)
	}

	gp := a.inviteeID("CC-0001", "U0GP")
	if ack := correct("U0CM", gp, "Met Police liaison", "probation_police"); ack["response_action"] != "clear" {
		t.Fatalf("correcting: %v", ack)
	}
	if show := a.commandText("U0GP", "show CC-0001"); strings.Contains(show, "JS-4411") {
		t.Errorf("after the correction to an uncovered kind the GP still sees the details: %s", show)
	}
	// The invitee themselves, or the chair's form from someone else: refused.
	if ack := correct("U0SW", a.inviteeID("CC-0001", "U0SW"), "Anything", "housing"); ack["response_action"] == "clear" {
		t.Errorf("an invitee corrected an agency: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'invitee.agency_corrected'`); n != 2 {
		t.Errorf("%d corrections audited, want 2", n)
	}
	// A blank agency is refused in the form.
	if ack := correct("U0CM", prob, " ", "housing"); ack["response_action"] != "errors" {
		t.Errorf("a blank agency: %v", ack)
	}
}
