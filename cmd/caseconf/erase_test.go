package main

import (
	"strings"
	"testing"
	"time"
)

// eraseClient erases JS-4411 as the administrator U0ADMIN and waits until
// the erasure is recorded and its messages are sent.
func eraseClient(t *testing.T, a *app) {
	t.Helper()
	a.command("U0ADMIN", "erase JS-4411")
	if ack := a.viewSubmission("U0ADMIN", "govern_erase", "VERASE", "JS-4411", form{}.text("erase_confirm", "JS-4411"), 0); ack["response_action"] != "clear" {
		t.Fatalf("erase ack = %v", ack)
	}
	a.eventually("the erasure recorded", func() bool { return a.count(`SELECT count(*) FROM clients WHERE erased_at IS NOT NULL`) == 1 })
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
	eraseClient(t, a)
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
		t.Fatalf("the case manager's Home does not show CC-0001 before the erasure: %s", home)
	}
	opened := len(a.publishesFor("U0CM"))
	eraseClient(t, a)
	// Nothing but the erasure republishes this Home (the case manager does
	// nothing more): wait for that publish.
	a.eventually("the case manager's Home republished", func() bool { return len(a.publishesFor("U0CM")) > opened })
	pubs := a.publishesFor("U0CM")
	if last := callText(pubs[len(pubs)-1]); strings.Contains(last, "CC-0001") {
		t.Errorf("after erasure the case manager's Home tab still shows CC-0001 (%d publishes)", len(pubs))
	}
	if home, _ := a.openHome("U0CM"); strings.Contains(home, "CC-0001") || strings.Contains(home, "JS-4411") {
		t.Errorf("reopened Home shows the erased client: %s", home)
	}
}
