package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// minutesTo reports whether a DM to userID since before holds the minutes
// of CC-0001, and whether one offers the share list's agreement.
func (a *app) minutesAndOfferTo(userID string, before int) (minutes, offer bool) {
	a.t.Helper()
	for _, dm := range a.dmTo(userID)[before:] {
		text := callText(dm)
		minutes = minutes || strings.Contains(text, "Minutes of CC-0001")
		offer = offer || strings.Contains(text, "share_agree")
	}
	return minutes, offer
}

// A housing officer on the share list who was not invited gets, when the
// outcome is recorded, not the minutes but a DM offering the
// information-sharing agreement; until they accept it show gives them
// the conference without the client's reference, with the same button.
// Once they accept, naming their agency (one the consent covers), the
// minutes go to them (the disclosure logged) and show gives them the
// details; once the consent stops covering housing, show withholds them
// again.
func TestShareListPersonAcceptsTheAgreementBeforeDetailsAndMinutes(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	f := minimalOutcome().users("share_with", "U0GP", "U0SW", "U0PROB", "U0HOU")
	if ack := a.viewSubmission("U0CM", "outcome", "VSH1", meta, f, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("ack: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	if minutes, offer := a.minutesAndOfferTo("U0HOU", 0); minutes || !offer {
		t.Fatalf("before accepting the agreement, the housing officer got the minutes: %v, the offer of the agreement: %v", minutes, offer)
	}
	for _, dm := range a.dmTo("U0HOU") {
		if text := callText(dm); strings.Contains(text, "JS-4411") || strings.Contains(text, "Jane Smith") || strings.Contains(text, "Acacia House") {
			t.Errorf("the offer of the agreement names the client: %s", text)
		}
	}
	if n := a.count(`SELECT count(*) FROM disclosures WHERE recipient_id = 'U0HOU'`); n != 0 {
		t.Errorf("%d disclosures to the housing officer before they accepted", n)
	}
	if minutes, _ := a.minutesAndOfferTo("U0SW", 0); !minutes {
		t.Error("the social worker (invited, accepted, covered) got no minutes")
	}

	show := a.commandText("U0HOU", "show CC-0001")
	if !strings.Contains(show, "CC-0001") || strings.Contains(show, "JS-4411") || strings.Contains(show, "Acacia House") {
		t.Errorf("show before the agreement gives the case details (or no conference): %s", show)
	}
	if !strings.Contains(show, "share_agree") || !strings.Contains(show, "accept the information-sharing and confidentiality agreement") {
		t.Errorf("show before the agreement does not offer it: %s", show)
	}

	before := len(a.dmTo("U0HOU"))
	opened := len(a.slack.CallsTo("views.open"))
	a.click("U0HOU", "share_agree", fmt.Sprintf("c%d", conf))
	_, blocks := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	if element(blocks, "agency_kind") == nil {
		t.Fatalf("the agreement does not ask the housing officer's kind of agency: %v", blocks)
	}
	ack := a.viewSubmission("U0HOU", "agreement", "VSH2", fmt.Sprintf("c%d", conf), form{}.text("agency", "Westminster Housing").choice("agency_kind", "housing"), 0)
	if ack["response_action"] != "update" || !strings.Contains(fmt.Sprint(ack["view"]), "on their way") {
		t.Fatalf("accepting the agreement: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	if minutes, _ := a.minutesAndOfferTo("U0HOU", before); !minutes {
		t.Error("the minutes did not go to the housing officer once they accepted")
	}
	if n := a.count(`SELECT count(*) FROM disclosures WHERE recipient_id = 'U0HOU' AND sent_at IS NOT NULL`); n == 0 {
		t.Error("no disclosure to the housing officer logged")
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE actor_id = 'U0HOU' AND action = 'agreement.accept' AND detail LIKE '%share list%'`); n != 1 {
		t.Errorf("%d audited acceptances", n)
	}
	if show := a.commandText("U0HOU", "show CC-0001"); !strings.Contains(show, "JS-4411") || strings.Contains(show, "share_agree") {
		t.Errorf("show after the agreement: %s", show)
	}

	// The consent no longer covers housing: nothing more is shown.
	a.count(`UPDATE consents SET agency_kinds = '{health_gp,adult_social_care}' WHERE id = (SELECT consent_id FROM conferences WHERE id = $1) RETURNING 1`, conf)
	if show := a.commandText("U0HOU", "show CC-0001"); strings.Contains(show, "JS-4411") || !strings.Contains(show, "does not cover your agency") {
		t.Errorf("show once the consent stopped covering housing: %s", show)
	}
}

// A share-list person whose agency the consent does not cover accepts
// the agreement and is told the minutes are withheld; none go, and show
// gives no details. An invitee who never accepted their invitation's
// agreement, put on the share list, gets neither the minutes nor the
// client's reference, nor the share list's offer: the share list is no
// way round the agreement.
func TestShareListIsNoWayRoundTheAgreementOrConsent(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	f := scheduleForm().users("invitees", "U0GP", "U0SW", "U0LATE")
	if ack := a.viewSubmission("U0CM", "schedule", "V1", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.waitCalls("chat.postMessage", 4)
	a.invitationsRecorded()
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	a.accept("CC-0001", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	conf := a.count(`SELECT id FROM conferences`)
	a.count(`UPDATE conferences SET starts_at = '2026-10-30 10:30+00' WHERE id = $1 RETURNING id`, conf)

	meta, _ := a.openOutcomeAs("U0CM")
	out := minimalOutcome().users("attended", "U0CM", "U0SW").users("share_with", "U0GP", "U0SW", "U0LATE", "U0POL")
	if ack := a.viewSubmission("U0CM", "outcome", "VSH3", meta, out, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("ack: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	if minutes, offer := a.minutesAndOfferTo("U0LATE", 0); minutes || offer {
		t.Errorf("the invitee who never accepted got the minutes: %v, the share list's offer: %v", minutes, offer)
	}
	if show := a.commandText("U0LATE", "show CC-0001"); strings.Contains(show, "JS-4411") || strings.Contains(show, "share_agree") {
		t.Errorf("show to the invitee who never accepted: %s", show)
	}

	ack := a.viewSubmission("U0POL", "agreement", "VSH4", fmt.Sprintf("c%d", conf), form{}.text("agency", "Met Police").choice("agency_kind", "probation_police"), 0)
	if ack["response_action"] != "update" || !strings.Contains(fmt.Sprint(ack["view"]), "does not cover your agency") {
		t.Fatalf("accepting the agreement: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	if minutes, _ := a.minutesAndOfferTo("U0POL", 0); minutes {
		t.Error("the minutes went to an agency the consent does not cover")
	}
	if show := a.commandText("U0POL", "show CC-0001"); strings.Contains(show, "JS-4411") || !strings.Contains(show, "does not cover your agency") {
		t.Errorf("show to an uncovered share-list person: %s", show)
	}
	// Someone not on the share list cannot accept it.
	if ack := a.viewSubmission("U0OUT", "agreement", "VSH5", fmt.Sprintf("c%d", conf), form{}.text("agency", "X").choice("agency_kind", "housing"), 0); !strings.Contains(fmt.Sprint(ack["view"]), "There is no conference") {
		t.Errorf("an outsider accepted the share list's agreement: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM share_agreements WHERE slack_user_id = 'U0OUT'`); n != 0 {
		t.Error("an outsider's acceptance was stored")
	}
}
