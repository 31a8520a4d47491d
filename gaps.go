package caseconf

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Gaps and blocks: how persistent non-engagement by an agency is seen and
// escalated. Over a period, per agency: invitations never answered,
// "can't attend" answers with no written report, actions overdue, and
// actions overdue by more than GapLongOverdueDays days.
//
// Which rows count:
//   - invitations and answers: invitees of conferences that started in the
//     period (FROM to TO inclusive, in the service's time zone) and were not
//     cancelled. A Slack invitee is "not answered" with no response at all;
//     someone not on Slack, with nothing noted by the case manager.
//     "Can't attend without a report" is a latest answer of apologies with
//     no report from that invitee.
//   - actions: open actions, on conferences not cancelled, due in the
//     period and before today ("overdue"); more than 28 days before today is
//     also "overdue more than 28 days".
//
// The agency is what the invitee or action owner recorded, or what their
// Slack user answered with; otherwise GapUnknownAgency.

// GapLongOverdueDays is when an overdue action counts as long overdue.
const GapLongOverdueDays = 28

// GapUnknownAgency names rows whose agency was never recorded.
const GapUnknownAgency = "(agency not recorded)"

// GapInvitation is one invitee of a conference in the period.
type GapInvitation struct {
	Agency    string
	Answered  bool
	Apologies bool // latest answer is "can't attend"
	Reported  bool // a written report was submitted
}

// GapAction is one open action due in the period.
type GapAction struct {
	Agency string
	DueOn  time.Time // a calendar date
}

// GapRow is one agency's figures.
type GapRow struct {
	Agency                 string
	NotAnswered            int
	ApologiesWithoutReport int
	ActionsOverdue         int
	ActionsOverdueOver28   int
}

// Total reports whether the agency has any gap at all.
func (r GapRow) Total() int {
	return r.NotAnswered + r.ApologiesWithoutReport + r.ActionsOverdue
}

// AggregateGaps adds up invitations and actions per agency as of today (a
// calendar date). Agencies with nothing to report are left out; the rest
// come worst first (then by name).
func AggregateGaps(invs []GapInvitation, acts []GapAction, today time.Time) []GapRow {
	today = dateOnly(today)
	by := map[string]*GapRow{}
	row := func(agency string) *GapRow {
		agency = strings.TrimSpace(agency)
		if agency == "" {
			agency = GapUnknownAgency
		}
		key := strings.ToLower(agency)
		r, ok := by[key]
		if !ok {
			r = &GapRow{Agency: agency}
			by[key] = r
		}
		return r
	}
	for _, i := range invs {
		switch {
		case !i.Answered:
			row(i.Agency).NotAnswered++
		case i.Apologies && !i.Reported:
			row(i.Agency).ApologiesWithoutReport++
		}
	}
	for _, a := range acts {
		due := dateOnly(a.DueOn)
		if !due.Before(today) {
			continue
		}
		r := row(a.Agency)
		r.ActionsOverdue++
		if today.Sub(due) > GapLongOverdueDays*24*time.Hour {
			r.ActionsOverdueOver28++
		}
	}
	out := make([]GapRow, 0, len(by))
	for _, r := range by {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.ActionsOverdueOver28 != b.ActionsOverdueOver28 {
			return a.ActionsOverdueOver28 > b.ActionsOverdueOver28
		}
		if a.Total() != b.Total() {
			return a.Total() > b.Total()
		}
		return strings.ToLower(a.Agency) < strings.ToLower(b.Agency)
	})
	return out
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// GapsPeriod reads /caseconf gaps [FROM] [TO] (dates as YYYY-MM-DD): with
// none, the three months to today; with FROM only, FROM to today. FROM
// after TO, a date that is not one, or more than two words is an error
// safe to show.
func GapsPeriod(args []string, today time.Time) (from, to time.Time, err error) {
	today = dateOnly(today)
	to = today
	from = today.AddDate(0, -3, 0)
	if len(args) > 2 {
		return from, to, Errorf(EINVALID, "Usage: `/caseconf gaps [FROM] [TO]`, dates as YYYY-MM-DD (default: the last 3 months).")
	}
	parse := func(s string) (time.Time, error) {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			return d, Errorf(EINVALID, "%q is not a date: write it as YYYY-MM-DD, e.g. `/caseconf gaps 2026-09-01 2026-11-30`.", s)
		}
		return d, nil
	}
	if len(args) >= 1 {
		if from, err = parse(args[0]); err != nil {
			return from, to, err
		}
	}
	if len(args) == 2 {
		if to, err = parse(args[1]); err != nil {
			return from, to, err
		}
	}
	if from.After(to) {
		return from, to, Errorf(EINVALID, "The period starts (%s) after it ends (%s).", from.Format("2006-01-02"), to.Format("2006-01-02"))
	}
	return from, to, nil
}

// GapsCSV is the figures as a CSV file, with a header line.
func GapsCSV(rows []GapRow, from, to time.Time) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"agency", "from", "to", "invitations_not_answered", "cant_attend_without_report", "actions_overdue", "actions_overdue_over_28_days"})
	for _, r := range rows {
		_ = w.Write([]string{csvSafe(r.Agency), from.Format("2006-01-02"), to.Format("2006-01-02"),
			strconv.Itoa(r.NotAnswered), strconv.Itoa(r.ApologiesWithoutReport), strconv.Itoa(r.ActionsOverdue), strconv.Itoa(r.ActionsOverdueOver28)})
	}
	w.Flush()
	return buf.Bytes()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// GapsFilename is the name of the CSV file for a period.
func GapsFilename(from, to time.Time) string {
	return fmt.Sprintf("gaps-%s-to-%s.csv", from.Format("2006-01-02"), to.Format("2006-01-02"))
}
