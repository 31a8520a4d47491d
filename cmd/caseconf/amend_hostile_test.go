package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

// Hostile probes of correcting the record (issue 14 part 4), through the
// real serve and the fake Slack.

// openAmend opens the correction form as userID and waits for it.
func (a *app) openAmend(userID string) (string, []map[string]any) {
	a.t.Helper()
	modals := len(a.slack.Modals())
	meta, blocks := a.openOutcomeAs(userID)
	a.eventually("the correction form", func() bool { return len(a.slack.Modals()) > modals })
	return meta, blocks
}

// corrected checks a correction's answer: the form replaced by what was
// done or, on a machine loaded past the bot's deadline, an empty answer
// with the correction saved all the same.
func (a *app) corrected(ack map[string]any) {
	a.t.Helper()
	if ack != nil && (ack["response_action"] != "update" || !strings.Contains(fmt.Sprint(ack["view"]), "is corrected")) {
		a.t.Fatalf("amendment ack = %v", ack)
	}
	a.eventually("the correction to be saved", func() bool { return a.count(`SELECT count(*) FROM outcome_versions`) == 1 })
}

// The client's consent withdrawn for social care after the outcome: a
// correction sends the social worker no amended minutes and no details
// of their action; the GP, still covered, gets them once.
func TestAmendAfterConsentWithdrawnWithholds(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	a.waitOutboxDone(20 * time.Second)
	a.command("U0CM", "consent JS-4411")
	wd := form{}.choice("consent_change", "withdraw").choices("agency_kinds", "health_gp", "housing").text("consent_why", "Asked us not to share with social care")
	if ack := a.viewSubmission("U0CM", "consent", "VCW1", "JS-4411", wd, 0); ack["response_action"] != "clear" {
		t.Fatalf("withdrawal ack = %v", ack)
	}
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	before := map[string]int{"U0GP": len(a.dmTo("U0GP")), "U0SW": len(a.dmTo("U0SW"))}
	meta, _ := a.openAmend("U0CM")
	ack := a.viewSubmission("U0CM", "outcome", "VAMENDW", meta, amendedValues().text("amend_reason", amendReason), 0)
	a.corrected(ack)
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	sw := a.dmsSince("U0SW", before["U0SW"])
	for _, dm := range sw {
		for _, s := range []string{"Amended minutes", "eight weeks", "Arrears were", "Food bank", "tenancy sustainment", "JS-4411", "Jane"} {
			if strings.Contains(dm, s) {
				t.Errorf("the social worker, no longer covered, got %q:\n%s", s, dm)
			}
		}
	}
	if n := containing(a.dmsSince("U0GP", before["U0GP"]), "Amended minutes of CC-0001"); n != 1 {
		t.Errorf("the GP got the amended minutes %d times", n)
	}
	if n := a.count(`SELECT count(*) FROM disclosures WHERE version = 2 AND recipient_id = 'U0SW'`); n != 0 {
		t.Errorf("a disclosure of the amended minutes to the social worker was logged")
	}
}

// Someone other than the chair, minute taker or case manager submitting
// a correction form (the GP with the case manager's form), and a form
// naming another conference: refused, nothing stored or sent.
func TestAmendByOthersRefused(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	a.waitOutboxDone(20 * time.Second)
	meta, _ := a.openAmend("U0CM")
	outbox := a.count(`SELECT count(*) FROM outbox`)
	for _, u := range []string{"U0GP", "U0OUT"} {
		ack := a.viewSubmission(u, "outcome", "VAMENDBY"+u, meta, amendedValues().text("amend_reason", amendReason), 0)
		if strings.Contains(fmt.Sprint(ack), "is corrected") {
			t.Errorf("%s corrected the record: %v", u, ack)
		}
	}
	var st map[string]any
	if err := json.Unmarshal([]byte(meta), &st); err != nil {
		t.Fatal(err)
	}
	st["c"] = 999999
	other, _ := json.Marshal(st)
	if ack := a.viewSubmission("U0CM", "outcome", "VAMENDOTHER", string(other), amendedValues().text("amend_reason", amendReason), 0); strings.Contains(fmt.Sprint(ack), "is corrected") {
		t.Errorf("a form naming another conference was saved: %v", ack)
	}
	a.waitAllHandled()
	if a.count(`SELECT count(*) FROM outcome_versions`) != 0 || a.count(`SELECT count(*) FROM outbox`) != outbox {
		t.Error("a refused correction stored or sent something")
	}
}

