package main

import (
	"fmt"
	"strings"
	"testing"
)

// The client letter: not for the chair, an admin or an invitee; refused
// for a professionals-only meeting without consent.
func TestClientLetterRefusals(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADM"})
	conf := a.heldConference()
	a.count(`UPDATE conferences SET chair_id = 'U0CHAIR', minute_taker_id = 'U0MIN' WHERE id = $1 RETURNING id`, conf)
	opened := len(a.slack.CallsTo("views.open"))
	a.command("U0CM", "record CC-0001")
	meta, _ := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	if ack := a.viewSubmission("U0CM", "outcome", "VZZO", meta, minimalOutcome(), 0); !strings.Contains(fmt.Sprint(ack), "is recorded") {
		t.Fatalf("outcome: %v", ack)
	}
	cv := fmt.Sprintf("c%d", conf)
	for _, u := range []string{"U0CHAIR", "U0MIN", "U0ADM", "U0SW"} {
		if reply := a.replyTo(a.click(u, "client_letter", cv)); !strings.Contains(reply, "Only the case manager") || strings.Contains(reply, "Dear") {
			t.Errorf("%s's client letter: %.300s", u, reply)
		}
	}
	a.count(`UPDATE conferences SET client_attends = false, client_absence = 'professionals_only', client_told_how = 'At the main meeting'
		WHERE id = $1 RETURNING id`, conf)
	if reply := a.replyTo(a.click("U0CM", "client_letter", cv)); !strings.Contains(reply, "professionals-only") || strings.Contains(reply, "Dear") {
		t.Errorf("the letter for a professionals-only meeting: %.300s", reply)
	}
}
