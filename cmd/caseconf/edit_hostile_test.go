package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Hostile probes of editing a conference (issue 14 part 1), through the
// real serve and the fake Slack.

// A removed invitee who had accepted and answered pressing their old
// invitation's buttons, and asking for the conference every way there is,
// sees what an outsider sees and changes nothing; re-invited later, they
// are invited afresh.
func TestEditRemovedInviteeIsAnOutsiderAndCanBeInvitedAgain(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	a.accept("CC-0001", "U0GP", "Acacia Medical Centre", "health_gp")
	old := a.inviteeValue("CC-0001", "U0GP")
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)

	meta, blocks := a.openEdit("U0CM", "CC-0001")
	if ack := a.viewSubmission("U0CM", "conference_edit", "VE1", meta, formFromModal(blocks).users("invitees", "U0SW"), 0); ack["response_action"] != "clear" {
		t.Fatalf("edit ack = %v", ack)
	}
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)

	state := func() string {
		return fmt.Sprint(a.count(`SELECT count(*) FROM responses`), a.count(`SELECT count(*) FROM agreement_acknowledgements`),
			a.count(`SELECT count(*) FROM reports`), a.count(`SELECT count(*) FROM outbox`))
	}
	before := state()
	unknown := func(cmd string) string {
		return strings.ReplaceAll(a.commandText("U0OUT", cmd), "U0OUT", "U0GP")
	}
	for _, cmd := range []string{"show CC-0001", "reports CC-0001", "report CC-0001", "export CC-0001", "plan CC-0001", "record CC-0001"} {
		if got, want := a.commandText("U0GP", cmd), unknown(cmd); got != want {
			t.Errorf("the removed GP's %q: %q, an outsider's %q", cmd, got, want)
		}
	}
	if got := a.commandText("U0GP", "client JS-4411"); strings.Contains(got, "CC-0001") || strings.Contains(got, "Jane") {
		t.Errorf("the removed GP's client: %q", got)
	}
	if got := a.commandText("U0GP", "list"); strings.Contains(got, "CC-0001") {
		t.Errorf("the removed GP's list: %q", got)
	}
	if home, _ := a.openHome("U0GP"); strings.Contains(home, "CC-0001") {
		t.Errorf("the removed GP's Home shows the conference")
	}
	outsider := a.replyTo(a.click("U0OUT", "respond:attending", old))
	for _, action := range []string{"agree", "respond:attending", "respond:colleague", "respond:apologies", "respond:not_involved", "edit"} {
		got := a.replyTo(a.click("U0GP", action, old))
		if strings.Contains(got, "CC-0001") || strings.Contains(got, "Jane") || (action == "respond:attending" && got != outsider) {
			t.Errorf("the removed GP pressing %s: %s (an outsider: %s)", action, got, outsider)
		}
	}
	a.waitAllHandled()
	if after := state(); after != before {
		t.Errorf("the removed GP's presses changed things: %s -> %s", before, after)
	}

	// Invited again: a new invitation, to be accepted afresh.
	dms := len(a.dmTo("U0GP"))
	meta, blocks = a.openEdit("U0CM", "CC-0001")
	if ack := a.viewSubmission("U0CM", "conference_edit", "VE2", meta, formFromModal(blocks).users("invitees", "U0SW", "U0GP"), 0); ack["response_action"] != "clear" {
		t.Fatalf("re-invite ack = %v", ack)
	}
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	got := a.dmsSince("U0GP", dms)
	if containing(got, "has invited you") != 1 {
		t.Errorf("the re-invited GP got %d DMs: %q", len(got), got)
	}
	id := fmt.Sprintf("i%d", a.count(`SELECT id FROM invitees WHERE slack_user_id = 'U0GP' AND removed_at IS NULL`))
	if id == old {
		t.Fatalf("re-invited as the same invitee")
	}
	opened := len(a.slack.CallsTo("views.open"))
	a.click("U0GP", "agree", id)
	a.waitCalls("views.open", opened+1)
	if ack := a.viewSubmission("U0GP", "agreement", "VA-again", id, form{}.text("agency", "Acacia").choice("agency_kind", "health_gp"), 0); ack["response_action"] != "clear" {
		t.Fatalf("accepting again: %v", ack)
	}
	if show := a.commandText("U0GP", "show CC-0001"); !strings.Contains(show, "JS-4411") && !strings.Contains(show, "Jane") {
		t.Errorf("the re-invited GP, accepted, cannot see it: %q", show)
	}
}

// Tampered private_metadata: another conference, invitees not on Slack of
// another conference, a sequence from the future, and a form submitted by
// someone other than the case manager: all refused, nothing changed.
func TestEditTamperedForms(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	a.scheduled("V0002") // CC-0002, the same case manager
	meta1, blocks1 := a.openEdit("U0CM", "CC-0001")
	c1 := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0001'`)
	c2 := a.count(`SELECT id FROM conferences WHERE ref = 'CC-0002'`)
	x2 := a.count(`SELECT id FROM invitees WHERE conference_id = $1 AND slack_user_id IS NULL`, c2)
	f := formFromModal(blocks1).text("place", "Town Hall")
	for name, m := range map[string]string{
		"another conference's outsider": meta1,
		"foreign external":              fmt.Sprintf(`{"c":%d,"s":0,"x":[%d]}`, c1, x2),
		"future sequence":               fmt.Sprintf(`{"c":%d,"s":7,"x":[]}`, c1),
		"garbage":                       `{"c":"x"}`,
	} {
		user := "U0CM"
		if name == "another conference's outsider" {
			user = "U0GP"
		}
		ack := a.viewSubmission(user, "conference_edit", "VT"+strings.ReplaceAll(name, " ", ""), m, f, 0)
		if ack["response_action"] == "clear" {
			t.Errorf("%s: saved", name)
		}
		if s := mustString(t, ack); strings.Contains(s, "JS-4411") || strings.Contains(s, "Jane") {
			t.Errorf("%s: answered with client details: %s", name, s)
		}
		t.Logf("%s: %s", name, mustString(t, ack))
	}
	if n := a.count(`SELECT count(*) FROM conference_edits`); n != 0 {
		t.Errorf("%d edits saved", n)
	}
	if n := a.count(`SELECT count(*) FROM invitees WHERE removed_at IS NOT NULL`); n != 0 {
		t.Errorf("%d invitees removed", n)
	}
}

// A short-notice conference, called urgent, cannot lose its urgency by an
// edit that does not move it: the notice rule still applies.
func TestEditCannotDropUrgencyOfShortNotice(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	f := scheduleForm().date("date", "2026-11-05").choices("urgent", "urgent").text("urgent_reason", "Eviction on Monday")
	if ack := a.viewSubmission("U0CM", "schedule", "V0001", "", f, 0); ack["response_action"] != "clear" {
		t.Fatalf("urgent schedule ack = %v", ack)
	}
	a.waitAllHandled()
	meta, blocks := a.openEdit("U0CM", "CC-0001")
	ef := formFromModal(blocks).choices("urgent").text("urgent_reason", "")
	ack := a.viewSubmission("U0CM", "conference_edit", "VEU", meta, ef, 0)
	if fieldErrors(ack)["urgent"] == nil {
		t.Errorf("dropping urgency of a 3-day-notice conference: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM conferences WHERE urgent`); n != 1 {
		t.Errorf("the conference is no longer urgent")
	}
}
