package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/fakeslack"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// Governance, end to end: the audit trail, subject access, erasure and
// retention, for administrators only.

// clientTables are every table that holds data about a client, with how
// to count the rows about client $1.
var clientTables = map[string]string{
	"consents":                       `SELECT count(*) FROM consents WHERE client_id = $1`,
	"conferences":                    `SELECT count(*) FROM conferences WHERE client_id = $1`,
	"invitees":                       `SELECT count(*) FROM invitees i JOIN conferences c ON c.id = i.conference_id WHERE c.client_id = $1`,
	"responses":                      `SELECT count(*) FROM responses`,
	"agreement_acknowledgements":     `SELECT count(*) FROM agreement_acknowledgements`,
	"reports":                        `SELECT count(*) FROM reports`,
	"report_revisions":               `SELECT count(*) FROM report_revisions`,
	"outcomes":                       `SELECT count(*) FROM outcomes`,
	"outcome_attendees":              `SELECT count(*) FROM outcome_attendees`,
	"outcome_drafts":                 `SELECT count(*) FROM outcome_drafts`,
	"actions":                        `SELECT count(*) FROM actions`,
	"action_updates":                 `SELECT count(*) FROM action_updates`,
	"share_list":                     `SELECT count(*) FROM share_list`,
	"disclosures":                    `SELECT count(*) FROM disclosures`,
	"outbox (about the client)":      `SELECT count(*) FROM outbox WHERE kind NOT IN ('delete_message', 'delete_file')`,
	"client details":                 `SELECT count(*) FROM clients WHERE id = $1 AND (reference = 'JS-4411' OR full_name IS NOT NULL OR erased_at IS NULL)`,
	"audit rows naming a conference": `SELECT count(*) FROM audit_log WHERE client_id = $1 AND conference_id IS NOT NULL`,
}

func TestGovernanceAdminsOnly(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	modals := len(a.slack.CallsTo("views.open"))
	unknown := a.command("U0CM", "frobnicate").Payload
	for _, text := range []string{"audit CC-0001", "subject-access JS-4411", "erase JS-4411", "AUDIT cc-0001", "erase"} {
		for _, user := range []string{"U0CM", "U0OUT"} {
			if got := a.command(user, text).Payload; !bytes.Equal(got, unknown) {
				t.Errorf("%s's %q answered %s; want the unknown-command answer %s", user, text, got, unknown)
			}
		}
	}
	help := decodeReply(t, a.command("U0ADMIN", "help").Payload).Text
	for _, cmd := range []string{"audit", "subject-access", "erase"} {
		if strings.Contains(help, "/caseconf "+cmd) || strings.Contains(string(unknown), "/caseconf "+cmd) {
			t.Errorf("help lists %s", cmd)
		}
	}
	if u, v, n := len(a.fileUploads()), len(a.slack.CallsTo("views.open"))-modals,
		a.count(`SELECT count(*) FROM audit_log WHERE action LIKE 'client.%' OR action = 'conference.audit.show'`); u+v+n != 0 {
		t.Errorf("non-administrators' commands uploaded %d files, opened %d modals, wrote %d audit rows", u, v, n)
	}
	// A non-administrator's click on a page button or a forged erasure
	// form does nothing either.
	a.click("U0CM", "govaudit:older", "CC-0001:20")
	if ack := a.viewSubmission("U0CM", "govern_erase", "VFORGE", "JS-4411", form{}.text("erase_confirm", "JS-4411"), 0); ack["response_action"] != "clear" {
		t.Errorf("forged erasure ack = %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM clients WHERE erased_at IS NOT NULL`); n != 0 {
		t.Errorf("a non-administrator erased %d clients", n)
	}
}

func TestGovernanceAuditTrail(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.recordedWith30Actions()
	for range 5 {
		a.command("U0SW", "show CC-0001") // reads
	}
	reply := decodeReply(t, a.command("U0ADMIN", "audit cc-0001").Payload).Text
	for _, want := range []string{"Audit trail of CC-0001", "newest first", "entries 1–20", "<@U0SW>"} {
		if !strings.Contains(reply, want) {
			t.Errorf("the audit trail does not say %q:\n%s", want, reply)
		}
	}
	total := a.count(`SELECT count(*) FROM audit_log WHERE conference_id = (SELECT id FROM conferences WHERE ref = 'CC-0001')`)
	if total <= 20 {
		t.Fatalf("only %d audit entries: the test needs more than a page", total)
	}
	// Newest first: the first line is the latest entry, the read of the
	// trail itself.
	lines := strings.Split(reply, "\n")
	if !strings.Contains(lines[1], "conference.audit.show") {
		t.Errorf("first entry %q; want the newest", lines[1])
	}
	var all strings.Builder
	all.WriteString(reply)
	for off := 20; off < total+20; off += 20 {
		all.WriteString(a.replyTo(a.click("U0ADMIN", "govaudit:older", fmt.Sprintf("CC-0001:%d", off))))
	}
	for _, want := range []string{"conference.create", "report.submit", "outcome.record", "test.read", "agreement.accept"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("no %s in the paged audit trail", want)
		}
	}
	if missing := decodeReply(t, a.command("U0ADMIN", "audit CC-9999").Payload).Text; !strings.Contains(missing, "no conference") {
		t.Errorf("a missing conference's trail: %q", missing)
	}
}

