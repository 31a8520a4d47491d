package export

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caseconf/caseconf"
)

// GapsCSV is the gaps figures for the period from to to (caseconf.AggregateGaps)
// as a CSV file, with a header line: not_answered counts invitations with
// no answer (from people on Slack or not), without_report "can't attend"
// answers with no report. The last column, not_involved, is not a gap:
// invitations answered "not involved with this client".
func GapsCSV(rows []caseconf.GapRow, from, to time.Time) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"agency", "from", "to", "not_answered", "without_report", "actions_overdue", "actions_overdue_over_28_days", "not_involved"})
	for _, r := range rows {
		_ = w.Write([]string{csvSafe(r.Agency), from.Format("2006-01-02"), to.Format("2006-01-02"),
			strconv.Itoa(r.NotAnswered), strconv.Itoa(r.ApologiesWithoutReport), strconv.Itoa(r.ActionsOverdue), strconv.Itoa(r.ActionsOverdueOver28),
			strconv.Itoa(r.NotInvolved)})
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
