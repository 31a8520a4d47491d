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