func TestGovernanceSubjectAccess(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.slack.AddUser(slackUser("U0CM", "Casey Manager"))
	a.recordedWith30Actions()
	_, reply := a.commandReply("U0ADMIN", "subject-access js-4411")
	if !strings.Contains(reply, "in your direct messages") {
		t.Fatalf("subject access answered %q", reply)
	}
	ups, err := a.waitFileUploads(ctxFor(t), 1)
	if err != nil || len(ups) != 1 {
		t.Fatalf("uploads: %d, %v", len(ups), err)
	}
	up := ups[0]
	if up.Channel != fakeslack.DMChannelID("U0ADMIN") {
		t.Errorf("uploaded to %q; want the administrator's DM", up.Channel)
	}
	doc := string(up.Content)
	for _, want := range []string{"# Subject access", "## Client JS-4411", "- **Name:** Jane Smith", "### Consents recorded (1)", "- signed consent form, given 2026-10-01", "# Case conference record: CC-0001", "Jane Smith", "> Rent arrears of six weeks", "Casey Manager"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the subject-access document does not say %q", want)
		}
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'client.subject_access' AND actor_id = 'U0ADMIN'
		AND client_id IS NOT NULL AND detail NOT LIKE '%JS-4411%' AND detail NOT LIKE '%Jane%'`); n != 1 {
		t.Errorf("%d subject-access audit rows", n)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'client.subject_access.delivered' AND detail LIKE $1`, "%"+up.FileID+"%"); n != 1 {
		t.Errorf("the delivered file is not audited")
	}
	if reply := decodeReply(t, a.command("U0ADMIN", "subject-access XX-0000").Payload).Text; !strings.Contains(reply, "No client") {
		t.Errorf("an unknown client: %q", reply)
	}
	if logs := a.logs.String(); strings.Contains(logs, "JS-4411") || strings.Contains(logs, "Rent arrears") {
		t.Error("the record reached the logs")
	}
}

