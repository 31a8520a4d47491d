package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf/internal/testdb"
)

// Consent and the client's participation as the policy has them (issue
// 15 §3): a conference without consent under "risk of serious harm to
// others" and one with the client absent because "too intoxicated to take
// part, and had given permission" are each recorded as such, in the
// database and in what people read; the data-protection lead is told of
// the first only.
func TestNoConsentAndAbsenceAreRecordedAsThePolicyHasThem(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_DPO": "U0DPO"})
	noConsent := scheduleForm().choice("consent_method", "none").choices("consent_checked").
		choice("no_consent_basis", "risk_to_others").text("no_consent_decided_by", "Sam Lead, service manager").
		text("no_consent_why", "Threatened staff at the hostel last week")
	if ack := a.viewSubmission("U0CM", "schedule", "VNOCONSENT", "", noConsent, 0); ack["response_action"] != "clear" {
		t.Fatalf("schedule without consent: %v", ack)
	}
	absent := scheduleForm().text("client_ref", "PB-2020").choice("client_attends", "no").
		choice("client_absence", "intoxicated_permission").text("told_how", "Key worker visit the next morning")
	if ack := a.viewSubmission("U0CM", "schedule", "VABSENT", "", absent, 0); ack["response_action"] != "clear" {
		t.Fatalf("schedule with the client absent: %v", ack)
	}
	a.waitOutboxDone(30 * time.Second)

	// Recorded as such.
	if n := a.count(`SELECT count(*) FROM conferences c JOIN consents k ON k.id = c.consent_id
		WHERE c.ref = 'CC-0001' AND k.method = 'none' AND k.no_consent_reason = 'risk_to_others'
		AND k.decided_by = 'Sam Lead, service manager' AND k.explanation = 'Threatened staff at the hostel last week'
		AND c.client_attends AND c.client_absence IS NULL`); n != 1 {
		t.Errorf("CC-0001 is not recorded as without consent, risk of serious harm to others")
	}
	if n := a.count(`SELECT count(*) FROM conferences c JOIN consents k ON k.id = c.consent_id
		WHERE c.ref = 'CC-0002' AND NOT c.client_attends AND c.client_absence = 'intoxicated_permission'
		AND c.client_told_how = 'Key worker visit the next morning' AND c.client_absence_reason IS NULL
		AND k.method = 'written' AND c.consent_checked`); n != 1 {
		t.Errorf("CC-0002 is not recorded as the client absent, too intoxicated, with consent checked")
	}

	// The DPO is told of the first only: the basis and who decided, nothing about the client.
	var dpo []string
	for _, c := range a.slack.CallsTo("chat.postMessage") {
		if c.Params.Get("channel") == "U0DPO" {
			dpo = append(dpo, c.Params.Get("blocks"))
		}
	}
	if len(dpo) != 1 {
		t.Fatalf("the DPO got %d DMs, want 1 (the conference without consent only)", len(dpo))
	}
	for _, want := range []string{"CC-0001", "Risk of serious harm to others", "Sam Lead, service manager"} {
		if !strings.Contains(dpo[0], want) {
			t.Errorf("the DPO's DM lacks %q: %s", want, dpo[0])
		}
	}
	for _, never := range []string{"CC-0002", "JS-4411", "Jane Smith", "Threatened"} {
		if strings.Contains(dpo[0], never) {
			t.Errorf("the DPO's DM says %q: %s", never, dpo[0])
		}
	}

	// What the case manager reads.
	show := func(ref string) string {
		return string(mustJSON(t, decodeReply(t, a.command("U0CM", "show "+ref).Payload).Blocks))
	}
	if got := show("CC-0001"); !strings.Contains(got, "No consent.* Shared on the basis: Risk of serious harm to others") ||
		!strings.Contains(got, "Sam Lead, service manager") || !strings.Contains(got, "The client will attend") {
		t.Errorf("show CC-0001: %s", got)
	}
	if got := show("CC-0002"); !strings.Contains(got, "The client will not attend:* They are too intoxicated to take part, and had given permission") ||
		!strings.Contains(got, "Key worker visit the next morning") || !strings.Contains(got, "signed consent form") ||
		!strings.Contains(got, "Checked with the client that they agree to this meeting and these services") {
		t.Errorf("show CC-0002: %s", got)
	}
	// And the GP's invitation, once they accept the agreement, words the
	// absence too.
	a.accept("CC-0002", "U0GP", "Surgery", "health_gp")
	said := false
	for _, c := range a.slack.CallsTo("chat.update") {
		said = said || strings.Contains(c.Params.Get("blocks"), "They are too intoxicated to take part, and had given permission")
	}
	if !said {
		t.Errorf("the GP's invitation does not say the client is too intoxicated to take part")
	}
}

