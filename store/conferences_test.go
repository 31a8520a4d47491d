package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func fixedClock(s *store.DB, at *time.Time) { s.Now = func() time.Time { return *at } }

func schedule(caseManager string, invitees ...string) store.NewConference {
	return store.NewConference{
		CaseManagerID: caseManager,
		Schedule: caseconf.Schedule{
			ClientRef: "JS-4411", Reasons: []string{"complex_health"}, Purpose: "Keep the tenancy",
			StartsAt: t0.Add(14 * 24 * time.Hour), LengthMinutes: 60, Place: "Surgery",
			SlackInvitees: invitees, Chair: caseManager, MinuteTaker: caseManager, ClientAttends: true,
			External: []caseconf.ExternalInvitee{{Name: "Dr Patel", Role: "GP", Agency: "Church St", AgencyKind: "health_gp"}},
			Consent: caseconf.Consent{Method: caseconf.ConsentWritten, GivenOn: t0.AddDate(0, -1, 0),
				ValidUntil: t0.AddDate(0, 5, 0), AgencyKinds: []string{"health_gp", "housing"}},
		},
	}
}

// scheduleFor is schedule for a client of the case manager's own with
// reference ref: a reference another case manager's client has is
// refused (one client is one person).
func scheduleFor(caseManager, ref string, invitees ...string) store.NewConference {
	n := schedule(caseManager, invitees...)
	n.ClientRef = ref
	return n
}

func create(t *testing.T, s *store.DB, n store.NewConference) *caseconf.Conference {
	t.Helper()
	c, created, err := s.CreateConference(context.Background(), n)
	if err != nil || !created {
		t.Fatalf("CreateConference = %v, created %v", err, created)
	}
	return c
}

func inviteeFor(t *testing.T, c *caseconf.Conference, user string) *caseconf.Invitee {
	t.Helper()
	inv := c.InviteeFor(user)
	if inv == nil {
		t.Fatalf("no invitee %s", user)
	}
	return inv
}

func TestCreateConference(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)

	c := create(t, s, schedule("U0CM", "U0GP", "U0SW"))
	if c.Ref != "CC-0001" || c.ClientRef != "JS-4411" || len(c.Invitees) != 3 {
		t.Fatalf("created %s for %s with %d invitees", c.Ref, c.ClientRef, len(c.Invitees))
	}
	if c.Invitees[2].OnSlack() || c.Invitees[2].Name != "Dr Patel" {
		t.Errorf("external invitee not last or wrong: %+v", c.Invitees[2])
	}
	if !c.Consent.Covers("housing") || c.Consent.ValidUntil.Format(caseconf.DateLayout) != "2027-04-02" {
		t.Errorf("consent = %+v", c.Consent)
	}

	t.Run("SameClientReferenceReusesClient", func(t *testing.T) {
		c2 := create(t, s, schedule("U0CM", "U0GP"))
		if c2.ClientID != c.ClientID || c2.Ref != "CC-0002" {
			t.Fatalf("second conference: client %d (first %d), ref %s", c2.ClientID, c.ClientID, c2.Ref)
		}
	})
	t.Run("SameSubmissionTwiceCreatesOnce", func(t *testing.T) {
		n := schedule("U0CM", "U0GP")
		n.SourceKey = "view:V1:hash1"
		first, created, err := s.CreateConference(ctx, n)
		if err != nil || !created {
			t.Fatal(err)
		}
		again, created, err := s.CreateConference(ctx, n)
		if err != nil || created || again.ID != first.ID {
			t.Fatalf("resubmission: created %v, id %d vs %d, err %v", created, again.ID, first.ID, err)
		}
	})
	t.Run("SameSubmissionFromAnotherUserRefused", func(t *testing.T) {
		n := schedule("U0CM", "U0GP")
		n.SourceKey = "view:V2"
		if _, _, err := s.CreateConference(ctx, n); err != nil {
			t.Fatal(err)
		}
		forged := schedule("U0OUT", "U0OUT")
		forged.SourceKey = "view:V2"
		got, created, err := s.CreateConference(ctx, forged)
		if caseconf.ErrorCode(err) != caseconf.ECONFLICT || got != nil || created {
			t.Fatalf("another user's resubmission = %v, %v, %v; want a conflict and nothing", got, created, err)
		}
	})
	t.Run("AuditsCreation", func(t *testing.T) {
		trail, err := s.AuditFor(ctx, c.ID)
		if err != nil || len(trail) == 0 || trail[0].Action != "conference.create" || trail[0].ActorID != "U0CM" || trail[0].ClientID != c.ClientID {
			t.Fatalf("audit trail = %+v, %v", trail, err)
		}
	})
}

