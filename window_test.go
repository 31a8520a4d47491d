package caseconf

import (
	"testing"
	"time"
)

func TestNextWindow(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-12-25 is a configured holiday; 2026-11-28/29 a weekend.
	holiday := time.Date(2026, 12, 25, 0, 0, 0, 0, london)
	cal := NewCalendar(london, []time.Time{holiday})
	at := func(loc *time.Location, s string) time.Time {
		t.Helper()
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name string
		loc  *time.Location
		now  time.Time
		want time.Time
	}{
		{"InsideTheWindow", london, at(london, "2026-11-25 11:00"), at(london, "2026-11-25 11:00")},
		{"EarlyMorningWaitsForNine", london, at(london, "2026-11-25 03:00"), at(london, "2026-11-25 09:00")},
		{"AfterHalfPastFiveWaitsForTomorrow", london, at(london, "2026-11-25 17:30"), at(london, "2026-11-26 09:00")},
		{"FridayEveningWaitsForMonday", london, at(london, "2026-11-27 18:00"), at(london, "2026-11-30 09:00")},
		{"SaturdayWaitsForMonday", london, at(london, "2026-11-28 10:00"), at(london, "2026-11-30 09:00")},
		{"HolidayIsNotWorking", london, at(london, "2026-12-25 10:00"), at(london, "2026-12-28 09:00")},
		{"NewYorkSleepsWhileLondonWorks", ny, at(london, "2026-11-25 09:00"), at(ny, "2026-11-25 09:00")},
		{"NewYorkAfternoonIsLondonEvening", ny, at(london, "2026-11-25 19:00"), at(ny, "2026-11-25 14:00")},
		// Summer time ends in London on Sunday 25 October 2026: the
		// window on the Monday is still 09:00 on the clock, now GMT.
		{"AcrossSummerTimeEnding", london, at(london, "2026-10-23 18:00"), time.Date(2026, 10, 26, 9, 0, 0, 0, time.UTC)},
		// And begins on Sunday 29 March 2026: 09:00 BST is 08:00 UTC.
		{"AcrossSummerTimeStarting", london, at(london, "2026-03-27 18:00"), time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)},
		// New York changes two weeks before London in March.
		{"NewYorkSummerTime", ny, time.Date(2026, 3, 9, 12, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 13, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.In(tt.loc).NextWindow(tt.now)
			if !got.Equal(tt.want) {
				t.Fatalf("NextWindow(%v) = %v, want %v", tt.now, got.In(tt.loc), tt.want.In(tt.loc))
			}
		})
	}
}
