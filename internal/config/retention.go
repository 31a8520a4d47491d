package config

import (
	"strconv"
	"strings"
	"time"
)

// Retention is a period in whole years or days.
type Retention struct{ Years, Days int }

// Cutoff is the moment the retention period before now began: a client
// with no activity since is past retention.
func (r Retention) Cutoff(now time.Time) time.Time { return now.AddDate(-r.Years, 0, -r.Days) }

func (r Retention) String() string {
	if r.Days != 0 {
		return strconv.Itoa(r.Days) + "d"
	}
	return strconv.Itoa(r.Years) + "y"
}

// parseRetention reads "8y" or "90d".
func parseRetention(v string) (Retention, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if len(v) < 2 {
		return Retention{}, false
	}
	n, err := strconv.Atoi(v[:len(v)-1])
	if err != nil || n < 1 {
		return Retention{}, false
	}
	switch v[len(v)-1] {
	case 'y':
		return Retention{Years: n}, n <= 100
	case 'd':
		return Retention{Days: n}, n <= 36500
	}
	return Retention{}, false
}
