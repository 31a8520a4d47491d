package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// What someone on the share list who was not invited sees, before they
// accept the agreement and after accepting it for an agency the consent
// does not cover: in show, reports, the chronology, the export, list and
// Home, nothing about the client; and a covered one who then loses cover
// sees nothing more either.
func TestUncoveredShareListPersonSeesNoClientAnywhere(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	a.reportFor("CC-0001", "U0GP", reportValues().text("concerns", "Missed three appointments"))
	a.eventually("the report", func() bool { return a.count(`SELECT count(*) FROM reports`) == 1 })
	meta, _ := a.openOutcomeAs("U0CM")
	f := minimalOutcome().users("share_with", "U0GP", "U0SW", "U0POL", "U0HOU")
	if ack := a.viewSubmission("U0CM", "outcome", "VSHX", meta, f, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("ack: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	secrets := []string{"JS-4411", "Jane Smith", "Acacia House", "Missed three appointments", "Rent arrears", "Wants to stay", "Tenancy support"}
	look := func(when, u string) {
		t.Helper()
		for _, cmd := range []string{"show CC-0001", "reports CC-0001", "client JS-4411", "export CC-0001", "list", "actions"} {
			got := a.commandText(u, cmd)
			for _, s := range secrets {
				if strings.Contains(got, s) {
					t.Errorf("%s, %s's %q says %q: %s", when, u, cmd, s, got)
				}
			}
		}
		home, _ := a.openHome(u)
		for _, s := range secrets {
			if strings.Contains(home, s) {
				t.Errorf("%s, %s's Home says %q", when, u, s)
			}
		}
		for _, dm := range a.dmTo(u) {
			for _, s := range secrets {
				if strings.Contains(callText(dm), s) {
					t.Errorf("%s, a DM to %s says %q: %s", when, u, s, callText(dm))
				}
			}
		}
	}
	look("before accepting", "U0POL")
	look("before accepting", "U0HOU")

	ack := a.viewSubmission("U0POL", "agreement", "VSHX2", fmt.Sprintf("c%d", conf), form{}.text("agency", "Met Police").choice("agency_kind", "probation_police"), 0)
	if !strings.Contains(fmt.Sprint(ack["view"]), "does not cover your agency") {
		t.Fatalf("accepting the agreement: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	look("accepted, not covered", "U0POL")

	// Housing accepts while covered, then consent for housing is
	// withdrawn: nothing more is shown to them.
	ack = a.viewSubmission("U0HOU", "agreement", "VSHX3", fmt.Sprintf("c%d", conf), form{}.text("agency", "Westminster Housing").choice("agency_kind", "housing"), 0)
	if !strings.Contains(fmt.Sprint(ack["view"]), "on their way") {
		t.Fatalf("housing accepting the agreement: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	if got := a.commandText("U0HOU", "show CC-0001"); !strings.Contains(got, "JS-4411") {
		t.Fatalf("housing, covered, does not see the details: %s", got)
	}
	before := len(a.dmTo("U0HOU"))
	wd := form{}.choice("consent_change", "withdraw").choices("agency_kinds", "health_gp", "adult_social_care").text("consent_why", "No more to housing")
	if ack := a.viewSubmission("U0CM", "consent", "VSHXW", "JS-4411", wd, 0); ack["response_action"] != "clear" {
		t.Fatalf("withdrawal: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	for _, cmd := range []string{"show CC-0001", "reports CC-0001", "client JS-4411", "actions"} {
		got := a.commandText("U0HOU", cmd)
		for _, s := range secrets {
			if strings.Contains(got, s) {
				t.Errorf("housing, no longer covered: %q says %q: %s", cmd, s, got)
			}
		}
	}
	for _, dm := range a.dmTo("U0HOU")[before:] {
		for _, s := range secrets {
			if strings.Contains(callText(dm), s) {
				t.Errorf("housing, no longer covered, got a DM saying %q: %s", s, callText(dm))
			}
		}
	}
}

// Someone on the share list who was not invited names their own agency
// when they accept its agreement, and that kind decides what the
// client's consent lets them see: a probation officer who claims to be
// from a GP surgery would get the minutes. The case manager sees what
// each named in the agency correction form and corrects it (audited):
// the details are withheld at once, and minutes still on their way are
// stopped; a housing officer who chose an uncovered kind by mistake gets
// the minutes once it is corrected. Nobody else can correct it.
func TestCaseManagerCorrectsAShareListPersonsAgency(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	conf := a.heldConference()
	meta, _ := a.openOutcomeAs("U0CM")
	f := minimalOutcome().users("share_with", "U0GP", "U0SW", "U0POL", "U0HOU")
	if ack := a.viewSubmission("U0CM", "outcome", "VSHC", meta, f, 0); !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("ack: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	a.viewSubmission("U0POL", "agreement", "VSHC1", fmt.Sprintf("c%d", conf), form{}.text("agency", "Church Street Surgery").choice("agency_kind", "health_gp"), 0)
	a.viewSubmission("U0HOU", "agreement", "VSHC2", fmt.Sprintf("c%d", conf), form{}.text("agency", "Westminster Housing").choice("agency_kind", "probation_police"), 0)
	if show := a.commandText("U0POL", "show CC-0001"); !strings.Contains(show, "JS-4411") {
		t.Fatalf("the claimed GP does not see the details: %s", show)
	}
	// Minutes still waiting to go to the claimed GP (an amended part, say).
	a.count(`INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, not_before, created_at)
		VALUES ('minutes', 'test-minutes:U0POL', 'U0POL', $1, 9, '2030-01-01', now()) RETURNING 1`, conf)

	opened := len(a.slack.CallsTo("views.open"))
	a.click("U0CM", "correct_agency", fmt.Sprintf("c%d", conf))
	cmeta, blocks := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	el := fmt.Sprint(element(blocks, "agency_invitee"))
	for _, want := range []string{"value:s:U0POL", "value:s:U0HOU", "Church Street Surgery (Health / GP)"} {
		if !strings.Contains(el, want) {
			t.Fatalf("the correction form lacks %q: %s", want, el)
		}
	}
	correct := func(user, who, agency, kind string) map[string]any {
		return a.viewSubmission(user, "correct_agency", fmt.Sprintf("VSHC-%s-%s-%s", user, who, kind), cmeta,
			form{}.choice("agency_invitee", "s:"+who).text("agency", agency).choice("agency_kind", kind), 0)
	}
	// Nobody but the case manager; nobody not on the share list; no kind
	// off the list.
	for _, u := range []string{"U0SW", "U0POL", "U0OUT"} {
		if ack := correct(u, "U0POL", "Church Street Surgery", "health_gp"); ack["response_action"] == "clear" {
			t.Errorf("%s corrected a share-list agency: %v", u, ack)
		}
	}
	if ack := correct("U0CM", "U0OUT", "Anything", "housing"); ack["response_action"] == "clear" {
		t.Errorf("a correction for someone not on the share list: %v", ack)
	}
	if ack := correct("U0CM", "U0POL", "Met Police", "police_state"); ack["response_action"] != "errors" {
		t.Errorf("a kind off the list: %v", ack)
	}

	if ack := correct("U0CM", "U0POL", "Met Police", "probation_police"); ack["response_action"] != "clear" {
		t.Fatalf("correcting the claimed GP: %v", ack)
	}
	if show := a.commandText("U0POL", "show CC-0001"); strings.Contains(show, "JS-4411") {
		t.Errorf("after the correction the police officer still sees the details: %s", show)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE dedup_key = 'test-minutes:U0POL' AND state = 'cancelled'`); n != 1 {
		t.Error("the minutes waiting for the police officer were not stopped")
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE actor_id = 'U0CM' AND action = 'share.agency_corrected'
		AND detail LIKE '%Met Police%' AND detail LIKE '%was "Church Street Surgery, Health / GP"%'`); n != 1 {
		t.Errorf("%d audited corrections with what it was", n)
	}

	before := len(a.dmTo("U0HOU"))
	if minutes, _ := a.minutesAndOfferTo("U0HOU", 0); minutes {
		t.Fatal("the housing officer got the minutes under an uncovered kind")
	}
	if ack := correct("U0CM", "U0HOU", "Westminster Housing", "housing"); ack["response_action"] != "clear" {
		t.Fatalf("correcting the housing officer: %v", ack)
	}
	a.waitOutboxDone(20 * time.Second)
	if minutes, _ := a.minutesAndOfferTo("U0HOU", before); !minutes {
		t.Error("the minutes did not go to the housing officer once their agency was corrected")
	}
	if show := a.commandText("U0HOU", "show CC-0001"); !strings.Contains(show, "JS-4411") {
		t.Errorf("after the correction to housing the details are withheld: %s", show)
	}
}
