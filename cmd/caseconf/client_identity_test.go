package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// One client is one person: two case managers each have a client
// "SA-1000" (Sam Alpha-One and Sally Beta-Two), and nothing ever takes the
// two together.

// twoClientsSharingARef schedules Sam Alpha-One (U0CM1, CC-0001 on 20
// November, the GP invited) and Sally Beta-Two (U0CM2, CC-0002 on 4
// December, the social worker invited), each with consent and a report.
// The scheduling form refuses U0CM2 "SA-1000" while U0CM1's client has it,
// so U0CM2's client is given it afterwards, as clients recorded before the
// form warned have it. It returns the two clients' numbers.
func (a *app) twoClientsSharingARef() (sam, sally int) {
	a.t.Helper()
	cm1 := scheduleForm().text("client_ref", "SA-1000").text("client_name", "Sam Alpha-One").
		users("invitees", "U0GP").user("chair", "U0CM1").user("minute_taker", "U0CM1")
	if ack := a.viewSubmission("U0CM1", "schedule", "VSAM", "", cm1, 0); ack["response_action"] != "clear" {
		a.t.Fatal(ack)
	}
	cm2 := scheduleForm().text("client_ref", "SA-1000-B").text("client_name", "Sally Beta-Two").date("date", "2026-12-04").
		users("invitees", "U0SW").user("chair", "U0CM2").user("minute_taker", "U0CM2").
		text("purpose", "Plan support after the hospital discharge")
	if ack := a.viewSubmission("U0CM2", "schedule", "VSALLY", "", cm2, 0); ack["response_action"] != "clear" {
		a.t.Fatal(ack)
	}
	a.eventually("both conferences", func() bool { return a.count(`SELECT count(*) FROM conferences`) == 2 })
	a.invitationsRecorded()
	sam = a.count(`SELECT id FROM clients WHERE reference = 'SA-1000'`)
	sally = a.count(`SELECT id FROM clients WHERE reference = 'SA-1000-B'`)
	a.exec(`UPDATE clients SET reference = 'SA-1000' WHERE id = $1`, sally)
	a.accept("CC-0001", "U0GP", "Church Street Surgery", "health_gp")
	a.accept("CC-0002", "U0SW", "Westminster Adult Social Care", "adult_social_care")
	a.reportFor("CC-0001", "U0GP", reportValues().text("concerns", "Sam missed two appointments"))
	a.reportFor("CC-0002", "U0SW", reportValues().text("report_agency", "Westminster Adult Social Care").text("concerns", "Sally needs a care package"))
	a.eventually("both reports", func() bool { return a.count(`SELECT count(*) FROM reports`) == 2 })
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	return sam, sally
}

// reportFor has userID write their report for conference ref.
func (a *app) reportFor(ref, userID string, values form) {
	a.t.Helper()
	opened := len(a.slack.CallsTo("views.open"))
	if r := decodeReply(a.t, a.command(userID, "report "+ref).Payload); r.Text != "" {
		a.t.Fatalf("%s: report answered %q, want the form", userID, r.Text)
	}
	_, meta := viewOf(a.t.(*testing.T), a.waitCalls("views.open", opened+1)[opened])
	if ack := a.viewSubmission(userID, "report", "VREP-"+ref+userID, meta, values, 0); ack["response_action"] != "clear" {
		a.t.Fatalf("%s: report ack = %v", userID, ack)
	}
}

// clientChoice is one button of a choice between clients.
type clientChoice struct{ text, actionID, value string }

