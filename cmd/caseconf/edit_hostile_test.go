package main

import (
	"fmt"
	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/fakeslack"
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

// The change DM to an invitee who has not accepted the agreement, and to
// one whose agency the consent does not cover, carries no case details;
// nor do the logs or the audit.
func TestEditNoticeCarriesNoCaseDetailsToThoseWhoMayNotSeeThem(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	f := scheduleForm().users("invitees", "U0GP", "U0SW", "U0PROB")
	if ack := a.viewSubmission("U0CM", "schedule", "V0001", "", f, 0); ack["response_action"] != "clear" {
		t.Fatalf("schedule ack = %v", ack)
	}
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	a.accept("CC-0001", "U0PROB", "Westminster Probation", "probation_police") // not covered by the consent
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	before := map[string]int{"U0SW": len(a.dmTo("U0SW")), "U0PROB": len(a.dmTo("U0PROB"))}
	meta, blocks := a.openEdit("U0CM", "CC-0001")
	ef := formFromModal(blocks).text("purpose", "SECRETPURPOSE new aims").choices("reasons", "complex_health").
		choice("client_attends", "no").choice("client_absence", "child_welfare").text("child_care_manager", "SECRETABSENCE child-care manager").text("told_how", "SECRETTOLD by letter").
		text("place", "Room 4, Church Street Surgery").date("date", "2026-11-23")
	if ack := a.viewSubmission("U0CM", "conference_edit", "VEC", meta, ef, 0); ack["response_action"] != "clear" {
		t.Fatalf("edit ack = %v", ack)
	}
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	secrets := []string{"SECRET", "JS-4411", "Jane", "Smith", "hospital", "complex", "Complex", "eviction", "Eviction"}
	for u, n := range before {
		dms := a.dmsSince(u, n)
		if len(dms) == 0 {
			t.Errorf("%s was not told of the change", u)
		}
		for _, dm := range dms {
			for _, s := range secrets {
				if strings.Contains(dm, s) {
					t.Errorf("%s's DM carries %q:\n%s", u, s, dm)
				}
			}
		}
		updated := 0
		for _, c := range a.slack.CallsTo("chat.update") {
			if c.Params.Get("channel") == fakeslack.DMChannelID(u) {
				updated++
				for _, s := range secrets {
					// The invitation names the client's reference before the
					// agreement, by design (caseconf.CanSeeClientRef).
					if s == "JS-4411" && u == "U0SW" {
						continue
					}
					if strings.Contains(callText(c), s) {
						t.Errorf("%s's updated invitation carries %q: %s", u, s, callText(c))
					}
				}
			}
		}
		if updated == 0 {
			t.Errorf("%s's invitation was not updated", u)
		}
	}
	for _, s := range []string{"SECRET", "JS-4411", "Jane", "Church Street"} {
		if strings.Contains(a.logs.String(), s) {
			t.Errorf("the logs carry %q", s)
		}
		if n := a.count(`SELECT count(*) FROM audit_log WHERE detail LIKE '%' || $1 || '%'`, s); n != 0 {
			t.Errorf("the audit carries %q", s)
		}
	}
}

// The fullest edit: every text at its limit in characters that grow when
// escaped, 100 invitees added, three people not on Slack with the longest
// details; every message and form within Slack's limits (the fake refuses
// the rest), and the edit form opens again with nothing too long.
func TestEditFullestInMessagesSlackTakes(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	a.accept("CC-0001", "U0GP", "Acacia Medical Centre", "health_gp")
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	posts, updates := len(a.slack.CallsTo("chat.postMessage")), len(a.slack.CallsTo("chat.update"))
	meta, blocks := a.openEdit("U0CM", "CC-0001")
	users := []string{"U0GP"}
	for i := range 100 {
		users = append(users, fmt.Sprintf("U1%03d", i))
	}
	ef := formFromModal(blocks).
		text("purpose", fullText(caseconf.MaxPurpose)).text("place", fullText(caseconf.MaxPlace)).
		date("date", "2026-11-10").choices("urgent", "urgent").text("urgent_reason", fullText(caseconf.MaxReasonText)).
		choice("client_attends", "no").choice("client_absence", "child_welfare").text("child_care_manager", fullText(caseconf.MaxShortText)).
		text("told_how", fullText(caseconf.MaxReasonText)).users("invitees", users...).user("chair", "U0GP")
	for i := range 3 {
		ef = ef.text(caseconf.ExternalField("name", i), fullText(caseconf.MaxShortText)).
			text(caseconf.ExternalField("role", i), fullText(caseconf.MaxShortText)).
			text(caseconf.ExternalField("agency", i), fullText(caseconf.MaxShortText)).
			choice(caseconf.ExternalField("agency_kind", i), "housing").
			text(caseconf.ExternalField(caseconf.ExtPhone, i), fullText(caseconf.MaxShortText))
	}
	// On a loaded machine the answer may come after the bot's deadline
	// (then acknowledged empty, and the edit saved all the same).
	if ack := a.viewSubmission("U0CM", "conference_edit", "VEFULL", meta, ef, 0); ack != nil && ack["response_action"] != "clear" {
		t.Fatalf("fullest edit ack = %v", ack)
	}
	a.eventually("the edit to be saved", func() bool { return a.count(`SELECT count(*) FROM conference_edits`) == 1 })
	a.waitAllHandled()
	a.waitOutboxDone(60 * time.Second)
	for _, c := range a.slack.CallsTo("chat.postMessage")[posts:] {
		withinSlackLimits(t, "a DM to "+c.Params.Get("channel"), callBlocks(t, c))
	}
	for _, c := range a.slack.CallsTo("chat.update")[updates:] {
		withinSlackLimits(t, "an update in "+c.Params.Get("channel"), callBlocks(t, c))
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE state <> 'sent' AND state <> 'cancelled'`); n != 0 {
		t.Errorf("%d messages not sent", n)
	}
	if got := a.dmsSince("U0GP", 0); containing(got, "has been changed") != 1 {
		t.Errorf("the GP was told %d times", containing(got, "has been changed"))
	}
	// The form opens again, filled in, and submits unchanged.
	meta, blocks = a.openEdit("U0CM", "CC-0001")
	if ack := a.viewSubmission("U0CM", "conference_edit", "VEFULL2", meta, formFromModal(blocks), 0); ack["response_action"] == "errors" {
		t.Errorf("the fullest conference's edit form, unchanged, is refused: %v", ack)
	}
}

// An edit while Slack answers 500 and 429: once Slack recovers, everyone
// still invited is told exactly once, the new invitee invited once, and
// the removed one told once.
func TestEditDuringSlackOutageTellsEachOnce(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001")
	a.accept("CC-0001", "U0GP", "Acacia Medical Centre", "health_gp")
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	posts := len(a.slack.CallsTo("chat.postMessage"))
	for range 3 {
		a.slack.FailNext("chat.postMessage", fakeslack.Failure{Status: 500})
		a.slack.FailNext("chat.postMessage", fakeslack.Failure{Status: 429, RetryAfter: 1})
		a.slack.FailNext("chat.update", fakeslack.Failure{Status: 500})
		a.slack.FailNext("files.completeUploadExternal", fakeslack.Failure{Status: 500})
	}
	meta, blocks := a.openEdit("U0CM", "CC-0001")
	ef := formFromModal(blocks).date("date", "2026-11-23").users("invitees", "U0GP", "U0PROB")
	if ack := a.viewSubmission("U0CM", "conference_edit", "VEOUT", meta, ef, 0); ack["response_action"] != "clear" {
		t.Fatalf("edit ack = %v", ack)
	}
	a.waitAllHandled()
	a.waitOutboxDone(60 * time.Second)
	got := map[string][]string{}
	for _, c := range a.slack.CallsTo("chat.postMessage")[posts:] {
		if !c.Failed {
			got[c.Params.Get("channel")] = append(got[c.Params.Get("channel")], callText(c))
		}
	}
	for u, want := range map[string]string{"U0GP": "has been changed", "U0PROB": "has invited you", "U0SW": "no longer invited"} {
		if len(got[u]) != 1 || !strings.Contains(got[u][0], want) {
			t.Errorf("%s got %d DMs (want one saying %q): %q", u, len(got[u]), want, got[u])
		}
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE state NOT IN ('sent', 'cancelled')`); n != 0 {
		t.Errorf("%d messages not sent", n)
	}
	// The GP's invitation ends up showing the new date, whichever
	// updates Slack refused. (The case manager's summary is still brought
	// up to date best-effort, as after an answer: not checked here.)
	for _, ch := range []string{fakeslack.DMChannelID("U0GP")} {
		a.eventually("the update in "+ch+" to show the new date", func() bool {
			last := ""
			for _, c := range a.slack.CallsTo("chat.update") {
				if c.Params.Get("channel") == ch && !c.Failed && strings.Contains(callText(c), "November 2026") {
					last = callText(c)
				}
			}
			return strings.Contains(last, "23 November 2026")
		})
	}
}

// Moves an edit may not make, each answered on its field with nothing
// stored; and an edit that changes nothing says so and stores nothing.
func TestEditBadMovesAnsweredOnTheField(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	a.scheduled("V0001") // consent given 1 October 2026
	meta, blocks := a.openEdit("U0CM", "CC-0001")
	for i, tc := range []struct {
		name  string
		f     form
		field string
	}{
		{"into the past", formFromModal(blocks).date("date", "2026-10-30"), "date"},
		{"to a weekend at short notice", formFromModal(blocks).date("date", "2026-11-07"), "urgent"},
		{"beyond two years", formFromModal(blocks).date("date", "9999-12-31"), "date"},
		{"beyond the consent", formFromModal(blocks).date("date", "2028-06-01"), "date"},
		{"removing everyone", formFromModal(blocks).users("invitees").text("ext_name_0", "").text("ext_role_0", "").
			text("ext_agency_0", "").text("ext_email_0", "").text("ext_phone_0", ""), "invitees"},
		{"control characters in the place", formFromModal(blocks).text("place", "\x00\x01\x02"), "place"},
	} {
		ack := a.viewSubmission("U0CM", "conference_edit", fmt.Sprintf("VBAD%d", i), meta, tc.f, 0)
		if fieldErrors(ack)[tc.field] == nil {
			t.Errorf("%s: answered %v, want an error on %s", tc.name, ack, tc.field)
		}
	}
	ack := a.viewSubmission("U0CM", "conference_edit", "VSAME", meta, formFromModal(blocks), 0)
	if !strings.Contains(mustString(t, ack), "Nothing was changed") {
		t.Errorf("an empty edit: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM conference_edits`); n != 0 {
		t.Errorf("%d edits stored", n)
	}
	if n := a.count(`SELECT count(*) FROM conferences WHERE calendar_sequence <> 0`); n != 0 {
		t.Errorf("the calendar sequence moved")
	}
}

// The chair, also invited, taken off the invitation list but kept as
// chair: told once of the change, still able to see the conference, not
// told they are out of it.
func TestEditChairTakenOffInviteesStaysChair(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	if ack := a.viewSubmission("U0CM", "schedule", "V0001", "", scheduleForm().user("chair", "U0GP"), 0); ack["response_action"] != "clear" {
		t.Fatalf("schedule ack = %v", ack)
	}
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	before := len(a.dmTo("U0GP"))
	meta, blocks := a.openEdit("U0CM", "CC-0001")
	if ack := a.viewSubmission("U0CM", "conference_edit", "VECH", meta, formFromModal(blocks).users("invitees", "U0SW").date("date", "2026-11-23"), 0); ack["response_action"] != "clear" {
		t.Fatalf("edit ack = %v", ack)
	}
	a.waitAllHandled()
	a.waitOutboxDone(20 * time.Second)
	got := a.dmsSince("U0GP", before)
	if containing(got, "has been changed") != 1 || containing(got, "no longer") > 1 || containing(got, ":wave:") != 0 {
		t.Errorf("the chair got %q", got)
	}
	if show := a.commandText("U0GP", "show CC-0001"); !strings.Contains(show, "JS-4411") {
		t.Errorf("the chair can no longer see it: %q", show)
	}
}
