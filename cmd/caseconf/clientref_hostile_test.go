package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/fakeslack"
)

// One client is one person, tried as a hostile user and as a newcomer
// would: references pasted with invisible characters, choice buttons and
// forms forged for every command that names a client.

// A reference pasted with a zero-width space after it, or typed in
// another case with spaces around it, is the reference the scheduling
// form filed: every command finds the client by it, and another case
// manager cannot file a second client under it.
func TestClientRefPastedWithInvisibleCharacters(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	f := scheduleForm().text("client_ref", "\u200bSA-1000\u200b ")
	if ack := a.viewSubmission("U0CM", "schedule", "VZW", "", f, 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.eventually("CC-0001", func() bool { return a.count(`SELECT count(*) FROM conferences`) == 1 })
	if n := a.count(`SELECT count(*) FROM clients WHERE reference = 'SA-1000'`); n != 1 {
		t.Fatal("the reference was not filed without its invisible characters")
	}
	for _, ref := range []string{"SA-1000\u200b", "sa-1000\ufeff", "\u2060SA-1000"} {
		opened := len(a.slack.CallsTo("views.open"))
		if r := decodeReply(t, a.command("U0CM", "consent "+ref).Payload).Text; r != "" {
			t.Errorf("consent %q answered %q; want the form", ref, r)
			continue
		}
		if meta, _ := modalView(t, a.waitCalls("views.open", opened+1)[opened]); !strings.HasSuffix(meta, ":SA-1000") {
			t.Errorf("consent %q opened the form for %q", ref, meta)
		}
		if got := a.commandText("U0CM", "client "+ref); !strings.Contains(got, "CC-0001") {
			t.Errorf("client %q: %s", ref, got)
		}
	}
	// Another case manager, the same reference with a zero-width space:
	// refused as in use, nothing filed.
	other := scheduleForm().text("client_ref", "sa-1000\u200b").user("chair", "U0CM2").user("minute_taker", "U0CM2")
	errs := fieldErrors(a.viewSubmission("U0CM2", "schedule", "VZW2", "", other, 0))
	if msg, _ := errs["client_ref"].(string); !strings.Contains(msg, "in use by another case manager") {
		t.Errorf("another case manager's SA-1000 with a zero-width space: %v", errs)
	}
	if n := a.count(`SELECT count(*) FROM clients`); n != 1 {
		t.Errorf("%d clients; want 1", n)
	}
}

// The administrators' choice buttons and forms, pressed or sent by
// someone who is not an administrator (the client's own case manager
// included), or carrying a client number that is not there: nothing is
// read, sent, opened or erased.
func TestForgedClientChoicesAndFormsDoNothing(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	sam, sally := a.twoClientsSharingARef()
	samBefore, sallyBefore := a.snapshot(sam), a.snapshot(sally)
	opened := len(a.slack.CallsTo("views.open"))
	uploads := len(a.fileUploads())
	for _, u := range []string{"U0CM1", "U0CM2", "U0GP", "U0OUT"} {
		for _, id := range []int{sam, sally} {
			for _, cmd := range []string{"erase", "subject-access"} {
				a.click(u, fmt.Sprintf("clientpick:%s:0", cmd), fmt.Sprint(id))
			}
		}
		// The erasure form, sent without being opened: closed as if
		// there were no such form (checked below: nothing erased).
		a.viewSubmission(u, "govern_erase", "VFORGE"+u, fmt.Sprintf("#%d:SA-1000", sam), form{}.text("erase_confirm", "SA-1000"), 0)
	}
	// An administrator's buttons with numbers that are not a client, or
	// a command that is not one.
	for _, press := range [][2]string{{"clientpick:erase:0", "999999"}, {"clientpick:erase:0", "-1"}, {"clientpick:consent:0", "abc"},
		{"clientpick:subject-access:0", ""}, {"clientpick:drop:0", fmt.Sprint(sam)}, {"clientpick:erase", fmt.Sprint(sam)}} {
		a.click("U0ADMIN", press[0], press[1])
	}
	a.waitAllHandled()
	for _, c := range a.slack.CallsTo(fakeslack.MethodResponseURL) {
		if strings.HasPrefix(c.ResponseURLID, "click-") && (strings.Contains(string(c.Body), "SA-1000") || strings.Contains(string(c.Body), "CC-000")) {
			t.Errorf("a forged press was answered about a client: %s", c.Body)
		}
	}
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	if n := len(a.slack.CallsTo("views.open")); n != opened {
		t.Errorf("%d forms opened by forged presses", n-opened)
	}
	if n := len(a.fileUploads()); n != uploads {
		t.Errorf("%d files uploaded by forged presses", n-uploads)
	}
	a.untouched("forged presses", samBefore, a.snapshot(sam))
	a.untouched("forged presses", sallyBefore, a.snapshot(sally))
	if n := a.count(`SELECT count(*) FROM clients WHERE erased_at IS NOT NULL`); n != 0 {
		t.Errorf("%d clients erased", n)
	}
}

// A reference with a space in it ("JS 4411"), which the scheduling form
// takes, reaches every command that names a client: consent,
// subject-access and erase took one word only and answered with their
// usage, so such a client could not be erased. A reference filed with
// two spaces (before the form tidied it) is found by one.
func TestClientRefWithSpacesReachesEveryCommand(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	if ack := a.viewSubmission("U0CM", "schedule", "VSP", "", scheduleForm().text("client_ref", "JS  4411"), 0); ack["response_action"] != "clear" {
		t.Fatal(ack)
	}
	a.eventually("CC-0001", func() bool { return a.count(`SELECT count(*) FROM conferences`) == 1 })
	if n := a.count(`SELECT count(*) FROM clients WHERE reference = 'JS 4411'`); n != 1 {
		t.Fatal("the reference was not filed with one space")
	}
	client := a.count(`SELECT id FROM clients`)
	a.exec(`UPDATE clients SET reference = 'JS  4411' WHERE id = $1`, client) // as filed before
	// Another case manager cannot file it again, however spaced.
	other := scheduleForm().text("client_ref", "js 4411").user("chair", "U0CM2").user("minute_taker", "U0CM2")
	if msg, _ := fieldErrors(a.viewSubmission("U0CM2", "schedule", "VSP2", "", other, 0))["client_ref"].(string); !strings.Contains(msg, "in use by another case manager") {
		t.Errorf("another case manager's js 4411: %q", msg)
	}

	opened := len(a.slack.CallsTo("views.open"))
	if r := decodeReply(t, a.command("U0CM", "consent JS 4411").Payload).Text; r != "" {
		t.Errorf("consent JS 4411 answered %q; want the form", r)
	}
	if meta, _ := modalView(t, a.waitCalls("views.open", opened+1)[opened]); meta != fmt.Sprintf("#%d:JS  4411", client) {
		t.Errorf("the consent form is for %q", meta)
	}
	if got := a.commandText("U0CM", "client js   4411"); !strings.Contains(got, "CC-0001") {
		t.Errorf("client js 4411: %s", got)
	}
	uploads := len(a.fileUploads())
	a.command("U0ADMIN", "subject-access JS 4411")
	ups, err := a.waitFileUploads(ctxFor(t), uploads+1)
	if err != nil {
		t.Fatal(err)
	}
	if doc := string(ups[len(ups)-1].Content); !strings.Contains(doc, "CC-0001") {
		t.Errorf("the subject-access document lacks CC-0001")
	}
	opened = len(a.slack.CallsTo("views.open"))
	a.command("U0ADMIN", "erase JS 4411")
	meta, _ := modalView(t, a.waitCalls("views.open", opened+1)[opened])
	if ack := a.viewSubmission("U0ADMIN", "govern_erase", "VSPERASE", meta, form{}.text("erase_confirm", "js 4411"), 0); ack["response_action"] != "clear" {
		t.Fatalf("erase ack = %v", ack)
	}
	a.eventually("the erasure", func() bool { return a.count(`SELECT count(*) FROM clients WHERE erased_at IS NOT NULL`) == 1 })
}