// choicesIn are the client-choice buttons of a reply.
func choicesIn(t *testing.T, r reply) []clientChoice {
	t.Helper()
	var out []clientChoice
	for _, raw := range r.Blocks {
		var b struct {
			Text      struct{ Text string } `json:"text"`
			Accessory struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"accessory"`
		}
		if err := json.Unmarshal(raw, &b); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(b.Accessory.ActionID, "clientpick:") {
			out = append(out, clientChoice{b.Text.Text, b.Accessory.ActionID, b.Accessory.Value})
		}
	}
	return out
}

// choose asks userID's command and returns the choice it answers with:
// one button for each client, Sam's (first conference 20 November) first.
func (a *app) choose(userID, text string, sam, sally int) (samButton, sallyButton clientChoice) {
	a.t.Helper()
	t := a.t.(*testing.T)
	r := decodeReply(t, a.command(userID, text).Payload)
	got := choicesIn(t, r)
	if len(got) != 2 || !strings.Contains(r.Text+string(mustJSON(t, r.Blocks)), "2 clients have the reference SA-1000") {
		t.Fatalf("%s: %q answered %s, want a choice of two clients", userID, text, mustJSON(t, r))
	}
	for i, want := range []struct {
		cm, date string
		id       int
	}{{"U0CM1", "20 Nov 2026", sam}, {"U0CM2", "4 Dec 2026", sally}} {
		if !strings.Contains(got[i].text, "<@"+want.cm+">") || !strings.Contains(got[i].text, "first conference "+want.date) || got[i].value != fmt.Sprint(want.id) {
			t.Errorf("%q: choice %d is %+v; want %s's client %d, first conference %s", text, i, got[i], want.cm, want.id, want.date)
		}
	}
	// The choice tells them apart by case manager and date only.
	for _, never := range []string{"Sam", "Sally", "CC-000", "Alpha", "Beta", "appointments", "hospital"} {
		if strings.Contains(string(mustJSON(t, r)), never) {
			t.Errorf("%q: the choice says %q", text, never)
		}
	}
	return got[0], got[1]
}

// rowsAbout are, table by table, the rows about client $1: every table
// with a conference, client or invitee column is here (checked below).
var rowsAbout = map[string]string{
	"clients":                    `SELECT * FROM clients WHERE id = $1`,
	"consents":                   `SELECT * FROM consents WHERE client_id = $1`,
	"conferences":                `SELECT * FROM conferences WHERE client_id = $1`,
	"invitees":                   `SELECT * FROM invitees WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"agreement_acknowledgements": `SELECT * FROM agreement_acknowledgements WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"responses":                  `SELECT * FROM responses WHERE invitee_id IN (SELECT i.id FROM invitees i JOIN conferences c ON c.id = i.conference_id WHERE c.client_id = $1)`,
	"reports":                    `SELECT * FROM reports WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"report_revisions":           `SELECT * FROM report_revisions WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"outcomes":                   `SELECT * FROM outcomes WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"outcome_attendees":          `SELECT * FROM outcome_attendees WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"outcome_drafts":             `SELECT * FROM outcome_drafts WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"outcome_versions":           `SELECT * FROM outcome_versions WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"actions":                    `SELECT * FROM actions WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"action_updates":             `SELECT * FROM action_updates WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"share_list":                 `SELECT * FROM share_list WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"share_agreements":           `SELECT * FROM share_agreements WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"uploaded_files":             `SELECT * FROM uploaded_files WHERE client_id = $1 OR conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"disclosures":                `SELECT * FROM disclosures WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"conference_edits":           `SELECT * FROM conference_edits WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	"outbox":                     `SELECT * FROM outbox WHERE conference_id IN (SELECT id FROM conferences WHERE client_id = $1)`,
	// Being offered in a choice is audited: everything else stays as it was.
	"audit_log": `SELECT * FROM audit_log WHERE (client_id = $1 OR conference_id IN (SELECT id FROM conferences WHERE client_id = $1))
		AND action <> 'client.choice'`,
}

// snapshot is, table by table, how many rows there are about client and
// a digest of all of them.
func (a *app) snapshot(client int) map[string]string {
	a.t.Helper()
	out := map[string]string{}
	for table, q := range rowsAbout {
		var got struct {
			N      int    `db:"n"`
			Digest string `db:"digest"`
		}
		if err := a.main.DB.SQL().QueryRowContext(ctxFor(a.t), `SELECT count(*) AS n, coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '')
			FROM (`+q+`) r`, client).Scan(&got.N, &got.Digest); err != nil {
			a.t.Fatalf("%s: %v", table, err)
		}
		out[table] = fmt.Sprintf("%d rows %s", got.N, got.Digest)
	}
	return out
}

func TestOneClientIsOnePerson(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	sam, sally := a.twoClientsSharingARef()

	// Every table that can hold a row about a client is checked.
	var tables []string
	rows, err := a.main.DB.SQL().QueryContext(ctxFor(t), `SELECT DISTINCT table_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND column_name IN ('client_id', 'conference_id', 'invitee_id') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 15 {
		t.Fatalf("only %d tables found: %v", len(tables), tables)
	}
	for _, name := range tables {
		if _, ok := rowsAbout[name]; !ok {
			t.Errorf("table %s holds rows about clients and is not checked", name)
		}
	}

	// Each case manager's own SA-1000 is theirs, with no choice.
	for _, own := range []struct{ cm, ref, other string }{{"U0CM1", "CC-0001", "CC-0002"}, {"U0CM2", "CC-0002", "CC-0001"}} {
		got := a.commandText(own.cm, "client sa-1000")
		if !strings.Contains(got, "Chronology of client SA-1000") || !strings.Contains(got, own.ref) || strings.Contains(got, own.other) || strings.Contains(got, "clientpick") {
			t.Errorf("%s's client SA-1000: %s", own.cm, got)
		}
		opened := len(a.slack.CallsTo("views.open"))
		if r := decodeReply(t, a.command(own.cm, "consent SA-1000").Payload); r.Text != "" {
			t.Errorf("%s's consent SA-1000 answered %q; want the form", own.cm, r.Text)
		}
		id := map[string]int{"U0CM1": sam, "U0CM2": sally}[own.cm]
		if meta, _ := modalView(t, a.waitCalls("views.open", opened+1)[opened]); meta != fmt.Sprintf("#%d:SA-1000", id) {
			t.Errorf("%s's consent form is for %q; want their client %d", own.cm, meta, id)
		}
	}
	// A third case manager, and the social worker invited to Sally's only
	// conference who may not see Sam's, learn of no other client.
	unknown := decodeReply(t, a.command("U0CM3", "client NOPE-1").Payload).Text
	if r := decodeReply(t, a.command("U0CM3", "client SA-1000").Payload); r.Text != unknown || len(r.Blocks) > 0 {
		t.Errorf("a third case manager's client SA-1000: %q; want %q", r.Text, unknown)
	}
	if r := decodeReply(t, a.command("U0CM3", "consent SA-1000").Payload).Text; !strings.Contains(r, "no client with that reference") {
		t.Errorf("a third case manager's consent SA-1000: %q", r)
	}
	if got := a.commandText("U0SW", "client SA-1000"); !strings.Contains(got, "CC-0002") || strings.Contains(got, "CC-0001") || strings.Contains(got, "clientpick") {
		t.Errorf("the social worker's client SA-1000: %s", got)
	}
	// A pressed button is checked again: the third case manager pressing
	// one, or a case manager pressing another's, gets the unknown answer.
	if got := a.replyTo(a.click("U0CM3", "clientpick:client:0", fmt.Sprint(sally))); !strings.Contains(got, unknown) || strings.Contains(got, "CC-0002") {
		t.Errorf("a forged choice of Sally's chronology: %s", got)
	}
	if got := a.replyTo(a.click("U0CM1", "clientpick:consent:1", fmt.Sprint(sally))); !strings.Contains(got, "no client with that reference") {
		t.Errorf("U0CM1 choosing Sally's consent: %s", got)
	}

	// The scheduling form: the other case manager's reference is refused
	// on the field, saying only that it is in use; one's own is one's own.
	clients := a.count(`SELECT count(*) FROM clients`)
	for _, ref := range []string{"SA-1000", " sa-1000 "} {
		f := scheduleForm().text("client_ref", ref).text("client_name", "Sue Gamma").users("invitees", "U0GP").user("chair", "U0CM3").user("minute_taker", "U0CM3")
		ack := a.viewSubmission("U0CM3", "schedule", "VCM3"+ref, "", f, 0)
		errs, _ := ack["errors"].(map[string]any)
		msg, _ := errs["client_ref"].(string)
		if ack["response_action"] != "errors" || !strings.Contains(msg, "in use by another case manager's client") || !strings.Contains(msg, "your initials") {
			t.Errorf("scheduling %q for another case manager's reference: %v", ref, ack)
		}
		for _, never := range []string{"U0CM1", "U0CM2", "Sam", "Sally", "CC-000", "Nov", "Dec"} {
			if strings.Contains(msg, never) {
				t.Errorf("the warning says %q: %s", never, msg)
			}
		}
	}
	if n := a.count(`SELECT count(*) FROM clients`); n != clients {
		t.Errorf("a refused form added %d clients", n-clients)
	}
	if ack := a.viewSubmission("U0CM3", "schedule", "VCM3-OWN", "", scheduleForm().text("client_ref", "SA-1000-SG").user("chair", "U0CM3").user("minute_taker", "U0CM3"), 0); ack["response_action"] != "clear" {
		t.Errorf("a reference told apart: %v", ack)
	}
	a.eventually("CC-0003", func() bool { return a.count(`SELECT count(*) FROM conferences WHERE ref = 'CC-0003'`) == 1 })
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)

	// An administrator is asked which, and nothing is read, sent or
	// erased until they choose.
	uploads := len(a.fileUploads())
	before := len(a.slack.CallsTo("views.open"))
	chronologies := a.count(`SELECT count(*) FROM audit_log WHERE action IN ('client.chronology', 'client.subject_access')`)
	for _, cmd := range []string{"client", "consent", "subject-access", "erase"} {
		a.choose("U0ADMIN", cmd+" SA-1000", sam, sally)
	}
	a.waitAllHandled()
	if n := len(a.slack.CallsTo("views.open")) - before; n != 0 || len(a.fileUploads()) != uploads ||
		a.count(`SELECT count(*) FROM audit_log WHERE action IN ('client.chronology', 'client.subject_access')`) != chronologies {
		t.Fatalf("before any choice: %d forms opened, %d files uploaded, reads audited", n, len(a.fileUploads())-uploads)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'client.choice' AND actor_id = 'U0ADMIN' AND detail NOT LIKE '%SA-1000%'`); n != 8 {
		t.Errorf("%d choices audited; want 8 (two clients, four commands)", n)
	}

	// client: the chosen one's chronology only.
	_, sallyBtn := a.choose("U0ADMIN", "client SA-1000", sam, sally)
	if got := a.replyTo(a.click("U0ADMIN", sallyBtn.actionID, sallyBtn.value)); !strings.Contains(got, "CC-0002") || strings.Contains(got, "CC-0001") {
		t.Errorf("Sally's chronology: %s", got)
	}

	// consent: the chosen one's consent only.
	samBefore, sallyBefore := a.snapshot(sam), a.snapshot(sally)
	for _, table := range []string{"clients", "consents", "conferences", "invitees", "agreement_acknowledgements", "reports", "outbox", "audit_log"} {
		if strings.HasPrefix(sallyBefore[table], "0 rows") {
			t.Fatalf("Sally has no rows in %s: the test would check nothing there", table)
		}
	}
	samBtn, _ := a.choose("U0ADMIN", "consent SA-1000", sam, sally)
	before = len(a.slack.CallsTo("views.open"))
	a.click("U0ADMIN", samBtn.actionID, samBtn.value)
	meta, _ := modalView(t, a.waitCalls("views.open", before+1)[before])
	if meta != fmt.Sprintf("#%d:SA-1000", sam) {
		t.Fatalf("the consent form is for %q; want Sam's (%d)", meta, sam)
	}
	rn := form{}.choice("consent_change", "renew").choice("consent_method", "written").date("consent_given", "2026-11-01").choices("agency_kinds", "health_gp")
	if ack := a.viewSubmission("U0ADMIN", "consent", "VSAMCONSENT", meta, rn, 0); ack["response_action"] != "clear" {
		t.Fatalf("renewal ack = %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM consents WHERE client_id = $1 AND method = 'written' AND recorded_by = 'U0ADMIN'`, sam); n != 1 {
		t.Errorf("Sam's consent was not renewed")
	}
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	if samAfter := a.snapshot(sam); samAfter["consents"] == samBefore["consents"] {
		t.Error("Sam's consents did not change")
	}
	a.untouched("consent", sallyBefore, a.snapshot(sally))

	// subject access: a file about the chosen one only.
	_, sallyBtn = a.choose("U0ADMIN", "subject-access SA-1000", sam, sally)
	if got := a.replyTo(a.click("U0ADMIN", sallyBtn.actionID, sallyBtn.value)); !strings.Contains(got, "(1 conferences) is in your direct messages") {
		t.Errorf("subject access answered %s", got)
	}
	ups, err := a.waitFileUploads(ctxFor(t), uploads+1)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(ups[len(ups)-1].Content)
	for _, want := range []string{"Sally Beta-Two", "CC-0002", "Sally needs a care package"} {
		if !strings.Contains(doc, want) {
			t.Errorf("Sally's subject access lacks %q", want)
		}
	}
	for _, never := range []string{"Sam Alpha-One", "CC-0001", "Sam missed", "Sue Gamma"} {
		if strings.Contains(doc, never) {
			t.Errorf("Sally's subject access holds %q: another person's record", never)
		}
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action LIKE 'client.subject_access%' AND client_id <> $1`, sally); n != 0 {
		t.Errorf("subject access audited against %d other clients", n)
	}

	// erase: the chosen one only; the other's rows untouched, table by
	// table.
	samBefore, sallyBefore = a.snapshot(sam), a.snapshot(sally)
	samBtn, _ = a.choose("U0ADMIN", "erase SA-1000", sam, sally)
	before = len(a.slack.CallsTo("views.open"))
	a.click("U0ADMIN", samBtn.actionID, samBtn.value)
	call := a.waitCalls("views.open", before+1)[before]
	meta, _ = modalView(t, call)
	if meta != fmt.Sprintf("#%d:SA-1000", sam) || !strings.Contains(callText(call), "<@U0CM1>") {
		t.Fatalf("the erasure form is for %q: %s", meta, callText(call))
	}
	if ack := a.viewSubmission("U0ADMIN", "govern_erase", "VERASESAM", meta, form{}.text("erase_confirm", "sa-1000"), 0); ack["response_action"] != "clear" {
		t.Fatalf("erase ack = %v", ack)
	}
	a.eventually("Sam's erasure", func() bool { return a.count(`SELECT count(*) FROM clients WHERE erased_at IS NOT NULL`) == 1 })
	a.waitOutboxDone(20 * time.Second)
	if n := a.count(`SELECT count(*) FROM clients WHERE id = $1 AND erased_at IS NOT NULL AND full_name IS NULL`, sam); n != 1 {
		t.Error("Sam is not erased")
	}
	for table, q := range rowsAbout {
		if table == "clients" || table == "audit_log" || table == "outbox" {
			continue // the tombstone, the audit by number, the deletions of the bot's messages
		}
		if n := a.count(`SELECT count(*) FROM (`+q+`) r`, sam); n != 0 {
			t.Errorf("%d rows about Sam left in %s", n, table)
		}
	}
	if samBefore["conferences"] == "0 rows " {
		t.Fatal("the test erased nothing of Sam's")
	}
	a.untouched("erase", sallyBefore, a.snapshot(sally))
	if dms := a.dmTo("U0ADMIN"); len(dms) == 0 || !strings.Contains(callText(dms[len(dms)-1]), "Erased: 1 client record(s), 1 conference(s)") {
		t.Error("the administrator was not told of one erasure")
	}

	// With Sam gone, SA-1000 names one client: no choice now.
	before = len(a.slack.CallsTo("views.open"))
	if r := decodeReply(t, a.command("U0ADMIN", "erase SA-1000").Payload); len(choicesIn(t, r)) != 0 {
		t.Errorf("a choice of one: %s", mustJSON(t, r))
	}
	if meta, _ := modalView(t, a.waitCalls("views.open", before+1)[before]); meta != fmt.Sprintf("#%d:SA-1000", sally) {
		t.Errorf("the erasure form is for %q; want Sally's", meta)
	}
	// The form for Sam, sent again, erases nothing more.
	if ack := a.viewSubmission("U0ADMIN", "govern_erase", "VERASESAM2", fmt.Sprintf("#%d:SA-1000", sam), form{}.text("erase_confirm", "SA-1000"), 0); ack["response_action"] == "clear" {
		t.Errorf("erasing Sam again: %v", ack)
	}
	a.untouched("a repeated erasure", sallyBefore, a.snapshot(sally))
	if logs := a.logs.String(); strings.Contains(logs, "SA-1000") || strings.Contains(logs, "Sally") || strings.Contains(logs, "Sam ") {
		t.Error("a client reached the logs")
	}
}

// untouched fails for every table whose rows about a client changed.
func (a *app) untouched(after string, before, now map[string]string) {
	a.t.Helper()
	for table, b := range before {
		if now[table] != b {
			a.t.Errorf("after %s, the other client's %s changed: %s, was %s", after, table, now[table], b)
		}
	}
}

// Two case managers typing one new reference at the same moment: one
// client has it, and the other case manager is told it is in use.
func TestNewReferenceTypedByTwoAtOnce(t *testing.T) {
	t.Parallel()
	a := startApp(t, nil)
	var wg sync.WaitGroup
	acks := make([]map[string]any, 2)
	for i, user := range []string{"U0CM1", "U0CM2"} {
		wg.Go(func() {
			f := scheduleForm().text("client_ref", "TW-0001").user("chair", user).user("minute_taker", user)
			acks[i] = a.viewSubmission(user, "schedule", "VTW"+user, "", f, 0)
		})
	}
	wg.Wait()
	cleared, warned := 0, 0
	for _, ack := range acks {
		errs, _ := ack["errors"].(map[string]any)
		msg, _ := errs["client_ref"].(string)
		switch {
		case ack["response_action"] == "clear":
			cleared++
		case strings.Contains(msg, "in use by another case manager's client"):
			warned++
		default:
			t.Errorf("ack = %v", ack)
		}
	}
	if cleared != 1 || warned != 1 {
		t.Errorf("%d scheduled, %d warned; want one each", cleared, warned)
	}
	if n := a.count(`SELECT count(*) FROM clients WHERE reference = 'TW-0001'`); n != 1 {
		t.Errorf("%d clients TW-0001", n)
	}
}

// After a handover the client is the new case manager's: their reference
// is theirs (no warning, no choice), the old case manager is told it is in
// use by another case manager, and an administrator reaches it directly.
// A new case manager who already had a client with that reference has
// two: they choose between their own, and a new conference cannot be
// filed under either by reference alone.
func TestHandedOverClientStaysOnePerson(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	conf := a.heldConference()
	a.recordHandoverOutcome(conf)
	if ack := a.viewSubmission("U0CM", "schedule", "VH", fmt.Sprintf("handover:c%d", conf), scheduleForm().users("invitees", "U0NEWCM"), 0); ack["response_action"] != "clear" {
		t.Fatalf("handover form: %v", ack)
	}
	a.eventually("the handover conference", func() bool { return a.count(`SELECT count(*) FROM conferences WHERE handover`) == 1 })
	a.recordHandoverMeeting(a.count(`SELECT id FROM conferences WHERE handover`))
	jane := a.count(`SELECT id FROM clients WHERE reference = 'JS-4411'`)
	if n := a.count(`SELECT count(*) FROM clients WHERE id = $1 AND case_manager_id = 'U0NEWCM'`, jane); n != 1 {
		t.Fatal("the client was not handed over")
	}

	for _, u := range []string{"U0NEWCM", "U0ADMIN"} {
		before := len(a.slack.CallsTo("views.open"))
		if r := decodeReply(t, a.command(u, "consent JS-4411").Payload); r.Text != "" {
			t.Errorf("%s's consent JS-4411 answered %q; want the form", u, r.Text)
		}
		if meta, _ := modalView(t, a.waitCalls("views.open", before+1)[before]); meta != fmt.Sprintf("#%d:JS-4411", jane) {
			t.Errorf("%s's consent form is for %q", u, meta)
		}
	}
	ack := a.viewSubmission("U0CM", "schedule", "VOLD", "", scheduleForm(), 0)
	if errs, _ := ack["errors"].(map[string]any); errs == nil || !strings.Contains(fmt.Sprint(errs["client_ref"]), "in use by another case manager's client") {
		t.Errorf("the old case manager scheduling JS-4411 again: %v", ack)
	}
	if ack := a.viewSubmission("U0NEWCM", "schedule", "VNEW", "", scheduleForm().user("chair", "U0NEWCM").user("minute_taker", "U0NEWCM"), 0); ack["response_action"] != "clear" {
		t.Fatalf("the new case manager scheduling JS-4411: %v", ack)
	}
	a.eventually("their conference", func() bool { return a.count(`SELECT count(*) FROM conferences`) == 3 })
	if n := a.count(`SELECT count(DISTINCT client_id) FROM conferences`); n != 1 {
		t.Errorf("the new case manager's conference is filed under %d clients", n)
	}

	// The new case manager had a client JS-4411 of their own already (as
	// before the form warned): two of their own.
	own := a.count(`INSERT INTO clients (reference, full_name, case_manager_id) VALUES ('JS-4411', 'John Smith', 'U0NEWCM') RETURNING id`)
	r := decodeReply(t, a.command("U0NEWCM", "consent JS-4411").Payload)
	got := choicesIn(t, r)
	if len(got) != 2 || got[0].value != fmt.Sprint(jane) || got[1].value != fmt.Sprint(own) || !strings.Contains(got[1].text, "no conference yet") {
		t.Errorf("the new case manager's choice: %s", mustJSON(t, r))
	}
	ack = a.viewSubmission("U0NEWCM", "schedule", "VNEW2", "", scheduleForm().user("chair", "U0NEWCM").user("minute_taker", "U0NEWCM"), 0)
	if errs, _ := ack["errors"].(map[string]any); errs == nil || !strings.Contains(fmt.Sprint(errs["client_ref"]), "more than one client with this reference") {
		t.Errorf("scheduling for one of two own clients by reference: %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM conferences`); n != 3 {
		t.Errorf("%d conferences", n)
	}
}
