package store_test

import (
	"context"
	"testing"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// readingFixture is a conference with the GP (covered; can't attend,
// report sent), a housing officer (covered, attending) and a probation
// officer (not covered, attending), and a report the probation officer
// could never have written (put straight into the table).
func readingFixture(t *testing.T, s *store.DB) *caseconf.Conference {
	t.Helper()
	ctx := context.Background()
	now := t0
	fixedClock(s, &now)
	c := create(t, s, schedule("U0CM", "U0GP", "U0HOU", "U0PROB"))
	for user, a := range map[string]struct {
		kind   string
		answer caseconf.Answer
	}{"U0GP": {"health_gp", caseconf.AnswerApologies}, "U0HOU": {"housing", caseconf.AnswerAttending}, "U0PROB": {"probation_police", caseconf.AnswerAttending}} {
		id := inviteeFor(t, c, user).ID
		if _, _, err := s.AcceptAgreement(ctx, id, user, &store.AgencyAnswer{Agency: "x", Kind: a.kind}); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := s.RecordResponse(ctx, id, user, a.answer, ""); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SaveReport(ctx, inviteeFor(t, c, "U0GP").ID, "U0GP", report("weight loss"), "view:V1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SQL().ExecContext(ctx, `INSERT INTO reports (conference_id, invitee_id, author_id, author_agency, author_role,
			involvement, recent_contact, concerns, recommendations, submitted_at, updated_at, revision)
		VALUES ($1, $2, 'U0PROB', 'Probation', 'PO', 'x', 'x', 'forged', 'x', now(), now(), 1)`, c.ID, inviteeFor(t, c, "U0PROB").ID); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConferenceReportsFollowTheRule(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	c := readingFixture(t, s)
	for name, tt := range map[string]struct {
		v       caseconf.Viewer
		reports int
		err     string
	}{
		"CaseManager":    {caseconf.Viewer{UserID: "U0CM"}, 1, ""},
		"CoveredAttends": {caseconf.Viewer{UserID: "U0HOU"}, 1, ""},
		"CantAttend":     {caseconf.Viewer{UserID: "U0GP"}, 0, ""},
		"NotCovered":     {caseconf.Viewer{UserID: "U0PROB"}, 0, ""},
		"Admin":          {caseconf.Viewer{UserID: "U0ADMIN", Admin: true}, 0, ""},
		"Outsider":       {caseconf.Viewer{UserID: "U0OUT"}, 0, caseconf.ENOTFOUND},
	} {
		t.Run(name, func(t *testing.T) {
			got, reports, err := s.ConferenceReportsByRef(ctx, c.Ref, tt.v, "conference.show")
			if caseconf.ErrorCode(err) != tt.err {
				t.Fatalf("err = %v, want %q", err, tt.err)
			}
			if len(reports) != tt.reports {
				t.Fatalf("%d reports, want %d", len(reports), tt.reports)
			}
			if tt.reports > 0 && (reports[0].Concerns != "weight loss" || reports[0].AuthorID != "U0GP") {
				t.Errorf("report = %+v", reports[0])
			}
			if err == nil && got.ReportsReceived() != 2 {
				t.Errorf("ReportsReceived = %d, want the two rows", got.ReportsReceived())
			}
			reads := countRows(t, s, `SELECT count(*) FROM audit_log WHERE action = 'report.read' AND actor_id = $1 AND conference_id = $2
				AND detail NOT LIKE '%weight%'`, tt.v.UserID, c.ID)
			if want := min(tt.reports, 1); reads != want {
				t.Errorf("%d report reads audited, want %d", reads, want)
			}
		})
	}
	if _, reports, err := s.ConferenceReportsByID(ctx, c.ID, caseconf.Viewer{UserID: "U0CM"}, "report.list"); err != nil || len(reports) != 1 {
		t.Fatalf("by ID: %d reports, %v", len(reports), err)
	}
}

// The SQL filter of someone's open actions agrees with
// caseconf.OnActionList, and OpenActions lists them soonest first.
func TestOpenActionsFollowTheRule(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	c := readingFixture(t, s)
	other := create(t, s, scheduleFor("U0CM2", "KB-2200", "U0GP"))
	if _, _, err := s.AcceptAgreement(ctx, inviteeFor(t, other, "U0GP").ID, "U0GP", &store.AgencyAnswer{Agency: "x", Kind: "health_gp"}); err != nil {
		t.Fatal(err)
	}
	ins := func(conf int64, owner any, name, due string) int64 {
		var id int64
		if err := s.SQL().GetContext(ctx, &id, `INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, owner_name, due_on)
			VALUES ($1, 'Health', 'x', $2, $3, $4) RETURNING id`, conf, owner, name, due); err != nil {
			t.Fatal(err)
		}
		return id
	}
	gpLater := ins(c.ID, "U0GP", "", "2026-12-10")
	gpSooner := ins(other.ID, "U0GP", "", "2026-12-01")
	offSlack := ins(c.ID, nil, "Ann Lee", "2026-11-30")
	ins(c.ID, "U0HOU", "", "2026-11-20")
	done := ins(c.ID, "U0GP", "", "2026-11-01")
	if _, err := s.SQL().ExecContext(ctx, `UPDATE actions SET status = 'done' WHERE id = $1`, done); err != nil {
		t.Fatal(err)
	}
	outsider := ins(c.ID, "U0OUT", "", "2026-11-25") // owned by someone who may not see it

	want := map[string][]int64{"U0GP": {gpSooner, gpLater}, "U0CM": {offSlack}, "U0CM2": nil, "U0PROB": nil, "U0OUT": nil}
	for user, ids := range want {
		t.Run(user, func(t *testing.T) {
			v := caseconf.Viewer{UserID: user}
			got, total, err := s.OpenActions(ctx, v, 10)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []int64
			for _, o := range got {
				gotIDs = append(gotIDs, o.Action.ID)
				if !caseconf.OnActionList(o.Conference, o.Action, v) {
					t.Errorf("action %d listed against the rule", o.Action.ID)
				}
			}
			if len(gotIDs) != len(ids) || total != len(ids) {
				t.Fatalf("listed %v (total %d), want %v", gotIDs, total, ids)
			}
			for i := range ids {
				if gotIDs[i] != ids[i] {
					t.Fatalf("listed %v, want %v", gotIDs, ids)
				}
			}
			if n := countRows(t, s, `SELECT count(*) FROM audit_log WHERE action = 'action.list' AND actor_id = $1`, user); (n > 0) != (len(ids) > 0) {
				t.Errorf("%d list reads audited for %d actions", n, len(ids))
			}
		})
	}
	if got, total, _ := s.OpenActions(ctx, caseconf.Viewer{UserID: "U0GP"}, 1); len(got) != 1 || total != 2 || got[0].Action.ID != gpSooner {
		t.Errorf("limit 1: %d listed of %d", len(got), total)
	}
	// The SQL filter alone, for every viewer and action.
	for _, user := range []string{"U0GP", "U0CM", "U0CM2", "U0HOU", "U0PROB", "U0OUT", "U0ADMIN"} {
		v := caseconf.Viewer{UserID: user, Admin: user == "U0ADMIN"}
		for _, id := range []int64{gpLater, gpSooner, offSlack, done, outsider} {
			a, err := s.ActionSnapshot(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			conf, err := s.ConferenceSnapshot(ctx, a.ConferenceID)
			if err != nil {
				t.Fatal(err)
			}
			n := countRows(t, s, `SELECT count(*) FROM actions a JOIN conferences c ON c.id = a.conference_id
				WHERE a.id = $3 AND `+store.OnActionList, v.UserID, v.Admin, id)
			if sql, rule := n == 1, caseconf.OnActionList(conf, a, v); sql != rule {
				t.Errorf("%s, action %d: the SQL filter says %v, caseconf.OnActionList %v", user, id, sql, rule)
			}
		}
	}
}

// The SQL twin of caseconf.ActionChaser (used by the action list and the
// Home) agrees with it, for owners on and off Slack, case managers who
// own an action themselves, and another conference's case manager.
func TestChasedByIsActionChaser(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	c := create(t, s, schedule("U0CM", "U0GP", "U0SW"))
	other := create(t, s, scheduleFor("U0CM2", "KB-2200", "U0GP", "U0CM"))
	ins := func(conf int64, owner any, name string) int64 {
		var id int64
		if err := s.SQL().GetContext(ctx, &id, `INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, owner_name, due_on)
			VALUES ($1, 'Health', 'x', $2, $3, '2026-12-01') RETURNING id`, conf, owner, name); err != nil {
			t.Fatal(err)
		}
		return id
	}
	ids := []int64{
		ins(c.ID, "U0GP", ""), ins(c.ID, nil, "Ann Lee"), ins(c.ID, "U0CM", ""), ins(c.ID, "U0SW", ""),
		ins(other.ID, nil, "Bob Ray"), ins(other.ID, "U0CM", ""), ins(other.ID, "U0GP", ""),
	}
	chased := 0
	for _, id := range ids {
		a, err := s.ActionSnapshot(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		conf, err := s.ConferenceSnapshot(ctx, a.ConferenceID)
		if err != nil {
			t.Fatal(err)
		}
		for _, user := range []string{"U0GP", "U0SW", "U0CM", "U0CM2", "U0OUT", ""} {
			n := countRows(t, s, `SELECT count(*) FROM actions a JOIN conferences c ON c.id = a.conference_id
				WHERE a.id = $2 AND `+store.ChasedBy, user, id)
			if sql, rule := n == 1, caseconf.ActionChaser(a.OwnerID, conf.CaseManagerID) == user; sql != rule {
				t.Errorf("%q, action %d (owner %q, case manager %s): the SQL says %v, caseconf.ActionChaser %v",
					user, id, a.OwnerID, conf.CaseManagerID, sql, rule)
			} else if sql {
				chased++
			}
		}
	}
	if chased != len(ids) {
		t.Errorf("%d actions chased by someone in the SQL, want each of the %d by one", chased, len(ids))
	}
}
