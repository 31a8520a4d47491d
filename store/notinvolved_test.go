package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/caseconf/caseconf"
	"github.com/caseconf/caseconf/internal/testdb"
	"github.com/caseconf/caseconf/store"
)

// "Not involved with this client" is kept with its optional line of
// explanation; the explanation changing is a new answer; another answer
// carries no explanation; and the record keeps every one.
func TestNotInvolvedResponse(t *testing.T) {
	ctx := context.Background()
	s := testdb.Open(t)
	now := t0
	fixedClock(s, &now)
	c := create(t, s, schedule("U0CM", "U0GP"))
	gp := inviteeFor(t, c, "U0GP")
	if _, _, err := s.AcceptAgreement(ctx, gp.ID, "U0GP", &store.AgencyAnswer{Agency: "Church St", Kind: "health_gp"}); err != nil {
		t.Fatal(err)
	}
	_, inv, changed, err := s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerNotInvolved, "Not registered with this practice")
	if err != nil || !changed || inv.Response.Answer != caseconf.AnswerNotInvolved || inv.Response.Reason != "Not registered with this practice" || inv.Response.Colleague != "" {
		t.Fatalf("not involved: %v, %+v", err, inv.Response)
	}
	if inv.Attends() || c.OwesReport(inv) {
		t.Error("not involved attends or owes a report")
	}
	if _, _, changed, err := s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerNotInvolved, "Not registered with this practice"); err != nil || changed {
		t.Fatalf("the same answer again: changed %v, %v", changed, err)
	}
	now = now.Add(time.Hour)
	if _, inv, changed, err = s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerNotInvolved, ""); err != nil || !changed || inv.Response.Reason != "" {
		t.Fatalf("without the explanation: changed %v, %v, %+v", changed, err, inv.Response)
	}
	now = now.Add(time.Hour)
	if _, inv, _, err = s.RecordResponse(ctx, gp.ID, "U0GP", caseconf.AnswerApologies, "a stray line"); err != nil || inv.Response.Reason != "" || inv.Response.Colleague != "" {
		t.Fatalf("apologies kept a line: %v, %+v", err, inv.Response)
	}
	rec, err := s.ExportRecord(ctx, c.Ref, caseconf.Viewer{UserID: "U0CM"})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.Answers[gp.ID]
	if len(got) != 3 || got[0].Answer != caseconf.AnswerNotInvolved || got[0].Reason != "Not registered with this practice" || got[1].Reason != "" {
		t.Errorf("the record's answers: %+v", got)
	}
}