// A database from before 0018, holding conferences under every old
// value, migrated with `caseconf migrate`: serve shows each as it was
// meant, in the new terms.
func TestMigratedConferencesKeepTheirMeaning(t *testing.T) {
	t.Parallel()
	dsn := testdb.NewEmpty(t)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%v: %s", err, q)
		}
	}
	// The schema as 0017 left it, recorded as applied.
	exec(`CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
	files, err := filepath.Glob("../../store/migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v", err)
	}
	sort.Strings(files)
	for _, f := range files {
		name := filepath.Base(f)
		if name >= "0018" {
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations (name) VALUES ($1)`, name)
	}
	// Old conferences: (consent, old reason, attends).
	olds := []struct{ method, reason string }{
		{"none", "prison_or_hospital_agreed"}, // CC-0001
		{"none", "risk_of_violence"},          // CC-0002
		{"written", ""},                       // CC-0003
		{"none", "professionals_only"},        // CC-0004
		{"none", "lacks_capacity"},            // CC-0005
		{"none", "cannot_locate_welfare"},     // CC-0006
		{"verbal", ""},                        // CC-0007
	}
	for i, o := range olds {
		var given, until, reason, why any
		if o.method != "none" {
			given, until = "2026-10-01", "2027-04-01"
		} else {
			reason, why = o.reason, "Explained then"
		}
		exec(`WITH cl AS (INSERT INTO clients (reference, case_manager_id) VALUES ('JS-'||$1, 'U0CM') RETURNING id),
			k AS (INSERT INTO consents (client_id, method, given_on, valid_until, no_consent_reason, explanation, agency_kinds, recorded_by, recorded_at)
				SELECT id, $2, $3::date, $4::date, $5, $6, '{health_gp}', 'U0CM', '2026-10-20 12:00+00' FROM cl RETURNING id, client_id)
			INSERT INTO conferences (ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id, starts_at, duration_minutes,
				place, purpose, client_attends, client_absence_reason, client_told_how)
			SELECT 'CC-000'||$1, client_id, id, 'U0CM', 'U0CM', 'U0CM', '2026-11-25 10:00+00', 60, 'Surgery', 'Plan', false,
				'Typed reason '||$1, 'Key worker visit' FROM k`, i+1, o.method, given, until, reason, why)
	}
	exec(`SELECT setval('conference_ref_seq', 7)`)

	env := map[string]string{"DATABASE_URL": dsn, "LOG_FORMAT": "text"}
	if code, stdout, stderr := runCLI(t, env, "migrate"); code != 0 || !strings.Contains(stdout, "0018") {
		t.Fatalf("migrate: code %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	a := startAppOn(t, dsn, nil, nil)
	show := func(ref string) string {
		return string(mustJSON(t, decodeReply(t, a.command("U0CM", "show "+ref).Payload).Blocks))
	}
	for ref, wants := range map[string][]string{
		"CC-0001": {"verbal consent for this meeting, given 20 Oct 2026", "They are in an institution (prison, hospital) and gave permission",
			"Why, as typed when it was called:* Typed reason 1"},
		"CC-0002": {"No consent.* Shared on the basis: Risk of serious harm to others", "Decided by:* recorded before ", " by U0CM",
			"Why:* Explained then", "There is an identified risk of violent behaviour at the meeting"},
		"CC-0003": {"signed consent form, given 1 Oct 2026", "Not checked with the client for this meeting: Not asked: recorded before",
			"no circumstance of the policy recorded (called before the form asked for one)", "Typed reason 3"},
		"CC-0004": {"No basis for sharing without consent was recorded", "A professionals-only meeting before the main one"},
		"CC-0005": {"Client lacks capacity to consent; sharing is in their best interests", "They are not capable of giving permission"},
		"CC-0006": {"Client cannot be found and there are concerns for their welfare", "They cannot be located, and there are concerns for their welfare"},
		"CC-0007": {"verbal consent for this meeting, given 1 Oct 2026", "no circumstance of the policy recorded", "Typed reason 7"},
	} {
		got := show(ref)
		for _, want := range wants {
			if !strings.Contains(got, want) {
				t.Errorf("show %s lacks %q: %s", ref, want, got)
			}
		}
		for _, old := range []string{"prison_or_hospital", "professionals_only", "lacks_capacity", "risk_of_violence", "cannot_locate"} {
			if strings.Contains(got, old) {
				t.Errorf("show %s shows the old code %s", ref, old)
			}
		}
	}
}