func TestGovernanceErase(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.recordedWith30Actions()
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	// Another client, who must be left alone.
	other := a.count(`INSERT INTO clients (reference, full_name, case_manager_id) VALUES ('AB-1', 'Other Person', 'U0CM') RETURNING id`)
	client := a.count(`SELECT id FROM clients WHERE reference = 'JS-4411'`)
	for table, q := range clientTables {
		if strings.HasPrefix(table, "outbox") || table == "client details" || table == "outcome_drafts" || table == "action_updates" {
			continue
		}
		if a.countAbout(q, client) == 0 {
			t.Errorf("the test holds nothing in %s to erase", table)
		}
	}
	// What the bot posted about the client.
	type posted struct{ channel, ts string }
	var want []posted
	rows, err := a.main.DB.SQL().QueryContext(context.Background(), `
		SELECT channel, ts FROM outbox WHERE ts IS NOT NULL
		UNION SELECT dm_channel, dm_ts FROM invitees WHERE dm_ts IS NOT NULL
		UNION SELECT cm_dm_channel, cm_dm_ts FROM conferences WHERE cm_dm_ts IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p posted
		if err := rows.Scan(&p.channel, &p.ts); err != nil {
			t.Fatal(err)
		}
		want = append(want, p)
	}
	rows.Close()
	if len(want) < 4 {
		t.Fatalf("only %d messages posted", len(want))
	}

	modals := len(a.slack.CallsTo("views.open"))
	a.command("U0ADMIN", "erase js-4411")
	if calls := a.waitCalls("views.open", modals+1); !strings.Contains(callText(calls[modals]), "JS-4411") {
		t.Fatalf("erase opened %s", callText(calls[modals]))
	}
	if ack := a.viewSubmission("U0ADMIN", "govern_erase", "VERASE", "JS-4411", form{}.text("erase_confirm", "JS-4412"), 0); ack["response_action"] != "errors" {
		t.Fatalf("a mistyped reference: ack = %v", ack)
	}
	if n := a.count(`SELECT count(*) FROM conferences`); n != 1 {
		t.Fatalf("a mistyped reference erased: %d conferences left", n)
	}
	if ack := a.viewSubmission("U0ADMIN", "govern_erase", "VERASE", "JS-4411", form{}.text("erase_confirm", " js-4411 "), 0); ack["response_action"] != "clear" {
		t.Fatalf("erase ack = %v", ack)
	}
	ctx := ctxFor(t)
	a.eventually("the erasure recorded", func() bool { return a.count(`SELECT count(*) FROM clients WHERE erased_at IS NOT NULL`) == 1 })
	a.waitOutboxDone(20 * time.Second)
	for table, q := range clientTables {
		if n := a.countAbout(q, client); n != 0 {
			t.Errorf("%d rows left in %s", n, table)
		}
	}
	if n := a.count(`SELECT count(*) FROM clients WHERE id = $1 AND full_name = 'Other Person' AND erased_at IS NULL`, other); n != 1 {
		t.Error("the other client was touched")
	}
	// chat.delete on every recorded message.
	deleted := map[posted]bool{}
	for _, c := range a.slack.CallsTo("chat.delete") {
		deleted[posted{c.Params.Get("channel"), c.Params.Get("ts")}] = true
	}
	for _, p := range want {
		if !deleted[p] {
			t.Errorf("message %s %s was not deleted", p.channel, p.ts)
		}
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind = 'delete_message' AND state <> 'sent'`); n != 0 {
		t.Errorf("%d deletions not done", n)
	}
	// The audit entry: numbers only.
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'client.erase' AND actor_id = 'U0ADMIN' AND client_id = $1
		AND detail LIKE 'client erased (administrator): 1 conferences%' AND detail NOT LIKE '%JS-4411%'`, client); n != 1 {
		t.Error("the erasure is not audited as it should be")
	}
	if dms := a.dmTo("U0ADMIN"); len(dms) == 0 || !strings.Contains(callText(dms[len(dms)-1]), "Erased: 1 client record") {
		t.Error("the administrator was not told")
	}
	// Its reminders stop: a sweep well after finds nothing to remind of.
	if _, err := a.main.Sweeper.RunOnce(ctx, testNow.AddDate(0, 1, 0), false); err != nil {
		t.Fatal(err)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE kind NOT IN ('delete_message', 'delete_file')`); n != 0 {
		t.Errorf("%d messages about the erased client after a sweep", n)
	}
	// Erasing again: there is no such client now.
	if reply := decodeReply(t, a.command("U0ADMIN", "erase JS-4411").Payload).Text; !strings.Contains(reply, "No client") {
		t.Errorf("erasing again: %q", reply)
	}
	if logs := a.logs.String(); strings.Contains(logs, "JS-4411") || strings.Contains(logs, "Jane Smith") {
		t.Error("the client reached the logs")
	}
}