func TestConcurrentCreatesGetDistinctRefs(t *testing.T) {
	s := testdb.Open(t)
	const n = 8
	refs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c, _, err := s.CreateConference(context.Background(), scheduleFor(fmt.Sprintf("U0CM%d", i), fmt.Sprintf("JS-%d", i), "U0GP"))
			if err != nil {
				t.Error(err)
				return
			}
			refs[i] = c.Ref
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r] {
			t.Fatalf("reference %s given twice: %v", r, refs)
		}
		seen[r] = true
	}
}

func TestVisibility(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	c := create(t, s, schedule("U0CM", "U0GP"))
	gp := inviteeFor(t, c, "U0GP")

	code := func(v caseconf.Viewer) string {
		_, err := s.ConferenceByRef(ctx, c.Ref, v, "conference.show")
		return caseconf.ErrorCode(err)
	}
	if got := code(caseconf.Viewer{UserID: "U0CM"}); got != "" {
		t.Errorf("case manager: %s", got)
	}
	if got := code(caseconf.Viewer{UserID: "U0OUT"}); got != caseconf.ENOTFOUND {
		t.Errorf("outsider: %q, want not found", got)
	}
	if got := code(caseconf.Viewer{UserID: "U0OUT", Admin: true}); got != "" {
		t.Errorf("admin: %s", got)
	}
	if got := code(caseconf.Viewer{UserID: "U0GP"}); got != caseconf.ENOTFOUND {
		t.Errorf("invitee before accepting: %q, want not found", got)
	}
	if _, _, err := s.Invitation(ctx, gp.ID, "U0GP", "invitation.open"); err != nil {
		t.Errorf("invitee reading their own invitation: %v", err)
	}
	if _, _, err := s.Invitation(ctx, gp.ID, "U0OUT", "invitation.open"); caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
		t.Errorf("outsider reading someone's invitation: %v", err)
	}
	if _, _, err := s.AcceptAgreement(ctx, gp.ID, "U0GP", &store.AgencyAnswer{Agency: "Church St", Kind: "health_gp"}); err != nil {
		t.Fatal(err)
	}
	if got := code(caseconf.Viewer{UserID: "U0GP"}); got != "" {
		t.Errorf("invitee after accepting: %s", got)
	}
	_, missing := s.ConferenceByRef(ctx, "CC-9999", caseconf.Viewer{UserID: "U0OUT"}, "conference.show")
	_, hidden := s.ConferenceByRef(ctx, c.Ref, caseconf.Viewer{UserID: "U0OUT"}, "conference.show")
	if missing.Error() != hidden.Error() {
		t.Errorf("a hidden conference reads %q, a missing one %q: they must be the same", hidden, missing)
	}
	if _, err := s.ConferenceByRef(ctx, "cc-0001", caseconf.Viewer{UserID: "U0CM"}, "conference.show"); err != nil {
		t.Errorf("lower-case reference: %v", err)
	}
}

func TestResponses(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	c := create(t, s, schedule("U0CM", "U0GP"))
	gp := inviteeFor(t, c, "U0GP")

	if _, _, _, err := s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerAttending, ""); caseconf.ErrorCode(err) != caseconf.ENOTREADY {
		t.Fatalf("answer before the agreement: %v, want not ready", err)
	}
	if _, _, err := s.AcceptAgreement(ctx, gp.ID, "U0GP", nil); caseconf.ErrorCode(err) != caseconf.EINVALID {
		t.Fatalf("accepting with no agency known: %v, want invalid", err)
	}
	if _, _, err := s.AcceptAgreement(ctx, gp.ID, "U0GP", &store.AgencyAnswer{Agency: "Church St", Kind: "health_gp"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AcceptAgreement(ctx, gp.ID, "U0GP", &store.AgencyAnswer{Agency: "Elsewhere", Kind: "probation_police"}); err != nil {
		t.Fatalf("accepting again: %v", err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM audit_log WHERE action = 'agreement.accept'`); n != 1 {
		t.Fatalf("accepting twice wrote %d audit rows, want 1", n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM invitees WHERE id = $1 AND agency_kind = 'health_gp'`, gp.ID); n != 1 {
		t.Fatal("accepting again changed the recorded agency")
	}
	if _, _, _, err := s.RecordResponse(ctx, gp.ID, "U0OUT", caseconf.AnswerAttending, ""); caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
		t.Fatalf("someone else answering: %v, want not found", err)
	}
	_, inv, changed, err := s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerAttending, "")
	if err != nil || !changed || inv.Response.Answer != caseconf.AnswerAttending {
		t.Fatalf("attending: %v, %+v", err, inv)
	}
	_, inv, changed, err = s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerAttending, "")
	if err != nil || changed || inv.Response.Answer != caseconf.AnswerAttending {
		t.Fatalf("the same answer again: changed %v, %v, %+v; want no change", changed, err, inv)
	}
	now = now.Add(time.Hour)
	_, inv, changed, err = s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerColleague, "Sam Jones, practice nurse")
	if err != nil || !changed || inv.Response.Answer != caseconf.AnswerColleague || inv.Response.Colleague != "Sam Jones, practice nurse" {
		t.Fatalf("changed answer: %v, %+v", err, inv)
	}
	if _, _, _, err := s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerColleague, ""); caseconf.ErrorCode(err) != caseconf.EINVALID {
		t.Fatalf("colleague without a name: %v", err)
	}
	var n int
	if err := s.SQL().GetContext(ctx, &n, `SELECT count(*) FROM responses WHERE invitee_id = $1`, gp.ID); err != nil || n != 2 {
		t.Fatalf("responses kept = %d, want both different answers, once each", n)
	}
	now = c.StartsAt
	if _, _, _, err := s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerApologies, ""); caseconf.ErrorCode(err) != caseconf.ECONFLICT {
		t.Fatalf("answer once the meeting started: %v, want conflict", err)
	}

	t.Run("AgencyRememberedForNextInvitation", func(t *testing.T) {
		c2 := create(t, s, schedule("U0CM", "U0GP"))
		if inv := inviteeFor(t, c2, "U0GP"); inv.AgencyKind != "health_gp" || inv.Agency != "Church St" {
			t.Fatalf("agency not remembered: %+v", inv)
		}
	})
}

