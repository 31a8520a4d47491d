package caseconf

import (
	"fmt"
	"testing"
	"time"
)

func TestResolveClient(t *testing.T) {
	d := func(day int) time.Time { return time.Date(2026, 11, day, 10, 0, 0, 0, time.UTC) }
	cm1 := ClientMatch{ID: 1, Reference: "SA-1000", CaseManagerID: "U0CM1", FirstConference: d(20)}
	cm2 := ClientMatch{ID: 2, Reference: "sa-1000", CaseManagerID: "U0CM2", FirstConference: d(3)}
	cm2b := ClientMatch{ID: 3, Reference: "SA-1000", CaseManagerID: "U0CM2"} // handed over to U0CM2, no conference yet
	admin := Viewer{UserID: "U0ADMIN", Admin: true}
	ids := func(ms []ClientMatch) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		matches []ClientMatch
		v       Viewer
		one     int64
		choices []int64
	}{
		{"own first, whoever else uses it", []ClientMatch{cm1, cm2}, Viewer{UserID: "U0CM1"}, 1, nil},
		{"own first for the other case manager", []ClientMatch{cm1, cm2}, Viewer{UserID: "U0CM2"}, 2, nil},
		{"an administrator's own client too", []ClientMatch{cm1, {ID: 4, CaseManagerID: "U0ADMIN"}}, admin, 4, nil},
		{"the one client an administrator may know of", []ClientMatch{cm1}, admin, 1, nil},
		{"an administrator chooses, oldest first", []ClientMatch{cm1, cm2}, admin, 0, []int64{2, 1}},
		{"no conference goes last", []ClientMatch{cm2b, cm1, cm2}, admin, 0, []int64{2, 1, 3}},
		{"two of one's own (a handover): a choice among them only", []ClientMatch{cm1, cm2, cm2b}, Viewer{UserID: "U0CM2"}, 0, []int64{2, 3}},
		{"nothing one may know of", nil, Viewer{UserID: "U0CM3"}, 0, nil},
		{"nobody", []ClientMatch{cm1}, Viewer{}, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ResolveClient(tc.matches, tc.v)
			switch {
			case tc.one != 0 && (got.Client == nil || got.Client.ID != tc.one || got.Choices != nil):
				t.Errorf("got %+v, want client %d", got, tc.one)
			case tc.one == 0 && got.Client != nil:
				t.Errorf("got client %d, want none", got.Client.ID)
			case tc.one == 0 && fmtIDs(ids(got.Choices)) != fmtIDs(tc.choices):
				t.Errorf("choices %v, want %v", ids(got.Choices), tc.choices)
			}
		})
	}
}

func fmtIDs(ids []int64) string { return fmt.Sprint(ids) }

func TestMayKnowClient(t *testing.T) {
	cm, admin, other := Viewer{UserID: "U0CM1"}, Viewer{UserID: "U0ADMIN", Admin: true}, Viewer{UserID: "U0CM2"}
	for _, tc := range []struct {
		use  ClientUse
		v    Viewer
		sees bool
		want bool
	}{
		{ClientForConsent, cm, false, true},
		{ClientForConsent, admin, false, true},
		{ClientForConsent, other, true, false},
		{ClientForGovernance, cm, true, false},
		{ClientForGovernance, admin, false, true},
		{ClientForChronology, cm, false, true},
		{ClientForChronology, admin, false, true},
		{ClientForChronology, other, false, false},
		{ClientForChronology, other, true, true},
		{ClientForChronology, Viewer{}, true, false},
		{"unknown", admin, true, false},
	} {
		if got := MayKnowClient(tc.use, "U0CM1", tc.v, tc.sees); got != tc.want {
			t.Errorf("MayKnowClient(%s, %+v, %v) = %v, want %v", tc.use, tc.v, tc.sees, got, tc.want)
		}
	}
	if !SameClientRef("js  4411", "JS 4411") || !SameClientRef(" sa-1000", "SA-1000 ") || !SameClientRef("SA-1000\u200b", "\ufeffsa-1000") || SameClientRef("SA-1000", "SA-10000") {
		t.Error("SameClientRef")
	}
}
