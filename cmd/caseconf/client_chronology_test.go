package main

import (
	"fmt"
	"strings"
	"testing"
)

// /caseconf client CLIENTREF: the case manager sees the chronology of
// both of the client's conferences, the first with its outcome and its
// actions, and the consent given; the GP, invited to the first only, sees
// only it; the probation officer (agency not covered), a stranger, and a
// reference nobody has read exactly as a reference that is not there.
// Each chronology read is audited once, by client.
func TestClientChronology(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	a.count(`UPDATE actions SET status = 'done', done_at = now(), done_by = 'U0GP' WHERE owner_slack_id = 'U0GP' RETURNING id`)
	posted := len(a.slack.CallsTo("chat.postMessage"))
	if ack := a.viewSubmission("U0CM", "schedule", "V2", "", scheduleForm().users("invitees", "U0SW").date("date", "2026-12-11"), 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", posted+2)
	a.eventually("CC-0002", func() bool { return a.count(`SELECT count(*) FROM conferences WHERE ref = 'CC-0002'`) == 1 })

	cm := a.commandText("U0CM", "client js-4411")
	for _, want := range []string{"Chronology of client JS-4411", "CC-0001", "CC-0002", "30 Oct 2026", "11 Dec 2026",
		"review by Friday 29 January 2027", "2 open, 1 closed", "Medication review", "Benefits check", "*done*", "*open*",
		"Outcome* not recorded", "consent *given*"} {
		if !strings.Contains(cm, want) {
			t.Errorf("the case manager's chronology lacks %q: %s", want, cm)
		}
	}
	if i, j := strings.Index(cm, "CC-0001"), strings.Index(cm, "CC-0002"); j < i {
		t.Errorf("the chronology is not oldest first: %s", cm)
	}

	gp := a.commandText("U0GP", "client JS-4411")
	if !strings.Contains(gp, "CC-0001") || strings.Contains(gp, "CC-0002") || strings.Contains(gp, "consent *given*") {
		t.Errorf("the GP's chronology: %s", gp)
	}

	missing := decodeReply(t, a.command("U0OUT", "client NOPE-1").Payload).Text
	if !strings.Contains(missing, "no conference") {
		t.Fatalf("an unknown client: %q", missing)
	}
	for _, u := range []string{"U0OUT", "U0PROB"} {
		r := decodeReply(t, a.command(u, "client JS-4411").Payload)
		if r.Text != missing || strings.Contains(string(mustJSON(t, r.Blocks)), "CC-000") {
			t.Errorf("%s: client JS-4411 reads %q, an unknown client %q", u, r.Text, missing)
		}
	}
	// A page button of the chronology (forged: this one fits one page)
	// shows the presser only what they may see: the GP their conference,
	// an outsider nothing; each press audited as a chronology read.
	client := a.count(`SELECT client_id FROM conferences WHERE ref = 'CC-0001'`)
	value := fmt.Sprintf("p1.k%d", client)
	if got := a.replyTo(a.click("U0GP", "chronpage:next", value)); !strings.Contains(got, "CC-0001") || strings.Contains(got, "CC-0002") {
		t.Errorf("the GP's page press: %s", got)
	}
	if got := a.replyTo(a.click("U0OUT", "chronpage:next", value)); strings.Contains(got, "CC-000") || !strings.Contains(got, "no conference") {
		t.Errorf("an outsider's page press: %s", got)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'client.chronology' AND client_id IS NOT NULL`); n != 3 {
		t.Errorf("%d chronology reads audited, want 3", n)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'client.chronology' AND detail LIKE '%JS-4411%'`); n != 0 {
		t.Error("the client's reference is in the audit detail")
	}
}
