package export

import (
	"testing"
	"time"

	"github.com/caseconf/caseconf"
)

func TestGapsCSV(t *testing.T) {
	from := time.Date(2026, 8, 2, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	rows := []caseconf.GapRow{
		{Agency: "ASC, adults", ApologiesWithoutReport: 1, ActionsOverdue: 3, ActionsOverdueOver28: 1},
		{Agency: "=HYPERLINK(\"http://evil.example\")", NotAnswered: 2},
		{Agency: "-1+1", NotAnswered: 1},
	}
	want := "agency,from,to,not_answered,without_report,actions_overdue,actions_overdue_over_28_days,not_involved\n" +
		"\"ASC, adults\",2026-08-02,2026-11-02,0,1,3,1,0\n" +
		"\"'=HYPERLINK(\"\"http://evil.example\"\")\",2026-08-02,2026-11-02,2,0,0,0,0\n" +
		"'-1+1,2026-08-02,2026-11-02,1,0,0,0,0\n"
	if got := string(GapsCSV(rows, from, to)); got != want {
		t.Errorf("GapsCSV =\n%s\nwant\n%s", got, want)
	}
	if got := GapsFilename(from, to); got != "gaps-2026-08-02-to-2026-11-02.csv" {
		t.Errorf("GapsFilename = %q", got)
	}
}
