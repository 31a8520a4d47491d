package main

import (
	"strings"
	"testing"
	"time"
)

// Consent: the data-protection lead told of a meeting without consent.

func TestSchedulingWithoutConsentDMsTheDPO(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_DPO": "U0DPO, U0CALD"})
	f := scheduleForm().choice("consent_method", "none").choice("no_consent_reason", "risk_of_violence").
		text("no_consent_why", "Threats made to staff last week")
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
		for _, want := range []string{"CC-0001", "Risk of violence", `\u003c@U0CM\u003e`, "without the client's consent"} {
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
