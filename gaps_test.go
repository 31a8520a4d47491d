package caseconf

import (
	"reflect"
	"testing"
	"time"
)

func TestAggregateGaps(t *testing.T) {
	today := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	invs := []GapInvitation{
		{Agency: "GP"}, {Agency: "gp "}, // not answered, same agency
		{Agency: "ASC", Answered: true, Apologies: true},                 // can't attend, no report
		{Agency: "ASC", Answered: true, Apologies: true, Reported: true}, // reported: no gap
		{Agency: "Probation", Answered: true},                            // attending: no gap
		{Agency: "", Answered: false},                                    // unknown agency
	}
	acts := []GapAction{
		{Agency: "ASC", DueOn: d(11, 1)}, // 1 day overdue
		{Agency: "ASC", DueOn: d(10, 5)}, // 28 days: overdue, not long
		{Agency: "ASC", DueOn: d(10, 4)}, // 29 days: long overdue
		{Agency: "GP", DueOn: d(11, 2)},  // due today: not overdue
		{Agency: "Probation", DueOn: d(12, 1)},
	}
	got := AggregateGaps(invs, acts, today)
	want := []GapRow{
		{Agency: "ASC", ApologiesWithoutReport: 1, ActionsOverdue: 3, ActionsOverdueOver28: 1},
		{Agency: "GP", NotAnswered: 2},
		{Agency: GapUnknownAgency, NotAnswered: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestCanRunGaps(t *testing.T) {
	for _, tt := range []struct {
		v    Viewer
		cm   bool
		code string
	}{
		{Viewer{UserID: "U0ADMIN", Admin: true}, false, ""},
		{Viewer{UserID: "U0CM"}, true, ""},
		{Viewer{UserID: "U0GP"}, false, EFORBIDDEN},
		{Viewer{}, true, EFORBIDDEN},
	} {
		if got := ErrorCode(CanRunGaps(tt.v, tt.cm)); got != tt.code {
			t.Errorf("CanRunGaps(%+v, %v) = %q, want %q", tt.v, tt.cm, got, tt.code)
		}
	}
}

// "Not involved with this client" is a figure of its own: not a missing
// report, not an unanswered invitation, and no gap in the ranking.
func TestAggregateGapsNotInvolved(t *testing.T) {
	today := time.Date(2026, 11, 2, 15, 0, 0, 0, time.UTC)
	invs := []GapInvitation{
		{Agency: "Housing", Answered: true, NotInvolved: true},
		{Agency: "housing", Answered: true, NotInvolved: true, Reported: false},
		{Agency: "GP", Answered: true, Apologies: true},
	}
	got := AggregateGaps(invs, nil, today)
	want := []GapRow{
		{Agency: "GP", ApologiesWithoutReport: 1},
		{Agency: "Housing", NotInvolved: 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got[1].Total() != 0 {
		t.Errorf("not involved counted as a gap: Total = %d", got[1].Total())
	}
}

func TestNotInvolvedIsAnAnswer(t *testing.T) {
	if !AnswerNotInvolved.Valid() {
		t.Error("not involved is not a valid answer")
	}
	if AnswerNotInvolved.Attends() || ReportOwed(AnswerNotInvolved, false, true) {
		t.Error("not involved attends, or owes a report")
	}
}
