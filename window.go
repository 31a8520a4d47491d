package caseconf

import "time"

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
	return Calendar{Loc: loc, holidays: c.holidays}
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
