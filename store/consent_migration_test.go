package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// Migration 0018 on a copy of a database holding every old value of
// consent (written, verbal, none under each of the five old reasons) and
// of participation (attending, or not with a reason typed in free text):
// each conference means afterwards what it meant before, in the new terms.
func TestMigrationKeepsEveryOldConferencesMeaning(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.NewEmpty(t)
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.MigrateBefore(ctx, "0018"); err != nil {
		t.Fatalf("migrate to 0017: %v", err)
	}
	db := s.SQL()

	type old struct {
		ref, method, reason string
		attends             bool
		startsAt            string
	}
	olds := []old{
		{"CC-0001", "written", "", true, "2026-04-01"},
		{"CC-0002", "written", "", false, "2026-04-01"},
		{"CC-0003", "verbal", "", true, "2026-04-01"},
		{"CC-0004", "verbal", "", false, "2026-04-01"},
		{"CC-0005", "none", "cannot_locate_welfare", false, "2026-04-01"},
		{"CC-0006", "none", "lacks_capacity", false, "2026-04-01"},
		{"CC-0007", "none", "prison_or_hospital_agreed", false, "2026-04-01"},
		{"CC-0008", "none", "professionals_only", false, "2026-04-01"},
		{"CC-0009", "none", "risk_of_violence", false, "2026-04-01"},
		// Old reasons with the client attending all the same.
		{"CC-0010", "none", "risk_of_violence", true, "2026-04-01"},
		{"CC-0011", "none", "prison_or_hospital_agreed", true, "2026-04-01"},
		// Agreed from hospital, meeting more than six months on.
		{"CC-0012", "none", "prison_or_hospital_agreed", false, "2026-12-15"},
	}
	recordedAt := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	ids := map[string]int64{}
	for i, o := range olds {
		var client, consent int64
		if err := db.GetContext(ctx, &client, `INSERT INTO clients (reference, case_manager_id) VALUES ($1, 'U0CM') RETURNING id`,
			"JS-"+o.ref); err != nil {
			t.Fatal(err)
		}
		var given, until, reason, explanation any
		if o.method != "none" {
			given, until = "2026-03-01", "2026-09-01"
		} else {
			reason, explanation = o.reason, "Old explanation "+o.ref
		}
		if err := db.GetContext(ctx, &consent, `INSERT INTO consents (client_id, method, given_on, valid_until, no_consent_reason,
			explanation, agency_kinds, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, '{health_gp,housing}', 'U0CM', $7) RETURNING id`,
			client, o.method, given, until, reason, explanation, recordedAt); err != nil {
			t.Fatal(err)
		}
		var why, told any
		if !o.attends {
			why, told = "Typed reason "+o.ref, "Key worker visit "+o.ref
		}
		var id int64
		if err := db.GetContext(ctx, &id, `INSERT INTO conferences (ref, client_id, consent_id, case_manager_id, chair_id, minute_taker_id,
			starts_at, duration_minutes, place, purpose, client_attends, client_absence_reason, client_told_how, created_at)
			VALUES ($1, $2, $3, 'U0CM', 'U0CM', 'U0CM', $4::date + time '10:00', 60, 'Surgery', 'Plan', $5, $6, $7, $8) RETURNING id`,
			o.ref, client, consent, o.startsAt, o.attends, why, told, recordedAt.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
		ids[o.ref] = id
	}

	if applied, err := s.Migrate(ctx); err != nil || len(applied) == 0 || !strings.HasPrefix(applied[0], "0018") {
		t.Fatalf("migrate: %v, applied %v", err, applied)
	}
	var today string
	if err := db.GetContext(ctx, &today, `SELECT to_char(current_date, 'YYYY-MM-DD')`); err != nil {
		t.Fatal(err)
	}
	decided := "recorded before " + today + " by U0CM"

	type want struct {
		method, basis, decidedBy, explanation string
		given, until                          string // "" for none
		checkLine                             string // for written
		attends                               bool
		absence                               string
	}
	wants := map[string]want{
		"CC-0001": {method: "written", given: "2026-03-01", until: "2026-09-01", checkLine: "Not checked with the client for this meeting: Not asked: recorded before " + today, attends: true},
		"CC-0002": {method: "written", given: "2026-03-01", until: "2026-09-01", checkLine: "Not checked with the client for this meeting: Not asked", absence: ""},
		"CC-0003": {method: "verbal", given: "2026-03-01", until: "2026-09-01", attends: true},
		"CC-0004": {method: "verbal", given: "2026-03-01", until: "2026-09-01"},
		"CC-0005": {method: "none", basis: caseconf.BasisCannotBeFound, decidedBy: decided, explanation: "Old explanation CC-0005", absence: caseconf.AbsenceCannotBeLocated},
		"CC-0006": {method: "none", basis: caseconf.BasisLacksCapacity, decidedBy: decided, explanation: "Old explanation CC-0006", absence: caseconf.AbsenceNotCapable},
		"CC-0007": {method: "verbal", given: "2026-03-10", until: "2026-09-10", explanation: "Old explanation CC-0007", absence: caseconf.AbsenceInstitution},
		"CC-0008": {method: "none", basis: caseconf.BasisNoneRecorded, decidedBy: decided, explanation: "Old explanation CC-0008", absence: caseconf.AbsenceProfessionalsOnly},
		"CC-0009": {method: "none", basis: caseconf.BasisRiskToOthers, decidedBy: decided, explanation: "Old explanation CC-0009", absence: caseconf.AbsenceRiskOfViolence},
		"CC-0010": {method: "none", basis: caseconf.BasisRiskToOthers, decidedBy: decided, explanation: "Old explanation CC-0010", attends: true},
		"CC-0011": {method: "verbal", given: "2026-03-10", until: "2026-09-10", explanation: "Old explanation CC-0011", attends: true},
		"CC-0012": {method: "verbal", given: "2026-03-10", until: "2026-12-15", explanation: "Old explanation CC-0012", absence: caseconf.AbsenceInstitution},
	}
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(caseconf.DateLayout)
	}
	for _, o := range olds {
		w := wants[o.ref]
		c, err := s.ConferenceSnapshot(ctx, ids[o.ref])
		if err != nil {
			t.Fatalf("%s: %v", o.ref, err)
		}
		k := c.Consent
		if k.Method != w.method || k.NoConsentReason != w.basis || k.DecidedBy != w.decidedBy || k.Explanation != w.explanation ||
			day(k.GivenOn) != w.given || day(k.ValidUntil) != w.until {
			t.Errorf("%s (%s %s): consent %s/%s by %q (%q), %s to %s; want %+v", o.ref, o.method, o.reason,
				k.Method, k.NoConsentReason, k.DecidedBy, k.Explanation, day(k.GivenOn), day(k.ValidUntil), w)
		}
		if !strings.HasPrefix(k.CheckLine(), w.checkLine) || (w.checkLine == "") != (k.CheckLine() == "") || k.Checked {
			t.Errorf("%s: this meeting's check %q, want %q", o.ref, k.CheckLine(), w.checkLine)
		}
		if strings.Join(k.AgencyKinds, ",") != "health_gp,housing" {
			t.Errorf("%s: covers %v", o.ref, k.AgencyKinds)
		}
		if c.ClientAttends != w.attends || c.ClientAbsence != w.absence {
			t.Errorf("%s: attends %v, absence %q; want %v, %q", o.ref, c.ClientAttends, c.ClientAbsence, w.attends, w.absence)
		}
		// What was typed is kept, and shown with the conference.
		if !o.attends && (c.ClientAbsenceNote != "Typed reason "+o.ref || c.ClientToldHow != "Key worker visit "+o.ref) {
			t.Errorf("%s: note %q, told %q", o.ref, c.ClientAbsenceNote, c.ClientToldHow)
		}
		// Everything a person reads words the new values: no old code.
		for _, shown := range []string{k.Basis(), caseconf.AbsenceLabel(c.ClientAbsence), k.CheckLine()} {
			for _, code := range []string{"prison_or_hospital_agreed", "professionals_only", "lacks_capacity", "risk_of_violence", "cannot_locate_welfare", "_"} {
				if strings.Contains(shown, code) && !strings.Contains(shown, "health_gp") {
					t.Errorf("%s shows a code: %q", o.ref, shown)
				}
			}
		}
	}
	// The professionals-only meeting is still one: no letter to the client from it.
	pro, _ := s.ConferenceSnapshot(ctx, ids["CC-0008"])
	pro.Status = caseconf.StatusRecorded
	if err := caseconf.CanDraftClientLetter(pro, caseconf.Viewer{UserID: "U0CM"}); caseconf.ErrorCode(err) != caseconf.ECONFLICT {
		t.Errorf("a letter from the migrated professionals-only meeting: %v", err)
	}
	if got := caseconf.NoConsentBasisLabel(pro.Consent.NoConsentReason); !strings.Contains(got, "No basis") {
		t.Errorf("the professionals-only meeting's basis reads %q", got)
	}

	// The old values can no longer be written; a no-consent row needs who decided.
	var client int64
	if err := db.GetContext(ctx, &client, `SELECT id FROM clients LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		`INSERT INTO consents (client_id, method, no_consent_reason, decided_by, recorded_by) VALUES ($1, 'none', 'prison_or_hospital_agreed', 'x', 'U0CM')`,
		`INSERT INTO consents (client_id, method, no_consent_reason, recorded_by) VALUES ($1, 'none', 'risk_to_others', 'U0CM')`,
		`UPDATE conferences SET client_absence = 'in hospital' WHERE client_id = $1`,
		`UPDATE conferences SET client_attends = false, client_absence = 'child_welfare', child_care_manager = NULL WHERE client_id = $1`,
		`UPDATE conferences SET client_attends = true, client_absence = 'not_capable' WHERE client_id = $1`,
	} {
		if _, err := db.ExecContext(ctx, bad, client); err == nil {
			t.Errorf("the database took %s", bad)
		}
	}
}
