package main

import (
	"context"
	"strings"
	"testing"
)

// Gaps and blocks, end to end, on a scenario seeded straight into the
// database (testNow is Monday 2 November 2026: the default period is
// 2 August to 2 November 2026).

const gapsSeed = `
INSERT INTO clients (id, reference, case_manager_id) VALUES (901, 'AB-1', 'U0CM'), (902, 'CD-2', 'U0CM2');
INSERT INTO user_agencies (slack_user_id, agency, agency_kind) VALUES ('U0HOU', 'Housing', 'housing');
INSERT INTO conferences (id, ref, client_id, case_manager_id, chair_id, minute_taker_id, starts_at, duration_minutes, status) VALUES
	(901, 'CC-0901', 901, 'U0CM', 'U0CHAIR', 'U0MIN', '2026-10-01 10:00+00', 60, 'held'),
	(902, 'CC-0902', 901, 'U0CM', 'U0CHAIR', 'U0MIN', '2026-10-10 10:00+00', 60, 'cancelled'),
	(903, 'CC-0903', 901, 'U0CM', 'U0CHAIR', 'U0MIN', '2026-07-01 10:00+00', 60, 'held'),
	(904, 'CC-0904', 902, 'U0CM2', 'U0CHAIR', 'U0MIN', '2026-10-01 10:00+00', 60, 'held');
INSERT INTO invitees (id, conference_id, slack_user_id, name, agency) VALUES
	(901, 901, 'U0GP', '', 'GP surgery'),
	(902, 901, 'U0SW', '', 'Adult social care'),
	(903, 901, 'U0PROB', '', 'Probation'),
	(904, 901, 'U0HOU', '', ''),
	(905, 901, NULL, 'Dr Who', 'GP surgery'),
	(906, 902, 'U0GP', '', 'GP surgery'),
	(907, 903, 'U0GP', '', 'GP surgery'),
	(908, 904, 'U0GP', '', 'GP surgery');
INSERT INTO responses (invitee_id, answer, responded_at) VALUES
	(902, 'attending', '2026-09-20 10:00+00'), (902, 'apologies', '2026-09-21 10:00+00'),
	(903, 'apologies', '2026-09-21 10:00+00'),
	(904, 'attending', '2026-09-21 10:00+00');
INSERT INTO reports (conference_id, invitee_id, author_id) VALUES (901, 903, 'U0PROB');
INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, owner_name, owner_agency, due_on, status) VALUES
	(901, 'Care', 'Review the package', 'U0SW', '', '', '2026-10-20', 'open'),
	(901, 'Housing', 'Call the landlord', NULL, 'Ann Lee', 'Housing', '2026-09-15', 'open'),
	(901, 'Health', 'Book a review', 'U0GP', '', '', '2026-11-10', 'open'),
	(901, 'Care', 'Assessment', 'U0SW', '', '', '2026-09-01', 'done'),
	(901, 'Health', 'Bloods', 'U0GP', '', '', '2026-10-05', 'open'),
	(903, 'Health', 'Old', 'U0GP', '', '', '2026-07-15', 'open');
`

func TestGapsFiguresMatchTheSeededScenario(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	if _, err := a.main.DB.SQL().ExecContext(context.Background(), gapsSeed); err != nil {
		t.Fatal(err)
	}

	// Someone who is neither an administrator nor a case manager: a clear
	// refusal, nothing sent.
	if reply := decodeReply(t, a.command("U0GP", "gaps").Payload).Text; !strings.Contains(reply, "Only administrators, and case managers for their own clients") {
		t.Errorf("a practitioner's gaps: %q", reply)
	}
	// A bad date: a clear message, nothing else.
	if reply := decodeReply(t, a.command("U0ADMIN", "gaps 2026-13-01").Payload).Text; !strings.Contains(reply, `"2026-13-01" is not a date`) {
		t.Errorf("a bad date: %q", reply)
	}
	if reply := decodeReply(t, a.command("U0ADMIN", "gaps 2026-11-01 2026-10-01").Payload).Text; !strings.Contains(reply, "starts (2026-11-01) after it ends (2026-10-01)") {
		t.Errorf("a backwards period: %q", reply)
	}
	if n := len(a.fileUploads()) + a.count(`SELECT count(*) FROM audit_log WHERE action = 'gaps.read'`); n != 0 {
		t.Fatalf("refused gaps uploaded or audited %d things", n)
	}

	// The administrator: every client's conferences.
	_, reply := a.commandReply("U0ADMIN", "gaps")
	if !strings.Contains(reply, "2 Aug 2026 to 2 Nov 2026 (3 agencies)") {
		t.Errorf("admin's gaps answered %q", reply)
	}
	ups, err := a.waitFileUploads(ctxFor(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	want := "agency,from,to,not_answered,without_report,actions_overdue,actions_overdue_over_28_days,not_involved\n" +
		"Housing,2026-08-02,2026-11-02,0,0,1,1,0\n" +
		"GP surgery,2026-08-02,2026-11-02,3,0,1,0,0\n" +
		"Adult social care,2026-08-02,2026-11-02,0,1,1,0,0\n"
	if got := string(ups[0].Content); got != want || ups[0].Filename != "gaps-2026-08-02-to-2026-11-02.csv" {
		t.Errorf("CSV %s:\n%s\nwant\n%s", ups[0].Filename, got, want)
	}
	var table string
	for _, c := range a.slack.CallsTo("chat.postMessage") {
		if c.Params.Get("channel") == "U0ADMIN" {
			table = c.Params.Get("blocks")
		}
	}
	for _, line := range []string{"Housing                           0       0       1     1", "GP surgery                        3       0       1     0"} {
		if !strings.Contains(table, line) {
			t.Errorf("the DM's table lacks %q:\n%s", line, table)
		}
	}

	// The case manager of the first client only: their own conferences.
	_, reply = a.commandReply("U0CM", "gaps 2026-08-02 2026-11-02")
	if !strings.Contains(reply, "(3 agencies)") {
		t.Errorf("case manager's gaps answered %q", reply)
	}
	ups, err = a.waitFileUploads(ctxFor(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(ups[1].Content); !strings.Contains(got, "\nGP surgery,2026-08-02,2026-11-02,2,0,1,0,0\n") || ups[1].Channel == ups[0].Channel {
		t.Errorf("case manager's CSV in %s:\n%s", ups[1].Channel, got)
	}
	if n := a.count(`SELECT count(*) FROM audit_log WHERE action = 'gaps.read' AND client_id IS NULL`); n != 2 {
		t.Errorf("gaps audited %d times, want 2", n)
	}
}

// Gaps with bad dates: a usage error, no DM, no upload.
func TestGapsBadDates(t *testing.T) {
	t.Parallel()
	a := startApp(t, map[string]string{"CASECONF_ADMINS": "U0ADMIN"})
	a.heldConference()
	for _, args := range []string{"gaps 2026-13-01", "gaps 2026-11-30 2026-11-01", "gaps a b c", "gaps 2026-02-30", "gaps 01-11-2026"} {
		r := decodeReply(t, a.command("U0CM", args).Payload).Text
		if !strings.Contains(r, "date") && !strings.Contains(r, "Usage") && !strings.Contains(r, "after it ends") {
			t.Errorf("%q answered %q", args, r)
		}
	}
	if u := len(a.fileUploads()); u != 0 {
		t.Errorf("bad gaps commands uploaded %d files", u)
	}
}
