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
