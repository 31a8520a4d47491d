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
