package caseconf

import (
	"sort"
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
//     someone not on Slack the same, from the replies the case manager or
//     chair recorded (a latest "no reply yet" is no answer).
//     "Can't attend without a report" is a latest answer of apologies with
//     no report from that invitee. "Not involved" (a latest answer that
//     they are not involved with the client) is a figure of its own: no
//     report was owed, so it is not a missing one.
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

// CanRunGaps decides whether v may run the gaps report: an administrator,
// over every conference, or a case manager (managesClients: v manages a
// client or is the case manager of a conference), over the conferences
// of their own clients. Anyone else is refused.
func CanRunGaps(v Viewer, managesClients bool) error {
	if v.UserID == "" || (!v.Admin && !managesClients) {
		return Errorf(EFORBIDDEN, "Only administrators, and case managers for their own clients, can run `/caseconf gaps`.")
	}
	return nil
}

// GapInvitation is one invitee of a conference in the period.
type GapInvitation struct {
	Agency      string
	Answered    bool
	Apologies   bool // latest answer is "can't attend"
	NotInvolved bool // latest answer is "not involved with this client"
	Reported    bool // a written report was submitted
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
	// NotInvolved counts invitations answered "not involved with this
	// client": shown on its own, and not a gap (Total leaves it out).
	NotInvolved int
}

// Total reports whether the agency has any gap at all.
func (r GapRow) Total() int {
	return r.NotAnswered + r.ApologiesWithoutReport + r.ActionsOverdue
}

// AggregateGaps adds up invitations and actions per agency as of today (a
// calendar date). Agencies with nothing to report are left out; the rest
// come worst first (then by name). An agency whose only figure is "not
// involved" is listed, last among its peers, with no gap.
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
		case i.NotInvolved:
			row(i.Agency).NotInvolved++
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
