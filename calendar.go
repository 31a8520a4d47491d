// Package caseconf holds the rules of multi-agency case conferences that hold
// whatever the transport or the store: working days and notice, consent
// coverage, what a scheduling form must contain. It imports only the
// standard library; store/, bot/ and export/ (its values as files) depend
// on it.
package caseconf

import (
	"sort"
	"time"
)

// MinNoticeWorkingDays is the notice a conference should normally get.
const MinNoticeWorkingDays = 10

// DateLayout is how calendar dates are written (and stored as text).
const DateLayout = "2006-01-02"

// Calendar knows the service's time zone and public holidays.
type Calendar struct {
	Loc      *time.Location
	holidays map[string]bool
	// weekdayHolidays are the holidays that fall on a weekday, as
	// DateLayout text, sorted: the ones a count of working days skips.
	weekdayHolidays []string
}

// NewCalendar makes a Calendar; holidays are dates in loc.
func NewCalendar(loc *time.Location, holidays []time.Time) Calendar {
	h := make(map[string]bool, len(holidays))
	var weekdays []string
	for _, d := range holidays {
		day := d.In(loc).Format(DateLayout)
		if h[day] {
			continue
		}
		h[day] = true
		if wd := d.In(loc).Weekday(); wd != time.Saturday && wd != time.Sunday {
			weekdays = append(weekdays, day)
		}
	}
	sort.Strings(weekdays)
	return Calendar{Loc: loc, holidays: h, weekdayHolidays: weekdays}
}

// Date is the calendar day of t in the calendar's zone, at midnight.
func (c Calendar) Date(t time.Time) time.Time {
	y, m, d := t.In(c.Loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, c.Loc)
}

// IsWorkingDay reports whether the day of t is neither a weekend nor a
// configured holiday.
func (c Calendar) IsWorkingDay(t time.Time) bool {
	t = t.In(c.Loc)
	switch t.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	return !c.holidays[t.Format(DateLayout)]
}

// WorkingDaysNotice counts the working days after the day of from up to and
// including the day of to: the notice a meeting on to gets when called on
// from. Called on a Monday for the Monday two weeks on, that is ten.
//
// It takes the same time however far apart the days are (whole weeks are
// counted at once, then the holidays in between), so a date typed far in
// the future costs nothing to count.
func (c Calendar) WorkingDaysNotice(from, to time.Time) int {
	day, end := c.Date(from), c.Date(to)
	days := civilDay(end) - civilDay(day)
	if days <= 0 {
		return 0
	}
	n := int(days/7) * 5
	first := day.Weekday()
	for i := 1; i <= int(days%7); i++ {
		switch (first + time.Weekday(i)) % 7 {
		case time.Saturday, time.Sunday:
		default:
			n++
		}
	}
	// Holidays on a weekday after day, up to and including end.
	lo := sort.SearchStrings(c.weekdayHolidays, day.AddDate(0, 0, 1).Format(DateLayout))
	hi := sort.SearchStrings(c.weekdayHolidays, end.AddDate(0, 0, 1).Format(DateLayout))
	return n - (hi - lo)
}

// civilDay numbers the calendar day of t (read in its own zone): one a
// day, whatever the clocks did in between.
func civilDay(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// AddWorkingDays is the day n working days after the day of from.
func (c Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	day := c.Date(from)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if c.IsWorkingDay(day) {
			n--
		}
	}
	return day
}

// Reminders reach people in their working hours, 09:00 to 17:30 on a
// working day, in their own time zone.
const (
	windowOpensHour, windowOpensMinute   = 9, 0
	windowClosesHour, windowClosesMinute = 17, 30
)

// In is the calendar with the same holidays, read in another time zone
// (a recipient's own).
func (c Calendar) In(loc *time.Location) Calendar {
	if loc == nil {
		return c
	}
	return Calendar{Loc: loc, holidays: c.holidays, weekdayHolidays: c.weekdayHolidays}
}

// NextWindow is the earliest moment at or after t when a reminder may
// reach someone whose calendar is c: between WindowOpens and WindowCloses
// on a working day, in c's zone. Across a change to or from summer time
// the window is still 09:00–17:30 on the clock on the wall.
func (c Calendar) NextWindow(t time.Time) time.Time {
	local := t.In(c.Loc)
	for range 60 { // a long run of holidays is bounded
		y, m, d := local.Date()
		opens := time.Date(y, m, d, windowOpensHour, windowOpensMinute, 0, 0, c.Loc)
		closes := time.Date(y, m, d, windowClosesHour, windowClosesMinute, 0, 0, c.Loc)
		if c.IsWorkingDay(opens) && local.Before(closes) {
			if local.Before(opens) {
				return opens
			}
			return local
		}
		local = time.Date(y, m, d+1, 0, 0, 0, 0, c.Loc)
	}
	return local
}

// AddMonths is the same day n months on, or the last day of that month when
// it is shorter: six months from 31 August is 28 (or 29) February, not 3
// March.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, d.Location())
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(day, last), 0, 0, 0, 0, d.Location())
}