// Added and changed actions whose owners are off Slack (a carer with no
// agency, the client): their case manager is told, once each.
func TestAmendActionsOwnedOffSlack(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	a.recordOutcome()
	a.waitOutboxDone(20 * time.Second)
	meta, _ := a.openAmend("U0CM")
	ms := a.slack.Modals()
	hash := ms[len(ms)-1].Hash
	meta, _ = modalView(t, a.inModal("U0CM", "outcome_add", "add", meta, form{}))
	a.eventually("the form updated", func() bool { ms := a.slack.Modals(); return ms[len(ms)-1].Hash != hash })
	var st struct {
		Rows []int `json:"r"`
	}
	if err := json.Unmarshal([]byte(meta), &st); err != nil {
		t.Fatal(err)
	}
	last := st.Rows[len(st.Rows)-1]
	vals := amendedValues().text("amend_reason", amendReason)
	// Row 3 (Ann Lee's) given to a carer with no agency; a new row for
	// the carer too.
	vals = vals.text("act_area_3", "Money").text("act_what_3", "Food bank voucher").text("act_owner_3", "").
		text("act_owner_name_3", "Mary Smith (carer)").text("act_owner_agency_3", "").date("act_due_3", "2026-11-13")
	delete(vals, "act_owner_3")
	row := func(f string) string { return caseconf.ActionField(f, last) }
	vals = vals.text(row("area"), "Care").text(row("what"), "Collect prescriptions weekly").
		text(row("owner_name"), "Mary Smith (carer)").date(row("due"), "2026-12-01")
	before := len(a.dmTo("U0CM"))
	ack := a.viewSubmission("U0CM", "outcome", "VAMENDCARER", meta, vals, 0)
	a.corrected(ack)
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	cm := a.dmsSince("U0CM", before)
	if n := containing(cm, "Collect prescriptions weekly"); n != 1 {
		t.Errorf("the case manager was told of the carer's new action %d times: %q", n, cm)
	}
	if n := containing(cm, "Food bank voucher"); n != 1 {
		t.Errorf("the case manager was told of the carer's changed action %d times: %q", n, cm)
	}
}

// The fullest correction: the fullest outcome recorded, the form opened
// again (nothing pre-filled beyond its field), and saved with what
// changed and why at its limit in characters that grow when escaped:
// every message within Slack's limits, the amended minutes in numbered
// parts, each once.
func TestAmendFullestInMessagesSlackTakes(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.heldConference()
	meta, blocks := a.openOutcomeAs("U0CM")
	for i := 0; !strings.Contains(fmt.Sprint(blocks), "at most"); i++ {
		if i > caseconf.MaxActionRows {
			t.Fatal("the form never said it was full")
		}
		meta, blocks = modalView(t, a.inModal("U0CM", "outcome_add", "add", meta, form{}))
	}
	var st struct {
		Rows []int `json:"r"`
	}
	if err := json.Unmarshal([]byte(meta), &st); err != nil {
		t.Fatal(err)
	}
	long := func(n int) string { return strings.Repeat("<&", n/2) }
	var lines []string
	for len(strings.Join(lines, "\n")) < caseconf.MaxPeopleText-60 {
		lines = append(lines, strings.Repeat("&", 30)+", <<<<, >>>>")
	}
	people := strings.Join(lines, "\n")
	f := form{}.users("attended", "U0CM", "U0SW", "U0PROB").text("attended_others", people).users("apologies", "U0GP").
		text("apologies_others", people).choice("lead_changed", "no").
		date("review_on", "2027-01-29").users("share_with", "U0GP", "U0SW", "U0PROB").text("share_others", people).choice("save_as", "final").
		text("summary", long(3000)).text("outcome_worked", long(3000)).text("outcome_not_worked", long(3000)).text("client_views", long(3000))
	for _, r := range st.Rows {
		row := func(field string) string { return caseconf.ActionField(field, r) }
		f = f.text(row("area"), strings.Repeat("&", caseconf.MaxShortText)).text(row("what"), long(caseconf.MaxActionText)).date(row("due"), "2026-12-02")
		if r%2 == 0 {
			f = f.user(row("owner"), "U0SW")
		} else {
			f = f.text(row("owner_name"), strings.Repeat("&", caseconf.MaxShortText)).text(row("owner_agency"), strings.Repeat("<", caseconf.MaxShortText))
		}
	}
	if ack := a.viewSubmission("U0CM", "outcome", "VFULL", meta, f, 0); ack != nil && !strings.Contains(fmt.Sprint(ack["view"]), "is recorded") {
		t.Fatalf("ack: %v", ack)
	}
	a.eventually("the outcome to be recorded", func() bool { return a.count(`SELECT count(*) FROM outcomes`) == 1 })
	a.waitOutboxDone(60 * time.Second)

	before := map[string]int{"U0SW": len(a.dmTo("U0SW")), "U0CM": len(a.dmTo("U0CM"))}
	meta, blocks = a.openAmend("U0CM")
	vals := formFromModal(blocks).text("amend_reason", long(caseconf.MaxAmendReason)).text("summary", long(2998)+"x")
	// Every action changes: its owners are told.
	for _, r := range st.Rows {
		vals = vals.date(caseconf.ActionField("due", r), "2026-12-03")
	}
	ack := a.viewSubmission("U0CM", "outcome", "VFULLAMEND", meta, vals, 0)
	a.corrected(ack)
	a.waitAllHandled()
	a.waitOutboxDone(60 * time.Second)
	parts := map[string]int{}
	for u, n := range before {
		for _, dm := range a.dmTo(u)[n:] {
			checkSlackTakes(t, dm)
			if strings.HasPrefix(dm.Params.Get("text"), "Amended minutes") {
				parts[u+" "+dm.Params.Get("text")]++
			}
		}
	}
	if len(parts) < 2 {
		t.Errorf("the amended minutes arrived in %d parts: %v", len(parts), parts)
	}
	for p, n := range parts {
		if n != 1 {
			t.Errorf("%s arrived %d times", p, n)
		}
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE state NOT IN ('sent', 'cancelled')`); n != 0 {
		t.Errorf("%d messages not sent", n)
	}
}
