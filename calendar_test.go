package caseconf

import (
	"testing"
	"time"
)

func london(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func day(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(DateLayout, s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWorkingDaysNotice(t *testing.T) {
	loc := london(t)
	cal := NewCalendar(loc, []time.Time{day(t, loc, "2026-12-25"), day(t, loc, "2026-12-28")})
	tests := []struct {
		name     string
		from, to string
		want     int
	}{
		{"MondayToMondayTwoWeeksOn", "2026-11-02", "2026-11-16", 10},
		{"MondayToFridayNextWeek", "2026-11-02", "2026-11-13", 9},
		{"SameDay", "2026-11-02", "2026-11-02", 0},
		{"FridayToMonday", "2026-11-06", "2026-11-09", 1},
		{"ToASaturday", "2026-11-02", "2026-11-07", 4},
		{"OverChristmasHolidays", "2026-12-21", "2027-01-04", 8}, // 25th and 28th are holidays
		{"InThePast", "2026-11-16", "2026-11-02", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cal.WorkingDaysNotice(day(t, loc, tt.from), day(t, loc, tt.to)); got != tt.want {
				t.Fatalf("WorkingDaysNotice(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestAddWorkingDays(t *testing.T) {
	loc := london(t)
	cal := NewCalendar(loc, []time.Time{day(t, loc, "2026-12-25"), day(t, loc, "2026-12-28")})
	if got := cal.AddWorkingDays(day(t, loc, "2026-11-02"), 10).Format(DateLayout); got != "2026-11-16" {
		t.Errorf("ten working days after Mon 2 Nov = %s, want 2026-11-16", got)
	}
	if got := cal.AddWorkingDays(day(t, loc, "2026-12-21"), 10).Format(DateLayout); got != "2027-01-06" {
		t.Errorf("ten working days after Mon 21 Dec over Christmas = %s, want 2027-01-06", got)
	}
}

func TestDateUsesTheServiceTimeZone(t *testing.T) {
	loc := london(t)
	cal := NewCalendar(loc, nil)
	// 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
	utc := time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC)
	if got := cal.Date(utc).Format(DateLayout); got != "2026-07-01" {
		t.Fatalf("Date = %s, want 2026-07-01", got)
	}
}

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

// WorkingDaysNotice counts whole weeks at once: it agrees with counting
// day by day, over summer time, a holiday on a weekend, and spans from a
// day to a few years, starting on every day of the week.
func TestWorkingDaysNoticeAgreesWithCountingDayByDay(t *testing.T) {
	loc := london(t)
	cal := NewCalendar(loc, []time.Time{
		day(t, loc, "2026-12-25"), day(t, loc, "2026-12-28"), day(t, loc, "2026-12-26"), // the 26th is a Saturday
		day(t, loc, "2027-03-29"), day(t, loc, "2027-03-29"), day(t, loc, "2028-05-01"),
	})
	byDay := func(from, to time.Time) int {
		d, end, n := cal.Date(from), cal.Date(to), 0
		for d.Before(end) {
			d = d.AddDate(0, 0, 1)
			if cal.IsWorkingDay(d) {
				n++
			}
		}
		return n
	}
	start := day(t, loc, "2026-10-19")
	for i := range 14 {
		from := start.AddDate(0, 0, i).Add(17 * time.Hour)
		for _, span := range []int{0, 1, 2, 5, 6, 7, 8, 13, 14, 40, 70, 162, 365, 900, 1100} {
			to := from.AddDate(0, 0, span).Add(-10 * time.Hour)
			if got, want := cal.WorkingDaysNotice(from, to), byDay(from, to); got != want {
				t.Errorf("WorkingDaysNotice(%s, %s) = %d, counting day by day %d", from.Format(DateLayout), to.Format(DateLayout), got, want)
			}
		}
	}
	// The same in another zone (a recipient's own).
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cal = cal.In(ny)
	from := time.Date(2026, 12, 20, 23, 0, 0, 0, ny)
	if got, want := cal.WorkingDaysNotice(from, from.AddDate(0, 0, 30)), byDay(from, from.AddDate(0, 0, 30)); got != want {
		t.Errorf("in New York: %d, day by day %d", got, want)
	}
}