func TestGovernanceRetention(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN", "CASECONF_RETENTION": "90d"})
	a.heldConference()
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	old := a.count(`INSERT INTO clients (reference, case_manager_id, created_at) VALUES ('OLD-1', 'U0CM', $1) RETURNING id`, testNow.AddDate(0, 0, -200))
	a.count(`INSERT INTO consents (client_id, method, given_on, valid_until, recorded_by, recorded_at)
		VALUES ($1, 'written', '2020-01-01', '2020-06-01', 'U0CM', $2) RETURNING id`, old, testNow.AddDate(0, 0, -100))
	if n := a.main.RunRetention(ctxFor(t)); n != 1 {
		t.Fatalf("retention erased %d clients; want the old one\n%s", n, a.logs.String())
	}
	if n := a.count(`SELECT count(*) FROM consents WHERE client_id = $1`, old); n != 0 {
		t.Errorf("%d consents left", n)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'client.erase' AND actor_id = 'retention' AND client_id = $1`, old); n != 1 {
		t.Error("the retention erasure is not audited")
	}
	if n := a.count(`SELECT count(*) FROM conferences`); n != 1 {
		t.Error("retention erased a live client's conference")
	}
}

// countAbout is count with the client's ID when the query names it.
func (a *app) countAbout(query string, client int) int {
	a.t.Helper()
	if strings.Contains(query, "$1") {
		return a.count(query, client)
	}
	return a.count(query)
}

func TestRetentionCommand(t *testing.T) {
	t.Parallel()
	dsn := testdb.NewEmpty(t)
	env := map[string]string{"DATABASE_URL": dsn, "LOG_FORMAT": "text", "CASECONF_RETENTION": "1y"}
	if code, _, stderr := runCLI(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var old, fresh int
	if err := db.Get(&old, `INSERT INTO clients (reference, full_name, case_manager_id, created_at) VALUES ('OLD-1', 'Old Name', 'U0CM', now() - interval '400 days') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&fresh, `INSERT INTO clients (reference, case_manager_id) VALUES ('NEW-1', 'U0CM') RETURNING id`); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCLI(t, env, "retention", "--dry-run")
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("would erase client %d\n", old)) || strings.Contains(stdout, fmt.Sprintf("client %d\n", fresh)) ||
		strings.Contains(stdout, "OLD-1") {
		t.Fatalf("retention --dry-run: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	var erased int
	if err := db.Get(&erased, `SELECT count(*) FROM clients WHERE erased_at IS NOT NULL`); err != nil || erased != 0 {
		t.Fatalf("a dry run erased %d clients (%v)", erased, err)
	}
	code, stdout, stderr = runCLI(t, env, "retention")
	if code != 0 || !strings.Contains(stdout, fmt.Sprintf("erased client %d: 0 conferences", old)) {
		t.Fatalf("retention: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if err := db.Get(&erased, `SELECT count(*) FROM clients WHERE erased_at IS NOT NULL AND full_name IS NULL AND id = $1`, old); err != nil || erased != 1 {
		t.Fatalf("the old client is not erased (%v)", err)
	}
	if code, _, stderr := runCLI(t, env, "retention", "now"); code != 2 || !strings.Contains(stderr, "--dry-run") {
		t.Errorf("retention with an argument: code %d, %q", code, stderr)
	}
}

// A message being sent while its client is erased is finished by its
// sender, then deleted from Slack by the next retention run.
func TestEraseWhileSending(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	conf := a.heldConference()
	a.main.Bot.Sender().Wake()
	a.waitOutboxDone(20 * time.Second)
	id := a.count(`INSERT INTO outbox (kind, dedup_key, recipient_id, conference_id, subject_id, state, not_before, claimed_by, claimed_at, attempts)
		VALUES ('conference_today', 'race:1', 'U0SW', $1, $1, 'in_flight', now(), 'w1', now(), 1) RETURNING id`, conf)
	ctx := ctxFor(t)
	client := a.count(`SELECT id FROM clients WHERE reference = 'JS-4411'`)
	if _, err := a.main.Bot.EraseClient(ctx, int64(client), "U0ADMIN", "administrator"); err != nil {
		t.Fatal(err)
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE id = $1 AND conference_id IS NULL AND subject_id IS NULL AND dedup_key NOT LIKE 'race%'`, id); n != 1 {
		t.Fatal("the message in flight is not kept, detached")
	}
	if err := a.main.DB.MarkSent(ctx, store.Outbox{ID: int64(id), ClaimedBy: "w1"}, caseconf.MessageRef{Channel: "D0SW", TS: "1700000099.000001"}); err != nil {
		t.Fatalf("its sender could not finish it: %v", err)
	}
	a.main.RunRetention(ctx)
	a.waitOutboxDone(20 * time.Second)
	found := false
	for _, c := range a.slack.CallsTo("chat.delete") {
		found = found || (c.Params.Get("channel") == "D0SW" && c.Params.Get("ts") == "1700000099.000001")
	}
	if !found {
		t.Error("the message sent while its client was erased was not deleted")
	}
	if n := a.count(`SELECT count(*) FROM outbox WHERE id = $1`, id); n != 0 {
		t.Error("the detached message is still in the outbox")
	}
}

// A non-admin forging the govaudit button writes nothing and replies nothing.
func TestForgedAuditPageByNonAdmin(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	a.click("U0CM", "govaudit:newer", "CC-0001:0")
	a.click("U0OUT", "govaudit:older", "CC-0001:-5")
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'conference.audit.show'`); n != 0 {
		t.Errorf("forged audit page wrote %d audit reads", n)
	}
}
