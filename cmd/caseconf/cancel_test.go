package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestCancel(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	gp := a.inviteeValue("CC-0001", "U0GP")
	a.accept("CC-0001", "U0GP", "Surgery", "health_gp")

	if r := decodeReply(t, a.command("U0GP", "cancel CC-0001").Payload); !strings.Contains(r.Text, "Only the case manager") {
		t.Fatalf("invitee cancel = %q", r.Text)
	}
	a.command("U0CM", "cancel CC-0001")
	open := a.waitCalls("views.open", 2)[1]
	meta := open.JSON()["view"].(map[string]any)["private_metadata"].(string)
	if ack := a.viewSubmission("U0CM", "cancel", "VX", meta, form{}.text("cancel_reason", ""), 0); ack["response_action"] != "errors" {
		t.Fatalf("cancel without a reason: %v", ack)
	}
	if ack := a.viewSubmission("U0CM", "cancel", "VX2", meta, form{}.text("cancel_reason", "Client has been housed"), 0); ack["response_action"] != "clear" {
		t.Fatalf("cancel ack = %v", ack)
	}
	a.waitCalls("chat.postMessage", 5)
	for _, u := range []string{"U0GP", "U0SW"} {
		dms := a.dmTo(u)
		last := callText(dms[len(dms)-1])
		if !strings.Contains(last, "CC-0001") || !strings.Contains(last, "has been cancelled") {
			t.Errorf("%s not told of the cancellation: %s", u, last)
		}
		if u == "U0SW" && strings.Contains(last, "housed") {
			t.Errorf("an invitee who has not accepted the agreement was given the reason")
		}
		if u == "U0GP" && !strings.Contains(last, "housed") {
			t.Errorf("the covered invitee was not given the reason")
		}
	}
	if n := a.count(`SELECT count(*) FROM conferences WHERE status = 'cancelled' AND cancel_reason = 'Client has been housed'`); n != 1 {
		t.Fatal("cancellation not stored")
	}
	gpReply := a.replyTo(a.click("U0GP", "respond:attending", gp))
	if !strings.Contains(gpReply, "cancelled") {
		t.Fatalf("answering a cancelled conference: %s", gpReply)
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