func TestCancel(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	c := create(t, s, schedule("U0CM", "U0GP"))
	gp := inviteeFor(t, c, "U0GP")
	if _, _, err := s.AcceptAgreement(ctx, gp.ID, "U0GP", &store.AgencyAnswer{Agency: "x", Kind: "health_gp"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CancelConference(ctx, c.ID, caseconf.Viewer{UserID: "U0OUT"}, "no"); caseconf.ErrorCode(err) != caseconf.ENOTFOUND {
		t.Errorf("outsider cancelling: %v", err)
	}
	if _, err := s.CancelConference(ctx, c.ID, caseconf.Viewer{UserID: "U0GP"}, "no"); caseconf.ErrorCode(err) != caseconf.EFORBIDDEN {
		t.Errorf("invitee cancelling: %v", err)
	}
	got, err := s.CancelConference(ctx, c.ID, caseconf.Viewer{UserID: "U0CM"}, "Client housed")
	if err != nil || got.Status != caseconf.StatusCancelled || got.CancelReason != "Client housed" {
		t.Fatalf("cancel: %v %+v", err, got)
	}
	if _, err := s.CancelConference(ctx, c.ID, caseconf.Viewer{UserID: "U0CM"}, "again"); caseconf.ErrorCode(err) != caseconf.ECONFLICT {
		t.Errorf("cancelling twice: %v", err)
	}
}

func TestUpcoming(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	later := schedule("U0CM", "U0GP")
	later.StartsAt = t0.Add(30 * 24 * time.Hour)
	sooner := scheduleFor("U0OTHER", "KB-2200", "U0GP")
	sooner.StartsAt = t0.Add(20 * 24 * time.Hour)
	past := schedule("U0CM")
	past.StartsAt = t0.Add(-time.Hour)
	notMine := scheduleFor("U0OTHER", "KB-2200", "U0SW")
	cl := create(t, s, later)
	cs := create(t, s, sooner)
	create(t, s, past)
	create(t, s, notMine)

	got, err := s.Upcoming(ctx, "U0GP", t0, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != cs.ID || got[1].ID != cl.ID {
		t.Fatalf("U0GP's list = %+v, want the two they are invited to, soonest first", got)
	}
	if got[0].Me() == nil || got[0].Me().Accepted() || got[0].Roles("U0GP")[0] != caseconf.RoleInvitee {
		t.Errorf("entry = %+v", got[0])
	}
	mine, err := s.Upcoming(ctx, "U0CM", t0, 20)
	if err != nil || len(mine) != 1 || mine[0].Roles("U0CM")[0] != caseconf.RoleCaseManager {
		t.Fatalf("U0CM's list = %+v, %v (past conference must not be listed)", mine, err)
	}
	var lists []struct {
		Actor  string `db:"actor_id"`
		Detail string `db:"detail"`
	}
	if err := s.SQL().SelectContext(ctx, &lists, `SELECT actor_id, detail FROM audit_log WHERE action = 'conference.list' ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(lists) != 2 || lists[0].Actor != "U0GP" || lists[0].Detail != fmt.Sprintf("conferences %d,%d", cs.ID, cl.ID) {
		t.Fatalf("list audit rows = %+v, want one per list naming its conferences by numeric ID", lists)
	}
}

func TestReferencesPastCC9999(t *testing.T) {
	s := testdb.Open(t)
	if _, err := s.SQL().Exec(`SELECT setval('conference_ref_seq', 9998)`); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CC-9999", "CC-10000", "CC-10001"} {
		if c := create(t, s, schedule("U0CM", "U0GP")); c.Ref != want {
			t.Fatalf("ref = %s, want %s", c.Ref, want)
		}
	}
}

func countRows(t *testing.T, s *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.SQL().GetContext(context.Background(), &n, query, args...); err != nil {
		t.Fatal(err)
	}
	return n
}
