package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

func TestReminderFacts(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	c := create(t, s, schedule("U0CM", "U0GP", "U0SW"))
	gp, sw := inviteeFor(t, c, "U0GP"), inviteeFor(t, c, "U0SW")
	for _, inv := range []*caseconf.Invitee{gp, sw} {
		if _, _, err := s.AcceptAgreement(ctx, inv.ID, inv.SlackUserID, &store.AgencyAnswer{Agency: "x", Kind: "health_gp"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerApologies, ""); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.SQL().ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO reports (conference_id, invitee_id, author_id) VALUES ($1, $2, 'U0GP')`, c.ID, gp.ID)
	exec(`INSERT INTO outcomes (conference_id, recorded_by, review_on) VALUES ($1, 'U0CM', '2026-11-20')`, c.ID)
	exec(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on) VALUES ($1, 'Housing', 'Call', 'U0SW', '2026-11-06')`, c.ID)
	exec(`INSERT INTO actions (conference_id, area_of_need, action, owner_slack_id, due_on, status) VALUES ($1, 'Housing', 'Done', 'U0SW', '2026-11-06', 'done')`, c.ID)
	cancelled := create(t, s, schedule("U0CM", "U0GP"))
	if _, err := s.CancelConference(ctx, cancelled.ID, caseconf.Viewer{UserID: "U0CM"}, "no"); err != nil {
		t.Fatal(err)
	}

	f, err := s.ReminderFacts(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Conferences) != 1 || f.Conferences[0].ID != c.ID {
		t.Fatalf("conferences = %+v; want only the one not cancelled", f.Conferences)
	}
	got := f.Conferences[0]
	if !got.OutcomeRecorded || got.ReviewOn.Format(caseconf.DateLayout) != "2026-11-20" || got.ChairID != "U0CM" {
		t.Errorf("conference facts = %+v", got)
	}
	// The GP, the social worker, and Dr Patel (not on Slack: the case
	// manager is chased for her, caseconf.InviteeChaser).
	if len(got.Invitees) != 3 || got.Invitees[0].Answer != caseconf.AnswerApologies || !got.Invitees[0].ReportSent || got.Invitees[1].Answer != "" ||
		got.Invitees[2].SlackUserID != "" || got.Invitees[2].Answer != "" {
		t.Errorf("invitee facts = %+v", got.Invitees)
	}
	if len(f.Actions) != 1 || f.Actions[0].OwnerID != "U0SW" || f.Actions[0].CaseManagerID != "U0CM" {
		t.Errorf("actions = %+v; want the open one", f.Actions)
	}
	// The consent runs to 2027-04-02: not within 30 days of now.
	if len(f.Consents) != 0 {
		t.Errorf("consents = %+v", f.Consents)
	}
	later, err := s.ReminderFacts(ctx, time.Date(2027, 3, 20, 9, 0, 0, 0, time.UTC))
	if err != nil || len(later.Consents) != 1 || later.Consents[0].CaseManagerID != "U0CM" {
		t.Errorf("consents near their end = %+v, %v", later.Consents, err)
	}
	exec(`UPDATE clients SET erased_at = now()`)
	if erased, err := s.ReminderFacts(ctx, now); err != nil || len(erased.Conferences)+len(erased.Actions)+len(erased.Consents) != 0 {
		t.Errorf("facts about an erased client: %+v, %v", erased, err)
	}
}
